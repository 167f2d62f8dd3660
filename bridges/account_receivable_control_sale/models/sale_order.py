from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_amount


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    receivable_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    receivable_credit_available = fields.Monetary(
        string="Available Credit",
        currency_field="receivable_currency_id",
        compute="_compute_receivable_credit",
        help="The customer's credit limit minus its exposure (open and pending invoices, "
        "orders to invoice), before this quotation. Zero when the customer has no limit.",
    )
    receivable_credit_limit = fields.Monetary(
        string="Applied Credit Limit",
        currency_field="receivable_currency_id",
        compute="_compute_receivable_credit",
    )
    receivable_credit_on_hold = fields.Boolean(
        string="Customer on Credit Hold", compute="_compute_receivable_credit"
    )
    receivable_credit_hold_reason = fields.Text(
        string="Hold Reason", compute="_compute_receivable_credit"
    )
    receivable_credit_alert = fields.Text(
        string="Credit Policy Alert",
        compute="_compute_receivable_credit",
        help="Why confirming this quotation breaks the customer's credit policy.",
    )
    receivable_credit_blocking = fields.Boolean(compute="_compute_receivable_credit")
    receivable_credit_override_count = fields.Integer(
        string="Credit Overrides", compute="_compute_receivable_credit_override_count"
    )

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends("partner_id", "company_id", "amount_total", "state")
    @api.depends_context("uid")
    def _compute_receivable_credit(self):
        breaches = self._get_credit_policy_breaches()
        blocks = self._select_credit_blocks(breaches)
        covered = self.env["receivable.credit.override"]._find_covering_orders(blocks)
        for order in self:
            # sudo: the credit figures of the customer are shown to the salesperson selling
            # to it, as Odoo's own credit warning on quotations does.
            partner = order.partner_id.commercial_partner_id.sudo().with_company(order.company_id)
            known = bool(order.partner_id)
            order.receivable_credit_available = partner.credit_available if known else 0.0
            order.receivable_credit_limit = partner.credit_limit_effective if known else 0.0
            order.receivable_credit_on_hold = known and partner.credit_on_hold
            order.receivable_credit_hold_reason = (
                partner._get_credit_hold_reason_text() if order.receivable_credit_on_hold else False
            )
            lines = [message for _code, message in breaches.get(order, (None, []))[1]]
            override = covered.get(order)
            if override:
                lines.append(
                    self.env._(
                        "Confirmation allowed by the override of %(user)s: %(reason)s",
                        user=override.user_id.name,
                        reason=override.reason,
                    )
                )
            order.receivable_credit_alert = "\n".join(lines)
            order.receivable_credit_blocking = order in blocks and not override

    def _compute_receivable_credit_override_count(self):
        # sudo: the salesperson sees how many overrides let the order through, not their content
        counts = dict(
            self.env["receivable.credit.override"]
            .sudo()
            ._read_group([("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"])
        )
        for order in self:
            order.receivable_credit_override_count = counts.get(order._origin, 0)

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _receivable_amount_to_invoice(self):
        """What the confirmed order still adds to the exposure, taxes included, in company
        currency: the ordered quantities not on an invoice yet (a draft invoice already counts
        as a pending invoice)."""
        self.ensure_one()
        amount = 0.0
        for line in self.order_line:
            if line.display_type or not line.product_uom_qty:
                continue
            remaining = max(line.product_uom_qty - line.qty_invoiced, 0.0)
            amount += line.price_total / line.product_uom_qty * remaining
        return amount / (self.currency_rate or 1.0)

    def _receivable_amount_company(self):
        """The quotation's total in company currency: what confirming it adds to the exposure."""
        self.ensure_one()
        return self.amount_total / (self.currency_rate or 1.0)

    def _get_credit_policy_breaches(self):
        """{order: (policy, breaches)} of the quotations whose confirmation breaks the
        customer's policy: its exposure with the quotation's total added. A quotation is not
        in the exposure yet; a confirmed order is (``receivable_sale_to_invoice``), so it is
        never counted twice."""
        result = {}
        quotations = self.filtered(
            lambda o: (
                o.state in ("draft", "sent")
                and o.partner_id
                and o.company_id.receivable_hold_enforcement
            )
        )
        for order in quotations:
            # sudo: a salesperson is checked against figures they may not read themselves.
            partner = order.partner_id.commercial_partner_id.sudo().with_company(order.company_id)
            policy = partner.receivable_effective_policy_id
            if not policy and not partner.credit_on_hold:
                continue
            breaches = partner._get_credit_breaches(order._receivable_amount_company())
            if breaches:
                result[order] = (policy.sudo(False), breaches)
        return result

    @api.model
    def _select_credit_blocks(self, breaches):
        """The orders whose confirmation is stopped: a blocking policy, or a customer on hold
        (goods are not promised to a customer on hold, whatever the policy)."""
        return {
            order: (policy, items)
            for order, (policy, items) in breaches.items()
            if (policy and policy.hold_rule == "block") or any(code == "hold" for code, _m in items)
        }

    def _get_blocked_by_credit_policy(self):
        """{order: (policy, breaches)} stopped and not covered by a valid override."""
        blocks = self._select_credit_blocks(self._get_credit_policy_breaches())
        covered = self.env["receivable.credit.override"]._find_covering_orders(blocks)
        return {order: value for order, value in blocks.items() if order not in covered}

    def _raise_credit_block(self, blocked):
        lines = []
        for order, (policy, breaches) in blocked.items():
            if policy:
                lines.append(
                    self.env._(
                        "%(order)s (%(amount)s) is blocked by the credit policy “%(policy)s”:",
                        order=order.name,
                        amount=format_amount(self.env, order.amount_total, order.currency_id),
                        policy=policy.name,
                    )
                )
            else:
                lines.append(
                    self.env._(
                        "%(order)s (%(amount)s) cannot be confirmed:",
                        order=order.name,
                        amount=format_amount(self.env, order.amount_total, order.currency_id),
                    )
                )
            lines.extend(f"- {message}" for _code, message in breaches)
        lines.append(self.env._("Ask a Credit Manager to override the hold."))
        raise UserError("\n".join(lines))

    def _log_credit_override(self, override, breaches):
        """Trace the confirmation under an override on the order and on the customer."""
        self.ensure_one()
        title = self.env._(
            "Credit hold overridden by %(user)s to confirm %(order)s (%(amount)s): %(reason)s",
            user=override.user_id.name,
            order=self.name,
            amount=format_amount(self.env, self.amount_total, self.currency_id),
            reason=override.reason,
        )
        override._post_override_trace(self, self.partner_id.commercial_partner_id, title, breaches)

    # ------------------------------------------------------------------------------------------
    # Overrides
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        self.env["res.partner"]._invalidate_credit_figures()
        return orders

    def write(self, vals):
        result = super().write(vals)
        self.env["res.partner"]._invalidate_credit_figures()
        return result

    def action_confirm(self):
        # Every confirmation (button, RPC, other modules) comes here: a stopped quotation is
        # confirmed only with a valid override record, whatever the context or the caller.
        blocks = self._select_credit_blocks(self._get_credit_policy_breaches())
        Override = self.env["receivable.credit.override"]
        covered = Override._find_covering_orders(blocks)
        blocked = {order: value for order, value in blocks.items() if order not in covered}
        if blocked:
            policies = [policy for policy, _b in blocked.values()]
            if len(self) == 1 and all(
                Override._may_override_policy(policy, self.env.user) for policy in policies
            ):
                return self.env["receivable.document.override.wizard"]._open_for(
                    {"sale_order_id": self.id}
                )
            self._raise_credit_block(blocked)
        result = super().action_confirm()
        for order, override in covered.items():
            order._log_credit_override(override, blocks[order][1])
        return result

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_view_credit_overrides(self):
        """The credit hold overrides of the order (smart button)."""
        return self.env["receivable.credit.override"]._action_view_of_document(
            self, "sale_order_id"
        )

    def _action_after_credit_override(self):
        """What the override wizard does once the override is recorded: confirm."""
        return self.action_confirm()
