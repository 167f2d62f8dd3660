import base64
import io
import json
import re
from html import unescape

import openpyxl
from freezegun import freeze_time

from odoo.tests import new_test_user
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import MANAGER
from .common import DunningCommon
from .common import ReceivableCommon

AS_OF = "2025-03-31"
REPORT = "account_receivable_control.action_report_customer_statement"

# Already translated in i18n/fr.po and i18n/nl.po (code terms, read from the files).
NOT_DUE = {"en_US": "Not Due", "fr_FR": "Non échu", "nl_BE": "Niet vervallen"}


class ReaderLanguageCommon(ReceivableCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["res.lang"]._activate_lang("nl_BE")
        cls.env.user.lang = "en_US"


@tagged("post_install", "-at_install")
class TestStatementReaderLanguage(ReaderLanguageCommon):
    """The statement is in its customer's language, whoever prints it: bucket labels too.

    At 2025-03-31 the Brasserie (French) owes 500 (75 days late) and 200 (not due); the
    Stadscafé (Dutch) owes 700 (120 days late).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"lang": "fr_FR", "email": "info@brasserie-dupont.example.com"})
        cls.stadscafe = cls.env["res.partner"].create(
            {"name": "Stadscafé", "is_company": True, "lang": "nl_BE"}
        )
        cls._due_invoice(500.0, "2025-01-15", invoice_date="2024-12-16")
        cls._due_invoice(200.0, "2025-04-30", invoice_date="2025-03-31")
        cls._due_invoice(700.0, "2024-12-01", invoice_date="2024-11-01", partner=cls.stadscafe)

    def _statement_html(self, partners):
        with freeze_time(AS_OF):
            html, _type = (
                self.env["ir.actions.report"]
                .with_user(self.controller)
                ._render_qweb_html(REPORT, partners.ids)
            )
        return html.decode() if isinstance(html, bytes) else html

    def _aging_headers(self, html):
        """The header cells of each aging summary of ``html``, in the order of the documents."""
        tables = re.findall(r'<table[^>]*name="aging_summary".*?</thead>', html, re.S)
        return [
            [
                unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                for cell in re.findall(r"<th.*?</th>", t, re.S)
            ]
            for t in tables
        ]

    def test_statement_of_a_french_customer_printed_by_an_english_user(self):
        self.assertEqual(self.controller.lang, "en_US")
        html = self._statement_html(self.customer)
        self.assertIn('data-oe-lang="fr_FR"', html)
        [headers] = self._aging_headers(html)
        self.assertEqual(headers, ["Non échu", "1-30", "31-60", "61-90", "> 90", "Total"])
        self.assertNotIn("Not Due", html)
        self.assertIn("15/01/2025", html, "dates in the French format")

    def test_one_pdf_of_customers_in_two_languages(self):
        html = self._statement_html(self.customer | self.stadscafe)
        french, dutch = self._aging_headers(html)
        self.assertEqual(french[0], NOT_DUE["fr_FR"])
        self.assertEqual(dutch[0], NOT_DUE["nl_BE"])
        self.assertNotIn("Not Due", html)

    def test_statement_sent_by_email_is_in_the_customer_language(self):
        action = self.customer.with_user(self.controller).action_send_statement()
        with freeze_time(AS_OF):
            composer = (
                self.env["mail.compose.message"]
                .with_user(self.controller)
                .with_context(action["context"])
                .create({})
            )
            composer._action_send_mail()
        attachment = self.customer.message_ids.sorted("id")[-1].attachment_ids
        # In tests the PDF is rendered as HTML.
        [headers] = self._aging_headers(attachment.raw.decode())
        self.assertEqual(headers[0], NOT_DUE["fr_FR"])


@tagged("post_install", "-at_install")
class TestHoldReasonReaderLanguage(ReaderLanguageCommon):
    """A hold stores the facts of its reason and says them in the language of who reads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.french_manager = new_test_user(
            cls.env,
            login="arc_manager_fr",
            groups=MANAGER,
            company_id=cls.company.id,
            lang="fr_FR",
        )

    def _read_in_french(self, records):
        """``records`` as the French manager reads them (the web client sends its language)."""
        return records.with_user(self.french_manager).with_context(lang="fr_FR")

    def _hold_by_the_cron(self):
        """The nightly hold (one batch of it), run in English: 32 days past due, 70.00
        overdue."""
        with freeze_time("2026-01-01"):
            self._due_invoice(100.0, "2026-01-10", invoice_date="2026-01-01")
            self._due_invoice(30.0, "2026-01-05", invoice_date="2025-12-20", move_type="out_refund")
        with freeze_time("2026-02-11"):
            self.env.flush_all()
            self.env.invalidate_all()  # a new day: the cron's fresh cache
            partners = self.env["res.partner"].with_context(lang="en_US")
            partners._select_partners_to_refresh()._refresh_credit_hold()
        self.assertTrue(self.customer.credit_on_hold)

    def test_cron_hold_reason_reads_in_french(self):
        self._hold_by_the_cron()
        # Stored as facts, not as an English sentence.
        self.assertFalse(self.customer.credit_hold_reason)
        [(code, params)] = json.loads(self.customer.credit_hold_reason_data)
        self.assertEqual(code, "overdue")
        self.assertEqual((params["days"], params["amount"], params["max"]), (32, 70.0, 30))

        english = self.customer.credit_hold_reason_display
        self.assertIn("32 days past due ($\xa070.00 overdue)", english)
        french = self._read_in_french(self.customer).credit_hold_reason_display
        self.assertIn("32 jours de retard", french)
        self.assertIn("70,00", french, "the amount in the French format")
        self.assertNotIn("days past due", french)
        # A contact shows its company's reason.
        self.assertEqual(self.contact.with_context(lang="fr_FR").credit_hold_reason_display, french)

        # The hold wizard and the posting warning say it in the reader's language too.
        wizard = (
            self.env["receivable.credit.hold.wizard"]
            .with_user(self.french_manager)
            .with_context(lang="fr_FR")
            .create({"partner_id": self.customer.id, "action": "release"})
        )
        self.assertEqual(wizard.current_reason, french)
        [(code, message)] = [
            breach
            for breach in self._read_in_french(self.customer)._get_credit_breaches()
            if breach[0] == "hold"
        ]
        self.assertIn("est en blocage crédit", message)
        self.assertIn("32 jours de retard", message)

    def test_manual_reason_kept_as_typed(self):
        self.env["receivable.credit.hold.wizard"].with_user(self.french_manager).create(
            {"partner_id": self.customer.id, "action": "hold", "reason": "Faillite annoncée"}
        ).action_confirm()
        self.assertEqual(self.customer.credit_hold_reason, "Faillite annoncée")
        self.assertFalse(self.customer.credit_hold_reason_data)
        self.assertEqual(self.customer.credit_hold_reason_display, "Faillite annoncée")
        self.assertEqual(
            self._read_in_french(self.customer).credit_hold_reason_display,
            "Faillite annoncée",
        )

    def test_sentence_stored_by_an_earlier_version_still_shows(self):
        self.customer.write(
            {
                "credit_on_hold": True,
                "credit_hold_origin": "auto",
                "credit_hold_reason": "Brasserie Dupont has an invoice 45 days past due.",
            }
        )
        self.assertEqual(
            self._read_in_french(self.customer).credit_hold_reason_display,
            "Brasserie Dupont has an invoice 45 days past due.",
        )

    def test_risk_and_dunning_reasons_read_in_french(self):
        level = self.env["receivable.dunning.level"].create(
            {
                "policy_id": self.policy.id,
                "name": "Formal notice",
                "offset_days": 30,
                "channel_email": False,
                "channel_letter": True,
            }
        )
        level.with_context(lang="fr_FR").name = "Mise en demeure"
        self.customer._put_on_credit_hold(
            [
                ("risk_class", {"letter": "E", "score": 85.5, "hold": "D"}),
                ("dunning_level", {"level_id": level.id, "level": "Formal notice"}),
            ],
            origin="auto",
        )
        english = self.customer.credit_hold_reason_display
        self.assertIn("Risk class E (score 85.50) reached the hold class D.", english)
        self.assertIn("Dunning level 'Formal notice' reached.", english)
        french = self._read_in_french(self.customer).credit_hold_reason_display
        self.assertIn("La classe de risque E (score 85,50) a atteint la classe de", french)
        self.assertIn("Niveau de relance 'Mise en demeure' atteint.", french)
        # The level deleted since: its name at hold time.
        level.unlink()
        self.assertIn(
            "Niveau de relance 'Formal notice' atteint.",
            self._read_in_french(self.customer).credit_hold_reason_display,
        )


@tagged("post_install", "-at_install")
class TestClaimFileReaderLanguage(DunningCommon, MockEmail):
    def test_claim_file_in_the_agency_language(self):
        """The claim file handed over by the (English) nightly run is read by a French
        agency: its sheets, labels, dates and reminder history are in French."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env.user.lang = "en_US"
        self.policy.agency_id = self.env["res.partner"].create(
            {"name": "Recouvrement SA", "is_collection_agency": True, "lang": "fr_FR"}
        )
        self.first.hand_to_agency = True
        self._due_invoice(300.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
        attachment = reminder.claim_attachment_id
        self.assertTrue(attachment.name.startswith("Créance "), attachment.name)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        self.assertEqual(book.sheetnames, ["Débiteur", "Factures", "Relances"])
        invoices = book["Factures"]
        self.assertEqual(invoices["C2"].value, "01/03/2026", "due date in the French format")
        history = book["Relances"]
        self.assertEqual(history["A2"].value, "05/03/2026")
        self.assertIn("e-mail à", history["D2"].value)
