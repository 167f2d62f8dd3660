from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError


class ReceivableHoldOverrideWizard(models.TransientModel):
    """Post customer invoices that a credit policy blocks, with the reason logged."""

    _name = "receivable.hold.override.wizard"
    _description = "Override a Credit Hold"

    move_ids = fields.Many2many("account.move", string="Blocked Invoices", readonly=True)
    post_move_ids = fields.Many2many(
        "account.move",
        "receivable_hold_override_post_rel",
        string="Invoices to Post",
        readonly=True,
    )
    breach_summary = fields.Text(compute="_compute_breach_summary", string="Why It Is Blocked")
    reason = fields.Text()

    @api.depends("move_ids")
    def _compute_breach_summary(self):
        for wizard in self:
            breaches = wizard.move_ids._get_credit_policy_breaches()
            wizard.breach_summary = "\n".join(
                message for _policy, items in breaches.values() for _code, message in items
            )

    def action_confirm(self):
        self.ensure_one()
        reason = (self.reason or "").strip()
        if not reason:
            raise ValidationError(self.env._("Give the reason for overriding the credit hold."))
        blocked = self.move_ids._get_blocked_by_credit_policy()
        for policy, _breaches in blocked.values():
            if not policy._may_override(self.env.user):
                raise UserError(
                    self.env._("You may not override the credit policy “%s”.", policy.name)
                )
        to_post = self.post_move_ids or self.move_ids
        to_post.with_context(receivable_hold_override=reason).action_post()
        for move, (_policy, breaches) in blocked.items():
            move._log_credit_override(reason, breaches)
        return {"type": "ir.actions.act_window_close"}
