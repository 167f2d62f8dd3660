"""The night never stops, never sends twice, and the crons never collide.

Most tests run the engine in the test transaction (``commit=False``, or the cron through the
registry's test mode, whose commits are savepoints). The tests of two workers at once need two
real database connections: they commit their own records and remove them at the end.
"""

import threading
import time
from datetime import datetime
from datetime import timedelta
from unittest.mock import patch

import pytz

from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo import fields
from odoo import sql_db
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

BROKEN_BODY = '<div><t t-out="object.no_such_field_on_reminders.name"/></div>'


# The invoicing contact of DunningCommon's customer: where its reminders go.
CUSTOMER_EMAIL = "accounts@brasserie-dupont.example.com"


@tagged("post_install", "-at_install")
class TestDunningFaults(DunningCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Café Martin", "is_company": True, "email": "compta@martin.example.com"}
        )
        cls.customer_b.receivable_policy_id = cls.policy
        # A customer whose ladder has a template that cannot be rendered.
        cls.broken_policy = cls.env["receivable.policy"].create(
            {"name": "Broken template", "company_id": cls.company.id}
        )
        cls.broken_template = cls.env.ref("account_receivable_control.mail_template_reminder").copy(
            {"name": "Broken reminder", "body_html": BROKEN_BODY}
        )
        cls.broken_level = cls.env["receivable.dunning.level"].create(
            {
                "policy_id": cls.broken_policy.id,
                "name": "Broken reminder",
                "offset_days": 3,
                "channel_email": True,
                "mail_template_id": cls.broken_template.id,
            }
        )
        cls.customer_x = cls.env["res.partner"].create(
            {"name": "Unrenderable SA", "is_company": True, "email": "x@unrenderable.example.com"}
        )
        cls.customer_x.receivable_policy_id = cls.broken_policy

    def _trigger(self, cron):
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()

    def _mails_to(self, email):
        return [mail for mail in self._mails if any(email in to for to in mail["email_to"])]

    def _second_company(self):
        """A second company with its own ladder and an overdue customer."""
        company = self.setup_other_company(name="Company B")["company"]
        policy = self.env["receivable.policy"].create(
            {"name": "Policy B", "company_id": company.id}
        )
        self._create_ladder(policy, [("First reminder B", 3, "reminder", {})])
        customer = self.env["res.partner"].create(
            {"name": "Client B", "is_company": True, "email": "client@b.example.com"}
        )
        customer.with_company(company).receivable_policy_id = policy
        invoice = self._due_invoice(400.0, "2026-03-01", partner=customer, company_id=company.id)
        self.assertEqual(invoice.company_id, company)
        return company, customer

    # ------------------------------------------------------------------------------------------
    # The night never stops
    # ------------------------------------------------------------------------------------------
    def test_unrenderable_reminder_fails_alone_and_the_night_goes_on(self):
        self._due_invoice(500.0, "2026-03-01")
        self._due_invoice(600.0, "2026-03-01", partner=self.customer_x)
        self._due_invoice(700.0, "2026-03-01", partner=self.customer_b)
        _company_b, customer_in_b = self._second_company()
        cron = self.env.ref("account_receivable_control.ir_cron_run_dunning")
        with self.mock_mail_gateway(), self._frozen("2026-03-05"):
            self._trigger(cron)
        self.env.invalidate_all()
        broken = self._reminders(self.customer_x)
        self.assertEqual(broken.state, "failed")
        self.assertIn("no_such_field_on_reminders", broken.failure_reason)
        self.assertFalse(broken.mail_id, "its partial work is rolled back")
        self.assertFalse(broken.line_ids.move_id.receivable_dunning_level_id)
        for partner in (self.customer, self.customer_b, customer_in_b):
            self.assertEqual(self._reminders(partner).state, "sent", partner.name)

    def test_customer_language_not_active_fails_that_reminder_only(self):
        self.customer_x.receivable_policy_id = self.policy
        # Imported with a language the database does not have.
        self.env.cr.execute(
            "UPDATE res_partner SET lang = 'xx_XX' WHERE id = %s", [self.customer_x.id]
        )
        self.customer_x.invalidate_recordset(["lang"])
        self._due_invoice(500.0, "2026-03-01")
        self._due_invoice(600.0, "2026-03-01", partner=self.customer_x)
        with self.mock_mail_gateway():
            sent = self._run("2026-03-05")
        self.assertEqual(sent.partner_id, self.customer)
        self.assertEqual(self._reminders(self.customer_x).state, "failed")
        self.assertTrue(self._reminders(self.customer_x).failure_reason)
        self.assertEqual(len(self._mails), 1)

    def test_failures_in_a_row_send_the_reminder_back_to_review(self):
        self.company.receivable_dunning_max_failures = 2
        self._due_invoice(600.0, "2026-03-01", partner=self.customer_x)
        with self.mock_mail_gateway():
            self._run("2026-03-05")
            reminder = self._reminders(self.customer_x)
            self.assertEqual((reminder.state, reminder.failure_count), ("failed", 1))
            self._run("2026-03-06")
        self.assertEqual(reminder.state, "draft", "back to review, not retried forever")
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "receivable.reminder"), ("res_id", "=", reminder.id)]
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(
            activity.user_id, self.env["receivable.risk.engine"]._get_risk_user(self.company)
        )
        self.assertIn("2 times in a row", str(activity.note))
        self.assertIn("no_such_field_on_reminders", str(activity.note))
        with self.mock_mail_gateway():
            self._run("2026-03-07")
        self.assertEqual(reminder.state, "draft", "waits for the review")
        self.assertFalse(self._mails)

    def test_failures_before_review_must_be_positive(self):
        with self.assertRefused(ValidationError, "Reminder Failures Before Review"):
            self.company.receivable_dunning_max_failures = 0
        self.assertEqual(self.company.receivable_dunning_max_failures, 3)

    # ------------------------------------------------------------------------------------------
    # Never twice
    # ------------------------------------------------------------------------------------------
    def test_sending_hands_the_mail_to_the_queue_in_the_same_transaction(self):
        invoice = self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            sent = self._run("2026-03-05", deliver=False)
            self.assertEqual(sent.state, "sent")
            self.assertEqual(sent.mail_id.state, "outgoing", "queued, delivered after commit")
            self.assertFalse(self._mails, "no SMTP call during the run")
            self.assertEqual(invoice.receivable_dunning_level_id, self.first)
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(sent.mail_id.state, "sent")
        self.assertEqual(len(self._mails_to("accounts@brasserie-dupont.example.com")), 1)
        self.assertEqual(sent.state, "sent")

    def test_mail_refused_by_the_queue_fails_the_reminder_and_is_retried(self):
        invoice = self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05", deliver=False)
        first_mail = reminder.mail_id
        with self._mail_server_down() as server:
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(first_mail.state, "exception")
        self.assertEqual(reminder.state, "failed")
        self.assertIn("not delivered", reminder.failure_reason)
        self.assertEqual(invoice.receivable_dunning_level_id, self.first)

        server.active = False
        with self.mock_mail_gateway():
            sent = self._run("2026-03-06", deliver=False)
            self.assertEqual(sent, reminder, "the same reminder is retried, not a new one")
            self.assertEqual(reminder.state, "sent")
            self.assertNotEqual(reminder.mail_id, first_mail, "a new mail")
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(self._mails_to("accounts@brasserie-dupont.example.com")), 1)
        self.assertEqual(len(self._reminders()), 1)
        self.assertEqual(reminder.attempt_count, 3, "sent, failed, sent again")

    def test_undelivered_mail_of_a_reminder_already_followed_keeps_it_sent(self):
        """The customer already has its next reminder waiting when the queue fails to deliver
        the previous one: that one is noted, not reopened (one open reminder per customer)."""
        invoice = self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            first = self._run("2026-03-05", deliver=False)
        line = invoice.line_ids.filtered(lambda item: item.display_type == "payment_term")
        following = (
            self.env["receivable.reminder"]
            ._as_engine()
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "level_id": self.first.id,
                    "date": fields.Date.to_date("2026-03-06"),
                    "state": "draft",
                    "line_ids": [
                        Command.create(
                            {
                                "company_id": self.company.id,
                                "move_line_id": line.id,
                                "move_id": invoice.id,
                                "currency_id": self.currency.id,
                            }
                        )
                    ],
                }
            )
        )
        with self._mail_server_down():
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(first.mail_id.state, "exception")
        self.assertRecordValues(first | following, [{"state": "sent"}, {"state": "draft"}])
        self.assertTrue(first.failure_reason)
        self.assertEqual(first.failure_reason, first.mail_id.failure_reason, "noted on it")

    def test_uncertain_delivery_goes_to_review_and_is_never_sent_again(self):
        self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05", deliver=False)
        mail = reminder.mail_id
        # The queue committed the start of the delivery, then its process was killed.
        mail.receivable_delivery_started = fields.Datetime.now()
        with self.mock_mail_gateway():
            self.env["mail.mail"].process_email_queue()
            self._run("2026-03-06")
        # The Credit Manager is told of the review by email; the customer gets nothing more.
        self.assertFalse(self._mails_to(CUSTOMER_EMAIL), "not sent a second time")
        self.assertEqual(mail.state, "cancel")
        self.assertEqual(reminder.state, "draft")
        self.assertIn("Uncertain delivery", reminder.failure_reason)
        self.assertTrue(
            self.env["mail.activity"].search_count(
                [("res_model", "=", "receivable.reminder"), ("res_id", "=", reminder.id)]
            )
        )

    def test_uncertain_delivery_is_not_failed_when_the_server_is_down(self):
        """The queue died after the mail server took the email; next time the server is down:
        the mail is uncertain (review), not failed (which would send it again)."""
        self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05", deliver=False)
        reminder.mail_id.receivable_delivery_started = fields.Datetime.now()
        with self._mail_server_down():
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(reminder.mail_id.state, "cancel")
        self.assertEqual(reminder.state, "draft")
        self.assertIn("Uncertain delivery", reminder.failure_reason)
        with self.mock_mail_gateway():
            self._run("2026-03-06")
        self.assertEqual(reminder.state, "draft", "not sent again")
        self.assertFalse(self._mails)

    def test_dunning_run_reviews_an_uncertain_delivery_itself(self):
        self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05", deliver=False)
            reminder.mail_id.receivable_delivery_started = fields.Datetime.now()
            self._run("2026-03-06", deliver=False)
        self.assertEqual(reminder.state, "draft")
        self.assertEqual(reminder.mail_id.state, "cancel")
        self.assertFalse(self._mails_to(CUSTOMER_EMAIL))

    # ------------------------------------------------------------------------------------------
    # Crons at night, one time budget
    # ------------------------------------------------------------------------------------------
    def test_crons_scheduled_at_night_one_after_the_other(self):
        self.env.company.partner_id.tz = "Europe/Brussels"
        with self._frozen("2026-03-05 14:30:00"):
            self.engine._schedule_crons_at_night()
        tz = pytz.timezone("Europe/Brussels")
        hours = {}
        for xmlid in (
            "ir_cron_refresh_credit_holds",
            "ir_cron_receivable_risk",
            "ir_cron_check_payment_plans",
            "ir_cron_run_dunning",
        ):
            cron = self.env.ref(f"account_receivable_control.{xmlid}")
            local = pytz.utc.localize(cron.nextcall).astimezone(tz)
            self.assertEqual(local.date(), datetime(2026, 3, 6).date(), xmlid)
            hours[xmlid] = local.hour
        self.assertEqual(
            hours,
            {
                "ir_cron_refresh_credit_holds": 1,
                "ir_cron_receivable_risk": 2,
                "ir_cron_check_payment_plans": 3,
                "ir_cron_run_dunning": 5,
            },
        )

    def test_time_limit_holds_for_the_whole_run(self):
        """When the cron's time is up in the first company, no other company is started and
        the remaining work says so (the scheduler runs the cron again)."""
        self._due_invoice(500.0, "2026-03-01")
        company_b, customer_in_b = self._second_company()
        cron = self.env.ref("account_receivable_control.ir_cron_run_dunning")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        context = {
            "ir_cron_progress_id": progress.id,
            "cron_id": cron.id,
            "cron_end_time": time.monotonic() - 1,  # already out of time
        }
        self.env.flush_all()
        with (
            self.mock_mail_gateway(),
            self._frozen("2026-03-05"),
            patch.object(
                type(self.engine),
                "_get_dunning_companies",
                lambda engine: engine.env["res.company"].browse([self.company.id, company_b.id]),
            ),
            self.enter_registry_test_mode(),
            self.registry.cursor() as cron_cr,
        ):
            # The scheduler's own cursor: its commits are savepoints in test mode.
            self.engine.with_env(self.env(cr=cron_cr, context=context))._cron_run_dunning()
        self.env.invalidate_all()
        self.assertEqual(self._reminders().state, "to_send", "prepared, not sent")
        self.assertFalse(self._reminders(customer_in_b), "the next company is not started")
        self.assertGreaterEqual(progress.remaining, 1)

    def test_holds_cron_time_limit_counts_the_companies_left(self):
        """Out of time after the first company's last batch: the holds cron reports the
        companies after it as remaining, so the scheduler runs it again for them."""
        company_b = self.setup_other_company(name="Company B")["company"]
        (self.company | company_b).write({"receivable_hold_enforcement": True})
        self.company.sequence, company_b.sequence = 1, 2
        self._due_invoice(500.0, "2026-03-01")
        cron = self.env.ref("account_receivable_control.ir_cron_refresh_credit_holds")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        context = {
            "ir_cron_progress_id": progress.id,
            "cron_id": cron.id,
            "cron_end_time": time.monotonic() - 1,
        }
        self.env.flush_all()
        with self.enter_registry_test_mode(), self.registry.cursor() as cron_cr:
            env = self.env(cr=cron_cr, context=context)
            companies = env["res.company"].search([("receivable_hold_enforcement", "=", True)])
            self.assertGreaterEqual(len(companies), 2)
            env["res.partner"]._cron_refresh_credit_holds()
        progress.invalidate_recordset()
        self.assertTrue(progress.done, "one batch, then the time was up")
        self.assertGreaterEqual(progress.remaining, 1)

    def test_a_message_in_a_reminder_chatter_is_delivered_as_any_mail(self):
        """Only the reminder's own email goes through the reminder rules of the queue: a
        message posted in its chatter to a follower is not taken for a superseded reminder."""
        self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
            follower = self.env["res.partner"].create(
                {"name": "Sales rep", "email": "rep@lumen.example.com"}
            )
            reminder.message_subscribe(follower.ids)
            reminder.message_post(
                body="The customer called back.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=follower.ids,
            )
            notification = (
                self.env["mail.mail"].search(
                    [("model", "=", reminder._name), ("res_id", "=", reminder.id)]
                )
                - reminder.mail_id
            )
            self.assertTrue(notification)
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(self._mails_to("rep@lumen.example.com")), 1)
        self.assertNotEqual(notification.state, "cancel")
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.mail_id.receivable_reminder_id, reminder)

    def test_the_review_to_do_shows_on_the_reminder(self):
        self.company.receivable_dunning_max_failures = 1
        self._due_invoice(600.0, "2026-03-01", partner=self.customer_x)
        with self.mock_mail_gateway():
            self._run("2026-03-05")
        reminder = self._reminders(self.customer_x)
        self.assertEqual(reminder.state, "draft")
        self.assertEqual(len(reminder.activity_ids), 1)
        self.assertIn("Review the reminder", reminder.activity_ids.summary)


@tagged("post_install", "-at_install")
class TestDunningConcurrency(DunningCommon):
    """Two workers at once, on two real connections (row locks only conflict between
    transactions): the records are committed and removed at the end."""

    def _real_env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _cleanup(self, ids):
        dbname = self.env.cr.dbname
        with sql_db.db_connect(dbname).cursor() as cr:
            # The reminders' emails (their messages; the queued mail.mail go with them), else
            # committed emails outlive the test.
            cr.execute(
                "DELETE FROM mail_message WHERE model = 'receivable.reminder' AND res_id IN "
                "(SELECT id FROM receivable_reminder WHERE partner_id = ANY(%s))",
                [ids["partners"]],
            )
            if ids.get("moves"):
                cr.execute(
                    "DELETE FROM receivable_reminder WHERE partner_id = ANY(%s)",
                    [ids["partners"]],
                )
                cr.execute(
                    "DELETE FROM mail_message WHERE model = 'account.move' AND res_id = ANY(%s)",
                    [ids["moves"]],
                )
                cr.execute("DELETE FROM account_move WHERE id = ANY(%s)", [ids["moves"]])
            cr.execute(
                "DELETE FROM receivable_reminder WHERE partner_id = ANY(%s)", [ids["partners"]]
            )
            cr.execute("DELETE FROM receivable_dunning_level WHERE policy_id = %s", [ids["policy"]])
            cr.execute(
                "DELETE FROM receivable_risk_snapshot WHERE partner_id = ANY(%s)",
                [ids["partners"]],
            )
            cr.execute("DELETE FROM receivable_policy WHERE id = %s", [ids["policy"]])
            cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [ids["partners"]])
            cr.execute(
                "UPDATE res_company SET receivable_dunning_auto_send = %s WHERE id = %s",
                [ids["auto_send"], ids["company"]],
            )
            cr.commit()

    def _commit_setup(self, partner_count, with_invoices=False):
        dbname = self.env.cr.dbname
        with sql_db.db_connect(dbname).cursor() as cr:
            env = self._real_env(cr)
            company = env.ref("base.main_company")
            policy = env["receivable.policy"].create(
                {"name": "Concurrency Policy", "company_id": company.id}
            )
            level = env["receivable.dunning.level"].create(
                {
                    "policy_id": policy.id,
                    "name": "Concurrency Level",
                    "offset_days": 1,
                    "channel_email": True,
                    "mail_template_id": env.ref(
                        "account_receivable_control.mail_template_reminder"
                    ).id,
                }
            )
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"Concurrency Customer {index}",
                        "is_company": True,
                        "email": f"c{index}@concurrency.example.com",
                    }
                    for index in range(partner_count)
                ]
            )
            partners.with_company(company).receivable_policy_id = policy
            ids = {
                "policy": policy.id,
                "level": level.id,
                "partners": partners.ids,
                "company": company.id,
                "auto_send": company.receivable_dunning_auto_send,
            }
            # The database's company sends automatically (restored by _cleanup).
            company.receivable_dunning_auto_send = True
            if with_invoices:
                today = fields.Date.context_today(env["res.partner"])
                moves = env["account.move"].create(
                    [
                        {
                            "move_type": "out_invoice",
                            "partner_id": partner.id,
                            "company_id": company.id,
                            "invoice_date": today - timedelta(days=40),
                            "invoice_date_due": today - timedelta(days=10),
                            "invoice_payment_term_id": False,
                            "invoice_line_ids": [
                                Command.create(
                                    {"name": "Service", "price_unit": 100.0, "tax_ids": []}
                                )
                            ],
                        }
                        for partner in partners
                    ]
                )
                moves.action_post()
                ids["moves"] = moves.ids
                # Last night's predictions: tonight's refresh finds nothing changed.
                env["account.move"]._compute_expected_payment_dates_company(
                    company, today - timedelta(days=1)
                )
            cr.commit()
        return ids

    def test_second_worker_skips_the_customers_the_first_holds(self):
        ids = self._commit_setup(3)
        dbname = self.env.cr.dbname
        date = fields.Date.to_date("2026-03-05")
        try:
            with (
                sql_db.db_connect(dbname).cursor() as cr_a,
                sql_db.db_connect(dbname).cursor() as cr_b,
            ):
                engine_a = self._real_env(cr_a)["receivable.dunning.engine"]
                engine_b = self._real_env(cr_b)["receivable.dunning.engine"]
                company = engine_a.env.ref("base.main_company")
                p1, p2, p3 = ids["partners"]
                self.assertEqual(engine_a._lock_partners([p1, p2]), [p1, p2])
                self.assertEqual(
                    engine_b._lock_partners([p1, p2, p3]), [p3], "A holds p1 and p2: B skips"
                )
                level = engine_a.env["receivable.dunning.level"].browse(ids["level"])

                def proposal(partner_id, level):
                    return {
                        "partner_id": partner_id,
                        "policy_id": ids["policy"],
                        "level": level,
                        "amount": 100.0,
                        "rows": [],
                    }

                engine_a._create_reminders(company, date, [proposal(p1, level)])
                cr_a.commit()
                # B's transaction started before A's commit: it does not see A's reminder and
                # proposes p1 again. The index refuses it; B skips p1, keeps p3, no error.
                company_b = engine_b.env.ref("base.main_company")
                level_b = engine_b.env["receivable.dunning.level"].browse(ids["level"])
                created = engine_b._create_reminders_skipping_taken(
                    company_b, date, [proposal(p1, level_b), proposal(p3, level_b)]
                )
                self.assertEqual(created.partner_id.ids, [p3])
                cr_b.commit()
                cr_a.execute(
                    "SELECT partner_id, COUNT(*) FROM receivable_reminder"
                    " WHERE partner_id = ANY(%s) GROUP BY partner_id",
                    [ids["partners"]],
                )
                self.assertEqual(dict(cr_a.fetchall()), {p1: 1, p3: 1})
        finally:
            self._cleanup(ids)

    def test_dunning_and_risk_crons_at_once(self):
        """The risk cron (scores, tonight's predictions) holds its transaction open while the
        dunning run sends reminders on the same customers' invoices: neither waits for nor
        breaks the other (no serialization failure, no deadlock), every reminder goes."""
        ids = self._commit_setup(4, with_invoices=True)
        dbname = self.env.cr.dbname
        errors = []
        try:
            with sql_db.db_connect(dbname).cursor() as cr_risk:
                env_risk = self._real_env(cr_risk)
                company = env_risk.ref("base.main_company")
                today = fields.Date.context_today(env_risk["res.partner"])
                env_risk["receivable.risk.engine"].with_company(company)._recompute_scores(
                    company, today, partner_ids=ids["partners"]
                )
                env_risk["account.move"]._compute_expected_payment_dates_company(company, today)

                def dunning():
                    try:
                        with sql_db.db_connect(dbname).cursor() as cr_dunning:
                            env = self._real_env(cr_dunning)
                            env["receivable.dunning.engine"]._run_company(
                                env.ref("base.main_company"), today
                            )
                    except Exception as error:  # reported by the test
                        errors.append(error)

                worker = threading.Thread(target=dunning)
                worker.start()
                worker.join(timeout=3)  # blocked on the risk transaction's rows, if any
                cr_risk.commit()
                worker.join(timeout=60)
                self.assertFalse(worker.is_alive())
            self.assertFalse(errors, "no serialization failure or deadlock escaped")
            with sql_db.db_connect(dbname).cursor() as cr:
                cr.execute(
                    "SELECT state, COUNT(*) FROM receivable_reminder"
                    " WHERE partner_id = ANY(%s) GROUP BY state",
                    [ids["partners"]],
                )
                self.assertEqual(dict(cr.fetchall()), {"sent": 4})
        finally:
            self._cleanup(ids)

    def test_a_delivery_in_progress_is_not_taken_for_an_uncertain_one(self):
        """The queue holds a reminder mail from the mark *delivery started* until the outcome is
        committed: a second worker meeting the mark meanwhile leaves that mail alone."""
        dbname = self.env.cr.dbname
        with sql_db.db_connect(dbname).cursor() as cr:
            mail = self._real_env(cr)["mail.mail"].create(
                {"subject": "Payment reminder", "email_to": "a@example.com", "body_html": "<p/>"}
            )
            mail_id = mail.id
            cr.commit()
        try:
            with (
                sql_db.db_connect(dbname).cursor() as cr_a,
                sql_db.db_connect(dbname).cursor() as cr_b,
            ):
                delivering = self._real_env(cr_a)["mail.mail"].browse(mail_id)
                self.assertTrue(delivering._receivable_start_delivery(auto_commit=True))
                # Worker B sees the committed mark while A is talking to the mail server.
                other = self._real_env(cr_b)["mail.mail"].browse(mail_id)
                self.assertTrue(other.receivable_delivery_started)
                self.assertEqual(other._receivable_drop_undeliverable(), other.browse())
                self.assertEqual(other.state, "outgoing", "not cancelled as uncertain")
                self.assertFalse(other.try_lock_for_update(), "held by the delivering worker")
                cr_b.rollback()
                cr_a.rollback()
        finally:
            with sql_db.db_connect(dbname).cursor() as cr:
                cr.execute("DELETE FROM mail_mail WHERE id = %s", [mail_id])
                cr.commit()
