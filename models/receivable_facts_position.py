"""The customer position of the receivable facts (see ``receivable_facts.py``): what a
customer owes a company, what it will owe, and what the company allows it."""

from odoo import api
from odoo import models
from odoo.tools import SQL

from .receivable_facts import RECEIVABLE


class ReceivableFacts(models.AbstractModel):
    _inherit = "receivable.facts"

    # ------------------------------------------------------------------------------------------
    # Customer position
    # ------------------------------------------------------------------------------------------
    @api.model
    def _position_query(self, company, partner_ids=None, date=None):
        """SQL of one row per commercial partner with open items or pending invoices in
        ``company``'s scope on ``date`` (today): partner_id, open_amount, overdue_amount,
        oldest_due, pending_amount (draft customer invoices and posted ones dated after the
        day: they will be owed, so they use credit), credit_limit (applied), cover (insured
        amount, NULL without insurer), on_hold."""
        date = date or self._today()
        company_ids = self._scope_company_ids(company)
        partner_filter = SQL("TRUE")
        if partner_ids is not None:
            partner_filter = SQL("move.commercial_partner_id = ANY(%s)", list(partner_ids))
        move = "account.move"
        items = self._open_items_query(date, company, partner_ids, as_of=False)
        later_items = self._later_items_query(date, company, partner_ids)
        return SQL(
            """
            WITH items AS (%(items)s),
            totals AS (
                SELECT partner_id,
                       SUM(amount_residual) AS open_amount,
                       SUM(amount_residual) FILTER (WHERE days_late > 0) AS overdue_amount,
                       MIN(date_maturity) FILTER (WHERE days_late > 0 AND amount_residual > 0)
                           AS oldest_due,
                       0.0 AS pending_amount
                  FROM items
              GROUP BY partner_id
             UNION ALL
                SELECT move.commercial_partner_id, 0.0, 0.0, NULL, SUM(%(total)s)
                  FROM account_move move
                 WHERE %(state)s = 'draft'
                   AND %(move_type)s = 'out_invoice'
                   AND %(move_company)s IN %(company_ids)s
                   AND %(partner_filter)s
              GROUP BY move.commercial_partner_id
             UNION ALL
                SELECT partner_id, 0.0, 0.0, NULL, SUM(amount_residual)
                  FROM (%(later_items)s) later
              GROUP BY partner_id
            ),
            position AS (
                SELECT partner_id,
                       SUM(open_amount) AS open_amount,
                       COALESCE(SUM(overdue_amount), 0) AS overdue_amount,
                       MIN(oldest_due) AS oldest_due,
                       SUM(pending_amount) AS pending_amount
                  FROM totals
              GROUP BY partner_id
            )
            SELECT position.*,
                   %(terms)s
              FROM position
              JOIN res_partner cp ON cp.id = position.partner_id
              %(policy_join)s
            """,
            items=items,
            later_items=later_items,
            total=self._col(move, "move", "amount_total_signed"),
            state=self._col(move, "move", "state"),
            move_type=self._col(move, "move", "move_type"),
            move_company=self._col(move, "move", "company_id"),
            company_ids=company_ids,
            partner_filter=partner_filter,
            terms=self._customer_terms_sql(company),
            policy_join=self._policy_join_sql(company),
        )

    @api.model
    def _customer_terms_sql(self, company):
        """The columns of what ``company`` allows a customer (``cp``, its policy ``pol``):
        credit_limit (applied), cover (NULL without insurer), on_hold."""
        return SQL(
            """%(limit)s AS credit_limit,
               CASE WHEN %(insurer)s IS NOT NULL THEN %(cover)s END AS cover,
               COALESCE(%(on_hold)s, FALSE) AS on_hold""",
            limit=self._applied_limit_sql(company),
            insurer=self._col("res.partner", "cp", "credit_insurer_id", company),
            cover=self._col("res.partner", "cp", "credit_insured_amount", company),
            on_hold=self._col("res.partner", "cp", "credit_on_hold", company),
        )

    @api.model
    def _policy_join_sql(self, company):
        """Join of the customer's (``cp``) effective policy in ``company`` as ``pol``."""
        return SQL(
            "LEFT JOIN receivable_policy pol ON pol.id = %s", self._effective_policy_sql(company)
        )

    @api.model
    def _effective_policy_sql(self, company, partner_alias="cp"):
        """SQL of the id of the effective policy in ``company`` of the commercial partner
        ``partner_alias``: its own, else the company's default B2C policy for a private
        individual (not a company), else the company's default policy (as
        ``res.partner.receivable_effective_policy_id``)."""
        b2c = company.receivable_default_b2c_policy_id.id
        return SQL(
            "COALESCE(%s, %s, %s)",
            self._col("res.partner", partner_alias, "receivable_policy_id", company),
            SQL(
                "CASE WHEN NOT COALESCE(%s, FALSE) THEN %s END",
                self._col("res.partner", partner_alias, "is_company"),
                b2c,
            )
            if b2c
            else SQL("NULL::int"),
            company.receivable_default_policy_id.id or None,
        )

    @api.model
    def _later_items_query(self, date, company, partner_ids=None):
        """Open items of posted entries dated after ``date`` (partner_id, amount_residual):
        not owed yet, but their credit is granted."""
        aml = "account.move.line"
        filters = [
            SQL("account.account_type = %s", RECEIVABLE),
            SQL("%s = 'posted'", self._col(aml, "aml", "parent_state")),
            SQL("%s IS NOT TRUE", self._col(aml, "aml", "reconciled")),
            SQL("%s > %s::date", self._col(aml, "aml", "date"), date),
            SQL("%s != 0", self._col(aml, "aml", "amount_residual")),
            SQL("aml.company_id IN %s", self._scope_company_ids(company)),
        ]
        if partner_ids is not None:
            filters.append(SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids)))
        return SQL(
            """
            SELECT p.commercial_partner_id AS partner_id, aml.amount_residual
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE %s
            """,
            SQL(" AND ").join(filters),
            to_flush=self._structure_fields(),
        )

    @api.model
    def _applied_limit_sql(self, company, partner_alias="cp", policy_alias="pol"):
        """The credit limit applied to a customer in ``company`` (Odoo's rule): its own
        limit when it differs from the company default (``use_partner_credit_limit``), else
        its policy's default limit, else the company default. ``policy_alias``: the
        customer's effective policy (its own, else the company's default)."""
        partner = self.env["res.partner"].with_company(company)
        field = partner._fields["credit_limit"]
        company_default = field.get_company_dependent_fallback(partner) or 0.0
        own = self._col("res.partner", partner_alias, "credit_limit", company)
        return SQL(
            """(CASE WHEN %(own)s IS DISTINCT FROM %(default)s::float8 THEN %(own)s
                     WHEN %(policy)s.id IS NOT NULL THEN %(policy)s.default_credit_limit
                     ELSE %(default)s::float8 END)::float8""",
            own=own,
            default=company_default,
            policy=SQL.identifier(policy_alias),
        )

    @api.model
    def _positions(self, company, partner_ids, date=None):
        """``{commercial partner id: position}`` in ``company`` on ``date`` (today), for
        ``partner_ids`` (commercial partners; those without receivables get empty figures).

        A position holds the figures of ``_position_query`` and: ``to_invoice`` (Odoo's
        ``credit_to_invoice``: sales delivered and not invoiced, when the sale app is
        installed), ``exposure`` (open + pending + to invoice), ``available``, ``used_percent``,
        ``over_limit``, ``cover_exceeded``."""
        date = date or self._today()
        partners = self.env["res.partner"].with_company(company).browse(partner_ids)
        rows = {
            row["partner_id"]: row
            for row in self.env.execute_query_dict(
                self._position_query(company, partners.ids, date)
            )
        }
        missing = [pid for pid in partners.ids if pid not in rows]
        if missing:
            for row in self.env.execute_query_dict(self._empty_position_query(company, missing)):
                rows[row["partner_id"]] = row
        return {
            partner.id: self._complete_position(rows[partner.id], partner) for partner in partners
        }

    @api.model
    def _empty_position_query(self, company, partner_ids):
        """The position of customers without any receivable: only their limit, cover, hold."""
        return SQL(
            """
            SELECT cp.id AS partner_id, 0.0 AS open_amount, 0.0 AS overdue_amount,
                   NULL::date AS oldest_due, 0.0 AS pending_amount,
                   %(terms)s
              FROM res_partner cp
              %(policy_join)s
             WHERE cp.id = ANY(%(ids)s)
            """,
            terms=self._customer_terms_sql(company),
            policy_join=self._policy_join_sql(company),
            ids=list(partner_ids),
        )

    @api.model
    def _to_invoice_amount(self, partner):
        """What ``partner`` owes not invoiced yet, in the company's currency: Odoo's
        ``credit_to_invoice``. The sales bridge counts its confirmed orders instead: read from
        a field, so the figure is computed for all the partners being read at once."""
        return partner.credit_to_invoice or 0.0

    @api.model
    def _complete_position(self, row, partner):
        """Add the figures derived from the stored ones (see ``_positions``)."""
        position = dict(row)
        for key in ("open_amount", "overdue_amount", "pending_amount", "credit_limit"):
            position[key] = float(position[key] or 0.0)
        position["to_invoice"] = self._to_invoice_amount(partner)
        exposure = position["open_amount"] + position["pending_amount"] + position["to_invoice"]
        limit = position["credit_limit"]
        cover = position["cover"]
        position["exposure"] = exposure
        position["available"] = limit - exposure if limit else 0.0
        position["used_percent"] = 100.0 * exposure / limit if limit else 0.0
        position["over_limit"] = bool(limit) and exposure > limit
        position["cover_exceeded"] = cover is not None and exposure > float(cover)
        return position
