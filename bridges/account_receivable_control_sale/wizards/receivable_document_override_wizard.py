from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from odoo.addons.account_receivable_control.wizards.receivable_hold_override_wizard import (
    override_wizard_action,
)


class ReceivableDocumentOverrideWizard(models.TransientModel):
    """Let through a sales order (or, with the stock bridge, a delivery) that a credit policy
    stops: one override record with the reason, then the confirmation.

    What is blocked is recomputed from the document, never taken from the client.
    """

    _name = "receivable.document.override.wizard"
    _description = "Override a Credit Hold on a Document"

    sale_order_id = fields.Many2one("sale.order", string="Sales Order", readonly=True)
    breach_summary = fields.Text(compute="_compute_breach_summary", string="Why It Is Blocked")
    reason = fields.Text()

    @api.model
    def _document_fields(self):
        return ["sale_order_id"]

    def _get_document(self):
        self.ensure_one()
        return next((self[name] for name in self._document_fields() if self[name]), None)

    @api.depends("sale_order_id")
    def _compute_breach_summary(self):
        for wizard in self:
            document = wizard._get_document()
            blocked = document._get_blocked_by_credit_policy() if document else {}
            wizard.breach_summary = "\n".join(
                message for _policy, items in blocked.values() for _code, message in items
            )

    @api.model
    def _open_for(self, values):
        return override_wizard_action(self.create(values))

    def action_confirm(self):
        self.ensure_one()
        reason = (self.reason or "").strip()
        if not reason:
            raise ValidationError(self.env._("Give the reason for overriding the credit hold."))
        document = self._get_document()
        if not document:
            raise UserError(self.env._("Choose the document whose credit hold to override."))
        blocked = document._get_blocked_by_credit_policy()
        Override = self.env["receivable.credit.override"]
        for policy, _breaches in blocked.values():
            Override._check_may_override(policy)
        field_name = next(name for name in self._document_fields() if self[name])
        if blocked:
            # sudo: the right to override is the policy's group (Credit Managers by default),
            # which create() checks for the real user, sudo or not.
            Override.sudo().create([{field_name: document.id, "reason": reason}])
        result = document._action_after_credit_override()
        return result if isinstance(result, dict) else {"type": "ir.actions.act_window_close"}
