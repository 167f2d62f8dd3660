from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ReceivableCommon


@tagged("post_install", "-at_install")
class TestCreditHold(ReceivableCommon):
    def test_limit_rule_holds_automatically_and_releases_when_paid(self):
        invoice = self._invoice(1200.0)  # limit 1000 + 10 % tolerance = 1100
        self.assertEqual(invoice.state, "posted", "a warn-only policy lets the invoice through")
        self.assertTrue(self.customer.credit_on_hold)
        self.assertEqual(self.customer.credit_hold_origin, "auto")
        self.assertEqual(self.customer.credit_hold_state, "hold")
        self.assertIn("exceeds the credit limit", self.customer.credit_hold_reason_display)
        self.assertIn("Put on credit hold by the credit policy", self._last_message(self.customer))
        self.assertTrue(self.contact.credit_on_hold, "contacts mirror their company")

        self._register_payment(invoice, amount=500.0)
        self.assertFalse(self.customer.credit_on_hold, "exposure back under the limit")
        self.assertIn("Credit hold released", self._last_message(self.customer))

    def test_overdue_rule_holds_automatically_and_releases_when_paid(self):
        with freeze_time("2026-01-01"):
            invoice = self._invoice(100.0, invoice_date="2026-01-01", invoice_date_due="2026-01-10")
        with freeze_time("2026-02-11"):  # 32 days past due, the policy allows 30
            self.env["res.partner"]._select_partners_to_refresh()._refresh_credit_hold()
            self.assertTrue(self.customer.credit_on_hold)
            self.assertIn("32 days past due", self.customer.credit_hold_reason_display)
            self.assertIn("2 days more than allowed", self.customer.credit_hold_reason_display)
            self._register_payment(invoice)
            self.assertFalse(self.customer.credit_on_hold)

    def test_hold_refresh_reads_the_batch_figures_once(self):
        """A nightly batch holding several customers reads their credit figures once: a hold
        clears every partner's figures, they are not computed again after each hold."""
        others = self.env["res.partner"].create(
            [
                {"name": name, "is_company": True, "receivable_policy_id": self.policy.id}
                for name in ("Café Martin", "Hôtel Leroy")
            ]
        )
        customers = self.customer | others
        with freeze_time("2026-01-01"):
            for day, customer in zip((5, 8, 10), customers, strict=True):
                self._due_invoice(100.0, f"2026-01-{day:02d}", partner=customer)
        facts = type(self.env["receivable.facts"])
        with (
            freeze_time("2026-02-15"),
            patch.object(facts, "_positions", autospec=True, side_effect=facts._positions) as read,
        ):
            self.env["res.partner"]._select_partners_to_refresh()._refresh_credit_hold()
        self.assertEqual(read.call_count, 1, "the batch's figures are read once")
        self.assertEqual(customers.mapped("credit_on_hold"), [True, True, True])
        for customer, days in zip(customers, (41, 38, 36), strict=True):
            self.assertIn(f"{days} days past due", customer.credit_hold_reason_display)

    def test_hold_cron_states_the_overdue_of_the_credit_tab(self):
        """The nightly hold reads the customer's position: its reason gives the overdue amount
        net of the credit note past due, as the Credit tab and the aging do."""
        with freeze_time("2026-01-01"):
            self._due_invoice(100.0, "2026-01-10", invoice_date="2026-01-01")
            self._due_invoice(30.0, "2026-01-05", invoice_date="2025-12-20", move_type="out_refund")
        with freeze_time("2026-02-11"):  # 32 days past due, the policy allows 30
            self.env.flush_all()
            with self.enter_registry_test_mode(), self.registry.cursor() as cron_cr:
                # As the scheduler runs it: the superuser, every company.
                cron_env = self.env(cr=cron_cr, user=SUPERUSER_ID, su=True)
                cron_env["res.partner"]._cron_refresh_credit_holds()
            self.env.invalidate_all()
            self.assertTrue(self.customer.credit_on_hold)
            self.assertEqual(self.customer.credit_overdue_amount, 70.0)
            self.assertIn(
                "32 days past due ($\xa070.00 overdue)", self.customer.credit_hold_reason_display
            )

    def test_manual_hold_is_not_released_by_the_policy(self):
        wizard = (
            self.env["receivable.credit.hold.wizard"]
            .with_user(self.manager)
            .create({"partner_id": self.customer.id, "action": "hold", "reason": "Bankruptcy news"})
        )
        wizard.action_confirm()
        self.assertEqual(self.customer.credit_hold_origin, "manual")
        self.assertEqual(self.customer.credit_hold_user_id, self.manager)
        self.customer._refresh_credit_hold()
        self.assertTrue(self.customer.credit_on_hold, "nothing breached, but a manual hold stays")

        release = (
            self.env["receivable.credit.hold.wizard"]
            .with_user(self.manager)
            .create({"partner_id": self.customer.id, "action": "release", "reason": "Settled"})
        )
        release.action_confirm()
        self.assertFalse(self.customer.credit_on_hold)
        self.assertIn("Settled", self._last_message(self.customer))

    def test_hold_wizard_needs_a_reason_and_a_manager(self):
        wizard = self.env["receivable.credit.hold.wizard"].create(
            {"partner_id": self.customer.id, "action": "hold", "reason": "  "}
        )
        with self.assertRaises(ValidationError):
            wizard.with_user(self.manager).action_confirm()
        with self.assertRaises(UserError):
            wizard.with_user(self.controller).action_confirm()
        self.assertFalse(self.customer.credit_on_hold)

    def test_warn_policy_shows_a_banner_on_the_draft(self):
        draft = self._invoice(1500.0, post=False)
        alert = draft._get_alerts()["receivable_credit_policy"]
        self.assertEqual(alert["level"], "warning")
        self.assertIn("exceeds the credit limit", alert["message"])
        self.assertIn("by $\xa0400.00", alert["message"])

    def test_block_policy_stops_a_controller_with_the_excess(self):
        self.policy.hold_rule = "block"
        draft = self._invoice(1500.0, post=False).with_user(self.controller)
        with self.assertRaises(UserError) as error:
            draft.action_post()
        self.assertIn("blocked by the credit policy “Test B2B”", str(error.exception))
        self.assertIn("by $\xa0400.00", str(error.exception))
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft._get_alerts()["receivable_credit_policy"]["level"], "danger")

    def test_manager_overrides_with_a_reason_logged(self):
        self.policy.hold_rule = "block"
        draft = self._invoice(1500.0, post=False)
        action = draft.with_user(self.manager).action_post()
        self.assertEqual(action["res_model"], "receivable.hold.override.wizard")
        wizard = self.env["receivable.hold.override.wizard"].browse(action["res_id"])
        wizard = wizard.with_user(self.manager)
        self.assertIn("exceeds the credit limit", wizard.breach_summary)

        with self.assertRaises(ValidationError):
            wizard.action_confirm()
        self.assertEqual(draft.state, "draft", "no reason, nothing posted")

        self.assertFalse(
            self.env["receivable.credit.override"].search([("move_id", "=", draft.id)])
        )

        wizard.reason = "Bank guarantee received"
        wizard.action_confirm()
        self.assertEqual(draft.state, "posted")
        override = self.env["receivable.credit.override"].search([("move_id", "=", draft.id)])
        self.assertRecordValues(
            override,
            [
                {
                    "user_id": self.manager.id,
                    "reason": "Bank guarantee received",
                    "amount_granted": 1500.0,
                    "amount_over": 400.0,
                }
            ],
        )
        for record in (draft, self.customer):
            message = self._last_message(record)
            self.assertIn("Credit hold overridden by arc_manager", message)
            self.assertIn("Bank guarantee received", message)
            self.assertIn(draft.name, message)
            self.assertIn("1,500.00", message)

    def test_credit_notes_and_vendor_bills_are_never_blocked(self):
        self.policy.hold_rule = "block"
        self.customer.with_user(self.manager)._put_on_credit_hold("Test", origin="manual")
        refund = self._invoice(50.0, post=False, move_type="out_refund").with_user(self.controller)
        refund.action_post()
        self.assertEqual(refund.state, "posted")
        bill = self._invoice(5000.0, post=False, move_type="in_invoice")
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_partner_on_hold_blocks_even_under_the_limit(self):
        self.policy.hold_rule = "block"
        self.customer.with_user(self.manager)._put_on_credit_hold("Disputed", origin="manual")
        draft = self._invoice(10.0, post=False).with_user(self.controller)
        with self.assertRaisesRegex(UserError, "is on credit hold: Disputed"):
            draft.action_post()

    def test_no_enforcement_no_hold(self):
        self.company.receivable_hold_enforcement = False
        self.policy.hold_rule = "block"
        invoice = self._invoice(5000.0)
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(self.customer.credit_on_hold)
