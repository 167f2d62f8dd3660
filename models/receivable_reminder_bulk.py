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
        totals = self._totals_of_values(rows, *children_rows.values())
        for row, row_totals in zip(rows, totals, strict=True):
            row.update(row_totals)
        reminders = self.browse(insert_rows(self, rows))
        stored_here = [(self._totals_fields(), reminders)]
        finish_insert(reminders, rows, stored_here)
        for fname, model in children.items():
            child_rows = [
                {**values, "reminder_id": reminder_id}
                for reminder_id, reminder_children in zip(
                    reminders._ids, children_rows[fname], strict=True
                )
                for values in reminder_children
            ]
            finish_insert(model.browse(insert_rows(model, child_rows)), child_rows, stored_here)
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
    def _totals_of_values(self, rows, lines, credits):
        """The totals of the reminders of ``rows`` from the values of their ``lines`` and
        ``credits`` (a list per reminder), as their computes give them once those are stored
        (the amounts rounded by their currency)."""
        residuals, interests, fees = self._stored_children_amounts(
            lines, "amount_residual", "interest_amount", "fee_amount"
        )
        (credit_amounts,) = self._stored_children_amounts(credits, "amount_residual")
        currencies = {
            company_id: self.env["res.company"].browse(company_id).currency_id
            for company_id in {row["company_id"] for row in rows}
        }
        totals = []
        for row, *amounts in zip(rows, residuals, interests, fees, credit_amounts, strict=True):
            claimed = self._claimed_amounts(currencies[row["company_id"]], *amounts[:3])
            totals.append({**claimed, **self._net_amounts(claimed["amount_claimed"], amounts[3])})
        return totals

    @api.model
    def _stored_children_amounts(self, children, *names):
        """For each of ``names``, the amounts ``children`` (a list of values per reminder)
        store, a list per reminder: rounded column by column for the whole batch."""
        flat = [values for values_list in children for values in values_list]
        currency_ids = {values.get("currency_id") for values in flat}
        rounders = {
            currency_id: stored_amounts(self.env["res.currency"].browse(currency_id))
            for currency_id in currency_ids
        }
        if len(currency_ids) == 1:  # the run's batches: one currency, one call a column
            rounder = rounders[currency_ids.pop()]
            columns = [rounder([values.get(name) for values in flat]) for name in names]
        else:
            columns = [
                [rounders[values.get("currency_id")]([values.get(name)])[0] for values in flat]
                for name in names
            ]
        result = []
        for column in columns:
            per_reminder, start = [], 0
            for values_list in children:
                per_reminder.append(column[start : start + len(values_list)])
                start += len(values_list)
            result.append(per_reminder)
        return result
