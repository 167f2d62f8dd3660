from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common import SaleCreditCommon


@tagged("post_install", "-at_install")
class TestSaleCredit(SaleCreditCommon):
    """Confirming a quotation checks the customer's policy with the order added to its
    exposure; a stopped quotation goes through only with a Credit Manager's override."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Override = cls.env["receivable.credit.override"]
        # Limit 1,000 + 10 % tolerance: 1,100 allowed.
        cls.policy.hold_rule = "block"

    def _exposure(self, partner=None):
        partner = partner or self.customer
        partner.invalidate_recordset()
        return partner.with_company(self.company).credit_exposure

    # ------------------------------------------------------------------------------------------
    # Exposure
    # ------------------------------------------------------------------------------------------
    def test_confirmed_order_counts_once_in_exposure(self):
        order = self._quotation(400.0)
        self.assertEqual(self._exposure(), 0.0, "a quotation is no credit yet")
        order.action_confirm()
        self.assertEqual(self.customer.receivable_sale_to_invoice, 400.0)
        self.assertEqual(self._exposure(), 400.0)
        # Invoiced as a draft: a pending invoice, no longer to invoice.
        invoice = order._create_invoices()
        self.assertEqual(self._exposure(), 400.0)
        self.assertEqual(self.customer.receivable_sale_to_invoice, 0.0)
        invoice.action_post()
        self.assertEqual(self._exposure(), 400.0)
        self.assertEqual(self.customer.with_company(self.company).credit_open_amount, 400.0)

    def test_customer_list_filter_counts_orders_to_invoice(self):
        self.policy.hold_rule = "warn"
        self._quotation(1500.0).action_confirm()
        over = self.env["res.partner"].search([("credit_over_limit", "=", True)])
        self.assertIn(self.customer, over)
        self.assertIn(self.contact, over)

    # ------------------------------------------------------------------------------------------
    # Block
    # ------------------------------------------------------------------------------------------
    def test_salesperson_blocked_over_limit(self):
        self._invoice(800.0)
        order = self._quotation(500.0, user=self.salesman)
        self.assertTrue(order.receivable_credit_blocking)
        self.assertIn("exceeds the credit limit", order.receivable_credit_alert)
        with self.assertRefused(UserError, r"blocked by the credit policy “Test B2B”(.|\n)*by "):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        # Under the limit: confirmed.
        small = self._quotation(200.0, user=self.salesman)
        self.assertFalse(small.receivable_credit_alert)
        small.action_confirm()
        self.assertEqual(small.state, "sale")

    def test_hold_stops_confirmation_even_under_warn_policy(self):
        self.policy.hold_rule = "warn"
        self.customer.with_user(self.manager)._put_on_credit_hold("Cheque bounced")
        order = self._quotation(50.0, user=self.salesman)
        self.assertTrue(order.receivable_credit_on_hold)
        self.assertEqual(order.receivable_credit_hold_reason, "Cheque bounced")
        with self.assertRefused(UserError, "on credit hold: Cheque bounced"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_salesperson_cannot_forge_override(self):
        order = self._quotation(1500.0, user=self.salesman)
        with self.assertRaises(AccessError):
            self.Override.with_user(self.salesman).create(
                {"sale_order_id": order.id, "reason": "trust me"}
            )
        with self.assertRaises(AccessError):
            self.Override.with_user(self.salesman).sudo().create(
                {"sale_order_id": order.id, "reason": "trust me"}
            )
        self.assertFalse(self.Override.search([("sale_order_id", "=", order.id)]))

    # ------------------------------------------------------------------------------------------
    # Override
    # ------------------------------------------------------------------------------------------
    def test_credit_manager_overrides_and_confirms(self):
        order = self._quotation(1500.0, user=self.sale_manager)
        action = order.action_confirm()
        self.assertEqual(action["res_model"], "receivable.document.override.wizard")
        self.assertEqual(order.state, "draft")
        wizard = self.env["receivable.document.override.wizard"].with_user(self.sale_manager)
        wizard = wizard.browse(action["res_id"])
        self.assertIn("exceeds the credit limit", wizard.breach_summary)
        with Form(wizard) as form:
            form.reason = "Bank guarantee received"
        wizard.action_confirm()
        self.assertEqual(order.state, "sale")
        override = self.Override.search([("sale_order_id", "=", order.id)])
        self.assertRecordValues(
            override,
            [
                {
                    "partner_id": self.customer.id,
                    "user_id": self.sale_manager.id,
                    "reason": "Bank guarantee received",
                    "amount_granted": 1500.0,
                    "amount_over": 400.0,
                    "move_id": False,
                }
            ],
        )
        expected = "Credit hold overridden by"
        self.assertIn(expected, self._last_message(order))
        self.assertIn("Bank guarantee received", self._last_message(order))
        self.assertIn(expected, self._last_message(self.customer))
        self.assertEqual(order.receivable_credit_override_count, 1)
        action = order.with_user(self.sale_manager).action_view_credit_overrides()
        self.assertEqual(self.Override.search(action["domain"]), override)

    def test_credit_manager_confirming_several_orders_is_told_to_override_each(self):
        good = self._quotation(100.0, user=self.sale_manager)
        blocked = self._quotation(1500.0, user=self.sale_manager)
        orders = (good | blocked).with_user(self.sale_manager)
        with self.assertRefused(UserError, "Nothing was confirmed") as caught:
            orders.action_confirm()
        message = str(caught.exception)
        self.assertIn(f"{blocked.name} (", message)
        self.assertNotIn(f"{good.name} (", message, "only the blocked order is named")
        self.assertIn(f"Open {blocked.name} and confirm each on its own", message)
        self.assertNotIn("Ask a Credit Manager", message)
        self.assertEqual((good | blocked).mapped("state"), ["draft", "draft"])
        self.assertFalse(self.Override.search([("sale_order_id", "in", orders.ids)]))
        # One by one: the blocked order through the override, then the other.
        action = blocked.with_user(self.sale_manager).action_confirm()
        self.assertEqual(action["res_model"], "receivable.document.override.wizard")

    def test_salesperson_confirming_several_orders(self):
        orders = self._quotation(100.0) | self._quotation(1500.0)
        with self.assertRefused(UserError, r"Nothing was confirmed.\nAsk a Credit Manager"):
            orders.with_user(self.salesman).action_confirm()
        self.assertEqual(orders.mapped("state"), ["draft", "draft"])

    def test_override_does_not_cover_a_larger_order(self):
        order = self._quotation(1500.0)
        self.Override.with_user(self.sale_manager).create(
            {"sale_order_id": order.id, "reason": "Guarantee"}
        )
        self.assertFalse(order.receivable_credit_blocking)
        order.order_line.price_unit = 2000.0
        with self.assertRefused(UserError, "blocked by the credit policy"):
            order.with_user(self.salesman).action_confirm()
        # Back within the granted amount: the salesperson confirms under the override.
        order.order_line.price_unit = 1500.0
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_nothing_to_override(self):
        order = self._quotation(100.0)
        with self.assertRefused(UserError, "nothing to override"):
            self.Override.with_user(self.sale_manager).create(
                {"sale_order_id": order.id, "reason": "x"}
            )

    # ------------------------------------------------------------------------------------------
    # Warn
    # ------------------------------------------------------------------------------------------
    def test_warn_policy_banner_and_confirmation(self):
        self.policy.hold_rule = "warn"
        order = self._quotation(1500.0, user=self.salesman)
        self.assertFalse(order.receivable_credit_blocking)
        self.assertIn("exceeds the credit limit", order.receivable_credit_alert)
        self.assertEqual(order.receivable_credit_available, 1000.0)
        self.assertFalse(order.receivable_credit_on_hold)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.receivable_credit_alert, "a confirmed order has no banner")

    # ------------------------------------------------------------------------------------------
    # RPC endpoints
    # ------------------------------------------------------------------------------------------
    def test_public_methods_refuse_users_without_rights(self):
        order = self._quotation(1500.0)
        internal = self._create_user("arc_internal_only", "base.group_user")
        portal = self._create_user("arc_portal_only", "base.group_portal")
        Wizard = self.env["receivable.document.override.wizard"]
        for user in (internal, portal, self.salesman):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Wizard.with_user(user).create({"sale_order_id": order.id}).action_confirm()
        for user in (internal, portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                order.with_user(user).action_view_credit_overrides()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                order.with_user(user).action_confirm()
        # The wizard of another Credit Manager is not reachable.
        wizard = Wizard.with_user(self.sale_manager).create({"sale_order_id": order.id})
        other = self._create_user(
            "arc_other_manager", "account_receivable_control.group_credit_manager"
        )
        with self.assertRaises(AccessError):
            wizard.with_user(other).reason = "mine"
            wizard.with_user(other).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_credit_tab_shows_orders_to_invoice(self):
        self._quotation(300.0).action_confirm()
        controller = self.controller
        with Form(self.customer.with_user(controller)) as form:
            self.assertEqual(form.receivable_sale_to_invoice, 300.0)
            self.assertEqual(form.credit_exposure, 300.0)
