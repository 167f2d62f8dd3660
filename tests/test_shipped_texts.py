import hashlib
import importlib.util
import re

from odoo import SUPERUSER_ID
from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import ReceivableCommon

MODULE = "account_receivable_control"
OLD_NOTICE_BODY = (
    "<div><p>Despite our reminders, the invoices listed below remain unpaid.</p>"
    "<p>This formal notice is also sent to you by registered letter.</p></div>"
)
OLD_SECOND_TEXT = "<p>Despite our previous reminder, the invoices below are still unpaid.</p>"
LOGGER = "odoo.addons.account_receivable_control.models.shipped_texts"
# The account page button of 19.0.1.3.0 in the templates' stored bodies, with the indentation
# of the next element (the only change of their bodies since 19.0.1.2.0).
PORTAL_BUTTON = re.compile(r'<p name="account_portal_link".*?</p>\n    ', re.S)


class ShippedTextsCommon(ReceivableCommon):
    """Shipped texts put back as an older version left them, run as a migration runs."""

    def setUp(self):
        super().setUp()
        # as the migration runs: the superuser (the shared set-up works as an accountant)
        self.env = self.env(user=SUPERUSER_ID, su=True)
        self.todos_before = self._review_todo()

    def _ship_old(self, xmlid, field_name, old_value, user=None):
        """Put ``xmlid`` back as an older version shipped it (written by the superuser, as an
        install does), or as ``user`` edited it; returns the migration's entry for it."""
        record = self.env.ref(f"{MODULE}.{xmlid}").with_context(lang="en_US")
        writer = record.with_user(user).sudo() if user else record
        writer.write({field_name: old_value})
        self.assertEqual(record.write_uid, user or self.env.ref("base.user_root"))
        digest = hashlib.sha256(str(record[field_name]).encode()).hexdigest()
        return {xmlid: (field_name, digest)}

    def _reset(self, old_texts, edited_xmlids=()):
        return self.env["receivable.shipped.texts"]._reset_unedited_shipped_texts(
            old_texts, edited_xmlids
        )

    def _review_todo(self):
        todos = self.env["mail.activity"].search(
            [("summary", "=", "Review the reminder texts edited by hand")]
        )
        return todos - getattr(self, "todos_before", todos.browse())


@tagged("post_install", "-at_install")
class TestShippedTexts(ShippedTextsCommon):
    """A database installed before issue 14 keeps the reminder texts of its install (noupdate):
    the 19.0.1.2.0 migration reloads those nobody edited and keeps, names and hands to a
    Credit Manager those a person edited."""

    def test_untouched_template_gets_the_true_wording(self):
        old = self._ship_old("mail_template_formal_notice", "body_html", OLD_NOTICE_BODY)
        with self.assertNoLogs(LOGGER, "WARNING"):
            reset, edited = self._reset(old)
        template = self.env.ref(f"{MODULE}.mail_template_formal_notice")
        self.assertEqual((reset, edited), ([template], []))
        body = str(template.with_context(lang="en_US").body_html)
        self.assertIn("account_receivable_control.reminder_credits_block", body)
        self.assertIn('t-if="object.post_registered"', body)
        self.assertNotIn("This formal notice is also sent to you by registered letter.", body)
        self.assertFalse(self._review_todo())

    def test_template_edited_by_a_person_is_kept_and_reported(self):
        old = self._ship_old(
            "mail_template_formal_notice", "body_html", OLD_NOTICE_BODY, user=self.manager
        )
        template = self.env.ref(f"{MODULE}.mail_template_formal_notice")
        with self.assertLogs(LOGGER, "WARNING") as logs:
            reset, edited = self._reset(old)
        self.assertEqual((reset, edited), ([], [template]))
        self.assertIn("registered letter", str(template.with_context(lang="en_US").body_html))
        self.assertEqual(len(logs.output), 1)
        self.assertIn("edited by hand: reset them from Email Templates", logs.output[0])
        self.assertIn(template.display_name, logs.output[0])
        todo = self._review_todo()
        self.assertEqual(len(todo), 1)
        self.assertIn(template.display_name, str(todo.note))
        self.assertTrue(todo.user_id.has_group(f"{MODULE}.group_credit_manager"))

    def test_text_changed_since_shipped_is_kept_whoever_wrote_it(self):
        # written as the superuser (an earlier update, superuser mode), yet not the shipped text
        old = self._ship_old("mail_template_formal_notice", "body_html", OLD_NOTICE_BODY)
        template = self.env.ref(f"{MODULE}.mail_template_formal_notice")
        template.with_context(lang="en_US").body_html = "<p>Our own formal notice</p>"
        with self.assertLogs(LOGGER, "WARNING"):
            reset, edited = self._reset(old)
        self.assertEqual((reset, edited), ([], [template]))
        self.assertIn("Our own formal notice", str(template.body_html))

    def test_untouched_levels_lose_the_untrue_sentence_edited_ones_keep_theirs(self):
        old = {
            **self._ship_old("level_b2b_second", "letter_text", OLD_SECOND_TEXT),
            **self._ship_old("level_key_second", "letter_text", OLD_SECOND_TEXT),
            # its write_uid read by the pre-migration script, before the update rewrote it
            **self._ship_old("level_b2c_second", "letter_text", OLD_SECOND_TEXT),
        }
        key_second = self.env.ref(f"{MODULE}.level_key_second")
        key_second.letter_text = "<p>Despite our call, please pay.</p>"
        with self.assertLogs(LOGGER, "WARNING") as logs:
            reset, edited = self._reset(old, edited_xmlids={"level_b2c_second"})
        b2b_second = self.env.ref(f"{MODULE}.level_b2b_second")
        b2c_second = self.env.ref(f"{MODULE}.level_b2c_second")
        self.assertEqual((reset, edited), ([b2b_second], [key_second, b2c_second]))
        self.assertEqual(
            str(b2b_second.letter_text),
            "<p>Please pay the invoices below without delay. Without payment by the date below, "
            "we will send a formal notice and may suspend deliveries.</p>",
        )
        self.assertEqual(str(key_second.letter_text), "<p>Despite our call, please pay.</p>")
        self.assertEqual(str(b2c_second.letter_text), OLD_SECOND_TEXT)
        self.assertIn(key_second.display_name, logs.output[0])

    def test_text_already_current_is_neither_reset_nor_reported(self):
        # a database installed with the true wording, its version number still the older one
        level = self.env.ref(f"{MODULE}.level_b2b_formal_notice")
        level.with_user(self.manager).sudo().name = "Mise en demeure"  # another field edited
        with self.assertNoLogs(LOGGER, "WARNING"):
            reset, edited = self._reset({"level_b2b_formal_notice": ("letter_text", "0" * 64)})
        self.assertEqual((reset, edited), ([], []))
        self.assertEqual(level.name, "Mise en demeure")
        self.assertFalse(self._review_todo())


@tagged("post_install", "-at_install")
class TestShippedTextsPortalLink(ShippedTextsCommon):
    """19.0.1.3.0 adds the account page button to the reminder emails (issue 16): its
    migration scripts, run as an update runs them, on templates as 19.0.1.2.0 shipped them."""

    def _migration_script(self, name):
        path = file_path(f"{MODULE}/migrations/19.0.1.3.0/{name}.py")
        spec = importlib.util.spec_from_file_location(f"arc_migration_1_3_{name}", path)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        return script

    def _ship_1_2(self, xmlid, user=None):
        """``xmlid`` back as 19.0.1.2.0 shipped it: its body without the button."""
        template = self.env.ref(f"{MODULE}.{xmlid}").with_context(lang="en_US")
        old_body, found = PORTAL_BUTTON.subn("", str(template.body_html))
        self.assertEqual(found, 1, xmlid)
        return self._ship_old(xmlid, "body_html", old_body, user=user)

    def _migrate(self):
        self.env.flush_all()  # the scripts read the tables
        self._migration_script("pre-migrate").migrate(self.env.cr, "19.0.1.2.0")
        self._migration_script("post-migrate").migrate(self.env.cr, "19.0.1.2.0")
        self.env.invalidate_all()

    def test_1_3_untouched_templates_get_the_button_the_edited_one_is_kept(self):
        old_texts = self._migration_script("post-migrate").OLD_TEXTS
        edited_xmlid = "mail_template_formal_notice"
        for xmlid in old_texts:
            old = self._ship_1_2(xmlid, user=self.manager if xmlid == edited_xmlid else None)
            # the digests of the script are those of the bodies 19.0.1.2.0 shipped
            self.assertEqual(old[xmlid], old_texts[xmlid], xmlid)
        with self.assertLogs(LOGGER, "WARNING") as logs:
            self._migrate()
        for xmlid in old_texts:
            body = str(self.env.ref(f"{MODULE}.{xmlid}").with_context(lang="en_US").body_html)
            if xmlid == edited_xmlid:
                self.assertNotIn("See my account, pay or answer online", body)
            else:
                self.assertIn("See my account, pay or answer online", body, xmlid)
                self.assertIn('t-att-href="object._get_account_portal_url()"', body, xmlid)
        edited = self.env.ref(f"{MODULE}.{edited_xmlid}")
        self.assertEqual(len(logs.output), 1)
        self.assertIn(edited.display_name, logs.output[0])
        todo = self._review_todo()
        self.assertEqual(len(todo), 1)
        self.assertIn(edited.display_name, str(todo.note))
        self.assertIn("a button to the customer's account page", str(todo.note))

    def test_1_3_templates_already_holding_the_button_are_left_alone(self):
        # installed with 19.0.1.3.0, or brought up to date by the 19.0.1.2.0 migration of the
        # same update: nothing to reset, nothing to report
        with self.assertNoLogs(LOGGER, "WARNING"):
            self._migrate()
        self.assertFalse(self._review_todo())
