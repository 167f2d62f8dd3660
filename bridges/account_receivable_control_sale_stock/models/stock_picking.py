from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _receivable_amount_company(self):
        """The value of the goods delivered, taxes included, in company currency, from their
        sales order lines (zero without a sales order)."""
        self.ensure_one()
        amount = 0.0
        for move in self.move_ids:
            line = move.sale_line_id
            if line and line.product_uom_qty:
                value = line.price_total / line.product_uom_qty * move.product_uom_qty
                amount += value / (line.order_id.currency_rate or 1.0)
        return amount

    def _get_credit_delivery_blocks(self):
        """{picking: (policy, breaches)} of the outgoing deliveries of customers on credit
        hold whose policy blocks deliveries."""
        result = {}
        deliveries = self.filtered(
            lambda p: (
                p.picking_type_code == "outgoing"
                and p.state not in ("done", "cancel")
                and p.partner_id
                and p.company_id.receivable_hold_enforcement
            )
        )
        for picking in deliveries:
            # sudo: warehouse users are checked against figures they may not read themselves.
            partner = picking.partner_id.commercial_partner_id.sudo().with_company(
                picking.company_id
            )
            policy = partner.receivable_effective_policy_id
            if not (policy.block_deliveries and partner.credit_on_hold):
                continue
            holds = [b for b in partner._get_credit_breaches() if b[0] == "hold"]
            result[picking] = (policy.sudo(False), holds)
        return result

    def _get_blocked_by_credit_policy(self):
        """{picking: (policy, breaches)} stopped and not covered by a valid override."""
        blocks = self._get_credit_delivery_blocks()
        covered = self.env["receivable.credit.override"]._find_covering_pickings(blocks)
        return {picking: value for picking, value in blocks.items() if picking not in covered}

    def _raise_credit_block(self, blocked, may_override=False):
        """Refuse the validation of ``self``, naming the ``blocked`` deliveries and why.

        :param may_override: the user may override every blocked delivery, one at a time (the
            override wizard is for one delivery: several deliveries are refused together)
        """
        sections = [
            (
                self.env._(
                    "The delivery %(picking)s is blocked by the credit policy “%(policy)s”:",
                    picking=picking.name,
                    policy=policy.name,
                ),
                breaches,
            )
            for picking, (policy, breaches) in blocked.items()
        ]
        self.env["receivable.credit.override"]._raise_refusal(
            sections,
            several=len(self) > 1,
            may_override=may_override,
            nothing_done=self.env._("Nothing was validated."),
            one_at_a_time=self.env._(
                "Open %(pickings)s and validate each on its own: you will be asked the reason "
                "for overriding its credit hold. The other deliveries can then be validated "
                "together.",
                pickings=", ".join(picking.name for picking in blocked),
            ),
        )

    def _log_credit_override(self, override, breaches):
        """Trace the delivery under an override on the delivery and on the customer."""
        self.ensure_one()
        title = self.env._(
            "Credit hold overridden by %(user)s to deliver %(picking)s: %(reason)s",
            user=override.user_id.name,
            picking=self.name,
            reason=override.reason,
        )
        override._post_override_trace(self, self.partner_id.commercial_partner_id, title, breaches)

    def _action_after_credit_override(self):
        """What the override wizard does once the override is recorded: validate."""
        return self.button_validate()

    # ------------------------------------------------------------------------------------------
    # Overrides
    # ------------------------------------------------------------------------------------------
    def button_validate(self):
        blocked = self._get_blocked_by_credit_policy()
        if blocked:
            Override = self.env["receivable.credit.override"]
            may_override = all(
                Override._may_override_policy(policy, self.env.user)
                for policy, _breaches in blocked.values()
            )
            if may_override and len(self) == 1:
                return self.env["receivable.document.override.wizard"]._open_for(
                    {"picking_id": self.id}
                )
            # Several deliveries: nothing is validated (see sale.order.action_confirm).
            self._raise_credit_block(blocked, may_override=may_override)
        return super().button_validate()

    def _action_done(self):
        # Every validation path (button, backorder wizard, RPC) comes here: a blocked delivery
        # is done only with a valid override record, whatever the context or the caller.
        blocks = self._get_credit_delivery_blocks()
        covered = self.env["receivable.credit.override"]._find_covering_pickings(blocks)
        blocked = {picking: value for picking, value in blocks.items() if picking not in covered}
        if blocked:
            self._raise_credit_block(blocked)
        result = super()._action_done()
        for picking, override in covered.items():
            if picking.state == "done":
                picking._log_credit_override(override, blocks[picking][1])
        return result
