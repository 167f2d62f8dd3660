"""The follow-up cockpit: one screen to work one customer (open items, position, next reminder
with its editable email, the collector's actions, the history)."""

import ast
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import CONTROLLER
from .common import DunningCommon

TODAY = "2026-03-20"


@tagged("post_install", "-at_install")
class TestFollowupCockpit(DunningCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 10 and 8 days late (first reminder), not due, and a credit note due 5 days ago.
        cls.late = cls._due_invoice(400.0, "2026-03-10")
        cls.later = cls._due_invoice(200.0, "2026-03-12")
        cls.not_due = cls._due_invoice(300.0, "2026-04-30", invoice_date="2026-03-15")
        cls.refund = cls._due_invoice(50.0, "2026-03-15", move_type="out_refund")

    def _open(self, partner=None, user=None):
        partner = (partner or self.customer).with_user(user or self.controller)
        with self._frozen(TODAY):
            action = partner.action_open_receivable_followup()
        self.assertEqual(action["res_model"], "receivable.followup")
        return (
            self.env["receivable.followup"]
            .with_user(user or self.controller)
            .browse(action["res_id"])
        )

    def _line(self, cockpit, move):
        return cockpit.line_ids.filtered(lambda line: line.move_id == move)

    def test_open_items_position_and_next_reminder(self):
        cockpit = self._open(self.contact)
        self.assertEqual(cockpit.partner_id, self.customer, "the commercial partner's")
        self.assertEqual(
            {(line.move_id, line.status, line.amount_residual) for line in cockpit.line_ids},
            {
                (self.late, "overdue", 400.0),
                (self.later, "overdue", 200.0),
                (self.not_due, "not_due", 300.0),
                (self.refund, "credit", -50.0),
            },
        )
        self.assertEqual(self._line(cockpit, self.late).days_late, 10)
        # The position is computed when read: on the day of the follow-up.
        with self._frozen(TODAY):
            cockpit.invalidate_recordset()
            self.assertRecordValues(
                cockpit,
                [
                    {
                        "balance": 850.0,
                        "overdue_amount": 550.0,  # credits included, as the aging
                        "on_hold": False,
                        "level_id": self.first.id,
                        "channels": "Email",
                        "reminder_amount": 550.0,  # 600 overdue less the 50 credit note
                        "blocker": False,
                        "reminder_id": False,
                    }
                ],
            )
        self.assertIn(self.late.name, cockpit.body_html)
        self.assertIn(self.later.name, cockpit.body_html)
        self.assertNotIn(self.not_due.name, cockpit.body_html)
        with self._frozen(TODAY):
            self.assertIn("First reminder", cockpit.next_action)
        self.assertFalse(self._reminders(), "opening the cockpit creates no reminder")

    def test_edited_email_sent_once(self):
        cockpit = self._open()
        cockpit.body_html = "<p>Dear Anne, as agreed on the phone, please pay by Friday.</p>"
        with self.mock_mail_gateway(), self._frozen(TODAY):
            cockpit.action_send_and_print()
            self._deliver_mails()
        reminder = self._reminders()
        self.assertEqual(len(reminder), 1)
        self.assertRecordValues(reminder, [{"state": "sent", "level_id": self.first.id}])
        self.assertEqual(cockpit.sent_reminder_id, reminder)
        self.assertEqual(len(self._mails), 1)
        self.assertIn("as agreed on the phone, please pay by Friday", self._mails[0]["body"])
        self.assertNotIn(self.late.name, self._mails[0]["body"], "the edited text only")
        with self._frozen(TODAY), self.assertRaisesRegex(UserError, "already sent"):
            cockpit.action_send_and_print()
        self.assertEqual(self._reminders(), reminder, "no second reminder")

    def test_unedited_email_is_the_template(self):
        cockpit = self._open()
        with self.mock_mail_gateway(), self._frozen(TODAY):
            cockpit.action_send_and_print()
            self._deliver_mails()
        reminder = self._reminders()
        self.assertFalse(reminder.body_override)
        self.assertIn(self.late.name, self._mails[0]["body"])

    def test_letter_downloaded_on_send_and_print(self):
        self.first.channel_letter = True
        cockpit = self._open()
        self.assertTrue(cockpit.has_letter)
        with self._frozen(TODAY):
            preview = cockpit.action_preview_letter()
        self.assertEqual(preview["type"], "ir.actions.act_url")
        self.assertFalse(self._reminders(), "the letter preview keeps no reminder")
        with self.mock_mail_gateway(), self._frozen(TODAY):
            action = cockpit.action_send_and_print()
        reminder = self._reminders()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(f"/web/content/{reminder.letter_attachment_id.id}", action["url"])

    def test_remind_again_on_holds_reminders_until_that_date(self):
        cockpit = self._open()
        cockpit.remind_date = "2026-03-23"
        with self._frozen(TODAY):
            cockpit.action_remind_again_on()
        self.assertEqual(self.customer.receivable_remind_again_on, date(2026, 3, 23))
        self.assertFalse(self.customer.dunning_paused_until, "a follow-up date, not a pause")
        with self._frozen(TODAY):
            self.assertEqual(self.customer.receivable_followup_status, "waiting")
            self.assertEqual(self.customer.receivable_next_action_date, date(2026, 3, 23))
        self.assertTrue(cockpit.blocker, "no reminder before that date")
        self.assertFalse(cockpit.level_id)
        self.assertFalse(self._run("2026-03-22"))
        self.assertEqual(self._run("2026-03-23").level_id, self.first)

    def test_remind_again_on_refuses_a_past_date(self):
        cockpit = self._open()
        cockpit.remind_date = "2026-03-20"
        with self._frozen(TODAY), self.assertRefused(ValidationError, "Remind Again On"):
            cockpit.action_remind_again_on()
        self.assertFalse(self.customer.receivable_remind_again_on)

    def test_line_note_saved_on_the_invoice(self):
        cockpit = self._open()
        cockpit.write(
            {
                "line_ids": [
                    Command.update(self._line(cockpit, self.late).id, {"note": "Paid Friday?"})
                ]
            }
        )
        self.assertEqual(self.late.receivable_followup_note, "Paid Friday?")
        self.assertEqual(self._line(self._open(), self.late).note, "Paid Friday?")

    def test_dispute_toggle_leaves_the_invoice_out_of_the_reminder(self):
        cockpit = self._open()
        line = self._line(cockpit, self.later)
        with self._frozen(TODAY), self.assertRefused(ValidationError, "Dispute Reason"):
            line.action_toggle_dispute()
        line.dispute_reason = "Damaged goods"
        with self._frozen(TODAY):
            line.action_toggle_dispute()
        self.assertTrue(self.later.receivable_dispute)
        self.assertRecordValues(
            self._line(cockpit, self.later), [{"dispute": True, "dispute_reason": "Damaged goods"}]
        )
        self.assertEqual(
            self._open().last_action.split(": ", 1)[1],
            f"{self.later.name} is in dispute: Damaged goods",
            "the last note as one readable line, without the link's footnote",
        )
        self.assertEqual(cockpit.reminder_amount, 350.0, "400 less the credit note")
        self.assertNotIn(self.later.name, cockpit.body_html)
        with self.mock_mail_gateway(), self._frozen(TODAY):
            cockpit.action_send_and_print()
        self.assertEqual(self._reminders().line_ids.move_id, self.late)

    def test_promise_toggle(self):
        cockpit = self._open()
        line = self._line(cockpit, self.late)
        line.promise_date = "2026-03-27"
        with self._frozen(TODAY):
            line.action_toggle_promise()
        promise = self.customer.receivable_promise_ids
        self.assertRecordValues(promise, [{"amount": 400.0, "state": "open"}])
        self.assertEqual(promise.move_ids, self.late)
        self.assertTrue(self._line(cockpit, self.late).promised)
        self.assertIn(promise, cockpit.promise_ids)
        with self._frozen(TODAY):
            self._line(cockpit, self.late).action_toggle_promise()
        self.assertEqual(promise.state, "cancelled")

    def test_other_company_controller_refused(self):
        company_b = self.setup_other_company()["company"]
        controller_b = self._create_user("arc_controller_b", CONTROLLER, company=company_b)
        customer_a = self.env["res.partner"].create(
            {"name": "Customer of A only", "company_id": self.company.id}
        )
        with self.assertRaises(AccessError):
            customer_a.with_user(controller_b).action_open_receivable_followup()
        with self.assertRaises(AccessError):
            customer_a.with_user(controller_b).with_context(
                allowed_company_ids=self.company.ids
            ).action_open_receivable_followup()
        cockpit = self._open()
        with self.assertRaises(AccessError):
            cockpit.with_user(controller_b).action_send_and_print()
        with self.assertRaises(AccessError):
            self.customer.with_user(self.invoicing_user).action_open_receivable_followup()

    def test_entry_points(self):
        aging = (
            self.env["receivable.aging"]
            .with_user(self.controller)
            .search([("move_id", "=", self.late.id)])
        )
        with self._frozen(TODAY):
            action = aging.action_open_followup()
        cockpit = self.env["receivable.followup"].browse(action["res_id"])
        self.assertEqual(cockpit.partner_id, self.customer)
        menu_action = self.env.ref(
            "account_receivable_control.action_receivable_followup_customers"
        )
        with self._frozen(TODAY):
            listed = (
                self.env["res.partner"]
                .with_user(self.controller)
                .search(ast.literal_eval(menu_action.domain))
            )
        self.assertIn(self.customer, listed)
        self.assertNotIn(self.partner_a, listed)

    def test_opening_costs_a_bounded_number_of_queries(self):
        other = self.env["res.partner"].create(
            {"name": "Big Customer", "is_company": True, "email": "big@example.com"}
        )
        other.receivable_policy_id = self.policy
        for index in range(12):
            self._due_invoice(100.0 + index, "2026-03-10", partner=other)
        # Templates compiled, the invoices' portal tokens given (once for good).
        self._open()
        self._open(other)

        def count(partner):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self._open(partner)
            return self.env.cr.sql_log_count - before

        small, big = count(self.customer), count(other)
        self.assertLessEqual(big, small + 5, "the cost does not grow with the open items")
        self.env.invalidate_all()
        with self.assertQueryCount(small + 40):
            self._open(other)
