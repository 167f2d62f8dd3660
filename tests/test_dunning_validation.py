from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningValidation(DunningCommon):
    """Bad input gets a clear error and changes nothing."""

    def test_two_levels_with_the_same_offset_are_refused(self):
        with self.assertRefused(ValidationError, "same offset"):
            self.second.offset_days = 3
        self.assertEqual(self.second.offset_days, 15)

    def test_offsets_out_of_order_are_refused(self):
        with self.assertRefused(ValidationError, "must grow with the sequence"):
            self.env["receivable.dunning.level"].create(
                {
                    "policy_id": self.policy.id,
                    "sequence": 25,
                    "name": "Out of order",
                    "offset_days": 40,
                    "channel_letter": True,
                    "channel_email": False,
                }
            )
        self.assertEqual(len(self.policy.dunning_level_ids), 4)

    def test_email_channel_without_template_is_refused(self):
        with self.assertRefused(ValidationError, "choose its email template"):
            self.first.mail_template_id = False
        self.assertTrue(self.first.mail_template_id)

    def test_level_without_channel_is_refused(self):
        with self.assertRefused(ValidationError, "at least one channel"):
            self.first.channel_email = False

    def test_sending_a_cancelled_reminder_is_refused(self):
        self.first.needs_approval = True
        self._due_invoice(300.0, "2026-03-01")
        self._run("2026-03-05")
        reminder = self._reminders()
        reminder.with_user(self.controller).action_cancel()
        with self.assertRefused(UserError, "already sent or cancelled"):
            reminder.with_user(self.controller).action_send()
        self.assertEqual(reminder.state, "cancelled")
        self.assertFalse(reminder.mail_id)

    def test_a_sent_reminder_cannot_be_edited_or_deleted(self):
        self._due_invoice(300.0, "2026-03-01")
        reminder = self._run("2026-03-05")
        with self.assertRefused(UserError, "history: it cannot be changed"):
            reminder.with_user(self.controller).channel_letter = True
        with self.assertRefused(UserError, "history: it cannot be deleted"):
            reminder.with_user(self.manager).unlink()

    def test_dunning_run_sent_in_the_future_is_refused(self):
        with self._frozen("2026-03-05"):
            run = self.env["receivable.dunning.run"].create(
                {"company_ids": self.company.ids, "date": "2026-03-06"}
            )
            run.action_preview()  # a preview at a future date is allowed
            with self.assertRefused(UserError, "future"):
                run.action_send()
