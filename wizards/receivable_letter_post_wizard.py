from odoo import fields
from odoo import models


class ReceivableLetterPostWizard(models.TransientModel):
    """Record the posting of letters: the date, registered or not, a tracking number per
    registered letter. Pre-filled from the levels' intention (``letter_registered``)."""

    _name = "receivable.letter.post.wizard"
    _description = "Mark Letters Posted"

    post_date = fields.Date(string="Posted On", required=True, default=fields.Date.context_today)
    registered = fields.Boolean(
        string="Registered Mail",
        help="The letters were posted by registered mail: each needs its tracking number, and "
        "the letter printed from now on says it is a registered letter.",
    )
    line_ids = fields.One2many("receivable.letter.post.wizard.line", "wizard_id", string="Letters")

    def action_confirm(self):
        self.ensure_one()
        reminders = self.line_ids.reminder_id
        reminders.check_access("write")
        reminders._mark_posted(
            self.post_date,
            self.registered,
            {line.reminder_id.id: line.tracking for line in self.line_ids},
        )
        return {"type": "ir.actions.act_window_close"}

    def action_confirm_and_print(self):
        """Record the posting, then print the letters: registered ones carry the mention."""
        self.action_confirm()
        return self.line_ids.reminder_id.action_print_letters()


class ReceivableLetterPostWizardLine(models.TransientModel):
    _name = "receivable.letter.post.wizard.line"
    _description = "Letter to Mark Posted"

    wizard_id = fields.Many2one("receivable.letter.post.wizard", required=True, ondelete="cascade")
    reminder_id = fields.Many2one("receivable.reminder", string="Reminder", required=True)
    partner_id = fields.Many2one(related="reminder_id.partner_id")
    recipient_id = fields.Many2one(related="reminder_id.recipient_id")
    tracking = fields.Char(string="Tracking Number")
