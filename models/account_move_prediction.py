from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

OPEN_PAYMENT_STATES = ("not_paid", "partial", "in_payment")


class AccountMove(models.Model):
    _inherit = "account.move"

    receivable_expected_payment_date = fields.Date(
        string="Expected Payment",
        copy=False,
        readonly=True,
        help="Due date + the customer's amount-weighted average delay on the invoices it paid "
        "over the risk window (the company's when the customer has none). Recomputed every "
        "night and when the invoice is posted; a date already past counts as today in the "
        "aging and the cash forecast.",
    )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        invoices = posted.filtered(lambda move: move.move_type in ("out_invoice", "out_receipt"))
        if invoices:
            self._compute_expected_payment_dates(invoices)
        return posted

    @api.model
    def _expected_dates_query(self, company, date, move_ids=None):
        """UPDATE of the expected payment date of the open customer invoices of ``company``
        (``move_ids``, or all of them), set-based: one statement.

        For some invoices (posting), their partners' history is read through the partner
        index, and the company's average only when one of them has no history (a scalar
        subquery, evaluated on first use); for the whole company, one aggregate.
        """
        months = company.receivable_risk_window_months or 12
        start = date - relativedelta(months=months)
        engine = self.env["receivable.risk.engine"]
        if move_ids is None:
            moves_filter = SQL("TRUE")
            paid = engine._paid_lines_query(company, start, date)
        else:
            moves_filter = SQL("move.id = ANY(%s)", list(move_ids))
            partner_ids = self.browse(move_ids).commercial_partner_id.ids
            paid = engine._paid_lines_query(company, start, date, partner_ids)
        company_delay = SQL(
            """(SELECT SUM(balance * (pay_date - date_maturity)) / NULLIF(SUM(balance), 0)
                  FROM (%s) company_paid)""",
            engine._paid_lines_query(company, start, date)
            if move_ids is not None
            else SQL("SELECT * FROM paid"),
        )
        # Not clamped to today: the stored date changes only when the payment history does,
        # so the nightly refresh does not rewrite every overdue invoice (rows the dunning run
        # writes at the same hours). Readers count a past date as today.
        expected = SQL(
            "t.due + ROUND(COALESCE(pd.delay, %(company_delay)s, 0))::int",
            company_delay=company_delay,
        )
        return SQL(
            """
            WITH targets AS (
                SELECT move.id, move.commercial_partner_id AS partner_id,
                       move.invoice_date_due AS due
                  FROM account_move move
                 WHERE move.company_id = %(company)s
                   AND move.move_type IN ('out_invoice', 'out_receipt')
                   AND move.state = 'posted'
                   AND move.payment_state IN %(open_states)s
                   AND move.invoice_date_due IS NOT NULL
                   AND %(moves_filter)s
            ),
            paid AS (%(paid)s),
            partner_delay AS (
                SELECT partner_id,
                       SUM(balance * (pay_date - date_maturity)) / NULLIF(SUM(balance), 0)
                           AS delay
                  FROM paid
              GROUP BY partner_id
            ),
            expected AS (
                SELECT t.id, %(expected)s AS expected_date
                  FROM targets t
             LEFT JOIN partner_delay pd ON pd.partner_id = t.partner_id
            )
            UPDATE account_move move
               SET receivable_expected_payment_date = e.expected_date
              FROM expected e
             WHERE move.id = e.id
               AND move.receivable_expected_payment_date IS DISTINCT FROM e.expected_date
            """,
            company=company.id,
            open_states=OPEN_PAYMENT_STATES,
            moves_filter=moves_filter,
            paid=paid,
            expected=expected,
        )

    @api.model
    def _compute_expected_payment_dates(self, moves, date=None):
        """Expected payment dates of ``moves`` (open customer invoices), per company."""
        date = date or fields.Date.context_today(self)
        self.env.flush_all()
        for company in moves.company_id:
            ids = moves.filtered(lambda move, c=company: move.company_id == c).ids
            self.env.cr.execute(self._expected_dates_query(company, date, ids))
        moves.invalidate_recordset(["receivable_expected_payment_date"])

    @api.model
    def _compute_expected_payment_dates_company(self, company, date=None):
        """Expected payment dates of every open customer invoice of ``company``."""
        date = date or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(self._expected_dates_query(company, date))
        self.invalidate_model(["receivable_expected_payment_date"])
        return self.env.cr.rowcount
