"""Browser tours of issue 15: a collector's day (the worklist to the follow-up cockpit and an
edited reminder sent; a batch send with reminders already sent in the selection), and the
safe go-live (the first-run preview opened from the settings, then the activation).

The collector tours run as a user with only the Credit Controller group; the invoices fall due
relative to today, so they are late whatever the day the tests run."""

from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import MANAGER
from .common import DunningCommon

EDITED_TEXT = "As agreed on the phone today, please pay by Friday."


@tagged("post_install", "-at_install")
class TestCollectorTours(DunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])

    def _late_invoice(self, amount, days_late, partner=None):
        return self._due_invoice(amount, self.today - timedelta(days=days_late), partner=partner)

    def _mails(self, reminders):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("receivable_reminder_id", "in", reminders.ids)], order="id")
        )

    def test_collector_sends_an_edited_reminder_from_the_worklist(self):
        invoice = self._late_invoice(400.0, 10)
        self.assertEqual(
            self.env["receivable.worklist"]
            .with_user(self.controller)
            .search([("partner_id", "=", self.customer.id)])
            .mapped("kind"),
            ["overdue"],
            "an overdue customer nobody collects yet: on the worklist's Unassigned rows",
        )

        self.start_tour(
            "/odoo",
            "account_receivable_control_collector_followup",
            login=self.controller.login,
        )

        reminder = self._reminders()
        self.assertRecordValues(
            reminder,
            [{"state": "sent", "level_id": self.first.id, "recipient_id": self.billing.id}],
        )
        self.assertEqual(reminder.line_ids.move_id, invoice)
        self.assertIn(EDITED_TEXT, reminder.body_override)
        mail = self._mails(reminder)
        self.assertEqual(len(mail), 1, "sent once")
        self.assertIn(EDITED_TEXT, mail.body_html, "the email carries the collector's text")
        self.assertEqual(mail.recipient_ids, self.billing)
        # sudo: the cockpit is the collector's transient record, hidden from the test's user.
        cockpit = (
            self.env["receivable.followup"].sudo().search([("partner_id", "=", self.customer.id)])
        )
        self.assertEqual(cockpit.sent_reminder_id, reminder)
        self.assertIn(reminder.name, cockpit.mail_subject, "it shows the reminder as it went")
        # The customer's history: the trace in its chatter, which the cockpit lists.
        notes = self.customer.message_ids.filtered(
            lambda message: "First reminder sent on" in (message.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertEqual(invoice.receivable_dunning_level_id, self.first)

    def test_batch_send_skips_the_reminders_already_sent(self):
        customers = self.customer | self.env["res.partner"].create(
            [
                {"name": name, "is_company": True, "email": f"{login}@example.com"}
                for name, login in (("Taverne Leroy", "leroy"), ("Bistrot Martin", "martin"))
            ]
        )
        customers.with_company(self.company).receivable_policy_id = self.policy
        for customer in customers:
            self._late_invoice(300.0, 10, partner=customer)
        reminders = self.engine._generate_reminders(self.company, self.today, commit=False)
        self.assertEqual(reminders.mapped("state"), ["to_send"] * 3)
        already_sent = reminders.filtered(lambda r: r.partner_id == self.customer)
        already_sent.with_user(self.controller).action_send()
        self.assertEqual(already_sent.state, "sent")
        sent_before = already_sent.read(["sent_date", "attempt_count", "write_date"])
        to_send = reminders - already_sent

        self.start_tour(
            "/odoo/action-account_receivable_control.action_receivable_reminder",
            "account_receivable_control_batch_send",
            login=self.controller.login,
        )

        self.assertEqual(to_send.mapped("state"), ["sent", "sent"])
        self.assertEqual(len(self._mails(to_send)), 2, "each reminder to send went once")
        self.assertEqual(len(self._mails(already_sent)), 1, "the sent one did not go again")
        self.assertEqual(
            already_sent.read(["sent_date", "attempt_count", "write_date"]),
            sent_before,
            "the reminder already sent is untouched",
        )


@tagged("post_install", "-at_install")
class TestFirstRunActivationTour(DunningCommon, HttpCase):
    def _reminder_mails(self):
        # sudo: outgoing mails are reserved to administrators.
        return self.env["mail.mail"].sudo().search([("model", "=", "receivable.reminder")])

    def test_manager_activates_after_the_first_run_preview(self):
        # A company that has just installed the module: automatic sending not activated.
        self.company.receivable_dunning_auto_send = False
        # A Credit Manager who may open the Invoicing settings, where the Receivables ones
        # are: those of accounting administrators (and the Settings, of administrators).
        manager = new_test_user(
            self.env,
            login="arc_tour_go_live",
            name="Claire Credit Manager",
            groups=f"{MANAGER},account.group_account_manager,base.group_system",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        # The test chart has cash-basis taxes: without this, the settings open on account's
        # warning that cash basis cannot be disabled.
        self.company.tax_exigibility = True
        today = fields.Date.context_today(self.env["res.partner"])
        self._due_invoice(400.0, today - timedelta(days=10))

        mails_before = self._reminder_mails()
        self.start_tour(
            "/odoo/settings",
            "account_receivable_control_first_run_activation",
            login=manager.login,
        )

        self.assertRecordValues(
            self.company,
            [
                {
                    "receivable_dunning_auto_send": True,
                    "receivable_auto_send_activated_by": manager.id,
                }
            ],
        )
        self.assertFalse(self._reminders(), "the preview created no reminder")
        self.assertEqual(self._reminder_mails(), mails_before, "and sent nothing")
        self.assertFalse(self.customer.dunning_last_date)
