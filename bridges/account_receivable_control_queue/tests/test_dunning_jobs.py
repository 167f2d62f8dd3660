from datetime import date

from odoo import sql_db
from odoo.tests import tagged

from odoo.addons.account_receivable_control.models.receivable_dunning_engine import (
    DUNNING_LOCK_SPACE,
)
from odoo.addons.account_receivable_control.tests.common import DunningCommon
from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.queue_job.job import identity_exact
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import NightJobsMixin

DUE = "2026-03-01"
NIGHT = date(2026, 3, 5)  # 4 days after DUE: the first reminder


@tagged("post_install", "-at_install")
class TestDunningJobs(NightJobsMixin, DunningCommon, MockEmail):
    """The dunning run as jobs: per company, per batch of customers, each job done once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.customer
        for name in ("Café Martin", "Boulangerie Leroy", "Épicerie Fine"):
            partner = cls.env["res.partner"].create(
                {
                    "name": name,
                    "is_company": True,
                    "email": f"{name.split()[0].lower()}@example.com",
                    "receivable_policy_id": cls.policy.id,
                }
            )
            cls.customers |= partner
        for partner in cls.customers:
            cls._due_invoice(500.0, DUE, partner=partner)

    def setUp(self):
        super().setUp()
        self.night = self._scheduled("receivable.dunning.engine")

    def _reminders_made(self):
        """What the run left: (customer, level, state, lines, email queued) per reminder."""
        reminders = self.env["receivable.reminder"].search([("company_id", "=", self.company.id)])
        return sorted(
            (r.partner_id.name, r.level_id.name, r.state, len(r.line_ids), bool(r.mail_id))
            for r in reminders
        )

    def _batch_job(self, partners):
        """The trapped job of the batch ``partners``, as the company's job enqueues it."""
        self._set_batch_size("dunning", len(partners))
        with trap_jobs() as trap:
            self.night._job_dunning_company(self.company, NIGHT)
        return next(
            job
            for job in trap.enqueued_jobs
            if job.method_name == "_job_dunning_batch" and job.args[2] == partners.ids
        )

    # ------------------------------------------------------------------------------------------
    # Enqueuing
    # ------------------------------------------------------------------------------------------
    def test_cron_enqueues_one_job_per_company(self):
        other = self.setup_other_company(name="Company B")["company"]
        policy = self.env["receivable.policy"].create({"name": "B2B B", "company_id": other.id})
        self._create_ladder(policy, [("First reminder", 3, "reminder", {})])
        companies = self.night._get_dunning_companies()
        self.assertIn(other, companies)
        with self._frozen(NIGHT), trap_jobs() as trap:
            self.night._cron_run_dunning()
        trap.assert_jobs_count(len(companies))
        trap.assert_jobs_count(len(companies), only=self.night._job_dunning_company)
        for company in (self.company, other):
            trap.assert_enqueued_job(
                self.night._job_dunning_company,
                args=(company, NIGHT),
                properties={"identity_key": identity_exact},
            )
        job = next(job for job in trap.enqueued_jobs if job.args[0] == other)
        self.assertEqual(job.channel, "root.receivable")
        self.assertEqual(job.description, "Dunning run of Company B on 2026-03-05")
        self.assertEqual(
            job.recordset.env.context["allowed_company_ids"], other.ids, "run in its company"
        )

    def test_cron_twice_the_same_day_enqueues_each_company_once(self):
        # sudo: the jobs are reserved to the Job Queue managers
        company_jobs = self.env["queue.job"].sudo().search
        domain = [("method_name", "=", "_job_dunning_company")]
        before = company_jobs(domain)
        with self._frozen(NIGHT):
            self.night._cron_run_dunning()
            self.night._cron_run_dunning()
        jobs = company_jobs(domain) - before
        self.assertEqual(len(jobs), len(self.night._get_dunning_companies()))
        self.assertEqual(set(jobs.mapped("channel")), {"root.receivable"})
        self.assertEqual(set(jobs.mapped("state")), {"pending"})

    def test_company_job_enqueues_one_job_per_batch(self):
        self._set_batch_size("dunning", 3)
        with trap_jobs() as trap:
            self.night._job_dunning_company(self.company, NIGHT)
        ids = self.customers.sorted("id").ids
        trap.assert_jobs_count(2)
        for batch in (ids[:3], ids[3:]):
            trap.assert_enqueued_job(
                self.night._job_dunning_batch, args=(self.company, NIGHT, batch)
            )
        self.assertFalse(self._reminders_made(), "the company's job reminds nobody itself")

    def test_batches_select_their_own_customers_to_remind(self):
        """The company's job batches every customer with an open item; each batch job
        reminds those of its customers a level is due for, and nobody else."""
        not_due = self.env["res.partner"].create(
            {"name": "Fromagerie Petit", "email": "petit@example.com"}
        )
        self._due_invoice(800.0, "2026-03-20", partner=not_due)
        paid_up = self.env["res.partner"].create({"name": "Cave Dubois"})
        self._register_payment(self._due_invoice(300.0, DUE, partner=paid_up))
        self._set_batch_size("dunning", 10)
        with self._frozen(NIGHT), trap_jobs() as trap:
            self.night._job_dunning_company(self.company, NIGHT)
            trap.assert_enqueued_job(
                self.night._job_dunning_batch,
                args=(self.company, NIGHT, (self.customers | not_due).sorted("id").ids),
            )
            self._perform_all(trap)
        self.assertEqual(
            [row[0] for row in self._reminders_made()], sorted(self.customers.mapped("name"))
        )
        for nothing_due in (not_due, paid_up):
            self.assertFalse(self._reminders(nothing_due), nothing_due.name)

    def test_company_job_sends_the_reminders_waiting_to_go(self):
        """A reminder approved during the day waits to go: a job sends it."""
        with self._frozen(NIGHT):
            waiting = self.night._generate_reminders(
                self.company, NIGHT, partner_ids=self.customer.ids, commit=False
            )
        self.assertEqual(waiting.state, "to_send")
        with self._frozen(NIGHT), trap_jobs() as trap:
            self.night._job_dunning_company(self.company, NIGHT)
            trap.assert_enqueued_job(
                self.night._job_send_reminders, args=(self.company, waiting.ids)
            )
            self._perform_all(trap)
        self.assertEqual(waiting.state, "sent")
        self.assertEqual(len(self._reminders_made()), len(self.customers), "one reminder each")

    # ------------------------------------------------------------------------------------------
    # Performing
    # ------------------------------------------------------------------------------------------
    def test_jobs_remind_as_the_cron_does(self):
        self._set_batch_size("dunning", 2)
        with self._frozen(NIGHT):
            with self.env.cr.savepoint() as before_the_cron:
                self.night._run_company(self.company, NIGHT, commit=False)
                by_the_cron = self._reminders_made()
                before_the_cron.rollback()
            self.assertFalse(self._reminders_made())
            calls = self._night_through_the_queue(self.night._cron_run_dunning)
        self.assertEqual(len(by_the_cron), len(self.customers))
        self.assertEqual({row[1:] for row in by_the_cron}, {("First reminder", "sent", 1, True)})
        self.assertEqual(self._reminders_made(), by_the_cron)
        batches = [call for call in calls if call.method.__name__ == "_job_dunning_batch"]
        self.assertEqual(len(batches), 2)

    def test_retried_job_creates_and_sends_nothing_twice(self):
        job = self._batch_job(self.customers[:2])
        with self._frozen(NIGHT), self.mock_mail_gateway():
            job.perform()
            done = self._reminders_made()
            job.perform()  # queue_job runs a retried job again, from the start
            self.assertEqual(self._reminders_made(), done)
            self._deliver_mails()
        self.assertEqual(len(done), 2)
        self.assertEqual({row[2] for row in done}, {"sent"})
        reminders = self.env["receivable.reminder"].search(
            [("partner_id", "in", self.customers[:2].ids)]
        )
        for reminder in reminders:
            self.assertEqual(len(self._mails_to(reminder.recipient_id)), 1, "one email each")

    def test_job_skips_the_customer_another_worker_prepares(self):
        """Another worker holds the second customer (its advisory lock): the job reminds the
        first only; retried once the other worker is done, it reminds the second alone."""
        first, second = self.customers[:2]
        job = self._batch_job(first | second)
        with self._frozen(NIGHT):
            with sql_db.db_connect(self.env.cr.dbname).cursor() as other_worker:
                other_worker.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [DUNNING_LOCK_SPACE, second.id]
                )
                job.perform()
                self.assertEqual(self._reminders(first).state, "sent")
                self.assertFalse(self._reminders(second))
            job.perform()
        self.assertEqual(len(self._reminders(first)), 1)
        self.assertEqual(self._reminders(second).state, "sent")

    def test_company_reviewing_its_reminders_gets_them_to_review(self):
        # sudo: only the activation or the superuser turns automatic sending off
        self.company.sudo().receivable_dunning_auto_send = False
        with self._frozen(NIGHT):
            self._night_through_the_queue(self.night._cron_run_dunning)
        self.assertEqual({row[2] for row in self._reminders_made()}, {"draft"}, "To Review")
