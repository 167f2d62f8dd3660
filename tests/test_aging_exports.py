import io

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ReceivableCommon

AS_OF = "2025-03-31"
REPORT = "account_receivable_control.action_report_customer_statement"


@tagged("post_install", "-at_install")
class TestAgingExports(ReceivableCommon):
    """The aged receivables spreadsheets and the customer statement, on a small ledger.

    At 2025-03-31 the Brasserie owes 500 (61-90 days late), 1000 (16 days late) and 200
    (not due), less a credit note of 100 (not due); its invoice of 300 was paid on 2025-03-10.
    The Café owes 700, 120 days late.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cafe = cls.env["res.partner"].create(
            {"name": "Café Central", "is_company": True, "vat": "BE0477472701"}
        )
        cls.inv_old = cls._due_invoice(500.0, "2025-01-15", invoice_date="2024-12-16")
        cls.inv_paid = cls._due_invoice(300.0, "2025-03-03", invoice_date="2025-02-01")
        cls.inv_late = cls._due_invoice(1000.0, "2025-03-15", invoice_date="2025-02-13")
        cls.refund = cls._due_invoice(
            100.0, "2025-04-10", invoice_date="2025-03-20", move_type="out_refund"
        )
        cls.inv_future = cls._due_invoice(200.0, "2025-04-30", invoice_date="2025-03-31")
        cls.inv_cafe = cls._due_invoice(
            700.0, "2024-12-01", invoice_date="2024-11-01", partner=cls.cafe
        )
        cls._register_payment(cls.inv_paid, payment_date="2025-03-10")

    def _workbook(self, content, data_only=False):
        return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only)

    def _statement_html(self, partners, **data):
        html, _report_type = self.env["ir.actions.report"]._render_qweb_html(
            REPORT, partners.ids, data=data or None
        )
        return html.decode() if isinstance(html, bytes) else html

    # ------------------------------------------------------------------------------------------
    # XLSX
    # ------------------------------------------------------------------------------------------
    def test_xlsx_by_partner(self):
        content = self.env["receivable.aging.xlsx"]._build_by_partner(self.company, AS_OF)
        workbook = self._workbook(content)
        self.assertEqual(workbook.sheetnames, ["By Partner"])
        sheet = workbook["By Partner"]
        self.assertIn("Aged Receivables", sheet["A1"].value)
        self.assertIn(self.company.name, sheet["A1"].value)
        self.assertEqual(sheet.freeze_panes, "B5")
        self.assertEqual(sheet.auto_filter.ref, "A4:H6")
        rows = list(sheet.iter_rows(min_row=4, values_only=True))
        labels = self.env["receivable.aging"]._get_bucket_labels()
        self.assertEqual(rows[0], ("Partner", "VAT", *labels, "Total"))
        self.assertEqual(labels, ["Not Due", "1-30", "31-60", "61-90", "> 90"])
        # One row per partner, by name, then the totals as formulas.
        self.assertEqual(rows[1][:7], ("Brasserie Dupont", None, 100.0, 1000.0, 0.0, 500.0, 0.0))
        self.assertEqual(rows[1][7], "=SUM(C5:G5)")
        self.assertEqual(rows[2][:7], ("Café Central", "BE0477472701", 0.0, 0.0, 0.0, 0.0, 700.0))
        self.assertEqual(rows[3][0], "Total")
        self.assertEqual(rows[3][2:], tuple(f"=SUM({c}5:{c}6)" for c in "CDEFGH"))
        self.assertEqual(len(rows), 4, "header, two partners, totals")
        # The formulas carry their value for readers that do not compute them.
        values = self._workbook(content, data_only=True)["By Partner"]
        self.assertEqual(values["H5"].value, 1600.0)
        self.assertEqual(values["H6"].value, 700.0)
        self.assertEqual([values[f"{c}7"].value for c in "CDEFGH"], [100, 1000, 0, 500, 700, 2300])

    def test_xlsx_by_partner_for_some_partners(self):
        content = self.env["receivable.aging.xlsx"]._build_by_partner(
            self.company, AS_OF, partners=self.contact
        )
        rows = list(self._workbook(content, data_only=True).active.iter_rows(values_only=True))
        self.assertEqual([row[0] for row in rows[4:]], ["Brasserie Dupont", "Total"])
        self.assertEqual(rows[-1][-1], 1600.0)

    def test_xlsx_detail(self):
        content = self.env["receivable.aging.xlsx"]._build_detail(self.company, AS_OF)
        workbook = self._workbook(content)
        self.assertEqual(workbook.sheetnames, ["Detail"])
        sheet = workbook["Detail"]
        self.assertIn(self.company.name, sheet["A1"].value)
        self.assertEqual(sheet.freeze_panes, "B5")
        rows = list(sheet.iter_rows(min_row=5, values_only=True))
        self.assertEqual(
            [(row[0], row[1], row[4], row[5], row[8]) for row in rows[:-1]],
            [
                ("Brasserie Dupont", self.inv_old.name, 75, "61-90", 500.0),
                ("Brasserie Dupont", self.inv_late.name, 16, "1-30", 1000.0),
                ("Brasserie Dupont", self.refund.name, 0, "Not Due", -100.0),
                ("Brasserie Dupont", self.inv_future.name, 0, "Not Due", 200.0),
                ("Café Central", self.inv_cafe.name, 120, "> 90", 700.0),
            ],
        )
        first = rows[0]
        self.assertEqual(first[2].date().isoformat(), "2024-12-16")
        self.assertEqual(first[3].date().isoformat(), "2025-01-15")
        self.assertEqual(first[6], self.currency.name)
        self.assertEqual(sheet["C5"].number_format, "yyyy-mm-dd")
        self.assertEqual(rows[-1][0], "Total")
        self.assertEqual(rows[-1][8], "=SUM(I5:I9)")
        values = self._workbook(content, data_only=True)["Detail"]
        self.assertEqual(values["I10"].value, 2300.0)

    def test_export_screen_from_the_menu_and_the_aging_screens(self):
        """The screens open the export dialog (a client action: it saves nothing), listed in
        the Actions menu of the aging screens of the Credit Controllers only."""
        menu = self.env.ref("account_receivable_control.menu_receivable_aging_export")
        screen = self.env.ref("account_receivable_control.action_receivable_aging_export_screen")
        self.assertEqual(menu.action, screen)
        self.assertEqual(screen.tag, "account_receivable_control.aging_export")
        self.assertEqual(screen.target, "new")
        self._assert_bound(
            "receivable.aging",
            "account_receivable_control.action_receivable_aging_export_screen_binding",
        )

    def _assert_bound(self, model, xmlid):
        """The action ``xmlid`` is in the Actions menu of ``model`` for a Credit Controller,
        not for a billing user."""
        action = self.env.ref(xmlid)
        for user, shown in ((self.controller, True), (self.invoicing_user, False)):
            bindings = self.env["ir.actions.actions"].with_user(user).get_bindings(model)
            ids = [binding["id"] for binding in bindings.get("action", ())]
            self.assertEqual(action.id in ids, shown, user.login)

    # ------------------------------------------------------------------------------------------
    # Customer statement
    # ------------------------------------------------------------------------------------------
    def test_statement_lists_the_open_items(self):
        with freeze_time(AS_OF):
            html = self._statement_html(self.customer)
        for move in self.inv_old | self.inv_late | self.inv_future | self.refund:
            self.assertIn(f">{move.name}<", html)
        self.assertNotIn(f">{self.inv_paid.name}<", html, "the paid invoice is not listed")
        self.assertNotIn(f">{self.inv_cafe.name}<", html, "another customer's invoice")
        self.assertIn("Statement of Account", html)
        self.assertIn("1,600.00", html, "the total due")
        self.assertRegex(html, "-\ufeff?100.00", "the credit note is negative")
        self.assertIn("Not Due", html, "the aging summary")
        self.assertNotIn("Opening balance", html, "no activity without a period")

    def test_statement_in_the_partner_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.cafe.lang = "fr_FR"
        with freeze_time(AS_OF):
            html = self._statement_html(self.customer | self.cafe)
        self.assertIn('data-oe-lang="fr_FR"', html)
        self.assertIn('data-oe-lang="en_US"', html)
        self.assertIn("31/03/2025", html, "French date format")
        self.assertIn("03/31/2025", html, "English date format")

    def test_statement_of_a_contact_is_the_company_statement(self):
        with freeze_time(AS_OF):
            html = self._statement_html(self.contact | self.customer)
        self.assertEqual(html.count("Statement of Account"), 1)
        self.assertIn(self.inv_late.name, html)

    def test_statement_for_many_partners_at_once(self):
        with freeze_time(AS_OF):
            html = self._statement_html(self.customer | self.cafe)
        self.assertEqual(html.count("Statement of Account"), 2)
        self.assertIn(self.inv_cafe.name, html)
        self.assertIn("700.00", html)
        self.assertLess(html.index(self.inv_late.name), html.index(self.inv_cafe.name))

    def test_statement_at_an_earlier_date(self):
        html = self._statement_html(self.customer, statement_date="2025-03-05")
        # On 5 March the invoice of 300 was still open, the later documents did not exist.
        self.assertIn(f">{self.inv_paid.name}<", html)
        self.assertNotIn(f">{self.inv_future.name}<", html)
        self.assertIn("1,800.00", html)

    def test_statement_with_activity(self):
        report = self.env["report.account_receivable_control.report_customer_statement"]
        with freeze_time(AS_OF):
            values = report._get_report_values(
                self.customer.ids, {"statement_from": "2025-03-01", "statement_to": AS_OF}
            )
        activity = values["statements"][self.customer.id]["activity"]
        self.assertEqual(activity["opening"], 1800.0)
        self.assertEqual(
            [(row["reference"], row["debit"], row["credit"]) for row in activity["lines"]][1:],
            [(self.refund.name, 0.0, 100.0), (self.inv_future.name, 200.0, 0.0)],
        )
        self.assertEqual(activity["lines"][0]["credit"], 300.0, "the payment of 10 March")
        self.assertEqual([row["balance"] for row in activity["lines"]], [1500.0, 1400.0, 1600.0])
        self.assertEqual(activity["closing"], 1600.0)

        with freeze_time(AS_OF):
            html = self._statement_html(
                self.customer, statement_from="2025-03-01", statement_to=AS_OF
            )
        self.assertIn("Opening balance", html)
        self.assertIn("Closing balance", html)
        self.assertIn("1,800.00", html)
        activity_html = html[html.index("Opening balance") :]
        self.assertIn(self.refund.name, activity_html)
        self.assertNotIn(self.inv_late.name, activity_html, "invoiced before the period")

    def test_statement_screen_from_the_customer(self):
        """The customer's Statement button and its Actions menu open the statement dialog (a
        client action: it saves nothing); its Print renders the report with the period."""
        screen = self.env.ref("account_receivable_control.action_receivable_statement_screen")
        self.assertEqual(screen.tag, "account_receivable_control.statement")
        self._assert_bound("res.partner", screen.get_external_id()[screen.id])
        form = self.env.ref("account_receivable_control.res_partner_view_form_statement")
        self.assertIn(f'name="{screen.id}" type="action"', form.arch_db.replace("'", '"'))

        with freeze_time(AS_OF):
            content, mimetype, name = self.contact.with_user(self.controller)._get_statement_file(
                date=AS_OF, date_from="2025-03-01", date_to=AS_OF
            )
        self.assertEqual((mimetype, name), ("text/html", "Statement - Brasserie Dupont.html"))
        html = content.decode()
        self.assertIn("Opening balance", html)
        self.assertIn(self.refund.name, html)
        with self.assertRaisesRegex(UserError, "start date before its end date"):
            self.customer.with_user(self.controller)._get_statement_file(
                date_from=AS_OF, date_to="2025-03-01"
            )

    def test_send_statement_by_email(self):
        self.customer.email = "info@brasserie-dupont.example.com"
        template = self.env.ref("account_receivable_control.mail_template_customer_statement")
        action = self.customer.with_user(self.controller).action_send_statement()
        self.assertEqual(action["res_model"], "mail.compose.message")
        self.assertEqual(action["context"]["default_template_id"], template.id)
        self.assertEqual(action["context"]["default_res_ids"], self.customer.ids)

        with freeze_time(AS_OF):
            composer = (
                self.env["mail.compose.message"]
                .with_user(self.controller)
                .with_context(action["context"])
                .create({})
            )
            self.assertIn("statement", composer.subject)
            self.assertEqual(composer.partner_ids, self.customer)
            composer._action_send_mail()
        message = self.customer.message_ids.sorted("id")[-1]
        self.assertEqual(message.partner_ids, self.customer)
        self.assertEqual(len(message.attachment_ids), 1)
        attachment = message.attachment_ids
        self.assertTrue(attachment.name.startswith("Statement - Brasserie Dupont"))
        # In tests the PDF is rendered as HTML: it is the statement of the customer.
        self.assertIn(self.inv_late.name, attachment.raw.decode())

    def test_statement_template_uses_the_invoicing_address(self):
        billing = self.env["res.partner"].create(
            {
                "name": "Dupont Accounts",
                "parent_id": self.customer.id,
                "type": "invoice",
                "email": "accounts@brasserie-dupont.example.com",
            }
        )
        template = self.env.ref("account_receivable_control.mail_template_customer_statement")
        values = template._generate_template(self.customer.ids, ["partner_to", "lang"])
        self.assertEqual(values[self.customer.id]["partner_ids"], billing.ids)
