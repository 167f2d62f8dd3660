from collections import defaultdict

from odoo import api
from odoo import models
from odoo.tools import SQL


class ReceivableDunningEngine(models.AbstractModel):
    """The dunning rule: which open items may be reminded, stated once.

    The rule is a list of named exclusions over the facts' open items (``receivable.facts``)
    and their commercial partner. The evaluation and the re-check at sending keep the items
    no exclusion holds; the customer's dunning status names the exclusions that hold its
    items. A new exclusion added here is applied, re-checked and explained everywhere.
    """

    _inherit = "receivable.dunning.engine"

    @api.model
    def _customer_exclusions(self, company, date):
        """``[(reason, SQL)]``: the customer-level exclusions, on the commercial partner
        ``cp``: a customer for whom one holds gets no reminder in ``company`` on ``date``."""
        facts = self.env["receivable.facts"]
        excluded = facts._col("res.partner", "cp", "dunning_excluded", company)
        paused = facts._col("res.partner", "cp", "dunning_paused_until", company)
        return [
            ("excluded", SQL("COALESCE(%s, FALSE)", excluded)),
            ("paused", SQL("COALESCE(%s >= %s::date, FALSE)", paused, date)),
        ]

    @api.model
    def _item_exclusions(self):
        """``[(reason, SQL)]``: the item-level exclusions, on the facts' open ``item``, in the
        order they explain a blocked item (a dispute also sets Odoo's No Follow-Up)."""
        return [
            ("dispute", SQL("item.dispute")),
            ("factor", SQL("item.factor_id IS NOT NULL")),
            ("agency", SQL("item.agency_state IS NOT NULL")),
            ("plan", SQL("item.in_plan")),
            ("promise", SQL("item.promised")),
            ("legal_charge", SQL("item.legal_charge")),
            ("no_followup", SQL("item.no_followup")),
        ]

    @api.model
    def _dunning_exclusions(self, company, date):
        """Every exclusion of the dunning, customer-level first (see the two lists)."""
        return self._customer_exclusions(company, date) + self._item_exclusions()

    @api.model
    def _remindable_line_conditions(self, company, date):
        """THE dunning rule, on the facts' open ``item`` and its commercial partner ``cp``: an
        amount owed that no exclusion holds. The evaluation, the re-check at sending
        (``_remindable_line_ids``) and the blocker shown on the customer
        (``res.partner._get_dunning_blockers``) all read it."""
        return SQL(" AND ").join(
            [
                SQL("item.amount_residual > 0"),
                *(
                    SQL("NOT (%s)", condition)
                    for _reason, condition in self._dunning_exclusions(company, date)
                ),
            ]
        )

    @api.model
    def _exclusion_reason_sql(self, company, date):
        """SQL of the first exclusion holding an ``item`` (NULL: it may be reminded)."""
        cases = [
            SQL("WHEN %s THEN %s", condition, reason)
            for reason, condition in self._dunning_exclusions(company, date)
        ]
        return SQL("(CASE %s END)", SQL(" ").join(cases))

    @api.model
    def _remindable_line_ids(self, company, date, line_ids):
        """Those of ``line_ids`` that may still be reminded on ``date``: the evaluation's own
        rule (paid, disputed, promised, planned, factored, with the agency, excluded or paused
        customer…), without its levels."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT item.id
                  FROM (%s) item
                  JOIN res_partner cp ON cp.id = item.partner_id
                 WHERE item.id = ANY(%s)
                   AND %s
                """,
                self.env["receivable.facts"]._open_items_query(date, company, as_of=False),
                list(line_ids),
                self._remindable_line_conditions(company, date),
            )
        )
        return {line_id for (line_id,) in rows}

    @api.model
    def _exclusion_reasons(self, company, date, partner_ids):
        """``{commercial partner id: {reason: number of items}}``: the open debit items of
        ``partner_ids`` that an exclusion holds, by the first one holding each (reason None:
        items that may be reminded)."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT item.partner_id, %s AS reason, COUNT(*)
                  FROM (%s) item
                  JOIN res_partner cp ON cp.id = item.partner_id
                 WHERE item.amount_residual > 0
              GROUP BY 1, 2
                """,
                self._exclusion_reason_sql(company, date),
                self.env["receivable.facts"]._open_items_query(
                    date, company, partner_ids, as_of=False
                ),
            )
        )
        reasons = defaultdict(dict)
        for partner_id, reason, count in rows:
            reasons[partner_id][reason] = count
        return reasons

    @api.model
    def _customer_exclusion_reasons(self, company, date, partner_ids):
        """``{commercial partner id: reason}``: the customers of ``partner_ids`` that a
        customer-level exclusion holds, by the first one holding each."""
        cases = [
            SQL("WHEN %s THEN %s", condition, reason)
            for reason, condition in self._customer_exclusions(company, date)
        ]
        rows = self.env.execute_query(
            SQL(
                """
                SELECT cp.id, CASE %s END
                  FROM res_partner cp
                 WHERE cp.id = ANY(%s)
                """,
                SQL(" ").join(cases),
                list(partner_ids),
            )
        )
        return {partner_id: reason for partner_id, reason in rows if reason}
