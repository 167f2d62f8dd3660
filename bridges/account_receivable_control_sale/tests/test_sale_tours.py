"""Browser tour of a quotation for a customer on credit hold: refused to the salesperson with
the hold's reason, confirmed by a Credit Manager through the override wizard."""

from odoo.tests import HttpCase
from odoo.tests import tagged

from .common import SaleCreditCommon


@tagged("post_install", "-at_install")
class TestSaleCreditTours(SaleCreditCommon, HttpCase):
    def test_quotation_of_customer_on_hold_in_the_browser(self):
        self.customer.with_user(self.manager)._put_on_credit_hold("Cheque bounced")
        order = self._quotation(250.0, user=self.salesman)
        url = f"/odoo/action-sale.action_quotations/{order.id}"

        self.start_tour(url, "account_receivable_control_sale_hold_refused", login="arc_salesman")
        self.assertEqual(order.state, "draft")
        self.assertFalse(self.env["receivable.credit.override"].search_count([]))

        self.start_tour(
            url, "account_receivable_control_sale_hold_override", login="arc_credit_sales_manager"
        )
        self.assertEqual(order.state, "sale")
        override = self.env["receivable.credit.override"].search([("sale_order_id", "=", order.id)])
        self.assertRecordValues(
            override,
            [
                {
                    "partner_id": self.customer.id,
                    "user_id": self.sale_manager.id,
                    "reason": "Paid by bank transfer this morning",
                    "amount_granted": 250.0,
                }
            ],
        )
        notes = order.message_ids.filtered(
            lambda m: (
                "Credit hold overridden by" in m.body
                and "Paid by bank transfer this morning" in m.body
            )
        )
        self.assertEqual(len(notes), 1, "the override is logged once in the order's chatter")
