import io

import openpyxl

from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

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

    def _wizard(self):
        wizard = (
            self.env["receivable.provision.wizard"]
            .with_user(self.controller)
            .create({"date": AS_OF, "company_id": self.company.id})
        )
        wizard.action_compute()
        return wizard

    def test_provision_default_rates(self):
        self.assertEqual(self.company.receivable_provision_rates, "0,0,10,25,50")
        wizard = self._wizard()
        self.assertEqual(wizard.line_ids.partner_id, self.alpha | self.gamma, "Beta is in credit")
        self.assertRecordValues(
            wizard.line_ids.sorted("partner_id"),
            [
                {
                    "partner_id": self.alpha.id,
                    "amount_b0": 1000.0,
                    "amount_b2": 400.0,
                    "amount_b4": 200.0,
                    "amount_total": 1600.0,
                    "provision": 140.0,
                },
                {
                    "partner_id": self.gamma.id,
                    "amount_b0": 0.0,
                    "amount_b2": 0.0,
                    "amount_b4": 400.0,
                    "amount_total": 400.0,
                    "provision": 200.0,
                },
            ],
        )
        self.assertEqual(wizard.amount_provision, 340.0)
        self.assertEqual(wizard.amount_receivable, 2000.0)

    def test_provision_custom_rates(self):
        self.company.receivable_provision_rates = "0, 5, 20, 50, 100"
        wizard = self._wizard()
        by_partner = {line.partner_id: line.provision for line in wizard.line_ids}
        self.assertEqual(by_partner, {self.alpha: 280.0, self.gamma: 400.0})
        self.assertEqual(wizard.amount_provision, 680.0)
        # Today the old invoice is paid: only 400 x 20 % (now > 90 days) is left for Alpha.
        today = self.env["receivable.provision.wizard"].create({"company_id": self.company.id})
        today.action_compute()
        alpha = today.line_ids.filtered(lambda line: line.partner_id == self.alpha)
        self.assertEqual(alpha.amount_total, 1400.0)

    def test_provision_rates_validation(self):
        for wrong in ("0,0,10,25,150", "a,b", "", "0,0,0,0,0,0,0,0", "-1,0,0,0,0"):
            with self.subTest(rates=wrong), self.assertRaises(ValidationError):
                self.company.receivable_provision_rates = wrong
        # Rates that no longer match the buckets are refused when used.
        self.company.receivable_aging_buckets = "30,60"
        with self.assertRaisesRegex(UserError, "one rate per bucket"):
            self._wizard()
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
        wizard = self._wizard()
        action = wizard.action_export_xlsx()
        # The Credit Controller who opened the wizard downloads it (wizards are their own).
        attachment = wizard.env["ir.attachment"].search(
            [("res_model", "=", wizard._name), ("res_id", "=", wizard.id)]
        )
        self.assertIn(str(attachment.id), action["url"])
        content = attachment.raw
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
