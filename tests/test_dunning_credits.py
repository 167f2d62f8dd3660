"""Credits first (issue 14, finding 5): a reminder lists the customer's unapplied payments and
open credit notes and claims the net; a customer whose credits cover its overdue amount gets
no reminder, its Dunning Status says why and the worklist lists its credits to allocate.

The worked example: invoices of 1,000.00 and 300.00 due on 1 March 2026 (1,300.00 overdue), a
credit note of 150.00 and an unapplied payment of 250.00: on 31 March the formal notice claims
900.00, not 1,300.00."""

import re

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

LETTER = "account_receivable_control.action_report_dunning_letter"
COVERED = "credits (unapplied payments, credit notes) cover the overdue amount"


@tagged("post_install", "-at_install")
class TestDunningCredits(DunningCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.legal_profile_id = False

    def _example(self, partner=None):
        """The worked example's invoices and credits, on ``partner``."""
        partner = partner or self.customer
        invoices = self._due_invoice(1000.0, "2026-03-01", partner) | self._due_invoice(
            300.0, "2026-03-01", partner
        )
        refund = self._due_invoice(150.0, "2026-03-10", partner, move_type="out_refund")
        payment = self._unapplied_payment(250.0, "2026-03-20", partner)
        return invoices, refund, payment

    def _letter(self, reminder):
        html, _format = self.env["ir.actions.report"]._render_qweb_html(LETTER, reminder.ids)
        return html.decode()

    def _generate(self, date):
        """The run's evaluation on ``date``, the reminders created and not sent yet."""
        with self._frozen(date):
            return self.engine._generate_reminders(
                self.company, fields.Date.to_date(date), commit=False
            )

    def _credits_row(self):
        """The customer's Credits to Allocate row of the worklist."""
        return (
            self.env["receivable.worklist"]
            .with_company(self.company)
            .search([("kind", "=", "credits"), ("partner_id", "=", self.customer.id)])
        )

    @staticmethod
    def _receivable(moves):
        return moves.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    # ------------------------------------------------------------------------------------------
    # The reminder claims the net
    # ------------------------------------------------------------------------------------------
    def test_formal_notice_lists_the_credits_and_claims_the_net(self):
        invoices, refund, payment = self._example()
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-31")
        self.assertEqual(reminder.level_id, self.notice)
        self.assertEqual(reminder.line_ids.move_id, invoices, "the invoices only")
        self.assertRecordValues(
            reminder.credit_ids,
            [
                {"move_id": refund.id, "credit_type": "refund", "amount_residual": -150.0},
                {
                    "move_id": payment.move_id.id,
                    "credit_type": "payment",
                    "amount_residual": -250.0,
                },
            ],
        )
        self.assertRecordValues(
            reminder,
            [
                {
                    "amount_total": 1300.0,
                    "amount_claimed": 1300.0,
                    "amount_credits": -400.0,
                    "amount_net": 900.0,
                }
            ],
        )
        body = self._mails[0]["body"]
        for text in (refund.name, payment.move_id.name, "Net amount claimed", "900.00"):
            self.assertIn(text, body)
        letter = self._letter(reminder).split('<div class="page', 1)[1]
        for text in (refund.name, payment.move_id.name, "Net amount claimed", "900.00"):
            self.assertIn(text, letter)
        trace = self.customer.message_ids.filtered(lambda m: "Formal notice sent" in m.body)
        self.assertIn("900.00 due", trace.body, "the customer's chatter: the net due")

    def test_legal_charges_stay_on_the_invoices_and_the_net_deducts_the_credits(self):
        """With the French B2B profile: interest and the 40.00 fee on each overdue invoice as
        before, the credits deducted from the total claimed."""
        self.policy.legal_profile_id = self.env.ref(
            "account_receivable_control.legal_profile_fr_b2b"
        )
        self._example()
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-31")
        # ECB 2.15 % + 10 = 12.15 %, 30 days: 1000 -> 9.99, 300 -> 3.00; 2 x 40.00 fees.
        self.assertEqual(reminder.line_ids.mapped("interest_amount"), [9.99, 3.0])
        self.assertRecordValues(
            reminder,
            [
                {
                    "amount_total": 1300.0,
                    "amount_interest": 12.99,
                    "amount_fees": 80.0,
                    "amount_claimed": 1392.99,
                    "amount_credits": -400.0,
                    "amount_net": 992.99,
                }
            ],
        )
        self.assertIn("992.99", self._mails[0]["body"])
        self.assertIn("992.99", self._letter(reminder))

    def test_no_credit_no_credits_block(self):
        self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-31")
        self.assertFalse(reminder.credit_ids)
        self.assertEqual(reminder.amount_net, 1000.0)
        self.assertNotIn("Net amount claimed", self._mails[0]["body"])

    # ------------------------------------------------------------------------------------------
    # Credits covering the overdue amount: no reminder, credits to allocate
    # ------------------------------------------------------------------------------------------
    def test_credits_covering_the_overdue_amount_send_no_reminder(self):
        invoice = self._due_invoice(300.0, "2026-03-01")
        refund = self._due_invoice(150.0, "2026-03-10", move_type="out_refund")
        payment = self._unapplied_payment(250.0, "2026-03-20")
        with self.mock_mail_gateway():
            self.assertFalse(self._run("2026-03-31"))
        self.assertFalse(self._reminders())
        with self._frozen("2026-03-31"):
            customer = self.customer.with_company(self.company)
            self.assertIn(COVERED, customer.dunning_status)
            with self.assertRaisesRegex(UserError, re.escape(COVERED)):
                customer.action_send_reminder_now()
            self.company.receivable_worklist_rule = "amount"
            row = self._credits_row()
            self.assertEqual(row.amount, 300.0, "the credits (400) allocate the 300 owed")
            self.assertEqual(row.amount_overdue, 0.0)
            self.assertEqual(row.priority, 300.0, "ranked by the amount to allocate")
            action = row.action_allocate_credits()
            self.assertEqual(row.action_open_source(), action)
            items = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(items.move_id, invoice | refund | payment.move_id)

    def test_credits_to_allocate_listed_while_the_customer_is_still_reminded(self):
        """Credits smaller than the overdue amount: the reminder goes (net), and the credits
        still wait on the worklist for an accountant to allocate them."""
        self._example()
        with self._frozen("2026-03-31"):
            row = self._credits_row()
            self.assertEqual(row.amount, 400.0)
            self.assertEqual(row.amount_overdue, 900.0)
            customer = self.customer.with_company(self.company)
            self.assertFalse(customer._get_dunning_blocker(fields.Date.to_date("2026-03-31")))

    def test_no_friendly_reminder_for_invoices_the_credits_cover(self):
        """Before the due date the credits net the invoices about to fall due: covered, no
        friendly reminder; not covered, a friendly reminder for the net."""
        covered = self.env["res.partner"].create({"name": "Covered", "is_company": True})
        owing = self.env["res.partner"].create({"name": "Owing", "is_company": True})
        (covered | owing).write({"receivable_policy_id": self.policy.id, "email": "a@b.example"})
        self._due_invoice(300.0, "2026-04-03", covered)
        self._unapplied_payment(400.0, "2026-03-20", covered)
        self._due_invoice(1000.0, "2026-04-03", owing)
        self._unapplied_payment(100.0, "2026-03-20", owing)
        with self.mock_mail_gateway():
            sent = self._run("2026-03-29")
        self.assertEqual(sent.partner_id, owing)
        self.assertEqual(sent.level_id, self.friendly)
        self.assertEqual(sent.amount_net, 900.0)

    # ------------------------------------------------------------------------------------------
    # Sending refreshes the credits
    # ------------------------------------------------------------------------------------------
    def test_credit_allocated_before_sending_changes_the_reminder(self):
        invoices, refund, payment = self._example()
        reminder = self._generate("2026-03-31")
        self.assertEqual(reminder.amount_net, 900.0)
        # The credit note is allocated to the 300.00 invoice; a payment of 100.00 comes in.
        small = invoices.filtered(lambda move: move.amount_total == 300.0)
        self._receivable(refund | small).reconcile()
        late_payment = self._unapplied_payment(100.0, "2026-04-01")
        with self._frozen("2026-04-01"), self.mock_mail_gateway():
            reminder.action_send()
            self._deliver_mails()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(
            reminder.credit_ids.move_id, payment.move_id | late_payment.move_id, "refund gone"
        )
        self.assertRecordValues(
            reminder,
            [{"amount_total": 1150.0, "amount_credits": -350.0, "amount_net": 800.0}],
        )
        body = self._mails[0]["body"]
        self.assertNotIn(refund.name, body)
        self.assertIn(late_payment.move_id.name, body)
        self.assertIn("800.00", body)

    def test_reminder_cancelled_when_credits_cover_it_at_sending(self):
        self._example()
        reminder = self._generate("2026-03-31")
        self._unapplied_payment(1000.0, "2026-04-01")
        with self._frozen("2026-04-01"), self.mock_mail_gateway():
            reminder.action_send()
            self._deliver_mails()
        self.assertEqual(reminder.state, "cancelled")
        self.assertEqual(reminder.cancel_reason, "The customer's credits cover the overdue amount.")
        self.assertFalse(self._mails)
