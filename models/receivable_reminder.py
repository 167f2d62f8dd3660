import logging

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .company_check import company_suspects
from .engine_mark import has_engine_mark
from .engine_mark import with_engine_mark
from .night_runs import CONCURRENCY_ERRORS

_logger = logging.getLogger(__name__)

# States in which a reminder is still to go out: one of them at most per partner and company.
OPEN_STATES = ("draft", "to_send", "failed")
# States of the history: what was sent or given up is never edited nor deleted.
HISTORY_STATES = ("sent", "cancelled")
# States in which a controller still edits the reminder before it goes.
REVIEW_STATES = ("draft", "failed")
# What a controller may change on a reminder to review; the rest is the engine's.
USER_FIELDS = frozenset(
    {
        "recipient_id",
        "deadline",
        "channel_email",
        "channel_letter",
        "channel_call",
        "note",
        "line_ids",
    }
)
LETTER_REPORT = "account_receivable_control.action_report_dunning_letter"


class ReceivableReminder(models.Model):
    """One communication to a customer: a partner, a dunning level, a date and its invoices.

    States::

        draft ──send──► to_send ──► sent
          │                │  ▲
          │                ▼  │ retried by the next run
          │              failed
          └──────────────► cancelled (by a controller, or when every invoice got paid)

    A reminder leaves ``to_send``/``failed`` only in the transaction that hands its email to
    Odoo's outgoing queue (``mail.mail``, delivered after the commit), under a row lock: two
    workers never send the same reminder, and a crash or a rollback leaves it ``to_send`` with
    no email out. An error on one reminder (rendering, address, PDF, charges) fails that one
    only; after the company's number of failures in a row it goes back to review with an
    activity. A mail the queue fails to deliver makes its reminder ``failed`` again (the next
    run sends a new mail); a mail whose delivery started but never ended (a killed process)
    is cancelled and its reminder goes back to review: it is never sent twice. The invoices'
    dunning levels advance when the reminder is first ``sent``.
    """

    _name = "receivable.reminder"
    _description = "Payment Reminder"
    # Activities: the Credit Manager's to-do on a reminder back in review, shown on its form.
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # A company's reminder lists the invoices of its branches too (one customer, one ladder).
    _check_company_domain = models.check_company_domain_parent_of

    _one_open_reminder = models.UniqueIndex(
        "(company_id, partner_id) WHERE state IN ('draft', 'to_send', 'failed')",
        "A customer has at most one reminder waiting to be sent per company.",
    )
    _state_date_idx = models.Index("(state, company_id)")

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, default="/")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        readonly=True,
        check_company=True,
    )
    recipient_id = fields.Many2one(
        "res.partner",
        string="Recipient",
        help="Who receives the email and the letter: the customer's invoicing contact, or "
        "the customer.",
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    policy_id = fields.Many2one(
        "receivable.policy", string="Credit Policy", readonly=True, check_company=True
    )
    level_id = fields.Many2one(
        "receivable.dunning.level", string="Level", required=True, readonly=True, check_company=True
    )
    formal_notice = fields.Boolean(related="level_id.formal_notice")
    date = fields.Date(required=True, index=True, readonly=True)
    deadline = fields.Date(
        string="Pay By", help="The payment deadline the reminder gives the customer."
    )
    channel_email = fields.Boolean(string="Email")
    channel_letter = fields.Boolean(string="Letter")
    channel_call = fields.Boolean(string="Phone Call")
    state = fields.Selection(
        [
            ("draft", "To Review"),
            ("to_send", "To Send"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="to_send",
        required=True,
        index=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    awaiting_activation = fields.Boolean(
        string="Awaiting Automatic Sending",
        readonly=True,
        copy=False,
        help="Prepared by the nightly run while automatic sending was off: to review, and "
        "released to the night's sending when a Credit Manager activates it.",
    )
    line_ids = fields.One2many(
        "receivable.reminder.line", "reminder_id", string="Invoices", copy=False
    )
    credit_ids = fields.One2many(
        "receivable.reminder.credit",
        "reminder_id",
        string="Credits",
        copy=False,
        readonly=True,
        help="The customer's unapplied payments and open credit notes, deducted from what the "
        "reminder claims (refreshed when it is sent).",
    )
    legal_profile_id = fields.Many2one(
        "receivable.legal.profile", string="Legal Profile", readonly=True
    )
    legal_warning = fields.Text(
        string="Interest Warning",
        readonly=True,
        help="Why part of the interest the law allows is not claimed (a missing reference rate).",
    )
    interest_missing_from = fields.Date(
        string="Interest Not Claimed From",
        readonly=True,
        help="First half-year whose reference rate is missing: its interest is not claimed, "
        "and the email and the letter tell the customer so, in the customer's language.",
    )
    amount_interest = fields.Monetary(
        string="Late Interest", compute="_compute_amount_total", store=True
    )
    amount_fees = fields.Monetary(
        string="Recovery Fees", compute="_compute_amount_total", store=True
    )
    amount_claimed = fields.Monetary(
        string="Total Claimed",
        compute="_compute_amount_total",
        store=True,
        help="Amount due + late interest + recovery fees.",
    )
    claim_attachment_id = fields.Many2one(
        "ir.attachment", string="Claim File", readonly=True, copy=False
    )
    amount_total = fields.Monetary(string="Amount Due", compute="_compute_amount_total", store=True)
    amount_credits = fields.Monetary(
        string="Total Credits",
        compute="_compute_amount_net",
        store=True,
        help="The customer's unapplied payments and open credit notes (negative).",
    )
    amount_net = fields.Monetary(
        string="Net Amount Claimed",
        compute="_compute_amount_net",
        store=True,
        help="Total claimed less the customer's credits: what the customer is asked to pay.",
    )
    line_count = fields.Integer(
        compute="_compute_amount_total", store=True, string="Number of Invoices"
    )
    mail_id = fields.Many2one(
        "mail.mail", string="Email Sent", readonly=True, copy=False, index="btree_not_null"
    )
    mail_state = fields.Selection(related="mail_id.state", string="Email Delivery", readonly=True)
    letter_attachment_id = fields.Many2one(
        "ir.attachment", string="Letter PDF", readonly=True, copy=False
    )
    activity_id = fields.Many2one(
        "mail.activity", string="Call Activity", readonly=True, copy=False
    )
    sent_date = fields.Datetime(string="Sent On", readonly=True, copy=False)
    sent_by_id = fields.Many2one("res.users", string="Sent By", readonly=True, copy=False)
    attempt_count = fields.Integer(string="Attempts", readonly=True, copy=False)
    failure_count = fields.Integer(
        string="Failures in a Row",
        readonly=True,
        copy=False,
        help="Failed sendings since the last successful one or the last review.",
    )
    failure_reason = fields.Text(readonly=True, copy=False)
    cancel_reason = fields.Char(readonly=True, copy=False)
    note = fields.Html(
        string="Personal Message",
        help="Added to the email and the letter, above the list of invoices.",
    )
    body_override = fields.Html(
        string="Edited Email",
        sanitize="email_outgoing",
        readonly=True,
        copy=False,
        help="The email as the credit controller edited it in the customer's follow-up: sent "
        "instead of the level's template.",
    )

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends("line_ids.amount_residual", "line_ids.interest_amount", "line_ids.fee_amount")
    def _compute_amount_total(self):
        for reminder in self:
            lines = reminder.line_ids
            reminder.update(
                self._claimed_amounts(
                    reminder.currency_id,
                    lines.mapped("amount_residual"),
                    lines.mapped("interest_amount"),
                    lines.mapped("fee_amount"),
                )
            )

    @api.depends("amount_claimed", "credit_ids.amount_residual")
    def _compute_amount_net(self):
        for reminder in self:
            reminder.update(
                self._net_amounts(
                    reminder.amount_claimed, reminder.credit_ids.mapped("amount_residual")
                )
            )

    @api.model
    def _claimed_amounts(self, currency, residuals, interests, fees):
        """The totals of ``_compute_amount_total`` from the lines' amounts due, interest and
        fees (also stored so by the run's set-based creation)."""
        amount_total = sum(residuals)
        amount_interest = currency.round(sum(interests))
        amount_fees = sum(fees)
        return {
            "amount_total": amount_total,
            "line_count": len(residuals),
            "amount_interest": amount_interest,
            "amount_fees": amount_fees,
            "amount_claimed": amount_total + amount_interest + amount_fees,
        }

    @api.model
    def _net_amounts(self, amount_claimed, credits):
        """The totals of ``_compute_amount_net`` from the amount claimed and the credits."""
        amount_credits = sum(credits)
        return {"amount_credits": amount_credits, "amount_net": amount_claimed + amount_credits}

    def _net_due(self):
        """The invoices due less the customer's credits, before late-payment charges."""
        self.ensure_one()
        return self.amount_total + self.amount_credits

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._check_engine_create()
        self._name_new(vals_list)
        return super().create(vals_list)

    def _check_engine_create(self):
        """Only the run creates reminders."""
        # Access rights first: a user without them learns nothing about the engine's rules.
        self.check_access("create")
        if not has_engine_mark(self.env):
            raise UserError(
                self.env._(
                    "Payment reminders are created by the dunning run (the nightly run, a "
                    "dunning run or Send Reminder Now), not by hand."
                )
            )

    @api.model
    def _name_new(self, vals_list):
        """The references of the reminders of ``vals_list`` still unnamed, drawn at once.

        A preview (rolled back, see ``receivable.followup``) draws no reference: a number of
        the sequence is never given back."""
        preview = self.env.context.get("receivable_reminder_preview")
        unnamed = [vals for vals in vals_list if vals.get("name", "/") == "/" and not preview]
        for vals, name in zip(unnamed, self._next_names(len(unnamed)), strict=True):
            vals["name"] = name

    @api.model
    def _next_names(self, count):
        """``count`` references of the reminder sequence, drawn in one query.

        The nightly run names thousands of reminders per batch; ``next_by_code`` would search
        the sequence and draw one number per reminder.
        """
        if not count:
            return []
        # sudo: the numbering is not a right of the user creating the reminders
        sequence = (
            self.env["ir.sequence"].sudo().search([("code", "=", "receivable.reminder")], limit=1)
        )
        if not sequence:
            return ["/"] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence.next_by_id() for _index in range(count)]
        rows = self.env.execute_query(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        # The sequence's ``get_next_char`` without interpolating its prefix for each number.
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for (number,) in rows]

    # Reminders are the customer's history: users create none, change only the review fields of
    # a reminder not sent yet, and delete nothing sent or cancelled. State, dates, amounts and
    # sending records change through the actions and the engine, which write with the engine
    # mark (``_as_engine``), a context value no RPC client can forge: see ``engine_mark``.
    def write(self, vals):
        if not has_engine_mark(self.env):
            self._check_user_write(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        if self.filtered(lambda r: r.state in HISTORY_STATES):
            raise UserError(
                self.env._(
                    "A sent or cancelled reminder is part of the customer's history: it "
                    "cannot be deleted."
                )
            )

    def _check_company(self, fnames=None):
        # The run creates reminders by the thousand: the batch checked at once, Odoo's own
        # check (and its error) for the reminders that may fail it.
        return super(ReceivableReminder, company_suspects(self, fnames))._check_company(fnames)

    def _as_engine(self):
        """The reminders as the engine handles them: their state, amounts, lines and sending
        records may change. Only the module's own code calls this (see ``engine_mark``): the
        public actions after their checks, the locking for sending and the run's creation."""
        return with_engine_mark(self)

    def _check_user_write(self, vals):
        """What a user's write may change: the review fields of a reminder to review or
        failed, and the chatter. State, dates, amounts and sending records are the engine's."""
        names = (
            set(vals)
            - set(self.env["mail.thread"]._fields)
            - set(self.env["mail.activity.mixin"]._fields)
        )
        if not names:
            return
        if self.filtered(lambda r: r.state in HISTORY_STATES):
            raise UserError(
                self.env._(
                    "A sent or cancelled reminder is part of the customer's history: it "
                    "cannot be changed."
                )
            )
        engine_names = names - USER_FIELDS
        if engine_names:
            raise UserError(
                self.env._(
                    "%(fields)s of a reminder change only through its actions (send, cancel, "
                    "back to review) and the dunning run.",
                    fields=", ".join(self._field_labels(engine_names)),
                )
            )
        if self.filtered(lambda r: r.state not in REVIEW_STATES):
            raise UserError(self.env._("Only reminders to review or failed ones can be edited."))

    def _field_labels(self, names):
        return sorted(
            self._fields[name]._description_string(self.env) if name in self._fields else name
            for name in names
        )

    # ------------------------------------------------------------------------------------------
    # Business methods: sending
    # ------------------------------------------------------------------------------------------
    def _lock_for_sending(self):
        """Lock the reminders still to send; skip those another worker holds.

        The state is read again after the lock: a worker that just committed a sending has
        released its lock with the reminder already ``sent``. The reminders locked are handed
        to the engine (``_as_engine``): only a worker holding a reminder records its sending.
        """
        locked = self._try_lock_quietly()
        locked.invalidate_recordset(["state"])
        return locked.filtered(lambda r: r.state in ("to_send", "failed"))._as_engine()

    def _try_lock_quietly(self):
        """``try_lock_for_update`` without the ERROR line in the log when PostgreSQL refuses
        the lock of a reminder another worker sent after this transaction began ("could not
        serialize access"): with two workers that is expected, not a fault; the error still
        goes up to the batch, which is rolled back and retried."""
        if not self:
            return self
        # Pending writes of the reminders go first: they belong to this transaction's lock.
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM receivable_reminder WHERE id IN %s ORDER BY id "
                "FOR UPDATE SKIP LOCKED",
                tuple(self.ids),
            ),
            log_exceptions=False,
        )
        locked_ids = {row[0] for row in self.env.cr.fetchall()}
        return self.filtered(lambda reminder: reminder.id in locked_ids)

    def _write_engine(self, vals):
        """The engine's own writes on reminders (state, sending figures): the one door the
        CRUD guards let through."""
        return self._as_engine().write(vals)

    def _send_reminders(self):
        """Send every reminder of ``self`` that is due and not locked; return those sent."""
        sent = self.browse()
        for reminder in self._lock_for_sending():
            if reminder._send_one_safely():
                sent |= reminder
        return sent

    def _send_one_safely(self):
        """Send one reminder; an error while preparing or sending it fails this reminder only.

        Its partial work (letter, lines, charges, mail) is rolled back to the savepoint, the
        reason recorded, and the run goes on. A concurrency error is not the reminder's fault:
        it goes up to the batch, which is rolled back and retried.
        """
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                return self._send_one()
        except CONCURRENCY_ERRORS:
            raise
        except Exception as error:  # one reminder must not stop the night
            _logger.warning(
                "Reminder %s could not be sent: %s",
                self.name,
                error,
                exc_info=not isinstance(error, UserError),
            )
            return self._mark_failed(self._get_failure_message(error))

    def _get_failure_message(self, error):
        if isinstance(error, UserError):
            return error.args[0]
        return self.env._(
            "Unexpected error while preparing or sending: %(error)s (%(type)s)",
            error=str(error) or repr(error),
            type=type(error).__name__,
        )

    def _send_one(self):
        """Send one reminder on its channels. Return True when it went out, raise when it
        cannot be sent (the caller fails it).

        Order matters for the guarantees: the letter is rendered first (the email attaches
        it), the email is handed to the outgoing queue next, and the reminder is marked sent
        in the same transaction; the queue delivers it after the commit.
        """
        self.ensure_one()
        engine = self._as_engine()
        if not engine._drop_settled_lines():
            return False
        if engine.channel_email and not engine.recipient_id.email:
            raise UserError(
                self.env._("%s has no email address.", engine.recipient_id.display_name)
            )
        if engine.channel_letter and not engine.letter_attachment_id:
            engine._render_letter()
        mail = engine._send_email() if engine.channel_email else self.env["mail.mail"]
        if engine.channel_call and not engine.activity_id:
            engine._schedule_call()
        engine._mark_sent(mail)
        return True

    def _drop_settled_lines(self):
        """Remove the invoices that may no longer be reminded since the evaluation (paid,
        disputed, promised, put in a payment plan, handed over… the evaluation's own rules).

        Amounts and credits are refreshed to what is due now, so the reminder says what is
        owed when it goes. Return False (and cancel the reminder) when nothing is left to
        claim: no invoice left, or credits covering them (credits first).
        """
        self.ensure_one()
        lines = self.line_ids
        lines.move_line_id.invalidate_recordset(["amount_residual", "reconciled"])
        remindable = self.env["receivable.dunning.engine"]._remindable_line_ids(
            self.company_id, self.date, lines.move_line_id.ids
        )
        settled = lines.filtered(lambda line: line.move_line_id.id not in remindable)
        if settled:
            settled.unlink()
        values = {line.id: line._get_current_amounts() for line in self.line_ids}
        # Nothing changed since the evaluation (the nightly run sends what it has just
        # prepared): its amounts and charges stand, no need to compute them again, unless
        # charges of its invoices were invoiced meanwhile (they would be claimed twice).
        if (
            settled
            or any(
                any(line[name] != value for name, value in values[line.id].items())
                for line in self.line_ids
            )
            or self._charges_invoiced_since_prepared()
        ):
            charges = self._get_legal_charges(values)
            for line in self.line_ids:
                line.write({**values[line.id], **charges.get(line.id, {})})
        if not self.line_ids:
            self._cancel(self.env._("Every invoice of the reminder was paid or excluded."))
            return False
        self._refresh_credits()
        if self.currency_id.compare_amounts(self._net_due(), 0) <= 0:
            self._cancel(self.env._("The customer's credits cover the overdue amount."))
            return False
        return True

    def _charges_invoiced_since_prepared(self):
        """Whether charges of the reminder's invoices were invoiced after it was prepared (the
        charges of an earlier formal notice, invoiced while this one waited for review): its
        figures would claim them a second time."""
        if not self.legal_profile_id:
            return False
        # sudo: the invoiced charges are the history the figures depend on, whoever sends
        return bool(
            self.env["receivable.legal.charge"]
            .sudo()
            .search_count(
                [
                    ("origin_move_id", "in", self.line_ids.move_id.ids),
                    ("reminder_id", "!=", self.id),
                    ("create_date", ">=", self.create_date),
                ],
                limit=1,
            )
        )

    def _refresh_credits(self):
        """The customer's open credits as they stand now: those allocated since the evaluation
        leave the reminder, those partly allocated shrink, new ones (a payment received since)
        come in (up to the day of sending: a reminder reviewed for a few days deducts the
        payments received meanwhile)."""
        self.ensure_one()
        engine = self.env["receivable.dunning.engine"]
        date = max(self.date, fields.Date.context_today(self))
        rows = engine._get_open_credits(self.company_id, date, self.partner_id.ids).get(
            self.partner_id.id, []
        )
        current = {row["line_id"]: row for row in rows}
        gone = self.credit_ids.filtered(lambda credit: credit.move_line_id.id not in current)
        if gone:
            gone.unlink()
        for credit in self.credit_ids:
            row = current.pop(credit.move_line_id.id)
            if (
                credit.amount_residual != row["amount_residual"]
                or credit.amount_residual_currency != row["amount_residual_currency"]
            ):
                credit.write(
                    {
                        "amount_residual": row["amount_residual"],
                        "amount_residual_currency": row["amount_residual_currency"],
                    }
                )
        if current:
            self.credit_ids.create(
                [
                    {
                        "reminder_id": self.id,
                        **engine._prepare_reminder_credit(self.company_id, row),
                    }
                    for row in current.values()
                ]
            )

    def _get_legal_charges(self, values):
        """{line id: interest, fee and rate values} at the reminder's date, for the amounts due
        in ``values`` ({line id: line values}); notes the missing reference rates."""
        self.ensure_one()
        if not self.legal_profile_id or not self.line_ids:
            return {}
        missing = set()
        # What this reminder claims stays claimed by it, even when its own charges were
        # invoiced at its first sending (a failed email sent again).
        charges = self._compute_legal_charges(
            {line_id: line_values["amount_residual"] for line_id, line_values in values.items()},
            missing,
            keep_own=True,
        )
        rates = self.env["receivable.reference.rate"]
        self.legal_warning = rates._missing_rates_warning(missing)
        self.interest_missing_from = rates._missing_rates_from(missing)
        return charges

    def _compute_legal_charges(self, amounts, missing=None, keep_own=False):
        """{line id: charge values} of the reminder's lines at its date, for the amounts due
        ``amounts`` ({line id: amount}): with the parts paid late, the invoices' history and
        the charges invoiced by now (never claimed twice; with ``keep_own``, but those
        invoiced from this reminder), at the reminder's level."""
        self.ensure_one()
        if not self.legal_profile_id:
            return {}
        lines = self.line_ids
        # A part paid after the reminder's date was still due on it: every payment counts.
        payments = self.env["receivable.facts"]._get_late_payments(
            lines.move_line_id.ids, max(self.date, fields.Date.context_today(self))
        )
        history = self.env["receivable.legal.profile"]._get_invoice_history(
            set(lines.move_id.ids), except_reminder=self if keep_own else None
        )
        return self.env["receivable.dunning.engine"]._compute_line_charges(
            self.legal_profile_id,
            self.policy_id,
            self.date,
            [
                {
                    "key": line.id,
                    "move_id": line.move_id.id,
                    "amount": amounts[line.id],
                    "due_date": line.date_due,
                    "payments": payments.get(line.move_line_id.id, []),
                }
                for line in lines
            ],
            history,
            missing,
            level=self.level_id,
        )

    def _cancel(self, reason):
        self.write({"state": "cancelled", "cancel_reason": reason})
        for reminder in self:
            reminder.message_post(
                body=self.env._("Cancelled: %s", reason), subtype_xmlid="mail.mt_note"
            )

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_send(self):
        """Send the selected reminders now (one or in bulk from the review list).

        A batch sends what it can: the reminders already sent or cancelled are skipped (a
        reminder is never sent twice), those another worker is sending are left to it, and
        a reminder that fails is marked so; a notification tells what was sent, skipped and
        failed, and why. Refused only when none of the selection can be sent."""
        self.check_access("write")
        closed = self.filtered(lambda r: r.state in ("sent", "cancelled"))
        if closed == self:
            raise UserError(
                self.env._(
                    "These reminders were already sent or cancelled and cannot be sent: %s",
                    ", ".join(closed.mapped("name")),
                )
            )
        sendable = self - closed
        sendable.filtered(lambda r: r.state == "draft")._as_engine().write({"state": "to_send"})
        sent = sendable._send_reminders()
        rest = sendable - sent
        # Another worker may have changed them meanwhile (a reminder it was sending).
        rest.invalidate_recordset(["state"])
        emptied = rest.filtered(lambda r: r.state == "cancelled")
        # A failed reminder is retried, or back to review after too many failures in a row.
        failed = rest.filtered(lambda r: r.state in ("failed", "draft"))
        busy = rest - emptied - failed
        message = self._batch_send_summary(sent, closed, emptied, busy, failed)
        return self._notify(message, "warning" if rest | closed else "success")

    def _batch_send_summary(self, sent, closed, emptied, busy, failed):
        """ "12 sent, 2 skipped: already sent (REM/1, REM/2), 1 failed: REM/3 (no email)."."""
        names = ", ".join
        skipped = []
        already_sent = closed.filtered(lambda r: r.state == "sent")
        if already_sent:
            skipped.append(self.env._("already sent (%s)", names(already_sent.mapped("name"))))
        if closed - already_sent:
            skipped.append(
                self.env._("cancelled (%s)", names((closed - already_sent).mapped("name")))
            )
        if emptied:
            skipped.append(
                self.env._(
                    "nothing left to claim (%s)",
                    names(f"{r.name}: {r.cancel_reason}" for r in emptied),
                )
            )
        if busy:
            skipped.append(
                self.env._("being sent by another user (%s)", names(busy.mapped("name")))
            )
        parts = [self.env._("%s sent", len(sent))]
        if skipped:
            parts.append(
                self.env._(
                    "%(count)s skipped: %(reasons)s",
                    count=len(closed | emptied | busy),
                    reasons="; ".join(skipped),
                )
            )
        if failed:
            parts.append(
                self.env._(
                    "%(count)s failed: %(reasons)s",
                    count=len(failed),
                    reasons="; ".join(f"{r.name} ({r.failure_reason})" for r in failed),
                )
            )
        return ", ".join(parts) + "."

    def action_cancel(self):
        if self.filtered(lambda r: r.state == "sent"):
            raise UserError(self.env._("A sent reminder cannot be cancelled."))
        self.filtered(lambda r: r.state != "cancelled")._as_engine()._cancel(
            self.env._("Cancelled by %s.", self.env.user.name)
        )
        return True

    def action_reset_to_review(self):
        if self.filtered(lambda r: r.state not in ("to_send", "failed")):
            raise UserError(self.env._("Only reminders to send or failed can go back to review."))
        self._as_engine().write({"state": "draft"})
        return True

    def action_invoice_charges(self):
        """Invoice the interest and fees this reminder claims (once per invoice and period)."""
        self.ensure_one()
        if self.state != "sent":
            raise UserError(self.env._("Only the charges of a sent reminder can be invoiced."))
        self.check_access("write")
        # The charges invoice is marked as such on the invoice: an engine field.
        engine = self._as_engine()
        move = engine.env["receivable.legal.charge"]._invoice_reminder_charges(engine)
        return move._get_records_action()

    def action_download_claim_file(self):
        self.ensure_one()
        if not self.claim_attachment_id:
            # The claim file is kept with the sent reminder: a sending record, the engine's.
            self._as_engine().claim_attachment_id = self.env[
                "receivable.claim.file"
            ]._attach_claim_file(self)
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.claim_attachment_id.id}?download=true",
            "target": "self",
        }

    def action_preview_letter(self):
        self.check_access("read")
        return self.env.ref(LETTER_REPORT).report_action(self)

    def _notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": kind,
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
