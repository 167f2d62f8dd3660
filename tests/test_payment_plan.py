from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from ..models.night_runs import NIGHT_SCHEDULE
from .common import CONTROLLER
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestPaymentPlan(DunningCommon, MockEmail):
    """Instalments agreed with a customer: refused when wrong, followed, missed, completed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._due_invoice(900.0, "2026-03-01")

    def _plan(self, schedule, invoices=None, **vals):
        """A draft plan of the controller on ``invoices`` with ``schedule``: [(date, amount)]."""
        return (
            self.env["receivable.payment.plan"]
            .with_user(self.controller)
            .create(
                {
                    "partner_id": self.contact.id,
                    "move_ids": [Command.set((invoices or self.invoice).ids)],
                    "line_ids": [Command.create({"date": d, "amount": a}) for d, a in schedule],
                    **vals,
                }
            )
        )

    def _agreed_plan(self, schedule, today="2026-03-02", **vals):
        with self._frozen(today):
            plan = self._plan(schedule, **vals)
            plan.action_confirm()
        return plan

    def _check(self, plan, date):
        with self._frozen(date), self.mock_mail_gateway():
            plan._check_instalments(fields.Date.to_date(date))
            self._send_queued_mails()
        return self._mails

    def _night(self, date):
        """One night as the scheduler runs it: the module's crons in the order of their hours
        (each on its own cursor, committing per batch: savepoints in the registry's test mode),
        then the email queue. Return the emails sent."""
        with self._frozen(date), self.mock_mail_gateway(), self.enter_registry_test_mode():
            for xmlid in sorted(NIGHT_SCHEDULE, key=NIGHT_SCHEDULE.get):
                self.env.ref(xmlid).method_direct_trigger()
            self._send_queued_mails()
        self.env.invalidate_all()
        return self._mails

    def _send_queued_mails(self):
        """What the email queue sends after the check has committed."""
        self.env["mail.mail"].sudo().process_email_queue()

    # ------------------------------------------------------------------------------------------
    # Agreeing a plan
    # ------------------------------------------------------------------------------------------
    def test_confirm_plan_split_equally_from_the_invoice(self):
        with self._frozen("2026-03-05"):
            form = Form(
                self.env["receivable.payment.plan"]
                .with_user(self.controller)
                .with_context(
                    default_partner_id=self.customer.id, default_move_ids=self.invoice.ids
                )
            )
            self.assertEqual(form.amount_residual, 900.0)
            form.instalment_count = 3
            form.first_date = "2026-03-10"
            plan = form.save()
            plan.action_split_equally()
            self.assertRecordValues(
                plan.line_ids,
                [
                    {"date": fields.Date.to_date(d), "amount": 300.0, "state": "pending"}
                    for d in ("2026-03-10", "2026-04-10", "2026-05-10")
                ],
            )
            plan.action_confirm()
        self.assertRegex(plan.name, r"^PLAN/2026/\d+$")
        self.assertRecordValues(plan, [{"state": "active", "amount_total": 900.0}])
        self.assertEqual(plan.next_date.isoformat(), "2026-03-10")
        self.assertIn("Payment plan agreed", self._last_message(self.customer))
        self.assertIn(self.invoice.name, self._last_message(self.customer))

    def test_split_rounds_the_last_instalment(self):
        invoice = self._due_invoice(1000.0, "2026-03-01")
        with self._frozen("2026-03-05"):
            plan = self._plan([], invoices=invoice, instalment_count=3, first_date="2026-03-31")
            plan.action_split_equally()
            self.assertEqual(plan.line_ids.mapped("amount"), [333.33, 333.33, 333.34])
            self.assertEqual(
                [d.isoformat() for d in plan.line_ids.mapped("date")],
                ["2026-03-31", "2026-04-30", "2026-05-31"],
            )
            plan.action_confirm()
        self.assertEqual(plan.state, "active")

    def test_plan_for_a_contact_is_the_customers(self):
        plan = self._plan([("2026-03-10", 900.0)])
        self.assertEqual(plan.partner_id, self.customer)

    # ------------------------------------------------------------------------------------------
    # Refused plans
    # ------------------------------------------------------------------------------------------
    def test_instalments_not_adding_up_are_refused(self):
        with self._frozen("2026-03-05"):
            plan = self._plan([("2026-03-10", 300.0), ("2026-04-10", 500.0)])
            with self.assertRefused(ValidationError, r"add up to .*800\.00.* owe .*900\.00"):
                plan.action_confirm()
        self.assertEqual(plan.state, "draft")
        self.assertFalse(plan.amount_total)
        self.assertNotIn("Payment plan agreed", self._last_message(self.customer))

    def test_instalment_in_the_past_is_refused(self):
        with self._frozen("2026-03-05"):
            plan = self._plan([("2026-03-04", 300.0), ("2026-04-10", 600.0)])
            with self.assertRefused(ValidationError, "in the past"):
                plan.action_confirm()
            self.assertEqual(plan.state, "draft")
            with self.assertRefused(ValidationError, "past"):
                plan.write({"instalment_count": 2, "first_date": "2026-03-01"})
                plan.action_split_equally()
        self.assertEqual(len(plan.line_ids), 2, "the instalments are left as they were")
        self.assertEqual(
            [(str(line.date), line.amount) for line in plan.line_ids],
            [("2026-03-04", 300.0), ("2026-04-10", 600.0)],
        )

    def test_plan_without_instalment_or_with_a_bad_amount_is_refused(self):
        with self._frozen("2026-03-05"):
            plan = self._plan([])
            with self.assertRefused(ValidationError, "at least one instalment"):
                plan.action_confirm()
            with self.assertRefused(ValidationError, "positive amount"):
                self._plan([("2026-03-10", 0.0)])
        self.assertEqual(plan.state, "draft")

    def test_paid_or_foreign_invoice_is_refused(self):
        other = self.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        foreign = self._due_invoice(100.0, "2026-03-01", partner=other)
        with self.assertRefused(ValidationError, "do not belong to Brasserie Dupont"):
            self._plan([("2026-03-10", 100.0)], invoices=foreign)
        paid = self._due_invoice(100.0, "2026-03-01")
        plan = self._plan([("2026-03-10", 100.0)], invoices=paid)
        self._register_payment(paid)
        with self._frozen("2026-03-05"), self.assertRefused(ValidationError, "not open"):
            plan.action_confirm()
        self.assertEqual(plan.state, "draft")

    def test_invoice_in_an_active_plan_cannot_join_another(self):
        first = self._agreed_plan([("2026-03-10", 900.0)])
        with self._frozen("2026-03-02"):
            second = self._plan([("2026-03-20", 900.0)])
            with self.assertRefused(ValidationError, first.name):
                second.action_confirm()
        self.assertEqual(second.state, "draft")

    def test_confirmed_schedule_cannot_change(self):
        plan = self._agreed_plan([("2026-03-10", 900.0)])
        with self.assertRefused(UserError, "cannot change"):
            plan.line_ids.with_user(self.controller).amount = 800.0
        with self.assertRefused(UserError, "cannot change"):
            plan.with_user(self.controller).move_ids = [Command.clear()]
        with self.assertRefused(UserError, "cancel it"):
            plan.with_user(self.manager).unlink()
        self.assertEqual(plan.line_ids.amount, 900.0)

    # ------------------------------------------------------------------------------------------
    # Following the plan
    # ------------------------------------------------------------------------------------------
    def test_missed_instalment_is_logged_emailed_called_and_breaks_the_plan(self):
        self.customer.with_company(self.company).receivable_collector_id = self.controller
        plan = self._agreed_plan(
            [("2026-03-10", 300.0), ("2026-04-10", 300.0), ("2026-05-10", 300.0)]
        )
        self._register_payment(self.invoice, amount=300.0)
        self.assertFalse(self._check(plan, "2026-03-11"), "first instalment paid")
        self.assertEqual(plan.line_ids.mapped("state"), ["paid", "pending", "pending"])
        self.assertEqual(plan.state, "active")

        mails = self._check(plan, "2026-04-11")
        self.assertEqual(plan.line_ids.mapped("state"), ["paid", "missed", "pending"])
        self.assertEqual(plan.state, "broken")
        partner_log = "".join(self.customer.message_ids.mapped("body"))
        plan_log = "".join(plan.message_ids.mapped("body"))
        for log in (partner_log, plan_log):
            self.assertRegex(log, r"Instalment of .*300\.00 due on 04/10/2026 missed")
        self.assertIn("Payment plan broken", partner_log)
        self.assertEqual(len(mails), 1)
        self.assertEqual(
            mails[0]["email_to"], ['"Dupont Accounts" <accounts@brasserie-dupont.example.com>']
        )
        self.assertIn("missed instalment", mails[0]["subject"])
        self.assertIn("04/10/2026", mails[0]["body"])
        self.assertIn("payment plan is therefore cancelled", mails[0]["body"])
        self.assertRecordValues(
            plan.activity_ids,
            [
                {
                    "user_id": self.controller.id,
                    "activity_type_id": self.ref("mail.mail_activity_data_call"),
                }
            ],
        )

    def test_missed_instalment_is_reported_once_and_the_plan_goes_on(self):
        plan = self._agreed_plan(
            [("2026-03-10", 300.0), ("2026-04-10", 600.0)], cancel_on_missed=False
        )
        self.assertEqual(len(self._check(plan, "2026-03-11")), 1)
        self.assertEqual(plan.state, "active", "the plan goes on")
        self.assertIn("Please pay the missed instalments", self._mails[0]["body"])
        self.assertFalse(self._check(plan, "2026-03-12"), "reported once")
        self.assertEqual(len(plan.activity_ids), 1)

        self._register_payment(self.invoice, amount=300.0)
        self._check(plan, "2026-03-20")
        self.assertEqual(plan.line_ids.mapped("state"), ["paid", "pending"], "caught up")

    def test_kept_plan_is_done_once_paid(self):
        plan = self._agreed_plan([("2026-03-10", 450.0), ("2026-04-10", 450.0)])
        self._register_payment(self.invoice, amount=450.0)
        self._check(plan, "2026-03-11")
        self.assertEqual(plan.line_ids.mapped("state"), ["paid", "pending"])
        self.assertEqual(plan.amount_paid, 450.0)
        self._register_payment(self.invoice, amount=450.0)
        self.assertFalse(self._check(plan, "2026-04-05"))
        self.assertEqual(plan.state, "done")
        self.assertEqual(plan.line_ids.mapped("state"), ["paid", "paid"])
        self.assertIn("Payment plan completed", self._last_message(self.customer))

    def test_cron_checks_the_active_plans(self):
        plan = self._agreed_plan([("2026-03-10", 900.0)])
        cron = self.env.ref("account_receivable_control.ir_cron_check_payment_plans")
        for date in ("2026-03-10", "2026-03-11"):
            # As the scheduler runs it: its own cursor, committing per batch (the registry's
            # test mode turns those commits into savepoints of the test transaction).
            with self._frozen(date), self.mock_mail_gateway(), self.enter_registry_test_mode():
                cron.method_direct_trigger()
                self._send_queued_mails()
        self.assertEqual(plan.state, "broken")
        self.assertEqual(len(self._mails), 1)

    def test_cancel_returns_the_invoices_to_dunning(self):
        plan = self._agreed_plan([("2026-03-10", 900.0)])
        plan.with_user(self.controller).action_cancel()
        self.assertEqual(plan.state, "cancelled")
        self.assertIn("Payment plan cancelled", self._last_message(self.customer))
        with self.assertRefused(UserError, "Only draft or active"):
            plan.action_cancel()

    def test_rights_and_companies(self):
        plan = self._agreed_plan([("2026-03-10", 900.0)])
        self.assertEqual(plan.with_user(self.invoicing_user).line_ids.amount, 900.0)
        with self.assertRefused(AccessError, "not allowed"):
            self._plan([("2026-03-10", 900.0)]).with_user(self.invoicing_user).write({"note": "x"})
        with self.assertRefused(AccessError, "not allowed"):
            plan.with_user(self.controller).unlink()
        other = self.setup_other_company(name="Company B")["company"]
        stranger = self._create_user("arc_controller_b", CONTROLLER, company=other)
        self.assertFalse(
            self.env["receivable.payment.plan"].with_user(stranger).search([("id", "=", plan.id)])
        )

    # ------------------------------------------------------------------------------------------
    # Dunning follows the plan (needs the engine's exclusion of active plans)
    # ------------------------------------------------------------------------------------------
    def test_invoices_in_an_active_plan_get_no_reminder_until_the_plan_breaks(self):
        other = self._due_invoice(200.0, "2026-03-01")
        plan = self._agreed_plan([("2026-03-10", 450.0), ("2026-04-10", 450.0)])
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
        self.assertEqual(reminder.line_ids.move_id, other, "the plan's invoice is left out")

        # That night the plans' cron breaks the plan before the dunning run evaluates it.
        self._night("2026-03-12")
        self.assertEqual(plan.state, "broken")
        self.assertIn(self.invoice, self._reminders().line_ids.move_id, "back on the ladder")

    def test_one_check_of_the_plans_a_night(self):
        """The plans' own cron checks them, once a night; the dunning run leaves them alone."""
        plan = self._agreed_plan([("2026-03-10", 900.0)])
        with self.mock_mail_gateway():
            self._run("2026-03-12")
        self.assertEqual(plan.state, "active", "the dunning run does not check the plans")
        self.assertFalse(plan.activity_ids)
        self.assertNotIn(self.invoice, self._reminders().line_ids.move_id, "plan still active")

        mails = self._night("2026-03-12")
        self.assertEqual(plan.state, "broken")
        missed = plan.message_ids.filtered(lambda message: "missed." in message.body)
        self.assertEqual(len(missed), 1, "the missed instalment is reported once")
        self.assertEqual(len(plan.activity_ids), 1, "one call to make")
        self.assertEqual(len([mail for mail in mails if "missed instalment" in mail["subject"]]), 1)
        self.assertIn(self.invoice, self._reminders().line_ids.move_id, "reminded that night")
