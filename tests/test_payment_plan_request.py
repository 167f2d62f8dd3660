"""A customer asks on the portal to pay its overdue invoices by instalments; a Credit Controller
approves (a draft payment plan, prefilled, to confirm) or refuses (with a reason the customer
reads)."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CONTROLLER
from .common import DunningCommon
from .portal_common import PortalCommon


@tagged("post_install", "-at_install")
class TestPaymentPlanRequestPortal(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.later = cls._due_invoice(150.0, cls.today - timedelta(days=40))
        cls.policy.portal_plan_max_instalments = 6

    def _requests(self, partner=None):
        return self.env["receivable.payment.plan.request"].search(
            [("partner_id", "=", (partner or self.customer).id)]
        )

    def _ask(self, page, move_ids, instalment_count="3", **data):
        return self._post(
            "/my/receivables/payment_plan",
            page,
            move_ids=move_ids,
            instalment_count=instalment_count,
            **data,
        )

    def test_portal_user_asks_for_a_plan_and_waits_for_the_decision(self):
        self.authenticate("arc_portal", "arc_portal")
        page = self._page()
        self.assertIn("Ask to pay my overdue invoices by instalments", page)
        form = page[page.index("o_receivable_portal_plan_form") :]
        self.assertIn(f'value="{self.late.id}"', form)
        self.assertIn(f'value="{self.later.id}"', form)
        self.assertNotIn(f'value="{self.not_due.id}"', form, "not due: not to plan")
        self.assertIn('max="6"', form, "the policy's maximum")

        after = self._ask(
            page, [self.late.id, self.later.id], "4", note="Cash is short until the harvest."
        )
        self.assertIn("your request for a payment plan is recorded", self._message(after))
        request = self._requests()
        self.assertRecordValues(
            request,
            [
                {
                    "state": "requested",
                    "company_id": self.company.id,
                    "requested_by_id": self.contact.id,
                    "amount": 450.0,
                    "instalment_count": 4,
                    "note": "Cash is short until the harvest.",
                }
            ],
        )
        self.assertEqual(request.move_ids, self.late | self.later)
        self.assertIn("Under review", self._row(after, "request-id", request.id))
        self.assertNotIn("Ask to pay my overdue invoices by instalments", after, "one at a time")
        # The back office hears of it: the collector's activity, the customer's chatter.
        self.assertEqual(request.activity_ids.user_id, self.controller)
        self.assertIn("Payment plan asked on the portal", self._last_message(self.customer))
        self.assertFalse(self.env["receivable.payment.plan"].search([]), "no plan yet")
        # A pending request does not pause the dunning: a customer cannot stop its reminders
        # by asking; the collector decides.
        self.assertEqual(self._remindable(), [self.customer.id])
        again = self._ask(page, [self.late.id])
        self.assertIn("is being handled", self._message(again))
        self.assertEqual(len(self._requests()), 1)

    def test_token_visitor_asks_and_reads_the_refusal(self):
        page = self._page(self._link(self.customer))
        self._ask(page, [self.late.id], "2", **self._token_fields(self.customer))
        request = self._requests()
        self.assertRecordValues(
            request, [{"requested_by_id": self.customer.id, "amount": 300.0, "state": "requested"}]
        )
        self.env["receivable.payment.plan.request.refuse"].with_user(self.controller).create(
            {"request_ids": [Command.set(request.ids)], "reason": "Please pay by the 30th."}
        ).action_confirm()
        page = self._page(self._link(self.customer))
        row = self._row(page, "request-id", request.id)
        self.assertIn("Refused", row)
        self.assertIn("Please pay by the 30th.", row)
        self.assertIn("Ask to pay my overdue invoices by instalments", page, "may ask again")

    def test_bad_input_gets_a_clear_message_and_records_nothing(self):
        self.authenticate("arc_portal", "arc_portal")
        page = self._page()
        cases = [
            ({"move_ids": [self.late.id], "instalment_count": "0"}, "between 2 and 6"),
            ({"move_ids": [self.late.id], "instalment_count": "1"}, "between 2 and 6"),
            ({"move_ids": [self.late.id], "instalment_count": "7"}, "between 2 and 6"),
            ({"move_ids": [self.late.id], "instalment_count": "many"}, "between 2 and 6"),
            ({"move_ids": []}, "choose the overdue invoices"),
            ({"move_ids": [self.not_due.id]}, "Only your overdue invoices"),
            ({"move_ids": [self.late.id, self.other_invoice.id]}, "Only your overdue invoices"),
            ({"move_ids": ["x"]}, "Only your overdue invoices"),
        ]
        for data, expected in cases:
            after = self._ask(page, **{"instalment_count": "3", **data})
            self.assertIn(expected, self._message(after), data)
        self.assertFalse(self._requests())
        self.assertFalse(self.customer.activity_ids)
        # A customer with nothing overdue has nothing to plan.
        (self.late | self.later).with_user(self.controller)._open_dispute("Wrong price")
        after = self._ask(self._page(), [self.late.id])
        self.assertIn("no overdue invoice to pay by instalments", self._message(after))
        self.assertNotIn("Ask to pay my overdue invoices by instalments", after)
        self.assertFalse(self._requests())


@tagged("post_install", "-at_install")
class TestPaymentPlanRequestDecision(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.customer.receivable_collector_id = cls.controller
        cls.late = cls._due_invoice(300.0, cls.today - timedelta(days=10))
        cls.company_b = cls.setup_other_company()["company"]
        cls.controller_b = cls._create_user("arc_controller_b", CONTROLLER, company=cls.company_b)

    def _ask(self, instalment_count=3, note="Harvest in May."):
        portal = self.env["receivable.portal"].sudo()
        return portal._request_payment_plan(
            self.customer, [self.late.id], instalment_count, note, self.contact
        )

    def test_approval_prepares_the_plan_the_controller_confirms(self):
        request = self._ask()
        action = request.with_user(self.controller).action_approve()
        plan = request.plan_id
        self.assertEqual(action["res_model"], "receivable.payment.plan")
        self.assertEqual(action["res_id"], plan.id)
        self.assertRecordValues(
            request, [{"state": "approved", "decided_by_id": self.controller.id}]
        )
        self.assertRecordValues(
            plan,
            [
                {
                    "state": "draft",
                    "partner_id": self.customer.id,
                    "user_id": self.controller.id,
                    "amount_instalments": 300.0,
                }
            ],
        )
        self.assertEqual(plan.move_ids, self.late)
        self.assertIn("Harvest in May.", plan.note)
        first = self.today + relativedelta(months=1)
        self.assertEqual(
            plan.line_ids.sorted("date").mapped("date"),
            [first, first + relativedelta(months=1), first + relativedelta(months=2)],
        )
        self.assertFalse(request.activity_ids, "the collector's to-do is done")
        self.assertIn("approved", self._last_message(self.customer))
        # Until the controller confirms the plan, the customer does not ask again.
        with self.assertRefused(UserError, "is being handled"):
            self._ask()
        plan.with_user(self.controller).action_confirm()
        self.assertEqual(plan.state, "active")
        self.assertEqual(
            self.engine._select_partners_to_remind(
                self.company, self.today, partner_ids=[self.customer.id]
            ),
            [],
            "the planned invoice leaves the ladder",
        )
        with self.assertRefused(UserError, "already been decided"):
            request.with_user(self.controller).action_approve()

    def test_refusal_needs_a_reason(self):
        request = self._ask()
        wizard = (
            self.env["receivable.payment.plan.request.refuse"]
            .with_user(self.controller)
            .create({"request_ids": [Command.set(request.ids)], "reason": "  "})
        )
        with self.assertRefused(ValidationError, "reason of the refusal"):
            wizard.action_confirm()
        self.assertEqual(request.state, "requested")
        action = request.with_user(self.controller).action_refuse()
        self.assertEqual(action["res_model"], "receivable.payment.plan.request.refuse")
        wizard.reason = "Too many broken promises."
        wizard.action_confirm()
        self.assertRecordValues(
            request,
            [
                {
                    "state": "refused",
                    "refusal_reason": "Too many broken promises.",
                    "decided_by_id": self.controller.id,
                    "plan_id": False,
                }
            ],
        )
        self.assertIn("Too many broken promises.", self._last_message(self.customer))
        self.assertFalse(self.env["receivable.payment.plan"].search([]))

    def test_access(self):
        request = self._ask()
        # A Credit Controller of another company does not see it, nor decides it.
        requests_b = self.env["receivable.payment.plan.request"].with_user(self.controller_b)
        self.assertFalse(requests_b.search([]))
        with self.assertRaises(AccessError):
            request.with_user(self.controller_b).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.controller_b).read(["state"])
        # A billing user reads it but does not decide.
        self.assertEqual(request.with_user(self.invoicing_user).state, "requested")
        with self.assertRaises(AccessError):
            request.with_user(self.invoicing_user).action_approve()
        # The controller decides through the buttons only: the request is kept as asked.
        with self.assertRefused(UserError, "kept as the customer asked"):
            request.with_user(self.controller).write({"instalment_count": 12})
        with self.assertRefused(UserError, "kept as the customer asked"):
            request.with_user(self.controller).write({"state": "approved"})
        with self.assertRaises(AccessError):
            self.env["receivable.payment.plan.request"].with_user(self.controller).create(
                {"partner_id": self.customer.id, "company_id": self.company.id}
            )
        self.assertEqual(request.state, "requested")
        # Paid meanwhile: nothing left to plan, the controller refuses instead.
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.late.ids
        ).create({})._create_payments()
        with self.assertRefused(UserError, "no longer open"):
            request.with_user(self.controller).action_approve()
        self.assertFalse(self.env["receivable.payment.plan"].search([]))

    def test_without_a_collector_a_credit_manager_decides(self):
        self.customer.receivable_collector_id = False
        request = self._ask()
        decider = request.activity_ids.user_id
        self.assertTrue(decider.has_group("account_receivable_control.group_credit_manager"))
        self.assertIn(self.company, decider.company_ids)
        # Any Credit Controller of the company decides: the manager's to-do is done.
        request.with_user(self.controller).action_refuse()
        self.env["receivable.payment.plan.request.refuse"].with_user(self.controller).create(
            {"request_ids": [Command.set(request.ids)], "reason": "Not now."}
        ).action_confirm()
        self.assertEqual(request.state, "refused")
        self.assertFalse(request.activity_ids)

    def test_policy_maximum_is_bounded(self):
        for count in (1, 121):
            with self.assertRefused(ValidationError, "Portal Payment Plan: Maximum Instalments"):
                self.policy.portal_plan_max_instalments = count
        self.assertEqual(self.policy.portal_plan_max_instalments, 12)
        with self.assertRefused(UserError, "between 2 and 12"):
            self._ask(instalment_count=13)
        self.assertFalse(self.env["receivable.payment.plan.request"].search([]))
