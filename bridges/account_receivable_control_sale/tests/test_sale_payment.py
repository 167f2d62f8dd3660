from odoo import Command
from odoo.tests import tagged

from .common import SaleCreditCommon


@tagged("post_install", "-at_install")
class TestSalePaymentCredit(SaleCreditCommon):
    """A quotation paid online is confirmed by the payment's post-processing: a customer on
    credit hold gets its order only when it is paid in full; a partly prepaid quotation waits
    for a Credit Manager, and the post-processing of the payment never fails."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.public_user = cls.env.ref("base.public_user")
        # An online payment provider booking its payments in the bank journal: the code
        # "none" of the providers without a module, and an account payment method of that
        # code, as account_payment gives each provider module. sudo: both are set up by
        # the administrator.
        system = cls.env(su=True)
        system["account.payment.method"].create(
            {"name": "Online payment (test)", "code": "none", "payment_type": "inbound"}
        )
        cls.provider = system["payment.provider"].create(
            {
                "name": "Test Provider",
                "code": "none",
                "state": "test",
                "company_id": cls.company.id,
                "payment_method_ids": [
                    Command.set(cls.env.ref("payment.payment_method_unknown").ids)
                ],
            }
        )
        cls.provider.journal_id = cls.company_data["default_journal_bank"]
        # Quotations confirmed online once 30 % is prepaid.
        cls.company.write({"portal_confirmation_pay": True, "prepayment_percent": 0.3})
        cls.customer.with_company(cls.company).receivable_collector_id = cls.sale_manager

    def _pay(self, order, amount, reference):
        """A confirmed online payment of ``amount`` for ``order``, post-processed as Odoo does
        when the customer comes back from the payment page (the public user, in sudo)."""
        # sudo: transactions are created by the payment flow, not by a user.
        tx = self.env(su=True)["payment.transaction"].create(
            {
                "reference": reference,
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": amount,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "operation": "online_redirect",
                "sale_order_ids": [Command.set(order.ids)],
                "state": "done",
            }
        )
        tx.with_user(self.public_user).sudo()._post_process()
        return tx

    def _hold(self):
        self.customer.with_user(self.manager)._put_on_credit_hold("Cheque bounced")

    def _credit_note(self, order, reference):
        notes = order.message_ids.filtered(lambda m: f"The payment {reference} (" in m.body)
        self.assertEqual(len(notes), 1, f"one note on the payment {reference}")
        return notes.body

    def _credit_todos(self, order):
        return order.activity_ids.filtered(
            lambda a: a.summary == "Stopped by the credit policy: confirm or cancel"
        )

    def test_partial_prepayment_of_customer_on_hold_waits_for_a_credit_manager(self):
        self._hold()
        order = self._quotation(1000.0)
        tx = self._pay(order, 300.0, "PAY-HELD-1")

        self.assertTrue(tx.is_post_processed, "the payment is processed all the same")
        self.assertTrue(tx.payment_id, "and booked")
        self.assertIn(order.state, ("draft", "sent"), "the quotation is not confirmed")
        note = self._credit_note(order, "PAY-HELD-1")
        self.assertRegex(note, r"300\.00 of \S+1,000\.00\) did not confirm this quotation")
        self.assertIn("Cheque bounced", note)
        todo = self._credit_todos(order)
        self.assertEqual(todo.user_id, self.sale_manager, "the customer's collector")

        # A second instalment: one more note, still one To-Do.
        self._pay(order, 200.0, "PAY-HELD-2")
        self.assertIn(order.state, ("draft", "sent"))
        self._credit_note(order, "PAY-HELD-2")
        self.assertEqual(self._credit_todos(order), todo)

        # The Credit Manager confirms it under an override.
        action = order.with_user(self.sale_manager).action_confirm()
        wizard = self.env[action["res_model"]].with_user(self.sale_manager).browse(action["res_id"])
        wizard.reason = "Half prepaid, rest on delivery"
        wizard.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_todo_goes_to_a_credit_manager_who_can_open_the_order(self):
        self.customer.with_company(self.company).receivable_collector_id = False
        self.company.receivable_risk_user_id = self.sale_manager
        self._hold()
        order = self._quotation(1000.0)
        self._pay(order, 300.0, "PAY-HELD-3")
        self.assertEqual(self._credit_todos(order).user_id, self.sale_manager)
        # A risk manager who cannot open sales orders: the salesperson of the order.
        self.company.receivable_risk_user_id = self._create_user("arc_no_sales", "base.group_user")
        other = self._quotation(1000.0)
        self._pay(other, 300.0, "PAY-HELD-4")
        self.assertEqual(self._credit_todos(other).user_id, self.salesman)

    def test_order_paid_in_full_is_confirmed_despite_the_hold(self):
        self._hold()
        order = self._quotation(1000.0)
        self.assertTrue(order.receivable_credit_blocking)
        tx = self._pay(order, 1000.0, "PAY-FULL")
        self.assertTrue(tx.is_post_processed)
        self.assertEqual(order.state, "sale", "paid in full: no credit given")
        self.assertFalse(self._credit_todos(order))

    def test_quotation_signed_online_by_customer_on_hold_waits(self):
        """The portal's Accept & Sign (no payment asked) confirms through _validate_order, run
        for the customer in sudo: no error shown to the customer, the order waits."""
        self.company.portal_confirmation_pay = False
        self._hold()
        order = self._quotation(400.0)
        order.with_user(self.public_user).sudo()._validate_order()
        self.assertEqual(order.state, "draft")
        notes = order.message_ids.filtered(lambda m: "accepted this quotation online" in m.body)
        self.assertEqual(len(notes), 1)
        self.assertIn("Cheque bounced", notes.body)
        self.assertEqual(self._credit_todos(order).user_id, self.sale_manager)
        # A customer in good standing: confirmed as usual.
        self.customer.with_user(self.manager)._release_credit_hold("Cheque paid")
        order.with_user(self.public_user).sudo()._validate_order()
        self.assertEqual(order.state, "sale")

    def test_customer_in_good_standing_confirmed_by_prepayment(self):
        order = self._quotation(1000.0)
        self._pay(order, 300.0, "PAY-OK")
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._credit_todos(order))
