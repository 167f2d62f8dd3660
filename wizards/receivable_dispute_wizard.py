from odoo import fields
from odoo import models


class ReceivableDisputeWizard(models.TransientModel):
    """Open a dispute on invoices: a reason is required, reminders stop for them."""

    _name = "receivable.dispute.wizard"
    _description = "Open a Dispute"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    reason = fields.Char(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.move_ids._open_dispute(self.reason)
        return {"type": "ir.actions.act_window_close"}
