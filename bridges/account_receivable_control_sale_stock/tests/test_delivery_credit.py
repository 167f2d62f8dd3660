from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.account_receivable_control_sale.tests.common import SaleCreditCommon

STOCK_USER = "stock.group_stock_user"


@tagged("post_install", "-at_install")
class TestDeliveryCredit(SaleCreditCommon):
    """A policy that blocks deliveries: the delivery of a customer on hold is validated only
    under a Credit Manager's override."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Override = cls.env["receivable.credit.override"]
        cls.policy.block_deliveries = True
        cls.storekeeper = cls._create_user("arc_storekeeper", STOCK_USER)
        cls.stock_manager = cls._create_user(
            "arc_stock_credit_manager",
            "account_receivable_control.group_credit_manager,stock.group_stock_user",
        )
        cls.product_a.is_storable = True
        cls.env["stock.quant"]._update_available_quantity(
            cls.product_a,
            cls.company_data["default_warehouse"].lot_stock_id
            if "default_warehouse" in cls.company_data
            else cls.env["stock.warehouse"]
            .search([("company_id", "=", cls.company.id)], limit=1)
            .lot_stock_id,
            10.0,
        )

    def _delivery(self, partner=None):
        """A confirmed order of 100 (within the limit) and its delivery, ready to validate."""
        order = self._quotation(100.0, partner=partner)
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.quantity = 1.0
        return picking

    def _hold(self):
        self.customer.with_user(self.manager)._put_on_credit_hold("Cheque bounced")

    def test_delivery_of_customer_on_hold_refused(self):
        picking = self._delivery()
        self._hold()
        with self.assertRefused(UserError, "on credit hold: Cheque bounced"):
            picking.with_user(self.storekeeper).button_validate()
        self.assertNotEqual(picking.state, "done")
        # Every path: _action_done refuses too.
        with self.assertRefused(UserError, "is blocked by the credit policy"):
            picking.with_user(self.storekeeper)._action_done()
        self.assertNotEqual(picking.state, "done")
        with self.assertRaises(AccessError):
            self.Override.with_user(self.storekeeper).sudo().create(
                {"picking_id": picking.id, "reason": "urgent"}
            )

    def test_credit_manager_validating_several_deliveries_is_told_to_override_each(self):
        blocked = self._delivery()
        free = self._delivery(self.env["res.partner"].create({"name": "Taverne Leroy"}))
        self._hold()
        pickings = (blocked | free).with_user(self.stock_manager)
        with self.assertRefused(UserError, "Nothing was validated") as caught:
            pickings.button_validate()
        message = str(caught.exception)
        self.assertIn(f"Open {blocked.name} and validate each on its own", message)
        self.assertNotIn(free.name, message)
        self.assertEqual((blocked | free).mapped("state"), ["assigned", "assigned"])

    def test_policy_without_option_delivers(self):
        self.policy.block_deliveries = False
        picking = self._delivery()
        self._hold()
        picking.with_user(self.storekeeper).button_validate()
        self.assertEqual(picking.state, "done")

    def test_customer_not_on_hold_delivers(self):
        picking = self._delivery()
        picking.with_user(self.storekeeper).button_validate()
        self.assertEqual(picking.state, "done")

    def test_credit_manager_overrides_delivery(self):
        picking = self._delivery()
        self._hold()
        action = picking.with_user(self.stock_manager).button_validate()
        self.assertEqual(action["res_model"], "receivable.document.override.wizard")
        wizard = (
            self.env["receivable.document.override.wizard"]
            .with_user(self.stock_manager)
            .browse(action["res_id"])
        )
        self.assertIn("Cheque bounced", wizard.breach_summary)
        wizard.reason = "Paid cash at the counter"
        wizard.action_confirm()
        self.assertEqual(picking.state, "done")
        override = self.Override.search([("picking_id", "=", picking.id)])
        self.assertRecordValues(
            override,
            [
                {
                    "partner_id": self.customer.id,
                    "user_id": self.stock_manager.id,
                    "reason": "Paid cash at the counter",
                    "amount_granted": 100.0,
                }
            ],
        )
        self.assertIn("Paid cash at the counter", self._last_message(picking))
        self.assertIn("to deliver", self._last_message(self.customer))
