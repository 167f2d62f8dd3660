from odoo import Command
from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

TODAY = "2026-03-10"


@tagged("post_install", "-at_install")
class TestFollowupStatus(DunningCommon, MockEmail):
    """The customer's follow-up status and next action date, as the Follow-up list shows them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._due_invoice(900.0, "2026-03-01")

    def _status(self, partner=None, date=TODAY):
        """(status, next action date) of ``partner`` as a collector reads it on ``date``."""
        partner = (partner or self.customer).with_user(self.controller)
        with self._frozen(date):
            partner.invalidate_recordset(
                ["receivable_followup_status", "receivable_next_action_date"]
            )
            return partner.receivable_followup_status, partner.receivable_next_action_date

    def _search(self, status, date=TODAY):
        with self._frozen(date):
            return (
                self.env["res.partner"]
                .with_user(self.controller)
                .search([("receivable_followup_status", "=", status)])
            )

    def _customer(self, name, due=None, amount=100.0):
        partner = self.env["res.partner"].create({"name": name, "is_company": True})
        if due:
            self._due_invoice(amount, due, partner=partner)
        return partner

    # ------------------------------------------------------------------------------------------
    # Status and next action
    # ------------------------------------------------------------------------------------------
    def test_overdue_with_nothing_pending_needs_action_today(self):
        today = fields.Date.to_date(TODAY)
        self.assertEqual(self._status(), ("needs_action", today))
        self.assertEqual(self._status(self.contact), ("needs_action", today), "its contacts too")

    def test_open_promise_waits_until_the_promised_date(self):
        with self._frozen(TODAY):
            self.env["receivable.promise"].with_user(self.controller).create(
                {"partner_id": self.customer.id, "promise_date": "2026-03-20", "amount": 900.0}
            )
        self.assertEqual(self._status(), ("waiting", fields.Date.to_date("2026-03-20")))
        self.assertEqual(self._status(date="2026-03-20")[0], "waiting", "the promised day")
        self.assertEqual(
            self._status(date="2026-03-21"),
            ("needs_action", fields.Date.to_date("2026-03-21")),
            "not paid on the promised date: action needed",
        )

    def test_pause_waits_until_its_last_day(self):
        self.customer.with_company(self.company).write(
            {"dunning_paused_until": "2026-03-15", "dunning_pause_reason": "Holiday closure"}
        )
        self.assertEqual(self._status(), ("waiting", fields.Date.to_date("2026-03-15")))
        self.assertEqual(self._status(date="2026-03-16")[0], "needs_action")

    def test_payment_plan_waits_for_its_next_instalment(self):
        with self._frozen("2026-03-02"):
            plan = (
                self.env["receivable.payment.plan"]
                .with_user(self.controller)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(self.invoice.ids)],
                        "line_ids": [
                            Command.create({"date": "2026-03-15", "amount": 450.0}),
                            Command.create({"date": "2026-04-15", "amount": 450.0}),
                        ],
                    }
                )
            )
            plan.action_confirm()
        self.assertEqual(self._status(), ("waiting", fields.Date.to_date("2026-03-15")))
        other = self._due_invoice(100.0, "2026-03-05")
        self.assertEqual(
            self._status()[0], "needs_action", "an overdue invoice outside the plan needs action"
        )
        other.with_user(self.controller)._open_dispute("Wrong prices")
        self.assertEqual(self._status()[0], "waiting")

    def test_dispute_on_every_overdue_invoice_waits(self):
        self.company.receivable_dispute_followup_days = 14
        second = self._due_invoice(200.0, "2026-03-05")
        self._due_invoice(300.0, "2026-04-30")  # not due: no action for it
        with self._frozen("2026-03-08"):
            self.invoice.with_user(self.controller)._open_dispute("Damaged goods")
        self.assertEqual(self._status()[0], "needs_action", "the other overdue invoice")
        with self._frozen("2026-03-09"):
            second.with_user(self.controller)._open_dispute("Wrong prices")
        self.assertEqual(
            self._status(),
            ("waiting", fields.Date.to_date("2026-03-22")),
            "the first dispute to follow up: opened on 8 March + 14 days",
        )

    def test_nothing_overdue_nothing_to_do(self):
        not_due = self._customer("Not Due Yet", due="2026-03-31")
        nothing_owed = self._customer("Nothing Owed")
        for partner in (not_due, nothing_owed):
            self.assertEqual(self._status(partner), ("nothing", False))
        self._register_payment(self.invoice)
        self.assertEqual(self._status(), ("nothing", False), "right after the payment")

    # ------------------------------------------------------------------------------------------
    # The Follow-up list: filters, group-by, next action column
    # ------------------------------------------------------------------------------------------
    def test_filters_and_group_by_return_the_right_customers(self):
        waiting = self._customer("Waiting Customer", due="2026-03-01")
        waiting.with_company(self.company).dunning_paused_until = "2026-03-31"
        idle = self._customer("Idle Customer", due="2026-04-30")
        needs = self.customer | self.contact | self.billing
        self.assertEqual(self._search("needs_action") & (needs | waiting | idle), needs)
        self.assertEqual(self._search("waiting"), waiting)
        nothing = self._search("nothing")
        self.assertIn(idle, nothing)
        self.assertFalse(nothing & (needs | waiting))
        with self._frozen(TODAY):
            partners = self.env["res.partner"].with_user(self.controller)
            groups = dict(
                partners._read_group(
                    [("id", "in", (needs | waiting | idle).ids)],
                    ["receivable_followup_status"],
                    ["__count"],
                )
            )
            self.assertEqual(groups, {"needs_action": 3, "waiting": 1, "nothing": 1})
            self.assertEqual(
                partners.search(
                    [
                        ("receivable_next_action_date", ">", TODAY),
                        ("id", "in", (needs | waiting | idle).ids),
                    ]
                ),
                waiting,
            )
            self.assertEqual(
                partners.search(
                    [
                        ("receivable_next_action_date", "=", False),
                        ("id", "in", (needs | waiting | idle).ids),
                    ]
                ),
                idle,
            )
        action = self.env.ref("account_receivable_control.action_receivable_followup_customers")
        self.assertIn("search_default_followup_needs_action", action.context)

    def test_status_of_a_list_page_in_a_bounded_number_of_queries(self):
        customers = self.customer | self.env["res.partner"].browse(
            self._customer(f"Customer {index}", due="2026-03-01").id for index in range(9)
        )
        partners = self.env["res.partner"].with_user(self.controller)
        with self._frozen(TODAY):
            self.env.flush_all()
            self.env.cr.flush()
            customers.invalidate_recordset()  # a first read checks the user's access rights
            partners.browse(customers[:1].ids).mapped("receivable_followup_status")
            for page in (customers[:2], customers):
                page.invalidate_recordset()
                # The partners' commercial entities, then one status query: the same for 2
                # customers as for 10.
                with self.assertQueryCount(2):
                    statuses = partners.browse(page.ids).mapped("receivable_followup_status")
                self.assertEqual(set(statuses), {"needs_action"})

    # ------------------------------------------------------------------------------------------
    # Remind Again On
    # ------------------------------------------------------------------------------------------
    def test_remind_again_on_excludes_reminders_and_action_until_then(self):
        with self._frozen(TODAY):
            self.customer.with_user(self.controller).receivable_remind_again_on = "2026-03-20"
            self.assertIn("No reminder before", self.customer.dunning_status)
        self.assertEqual(self.contact.receivable_remind_again_on, fields.Date.to_date("2026-03-20"))
        self.assertEqual(self._status(), ("waiting", fields.Date.to_date("2026-03-20")))
        self.assertFalse(self._run(TODAY), "no reminder before the date")
        self.assertFalse(self._run("2026-03-19"))
        self.assertEqual(self._status(date="2026-03-20")[0], "needs_action", "on the date")
        with self.mock_mail_gateway():
            self.assertTrue(self._run("2026-03-20"), "reminded again on the date")

    def test_remind_again_on_in_the_past_is_refused(self):
        with self._frozen(TODAY), self.assertRefused(ValidationError, "Remind Again On"):
            self.customer.with_user(self.controller).receivable_remind_again_on = "2026-03-09"
        self.assertFalse(self.customer.receivable_remind_again_on)

    def test_remind_again_on_and_collector_are_tracked(self):
        customer = self.customer.with_user(self.controller).with_context(
            tracking_disable=False, mail_notrack=False
        )
        # The set-up's records were created untracked: forget their pending tracking.
        self.env.cr.precommit.clear()
        with self._frozen(TODAY):
            customer.write(
                {
                    "receivable_remind_again_on": "2026-03-20",
                    "receivable_collector_id": self.manager.id,
                }
            )
            self.env.flush_all()
            self.env.cr.precommit.run()
        self.customer.invalidate_recordset(["message_ids"])
        tracked = self.customer.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("receivable_remind_again_on", tracked)
        self.assertIn("receivable_collector_id", tracked)
