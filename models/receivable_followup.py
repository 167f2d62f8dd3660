"""The follow-up cockpit: one screen to work one customer (Odoo Enterprise's follow-up report).

A ``receivable.followup`` is a transient record created each time a credit controller opens a
customer's follow-up (``res.partner.action_open_receivable_followup``). It holds what the
controller edits before acting: the open items with their notes, dispute and promise
toggles, and the next reminder with its email preview. The position and the history are
computed at every read, so they are always current.

Nothing of the customer's dunning is created by opening it: the next reminder is the engine's
evaluation for this one customer (the *Send Reminder Now* path), and its email is rendered
from a reminder created in a savepoint that is rolled back (drawing no reference). *Send &
Print* then goes through the engine's *Send Reminder Now* with the edited email.
"""

from datetime import timedelta

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import format_date
from odoo.tools import html2plaintext
from odoo.tools import is_html_empty

from .receivable_reminder import LETTER_REPORT
from .receivable_reminder import OPEN_STATES
from .receivable_risk_snapshot import RISK_CLASSES
from .receivable_security import check_receivable_company
from .receivable_security import check_receivable_group

# How many reminders, promises and notes the history shows.
HISTORY_LIMIT = 20


class _PreviewDone(Exception):
    """Raised to roll back the savepoint of a preview, carrying what was rendered."""

    def __init__(self, values):
        super().__init__()
        self.values = values


class ReceivableFollowup(models.TransientModel):
    _name = "receivable.followup"
    _description = "Customer Follow-up"
    # The breadcrumb of the cockpit: the customer's name.
    _rec_name = "partner_id"
    _check_company_auto = True

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, check_company=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many("receivable.followup.line", "followup_id", string="Open Items")
    # Position (computed at every read)
    balance = fields.Monetary(string="Balance", compute="_compute_position")
    overdue_amount = fields.Monetary(string="Overdue", compute="_compute_position")
    credit_limit = fields.Monetary(string="Credit Limit", compute="_compute_position")
    on_hold = fields.Boolean(string="On Credit Hold", compute="_compute_position")
    risk_class = fields.Selection(RISK_CLASSES, string="Risk Class", compute="_compute_position")
    last_action = fields.Char(string="Last Action", compute="_compute_position")
    next_action = fields.Char(string="Next Action", compute="_compute_position")
    collector_id = fields.Many2one(
        related="partner_id.receivable_collector_id", readonly=False, string="Collector"
    )
    paused_until = fields.Date(related="partner_id.dunning_paused_until", string="Paused Until")
    # Next reminder (prepared when opened, refreshed by the actions)
    reminder_id = fields.Many2one(
        "receivable.reminder",
        string="Reminder Waiting",
        readonly=True,
        help="The customer's reminder already prepared and not sent yet: Send & Print sends it.",
    )
    level_id = fields.Many2one("receivable.dunning.level", string="Next Level", readonly=True)
    reminder_date = fields.Date(string="Reminder Date", readonly=True)
    channels = fields.Char(readonly=True)
    reminder_amount = fields.Monetary(string="Amount Claimed", readonly=True)
    has_letter = fields.Boolean(readonly=True)
    blocker = fields.Text(string="No Reminder", readonly=True)
    mail_subject = fields.Char(string="Subject", readonly=True)
    body_html = fields.Html(string="Email", sanitize="email_outgoing")
    body_rendered = fields.Html(sanitize="email_outgoing", readonly=True)
    sent_reminder_id = fields.Many2one("receivable.reminder", string="Sent", readonly=True)
    # Pause / remind again
    remind_date = fields.Date(string="Date")
    pause_reason = fields.Char(string="Reason")
    # History (computed at every read)
    reminder_history_ids = fields.Many2many(
        "receivable.reminder", string="Reminders", compute="_compute_history"
    )
    promise_ids = fields.Many2many(
        "receivable.promise", string="Promises", compute="_compute_history"
    )
    note_ids = fields.Many2many(
        "mail.message", string="Calls and Notes", compute="_compute_history"
    )

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends("partner_id", "company_id")
    def _compute_position(self):
        facts = self.env["receivable.facts"]
        for cockpit in self:
            partner = cockpit.partner_id.with_company(cockpit.company_id)
            position = facts._positions(cockpit.company_id, partner.ids)[partner.id]
            cockpit.balance = position["open_amount"]
            cockpit.overdue_amount = position["overdue_amount"]
            cockpit.credit_limit = position["credit_limit"]
            cockpit.on_hold = bool(position["on_hold"])
            cockpit.risk_class = partner.receivable_risk_class
            cockpit.last_action = cockpit._get_last_action()
            cockpit.next_action = cockpit._get_next_action()

    @api.depends("partner_id", "company_id")
    def _compute_history(self):
        note = self.env.ref("mail.mt_note")
        for cockpit in self:
            domain = [
                ("partner_id", "=", cockpit.partner_id.id),
                ("company_id", "=", cockpit.company_id.id),
            ]
            cockpit.reminder_history_ids = self.env["receivable.reminder"].search(
                domain, limit=HISTORY_LIMIT
            )
            cockpit.promise_ids = self.env["receivable.promise"].search(domain, limit=HISTORY_LIMIT)
            # The dunning trace of the customer's chatter: calls, promises, disputes, pauses.
            cockpit.note_ids = self.env["mail.message"].search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", cockpit.partner_id.id),
                    ("subtype_id", "=", note.id),
                ],
                limit=HISTORY_LIMIT,
            )

    def _get_last_action(self):
        """The latest of the last reminder sent and the last note of the customer's chatter."""
        reminder = self.env["receivable.reminder"].search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "sent"),
            ],
            limit=1,
        )
        message = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", self.partner_id.id),
                ("subtype_id", "=", self.env.ref("mail.mt_note").id),
            ],
            limit=1,
        )
        if message and (not reminder or message.date.date() > reminder.date):
            # Without the links' footnotes ("[1] #"): the note is read as one line here.
            text = html2plaintext(message.body or "", include_references=False).strip()
            return f"{format_date(self.env, message.date)}: {text[:120]}"
        if reminder:
            return self.env._(
                "%(date)s: %(level)s (%(name)s)",
                date=format_date(self.env, reminder.date),
                level=reminder.level_id.name,
                name=reminder.name,
            )
        return False

    def _get_next_action(self):
        partner = self.partner_id.with_company(self.company_id)
        today = fields.Date.context_today(self)
        if partner.dunning_paused_until and partner.dunning_paused_until >= today:
            return self.env._(
                "Reminders resume on %s.",
                format_date(self.env, partner.dunning_paused_until + timedelta(days=1)),
            )
        if self.level_id and not self.sent_reminder_id:
            return self.env._(
                "%(level)s on %(date)s.",
                level=self.level_id.name,
                date=format_date(self.env, self.reminder_date),
            )
        return self.blocker or False

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_receivable_group(self.env)
        cockpits = super().create(vals_list)
        for cockpit in cockpits:
            check_receivable_company(self.env, cockpit.company_id)
            cockpit._refresh()
        return cockpits

    def write(self, vals):
        check_receivable_group(self.env)
        return super().write(vals)

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _refresh(self):
        """Read the customer's open items and its next reminder again (keeping an edited
        email when the reminder to send is still the same)."""
        self.ensure_one()
        self.line_ids.unlink()
        self.line_ids = [Command.create(values) for values in self._prepare_lines()]
        values = self._prepare_next_reminder()
        if (
            self.body_html
            and self.body_html != self.body_rendered
            and self.level_id.id == values.get("level_id")
        ):
            # The controller's edit stands while the level is the same.
            values.pop("body_html", None)
        self.write(values)

    def _prepare_lines(self):
        """The customer's open items in the company and its branches (the facts' rule)."""
        facts = self.env["receivable.facts"]
        rows = self.env.execute_query_dict(
            SQL(
                "SELECT * FROM (%s) item ORDER BY item.date_maturity, item.id",
                facts._open_items_query(None, self.company_id, self.partner_id.ids, as_of=False),
            )
        )
        # The disputed invoices' reasons, shown on their lines (one read for all).
        moves = self.env["account.move"].browse({row["move_id"] for row in rows if row["dispute"]})
        reasons = {move.id: move.receivable_dispute_reason for move in moves}
        return [
            {
                "move_line_id": row["id"],
                "move_id": row["move_id"],
                "date": row["date"],
                "date_maturity": row["date_maturity"],
                "days_late": row["days_late"],
                "amount_residual": row["amount_residual"],
                "status": "credit"
                if row["amount_residual"] < 0
                else ("overdue" if row["days_late"] > 0 else "not_due"),
                "dispute": bool(row["dispute"]),
                "dispute_reason": reasons.get(row["move_id"]) or False,
                "promised": bool(row["promised"]),
                "in_plan": bool(row["in_plan"]),
                "expected_date": row["expected_date"],
            }
            for row in rows
        ]

    def _prepare_next_reminder(self):
        """The reminder the customer gets if sent now: the one waiting, else the engine's
        evaluation for this customer (as *Send Reminder Now*), with its email rendered.
        Once this cockpit sent one, the reminder sent, as it went (its reference in the
        subject), not the same level proposed again."""
        empty = {
            "reminder_id": False,
            "level_id": False,
            "reminder_date": False,
            "channels": False,
            "reminder_amount": 0.0,
            "has_letter": False,
            "blocker": False,
            "mail_subject": False,
            "body_html": False,
            "body_rendered": False,
        }
        if self.sent_reminder_id:
            sent = self.sent_reminder_id
            return {**empty, **self._reminder_values(sent), **self._render_mail(sent)}
        company = self.company_id
        partner = self.partner_id.with_company(company)
        today = fields.Date.context_today(self)
        waiting = self.env["receivable.reminder"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "in", OPEN_STATES),
            ],
            limit=1,
        )
        if waiting:
            return {
                **empty,
                **self._reminder_values(waiting),
                **self._render_mail(waiting),
                "reminder_id": waiting.id,
            }
        blocker = partner._get_dunning_blocker(today)
        if blocker:
            return {**empty, "blocker": blocker}
        engine = self.env["receivable.dunning.engine"]._in_company_scope(company)
        proposals = engine._evaluate(company, today, partner.ids, force=True)
        if not proposals:
            return {
                **empty,
                "blocker": self.env._(
                    "No invoice overdue or about to fall due that a level of its dunning "
                    "ladder covers."
                ),
            }
        return {**empty, **self._preview(engine, proposals, self._render_preview)}

    def _preview(self, engine, proposals, render):
        """``render(reminder)`` of the reminder ``proposals`` would create, in a savepoint
        rolled back: nothing stays, no reference is drawn."""
        # The portal links the email prints carry the invoices' access tokens: given for good
        # before the savepoint, so the links of an edited email sent later still open.
        moves = self.env["account.move"].browse({row["move_id"] for row in proposals[0]["rows"]})
        for move in moves.filtered(lambda move: not move.access_token):
            move._portal_ensure_token()
        try:
            with self.env.cr.savepoint():
                reminder = engine.with_context(receivable_reminder_preview=True)._create_reminders(
                    self.company_id, fields.Date.context_today(self), proposals
                )
                raise _PreviewDone(render(reminder))
        except _PreviewDone as done:
            return done.values

    def _render_preview(self, reminder):
        return {**self._reminder_values(reminder), **self._render_mail(reminder)}

    def _reminder_values(self, reminder):
        channels = [
            label
            for flag, label in (
                (reminder.channel_email, self.env._("Email")),
                (reminder.channel_letter, self.env._("Letter")),
                (reminder.channel_call, self.env._("Phone Call")),
            )
            if flag
        ]
        return {
            "level_id": reminder.level_id.id,
            "reminder_date": reminder.date,
            "channels": ", ".join(channels),
            "reminder_amount": reminder.amount_net,
            "has_letter": reminder.channel_letter,
        }

    def _render_mail(self, reminder):
        """The reminder's email as it would go: its edited body, else the level's template
        rendered in the recipient's language."""
        template = reminder.level_id.mail_template_id
        if not (reminder.channel_email and template):
            return {}
        subject = template._render_field("subject", reminder.ids, compute_lang=True)[reminder.id]
        body = (
            reminder.body_override
            or template._render_field("body_html", reminder.ids, compute_lang=True)[reminder.id]
        )
        return {"mail_subject": subject, "body_html": body, "body_rendered": body}

    def _render_letter(self, reminder):
        content, _format = self.env["ir.actions.report"]._render_qweb_pdf(
            LETTER_REPORT, res_ids=reminder.ids
        )
        return {"content": content, "format": _format}

    def _check_followup_access(self):
        """The cockpit's actions: a Credit Controller working in the cockpit's company, on a
        cockpit they opened (the record rules)."""
        check_receivable_group(self.env)
        self.ensure_one()
        check_receivable_company(self.env, self.company_id)
        self.check_access("write")

    def _lock(self):
        """Serialize two clicks on the same cockpit (the second waits, then sees the first)."""
        self.flush_recordset()
        self.env.cr.execute(
            SQL("SELECT id FROM receivable_followup WHERE id = %s FOR UPDATE", self.id)
        )
        self.invalidate_recordset(["sent_reminder_id"])

    def _get_form_action(self):
        """The action opening the cockpit. Its own actions return True instead: the form then
        reloads the record in place (another action would stack a breadcrumb and go back to
        the first tab)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-up: %s", self.partner_id.display_name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def _edited_body(self):
        if is_html_empty(self.body_html) or self.body_html == self.body_rendered:
            return None
        return self.body_html

    def _check_remind_date(self, minimum, label):
        if not self.remind_date or self.remind_date < minimum:
            raise ValidationError(
                self.env._(
                    "%(field)s: give a date on or after %(date)s.",
                    field=label,
                    date=format_date(self.env, minimum),
                )
            )

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_refresh(self):
        self._check_followup_access()
        self._refresh()
        return True

    def action_send_and_print(self):
        """Send the next reminder now on its channels with the edited email (the engine's
        *Send Reminder Now*); download its letter when it has one."""
        self._check_followup_access()
        self._lock()
        if self.sent_reminder_id:
            raise UserError(
                self.env._(
                    "This follow-up already sent %s. Open the customer's follow-up again to "
                    "send another reminder.",
                    self.sent_reminder_id.name,
                )
            )
        body = self._edited_body()
        reminder = self.env["receivable.dunning.engine"]._remind_partner_now(
            self.partner_id,
            fields.Date.context_today(self),
            values={"body_override": body} if body else None,
        )
        self.sent_reminder_id = reminder
        self._refresh()
        if reminder.state == "sent" and reminder.letter_attachment_id:
            return {
                "type": "ir.actions.act_url",
                "url": f"/web/content/{reminder.letter_attachment_id.id}?download=true",
                "target": "download",
            }
        return True

    def action_preview_letter(self):
        """The letter of the next reminder, as a PDF (nothing of the reminder is kept)."""
        self._check_followup_access()
        if self.reminder_id:
            return self.reminder_id.action_preview_letter()
        today = fields.Date.context_today(self)
        engine = self.env["receivable.dunning.engine"]._in_company_scope(self.company_id)
        proposals = engine._evaluate(self.company_id, today, self.partner_id.ids, force=True)
        if self.partner_id.with_company(self.company_id)._get_dunning_blocker(today) or not (
            proposals
        ):
            raise UserError(self.blocker or self.env._("This customer gets no reminder now."))
        letter = self._preview(engine, proposals, self._render_letter)
        extension = "pdf" if letter["format"] == "pdf" else letter["format"]
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Letter preview - %s", self.partner_id.name) + f".{extension}",
                "raw": letter["content"],
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/pdf" if extension == "pdf" else "text/html",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}",
            "target": "new",
        }

    def action_log_call(self):
        self._check_followup_access()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call"),
            "res_model": "receivable.call.result",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_promise_amount": max(self.overdue_amount, 0.0),
            },
        }

    def action_promise(self):
        self._check_followup_access()
        return self.partner_id.with_company(self.company_id).action_promise_to_pay()

    def action_dispute(self):
        """Open a dispute on the customer's overdue invoices not yet in dispute."""
        self._check_followup_access()
        moves = self.line_ids.filtered(
            lambda line: line.status == "overdue" and not line.dispute
        ).move_id
        return moves.action_open_dispute_wizard()

    def action_payment_plan(self):
        self._check_followup_access()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_control.action_receivable_payment_plan_new"
        )
        action["context"] = {"default_partner_id": self.partner_id.id}
        return action

    def action_pause(self):
        """Pause the customer's reminders up to the date given, included."""
        self._check_followup_access()
        self._check_remind_date(fields.Date.context_today(self), self.env._("Pause until"))
        self._set_pause(self.remind_date, self.pause_reason)
        return True

    def action_remind_again_on(self):
        """The collector's own follow-up date: no reminder and no action needed before it (the
        customer's Remind Again On, a named dunning exclusion; a pause is a decision about the
        customer, with a reason)."""
        self._check_followup_access()
        today = fields.Date.context_today(self)
        self._check_remind_date(today + timedelta(days=1), self.env._("Remind Again On"))
        partner = self.partner_id.with_company(self.company_id)
        partner.receivable_remind_again_on = self.remind_date
        partner._post_dunning_note(
            self.env._(
                "Remind again on %(date)s%(reason)s.",
                date=format_date(self.env, self.remind_date),
                reason=f": {self.pause_reason}" if self.pause_reason else "",
            )
        )
        self._refresh()
        return True

    def _set_pause(self, until, reason):
        partner = self.partner_id.with_company(self.company_id)
        partner.write({"dunning_paused_until": until, "dunning_pause_reason": reason or False})
        partner._post_dunning_note(
            self.env._(
                "Reminders paused until %(date)s%(reason)s.",
                date=format_date(self.env, until),
                reason=f": {reason}" if reason else "",
            )
        )
        self._refresh()
