"""Letters to Post: the letters of sent reminders wait to be printed and posted; a Credit
Controller prints them as one PDF and records their posting (date, registered or not, tracking
number). Only a letter recorded as posted by registered mail says "Registered letter"."""

from markupsafe import Markup

from odoo import Command
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import format_date

from .receivable_reminder import LETTER_REPORT

POST_STATES = [("to_post", "To Post"), ("posted", "Posted")]


class ReceivableReminder(models.Model):
    _inherit = "receivable.reminder"

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    post_state = fields.Selection(
        POST_STATES,
        string="Posting",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The letter of a sent reminder waits in Letters to Post until its posting is "
        "recorded.",
    )
    post_date = fields.Date(string="Posted On", readonly=True, copy=False)
    post_registered = fields.Boolean(
        string="Registered Letter",
        readonly=True,
        copy=False,
        help="Recorded as posted by registered mail: only then does the letter say so.",
    )
    post_tracking = fields.Char(string="Tracking Number", readonly=True, copy=False)
    posted_by_id = fields.Many2one("res.users", string="Posted By", readonly=True, copy=False)
    letter_registered = fields.Boolean(
        related="level_id.letter_registered", string="To Send Registered"
    )

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _mark_sent(self, mail=None):
        # A letter that goes out waits in Letters to Post until someone posts it.
        result = super()._mark_sent(mail)
        if self.channel_letter and not self.post_state:
            self._write_engine({"post_state": "to_post"})
        return result

    def _check_letters_to_post(self):
        """UserError naming the reminders of ``self`` whose letter is not waiting to be posted:
        already posted, or no letter sent."""
        posted = self.filtered(lambda r: r.post_state == "posted")
        if posted:
            raise UserError(
                self.env._(
                    "These letters were already recorded as posted: %s",
                    ", ".join(posted.mapped("name")),
                )
            )
        no_letter = self.filtered(lambda r: r.post_state != "to_post")
        if no_letter:
            raise UserError(
                self.env._(
                    "These reminders have no letter to post (not sent, or without a letter): %s",
                    ", ".join(no_letter.mapped("name")),
                )
            )

    def _lock_for_posting(self):
        """Lock the reminders and read their posting again: two controllers marking the same
        letters at once record the posting once, the second one is refused."""
        self.flush_model(["post_state"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM receivable_reminder WHERE id IN %s ORDER BY id FOR UPDATE",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["post_state"])

    def _mark_posted(self, post_date, registered, trackings):
        """Record the posting of the letters of ``self`` (``trackings``: {reminder id: tracking
        number}), logged on each reminder and in its customer's chatter. All or nothing."""
        self._check_posting_input(post_date, registered, trackings)
        self._lock_for_posting()
        self._check_letters_to_post()
        for reminder in self._as_engine():
            tracking = (trackings.get(reminder.id) or "").strip() if registered else ""
            reminder.write(
                {
                    "post_state": "posted",
                    "post_date": post_date,
                    "post_registered": registered,
                    "post_tracking": tracking or False,
                    "posted_by_id": self.env.user.id,
                }
            )
            reminder._log_posting()

    def _check_posting_input(self, post_date, registered, trackings):
        if not post_date:
            raise UserError(self.env._("Enter the date the letters were posted."))
        if post_date > fields.Date.context_today(self):
            raise UserError(
                self.env._(
                    "The posting date %s is in the future: record the posting once the letters "
                    "are posted.",
                    format_date(self.env, post_date),
                )
            )
        too_early = self.filtered(lambda r: r.date and post_date < r.date)
        if too_early:
            raise UserError(
                self.env._(
                    "The posting date is before the date of these reminders: %s",
                    ", ".join(too_early.mapped("name")),
                )
            )
        if registered:
            untracked = self.filtered(lambda r: not (trackings.get(r.id) or "").strip())
            if untracked:
                raise UserError(
                    self.env._(
                        "A registered letter needs its tracking number: enter the Tracking "
                        "Number of %s.",
                        ", ".join(untracked.mapped("name")),
                    )
                )

    def _log_posting(self):
        self.ensure_one()
        date = format_date(self.env, self.post_date)
        if self.post_registered:
            text = self.env._(
                "Letter posted on %(date)s by registered mail, tracking number %(tracking)s.",
                date=date,
                tracking=self.post_tracking,
            )
        else:
            text = self.env._("Letter posted on %s by ordinary mail.", date)
        self.message_post(body=Markup("<p>%s</p>") % text, subtype_xmlid="mail.mt_note")
        self.partner_id._post_dunning_note(text, self)

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_print_letters(self):
        """The letters of the selected reminders in one PDF, rendered now: a letter recorded
        as posted by registered mail carries the mention and its tracking number."""
        self.check_access("write")
        no_letter = self.filtered(lambda r: not r.channel_letter)
        if no_letter:
            raise UserError(
                self.env._(
                    "These reminders have no letter to print: %s",
                    ", ".join(no_letter.mapped("name")),
                )
            )
        return self.env.ref(LETTER_REPORT).report_action(self)

    def action_mark_posted(self):
        """Open the wizard recording the posting of the selected letters."""
        self.check_access("write")
        self._check_letters_to_post()
        wizard = self.env["receivable.letter.post.wizard"].create(
            {
                "registered": all(self.mapped("letter_registered")),
                "line_ids": [Command.create({"reminder_id": reminder.id}) for reminder in self],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark Posted"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
