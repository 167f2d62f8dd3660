from odoo import Command
from odoo import fields
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningExclusions(DunningCommon, MockEmail):
    """Each exclusion stops exactly what it should, and says so."""

    def test_disputed_invoice_is_left_out_the_others_are_reminded(self):
        disputed = self._due_invoice(300.0, "2026-03-01")
        undisputed = self._due_invoice(200.0, "2026-03-01")
        wizard = Form(
            self.env["receivable.dispute.wizard"]
            .with_user(self.controller)
            .with_context(default_move_ids=disputed.ids)
        )
        wizard.reason = "Goods delivered damaged"
        wizard.save().action_confirm()
        self.assertTrue(disputed.receivable_dispute)
        self.assertEqual(disputed.receivable_dispute_user_id, self.controller)
        self.assertTrue(disputed.line_ids.filtered("debit").no_followup, "Odoo's flag is set")
        self.assertIn("Goods delivered damaged", self._last_message(self.customer))

        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
        self.assertEqual(reminder.line_ids.move_id, undisputed)
        self.assertNotIn(disputed.name, self._mails[0]["body"])

        disputed.with_user(self.controller).action_resolve_dispute()
        with self.mock_mail_gateway():
            resumed = self._run("2026-03-12")
        self.assertIn(disputed, resumed.line_ids.move_id, "reminded again once resolved")

    def test_resolving_a_dispute_keeps_no_follow_up_set_before_it(self):
        """An invoice an accountant had put on "No Follow-Up" stays so after a dispute."""
        kept_out = self._due_invoice(300.0, "2026-03-01")
        kept_out.no_followup = True
        other = self._due_invoice(200.0, "2026-03-01")
        (kept_out | other).with_user(self.controller)._open_dispute("Wrong prices")
        self.assertTrue((kept_out | other).mapped("no_followup") == [True, True])
        (kept_out | other).with_user(self.controller).action_resolve_dispute()
        self.assertTrue(kept_out.no_followup, "set by the accountant: left as it was")
        self.assertFalse(other.no_followup, "set by the dispute: cleared with it")
        with self.mock_mail_gateway():
            resumed = self._run("2026-03-12")
        self.assertEqual(resumed.line_ids.move_id, other)

    def test_dispute_without_reason_is_refused(self):
        invoice = self._due_invoice(300.0, "2026-03-01")
        with self.assertRefused(ValidationError, "reason"):
            invoice.with_user(self.controller)._open_dispute("  ")
        self.assertFalse(invoice.receivable_dispute)
        invoice.with_user(self.controller)._open_dispute("Wrong prices")
        with self.assertRefused(ValidationError, "reason"):
            invoice.with_user(self.controller).receivable_dispute_reason = " "
        self.assertEqual(invoice.receivable_dispute_reason, "Wrong prices")

    def test_promise_pauses_then_broken_promise_resumes_at_next_level(self):
        invoice = self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            self._run("2026-03-05")
        self.assertEqual(invoice.receivable_dunning_level_id, self.first)
        with self._frozen("2026-03-06"):
            promise = (
                self.env["receivable.promise"]
                .with_user(self.controller)
                .create(
                    {"partner_id": self.customer.id, "promise_date": "2026-03-20", "amount": 1000.0}
                )
            )
        self.assertEqual(promise.amount_due_at_promise, 1000.0)
        self.assertIn("Promise to pay recorded", self._last_message(self.customer))
        with self._frozen("2026-03-06"):
            self.assertIn("Promised to pay", self.customer.dunning_status)

        self.assertFalse(self._run("2026-03-16"), "second level reached, but promised")
        self._register_payment(invoice, amount=200.0)
        self.assertFalse(self._run("2026-03-20"), "the promised date itself is still paused")

        with self.mock_mail_gateway():
            resumed = self._run("2026-03-21")
        self.assertEqual(promise.state, "broken")
        self.assertIn("Promise to pay broken", "".join(self.customer.message_ids.mapped("body")))
        self.assertEqual(resumed.level_id, self.second, "dunning resumes at the next level")
        self.assertEqual(resumed.amount_total, 800.0)

    def test_kept_promise(self):
        invoice = self._due_invoice(1000.0, "2026-03-01")
        with self._frozen("2026-03-02"):
            promise = self.env["receivable.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "promise_date": "2026-03-10",
                    "amount": 1000.0,
                    "move_ids": [Command.set(invoice.ids)],
                }
            )
        self._register_payment(invoice)
        self.assertFalse(self._run("2026-03-11"))
        self.assertEqual(promise.state, "kept")

    def test_promise_on_one_invoice_leaves_the_others_reminded(self):
        promised = self._due_invoice(300.0, "2026-03-01")
        other = self._due_invoice(200.0, "2026-03-01")
        with self._frozen("2026-03-02"):
            self.env["receivable.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "promise_date": "2026-03-30",
                    "amount": 300.0,
                    "move_ids": [Command.set(promised.ids)],
                }
            )
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
        self.assertEqual(reminder.line_ids.move_id, other)

    def test_promise_in_the_past_or_without_amount_is_refused(self):
        with self._frozen("2026-03-10"):
            with self.assertRefused(ValidationError, "past"):
                self.env["receivable.promise"].create(
                    {"partner_id": self.customer.id, "promise_date": "2026-03-09", "amount": 10.0}
                )
            with self.assertRefused(ValidationError, "positive"):
                self.env["receivable.promise"].create(
                    {"partner_id": self.customer.id, "promise_date": "2026-03-19", "amount": 0.0}
                )
            # Dated two years ahead it would pause the reminders for two years.
            with self.assertRefused(ValidationError, "Promised Payment Date.*365 days"):
                self.env["receivable.promise"].create(
                    {"partner_id": self.customer.id, "promise_date": "2028-03-10", "amount": 10.0}
                )
            promise = self.env["receivable.promise"].create(
                {"partner_id": self.customer.id, "promise_date": "2027-03-10", "amount": 10.0}
            )
            with self.assertRefused(ValidationError, "365 days"):
                promise.promise_date = "2027-03-11"
        self.assertEqual(self.customer.receivable_promise_ids, promise)
        self.assertEqual(promise.promise_date, fields.Date.to_date("2027-03-10"), "unchanged")

    def test_pause_until_a_date(self):
        self._due_invoice(300.0, "2026-03-01")
        self.customer.with_user(self.controller).write(
            {"dunning_paused_until": "2026-03-10", "dunning_pause_reason": "Holiday closure"}
        )
        with self._frozen("2026-03-05"):
            self.assertIn("Holiday closure", self.customer.dunning_status)
        self.assertFalse(self._run("2026-03-05"))
        self.assertFalse(self._run("2026-03-10"), "paused until this date included")
        with self.mock_mail_gateway():
            self.assertTrue(self._run("2026-03-11"))

    def test_never_remind(self):
        self._due_invoice(300.0, "2026-03-01")
        self.customer.with_user(self.controller).dunning_excluded = True
        self.assertFalse(self._run("2026-04-05"))
        self.assertIn("Never reminded", self.customer.dunning_status)
        with self._frozen("2026-04-05"), self.assertRefused(UserError, "Never reminded"):
            self.customer.with_user(self.controller).action_send_reminder_now()
        self.assertFalse(self._reminders())

    def test_factored_invoice_is_not_reminded(self):
        factor = self.env["res.partner"].create({"name": "Belfius Factoring", "is_company": True})
        factored = self._due_invoice(300.0, "2026-03-01")
        factored.receivable_factor_id = factor
        self.assertFalse(self._run("2026-03-05"))
        other = self._due_invoice(100.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
        self.assertEqual(reminder.line_ids.move_id, other)
        self.assertEqual(factored.amount_residual, 300.0, "still owed, still in the aging")
