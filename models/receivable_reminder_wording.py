"""What the email and the letter may truthfully say about a reminder: whether earlier reminders
were sent for its invoices, and, for a Belgian consumer's free first reminder, the deadline of
the free window and the charges that will apply after it (Code of Economic Law, Book XIX)."""

from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from . import legal_formulas as lf


class ReceivableReminder(models.Model):
    _inherit = "receivable.reminder"

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    previous_reminder_count = fields.Integer(
        string="Earlier Reminders",
        compute="_compute_previous_reminders",
        help="Reminders sent earlier to this customer, by this company, that claimed at least "
        "one of these invoices once it was overdue. Only then do the email and the letter say "
        '"despite our reminders".',
    )
    previous_reminder_date = fields.Date(
        string="Last Earlier Reminder", compute="_compute_previous_reminders"
    )
    has_previous_reminders = fields.Boolean(compute="_compute_previous_reminders")
    free_window_end = fields.Date(
        string="End of the Free Window",
        compute="_compute_free_window",
        help="A Belgian consumer's first reminder is free: charges may only apply after this "
        "day (14 days from the day after the email, or from the 3rd working day after a "
        "letter is posted).",
    )
    free_window_fee = fields.Monetary(
        string="Lump Sum After the Free Window",
        compute="_compute_free_window",
        help="The lump-sum compensation the legal profile will claim on the amounts due once "
        "the free window has passed (per invoice, on the Book XIX scale).",
    )
    free_window_rate = fields.Float(
        string="Interest Rate After the Free Window",
        compute="_compute_free_window",
        help="The late-payment interest rate of the legal profile for the reminder's half-year "
        "(0 when the reference rate is not known).",
    )

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends("partner_id", "company_id", "date", "line_ids.move_id")
    def _compute_previous_reminders(self):
        found = self._get_previous_reminders()
        for reminder in self:
            count, last_date = found.get(reminder.id, (0, False))
            reminder.previous_reminder_count = count
            reminder.previous_reminder_date = last_date
            reminder.has_previous_reminders = bool(count)

    @api.depends(
        "legal_profile_id.interest_start",
        "level_id.offset_days",
        "date",
        "channel_email",
        "channel_letter",
        "line_ids.amount_residual",
        "previous_reminder_count",
    )
    def _compute_free_window(self):
        for reminder in self:
            end = reminder._get_free_window_end()
            reminder.free_window_end = end
            reminder.free_window_fee = reminder._get_free_window_fee() if end else 0.0
            reminder.free_window_rate = reminder._get_free_window_rate() if end else 0.0

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _get_previous_reminders(self):
        """{reminder id: (count, date of the last)} of the earlier reminders of each reminder
        of ``self``, in one query: sent to the same customer by the same company, before it
        (date, then creation order), claiming one of its invoices while it was overdue."""
        reminders = self.filtered("id")  # new records (a form being edited) have no history
        if not reminders:
            return {}
        self.env["receivable.reminder.line"].flush_model(["move_id", "days_late", "reminder_id"])
        self.env["receivable.reminder"].flush_model(["date", "state", "partner_id", "company_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT reminder.id, COUNT(DISTINCT earlier.id), MAX(earlier.date)
                  FROM receivable_reminder reminder
                  JOIN receivable_reminder_line line ON line.reminder_id = reminder.id
                  JOIN receivable_reminder_line earlier_line
                       ON earlier_line.move_id = line.move_id AND earlier_line.days_late > 0
                  JOIN receivable_reminder earlier ON earlier.id = earlier_line.reminder_id
                 WHERE reminder.id = ANY(%s)
                   AND earlier.state = 'sent'
                   AND earlier.partner_id = reminder.partner_id
                   AND earlier.company_id = reminder.company_id
                   AND (earlier.date, earlier.id) < (reminder.date, reminder.id)
              GROUP BY reminder.id
                """,
                reminders.ids,
            )
        )
        return {reminder_id: (count, last_date) for reminder_id, count, last_date in rows}

    def _is_free_first_reminder(self):
        """A Belgian consumer's first reminder after the due date: free, it opens the window
        after which the charges apply."""
        self.ensure_one()
        return (
            self.legal_profile_id.interest_start == "free_window"
            and self.level_id.offset_days > 0
            and not self.previous_reminder_count
        )

    def _get_free_window_end(self):
        """Last day of the free window this reminder opens, or False. Counted from the
        reminder's date, as the charges computation counts it (``_interest_start_date``)."""
        self.ensure_one()
        if not self.date or not self._is_free_first_reminder():
            return False
        by_letter = self.channel_letter and not self.channel_email
        holidays = self.legal_profile_id._public_holidays() if by_letter else ()
        _start, end = lf.be_b2c_window(self.date, by_letter, holidays)
        return end

    def _get_free_window_fee(self):
        """The lump sum the profile will claim after the window: per invoice, on all it owes,
        as ``_compute_charges`` claims it."""
        self.ensure_one()
        owed = defaultdict(float)
        for line in self.line_ids:
            owed[line.move_id] += line.amount_residual
        profile = self.legal_profile_id
        return sum(profile._fee_for(amount) for amount in owed.values() if amount > 0)

    def _get_free_window_rate(self):
        """The profile's interest rate of the reminder's half-year; 0 when unknown."""
        self.ensure_one()
        rate_for = self.legal_profile_id._rate_functions(self.policy_id)
        if not rate_for:
            return 0.0
        return rate_for(lf.half_year_start(self.date)) or 0.0

    def _format_rate(self, rate):
        """``rate`` as the reader's language writes a number with two decimals (12,50)."""
        return formatLang(self.env, rate, digits=2)
