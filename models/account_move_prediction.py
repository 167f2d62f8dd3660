import logging

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

OPEN_PAYMENT_STATES = ("not_paid", "partial", "in_payment")
# An invoice's predicted date is re-stored when its customer's delay (rounded to whole days)
# has moved more than this many days away from the one the invoice was predicted with.
RESTORE_THRESHOLD_DAYS = 1


class AccountMove(models.Model):
    _inherit = "account.move"

    receivable_expected_payment_date = fields.Date(
        string="Expected Payment",
        copy=False,
        readonly=True,
        help="Due date + the customer's amount-weighted average delay on the invoices it paid "
        "over the risk window (the company's when the customer has none), as stored by the "
        "nightly run. Set when the invoice is posted, and again only when the customer's "
        "delay changes by more than a day; a date already past counts as today in the aging "
        "and the cash forecast.",
    )
    receivable_expected_payment_overdue = fields.Boolean(
        string="Expected Payment Past",
        compute="_compute_receivable_expected_payment_overdue",
        help="The open invoice was expected to be paid before today.",
    )

    @api.depends_context("tz")
    @api.depends("receivable_expected_payment_date", "state", "payment_state")
    def _compute_receivable_expected_payment_overdue(self):
        # Computed, not stored: "past" changes every day, the stored date does not.
        today = fields.Date.context_today(self)
        for move in self:
            move.receivable_expected_payment_overdue = bool(
                move.state == "posted"
                and move.payment_state in OPEN_PAYMENT_STATES
                and move.receivable_expected_payment_date
                and move.receivable_expected_payment_date < today
            )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        invoices = posted.filtered(lambda move: move.move_type in ("out_invoice", "out_receipt"))
        if invoices:
            self._compute_expected_payment_dates(invoices)
        return posted

    # ------------------------------------------------------------------------------------------
    # Stored delays (nightly)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _paid_history_query(self, company, date):
        """SQL of the paid items of ``company`` over its risk window ending on ``date`` (the
        facts' rule: partner_id = commercial partner, balance = weight, days_late)."""
        months = company.receivable_risk_window_months or 12
        since = date - relativedelta(months=months)
        return self.env["receivable.facts"]._paid_items_query(company, since, date)

    @api.model
    def _store_payment_delays(self, company, date):
        """Store the amount-weighted average delay (payment date - due date, in days) of the
        paid history of ``company`` (its risk window ending on ``date``): the company's on the
        company, each customer's on the customer (company-dependent), with whether it has a
        history. One statement; only the values that changed are written (customers who lost
        their history included). Return the number of customers written."""
        Partner = self.env["res.partner"].with_company(company)
        delay_field = Partner._fields["receivable_payment_delay"]
        history_field = Partner._fields["receivable_payment_history"]
        # The facts' query flushes what it reads (execute_query); the company's delay too.
        self.env["res.company"].flush_model(["receivable_average_payment_delay"])
        query = SQL(
            """
            WITH paid AS (%(paid)s),
            sums AS (
                SELECT partner_id, GROUPING(partner_id) AS whole,
                       ROUND(%(weighted_delay)s, 2)::float8 AS delay
                  FROM paid
              GROUP BY GROUPING SETS ((partner_id), ())
            ),
            company_delay AS (
                UPDATE res_company company
                   SET receivable_average_payment_delay = d.delay
                  FROM (SELECT COALESCE(delay, 0) AS delay FROM sums WHERE whole = 1) d
                 WHERE company.id = %(company)s
                   AND company.receivable_average_payment_delay IS DISTINCT FROM d.delay
            ),
            delays AS (
                SELECT partner_id AS id, delay FROM sums WHERE whole = 0 AND delay IS NOT NULL
            ),
            targets AS (
                SELECT COALESCE(d.id, h.id) AS id, d.delay
                  FROM delays d
             FULL JOIN (SELECT p.id FROM res_partner p WHERE %(had_history)s) h
                    ON h.id = d.id
            )
            UPDATE res_partner p
               SET receivable_payment_delay = CASE
                       WHEN t.delay IS NULL
                       THEN COALESCE(p.receivable_payment_delay, '{}'::jsonb) - %(cid)s
                       ELSE COALESCE(p.receivable_payment_delay, '{}'::jsonb)
                            || jsonb_build_object(%(cid)s, t.delay)
                   END,
                   receivable_payment_history = COALESCE(p.receivable_payment_history, '{}'::jsonb)
                       || jsonb_build_object(%(cid)s, t.delay IS NOT NULL)
              FROM targets t
             WHERE p.id = t.id
               AND (%(had_history)s IS DISTINCT FROM (t.delay IS NOT NULL)
                    OR %(old_delay)s IS DISTINCT FROM COALESCE(t.delay, 0))
            """,
            paid=self._paid_history_query(company, date),
            weighted_delay=self.env["receivable.facts"]._weighted_delay_sql("paid"),
            company=company.id,
            cid=str(company.id),
            had_history=history_field.to_sql(Partner, "p"),
            old_delay=delay_field.to_sql(Partner, "p"),
        )
        self.env.execute_query(query)
        written = self.env.cr.rowcount
        self.env["res.partner"].invalidate_model(
            ["receivable_payment_delay", "receivable_payment_history"]
        )
        company.invalidate_recordset(["receivable_average_payment_delay"])
        return written

    # ------------------------------------------------------------------------------------------
    # Stored predictions
    # ------------------------------------------------------------------------------------------
    @api.model
    def _expected_dates_query(self, company, move_ids=None):
        """UPDATE of the expected payment date of the open customer invoices of ``company``
        from the STORED delays (the customer's, else the company's): no payment history read.

        ``move_ids`` (posting): those invoices, whatever they held. Without (nightly): the
        invoices without a date, and those whose customer's delay (in whole days) moved more
        than ``RESTORE_THRESHOLD_DAYS`` away from the one they were predicted with; not the
        others, and never because today moved (the date is not clamped to today).
        """
        Partner = self.env["res.partner"].with_company(company)
        delay = SQL(
            "CASE WHEN %(history)s THEN %(delay)s ELSE %(company_delay)s END",
            history=Partner._fields["receivable_payment_history"].to_sql(Partner, "p"),
            delay=Partner._fields["receivable_payment_delay"].to_sql(Partner, "p"),
            company_delay=company.receivable_average_payment_delay or 0.0,
        )
        if move_ids is None:
            moves_filter = partners_filter = SQL("TRUE")
            changed = SQL(
                """(move.receivable_expected_payment_date IS NULL
                    OR ABS(t.days - (move.receivable_expected_payment_date
                                     - move.invoice_date_due)) > %s)""",
                RESTORE_THRESHOLD_DAYS,
            )
        else:
            moves_filter = SQL("move.id = ANY(%s)", list(move_ids))
            partners_filter = SQL("p.id = ANY(%s)", self.browse(move_ids).commercial_partner_id.ids)
            changed = SQL(
                "move.receivable_expected_payment_date IS DISTINCT FROM "
                "move.invoice_date_due + t.days"
            )
        return SQL(
            """
            WITH delays AS MATERIALIZED (
                -- once per customer, not once per invoice
                SELECT p.id, ROUND((%(delay)s)::numeric)::int AS days
                  FROM res_partner p
                 WHERE %(partners_filter)s
            ),
            targets AS (
                SELECT move.id, d.days
                  FROM account_move move
                  JOIN delays d ON d.id = move.commercial_partner_id
                 WHERE move.company_id = %(company)s
                   AND move.move_type IN ('out_invoice', 'out_receipt')
                   AND move.state = 'posted'
                   AND move.payment_state IN %(open_states)s
                   AND move.invoice_date_due IS NOT NULL
                   AND %(moves_filter)s
            )
            UPDATE account_move move
               SET receivable_expected_payment_date = move.invoice_date_due + t.days
              FROM targets t
             WHERE move.id = t.id
               AND %(changed)s
            """,
            delay=delay,
            company=company.id,
            open_states=OPEN_PAYMENT_STATES,
            moves_filter=moves_filter,
            partners_filter=partners_filter,
            changed=changed,
        )

    @api.model
    def _flush_prediction_inputs(self):
        self.flush_model(
            [
                "company_id",
                "move_type",
                "state",
                "payment_state",
                "invoice_date_due",
                "commercial_partner_id",
                "receivable_expected_payment_date",
            ]
        )

    @api.model
    def _compute_expected_payment_dates(self, moves):
        """Expected payment dates of ``moves`` (open customer invoices, at posting), per
        company, from the delays the nightly run stored."""
        self._flush_prediction_inputs()
        for company in moves.company_id:
            ids = moves.filtered(lambda move, c=company: move.company_id == c).ids
            self.env.execute_query(self._expected_dates_query(company, ids))
        moves.invalidate_recordset(["receivable_expected_payment_date"])

    @api.model
    def _compute_expected_payment_dates_company(self, company, date=None):
        """Nightly: store the payment delays of ``company`` (company and customers) at
        ``date``, then re-store the predicted dates of the open invoices whose customer's
        delay changed by more than a day. Return the number of invoices written."""
        date = date or fields.Date.context_today(self)
        customers = self._store_payment_delays(company, date)
        self._flush_prediction_inputs()
        self.env.execute_query(self._expected_dates_query(company))
        invoices = self.env.cr.rowcount
        self.invalidate_model(["receivable_expected_payment_date"])
        _logger.info(
            "Expected payment dates of %s on %s: %s customers' delays and %s invoices written",
            company.name,
            date,
            customers,
            invoices,
        )
        return invoices
