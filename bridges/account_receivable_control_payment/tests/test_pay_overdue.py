"""Pay all overdue from the customer's account page, through a payment provider in test mode."""

import re
from datetime import timedelta

from werkzeug.urls import url_encode

from odoo import Command
from odoo import fields
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.account_payment.tests.common import AccountPaymentCommon
from odoo.addons.account_receivable_control.tests.common import ReceivableCommon
from odoo.addons.payment.tests.http_common import PaymentHttpCommon

BUTTON = re.compile(r"<a [^>]*o_receivable_portal_pay_overdue_button[^>]*>")
HREF = re.compile(r'href="([^"]+)"')
# In the browser: press the payment form's Pay button and report what the transaction route
# answered (the dummy provider's direct flow stops there).
PAY_WITH_THE_FORM = """
const open = XMLHttpRequest.prototype.open;
XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    if (String(url).includes("/transaction")) {
        this.addEventListener("load", () => {
            const data = JSON.parse(this.responseText);
            if (data.error) {
                console.error("transaction refused: " + data.error.data.message);
            } else {
                console.log("test successful");
            }
        });
    }
    return open.call(this, method, url, ...rest);
};
const pay = () => {
    const button = document.querySelector("button[name='o_payment_submit_button']");
    if (!button || button.disabled) {
        setTimeout(pay, 100);
    } else {
        button.click();
    }
};
pay();
"""


@tagged("post_install", "-at_install")
class TestPayOverdue(ReceivableCommon, AccountPaymentCommon, PaymentHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.portal_user = new_test_user(
            cls.env, login="arc_pay_portal", groups="base.group_portal", partner_id=cls.contact.id
        )
        # The customer's account: 300 + 150 (200 less 50 paid) + the first half of a split
        # invoice (500) are overdue in the company currency: 950 to pay.
        cls.late = cls._due_invoice(300.0, today - timedelta(days=10))
        cls.partly_paid = cls._due_invoice(200.0, today - timedelta(days=5))
        cls._register_payment(cls.partly_paid, amount=50.0)
        half_now_half_later = cls.env["account.payment.term"].create(
            {
                "name": "Half now, half in 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 60}),
                ],
            }
        )
        cls.split = cls._invoice(
            1000.0,
            invoice_date=today - timedelta(days=40),
            invoice_payment_term_id=half_now_half_later.id,
        )
        # Not to pay now: not due, contested, a credit note, another customer's invoice.
        cls.not_due = cls._due_invoice(400.0, today + timedelta(days=20))
        cls.disputed = cls._due_invoice(100.0, today - timedelta(days=10))
        cls.disputed.with_user(cls.controller)._open_dispute("Goods never arrived")
        cls.refund = cls._due_invoice(80.0, today - timedelta(days=10), move_type="out_refund")
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        cls.other_late = cls._due_invoice(700.0, today - timedelta(days=10), partner=cls.other)
        # Another currency and another company: a payment of their own each.
        other_code = "EUR" if cls.currency.name != "EUR" else "USD"
        cls.foreign_currency = cls.setup_other_currency(other_code, rates=[("2000-01-01", 2.0)])
        cls.foreign = cls._due_invoice(
            90.0, today - timedelta(days=3), currency_id=cls.foreign_currency.id
        )
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        journal_b = cls.env["account.journal"].search(
            [("company_id", "=", cls.company_b.id), ("type", "=", "sale")], limit=1
        )
        cls.late_b = cls._due_invoice(
            60.0,
            today - timedelta(days=3),
            company_id=cls.company_b.id,
            journal_id=journal_b.id,
        )
        cls.to_pay = cls.late | cls.partly_paid | cls.split

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _link(self, partner):
        """The customer's account page as its reminders link to it."""
        return partner._get_receivable_portal_url().removeprefix(partner.get_base_url())

    def _buttons(self, url="/my/receivables"):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return [
            HREF.search(button).group(1).replace("&amp;", "&")
            for button in BUTTON.findall(response.text)
        ]

    def _pay_url(self, company, currency, partner=None):
        url = f"/my/receivables/pay_overdue/{company.id}/{currency.id}"
        if partner:
            token = partner._get_receivable_portal_token()
            url += "?" + url_encode({"pid": partner.id, "token": token})
        return url

    def _pay_page(self, url):
        """The payment page: its payment form's context and the invoices listed."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        table = re.search(r"o_receivable_pay_overdue_invoices.*?</table>", response.text, re.S)
        return self._get_payment_context(response), table.group(0)

    def _transaction_values(self, context, **values):
        """What the payment form posts to the transaction route."""
        return {
            "provider_id": self.provider.id,
            "payment_method_id": self.payment_method_id,
            "token_id": None,
            "amount": context["amount"],
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": context["landing_route"],
            "access_token": context.get("access_token"),
            "payment_reference": context.get("payment_reference"),
            **values,
        }

    @mute_logger("odoo.http")
    def _transaction(self, route, values):
        """Post to the transaction route: (processing values, error or None)."""
        response = self.opener.post(
            self.base_url() + route,
            json={"id": 0, "jsonrpc": "2.0", "method": "call", "params": values},
        )
        response.raise_for_status()
        decoded = response.json()
        return decoded.get("result"), decoded.get("error") and decoded["error"]["data"]

    def _pay(self, url, **values):
        """Open the payment page and pay by the dummy provider: the new transaction."""
        context, _table = self._pay_page(url)
        with mute_logger("odoo.addons.payment.models.payment_transaction"):
            result, error = self._transaction(
                context["transaction_route"], self._transaction_values(context, **values)
            )
        self.assertFalse(error)
        return self._get_tx(result["reference"])

    def _transactions(self):
        return self.env["payment.transaction"].sudo().search_count([])

    # ------------------------------------------------------------------------------------------
    # The logged-in portal user
    # ------------------------------------------------------------------------------------------
    def test_portal_user_gets_one_button_per_company_and_currency(self):
        self.authenticate("arc_pay_portal", "arc_pay_portal")
        self.assertCountEqual(
            self._buttons(),
            [
                self._pay_url(self.company, self.currency),
                self._pay_url(self.company, self.foreign_currency),
                self._pay_url(self.company_b, self.currency),
            ],
        )
        self.assertIn("Company B", self.url_open("/my/receivables").text)
        context, table = self._pay_page(self._pay_url(self.company, self.currency))
        self.assertEqual(context["amount"], 950.0)
        self.assertEqual(context["currency_id"], self.currency.id)
        self.assertEqual(context["partner_id"], self.contact.id)
        for invoice in self.to_pay:
            self.assertIn(invoice.name, table)
        for invoice in self.not_due | self.disputed | self.refund | self.other_late | self.foreign:
            self.assertNotIn(invoice.name, table)
        context, table = self._pay_page(self._pay_url(self.company, self.foreign_currency))
        self.assertEqual(context["amount"], 90.0)
        self.assertEqual(context["currency_id"], self.foreign_currency.id)
        self.assertIn(self.foreign.name, table)

    def test_portal_user_pays_exactly_the_overdue_invoices(self):
        self.authenticate("arc_pay_portal", "arc_pay_portal")
        tx = self._pay(self._pay_url(self.company, self.currency))
        self.assertEqual(tx.invoice_ids, self.to_pay)
        self.assertRecordValues(
            tx,
            [
                {
                    "amount": 950.0,
                    "currency_id": self.currency.id,
                    "partner_id": self.contact.id,
                    "operation": "online_direct",
                    "landing_route": "/my/receivables",
                }
            ],
        )
        self.assertTrue(tx.reference.startswith("GROUP/"), "one reference for several invoices")
        tx._set_done()
        status = self.make_jsonrpc_request("/payment/status/poll", {})
        self.assertEqual(status["state"], "done")
        self.assertEqual(tx.payment_id.partner_id, self.customer)
        paid = self.env["account.move"].browse(self.to_pay.ids)
        self.assertEqual(paid.mapped("amount_residual"), [0.0, 0.0, 500.0])
        self.assertEqual(self.split.payment_state, "partial", "the half not yet due stays open")
        self.assertEqual(self.not_due.amount_residual, 400.0)
        self.assertEqual(self.disputed.amount_residual, 100.0)
        self.assertEqual(self.other_late.amount_residual, 700.0)
        # Paid: the button of the company currency is gone, the others stay.
        self.assertNotIn(self._pay_url(self.company, self.currency), self._buttons())
        self.assertEqual(len(self._buttons()), 2)

    def test_one_overdue_invoice_keeps_its_own_reference(self):
        self.authenticate("arc_pay_portal", "arc_pay_portal")
        tx = self._pay(self._pay_url(self.company, self.foreign_currency))
        self.assertEqual(tx.invoice_ids, self.foreign)
        self.assertEqual(tx.amount, 90.0)
        self.assertTrue(tx.reference.startswith(self.foreign.payment_reference))

    # ------------------------------------------------------------------------------------------
    # The visitor with the customer's signed link
    # ------------------------------------------------------------------------------------------
    def test_visitor_with_the_link_pays_for_the_customer(self):
        pay_url = self._pay_url(self.company, self.currency, partner=self.customer)
        self.assertIn(pay_url, self._buttons(self._link(self.customer)))
        context, _table = self._pay_page(pay_url)
        self.assertEqual(context["amount"], 950.0)
        self.assertEqual(context["access_token"], self.customer._get_receivable_portal_token())
        self.assertTrue(context["transaction_route"].endswith(f"/transaction/{self.customer.id}"))
        tx = self._pay(pay_url)
        self.assertEqual(tx.invoice_ids, self.to_pay)
        self.assertEqual(tx.amount, 950.0)
        self.assertEqual(tx.partner_id, self.customer)
        self.assertEqual(tx.landing_route.split("&tx_id")[0], self._link(self.customer))

    def test_visitor_pays_with_odoos_payment_form_in_a_browser(self):
        """Odoo's payment form (its JavaScript) on our page posts what our route expects."""
        self.browser_js(
            self._pay_url(self.company, self.currency, partner=self.customer),
            PAY_WITH_THE_FORM,
            ready="!!document.querySelector('#o_payment_form')",
        )
        tx = self.env["payment.transaction"].sudo().search([("invoice_ids", "in", self.late.ids)])
        self.assertEqual(tx.invoice_ids, self.to_pay)
        self.assertEqual(tx.amount, 950.0)
        self.assertEqual(tx.partner_id, self.customer)

    def test_visitor_of_another_customer_pays_only_its_invoices(self):
        buttons = self._buttons(self._link(self.other))
        self.assertEqual(buttons, [self._pay_url(self.company, self.currency, partner=self.other)])
        tx = self._pay(buttons[0])
        self.assertEqual(tx.invoice_ids, self.other_late)
        self.assertEqual(tx.amount, 700.0)
        self.assertEqual(tx.partner_id, self.other)

    def test_logged_in_with_another_customers_link_pays_as_that_customer(self):
        """A link forwarded to someone of another customer: the payment is the customer's,
        never booked on the person who happens to be logged in."""
        self.authenticate("arc_pay_portal", "arc_pay_portal")
        pay_url = self._pay_url(self.company, self.currency, partner=self.other)
        context, table = self._pay_page(pay_url)
        self.assertEqual(context["partner_id"], self.other.id)
        self.assertIn(self.other_late.name, table)
        self.assertNotIn(self.late.name, table)
        tx = self._pay(pay_url)
        self.assertEqual(tx.invoice_ids, self.other_late)
        self.assertEqual(tx.partner_id, self.other)

    def test_wrong_tokens_are_refused(self):
        token = self.customer._get_receivable_portal_token()
        tampered = token[:-1] + ("1" if token.endswith("0") else "0")
        path = self._pay_url(self.company, self.currency)
        for query in (
            {"pid": self.customer.id, "token": tampered},
            {"pid": self.customer.id, "token": self.other._get_receivable_portal_token()},
            {"pid": self.other.id, "token": token},
            {"pid": self.customer.id},
        ):
            response = self.url_open(f"{path}?{url_encode(query)}")
            self.assertEqual(response.status_code, 403, query)
            self.assertNotIn(self.late.name, response.text)
        response = self.url_open(path, allow_redirects=False)
        self.assertEqual(response.status_code, 303, "no token, no login: log in first")
        self.assertIn("/web/login", response.headers["Location"])
        # The transaction route checks the link again: a forged one creates nothing.
        context, _table = self._pay_page(self._pay_url(self.company, self.currency, self.other))
        count = self._transactions()
        route = f"{path}/transaction"
        for tx_route, access_token, error in (
            (f"{route}/{self.customer.id}", tampered, "Forbidden"),
            (f"{route}/{self.customer.id}", self.other._get_receivable_portal_token(), "Forbidden"),
            (f"{route}/{self.other.id}", None, "Forbidden"),
            (route, None, "ValidationError"),
        ):
            values = self._transaction_values(context, access_token=access_token)
            _result, refused = self._transaction(tx_route, values)
            self.assertIn(error, refused["name"], tx_route)
        # Logged in, a forged link is refused too: never another customer's invoices.
        self.authenticate("arc_pay_portal", "arc_pay_portal")
        response = self.url_open(
            self._pay_url(self.company, self.currency)
            + "?"
            + url_encode({"pid": self.other.id, "token": tampered})
        )
        self.assertEqual(response.status_code, 403)
        _result, refused = self._transaction(
            f"{route}/{self.other.id}", self._transaction_values(context, access_token=None)
        )
        self.assertIn("Forbidden", refused["name"])
        self.assertEqual(self._transactions(), count)

    # ------------------------------------------------------------------------------------------
    # The server decides
    # ------------------------------------------------------------------------------------------
    def test_the_server_sets_the_invoices_and_the_amount(self):
        self.authenticate("arc_pay_portal", "arc_pay_portal")
        url = self._pay_url(self.company, self.currency)
        context, _table = self._pay_page(url)
        count = self._transactions()
        for values, error in (
            ({"amount": 1.0}, "ValidationError"),
            ({"amount": None}, "ValidationError"),
            ({"invoice_ids": [self.other_late.id]}, "BadRequest"),
            ({"partner_id": self.other.id}, "BadRequest"),
        ):
            _result, refused = self._transaction(
                context["transaction_route"], self._transaction_values(context, **values)
            )
            self.assertIn(error, refused["name"], values)
        _result, refused = self._transaction(
            context["transaction_route"], self._transaction_values(context, amount=1.0)
        )
        self.assertIn("reload the page", refused["message"])
        self.assertEqual(self._transactions(), count)
        # The browser's landing page, reference and validation flag are not taken.
        tx = self._pay(
            url,
            landing_route="https://evil.example.com",
            payment_reference="MINE",
            is_validation=True,
        )
        self.assertEqual(tx.landing_route, "/my/receivables")
        self.assertFalse(tx.reference.startswith("MINE"))
        self.assertEqual(tx.operation, "online_direct")
        self.assertEqual(tx.amount, 950.0)

    def test_an_invoice_falling_overdue_after_the_page_asks_for_a_reload(self):
        self.authenticate("arc_pay_portal", "arc_pay_portal")
        url = self._pay_url(self.company, self.currency)
        context, _table = self._pay_page(url)
        newly_late = self._due_invoice(40.0, fields.Date.today() - timedelta(days=1))
        _result, refused = self._transaction(
            context["transaction_route"], self._transaction_values(context)
        )
        self.assertIn("ValidationError", refused["name"])
        tx = self._pay(url)
        self.assertEqual(tx.invoice_ids, self.to_pay | newly_late)
        self.assertEqual(tx.amount, 990.0)

    # ------------------------------------------------------------------------------------------
    # Nothing to pay
    # ------------------------------------------------------------------------------------------
    def test_no_button_when_nothing_is_overdue(self):
        clean = self.env["res.partner"].create({"name": "Clean Customer", "is_company": True})
        self._due_invoice(400.0, fields.Date.today() + timedelta(days=20), partner=clean)
        contested = self._due_invoice(
            100.0, fields.Date.today() - timedelta(days=10), partner=clean
        )
        contested.with_user(self.controller)._open_dispute("Goods never arrived")
        page = self.url_open(self._link(clean))
        self.assertEqual(page.status_code, 200)
        self.assertIn(contested.name, page.text, "the page lists the open items")
        self.assertNotIn("o_receivable_portal_pay_overdue_button", page.text)
        response = self.url_open(
            self._pay_url(self.company, self.currency, partner=clean), allow_redirects=False
        )
        self.assertEqual(response.status_code, 303, "nothing to pay: back to the account page")
        # Online payment of invoices switched off: no button either.
        self.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", False
        )
        self.assertEqual(self._buttons(self._link(self.customer)), [])
