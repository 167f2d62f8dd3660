import logging
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .night_runs import commit_run_progress
from .night_runs import retry_on_conflict
from .night_runs import run_per_company
from .night_runs import schedule_crons_at_night
from .receivable_reminder import OPEN_STATES

_logger = logging.getLogger(__name__)

# Partners evaluated and their reminders created per committed batch.
PARTNER_BATCH = 1000
# First key of the transaction-level advisory locks a worker takes on the customers it is
# preparing reminders for (the second is the partner id): another worker skips them.
DUNNING_LOCK_SPACE = 0x4152_4344  # "ARCD"


class ReceivableDunningEngine(models.AbstractModel):
    """The dunning engine: which partners get which reminder today, then sending.

    Evaluation is set-based: one SQL query per batch of partners reads the open receivable
    lines with every exclusion applied and the level each line reaches. A line reaches the
    next level of its partner's ladder after the highest one it has had, once that level's
    offset is passed, or directly a level that may be the first contact (the levels before
    the due date and the first one after it, by default): one level per run, by default
    never the formal notice as a first contact (``_next_level_sql``). A partner with at
    least one line reaching a level gets ONE reminder at its highest reached level, listing
    all its overdue lines, the lines reaching a level (a friendly one before the due date)
    and, for a level before the due date, the lines due within that level's window.
    """

    _name = "receivable.dunning.engine"
    _description = "Dunning Engine"

    # ------------------------------------------------------------------------------------------
    # Evaluation
    # ------------------------------------------------------------------------------------------
    @api.model
    def _open_lines_query(self, company, date, policies=None, partner_ids=None, force=False):
        """SQL of the open receivable items that may be reminded, with their reached level.

        The items are the facts' open items of ``company``'s scope (the company and its
        branches) on ``date`` (live residual; entries dated later are not owed yet), filtered
        by ``_remindable_line_conditions``. Each item reaches its ladder's next level
        (``_next_level_sql``). ``force`` (a reminder sent by hand): an item reaching no new
        level reaches again the highest level it has had (or its offset allows, if lower).
        """
        facts = self.env["receivable.facts"]
        # Hand-written joins below: the policy, the ladder and the open reminders.
        self.env["receivable.policy"].flush_model(["active", "dunning_active"])
        self.env["receivable.dunning.level"].flush_model(
            ["policy_id", "active", "offset_days", "may_be_first_contact"]
        )
        self.env["receivable.reminder"].flush_model(["partner_id", "company_id", "state"])
        # The items of the company's scope this run may remind (the branches it may access).
        filters = [SQL("item.company_id IN %s", tuple(self.env.companies.ids))]
        if policies:
            filters.append(SQL("pol.id IN %s", tuple(policies.ids)))
        reached_id, reached_offset, again = SQL("reached.id"), SQL("reached.offset_days"), SQL()
        if force:
            reached_id = SQL("COALESCE(reached.id, had.id)")
            reached_offset = SQL("COALESCE(reached.offset_days, had.offset_days)")
            # Sent by hand, an item reaching no new level is reminded again at the level it
            # has had (or the highest its offset allows, if its due date moved later).
            again = SQL(
                """
                LEFT JOIN LATERAL (
                    SELECT level.id, level.offset_days
                      FROM receivable_dunning_level level
                     WHERE level.policy_id = pol.id
                       AND level.active
                       AND cur.id IS NOT NULL
                       AND level.offset_days <= LEAST(item.days_late, cur.offset_days)
                  ORDER BY level.offset_days DESC
                     LIMIT 1
                ) had ON TRUE
                """
            )
        return SQL(
            """
            SELECT item.partner_id,
                   item.id AS line_id,
                   item.move_id,
                   item.company_id,
                   item.date_maturity,
                   item.days_late,
                   item.amount_residual,
                   item.amount_residual_currency,
                   item.currency_id,
                   item.amount_total_signed,
                   pol.id AS policy_id,
                   %(reached_id)s AS reached_level_id,
                   %(reached_offset)s AS reached_offset
              FROM (%(items)s) item
              JOIN res_partner cp ON cp.id = item.partner_id
              JOIN receivable_policy pol
                ON pol.id = %(policy)s
               AND pol.active AND pol.dunning_active
         LEFT JOIN receivable_dunning_level cur ON cur.id = item.dunning_level_id
         LEFT JOIN LATERAL (%(next_level)s) reached ON TRUE
         %(again)s
             WHERE %(remindable)s
               AND NOT EXISTS (
                   SELECT 1
                     FROM receivable_reminder reminder
                    WHERE reminder.partner_id = cp.id
                      AND reminder.company_id = %(company_id)s
                      AND reminder.state IN %(open_states)s
               )
               AND %(filters)s
            """,
            items=facts._open_items_query(date, company, partner_ids, as_of=False),
            policy=facts._effective_policy_sql(company),
            next_level=self._next_level_sql(),
            again=again,
            reached_id=reached_id,
            reached_offset=reached_offset,
            company_id=company.id,
            open_states=OPEN_STATES,
            filters=SQL(" AND ").join(filters),
            remindable=self._remindable_line_conditions(company, date, partner_ids),
        )

    @api.model
    def _next_level_sql(self):
        """SQL of the level (id, offset_days) an open ``item`` reaches on its policy ``pol``'s
        ladder, having had the level ``cur`` (NULL: none yet): the highest level whose offset
        is reached, above ``cur``, that is either the next active level after ``cur`` (the
        ladder's lowest active level when none yet) or marked *May Be the First Contact*.

        One level per run: an invoice never gets a level before the levels under it, unless
        that level may be a first contact (a customer 60 days late on a new ladder gets the
        first reminder, not the formal notice); an inactive level is skipped. Levels compare
        by offset, so a change of policy never sends a level twice.
        """
        return SQL(
            """
            SELECT level.id, level.offset_days
              FROM receivable_dunning_level level
             WHERE level.policy_id = pol.id
               AND level.active
               AND level.offset_days <= item.days_late
               AND level.offset_days > COALESCE(cur.offset_days, -1000000)
               AND (level.may_be_first_contact
                    OR NOT EXISTS (
                        SELECT 1
                          FROM receivable_dunning_level under
                         WHERE under.policy_id = pol.id
                           AND under.active
                           AND under.offset_days > COALESCE(cur.offset_days, -1000000)
                           AND under.offset_days < level.offset_days
                    ))
          ORDER BY level.offset_days DESC
             LIMIT 1
            """
        )

    @api.model
    def _in_company_scope(self, company):
        """This engine working for ``company`` with the branches of its scope it may access
        allowed too: a company's reminders list its branches' invoices."""
        scope = self.env["receivable.facts"]._scope_company_ids(company)
        user_companies = self.env.user._get_company_ids()
        branches = [
            cid for cid in scope if cid != company.id and (self.env.su or cid in user_companies)
        ]
        return self.with_context(allowed_company_ids=[company.id, *branches])

    @api.model
    def _select_partners_to_remind(self, company, date, policies=None, partner_ids=None):
        """Ids of the commercial partners having at least one line that reaches a new level."""
        lines = self._open_lines_query(company, date, policies, partner_ids)
        rows = self.env.execute_query(
            SQL(
                "SELECT DISTINCT partner_id FROM (%s) lines "
                "WHERE reached_level_id IS NOT NULL ORDER BY partner_id",
                lines,
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _evaluate(self, company, date, partner_ids, policies=None, force=False):
        """Return the reminder proposals of ``partner_ids``: one dict per partner.

        Each proposal holds the partner, its level, the lines to list and their total; the
        partners under the level's minimum amount or reminded too recently are left out
        (unless ``force``).
        """
        lines = self._open_lines_query(company, date, policies, partner_ids, force=force)
        rows = self.env.execute_query_dict(
            SQL(
                """
                SELECT lines.*, credits.credits
                  FROM (
                      SELECT lines.*,
                             FIRST_VALUE(reached_level_id) OVER (
                                 PARTITION BY partner_id ORDER BY reached_offset DESC NULLS LAST
                             ) AS partner_level_id,
                             MAX(reached_offset) OVER (PARTITION BY partner_id) AS level_offset
                        FROM (%(lines)s) lines
                       ) lines
             LEFT JOIN (
                       SELECT credit.partner_id,
                              JSON_AGG(TO_JSON(credit) ORDER BY credit.date, credit.line_id)
                                  AS credits
                         FROM (%(credits)s) credit
                     GROUP BY credit.partner_id
                       ) credits ON credits.partner_id = lines.partner_id
                 WHERE lines.partner_level_id IS NOT NULL
                   AND (lines.days_late > 0
                        OR lines.days_late >= lines.level_offset
                        OR lines.reached_level_id IS NOT NULL)
              ORDER BY lines.partner_id, lines.date_maturity, lines.line_id
                """,
                lines=lines,
                # The customers' credits in the same query (set-based: one query a batch).
                credits=self._open_credits_query(company, date, partner_ids),
            )
        )
        by_partner = defaultdict(list)
        for row in rows:
            by_partner[row["partner_id"]].append(row)
        credits = {
            partner_id: [self._credit_row(credit) for credit in partner_rows[0]["credits"] or []]
            for partner_id, partner_rows in by_partner.items()
        }
        last_sent = self._get_last_sent_dates(company, list(by_partner))
        levels = self.env["receivable.dunning.level"].browse(
            {row["partner_level_id"] for row in rows}
        )
        levels.fetch(["min_amount", "min_days_since_previous", "offset_days"])
        proposals = []
        currency = company.currency_id
        # Read once per level, not once per customer.
        thresholds = {
            level.id: (level.min_amount, level.min_days_since_previous) for level in levels
        }
        for partner_id, partner_rows in by_partner.items():
            level = levels.browse(partner_rows[0]["partner_level_id"])
            min_amount, min_days = thresholds[level.id]
            credit_rows = credits.get(partner_id, [])
            # Credits first: what the reminder claims is net of the customer's credits; a
            # customer they cover is not reminded (see ``_credits_cover_query``; here also
            # before the due date, with the invoices a friendly reminder would list).
            total = sum(row["amount_residual"] for row in partner_rows) + sum(
                row["amount_residual"] for row in credit_rows
            )
            if currency.compare_amounts(total, 0) <= 0:
                continue
            if not force:
                if currency.compare_amounts(total, min_amount) < 0:
                    continue
                previous = last_sent.get(partner_id)
                if previous and (date - previous).days < min_days:
                    continue
            proposals.append(
                {
                    "partner_id": partner_id,
                    "policy_id": partner_rows[0]["policy_id"],
                    "level": level,
                    "amount": total,
                    "rows": partner_rows,
                    "credits": credit_rows,
                }
            )
        return proposals

    @api.model
    def _open_credits_query(self, company, date, partner_ids):
        """SQL of the open credits of ``partner_ids`` in ``company``'s scope on ``date``: their
        unapplied payments and open credit notes (the facts' open items of negative residual).
        """
        return SQL(
            """
            SELECT item.partner_id, item.id AS line_id, item.move_id, item.move_type,
                   item.company_id, item.date, item.currency_id, item.amount_residual,
                   item.amount_residual_currency
              FROM (%s) item
             WHERE item.amount_residual < 0
            """,
            self.env["receivable.facts"]._open_items_query(date, company, partner_ids, as_of=False),
        )

    @api.model
    def _get_open_credits(self, company, date, partner_ids):
        """``{commercial partner id: [credit row]}`` (see ``_open_credits_query``), one query
        for the whole batch."""
        if not partner_ids:
            return {}
        credits = defaultdict(list)
        for row in self.env.execute_query_dict(
            SQL(
                "SELECT * FROM (%s) credit ORDER BY credit.date, credit.line_id",
                self._open_credits_query(company, date, partner_ids),
            )
        ):
            credits[row["partner_id"]].append(row)
        return credits

    @api.model
    def _credit_row(self, values):
        """A credit row read as JSON (``_evaluate``) with the types of a query row."""
        return {**values, "date": fields.Date.to_date(values["date"])}

    @api.model
    def _prepare_reminder_credit(self, company, row):
        """Values of a ``receivable.reminder.credit`` from a credit row."""
        return {
            "company_id": row["company_id"],
            "currency_id": company.currency_id.id,
            "move_line_id": row["line_id"],
            "move_id": row["move_id"],
            "credit_type": "refund" if row["move_type"] == "out_refund" else "payment",
            "date": row["date"],
            "amount_residual": row["amount_residual"],
            "amount_residual_currency": row["amount_residual_currency"],
            "document_currency_id": row["currency_id"],
        }

    @api.model
    def _get_last_sent_dates(self, company, partner_ids):
        if not partner_ids:
            return {}
        self.env["receivable.reminder"].flush_model(["company_id", "state", "partner_id", "date"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT partner_id, MAX(date)
                  FROM receivable_reminder
                 WHERE company_id = %s AND state = 'sent' AND partner_id = ANY(%s)
              GROUP BY partner_id
                """,
                company.id,
                partner_ids,
            )
        )
        return dict(rows)

    @api.model
    def _get_recipients(self, partner_ids):
        """{commercial partner id: recipient id}: the invoicing contact with an email, if any."""
        self.env["res.partner"].flush_model(["commercial_partner_id", "type", "active", "email"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT ON (commercial_partner_id) commercial_partner_id, id
                  FROM res_partner
                 WHERE commercial_partner_id = ANY(%s)
                   AND type = 'invoice' AND active AND email IS NOT NULL AND email != ''
                   AND id != commercial_partner_id
              ORDER BY commercial_partner_id, id
                """,
                list(partner_ids),
            )
        )
        recipients = dict(rows)
        return {pid: recipients.get(pid, pid) for pid in partner_ids}

    # ------------------------------------------------------------------------------------------
    # Reminder creation
    # ------------------------------------------------------------------------------------------
    @api.model
    def _create_reminders(self, company, date, proposals, to_review=False):
        """Create one reminder per proposal; levels needing approval stay to review, and
        every reminder does with ``to_review`` (automatic sending not activated yet: see
        ``_run_company``)."""
        if not proposals:
            return self.env["receivable.reminder"]
        vals_list = self._prepare_reminders_vals(company, date, proposals, to_review=to_review)
        # Set-based (``_create_in_bulk``): the rows ``create`` would write, a few statements a
        # batch. The reminder's own chatter starts when it is sent: no creation message,
        # follower nor tracking. Only the run creates reminders (``_as_engine``).
        return self.env["receivable.reminder"]._as_engine()._create_in_bulk(vals_list)

    @api.model
    def _prepare_reminders_vals(self, company, date, proposals, to_review=False):
        """The values of the reminders of ``proposals``, their charges computed: what
        ``_create_reminders`` creates and what the Dunning Run's preview shows (nothing
        written)."""
        recipients = self._get_recipients([p["partner_id"] for p in proposals])
        profiles = self._get_legal_profiles(proposals)
        # The charges' inputs of the whole batch at once: the invoices' history (reminders
        # sent, charges invoiced) and the parts of their lines paid late.
        charged_rows = [row for p in proposals if profiles[p["partner_id"]] for row in p["rows"]]
        history = self.env["receivable.legal.profile"]._get_invoice_history(
            {row["move_id"] for row in charged_rows}
        )
        # A part paid after the run's date was still due on it: every payment counts.
        payments = self.env["receivable.facts"]._get_late_payments(
            [row["line_id"] for row in charged_rows], max(date, fields.Date.context_today(self))
        )
        rates = self.env["receivable.reference.rate"]
        # Read once per level, not once per customer.
        level_values = {
            level.id: {
                "deadline": date + timedelta(days=level.payment_delay_days),
                "channel_email": level.channel_email,
                "channel_letter": level.channel_letter,
                "channel_call": level.channel_call,
                "state": "draft" if level.needs_approval or to_review else "to_send",
                # Held for review only because sending is off: released on activation.
                "awaiting_activation": to_review and not level.needs_approval,
            }
            for level in {proposal["level"] for proposal in proposals}
        }
        vals_list = []
        currency_id = company.currency_id.id
        for proposal in proposals:
            level = proposal["level"]
            profile = profiles[proposal["partner_id"]]
            missing = set()
            charges = {}
            if profile:
                charges = self._compute_line_charges(
                    profile,
                    self.env["receivable.policy"].browse(proposal["policy_id"]),
                    date,
                    [
                        {
                            "key": row["line_id"],
                            "move_id": row["move_id"],
                            "amount": row["amount_residual"],
                            "due_date": row["date_maturity"],
                            "payments": payments.get(row["line_id"], []),
                        }
                        for row in proposal["rows"]
                    ],
                    history,
                    missing,
                    level=level,
                )
            vals_list.append(
                {
                    "partner_id": proposal["partner_id"],
                    "recipient_id": recipients[proposal["partner_id"]],
                    "company_id": company.id,
                    "policy_id": proposal["policy_id"],
                    "level_id": level.id,
                    "date": date,
                    **level_values[level.id],
                    "legal_profile_id": profile.id if profile else False,
                    # Both False without a missing rate (not worked out for each customer).
                    "legal_warning": rates._missing_rates_warning(missing) if missing else False,
                    "interest_missing_from": rates._missing_rates_from(missing)
                    if missing
                    else False,
                    "line_ids": [
                        Command.create(
                            self._prepare_reminder_line(
                                company, row, charges.get(row["line_id"]), currency_id
                            )
                        )
                        for row in proposal["rows"]
                    ],
                    "credit_ids": [
                        Command.create(self._prepare_reminder_credit(company, row))
                        for row in proposal.get("credits", [])
                    ],
                }
            )
        return vals_list

    @api.model
    def _get_legal_profiles(self, proposals):
        """{partner id: legal profile or None}: the policy's, or its B2C counterpart."""
        partners = self.env["res.partner"].browse([p["partner_id"] for p in proposals])
        # The profile depends on the commercial partner being a company: both read at once,
        # not one query per customer.
        partners.fetch(["is_company", "commercial_partner_id"])
        result = {}
        for proposal in proposals:
            profile = self.env["receivable.policy"].browse(proposal["policy_id"]).legal_profile_id
            partner = partners.browse(proposal["partner_id"])
            result[proposal["partner_id"]] = profile._for_partner(partner) if profile else None
        return result

    @api.model
    def _compute_line_charges(
        self, profile, policy, date, lines_data, history=None, missing=None, level=None
    ):
        """{key: reminder line values of its charges} of the lines (``_compute_charges``'s
        ``lines_data``), with the invoices' history (reminders sent, charges invoiced).

        Missing reference rates go to the ``missing`` set (no interest for those half-years).
        A reminder at ``level`` below the policy's fee level claims no recovery fee.
        """
        if not profile:
            return {}
        if history is None:
            history = self.env["receivable.legal.profile"]._get_invoice_history(
                {data["move_id"] for data in lines_data}
            )
        for data in lines_data:
            data.update(history.get(data["move_id"], {}))
        fees = not (level and policy) or policy._claims_fees_at(level, profile)
        currency = self.env.company.currency_id
        details = {}
        charges = profile._compute_charges(lines_data, date, policy, missing, details)
        result = {}
        for key, (interest, fee, rate) in charges.items():
            detail = details.get(key, {})
            result[key] = {
                "interest_amount": currency.round(interest),
                "fee_amount": fee if fees else 0.0,
                "interest_rate": rate,
                "amount_paid_late": detail.get("amount_paid_late", 0.0),
                "interest_date_from": detail.get("interest_date_from") or False,
                "charges_invoiced_until": detail.get("charges_invoiced_until") or False,
                "interest_rate_raised": detail.get("interest_rate_raised", False),
            }
        return result

    @api.model
    def _prepare_reminder_line(self, company, row, charges=None, currency_id=None):
        """Values of a ``receivable.reminder.line`` from a line row (``currency_id``: the
        company's currency, read once by a caller preparing many)."""
        return {
            "company_id": row["company_id"],
            "currency_id": currency_id or company.currency_id.id,
            "interest_amount": 0.0,
            "fee_amount": 0.0,
            "interest_rate": 0.0,
            **(charges or {}),
            "move_line_id": row["line_id"],
            "move_id": row["move_id"],
            "level_id": row["reached_level_id"],
            "date_due": row["date_maturity"],
            "days_late": row["days_late"],
            "amount_total": row["amount_total_signed"],
            "amount_residual": row["amount_residual"],
            "amount_residual_currency": row["amount_residual_currency"],
            "document_currency_id": row["currency_id"],
        }

    @api.model
    def _generate_reminders(
        self, company, date, policies=None, partner_ids=None, commit=True, to_review=False
    ):
        """Evaluate and create the reminders of ``company`` for ``date`` in batches (all of
        them to review with ``to_review``).

        Each batch is committed with the cron's progress, so an interrupted run resumes with
        the partners not reminded yet (those reminded have an open or a sent reminder).
        Customers another worker is preparing are skipped (it reminds them).
        """
        company_engine = self._in_company_scope(company)
        candidates = company_engine._select_partners_to_remind(company, date, policies, partner_ids)
        reminder_ids = []
        for start in range(0, len(candidates), PARTNER_BATCH):
            batch = candidates[start : start + PARTNER_BATCH]

            def create_batch(batch=batch, start=start):
                held = company_engine._lock_partners(batch)
                proposals = company_engine._evaluate(company, date, held, policies)
                reminders = company_engine._create_reminders_skipping_taken(
                    company, date, proposals, to_review
                )
                ids = reminders.ids
                if commit:
                    remaining = len(candidates) - start - len(batch)
                    commit_run_progress(self.env, len(batch), remaining)
                return ids

            reminder_ids += (
                retry_on_conflict(self.env, create_batch, commit, "Dunning generation") or []
            )
            if commit:
                self.env.invalidate_all()
        return self.env["receivable.reminder"].browse(reminder_ids)

    @api.model
    def _lock_partners(self, partner_ids):
        """Those of ``partner_ids`` this transaction now holds for preparing reminders; those
        another worker holds are skipped. Advisory locks, not row locks: the customers' rows
        stay free for the other crons and users."""
        if not partner_ids:
            return []
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id FROM unnest(%s::int[]) AS id
                 WHERE pg_try_advisory_xact_lock(%s, id)
                 ORDER BY id
                """,
                list(partner_ids),
                DUNNING_LOCK_SPACE,
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _create_reminders_skipping_taken(self, company, date, proposals, to_review=False):
        """``_create_reminders``; a customer that got an open reminder from another worker
        since this transaction started (the ``one open reminder`` index) is skipped, not the
        whole batch."""
        try:
            with self.env.cr.savepoint():
                return self._create_reminders(company, date, proposals, to_review)
        except pg_errors.UniqueViolation:
            _logger.info("Dunning generation: a customer was reminded by another worker")
        reminders = self.env["receivable.reminder"]
        for proposal in proposals:
            try:
                with self.env.cr.savepoint():
                    reminders |= self._create_reminders(company, date, [proposal], to_review)
            except pg_errors.UniqueViolation:
                continue
        return reminders

    # ------------------------------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------------------------------
    @api.model
    def _send_pending_reminders(self, company, commit=True):
        """Send the reminders of ``company`` waiting to go (new ones and failed ones).

        Each reminder is committed right after its mail was queued: a crash loses no sending
        and repeats none. A reminder that fails is marked so and the run goes on; one hit by
        a concurrent transaction is rolled back and tried again.
        """
        self._review_uncertain_deliveries(company)
        pending = self.env["receivable.reminder"].search(
            [("company_id", "=", company.id), ("state", "in", ("to_send", "failed"))],
            order="id",
        )
        sent = self.env["receivable.reminder"]
        for index, reminder in enumerate(pending):

            def send(reminder=reminder, index=index):
                done = reminder.with_company(company)._send_reminders()
                if commit:
                    commit_run_progress(self.env, 1, len(pending) - index - 1)
                return done

            done = retry_on_conflict(self.env, send, commit, f"Reminder {reminder.id}")
            if done:
                sent |= done
        return sent

    @api.model
    def _review_uncertain_deliveries(self, company):
        """Reminders of ``company`` whose mail's delivery started and never ended (a killed
        mail queue): back to review, their mail cancelled, never sent again."""
        self.env["receivable.reminder"].flush_model(["company_id", "state", "mail_id"])
        self.env["mail.mail"].flush_model(["state", "receivable_delivery_started"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT mail.id
                  FROM receivable_reminder reminder
                  JOIN mail_mail mail ON mail.id = reminder.mail_id
                 WHERE reminder.company_id = %s
                   AND reminder.state = 'sent'
                   AND mail.state = 'outgoing'
                   AND mail.receivable_delivery_started IS NOT NULL
                """,
                company.id,
            )
        )
        if not rows:
            return
        # sudo: outgoing mails are reserved to administrators; a mail the queue holds is
        # being delivered right now: not uncertain.
        mails = self.env["mail.mail"].sudo().browse([row[0] for row in rows])
        mails = mails.try_lock_for_update()
        if mails:
            self.env["receivable.reminder"]._record_uncertain_deliveries(mails)

    # ------------------------------------------------------------------------------------------
    # Runs
    # ------------------------------------------------------------------------------------------
    @api.model
    def _get_dunning_companies(self):
        """The companies with a ladder; a branch of one of them is left out: its company's
        run reminds the invoices of its whole scope (company and branches), once."""
        companies = (
            self.env["receivable.dunning.level"]
            .sudo()  # sudo: the nightly run covers every company that has a ladder
            .search([("policy_id.dunning_active", "=", True)])
            .company_id
        )
        return companies.filtered(lambda company: not (company.parent_ids - company) & companies)

    @api.model
    def _run_company(self, company, date, commit=True):
        """The nightly work for one company: promises, evaluation, then sending.

        Until a Credit Manager activates automatic sending (``receivable_dunning_auto_send``,
        after the first-run preview), the reminders are prepared to review and nothing is
        sent. The payment plans are not checked here: their own cron does it once a night,
        before this run (``night_runs.NIGHT_SCHEDULE``)."""
        engine = self._in_company_scope(company)

        def settle():
            self.env["receivable.promise"].with_company(company)._settle_due_promises(date, company)
            if commit:
                self.env.cr.commit()

        retry_on_conflict(self.env, settle, commit, "Promises")
        sending = company.receivable_dunning_auto_send
        engine._generate_reminders(company, date, commit=commit, to_review=not sending)
        if not sending:
            return self.env["receivable.reminder"]
        return engine._send_pending_reminders(company, commit=commit)

    @api.model
    def _schedule_crons_at_night(self):
        """Called at install and by the 19.0.1.1.0 migration: see ``night_runs``."""
        schedule_crons_at_night(self.env)

    @api.model
    def _cron_run_dunning(self):
        """Daily: settle promises, create today's reminders and send those needing no approval.

        Idempotent: a second run the same day finds no new level reached (levels advance
        when a reminder is sent) and the partners already waiting on a reminder are skipped.
        The cron's time limit holds for the whole run: when it is up, no company is started.
        """
        today = fields.Date.context_today(self)
        run_per_company(
            self,
            self._get_dunning_companies(),
            lambda engine, company: engine._run_company(company, today),
            "Dunning run",
        )

    @api.model
    def _remind_partner_now(self, partner, date, values=None):
        """'Send reminder now' on a partner: its reminder at its current level, sent now.

        ``values``: written on the reminder before it goes (the follow-up's edited email)."""
        company = self.env.company
        engine = self._in_company_scope(company)
        existing = self.env["receivable.reminder"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "in", OPEN_STATES),
            ]
        )
        if existing:
            if values:
                existing._write_engine(values)
            existing.action_send()
            return existing
        reason = partner.with_company(company)._get_dunning_blocker(date)
        if reason:
            raise UserError(reason)
        proposals = engine._evaluate(company, date, [partner.id], force=True)
        if not proposals:
            raise UserError(
                self.env._(
                    "%s has no invoice overdue or about to fall due that a level of its "
                    "dunning ladder covers.",
                    partner.display_name,
                )
            )
        reminder = engine._create_reminders(company, date, proposals)
        if values:
            reminder._write_engine(values)
        reminder.action_send()
        return reminder
