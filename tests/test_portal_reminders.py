"""The customer's account page: the reminders it received (with their letters) and the file it
joins to a dispute."""

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account_receivable_control.models.receivable_portal import MAX_DISPUTE_FILE_SIZE

from .portal_common import PortalCommon

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@tagged("post_install", "-at_install")
class TestPortalReminders(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.first.with_context(lang="fr_FR").name = "Premier rappel"
        cls.customer.lang = "fr_FR"
        cls.other.email = "pay@other.example.com"

    def _send_reminders(self):
        """Today's run: the first reminder of the customer and of the other customer."""
        sent = self._run(fields.Date.to_string(self.today), deliver=False)
        mine = sent.filtered(lambda reminder: reminder.partner_id == self.customer)
        theirs = sent - mine
        self.assertEqual((mine.state, theirs.state), ("sent", "sent"))
        return mine, theirs

    def _letter_url(self, reminder, partner=None):
        url = f"/my/receivables/reminder/{reminder.id}"
        return self._link(partner, url=url) if partner else url

    # ------------------------------------------------------------------------------------------
    # Reminders received
    # ------------------------------------------------------------------------------------------
    def test_portal_user_sees_its_reminders_and_downloads_their_letters(self):
        page_before = self._page(self._link(self.customer))
        self.assertNotIn("Reminders received", page_before, "no reminder yet: no section")
        mine, theirs = self._send_reminders()
        self.authenticate("arc_portal", "arc_portal")
        page = self._page()
        self.assertIn("Reminders received", page)
        row = self._row(page, "reminder-id", mine.id)
        self.assertIn("Premier rappel", row, "the level in the customer's language")
        self.assertIn("300.00", row)
        self.assertIn("Email", row)
        self.assertNotIn("Letter", row)
        self.assertNotIn(f'data-reminder-id="{theirs.id}"', page)

        letter = self.url_open(self._letter_url(mine))
        self.assertEqual(letter.status_code, 200)
        self.assertIn("attachment;", letter.headers["Content-Disposition"])
        self.assertIn(mine.name, letter.text)
        self.assertIn(self.late.name, letter.text)
        # Another customer's reminder, a reminder no longer sent, none: not found.
        for url in (self._letter_url(theirs), "/my/receivables/reminder/999999999"):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn(self.other_invoice.name, response.text)

    def test_token_visitor_gets_the_letter_sent_and_nothing_else(self):
        mine, theirs = self._send_reminders()
        # The letter as it went by post is the one downloaded.
        letter = self.env["ir.attachment"].create(
            {"name": "letter.pdf", "raw": PDF, "res_model": mine._name, "res_id": mine.id}
        )
        mine._write_engine({"letter_attachment_id": letter.id})
        response = self.url_open(self._letter_url(mine, self.customer))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, PDF)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        # The customer's token does not open another's reminder; a wrong token opens nothing.
        self.assertEqual(self.url_open(self._letter_url(theirs, self.customer)).status_code, 404)
        wrong = self._letter_url(mine, self.customer).replace("token=", "token=0")
        self.assertEqual(self.url_open(wrong).status_code, 403)
        self.assertEqual(self.url_open(self._letter_url(mine, self.other)).status_code, 404)
        # Without a login nor a token: the login page.
        response = self.url_open(self._letter_url(mine), allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        # A reminder that is not (or no longer) sent is not shown.
        mine._write_engine({"state": "failed"})
        self.assertEqual(self.url_open(self._letter_url(mine, self.customer)).status_code, 404)
        self.assertNotIn("Reminders received", self._page(self._link(self.customer)))

    # ------------------------------------------------------------------------------------------
    # A file with the dispute
    # ------------------------------------------------------------------------------------------
    def _dispute(self, filename, content, reason="Goods never arrived"):
        self.authenticate("arc_portal", "arc_portal")
        page = self._page()
        return self._post(
            "/my/receivables/dispute",
            page,
            files={"attachment": (filename, content, "application/octet-stream")},
            move_id=self.late.id,
            reason=reason,
        )

    def _files_of(self, move):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )

    def test_dispute_with_a_file(self):
        files_before = self._files_of(self.late)
        after = self._dispute("delivery note.pdf", PDF)
        self.assertIn("the invoice is in dispute", self._message(after))
        self.assertTrue(self.late.receivable_dispute)
        proof = self._files_of(self.late) - files_before
        self.assertRecordValues(
            proof, [{"name": "delivery note.pdf", "mimetype": "application/pdf"}]
        )
        self.assertEqual(proof.raw, PDF)
        invoice_note = self.late.message_ids.filtered(lambda m: "Goods never arrived" in m.body)
        customer_note = self.customer.message_ids.filtered(
            lambda m: "Goods never arrived" in m.body
        )
        self.assertEqual(invoice_note.attachment_ids, proof, "shown in the invoice's chatter")
        self.assertEqual(customer_note.attachment_ids, proof, "and in the customer's")

    def test_refused_files_change_nothing(self):
        files_before = self._files_of(self.late)
        too_big = PDF + b"0" * (MAX_DISPUTE_FILE_SIZE + 1 - len(PDF))
        cases = [
            ("big.pdf", too_big, "too big: 10 MB at most"),
            ("empty.pdf", b"", "is empty"),
            ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200, "cannot be sent"),
            ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200, "cannot be sent"),
            ("run.txt", b"#!/bin/sh\nrm -rf /\n", "cannot be sent"),
            ("page.html", b"<html><body>Hi</body></html>", "cannot be sent"),
            ("notes.txt", PDF, "cannot be sent"),
        ]
        for filename, content, expected in cases:
            after = self._dispute(filename, content)
            self.assertIn(expected, self._message(after), filename)
            self.assertNotIn("In dispute", after, filename)
        self.assertFalse(self.late.receivable_dispute)
        self.assertEqual(self._files_of(self.late), files_before)
        self.assertFalse(
            self.late.message_ids.filtered(lambda m: "Goods never arrived" in (m.body or ""))
        )
        # No file chosen: the dispute goes without one.
        after = self._dispute("", b"")
        self.assertIn("the invoice is in dispute", self._message(after))
        self.assertEqual(self._files_of(self.late), files_before)
