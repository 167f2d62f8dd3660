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
    def _customer_exclusions(self, company, date, partner_ids=None, credits=True):
        """``[(reason, SQL)]``: the customer-level exclusions, on the commercial partner
        ``cp``: a customer for whom one holds gets no reminder in ``company`` on ``date``.
        ``partner_ids`` (optional) narrows the customers the credits are summed for;
        ``credits=False`` leaves the credits rule out (the sending nets the credits itself)."""
        facts = self.env["receivable.facts"]
        excluded = facts._col("res.partner", "cp", "dunning_excluded", company)
        paused = facts._col("res.partner", "cp", "dunning_paused_until", company)
        remind_again = facts._col("res.partner", "cp", "receivable_remind_again_on", company)
        exclusions = [
            ("excluded", SQL("COALESCE(%s, FALSE)", excluded)),
            ("paused", SQL("COALESCE(%s >= %s::date, FALSE)", paused, date)),
            # A collector's follow-up date: nothing before it, reminded again on it.
            ("remind_again", SQL("COALESCE(%s > %s::date, FALSE)", remind_again, date)),
        ]
        if credits:
            exclusions.append(
                (
                    "credits",
                    SQL(
                        "cp.id IN (%s)",
                        self._credits_cover_query(company, date, partner_ids),
                    ),
                )
            )
        return exclusions

    @api.model
    def _credits_cover_query(self, company, date, partner_ids=None):
        """SQL of the ids of the customers whose open credits (unapplied payments, credit
        notes: the open items of negative residual, whatever their date up to ``date``) cover
        the overdue amount a reminder would claim (their overdue debit items that no
        item-level exclusion holds). Credits first: such a customer gets no reminder, its
        credits are to allocate (the worklist's "Credits to Allocate")."""
        facts = self.env["receivable.facts"]
        items = facts._open_items_query(date, company, as_of=False)
        # The customers' lines through the lines' own partner only (the same lines): with the
        # customers' filter as well, PostgreSQL expects a few lines and pairs each customer of
        # a batch with every line (at 20 open invoices a customer, 5 times slower).
        customers = SQL("TRUE")
        if partner_ids is not None:
            customers = facts._line_partner_filter(SQL("item.line_partner_id"), partner_ids)
        remindable = SQL(" AND ").join(
            SQL("NOT (%s)", condition) for _reason, condition in self._item_exclusions()
        )
        return SQL(
            """
            SELECT item.partner_id
              FROM (%(items)s) item
             WHERE %(customers)s
          GROUP BY item.partner_id
            HAVING COUNT(*) FILTER (WHERE item.amount_residual < 0) > 0
               AND COALESCE(SUM(item.amount_residual) FILTER (
                       WHERE item.amount_residual > 0 AND item.days_late > 0 AND %(remindable)s
                   ), 0) > 0
               AND COALESCE(SUM(item.amount_residual) FILTER (
                       WHERE item.amount_residual > 0 AND item.days_late > 0 AND %(remindable)s
                   ), 0)
                   + SUM(item.amount_residual) FILTER (WHERE item.amount_residual < 0) <= 0
            """,
            items=items,
            customers=customers,
            remindable=remindable,
        )

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
    def _dunning_exclusions(self, company, date, partner_ids=None, credits=True):
        """Every exclusion of the dunning, customer-level first (see the two lists)."""
        return (
            self._customer_exclusions(company, date, partner_ids, credits) + self._item_exclusions()
        )

    @api.model
    def _remindable_line_conditions(self, company, date, partner_ids=None, credits=True):
        """THE dunning rule, on the facts' open ``item`` and its commercial partner ``cp``: an
        amount owed that no exclusion holds. The evaluation, the re-check at sending
        (``_remindable_line_ids``) and the blocker shown on the customer
        (``res.partner._get_dunning_blockers``) all read it."""
        return SQL(" AND ").join(
            [
                SQL("item.amount_residual > 0"),
                *(
                    SQL("NOT (%s)", condition)
                    for _reason, condition in self._dunning_exclusions(
                        company, date, partner_ids, credits
                    )
                ),
            ]
        )

    @api.model
    def _exclusion_reason_sql(self, company, date, partner_ids=None):
        """SQL of the first exclusion holding an ``item`` (NULL: it may be reminded)."""
        cases = [
            SQL("WHEN %s THEN %s", condition, reason)
            for reason, condition in self._dunning_exclusions(company, date, partner_ids)
        ]
        return SQL("(CASE %s END)", SQL(" ").join(cases))

    @api.model
    def _remindable_line_ids(self, company, date, line_ids):
        """Those of ``line_ids`` that may still be reminded on ``date``: the evaluation's own
        rule (paid, disputed, promised, planned, factored, with the agency, excluded or paused
        customer…), without its levels nor the credits rule: the reminder nets its credits
        itself when it goes (``receivable.reminder._drop_settled_lines``)."""
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
                self._remindable_line_conditions(company, date, credits=False),
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
                self._exclusion_reason_sql(company, date, partner_ids),
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
            for reason, condition in self._customer_exclusions(company, date, partner_ids)
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
