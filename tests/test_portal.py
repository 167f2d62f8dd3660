"""The customer's account page on the portal: who sees what, and what the customer may do."""

from datetime import timedelta

from werkzeug.urls import url_encode

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .portal_common import PortalCommon


@tagged("post_install", "-at_install")
class TestReceivablePortal(PortalCommon):
    # ------------------------------------------------------------------------------------------
    # Who sees what
    # ------------------------------------------------------------------------------------------
    def test_portal_user_sees_its_account_and_the_card(self):
        self.authenticate("arc_portal", "arc_portal")
        page = self._page()
        self.assertIn(self.late.name, page)
        self.assertIn(self.not_due.name, page)
        self.assertNotIn(self.other_invoice.name, page)
        self.assertIn("Not Due", page, "the aging summary")
        self.assertIn(self.late.get_portal_url().split("?")[0], page, "Pay: the invoice's page")
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["receivable_count"]})
        self.assertEqual(counters["receivable_count"], 2)
        self.assertIn("/my/receivables", self._page("/my"))
        statement = self.url_open("/my/receivables/statement")
        self.assertEqual(statement.status_code, 200)
        self.assertIn(self.late.name, statement.text)
        self.assertNotIn(self.other_invoice.name, statement.text)

    def test_anonymous_visitor_with_the_token_sees_only_that_customer(self):
        url = self.customer._get_receivable_portal_url()
        self.assertIn("/my/receivables?pid=", url)
        page = self._page(self._link(self.customer))
        self.assertIn(self.late.name, page)
        self.assertNotIn(self.other_invoice.name, page)
        other_page = self._page(self._link(self.other))
        self.assertIn(self.other_invoice.name, other_page)
        self.assertNotIn(self.late.name, other_page)
        statement = self.url_open(self._link(self.customer).replace("?", "/statement?"))
        self.assertEqual(statement.status_code, 200)
        self.assertNotIn(self.other_invoice.name, statement.text)

    def test_the_reminder_links_to_the_page(self):
        reminder = self._run(fields.Date.to_string(self.today), deliver=False)
        self.assertEqual(reminder.partner_id, self.customer)
        url = reminder._get_account_portal_url()
        self.assertEqual(url, self.customer._get_receivable_portal_url())
        self.assertIn(self.late.name, self._page(url.removeprefix(reminder.get_base_url())))

    def test_wrong_tokens_and_no_token_show_nothing(self):
        other_token = self.other._get_receivable_portal_token()
        token = self.customer._get_receivable_portal_token()
        tampered = token[:-1] + ("1" if token.endswith("0") else "0")  # one digit changed
        for url in (
            self._link(self.customer, token=other_token),
            self._link(self.customer, token=tampered),
            "/my/receivables?" + url_encode({"pid": self.customer.id}),
            "/my/receivables?" + url_encode({"pid": self.contact.id, "token": tampered}),
            self._link(self.customer).replace("/my/receivables", "/my/receivables/statement") + "0",
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 403, url)
            self.assertNotIn(self.late.name, response.text)
        # A wrong token is refused even when logged in: never another customer's data.
        self.authenticate("arc_portal", "arc_portal")
        response = self.url_open(self._link(self.other, token=tampered))
        self.assertEqual(response.status_code, 403)
        self.authenticate(None, None)
        response = self.url_open("/my/receivables", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    # ------------------------------------------------------------------------------------------
    # Writes
    # ------------------------------------------------------------------------------------------
    def test_promise_with_the_token_stops_the_dunning_of_the_invoice(self):
        self.assertEqual(self._remindable(), [self.customer.id])
        page = self._page(self._link(self.customer))
        date = self.today + timedelta(days=15)
        after = self._post(
            "/my/receivables/promise",
            page,
            move_id=self.late.id,
            promise_date=fields.Date.to_string(date),
            amount="300",
            **self._token_fields(self.customer),
        )
        self.assertIn("your promise to pay is recorded", self._message(after))
        self.assertIn("Payment promised", after)
        promise = self.env["receivable.promise"].search([("move_ids", "in", self.late.ids)])
        self.assertRecordValues(
            promise,
            [
                {
                    "partner_id": self.customer.id,
                    "promise_date": date,
                    "amount": 300.0,
                    "state": "open",
                }
            ],
        )
        self.assertEqual(self._remindable(), [], "the promised invoice is left out")

    def test_dispute_by_the_portal_user_stops_the_dunning_of_the_invoice(self):
        self.authenticate("arc_portal", "arc_portal")
        page = self._page()
        after = self._post(
            "/my/receivables/dispute", page, move_id=self.late.id, reason="Goods never arrived"
        )
        self.assertIn("the invoice is in dispute", self._message(after))
        self.assertIn("In dispute", after)
        self.assertTrue(self.late.receivable_dispute)
        self.assertIn("Goods never arrived", self.late.receivable_dispute_reason)
        self.assertIn("Goods never arrived", self._last_message(self.customer))
        self.assertEqual(self.late.activity_ids.user_id, self.controller, "the collector's task")
        self.assertEqual(self._remindable(), [], "the disputed invoice is left out")

    def test_bad_input_gets_a_clear_message_and_changes_nothing(self):
        paid = self._due_invoice(100.0, self.today - timedelta(days=5))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids
        ).create({})._create_payments()
        self.assertIn(paid.payment_state, ("paid", "in_payment"))
        self.authenticate("arc_portal", "arc_portal")
        page = self._page()
        tomorrow = fields.Date.to_string(self.today + timedelta(days=1))
        cases = [
            (
                {"move_id": self.late.id, "amount": "100", "promise_date": "2020-01-01"},
                "cannot be in the past",
            ),
            (
                {
                    "move_id": self.late.id,
                    "amount": "100",
                    "promise_date": fields.Date.to_string(self.today + timedelta(days=21)),
                },
                "within 20 days",
            ),
            ({"move_id": self.late.id, "amount": "0", "promise_date": tomorrow}, "more than zero"),
            ({"move_id": self.late.id, "amount": "301", "promise_date": tomorrow}, "cannot exceed"),
            ({"move_id": self.late.id, "amount": "100", "promise_date": "soon"}, "give the date"),
            ({"move_id": paid.id, "amount": "100", "promise_date": tomorrow}, "already paid"),
            (
                {"move_id": self.other_invoice.id, "amount": "100", "promise_date": tomorrow},
                "not one of your open invoices",
            ),
            ({"move_id": "x", "amount": "100", "promise_date": tomorrow}, "not one of your"),
        ]
        for data, expected in cases:
            after = self._post("/my/receivables/promise", page, **data)
            self.assertIn(expected, self._message(after), data)
        disputes = [
            ({"move_id": self.late.id, "reason": "   "}, "why you dispute"),
            ({"move_id": paid.id, "reason": "Wrong"}, "already paid"),
            ({"move_id": self.other_invoice.id, "reason": "Wrong"}, "not one of your"),
        ]
        for data, expected in disputes:
            after = self._post("/my/receivables/dispute", page, **data)
            self.assertIn(expected, self._message(after), data)
        self.assertFalse(self.env["receivable.promise"].search([]))
        moves = self.late | paid | self.other_invoice
        self.assertEqual(moves.mapped("receivable_dispute"), [False] * 3)
        self.assertEqual(self._remindable(), [self.customer.id], "dunning goes on")
        # Without the form's CSRF token the post is refused.
        response = self.url_open(
            "/my/receivables/dispute", data={"move_id": self.late.id, "reason": "Wrong"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.late.receivable_dispute)

    def test_a_second_promise_on_the_same_invoice_is_refused(self):
        page = self._page(self._link(self.customer))
        data = {
            "move_id": self.late.id,
            "promise_date": fields.Date.to_string(self.today + timedelta(days=5)),
            "amount": "50",
            **self._token_fields(self.customer),
        }
        self._post("/my/receivables/promise", page, **data)
        after = self._post("/my/receivables/promise", page, **data)
        self.assertIn("already recorded", self._message(after))
        self.assertEqual(
            self.env["receivable.promise"].search_count([("move_ids", "in", self.late.ids)]), 1
        )

    def test_policy_days_ahead_are_bounded(self):
        for days in (0, 366):
            with self.assertRefused(ValidationError, "Portal Promise: Maximum Days Ahead"):
                self.policy.portal_promise_max_days = days
        self.assertEqual(self.policy.portal_promise_max_days, 20)
