from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError

from ..models.res_partner import MANAGER_GROUP


class ReceivableCreditHoldWizard(models.TransientModel):
    """A Credit Manager puts a partner on hold or releases it, always with a reason."""

    _name = "receivable.credit.hold.wizard"
    _description = "Put on / Release Credit Hold"

    partner_id = fields.Many2one("res.partner", required=True, readonly=True)
    action = fields.Selection(
        [("hold", "Put on hold"), ("release", "Release the hold")], required=True, readonly=True
    )
    current_reason = fields.Text(
        related="partner_id.credit_hold_reason_display", string="Current Reason"
    )
    reason = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager may put on hold or release."))
        reason = (self.reason or "").strip()
        if not reason:
            raise ValidationError(self.env._("Give the reason of this decision."))
        partner = self.partner_id.commercial_partner_id
        if self.action == "hold":
            partner._put_on_credit_hold(reason, origin="manual")
        else:
            partner._release_credit_hold(reason)
        return {"type": "ir.actions.act_window_close"}
