"""The reminders lead to the customer's account page on the portal (issue 16): each reminder
email and the email of a missed instalment carry a button to its signed link, the letter prints
the link; the link opens the page in the reader's language. A browser tour follows the link of
a sent email as a visitor who is not logged in and promises to pay an overdue invoice."""

from datetime import timedelta
from urllib.parse import urlsplit

from lxml import html

from odoo import Command
from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import tagged

from ..models.receivable_reminder import LETTER_REPORT
from .common import DunningCommon

BUTTON = "See my account, pay or answer online"
LETTER_SENTENCE = "You can also see your account, pay or answer us online at:"


class PortalLinkCommon(DunningCommon):
    def _mail(self, record):
        # sudo: outgoing mails are reserved to administrators.
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", record._name), ("res_id", "=", record.id)])
        )

    def _button_link(self, mail):
        """The address of the email's account page button (the one link with its text)."""
        self.assertEqual(len(mail), 1)
        links = html.fromstring(mail.body_html).xpath("//a[normalize-space() = $text]", text=BUTTON)
        self.assertEqual(len(links), 1, f"one account page button in {mail.subject}")
        return links[0].get("href")


@tagged("post_install", "-at_install")
class TestReminderPortalLinks(PortalLinkCommon):
    def test_every_reminder_email_and_the_letter_link_to_the_account_page(self):
        due = fields.Date.to_date("2026-03-01")
        self._due_invoice(400.0, due)
        url = self.customer._get_receivable_portal_url()
        self.assertIn("/my/receivables?pid=", url)
        for days, level in (
            (-5, self.friendly),
            (4, self.first),
            (15, self.second),
            (30, self.notice),
        ):
            reminder = self._run(due + timedelta(days=days))
            self.assertEqual(reminder.level_id, level)
            self.assertEqual(self._button_link(self._mail(reminder)), url, level.name)
            if level.channel_letter:
                letter = reminder.letter_attachment_id.raw.decode()
                self.assertIn(LETTER_SENTENCE, letter, level.name)
                self.assertIn(f">{url.replace('&', '&amp;')}</a>", letter, "the URL printed")

    def test_missed_instalment_email_links_to_the_account_page(self):
        invoice = self._due_invoice(900.0, "2026-03-01")
        with self._frozen("2026-03-02"):
            plan = self.env["receivable.payment.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "line_ids": [Command.create({"date": "2026-03-10", "amount": 900.0})],
                }
            )
            plan.action_confirm()
        with self._frozen("2026-03-11"):
            plan._check_instalments(fields.Date.to_date("2026-03-11"))
        self.assertEqual(plan.line_ids.state, "missed")
        self.assertEqual(
            self._button_link(self._mail(plan)), self.customer._get_receivable_portal_url()
        )


@tagged("post_install", "-at_install")
class TestPortalLinkFollowed(PortalLinkCommon, HttpCase):
    def _next_evaluation(self, date):
        return self.engine._evaluate(self.company, date, [self.customer.id])

    def test_visitor_follows_the_reminder_link_and_promises_to_pay(self):
        # The browser promises ten days from its today: the invoices fall due relative to
        # today, so that they are late whatever the day the test runs.
        today = fields.Date.today()
        late = self._due_invoice(400.0, today - timedelta(days=10))
        reminder = self._run(today)
        self.assertEqual(reminder.level_id, self.first)
        next_run = today + timedelta(days=10)
        self.assertEqual(
            [proposal["level"] for proposal in self._next_evaluation(next_run)],
            [self.second],
            "without a promise, the second reminder would come next",
        )
        link = self._button_link(self._mail(reminder))
        self.assertTrue(link.startswith(self.base_url()), "a full link, usable from a mailbox")

        self.start_tour(link, "account_receivable_control_portal_promise")

        promise = self.env["receivable.promise"].search([("move_ids", "in", late.ids)])
        self.assertRecordValues(
            promise,
            [
                {
                    "partner_id": self.customer.id,
                    "promise_date": today + timedelta(days=10),
                    "amount": 250.0,
                    "state": "open",
                }
            ],
        )
        self.assertFalse(self._next_evaluation(next_run), "the promised invoice is left out")

    def test_the_link_opens_the_page_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.billing.lang = "fr_FR"
        invoice = self._due_invoice(400.0, "2026-03-01")
        reminder = self._run("2026-03-05")
        link = self._button_link(self._mail(reminder))
        url_code = self.env["res.lang"]._get_data(code="fr_FR").url_code
        self.assertEqual(urlsplit(link).path, f"/{url_code}/my/receivables")
        letter = self.env["ir.actions.report"]._render_qweb_html(LETTER_REPORT, reminder.ids)[0]
        self.assertIn(link.replace("&", "&amp;"), letter.decode(), "the letter's link too")
        page = self.url_open(link)
        self.assertEqual(page.status_code, 200)
        self.assertIn('"bundle_params": {"lang": "fr_FR"}', page.text)
        self.assertIn("Non échu", page.text, "the aging's Not Due, in French")
        self.assertIn(invoice.name, page.text)
        # A reader of the default language, after a visit in French: the page in English.
        self.billing.lang = "en_US"
        page = self.url_open(reminder._get_account_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn('"bundle_params": {"lang": "en_US"}', page.text)
        self.assertIn("Not Due", page.text)
        self.assertIn(invoice.name, page.text)
