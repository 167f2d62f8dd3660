from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
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
        never counted twice. A quotation paid in full online (authorized or confirmed
        payment transactions covering its total) gives no credit: it breaks nothing."""
        result = {}
        quotations = self.filtered(
            lambda o: (
                o.state in ("draft", "sent")
                and o.partner_id
                and o.company_id.receivable_hold_enforcement
            )
        )
        # sudo: the payment transactions are hidden from salespeople; only their total is used.
        quotations -= quotations.sudo().filtered(lambda o: o.transaction_ids and o._is_paid())
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

    def _raise_credit_block(self, blocked, may_override=False):
        """Refuse the confirmation of ``self``, naming the ``blocked`` orders and why.

        :param may_override: the user may override every blocked order, one at a time (the
            override wizard is for one order: several orders are refused together)
        """
        sections = []
        for order, (policy, breaches) in blocked.items():
            amount = format_amount(self.env, order.amount_total, order.currency_id)
            if policy:
                header = self.env._(
                    "%(order)s (%(amount)s) is blocked by the credit policy “%(policy)s”:",
                    order=order.name,
                    amount=amount,
                    policy=policy.name,
                )
            else:
                header = self.env._(
                    "%(order)s (%(amount)s) cannot be confirmed:", order=order.name, amount=amount
                )
            sections.append((header, breaches))
        self.env["receivable.credit.override"]._raise_refusal(
            sections,
            several=len(self) > 1,
            may_override=may_override,
            nothing_done=self.env._("Nothing was confirmed."),
            one_at_a_time=self.env._(
                "Open %(orders)s and confirm each on its own: you will be asked the reason for "
                "overriding its credit hold. The other orders can then be confirmed together.",
                orders=", ".join(order.name for order in blocked),
            ),
        )

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

    def _hold_paid_quotation(self, transaction, breaches):
        """The online payment ``transaction`` reached the amount that confirms this quotation,
        but the customer's credit policy stops it (``breaches``)."""
        self.ensure_one()
        self._hold_customer_confirmation(
            self.env._(
                "The payment %(payment)s (%(amount)s of %(total)s) did not confirm this "
                "quotation: the customer's credit policy stops it. A Credit Manager may confirm "
                "it, giving the reason for overriding the credit hold, or cancel it and refund "
                "the payment.",
                payment=transaction.reference,
                amount=format_amount(self.env, transaction.amount, transaction.currency_id),
                total=format_amount(self.env, self.amount_total, self.currency_id),
            ),
            breaches,
        )

    def _hold_customer_confirmation(self, text, breaches):
        """The customer confirmed this quotation online (paid, signed) but its credit policy
        stops it (``breaches``): ``text`` and the breaches on the order, for the staff only,
        and a To-Do to confirm or cancel it for the customer's collector, else a Credit
        Manager, else the salesperson (the first who can open the order). Never raises: the
        customer's confirmation is recorded whatever the credit policy says."""
        self.ensure_one()
        # sudo: run for the customer (the public or portal user, the payment cron), who may
        # not read the customer's collector nor write on the order.
        order = self.sudo()
        partner = order.partner_id.commercial_partner_id.with_company(order.company_id)
        summary = self.env._("Stopped by the credit policy: confirm or cancel")
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            text,
            Markup().join(Markup("<li>%s</li>") % message for _code, message in breaches),
        )
        order.message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
            author_id=self.env.ref("base.partner_root").id,
        )
        # The first who can open the quotation: the collector, a Credit Manager, the seller.
        candidates = (
            partner.receivable_collector_id,
            self.env["receivable.risk.engine"]._get_risk_user(order.company_id),
            order.user_id,
        )
        assignee = next(
            (user for user in candidates if user and order.with_user(user).has_access("read")),
            self.env["res.users"],
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        already = order.activity_ids.filtered(
            lambda a: a.activity_type_id == todo and a.user_id == assignee and a.summary == summary
        )
        if assignee and not already:
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=body,
                user_id=assignee.id,
            )

    # ------------------------------------------------------------------------------------------
    # Overrides
    # ------------------------------------------------------------------------------------------
    def _validate_order(self):
        """The customer's own confirmation (the portal's Accept & Sign without payment, a free
        webshop order): a quotation the credit policy stops stays a quotation for a Credit
        Manager, instead of an error that would show the customer the internal hold."""
        blocked = self._get_blocked_by_credit_policy()
        for order, (_policy, breaches) in blocked.items():
            order._hold_customer_confirmation(
                self.env._(
                    "The customer accepted this quotation online, but it was not confirmed: "
                    "the customer's credit policy stops it. A Credit Manager may confirm it, "
                    "giving the reason for overriding the credit hold, or cancel it."
                ),
                breaches,
            )
        confirmable = self.filtered(lambda order: order not in blocked)
        return super(SaleOrder, confirmable)._validate_order() if confirmable else None

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
            may_override = all(
                Override._may_override_policy(policy, self.env.user)
                for policy, _breaches in blocked.values()
            )
            if may_override and len(self) == 1:
                return self.env["receivable.document.override.wizard"]._open_for(
                    {"sale_order_id": self.id}
                )
            # Several orders: the wizard overrides one order, with its own reason. Nothing is
            # confirmed, not even the orders that are not blocked, so the user can simply
            # select them again once the blocked ones are dealt with.
            self._raise_credit_block(blocked, may_override=may_override)
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
