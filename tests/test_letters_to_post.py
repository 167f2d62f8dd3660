import ast
import io

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

LETTER = "account_receivable_control.action_report_dunning_letter"
QUEUE = "account_receivable_control.action_receivable_letters_to_post"
TRACKING = "RR123456789BE"


@tagged("post_install", "-at_install")
class TestLettersToPost(DunningCommon, MockEmail):
    """The letters of sent reminders wait in Letters to Post: printed as one PDF, recorded as
    posted (date, registered, tracking number) once, logged on the reminder and the customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The ladder here: the first reminder by email, then the formal notice by email and
        # letter (the second reminder, a letter too, is left out of the queue).
        cls.second.active = False

    def _notice(self, partner=None):
        """A formal notice (email and letter) sent on 31 March 2026 for an invoice 30 days
        late, after its first reminder (email) of 5 March."""
        self._due_invoice(500.0, "2026-03-01", partner=partner)
        with self.mock_mail_gateway():
            self._run("2026-03-05")
            notice = self._run("2026-03-31")
        self.assertEqual(notice.level_id, self.notice)
        return notice

    def _queue(self, user):
        action = self.env["ir.actions.act_window"]._for_xml_id(QUEUE)
        self.assertEqual(action["context"], "{'search_default_to_post': 1}")
        domain = Domain(ast.literal_eval(action["domain"])) & Domain("post_state", "=", "to_post")
        return self.env["receivable.reminder"].with_user(user).search(domain)

    def _letter(self, reminder):
        html, _format = self.env["ir.actions.report"]._render_qweb_html(LETTER, reminder.ids)
        return html.decode()

    def _mark_posted(
        self, reminders, user, registered=None, tracking=None, date="2026-04-01", post_date=None
    ):
        with freeze_time(date):
            action = reminders.with_user(user).action_mark_posted()
            wizard = self.env[action["res_model"]].with_user(user).browse(action["res_id"])
            if registered is not None:
                wizard.registered = registered
            if post_date:
                wizard.post_date = post_date
            for line in wizard.line_ids:
                line.tracking = tracking and f"{tracking}-{line.reminder_id.id}"
            return wizard, wizard.action_confirm()

    def test_queue_lists_letters_not_emails(self):
        notice = self._notice()
        self.assertEqual(notice.post_state, "to_post")
        self.assertTrue(notice.letter_registered, "a formal notice is meant to be registered")
        email_only = self.env["res.partner"].create(
            {"name": "Email Only", "email": "e@example.com", "receivable_policy_id": self.policy.id}
        )
        self._due_invoice(100.0, "2026-03-25", partner=email_only)
        with self.mock_mail_gateway():
            first = self._run("2026-03-31")
        self.assertEqual(first.partner_id, email_only)
        self.assertFalse(first.post_state)
        self.assertEqual(self._queue(self.controller), notice)
        with self.assertRefused(UserError, first.name):
            first.with_user(self.controller).action_mark_posted()

    def test_mark_posted_registered_logged_and_printed(self):
        notice = self._notice()
        self.assertNotIn("Registered letter", self._letter(notice), "nothing recorded yet")
        wizard, _result = self._mark_posted(notice, self.controller, tracking=TRACKING)
        self.assertTrue(wizard.registered, "pre-filled from the level's intention")
        tracking = f"{TRACKING}-{notice.id}"
        self.assertRecordValues(
            notice,
            [
                {
                    "post_state": "posted",
                    "post_date": wizard.post_date,
                    "post_registered": True,
                    "post_tracking": tracking,
                    "posted_by_id": self.controller.id,
                }
            ],
        )
        self.assertIn(tracking, self._last_message(notice))
        self.assertIn("registered mail", self._last_message(notice))
        self.assertIn(tracking, self._last_message(self.customer))
        letter = self._letter(notice)
        self.assertIn("Registered letter", letter)
        self.assertIn(tracking, letter)
        self.assertFalse(self._queue(self.controller), "posted: out of the queue")

    def test_registered_needs_a_tracking_number(self):
        notice = self._notice()
        with self.assertRefused(UserError, f"Tracking Number of {notice.name}"):
            self._mark_posted(notice, self.controller, registered=True, tracking=None)
        self.assertEqual(notice.post_state, "to_post")
        with self.assertRefused(UserError, "in the future"):
            self._mark_posted(notice, self.controller, tracking=TRACKING, post_date="2026-04-02")
        with self.assertRefused(UserError, f"before the date of these reminders: {notice.name}"):
            self._mark_posted(notice, self.controller, tracking=TRACKING, post_date="2026-03-30")
        self.assertEqual(notice.post_state, "to_post")

    def test_ordinary_mail_and_posting_twice_refused(self):
        notice = self._notice()
        self._mark_posted(notice, self.controller, registered=False)
        self.assertRecordValues(
            notice, [{"post_state": "posted", "post_registered": False, "post_tracking": False}]
        )
        self.assertIn("ordinary mail", self._last_message(self.customer))
        self.assertNotIn("Registered letter", self._letter(notice))
        messages = len(notice.message_ids)
        with self.assertRefused(UserError, f"already recorded as posted: {notice.name}"):
            self._mark_posted(notice, self.controller, registered=True, tracking=TRACKING)
        self.assertEqual(len(notice.message_ids), messages)
        self.assertFalse(notice.post_registered)

    def test_a_wizard_opened_twice_records_once(self):
        notice = self._notice()
        with freeze_time("2026-04-01"):
            action = notice.with_user(self.controller).action_mark_posted()
            stale = (
                self.env[action["res_model"]].with_user(self.controller).browse(action["res_id"])
            )
        self._mark_posted(notice, self.manager, registered=False)
        with self.assertRefused(UserError, notice.name), freeze_time("2026-04-01"):
            stale.line_ids.tracking = TRACKING
            stale.action_confirm()
        self.assertEqual(notice.posted_by_id, self.manager)

    def test_print_as_one_pdf(self):
        first = self._notice()
        other = self.env["res.partner"].create(
            {"name": "Other", "email": "o@example.com", "receivable_policy_id": self.policy.id}
        )
        second = self._notice(partner=other)
        letters = first | second
        self._mark_posted(first, self.controller, tracking=TRACKING)
        action = letters.with_user(self.controller).action_print_letters()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "account_receivable_control.report_dunning_letter")
        self.assertEqual(action["context"]["active_ids"], letters.ids, "one report, both letters")
        report = self.env["ir.actions.report"].with_user(self.controller)
        if report.get_wkhtmltopdf_state() == "ok":
            pdf, report_format = report.with_context(force_report_rendering=True)._render_qweb_pdf(
                LETTER, letters.ids
            )
            self.assertEqual(report_format, "pdf")
            self.assertGreaterEqual(len(PdfFileReader(io.BytesIO(pdf)).pages), 2)
        html = self._letter(letters)
        self.assertIn(first.name, html)
        self.assertIn(second.name, html)
        self.assertEqual(html.count("Registered letter"), 1, "only the one recorded registered")

    def test_users_without_the_group_refused(self):
        notice = self._notice()
        internal = self._create_user("arc_internal_post", "base.group_user")
        for user in (internal, self.invoicing_user):
            with self.assertRefused(AccessError, "not allowed"):
                notice.with_user(user).action_print_letters()
            with self.assertRefused(AccessError, "not allowed"):
                notice.with_user(user).action_mark_posted()
            with self.assertRefused(AccessError, "not allowed"):
                self.env["receivable.letter.post.wizard"].with_user(user).create(
                    {"line_ids": [{"reminder_id": notice.id}]}
                )
        other_company = self.setup_other_company()["company"]
        outsider = self._create_user(
            "arc_outsider_post", "account_receivable_control.group_credit_controller", other_company
        )
        self.assertFalse(self._queue(outsider))
        with self.assertRefused(AccessError, "not allowed|unauthorized"):
            notice.with_user(outsider).action_mark_posted()
        self.assertEqual(notice.post_state, "to_post")
