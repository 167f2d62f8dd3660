from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

MANAGER_GROUP = "account_receivable_control.group_credit_manager"


class ReceivableCreditOverride(models.Model):
    """An override lets through one invoice, or one sales order (its confirmation)."""

    _inherit = "receivable.credit.override"

    move_id = fields.Many2one(required=False)
    # A customer on hold without a credit policy: a Credit Manager overrides.
    policy_id = fields.Many2one(required=False)
    sale_order_id = fields.Many2one(
        "sale.order",
        string="Sales Order",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
    )

    _one_document = models.Constraint(
        "CHECK(num_nonnulls(move_id, sale_order_id) = 1)",
        "A credit override lets through exactly one document.",
    )

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    @api.model
    def _document_fields(self):
        """The fields naming the non-invoice documents an override lets through."""
        return ["sale_order_id"]

    @api.model
    def _prepare_override_vals_list(self, vals_list):
        """Invoices as the main module prepares them; other documents by their model, in the
        order given."""
        documents = self._document_fields()
        others = [vals for vals in vals_list if not any(vals.get(f) for f in documents)]
        prepared = iter(super()._prepare_override_vals_list(others) if others else [])
        result = []
        for vals in vals_list:
            name = next((f for f in documents if vals.get(f)), None)
            result.append(self._prepare_document_values(name, vals) if name else next(prepared))
        return result

    @api.model
    def _prepare_document_values(self, field_name, vals):
        """The values of the override of the document ``vals[field_name]``, read from it."""
        document = self.env[self._fields[field_name].comodel_name].browse(vals[field_name])
        # The real user must see the document (its company included), sudo or not.
        document.sudo(False).check_access("read")
        blocked = document._get_blocked_by_credit_policy()
        policy, breaches, reason = self._check_override_request(document, blocked, vals)
        amount = document._receivable_amount_company()
        # The document is not in the exposure yet: its amount is added to it.
        return self._override_record_values(
            field_name,
            document,
            document.partner_id.commercial_partner_id,
            amount,
            amount,
            policy,
            breaches,
            reason,
        )

    @api.model
    def _raise_refusal(self, sections, several, may_override, nothing_done, one_at_a_time):
        """Refuse to let documents through: for each blocked one, its ``header`` and the
        rules it breaks (``sections``: [(header, breaches)]); ``nothing_done`` when the user
        asked for ``several`` documents at once; then how to go on: ``one_at_a_time`` for a
        user who ``may_override`` (the override wizard takes one document and its reason),
        else ask a Credit Manager."""
        lines = []
        for header, breaches in sections:
            lines.append(header)
            lines.extend(f"- {message}" for _code, message in breaches)
        if several:
            lines.append(nothing_done)
        if may_override:
            lines.append(one_at_a_time)
        else:
            lines.append(self.env._("Ask a Credit Manager to override the hold."))
        raise UserError("\n".join(lines))

    @api.model
    def _may_override_policy(self, policy, user):
        """Whether ``user`` may override ``policy``; without a policy (a customer on hold),
        the Credit Managers may."""
        if policy:
            return policy._may_override(user)
        return user.has_group(MANAGER_GROUP)

    @api.model
    def _check_may_override(self, policy):
        if policy:
            return super()._check_may_override(policy)
        if not self._may_override_policy(policy, self.env.user):
            raise AccessError(
                self.env._("Only a Credit Manager may override the credit hold of a customer.")
            )
        return None

    def _covers_document(self, field_name, document, policy):
        """Whether this override still lets ``document`` through under ``policy``: same
        document and company, amount not raised since, granted by a user who may."""
        self.ensure_one()
        currency = document.company_id.currency_id
        return (
            self[field_name] == document._origin
            and self.company_id == document.company_id
            and currency.compare_amounts(document._receivable_amount_company(), self.amount_granted)
            <= 0
            and self._may_override_policy(policy, self.user_id)
        )

    @api.model
    def _find_covering_documents(self, field_name, blocked):
        """{document: override} for the blocked documents a valid override covers.

        :param blocked: {document: (policy, breaches)}
        """
        ids = [document._origin.id for document in blocked if document._origin.id]
        if not ids:
            return {}
        # sudo: confirming must see the overrides whoever confirms (a salesperson confirming
        # an order a Credit Manager overrode); only the covered documents are returned.
        overrides = self.sudo().search([(field_name, "in", ids)], order="id desc")
        by_document = defaultdict(list)
        for override in overrides:
            by_document[override[field_name].id].append(override)
        covered = {}
        for document, (policy, _breaches) in blocked.items():
            override = next(
                (
                    o
                    for o in by_document[document._origin.id]
                    if o._covers_document(field_name, document, policy)
                ),
                None,
            )
            if override:
                covered[document] = override
        return covered

    @api.model
    def _find_covering_orders(self, blocked):
        return self._find_covering_documents("sale_order_id", blocked)
