"""Safe go-live: nothing is sent automatically until a Credit Manager activates it after the
first-run preview; enforcing holds shows how many customers it would hold before saving."""

import re
from contextlib import contextmanager
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID
from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.sql_db import Cursor
from odoo.tests import Form
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.mail.tests.common import MockEmail

from .common import MANAGER
from .common import DunningCommon
from .common import ReceivableCommon


@tagged("post_install", "-at_install")
class TestDunningActivation(DunningCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A company that has just installed the module: automatic sending not activated.
        cls.company.receivable_dunning_auto_send = False
        cls.policy.legal_profile_id = cls.env.ref("account_receivable_control.legal_profile_fr_b2b")
        cls.late = cls._due_invoice(1000.0, "2026-03-01")  # 9 days late on 2026-03-10
        cls.customer_b = cls.env["res.partner"].create(
            {
                "name": "Café Leroy",
                "is_company": True,
                "email": "compta@cafe-leroy.example.com",
                "receivable_policy_id": cls.policy.id,
            }
        )
        cls.soon = cls._due_invoice(300.0, "2026-03-13", partner=cls.customer_b)  # due in 3 days

    def _first_run_preview(self, user):
        with freeze_time("2026-03-10"):
            run = (
                self.env["receivable.dunning.run"]
                .with_user(user)
                .create({"first_run": True, "company_ids": [Command.set(self.company.ids)]})
            )
            run.action_preview()
        return run

    @contextmanager
    def _tables_written(self):
        """The tables the block inserts into, updates or deletes from (its pending writes
        flushed at the end)."""
        written = set()
        execute = Cursor.execute
        pattern = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)

        def spy(cr, query, params=None, log_exceptions=True):
            match = pattern.match(query.code if isinstance(query, SQL) else str(query))
            if match:
                written.add(match.group(1))
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", spy):
            yield written
            self.env.flush_all()

    def _sent_mails(self):
        """The emails queued for this company's reminders (not those other tests committed)."""
        reminders = self.env["receivable.reminder"].search([("company_id", "=", self.company.id)])
        return self.env["mail.mail"].search(
            [("model", "=", "receivable.reminder"), ("res_id", "in", reminders.ids)]
        )

    def test_new_company_sends_nothing_and_enforces_no_hold(self):
        company = self.env["res.company"].create({"name": "Fresh Install"})
        self.assertFalse(company.receivable_dunning_auto_send)
        self.assertFalse(company.receivable_hold_enforcement)

    def test_night_before_activation_prepares_reminders_to_review(self):
        with self.mock_mail_gateway():
            sent = self._run("2026-03-10")
        self.assertFalse(sent)
        self.assertFalse(self._mails, "no email goes out")
        self.assertFalse(self._sent_mails(), "no email is even queued")
        reminders = self._reminders() | self._reminders(self.customer_b)
        self.assertRecordValues(
            reminders,
            [
                {"level_id": self.first.id, "state": "draft", "awaiting_activation": True},
                {"level_id": self.friendly.id, "state": "draft", "awaiting_activation": True},
            ],
        )
        self.assertEqual(reminders[0].state, "draft")
        self.assertEqual(
            dict(reminders._fields["state"]._description_selection(self.env))["draft"],
            "To Review",
        )

    def test_manual_sending_is_unaffected(self):
        with self.mock_mail_gateway(), freeze_time("2026-03-10"):
            reminder = self.customer.with_user(self.controller).action_send_reminder_now()
        reminder = self._reminders()
        self.assertEqual(reminder.state, "sent")

    def test_preview_lists_the_first_night_and_creates_nothing(self):
        with self._tables_written() as written:
            run = self._first_run_preview(self.manager)
        self.assertLessEqual(
            written,
            {
                "receivable_dunning_run",
                "receivable_dunning_run_line",
                "receivable_dunning_run_res_company_rel",
            },
            "the preview writes its own lines only",
        )
        self.assertIn("receivable_dunning_run_line", written, "the spy saw the lines")
        self.assertFalse(self.env["receivable.reminder"].search([]), "no reminder created")
        self.assertFalse(self.env["receivable.reminder.line"].search([]), "no reminder line")
        # French B2B: 1000 x (ECB 2.15 % + 10) x 9 / 365 = 3.00 and the 40.00 fee from the
        # first level after the due date; the friendly reminder before the due date claims
        # nothing more than the invoice.
        self.assertRecordValues(
            run.line_ids.sorted("amount_claimed", reverse=True),
            [
                {
                    "partner_id": self.customer.id,
                    "level_id": self.first.id,
                    "invoice_count": 1,
                    "amount": 1000.0,
                    "amount_interest": 3.0,
                    "amount_fees": 40.0,
                    "amount_claimed": 1043.0,
                    "channel_email": True,
                    "channel_letter": False,
                    "channel_call": False,
                    "needs_approval": False,
                },
                {
                    "partner_id": self.customer_b.id,
                    "level_id": self.friendly.id,
                    "invoice_count": 1,
                    "amount": 300.0,
                    "amount_interest": 0.0,
                    "amount_fees": 0.0,
                    "amount_claimed": 300.0,
                    "channel_email": True,
                    "channel_letter": False,
                    "channel_call": False,
                    "needs_approval": False,
                },
            ],
        )
        self.assertRecordValues(
            run,
            [{"partner_count": 2, "amount_due": 1300.0, "amount_charges": 43.0}],
        )
        self.assertEqual(run.amount_total, 1343.0)
        # The night then claims what the preview showed.
        self._run("2026-03-10")
        reminder = self._reminders()
        self.assertEqual(reminder.level_id, self.first)
        self.assertEqual(reminder.amount_claimed, 1043.0)

    def test_activation_through_the_preview_then_the_night_sends(self):
        self._run("2026-03-10")  # prepared to review while sending is off
        run = self._first_run_preview(self.manager)
        self.assertEqual(
            run.line_ids.reminder_id, self._reminders() | self._reminders(self.customer_b)
        )
        with freeze_time("2026-03-10 18:00:00"):
            run.with_user(self.manager).action_activate_auto_send()
        self.assertRecordValues(
            self.company,
            [
                {
                    "receivable_dunning_auto_send": True,
                    "receivable_auto_send_activated_by": self.manager.id,
                }
            ],
        )
        self.assertEqual(str(self.company.receivable_auto_send_activated_on), "2026-03-10 18:00:00")
        self.assertIn(
            "activated by arc_manager", self._last_message(self.company.partner_id).lower()
        )
        with self.mock_mail_gateway():
            sent = self._run("2026-03-11")
        self.assertEqual(sent, self._reminders() | self._reminders(self.customer_b))
        self.assertEqual(set(sent.mapped("state")), {"sent"})
        self.assertEqual(len(self._mails), 2)

    def test_only_a_credit_manager_activates(self):
        run = self._first_run_preview(self.controller)
        self.assertEqual(len(run.line_ids), 2, "a controller may look")
        with self.assertRaises(AccessError):
            run.with_user(self.controller).action_activate_auto_send()
        with self.assertRaises(AccessError):
            self.company.with_user(self.controller)._activate_dunning_auto_send()
        self.assertFalse(self.company.receivable_dunning_auto_send)
        # Nor by writing the company directly, even as an administrator.
        with self.assertRaisesRegex(UserError, "first-run preview"):
            self.company.write({"receivable_dunning_auto_send": True})
        self.assertFalse(self.company.receivable_dunning_auto_send)
        # Nor by creating a company sending already.
        with self.assertRaisesRegex(UserError, "first-run preview"):
            self.env["res.company"].create(
                {"name": "Sending Company", "receivable_dunning_auto_send": True}
            )

    def test_preview_lists_the_reminders_waiting_to_go(self):
        """A reminder waiting to go (here one that failed while sending was on) goes the first
        night with automatic sending back on: the preview lists it."""
        self.company.sudo().receivable_dunning_auto_send = True
        self.customer_b.email = False
        self._run("2026-03-10")
        failed = self._reminders(self.customer_b)
        self.assertEqual(failed.state, "failed")
        self.company.with_user(self.manager)._deactivate_dunning_auto_send()
        run = self._first_run_preview(self.manager)
        self.assertRecordValues(
            run.line_ids,
            [
                {
                    "partner_id": self.customer_b.id,
                    "reminder_id": failed.id,
                    "level_id": self.friendly.id,
                    "amount": 300.0,
                    "needs_approval": False,
                }
            ],
        )

    def test_a_user_of_another_company_cannot_activate(self):
        other = self.setup_other_company(name="Other Company")["company"]
        # A Credit Manager and administrator, of the other company only.
        outsider = self._create_user(
            "arc_other_manager", f"{MANAGER},base.group_system", company=other
        )
        with self.assertRaises(AccessError):
            run = (
                self.env["receivable.dunning.run"]
                .with_user(outsider)
                .create(
                    {
                        "first_run": True,
                        "state": "preview",
                        "company_ids": [Command.set(self.company.ids)],
                    }
                )
            )
            run.action_activate_auto_send()
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(outsider).create(
                {"company_id": self.company.id}
            ).action_receivable_preview_first_run()
        self.assertFalse(self.company.receivable_dunning_auto_send)

    def test_settings_open_the_preview_and_turn_off_directly(self):
        self.manager.group_ids = [Command.link(self.env.ref("base.group_system").id)]
        settings = self.env["res.config.settings"].with_user(self.manager).create({})
        with freeze_time("2026-03-10"):
            action = settings.action_receivable_preview_first_run()
        run = self.env["receivable.dunning.run"].browse(action["res_id"])
        self.assertTrue(run.first_run)
        self.assertEqual(len(run.line_ids), 2)
        run.with_user(self.manager).action_activate_auto_send()
        self.assertTrue(settings.receivable_dunning_auto_send)
        settings.with_user(self.manager).action_receivable_auto_send_off()
        self.assertFalse(self.company.receivable_dunning_auto_send)
        with self.mock_mail_gateway():
            self.assertFalse(self._run("2026-03-10"))

    def test_credit_manager_without_settings_rights_activates_from_the_menu(self):
        """Configuration → Receivables → Automatic Sending: the Credit Manager's own way to
        the first-run preview (the Invoicing settings need Odoo's administration rights)."""
        self.assertFalse(self.manager.has_group("base.group_system"))
        menu_action = self.env.ref("account_receivable_control.action_receivable_first_run_preview")
        self.assertIn(
            menu_action,
            self.env.ref("account_receivable_control.menu_receivable_first_run_preview").action,
        )
        with freeze_time("2026-03-10"):
            action = menu_action.with_user(self.manager).run()
        run = self.env["receivable.dunning.run"].with_user(self.manager).browse(action["res_id"])
        self.assertRecordValues(
            run, [{"first_run": True, "state": "preview", "auto_send_active": False}]
        )
        self.assertEqual(run.line_ids.partner_id, self.customer | self.customer_b)
        run.action_activate_auto_send()
        self.assertTrue(self.company.receivable_dunning_auto_send)
        self.assertEqual(self.company.receivable_auto_send_activated_by, self.manager)
        with freeze_time("2026-03-10"):
            again = (
                self.env["receivable.dunning.run"]
                .with_user(self.manager)
                .browse(menu_action.with_user(self.manager).run()["res_id"])
            )
        self.assertTrue(again.auto_send_active, "the preview says sending is already on")
        with self.assertRaises(AccessError):
            self.env["receivable.dunning.run"].with_user(
                self.controller
            ).action_open_first_run_preview()

    def test_migration_keeps_sending_where_the_night_sent(self):
        self.company.sudo().receivable_dunning_auto_send = True
        self._run("2026-03-10")
        self.assertEqual(self._reminders().state, "sent")
        # The upgrade added the setting off everywhere. The test company sent reminders (its
        # ladder paused since); another one has an active ladder and nothing due yet.
        self.company.receivable_dunning_auto_send = False
        self.policy.dunning_active = False
        Company = self.env["res.company"]
        ladder, paused, quiet = Company.create(
            [{"name": "Ladder Company"}, {"name": "Paused Company"}, {"name": "Quiet Company"}]
        )
        Policy = self.env["receivable.policy"]
        for company, active in ((ladder, True), (paused, False)):
            policy = Policy.create(
                {"name": "Ladder", "company_id": company.id, "dunning_active": active}
            )
            self._create_ladder(policy, [("First reminder", 3, "reminder", {})])
        companies = self.company | ladder | paused | quiet
        turned_on = companies._turn_on_auto_send_where_sending()
        self.assertEqual(turned_on, self.company | ladder)
        self.assertEqual(companies.filtered("receivable_dunning_auto_send"), self.company | ladder)


@tagged("post_install", "-at_install")
class TestHoldEnforcementPreview(ReceivableCommon):
    """The policy of the test set-up: limit 1000 + 10 %, 30 days overdue at most, auto hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.receivable_hold_enforcement = False
        Partner = cls.env["res.partner"]
        cls.late_payer = Partner.create(
            {"name": "Late Payer", "is_company": True, "receivable_policy_id": cls.policy.id}
        )
        cls.fine = Partner.create(
            {"name": "Fine Customer", "is_company": True, "receivable_policy_id": cls.policy.id}
        )
        cls.held = Partner.create(
            {"name": "Already Held", "is_company": True, "receivable_policy_id": cls.policy.id}
        )
        # Within its limit and on time, but in the risk class the policy holds from.
        cls.risky = Partner.create(
            {"name": "Risky Customer", "is_company": True, "receivable_policy_id": cls.policy.id}
        )
        cls.policy.risk_hold_class = "D"
        cls.risky.receivable_risk_class = "E"
        with freeze_time("2026-01-01"):
            cls._due_invoice(1200.0, "2026-03-31")  # over 1100 allowed
            cls._due_invoice(200.0, "2026-01-05", partner=cls.late_payer)  # 37 days late
            cls._due_invoice(500.0, "2026-03-31", partner=cls.fine)
            cls._due_invoice(2000.0, "2026-03-31", partner=cls.held)
            cls._due_invoice(100.0, "2026-03-31", partner=cls.risky)
        cls.held.with_user(cls.manager)._put_on_credit_hold("Asked by the director")

    def test_settings_count_the_customers_the_hold_cron_holds(self):
        with freeze_time("2026-02-11"):
            form = Form(self.env["res.config.settings"])
            self.assertFalse(form.receivable_hold_enforcement, "off as the company is")
            self.assertEqual(form.receivable_hold_count, 0)
            form.receivable_hold_enforcement = True
            self.assertEqual(form.receivable_hold_count, 3, "shown before saving")
            listed = self.env["res.partner"].search(
                Form(self.env["res.config.settings"])
                .save()
                .action_receivable_view_holds()["domain"]
            )
            self.assertEqual(listed, self.customer | self.late_payer | self.risky)

            self.company.receivable_hold_enforcement = True
            self.env.flush_all()
            with self.enter_registry_test_mode(), self.registry.cursor() as cron_cr:
                cron_env = self.env(cr=cron_cr, user=SUPERUSER_ID, su=True)
                cron_env["res.partner"]._cron_refresh_credit_holds()
            self.env.invalidate_all()
            newly_held = (self.customer | self.late_payer | self.fine | self.risky).filtered(
                "credit_on_hold"
            )
            self.assertEqual(newly_held, listed, "the count is what the hold cron does")
