from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .common import CONTROLLER
from .common import MANAGER
from .common import ReceivableCommon


@tagged("post_install", "-at_install")
class TestMenus(ReceivableCommon):
    def _visible(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_menus_visible_to_our_groups_only(self):
        receivables = self.env.ref("account_receivable_control.menu_receivables")
        requests = self.env.ref("account_receivable_control.menu_receivable_credit_limit_request")
        config = self.env.ref("account_receivable_control.menu_receivables_config")
        policies = self.env.ref("account_receivable_control.menu_receivable_policy")
        dunning = {
            self.env.ref(f"account_receivable_control.{xmlid}").id
            for xmlid in (
                "menu_receivable_reminder_review",
                "menu_receivable_reminder",
                "menu_receivable_promise",
                "menu_receivable_payment_plan_request",
                "menu_receivable_dunning_run",
                "menu_receivable_charges_owed",
            )
        }
        levels = self.env.ref("account_receivable_control.menu_receivable_dunning_level")

        invoicing = self._visible(self.invoicing_user)
        self.assertFalse({receivables.id, requests.id, config.id, policies.id} & invoicing)
        self.assertFalse((dunning | {levels.id}) & invoicing)

        controller = self._visible(self.controller)
        self.assertTrue({receivables.id, requests.id} | dunning <= controller)
        self.assertFalse({config.id, policies.id, levels.id} & controller)

        manager = self._visible(self.manager)
        self.assertTrue({receivables.id, requests.id, config.id, policies.id} <= manager)
        self.assertTrue(dunning | {levels.id} <= manager)
        finance_config = self.env.ref("account.menu_finance_configuration")
        self.assertIn(finance_config.id, manager, "a Credit Manager reaches the configuration")


@tagged("post_install", "-at_install")
class TestCreditLimitRequestTour(HttpCase):
    def test_controller_requests_a_limit_in_the_browser(self):
        controller = new_test_user(self.env, login="arc_tour_controller", groups=CONTROLLER)
        new_test_user(self.env, login="arc_tour_manager", groups=MANAGER)
        customer = self.env["res.partner"].create({"name": "Tour Customer", "is_company": True})
        self.start_tour(
            "/odoo/action-account_receivable_control.action_receivable_credit_limit_request",
            "account_receivable_control_credit_limit_request",
            login=controller.login,
        )
        request = self.env["receivable.credit.limit.request"].search(
            [("partner_id", "=", customer.id)]
        )
        self.assertRecordValues(
            request,
            [
                {
                    "requested_limit": 9000.0,
                    "state": "pending",
                    "requested_by_id": controller.id,
                    "justification": "New framework agreement",
                }
            ],
        )


@tagged("post_install", "-at_install")
class TestReminderReviewTour(AccountTestInvoicingHttpCommon):
    def test_controller_sends_a_reminder_from_the_review_list(self):
        company = self.company_data["company"]
        controller = new_test_user(
            self.env,
            login="arc_tour_reviewer",
            groups=CONTROLLER,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        template = self.env.ref("account_receivable_control.mail_template_formal_notice")
        policy = self.env["receivable.policy"].create({"name": "Tour", "company_id": company.id})
        level = self.env["receivable.dunning.level"].create(
            {
                "policy_id": policy.id,
                "name": "Formal notice",
                "offset_days": 30,
                "mail_template_id": template.id,
                "needs_approval": True,
            }
        )
        debtor = self.env["res.partner"].create(
            {"name": "Tour Debtor", "is_company": True, "email": "debtor@example.com"}
        )
        debtor.with_company(company).receivable_policy_id = policy
        invoice = self._create_invoice_one_line(
            price_unit=900.0,
            partner_id=debtor.id,
            invoice_date="2026-01-01",
            invoice_date_due="2026-01-31",
            invoice_payment_term_id=False,
            post=True,
        )
        self.env["receivable.dunning.engine"].with_company(company)._generate_reminders(
            company, fields.Date.to_date("2026-03-15"), commit=False
        )
        reminder = self.env["receivable.reminder"].search([("partner_id", "=", debtor.id)])
        self.assertEqual(reminder.state, "draft")

        self.start_tour(
            "/odoo/action-account_receivable_control.action_receivable_reminder_review",
            "account_receivable_control_reminder_review",
            login=controller.login,
        )
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(invoice.receivable_dunning_level_id, level)


@tagged("post_install", "-at_install")
class TestAgingTour(AccountTestInvoicingHttpCommon):
    def test_controller_drills_down_from_the_aging_to_the_invoice(self):
        company = self.company_data["company"]
        controller = new_test_user(
            self.env,
            login="arc_tour_aging",
            groups=CONTROLLER,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        customer = self.env["res.partner"].create(
            {"name": "Aging Tour Customer", "is_company": True}
        )
        today = fields.Date.context_today(self.env["res.partner"])
        self._create_invoice_one_line(
            price_unit=700.0,
            partner_id=customer.id,
            invoice_date=today - timedelta(days=75),
            invoice_date_due=today - timedelta(days=45),
            invoice_payment_term_id=False,
            post=True,
        )
        rows = self.env["receivable.aging"]._read_group(
            [("partner_id", "=", customer.id)], ["bucket"], ["amount_residual:sum"]
        )
        self.assertEqual(rows, [("b2", 700.0)], "45 days late: the 31-60 bucket")
        self.start_tour(
            "/odoo/action-account_receivable_control.action_receivable_aging_open",
            "account_receivable_control_aging",
            login=controller.login,
        )
