from odoo import fields
from odoo import models


class ReceivablePaymentPlanRequestRefuse(models.TransientModel):
    """Refuse payment plan requests: the reason is required, the customer reads it."""

    _name = "receivable.payment.plan.request.refuse"
    _description = "Refuse a Payment Plan Request"

    request_ids = fields.Many2many(
        "receivable.payment.plan.request",
        "receivable_plan_request_refuse_rel",
        "wizard_id",
        "request_id",
        string="Requests",
        required=True,
    )
    reason = fields.Text(required=True, help="Shown to the customer on the portal.")

    def action_confirm(self):
        self.ensure_one()
        self.request_ids._refuse(self.reason)
        return {"type": "ir.actions.act_window_close"}
