from odoo import api
from odoo import models
from odoo.fields import Command

from .bulk_insert import finish_insert
from .bulk_insert import insert_rows
from .bulk_insert import stored_amounts

# The reminder's totals, computed from its lines and credits (``_compute_amount_total`` and
# ``_compute_amount_net``): stored by the set-based creation itself.
TOTALS = (
    "amount_total",
    "line_count",
    "amount_interest",
    "amount_fees",
    "amount_claimed",
    "amount_credits",
    "amount_net",
)


class ReceivableReminder(models.Model):
    _inherit = "receivable.reminder"

    @api.model
    def _create_in_bulk(self, vals_list):
        """``create(vals_list)`` set-based, for the dunning run's batches: one INSERT for the
        reminders with their totals, one for their lines and one for their credits
        (``Command.create`` of ``line_ids`` and ``credit_ids``): see ``bulk_insert``.

        The same rows as ``create`` stores, the totals computed by the same code as its
        computes from the amounts as stored; the same guards (only the engine creates
        reminders, access rights and record rules, company check, references drawn at once)
        and no chatter (the run creates reminders without tracking, followers nor messages).
        """
        if not vals_list:
            return self.browse()
        children = {
            "line_ids": self.env["receivable.reminder.line"],
            "credit_ids": self.env["receivable.reminder.credit"],
        }
        for model in (self, *children.values()):
            model._check_engine_create()
        self._name_new(vals_list)
        rows, children_rows = [], {fname: [] for fname in children}
        for vals in vals_list:
            row = {name: value for name, value in vals.items() if name not in children}
            for fname, child_rows in children_rows.items():
                child_rows.append(
                    [self._created_values(command) for command in vals.get(fname, ())]
                )
            rows.append(row)
        rounders = {}
        for row, lines, credits in zip(rows, *children_rows.values(), strict=True):
            row.update(self._totals_of_values(row, lines, credits, rounders))
        reminders = self.browse(insert_rows(self, rows))
        totals = [(self._totals_fields(), reminders)]
        finish_insert(reminders, rows, totals)
        for fname, model in children.items():
            child_rows = [
                {**values, "reminder_id": reminder_id}
                for reminder_id, reminder_children in zip(
                    reminders._ids, children_rows[fname], strict=True
                )
                for values in reminder_children
            ]
            finish_insert(model.browse(insert_rows(model, child_rows)), child_rows, totals)
        return reminders

    @api.model
    def _created_values(self, command):
        if command[0] != Command.CREATE:
            raise NotImplementedError(f"{command[0]}: only new lines are created set-based")
        return command[2]

    @api.model
    def _totals_fields(self):
        return [self._fields[name] for name in TOTALS]

    @api.model
    def _totals_of_values(self, row, lines, credits, rounders):
        """The totals of the reminder of ``row`` from the values of its ``lines`` and
        ``credits``, as its computes give them once those are stored (amounts rounded by
        their currency: ``rounders``, {currency id: ``stored_amounts``}, filled as needed)."""

        def stored(records, *names):
            """The stored amounts ``names`` of ``records``, one list per name."""
            currency_ids = {values.get("currency_id") for values in records}
            for currency_id in currency_ids - rounders.keys():
                rounders[currency_id] = stored_amounts(self.env["res.currency"].browse(currency_id))
            if len(currency_ids) == 1:  # the rule: one currency, rounded list by list
                rounder = rounders[currency_ids.pop()]
                return [rounder([values.get(name) for values in records]) for name in names]
            return [
                [rounders[values.get("currency_id")]([values.get(name)])[0] for values in records]
                for name in names
            ]

        company = self.env["res.company"].browse(row["company_id"])
        claimed = self._claimed_amounts(
            company.currency_id, *stored(lines, "amount_residual", "interest_amount", "fee_amount")
        )
        (credit_amounts,) = stored(credits, "amount_residual")
        return {**claimed, **self._net_amounts(claimed["amount_claimed"], credit_amounts)}
