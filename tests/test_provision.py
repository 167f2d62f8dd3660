import base64
import io
from datetime import timedelta

import openpyxl

from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase
from odoo.tests import freeze_time
from odoo.tests import tagged

from .common import SPREADSHEETS
from .common import ReceivableCommon

AS_OF = "2025-03-31"


@tagged("post_install", "-at_install")
class TestProvision(ReceivableCommon):
    """The bad-debt provision proposal at 2025-03-31 (buckets 30,60,90).

    * Alpha owes 1000 not due, 400 in 31-60 and 200 in > 90 (paid on 10 April, after the date);
    * Beta only has a credit note of 300: in credit, never provisioned;
    * Gamma owes 1000 in > 90 and has a credit note of 600 not yet due, set off against its
      oldest debt: 400 in > 90.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alpha, cls.beta, cls.gamma = cls.env["res.partner"].create(
            [{"name": name, "is_company": True} for name in ("Alpha", "Beta", "Gamma")]
        )
        cls._due_invoice(1000.0, "2025-04-30", cls.alpha, invoice_date="2025-03-31")
        cls._due_invoice(400.0, "2025-02-15", cls.alpha, invoice_date="2025-01-15")
        cls.inv_alpha_old = cls._due_invoice(
            200.0, "2024-12-01", cls.alpha, invoice_date="2024-11-01"
        )
        cls._register_payment(cls.inv_alpha_old, payment_date="2025-04-10")
        cls._due_invoice(
            300.0, "2025-03-01", cls.beta, invoice_date="2025-03-01", move_type="out_refund"
        )
        cls._due_invoice(1000.0, "2024-11-01", cls.gamma, invoice_date="2024-10-01")
        cls._due_invoice(
            600.0, "2025-04-15", cls.gamma, invoice_date="2025-03-15", move_type="out_refund"
        )

    def _proposal(self, date=AS_OF, user=None):
        provision = self.env["receivable.provision.wizard"].with_user(user or self.controller)
        return provision.get_provision_data(date=date)

    def _lines(self, data):
        return {line["partner_id"]: line for line in data["lines"]}

    def test_provision_default_rates(self):
        self.assertEqual(self.company.receivable_provision_rates, "0,0,10,25,50")
        data = self._proposal()
        self.assertEqual(
            [line["partner_id"] for line in data["lines"]],
            [self.alpha.id, self.gamma.id],
            "Beta is in credit",
        )
        self.assertEqual(
            data["buckets"],
            [
                {"label": "Not Due", "rate": 0.0},
                {"label": "1-30", "rate": 0.0},
                {"label": "31-60", "rate": 0.1},
                {"label": "61-90", "rate": 0.25},
                {"label": "> 90", "rate": 0.5},
            ],
        )
        alpha, gamma = data["lines"]
        self.assertEqual(
            (alpha["partner_name"], alpha["amounts"], alpha["amount_total"], alpha["provision"]),
            ("Alpha", [1000.0, 0.0, 400.0, 0.0, 200.0], 1600.0, 140.0),
        )
        self.assertEqual(
            (gamma["amounts"], gamma["amount_total"], gamma["provision"]),
            ([0.0, 0.0, 0.0, 0.0, 400.0], 400.0, 200.0),
        )
        self.assertEqual(data["amount_provision"], 340.0)
        self.assertEqual(data["amount_receivable"], 2000.0)
        self.assertEqual((data["date"], data["company_id"]), (AS_OF, self.company.id))

    def test_provision_opens_the_aged_receivables_behind_it(self):
        """The screen opens the aged receivables at the date of the provisioned customers (all
        of them, or one): their total is the balance shown."""
        data = self._proposal()
        action = data["action"]
        self.assertEqual(action["res_model"], "receivable.aging")
        self.assertEqual(action["context"]["receivable_aging_date"], AS_OF)
        aging = self.env["receivable.aging"].with_context(**action["context"])
        for partners, balance in (
            ([self.alpha.id, self.gamma.id], 2000.0),
            ([self.alpha.id], 1600.0),
        ):
            rows = aging.with_user(self.controller).search(
                [*action["domain"], ("partner_id", "in", partners)]
            )
            self.assertAlmostEqual(sum(rows.mapped("amount_residual")), balance)

    def test_provision_menu_opens_the_screen(self):
        """The menu opens the client action that reads the proposal; nothing is stored."""
        menu = self.env.ref("account_receivable_control.menu_receivable_provision")
        self.assertEqual(
            (menu.action._name, menu.action.tag),
            ("ir.actions.client", "account_receivable_control.bad_debt_provision"),
        )
        self.assertTrue(self.env["receivable.provision.wizard"]._abstract)
        self.assertNotIn("receivable.provision.line", self.env)

    def test_provision_custom_rates(self):
        self.company.receivable_provision_rates = "0, 5, 20, 50, 100"
        data = self._proposal()
        by_partner = {line["partner_id"]: line["provision"] for line in data["lines"]}
        self.assertEqual(by_partner, {self.alpha.id: 280.0, self.gamma.id: 400.0})
        self.assertEqual(data["amount_provision"], 680.0)
        # Today the old invoice is paid: only 400 x 20 % (now > 90 days) is left for Alpha.
        today = self._lines(self._proposal(date=None))
        self.assertEqual(today[self.alpha.id]["amount_total"], 1400.0)

    def test_provision_rates_validation(self):
        for wrong in ("0,0,10,25,150", "a,b", "", "0,0,0,0,0,0,0,0", "-1,0,0,0,0"):
            with self.subTest(rates=wrong), self.assertRaises(ValidationError):
                self.company.receivable_provision_rates = wrong
        # Rates that no longer match the buckets are refused when used.
        self.company.receivable_aging_buckets = "30,60"
        with self.assertRaisesRegex(UserError, "one rate per bucket"):
            self._proposal()
        # In the settings, rates and buckets are checked together.
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create(
                {"receivable_aging_buckets": "30,60,90", "receivable_provision_rates": "0,10"}
            )
        settings = self.env["res.config.settings"].create(
            {
                "receivable_aging_buckets": "30,60,90,120",
                "receivable_provision_rates": "0,0,10,25,50,75",
            }
        )
        settings.execute()
        self.assertEqual(self.company._get_receivable_provision_rates()[-1], 0.75)
        # The buckets alone can still be changed (the rates are then refused when used).
        self.env["res.config.settings"].create({"receivable_aging_buckets": "45"}).execute()
        self.assertEqual(self.company.receivable_aging_buckets, "45")

    def test_provision_xlsx(self):
        attachments = self.env["ir.attachment"].search_count(SPREADSHEETS)
        provision = self.env["receivable.provision.wizard"].with_user(self.controller)
        export = provision.get_provision_xlsx(date=AS_OF)
        self.assertEqual(
            self.env["ir.attachment"].search_count(SPREADSHEETS), attachments, "stored nowhere"
        )
        self.assertEqual(export["name"], f"Bad-Debt Provision {self.company.name} {AS_OF}.xlsx")
        content = base64.b64decode(export["content"])
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        self.assertEqual(rows[0][1:7], ("Rate", 0, 0, 0.1, 0.25, 0.5))
        self.assertEqual(
            rows[1],
            ("Partner", "VAT", "Not Due", "1-30", "31-60", "61-90", "> 90", "Balance", "Provision"),
        )
        self.assertEqual([row[0] for row in rows[2:]], ["Alpha", "Gamma", "Total"])
        self.assertEqual(rows[2][8], "=ROUND(SUMPRODUCT(C5:G5,$C$3:$G$3),2)")
        self.assertEqual(rows[4][8], "=SUM(I5:I6)")
        values = openpyxl.load_workbook(io.BytesIO(content), data_only=True).active
        self.assertEqual(values["I5"].value, 140.0)
        self.assertEqual(values["I6"].value, 200.0)
        self.assertEqual(values["I7"].value, 340.0)
        self.assertEqual(values["H7"].value, 2000.0)


@tagged("post_install", "-at_install")
class TestProvisionAccess(ReceivableCommon):
    """The screen's endpoints are for Credit Controllers, on the companies they work in, at a
    date that parses and is not after today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company()["company"]
        cls._due_invoice(800.0, "2025-01-15", invoice_date="2024-12-16")
        cls.portal = cls._create_user("arc_provision_portal", "base.group_portal")
        cls.internal = cls._create_user("arc_provision_internal", "base.group_user")

    def _calls(self, user, **kwargs):
        provision = self.env["receivable.provision.wizard"].with_user(user)
        return (
            lambda: provision.get_provision_data(**kwargs),
            lambda: provision.get_provision_xlsx(**kwargs),
        )

    def test_refused_without_the_controller_group(self):
        for user in (self.portal, self.internal, self.invoicing_user):
            for call in self._calls(user, date=AS_OF):
                with self.subTest(user=user.login), self.assertRaises(AccessError):
                    call()
        data = self._calls(self.controller, date=AS_OF)[0]()
        self.assertEqual(data["amount_receivable"], 800.0)

    def test_refused_for_a_company_of_someone_else(self):
        for call in self._calls(self.controller, date=AS_OF, company=self.company_b.id):
            with self.assertRaisesRegex(AccessError, "You may not read the receivables"):
                call()
        # A Credit Manager working in both companies reads company B's (nothing there).
        self.manager.company_ids |= self.company_b
        provision = self.env["receivable.provision.wizard"].with_user(self.manager)
        data = provision.with_context(
            allowed_company_ids=[self.company.id, self.company_b.id]
        ).get_provision_data(date=AS_OF, company=self.company_b.id)
        self.assertEqual((data["company_id"], data["lines"]), (self.company_b.id, []))

    def test_bad_parameters(self):
        with freeze_time("2025-03-31"):
            refused = [
                ('"date"', {"date": "tomorrow"}),
                ("cannot be after today", {"date": "2025-04-01"}),
                ("“company”", {"date": AS_OF, "company": "Company A"}),
            ]
            for message, kwargs in refused:
                for call in self._calls(self.controller, **kwargs):
                    with self.subTest(kwargs=kwargs), self.assertRaisesRegex(UserError, message):
                        call()
            data = self._calls(self.controller)[0]()
        self.assertEqual(data["date"], "2025-03-31", "today by default")


@tagged("post_install", "-at_install")
class TestProvisionTour(ReceivableCommon, HttpCase):
    def test_controller_reads_the_provision_and_opens_a_customer(self):
        """From the menu: 1000 over 90 days late provisioned at 50 %, the spreadsheet
        downloaded, the customer's aged receivables opened. The screen stores nothing."""
        customer = self.env["res.partner"].create(
            {"name": "Provision Tour Customer", "is_company": True}
        )
        today = fields.Date.context_today(self.env["res.partner"])
        self._due_invoice(1000.0, today - timedelta(days=120), partner=customer)
        attachments = self.env["ir.attachment"].search_count(SPREADSHEETS)
        self.start_tour(
            "/odoo", "account_receivable_control_provision", login=self.controller.login
        )
        self.assertEqual(self.env["ir.attachment"].search_count(SPREADSHEETS), attachments)
