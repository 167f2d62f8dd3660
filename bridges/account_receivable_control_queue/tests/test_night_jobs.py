from contextlib import suppress
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.account_receivable_control.tests.common import ReceivableCommon
from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import NightJobsMixin

DUE = "2026-01-10"
NIGHT = date(2026, 2, 11)  # 32 days after DUE: the test policy allows 30


@tagged("post_install", "-at_install")
class TestNightJobs(NightJobsMixin, ReceivableCommon, MockEmail):
    """Holds, risk scores, expected payment dates and payment plans as jobs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "info@brasserie-dupont.example.com"
        cls.customers = cls.customer
        for name in ("Café Martin", "Boulangerie Leroy"):
            cls.customers |= cls.env["res.partner"].create(
                {"name": name, "is_company": True, "receivable_policy_id": cls.policy.id}
            )
        cls.invoices = cls.env["account.move"]
        for partner in cls.customers:
            cls.invoices |= cls._due_invoice(100.0, DUE, partner=partner)

    def _hold_messages(self, partner):
        return partner.message_ids.filtered(lambda m: "Put on credit hold" in (m.body or ""))

    def test_hold_jobs_per_company_and_batch_hold_each_customer_once(self):
        self._set_batch_size("holds", 2)
        partners = self._scheduled("res.partner")
        companies = self.env["res.company"].search([("receivable_hold_enforcement", "=", True)])
        with freeze_time(NIGHT), trap_jobs() as trap:
            partners._cron_refresh_credit_holds()
            trap.assert_jobs_count(len(companies), only=partners._job_credit_holds_company)
            trap.assert_enqueued_job(partners._job_credit_holds_company, args=(self.company, NIGHT))
            trap.enqueued_jobs = [job for job in trap.enqueued_jobs if job.args[0] == self.company]
            trap.perform_enqueued_jobs()
            ids = self.customers.sorted("id").ids
            trap.assert_jobs_count(2, only=partners._job_credit_holds_batch)
            for batch in (ids[:2], ids[2:]):
                trap.assert_enqueued_job(
                    partners._job_credit_holds_batch, args=(self.company, batch)
                )
            jobs = trap.enqueued_jobs
            for job in jobs + jobs:  # each job retried once
                job.perform()
        for partner in self.customers:
            self.assertTrue(partner.credit_on_hold)
            self.assertIn("32 days past due", partner.credit_hold_reason_display)
            self.assertEqual(len(self._hold_messages(partner)), 1, "held once")

    def test_risk_jobs_score_each_customer_once_a_day(self):
        self._set_batch_size("risk", 2)
        engine = self._scheduled("receivable.risk.engine")
        with freeze_time(NIGHT), trap_jobs() as trap:
            engine._job_risk_company(self.company, NIGHT)
            ids = self.customers.sorted("id").ids
            trap.assert_jobs_count(3)
            for batch in (ids[:2], ids[2:]):
                trap.assert_enqueued_job(engine._job_risk_batch, args=(self.company, NIGHT, batch))
            trap.assert_enqueued_job(
                self.env["account.move"]._job_expected_payment_dates, args=(self.company, NIGHT)
            )
            jobs = trap.enqueued_jobs
            # After every batch, as the cron: both write the customers' rows (side by side,
            # they deadlock).
            [expected] = [job for job in jobs if job.method_name == "_job_expected_payment_dates"]
            batches = {job for job in jobs if job.method_name == "_job_risk_batch"}
            self.assertEqual(expected.depends_on, batches)
            for job in jobs + jobs:  # each job retried once
                job.perform()
        snapshots = self.env["receivable.risk.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", NIGHT)]
        )
        self.assertEqual(snapshots.partner_id, self.customers)
        self.assertEqual(len(snapshots), len(self.customers), "one snapshot each")
        self.assertTrue(all(partner.receivable_risk_class for partner in self.customers))

    def test_failed_job_shows_its_reason(self):
        """Class bounds that bypassed the form's check (an SQL import): the scoring job fails,
        and queue_job's screens show why."""
        self.env.cr.execute(
            "UPDATE res_company SET receivable_risk_class_bounds = '60,40' WHERE id = %s",
            [self.company.id],
        )
        self.company.invalidate_recordset(["receivable_risk_class_bounds"])
        engine = self._scheduled("receivable.risk.engine").with_company(self.company)
        job = engine.with_delay()._job_risk_batch(self.company, NIGHT, self.customer.ids)
        with (
            freeze_time(NIGHT),
            mute_logger("odoo.addons.queue_job.controllers.main"),
            # queue_job records the failure on a cursor of its own: here the test's.
            self.enter_registry_test_mode(),
            # The runner raises the job's error once recorded (not assertRaises: Odoo's rolls
            # its block back, the failure recorded with it).
            suppress(ValidationError),
        ):
            RunJobController._runjob(self.env, job)
        # sudo: the jobs are reserved to the Job Queue managers
        record = job.db_record().sudo()
        self.assertEqual(record.state, "failed")
        self.assertEqual(record.channel, "root.receivable")
        self.assertEqual(record.exc_name, "odoo.exceptions.ValidationError")
        self.assertIn("The risk class bounds are 4 increasing scores", record.exc_message)
        self.assertIn('not "60,40"', record.exc_message)
        self.assertIn("Traceback", record.exc_info)
        self.assertFalse(self.env["receivable.risk.snapshot"].search([("date", "=", NIGHT)]))

    def test_plan_jobs_report_a_missed_instalment_once(self):
        self._set_batch_size("plans", 1)
        with freeze_time("2026-03-02"):
            plan = self.env["receivable.payment.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.invoices[:1].ids)],
                    "line_ids": [Command.create({"date": "2026-03-10", "amount": 100.0})],
                    "cancel_on_missed": False,
                }
            )
            plan.action_confirm()
        night = date(2026, 3, 11)
        plans = self._scheduled("receivable.payment.plan")
        with freeze_time(night), self.mock_mail_gateway(), trap_jobs() as trap:
            plans._cron_check_payment_plans()
            trap.assert_enqueued_job(plans._job_payment_plans_company, args=(self.company, night))
            trap.perform_enqueued_jobs()
            trap.assert_enqueued_job(
                plans._job_payment_plans_batch, args=(self.company, night, plan.ids)
            )
            jobs = trap.enqueued_jobs
            for job in jobs + jobs:  # each job retried once
                job.perform()
            self.env["mail.mail"].sudo().process_email_queue()
        self.assertEqual(plan.state, "active", "the plan goes on")
        self.assertEqual(plan.line_ids.state, "missed")
        missed = plan.message_ids.filtered(lambda m: "Instalment of" in (m.body or ""))
        self.assertEqual(len(missed), 1, "reported once")
        self.assertEqual(len(self._mails_to(self.customer)), 1, "one email")
