"""The letter and the statement name their sender in their body: with a wkhtmltopdf build that
prints no letterhead (Debian's), the customer still reads who claims, where, under which VAT
and registry numbers, and where to pay, next to each invoice's payment reference."""

from lxml import html as lxml_html

from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

LETTER = "account_receivable_control.action_report_dunning_letter"
STATEMENT = "account_receivable_control.action_report_customer_statement"


@tagged("post_install", "-at_install")
class TestLettersStandAlone(DunningCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "name": "Brasseries Réunies SA",
                "street": "Rue de la Loi 16",
                "zip": "1000",
                "city": "Bruxelles",
                "vat": "BE0477472701",
                "company_registry": "0477.472.701",
                "phone": "+32 2 555 01 01",
            }
        )
        bank = cls.env["res.bank"].create({"name": "Banque Exemple", "bic": "GEBABEBB"})
        cls.env["res.partner.bank"].create(
            {
                "acc_number": "BE71096123456769",
                "partner_id": cls.company.partner_id.id,
                "bank_id": bank.id,
                "allow_out_payment": True,
            }
        )

    def _render(self, report, ids):
        html, _format = self.env["ir.actions.report"]._render_qweb_html(report, ids)
        return html.decode()

    def _sender_block(self, html):
        """The text of the sender block, inside the page's body."""
        blocks = lxml_html.fromstring(html).xpath(
            "//div[contains(@class, 'page')]//div[@name='sender_block']"
        )
        self.assertEqual(len(blocks), 1, "the body has one sender block")
        return " ".join(blocks[0].text_content().split())

    def _assert_sender(self, html):
        block = self._sender_block(html)
        for text in ("Brasseries Réunies SA", "Rue de la Loi 16", "Bruxelles", "BE0477472701"):
            self.assertIn(text, block)
        self.assertIn("0477.472.701", block, "the registry number")
        # The bank account and BIC are in the body too, beside the sender.
        body = html.split('<div class="page', 1)[1]
        self.assertIn("BE71096123456769", body)
        self.assertIn("GEBABEBB", body)

    def test_letter_names_its_sender_in_its_body(self):
        invoice = self._due_invoice(1000.0, "2026-03-31", payment_reference="+++090/9337/55493+++")
        with self.mock_mail_gateway():
            self._run("2026-03-26")
            self._run("2026-04-03")
            reminder = self._run("2026-04-15")
        self.assertEqual(reminder.level_id, self.second, "the level that sends a letter")
        html = self._render(LETTER, reminder.ids)
        self._assert_sender(html)
        self.assertIn(invoice.payment_reference, html.split('<div class="page', 1)[1])

    def test_statement_names_its_sender_in_its_body(self):
        self._due_invoice(400.0, "2026-03-31")
        html = self._render(STATEMENT, self.customer.ids)
        self._assert_sender(html)
