"""An open item of the follow-up cockpit (``receivable.followup``): the invoice's note, and
its dispute and promise toggles, acting on the invoice at once."""

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from .receivable_security import check_receivable_group

LINE_STATUSES = [("overdue", "Overdue"), ("not_due", "Not Due"), ("credit", "Credit")]


class ReceivableFollowupLine(models.TransientModel):
    _name = "receivable.followup.line"
    _description = "Customer Follow-up: Open Item"
    _order = "date_maturity, id"

    followup_id = fields.Many2one(
        "receivable.followup", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="followup_id.company_id", store=True)
    currency_id = fields.Many2one(related="followup_id.currency_id")
    move_line_id = fields.Many2one("account.move.line", string="Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    date = fields.Date(readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_late = fields.Integer(string="Days Late", readonly=True)
    amount_residual = fields.Monetary(string="Amount Due", readonly=True)
    status = fields.Selection(LINE_STATUSES, readonly=True)
    dispute = fields.Boolean(string="In Dispute", readonly=True)
    dispute_reason = fields.Char(
        string="Dispute Reason", help="Required to put the invoice in dispute."
    )
    promised = fields.Boolean(string="Promised", readonly=True)
    promise_date = fields.Date(
        string="Promised For", help="The date the customer promises to pay this invoice by."
    )
    in_plan = fields.Boolean(string="In Payment Plan", readonly=True)
    expected_date = fields.Date(string="Expected Payment", readonly=True)
    note = fields.Text(related="move_id.receivable_followup_note", readonly=False)

    @api.model_create_multi
    def create(self, vals_list):
        check_receivable_group(self.env)
        return super().create(vals_list)

    def write(self, vals):
        check_receivable_group(self.env)
        return super().write(vals)

    def _check_line_access(self):
        self.ensure_one()
        self.followup_id._check_followup_access()

    def action_toggle_dispute(self):
        """Put the invoice in dispute (with the reason given) or resolve its dispute."""
        self._check_line_access()
        if self.dispute:
            self.move_id.action_resolve_dispute()
        else:
            if not (self.dispute_reason or "").strip():
                raise ValidationError(
                    self.env._("Dispute Reason: say why %s is disputed.", self.move_id.name)
                )
            self.move_id._open_dispute(self.dispute_reason)
        cockpit = self.followup_id
        cockpit._refresh()
        return True

    def action_toggle_promise(self):
        """Record the customer's promise to pay this invoice by the date given (of what it
        still owes), or cancel the open promises covering it."""
        self._check_line_access()
        cockpit = self.followup_id
        promises = self.env["receivable.promise"].search(
            [
                ("partner_id", "=", cockpit.partner_id.id),
                ("company_id", "=", cockpit.company_id.id),
                ("state", "=", "open"),
                ("move_ids", "in", self.move_id.ids),
            ]
        )
        if self.promised and promises:
            promises.action_cancel()
        else:
            if not self.promise_date:
                raise ValidationError(
                    self.env._("Promised For: give the date %s will be paid by.", self.move_id.name)
                )
            # The promise logs itself in the customer's chatter.
            self.env["receivable.promise"].create(
                {
                    "partner_id": cockpit.partner_id.id,
                    "company_id": cockpit.company_id.id,
                    "promise_date": self.promise_date,
                    "amount": self.amount_residual,
                    "move_ids": [Command.set(self.move_id.ids)],
                }
            )
        cockpit._refresh()
        return True
