"""Late payments of the receivable facts (see ``receivable_facts.py``): the parts of a
receivable line paid after its due date, which bear late-payment interest until paid.

* **Late payment.** A matching of a receivable debit line whose date (``max_date``, the later
  of the two entries' dates: when the money met the invoice) is after the line's due date.
* What is not a payment: the credit note reversing the invoice (the amount was never owed)
  and an exchange-difference entry (a change of the amount in the company currency, not
  money received).
"""

from collections import defaultdict

from odoo import api
from odoo import models
from odoo.tools import SQL


class ReceivableFacts(models.AbstractModel):
    _inherit = "receivable.facts"

    @api.model
    def _late_payments_query(self, line_ids, date):
        """SQL of the late payments of the receivable debit lines ``line_ids`` made up to
        ``date``: line_id, pay_date, amount (company currency), one row per matching."""
        partial = self.env["account.partial.reconcile"]
        partial_fields = [
            partial._fields[name]
            for name in (
                "debit_move_id",
                "credit_move_id",
                "amount",
                "max_date",
                "exchange_move_id",
            )
        ]
        move_fields = [self.env["account.move"]._fields["reversed_entry_id"]]
        return SQL(
            """
            SELECT aml.id AS line_id, partial.max_date AS pay_date, partial.amount
              FROM account_move_line aml
              JOIN account_partial_reconcile partial ON partial.debit_move_id = aml.id
              JOIN account_move_line counterpart ON counterpart.id = partial.credit_move_id
              JOIN account_move cmove ON cmove.id = counterpart.move_id
             WHERE aml.id = ANY(%(ids)s)
               AND partial.max_date > %(due)s
               AND partial.max_date <= %(date)s::date
               AND cmove.reversed_entry_id IS DISTINCT FROM aml.move_id
               AND NOT EXISTS (SELECT 1 FROM account_partial_reconcile exchange
                                WHERE exchange.exchange_move_id = cmove.id)
            """,
            ids=list(line_ids),
            due=self._due_date_sql(),
            date=date,
            to_flush=partial_fields + move_fields + self._structure_fields(),
        )

    @api.model
    def _get_late_payments(self, line_ids, date):
        """{line id: [(payment date, amount), ...]} of ``line_ids``' late payments up to
        ``date``, in date order: one query for all the lines."""
        if not line_ids:
            return {}
        payments = defaultdict(list)
        rows = self.env.execute_query(
            SQL("%s ORDER BY 1, 2", self._late_payments_query(line_ids, date))
        )
        for line_id, pay_date, amount in rows:
            payments[line_id].append((pay_date, amount))
        return dict(payments)
