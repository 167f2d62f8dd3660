"""The read-only routes of the screens *Export Aged Receivables* and *Customer Statement*
(controllers/screens.py), over HTTP, and the screens in the browser.

Odoo serves a route declared ``readonly=True`` on a read-only cursor (the replica when there
is one); in tests, that cursor is a read-only transaction: a write there fails, and Odoo logs
"retrying with a read/write cursor" before running the request again on a read/write cursor.
Each download below is checked to log no such retry and to store nothing.
"""

import io
import re
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import unquote

import openpyxl

from odoo import fields
from odoo import http
from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.account_receivable_control.controllers.screens import AGED_RECEIVABLES_ROUTE
from odoo.addons.account_receivable_control.controllers.screens import STATEMENT_PARTNER_ROUTE
from odoo.addons.account_receivable_control.controllers.screens import STATEMENT_ROUTE

from .common import ReceivableCommon

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# In tests Odoo renders a PDF report as HTML (no wkhtmltopdf); in production, a PDF.
STATEMENT_TYPES = ("application/pdf", "text/html")


def attachment_count(env):
    """Every attachment, those of binary fields too (which searches leave out), but the
    bundles of the web client's assets, which a browser's first visit stores."""
    [(count,)] = env.execute_query(
        SQL("SELECT COUNT(*) FROM ir_attachment WHERE url IS NULL OR url NOT LIKE '/web/assets/%%'")
    )
    return count


@tagged("post_install", "-at_install")
class TestScreenRoutes(ReceivableCommon, HttpCase):
    """The Brasserie owes 1200 (45 days late) and 300 (not due); the Café 700 (100 days
    late). A Credit Controller of company A downloads; company B has its own customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.cafe = cls.env["res.partner"].create({"name": "Café Central", "is_company": True})
        cls.late = cls._due_invoice(1200.0, cls.today - timedelta(days=45))
        cls.not_due = cls._due_invoice(300.0, cls.today + timedelta(days=20))
        cls.cafe_late = cls._due_invoice(700.0, cls.today - timedelta(days=100), partner=cls.cafe)
        cls.other_company = cls.setup_other_company()["company"]
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Other Company Customer", "company_id": cls.other_company.id}
        )

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    @contextmanager
    def _read_only_request(self):
        """The block's requests write nothing: no retry on a read/write cursor (a write on the
        read-only cursor), no attachment stored."""
        attachments = attachment_count(self.env)
        with self.assertNoLogs("odoo.http", "WARNING"):
            yield
        self.assertEqual(attachment_count(self.env), attachments, "an attachment was stored")

    def _get(self, path, login="arc_controller", **params):
        if login:
            self.authenticate(login, login)
        return self.url_open(path, params=params, allow_redirects=False)

    def _rows(self, response):
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True).active
        return [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]

    def assertRefusedWith(self, response, status, message):
        self.assertEqual(response.status_code, status, response.text[:300])
        self.assertIn(message, response.text)
        self.assertNotIn("Traceback", response.text)
        self.assertNotIn("Content-Disposition", response.headers)

    # ------------------------------------------------------------------------------------------
    # The routes are read-only
    # ------------------------------------------------------------------------------------------
    def test_routes_are_declared_read_only(self):
        """As Odoo routes the requests: the routing of each URL merged over the modules
        installed (a module overriding the controller could change it)."""
        routes = {AGED_RECEIVABLES_ROUTE, STATEMENT_ROUTE, STATEMENT_PARTNER_ROUTE}
        modules = self.registry._init_modules
        rules = {
            url: endpoint.routing
            for url, endpoint in http._generate_routing_rules(modules, nodb_only=False)
            if url in routes
        }
        self.assertEqual(set(rules), routes)
        for path, routing in rules.items():
            with self.subTest(path=path):
                self.assertIs(routing["readonly"], True)
                self.assertEqual(routing["auth"], "user")
                self.assertEqual(routing["methods"], ["GET"])

    # ------------------------------------------------------------------------------------------
    # Aged receivables
    # ------------------------------------------------------------------------------------------
    def test_controller_downloads_the_aged_receivables(self):
        with self._read_only_request():
            response = self._get(AGED_RECEIVABLES_ROUTE)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], XLSX)
        disposition, filename = response.headers["Content-Disposition"].split("; filename*=UTF-8''")
        self.assertEqual(disposition, "attachment")
        self.assertEqual(
            unquote(filename), f"Aged Receivables {self.company.name} {self.today}.xlsx"
        )
        rows = self._rows(response)
        self.assertEqual(
            [(row[0], row[-1]) for row in rows],
            [("Brasserie Dupont", 1500.0), ("Café Central", 700.0), ("Total", 2200.0)],
        )

    def test_aged_receivables_detailed_for_some_customers_at_a_date(self):
        past = self.today - timedelta(days=10)
        with self._read_only_request():
            response = self._get(
                AGED_RECEIVABLES_ROUTE,
                date=fields.Date.to_string(past),
                layout="detail",
                company_id=self.company.id,
                partner_ids=f"{self.cafe.id}",
            )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Aged%20Receivables%20%28detail%29", response.headers["Content-Disposition"])
        rows = self._rows(response)
        self.assertEqual([row[1] for row in rows[:-1]], [self.cafe_late.name])
        self.assertEqual(rows[0][4], 90, "aged at the date asked: 100 - 10 days late")

    def test_aged_receivables_refusals(self):
        other = self.other_company.id
        cases = [
            # A user without our groups, a company the controller does not work in.
            ("arc_invoicing", {}, 403, "Only the group"),
            ("arc_controller", {"company_id": other}, 403, "You may not read"),
            # Parameters that do not parse: a clear message naming them.
            ("arc_controller", {"date": "31/12/2026"}, 400, "The date &#34;date&#34; must be"),
            ("arc_controller", {"date": "2999-01-01"}, 400, "after today"),
            ("arc_controller", {"layout": "pdf"}, 400, "“layout”"),
            ("arc_controller", {"partner_ids": "7;8"}, 400, "“partner_ids”"),
            ("arc_controller", {"company_id": "A"}, 400, "“company_id”"),
        ]
        for login, params, status, message in cases:
            with self.subTest(login=login, params=params), self._read_only_request():
                self.assertRefusedWith(
                    self._get(AGED_RECEIVABLES_ROUTE, login=login, **params), status, message
                )

    def test_aged_receivables_need_a_login(self):
        self.authenticate(None, None)
        response = self._get(AGED_RECEIVABLES_ROUTE, login=None)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_refusal_reads_as_an_error_in_the_web_client(self):
        """The page of a refusal carries the error as JSON in its second element: the web
        client's download shows it as a UserError/AccessError dialog."""
        response = self._get(AGED_RECEIVABLES_ROUTE, layout="pdf")
        payload = re.search(
            r"<script type='application/json'>(.*?)</script>", response.text, re.S
        ).group(1)
        self.assertIn('"name": "odoo.exceptions.UserError"', payload)
        self.assertIn('"debug": ""', payload)
        self.assertTrue(response.text.index("<h1>") < response.text.index("<script"))

    # ------------------------------------------------------------------------------------------
    # Customer statement
    # ------------------------------------------------------------------------------------------
    def test_controller_prints_a_statement(self):
        period = {
            "date_from": fields.Date.to_string(self.today - timedelta(days=60)),
            "date_to": fields.Date.to_string(self.today),
        }
        # From a contact: the statement of its company.
        path = STATEMENT_PARTNER_ROUTE.replace("<int:partner_id>", str(self.contact.id))
        with self._read_only_request():
            shown = self._get(path, **period)
            downloaded = self._get(path, download="1", **period)
        for response in (shown, downloaded):
            self.assertEqual(response.status_code, 200)
            self.assertIn(response.headers["Content-Type"], STATEMENT_TYPES)
            self.assertIn(self.late.name, response.text)
            self.assertIn("Opening balance", response.text, "the activity of the period")
            self.assertNotIn(self.cafe_late.name, response.text)
        self.assertRegex(
            shown.headers["Content-Disposition"], r"^inline; filename\*=UTF-8''Statement%20-%20"
        )
        self.assertRegex(downloaded.headers["Content-Disposition"], r"^attachment; ")

    def test_statement_of_several_customers(self):
        with self._read_only_request():
            response = self._get(
                STATEMENT_ROUTE,
                partner_ids=f"{self.customer.id},{self.cafe.id}",
                company_id=self.company.id,
            )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.text.count("Statement of Account"), 2)
        self.assertIn(self.cafe_late.name, response.text)
        self.assertNotIn("Opening balance", response.text, "no activity without a period")
        self.assertIn("Customer%20Statement.", response.headers["Content-Disposition"])

    def test_statement_refusals(self):
        customer = str(self.customer.id)
        cases = [
            ("arc_invoicing", {"partner_ids": customer}, 403, "Only the group"),
            # Another company's customer; a company the controller does not work in.
            ("arc_controller", {"partner_ids": str(self.other_customer.id)}, 403, ""),
            ("arc_controller", {"partner_ids": customer, "company_id": self.other_company.id},
             403, "You may not read"),
            ("arc_controller", {"partner_ids": "999999999"}, 404, "does not exist"),
            ("arc_controller", {}, 400, "Choose the customers"),
            ("arc_controller", {"partner_ids": customer, "date": "soon"}, 400, "&#34;date&#34;"),
            ("arc_controller",
             {"partner_ids": customer, "date_from": "2025-03-31", "date_to": "2025-03-01"},
             400, "start date before its end date"),
        ]  # fmt: skip
        for login, params, status, message in cases:
            with self.subTest(login=login, params=params), self._read_only_request():
                self.assertRefusedWith(
                    self._get(STATEMENT_ROUTE, login=login, **params), status, message
                )


@tagged("post_install", "-at_install")
class TestScreenTours(ReceivableCommon, HttpCase):
    """The screens in the browser, from the menu and from the customer: the dialogs' buttons
    download from the read-only routes, and nothing is stored."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env.user)
        cls.tour_customer = cls.env["res.partner"].create(
            {"name": "Screens Tour Customer", "is_company": True}
        )
        cls._due_invoice(640.0, today - timedelta(days=20), partner=cls.tour_customer)

    def _start_tour(self, url, tour):
        """The tour as the Credit Controller: it checks itself that the dialog's button sent
        its GET request to the route and got the file (the browser's resource timings);
        nothing is stored, nothing written on the read-only cursor."""
        attachments = attachment_count(self.env)
        with self.assertNoLogs("odoo.http", "WARNING"):
            self.start_tour(url, tour, login=self.controller.login)
        self.assertEqual(attachment_count(self.env), attachments)

    def test_export_aged_receivables_from_the_menu(self):
        self._start_tour("/odoo", "account_receivable_control_aging_export")

    def test_print_a_statement_from_the_customer(self):
        self._start_tour(
            f"/odoo/action-account.res_partner_action_customer/{self.tour_customer.id}",
            "account_receivable_control_statement",
        )
