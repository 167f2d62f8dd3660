from unittest.mock import patch

from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo import sql_db
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningGuarantees(DunningCommon, MockEmail):
    """Never send twice, never lose one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Café Martin", "is_company": True, "email": "compta@martin.example.com"}
        )
        cls.customer_b.receivable_policy_id = cls.policy

    def _trigger(self, cron):
        """Run the cron as the scheduler does: its own cursor, committing per batch (the
        registry's test mode turns those commits into savepoints of the test transaction)."""
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()

    def _mails_to(self, email):
        return [mail for mail in self._mails if any(email in to for to in mail["email_to"])]

    def test_running_twice_the_same_day_sends_nothing_new(self):
        self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            self._run("2026-03-05")
            self._run("2026-03-05")
        self.assertEqual(len(self._reminders()), 1)
        self.assertEqual(len(self._mails), 1)

    def test_cron_twice_the_same_day(self):
        self._due_invoice(500.0, "2026-03-01")
        cron = self.env.ref("account_receivable_control.ir_cron_run_dunning")
        with self.mock_mail_gateway(), self._frozen("2026-03-05"):
            self._trigger(cron)
            self._trigger(cron)
            self._deliver_mails()
        self.assertEqual(self._reminders().state, "sent")
        self.assertEqual(len(self._reminders()), 1)
        self.assertEqual(len(self._mails_to("accounts@brasserie-dupont.example.com")), 1)

    def test_interrupted_run_resumes_and_sends_each_once(self):
        """The worker dies while sending the second reminder; the next run finishes the job."""
        self._due_invoice(500.0, "2026-03-01")
        self._due_invoice(700.0, "2026-03-01", partner=self.customer_b)
        cron = self.env.ref("account_receivable_control.ir_cron_run_dunning")
        reminder_class = type(self.env["receivable.reminder"])
        original = reminder_class._send_email
        calls = []

        def dies_on_second_call(reminder):
            calls.append(reminder.id)
            if len(calls) == 2:
                raise KeyboardInterrupt("worker killed")
            return original(reminder)

        with self.mock_mail_gateway(), self._frozen("2026-03-05"):
            with patch.object(reminder_class, "_send_email", dies_on_second_call):
                # Not assertRaises: it would roll back what the dying worker committed.
                try:
                    self._trigger(cron)
                except KeyboardInterrupt:
                    pass
                else:
                    self.fail("the worker was expected to die")
            self.env.invalidate_all()
            reminders = self._reminders() | self._reminders(self.customer_b)
            self.assertEqual(sorted(reminders.mapped("state")), ["sent", "to_send"])
            self._deliver_mails()
            self.assertEqual(len(self._mails), 1, "the first reminder went out and was committed")

            self._trigger(cron)
            self._deliver_mails()
        self.env.invalidate_all()
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(len(self._mails_to("accounts@brasserie-dupont.example.com")), 1)
        self.assertEqual(len(self._mails_to("compta@martin.example.com")), 1)

    def test_mail_server_down_then_retried(self):
        invoice = self._due_invoice(500.0, "2026-03-01")
        # The run queues the email; the mail queue, right after, finds the server down.
        with self._mail_server_down():
            self._run("2026-03-05")
        reminder = self._reminders()
        self.assertEqual(reminder.state, "failed")
        self.assertEqual(reminder.mail_id.state, "exception")
        self.assertTrue(reminder.failure_reason)
        self.assertIn("not delivered", self._last_message(reminder))

        with self.mock_mail_gateway():
            sent = self._run("2026-03-06")
        self.assertEqual(sent, reminder, "the same reminder is retried, not a new one")
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.attempt_count, 3, "queued, failed, queued again")
        self.assertEqual(invoice.receivable_dunning_level_id, self.first)
        self.assertEqual(len(self._mails), 1)
        self.assertEqual(
            len([body for body in invoice.message_ids.mapped("body") if "sent on" in body]),
            1,
            "the sending is traced once on the invoice",
        )

    def test_invoice_paid_between_evaluation_and_sending_is_dropped(self):
        self.first.needs_approval = True
        paid = self._due_invoice(300.0, "2026-03-01")
        unpaid = self._due_invoice(200.0, "2026-03-01")
        self._run("2026-03-05")
        reminder = self._reminders()
        self.assertEqual(reminder.line_ids.move_id, paid | unpaid)

        self._register_payment(paid)
        with self.mock_mail_gateway(), self._frozen("2026-03-05"):
            reminder.action_send()
            self._deliver_mails()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.line_ids.move_id, unpaid)
        self.assertEqual(reminder.amount_total, 200.0)
        self.assertNotIn(paid.name, self._mails[0]["body"])
        self.assertFalse(paid.receivable_dunning_level_id)

    def test_invoice_promised_between_evaluation_and_sending_is_dropped(self):
        """The sending applies the evaluation's own exclusions, not only payment: a promise
        taken on a call after the reminder was prepared keeps its invoice out."""
        self.first.needs_approval = True
        promised = self._due_invoice(300.0, "2026-03-01")
        other = self._due_invoice(200.0, "2026-03-01")
        self._run("2026-03-05")
        reminder = self._reminders()
        self.assertEqual(reminder.line_ids.move_id, promised | other)

        with self._frozen("2026-03-05"):
            self.env["receivable.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "promise_date": "2026-03-20",
                    "amount": 300.0,
                    "move_ids": [Command.set(promised.ids)],
                }
            )
            with self.mock_mail_gateway():
                reminder.action_send()
                self._deliver_mails()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.line_ids.move_id, other)
        self.assertNotIn(promised.name, self._mails[0]["body"])

    def test_customer_paused_between_evaluation_and_sending_gets_nothing(self):
        self.first.needs_approval = True
        self._due_invoice(300.0, "2026-03-01")
        self._run("2026-03-05")
        reminder = self._reminders()
        self.customer.with_company(self.company).dunning_paused_until = "2026-03-31"
        with self.mock_mail_gateway(), self._frozen("2026-03-05"):
            reminder.action_send()
            self._deliver_mails()
        self.assertEqual(reminder.state, "cancelled")
        self.assertFalse(self._mails)

    def test_reminder_whose_invoices_all_got_paid_is_cancelled(self):
        self.first.needs_approval = True
        invoice = self._due_invoice(300.0, "2026-03-01")
        self._run("2026-03-05")
        reminder = self._reminders()
        self._register_payment(invoice)
        with self.mock_mail_gateway(), self._frozen("2026-03-05"):
            reminder.action_send()
            self._deliver_mails()
        self.assertEqual(reminder.state, "cancelled")
        self.assertIn("paid", reminder.cancel_reason)
        self.assertFalse(self._mails)

    def test_two_workers_never_send_the_same_reminder(self):
        """Two real database connections: the reminder one worker holds is skipped by the
        other, and once sent it is never picked again.

        Row locks only conflict between transactions, so this test commits its own records
        through two separate connections and removes them at the end.
        """
        dbname = self.env.cr.dbname
        with sql_db.db_connect(dbname).cursor() as setup_cr:
            env = api.Environment(setup_cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            partner = env["res.partner"].create({"name": "Concurrency Customer"})
            policy = env["receivable.policy"].create(
                {"name": "Concurrency Policy", "company_id": company.id}
            )
            level = env["receivable.dunning.level"].create(
                {
                    "policy_id": policy.id,
                    "name": "Concurrency Level",
                    "offset_days": 1,
                    "channel_email": False,
                    "channel_call": True,
                }
            )
            run = env["receivable.reminder"]._as_engine()  # created as the dunning run does
            reminder = run.create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "level_id": level.id,
                    "date": "2026-03-05",
                    "state": "to_send",
                }
            )
            ids = (reminder.id, level.id, policy.id, partner.id)
            setup_cr.commit()
        try:
            with (
                sql_db.db_connect(dbname).cursor() as cr_a,
                sql_db.db_connect(dbname).cursor() as cr_b,
            ):
                env_a = api.Environment(cr_a, SUPERUSER_ID, {})
                env_b = api.Environment(cr_b, SUPERUSER_ID, {})
                worker_a = env_a["receivable.reminder"].browse(ids[0])
                worker_b = env_b["receivable.reminder"].browse(ids[0])

                locked_a = worker_a._lock_for_sending()
                self.assertEqual(locked_a, worker_a)
                self.assertFalse(worker_b._lock_for_sending(), "held by A: B skips it")

                locked_a.write({"state": "sent"})
                cr_a.commit()
                cr_b.commit()  # B's next batch is a new transaction
                self.assertFalse(
                    worker_b._lock_for_sending(), "sent by A meanwhile: B does not send it again"
                )
        finally:
            with sql_db.db_connect(dbname).cursor() as cleanup_cr:
                cleanup_cr.execute("DELETE FROM receivable_reminder WHERE id = %s", [ids[0]])
                cleanup_cr.execute("DELETE FROM receivable_dunning_level WHERE id = %s", [ids[1]])
                cleanup_cr.execute("DELETE FROM receivable_policy WHERE id = %s", [ids[2]])
                cleanup_cr.execute("DELETE FROM res_partner WHERE id = %s", [ids[3]])
                cleanup_cr.commit()
