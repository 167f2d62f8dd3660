from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ReceivableCommon


@tagged("post_install", "-at_install")
class TestCreditLimitRequest(ReceivableCommon):
    def _request(self, amount=8000.0, justification="Framework agreement signed for 2027"):
        return (
            self.env["receivable.credit.limit.request"]
            .with_user(self.controller)
            .create(
                {
                    "partner_id": self.customer.id,
                    "requested_limit": amount,
                    "justification": justification,
                }
            )
        )

    def test_approve_changes_the_limit_only_then(self):
        request = self._request()
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.current_limit, 1000.0)
        self.assertEqual(self.customer.credit_limit_effective, 1000.0, "nothing changes yet")
        self.assertIn("Framework agreement", self._last_message(self.customer))
        pending = self.env["receivable.credit.limit.request"].search([("state", "=", "pending")])
        self.assertIn(request, pending)

        with self.assertRaises(UserError):
            request.action_approve()  # as the controller who asked
        request.with_user(self.manager).action_approve()
        self.assertRecordValues(request, [{"state": "approved", "decided_by_id": self.manager.id}])
        self.assertTrue(self.customer.use_partner_credit_limit)
        self.assertEqual(self.customer.credit_limit, 8000.0)
        self.assertEqual(self.customer.credit_limit_effective, 8000.0)
        messages = self.customer.message_ids.mapped("body")
        self.assertTrue(any("request approved" in m for m in messages))
        self.assertTrue(any("Credit settings changed" in m and "8,000.00" in m for m in messages))

    def test_refuse_keeps_the_limit(self):
        request = self._request()
        request.with_user(self.manager).write({"decision_note": "Two late payments this year"})
        request.with_user(self.manager).action_refuse()
        self.assertEqual(request.state, "refused")
        self.assertEqual(self.customer.credit_limit_effective, 1000.0)
        self.assertIn("Two late payments", self._last_message(self.customer))
        with self.assertRaises(UserError):
            request.with_user(self.manager).action_approve()

    def test_bad_requests_are_refused(self):
        with self.assertRaises(ValidationError):
            self._request(amount=-5.0)
        with self.assertRaises(ValidationError):
            self._request(justification="   ")
        self.assertFalse(self.env["receivable.credit.limit.request"].search([]))

    def test_a_request_is_born_pending_and_decided_only_by_its_actions(self):
        Request = self.env["receivable.credit.limit.request"]
        values = {
            "partner_id": self.customer.id,
            "requested_limit": 1_000_000.0,
            "justification": "Trust me",
        }
        for user in (self.controller, self.manager):
            for extra in (
                {"state": "approved"},
                {"state": "refused"},
                {"decided_by_id": self.manager.id},
                {"decision_date": "2026-01-01 10:00:00"},
            ):
                with (
                    self.subTest(user=user.login, extra=extra),
                    self.assertRefused(UserError, "created To Approve"),
                ):
                    Request.with_user(user).create({**values, **extra})
        with self.assertRefused(UserError, "State cannot be set"):
            Request.with_user(self.controller).with_context(default_state="approved").create(values)
        self.assertFalse(Request.search([]))
        self.assertEqual(self.customer.credit_limit_effective, 1000.0)

        request = Request.with_user(self.controller).create(
            {**values, "requested_by_id": self.manager.id}
        )
        self.assertEqual(request.requested_by_id, self.controller, "asked by its creator")
        for user in (self.controller, self.manager):
            for change in ({"state": "approved"}, {"decided_by_id": self.manager.id}):
                with (
                    self.subTest(user=user.login, change=change),
                    self.assertRefused(UserError, "Approve and Refuse buttons"),
                ):
                    request.with_user(user).write(change)
        self.assertRecordValues(request, [{"state": "pending", "decided_by_id": False}])
        self.assertEqual(self.customer.credit_limit_effective, 1000.0)
