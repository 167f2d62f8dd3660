from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


def override_wizard_action(wizard):
    """The window of an override wizard (this one, or a bridge's for orders and deliveries)."""
    return {
        "type": "ir.actions.act_window",
        "name": wizard.env._("Override the Credit Hold"),
        "res_model": wizard._name,
        "res_id": wizard.id,
        "view_mode": "form",
        "target": "new",
    }


class ReceivableHoldOverrideWizard(models.TransientModel):
    """Post customer invoices that a credit policy blocks: one override record per blocked
    invoice, with the reason, then posting.

    What is blocked is recomputed from the invoices to post, never taken from the client.
    """

    _name = "receivable.hold.override.wizard"
    _description = "Override a Credit Hold"

    post_move_ids = fields.Many2many(
        "account.move",
        "receivable_hold_override_post_rel",
        string="Invoices to Post",
        readonly=True,
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Blocked Invoices",
        compute="_compute_move_ids",
        help="The invoices to post that a credit policy blocks now.",
    )
    breach_summary = fields.Text(compute="_compute_move_ids", string="Why It Is Blocked")
    reason = fields.Text()

    @api.depends("post_move_ids")
    def _compute_move_ids(self):
        for wizard in self:
            blocked = wizard.post_move_ids._get_blocked_by_credit_policy()
            wizard.move_ids = [move._origin.id for move in blocked]
            wizard.breach_summary = "\n".join(
                message for _policy, items in blocked.values() for _code, message in items
            )

    def action_confirm(self):
        self.ensure_one()
        reason = (self.reason or "").strip()
        if not reason:
            raise ValidationError(self.env._("Give the reason for overriding the credit hold."))
        to_post = self.post_move_ids
        blocked = to_post._get_blocked_by_credit_policy()
        Override = self.env["receivable.credit.override"]
        # Refuse before anything is written if one policy may not be overridden by the user.
        for policy, _breaches in blocked.values():
            Override._check_may_override(policy)
        if blocked:
            # sudo: the right to override is the policy's group (Credit Managers by default,
            # configurable), which create() checks for the real user, sudo or not.
            Override.sudo().create([{"move_id": move.id, "reason": reason} for move in blocked])
        to_post.action_post()
        return {"type": "ir.actions.act_window_close"}
