from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_amount
from odoo.tools import format_date

from .company_check import company_suspects
from .engine_mark import has_engine_mark
from .receivable_reminder import HISTORY_STATES
from .receivable_reminder import OPEN_STATES
from .receivable_reminder import REVIEW_STATES


class ReceivableReminderLine(models.Model):
    """An invoice listed on a reminder, with the amounts as they were claimed."""

    _name = "receivable.reminder.line"
    _description = "Payment Reminder Line"
    _order = "reminder_id, date_due, id"
    _check_company_auto = True

    reminder_id = fields.Many2one(
        "receivable.reminder", required=True, ondelete="cascade", index=True, check_company=True
    )
    # Plain fields set by the engine, not related ones: the nightly run creates lines by the
    # hundred thousand and a related field would be computed for each.
    company_id = fields.Many2one("res.company", required=True, index=True)
    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", required=True, index=True, check_company=True
    )
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, index=True, check_company=True
    )
    level_id = fields.Many2one(
        "receivable.dunning.level",
        string="Level",
        help="The level this invoice reached with this reminder; empty when it is listed for "
        "information only.",
        check_company=True,
    )
    date_due = fields.Date(string="Due Date")
    days_late = fields.Integer(string="Days Late")
    currency_id = fields.Many2one("res.currency", required=True)
    amount_total = fields.Monetary(string="Invoice Total")
    amount_residual = fields.Monetary(string="Amount Due")
    document_currency_id = fields.Many2one("res.currency", string="Invoice Currency")
    amount_residual_currency = fields.Monetary(
        string="Amount Due (Invoice Currency)", currency_field="document_currency_id"
    )
    interest_rate = fields.Float(string="Interest Rate (%)", digits=(6, 3))
    interest_amount = fields.Monetary(string="Late Interest")
    fee_amount = fields.Monetary(string="Recovery Fee")
    # How the interest was reckoned, for the letter and the controller.
    amount_paid_late = fields.Monetary(
        string="Paid Late",
        help="Parts of the invoice paid after the due date: each bears interest up to its "
        "payment date.",
    )
    interest_date_from = fields.Date(
        string="Interest From",
        help="First day of the interest claimed: the day after the due date, or after the last "
        "period of interest already invoiced.",
    )
    charges_invoiced_until = fields.Date(
        string="Charges Invoiced Until",
        help="Interest up to this day was invoiced already: it is not claimed again, nor is a "
        "recovery fee already invoiced.",
    )
    interest_rate_raised = fields.Boolean(
        string="Rate Raised to the Legal Minimum",
        help="The contract rate was below three times the French legal interest rate of a "
        "half-year: that minimum applied instead.",
    )
    charges_explanation = fields.Text(
        string="How the Charges Were Reckoned", compute="_compute_charges_explanation"
    )

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends_context("lang")
    @api.depends(
        "amount_paid_late",
        "charges_invoiced_until",
        "interest_rate_raised",
        "interest_amount",
        "currency_id",
    )
    def _compute_charges_explanation(self):
        """How the interest of the line was reckoned, in the reader's language (the letter and
        the email are rendered in the customer's)."""
        for line in self:
            notes = []
            if line.amount_paid_late and line.interest_amount:
                notes.append(
                    self.env._(
                        "Interest includes %(amount)s paid late, each part from the day after "
                        "the due date to its payment date.",
                        amount=format_amount(self.env, line.amount_paid_late, line.currency_id),
                    )
                )
            if line.charges_invoiced_until:
                notes.append(
                    self.env._(
                        "Charges invoiced up to %(date)s are not claimed again.",
                        date=format_date(self.env, line.charges_invoiced_until),
                    )
                )
            if line.interest_rate_raised:
                notes.append(
                    self.env._("Contract rate raised to the legal minimum (3 x the legal rate).")
                )
            line.charges_explanation = " ".join(notes) or False

    # ------------------------------------------------------------------------------------------
    # CRUD: the lines are what was claimed, written by the engine only
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._check_engine_create()
        return super().create(vals_list)

    def _check_engine_create(self):
        """Only the run lists them."""
        self.check_access("create")
        if not has_engine_mark(self.env):
            raise UserError(
                self.env._("The invoices of a reminder are listed by the dunning run only.")
            )

    def write(self, vals):
        if not self:
            return True
        self.check_access("write")
        if not has_engine_mark(self.env):
            raise UserError(
                self.env._(
                    "The invoices and amounts of a reminder are set by the dunning run: "
                    "remove an invoice from a reminder to review instead."
                )
            )
        if self.reminder_id.filtered(lambda r: r.state in HISTORY_STATES):
            raise UserError(
                self.env._(
                    "A sent or cancelled reminder is part of the customer's history: its "
                    "invoices cannot be changed."
                )
            )
        return super().write(vals)

    def _check_company(self, fnames=None):
        # Lines come by the hundred thousand in a night: checked per batch (``company_check``).
        return super(ReceivableReminderLine, company_suspects(self, fnames))._check_company(fnames)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        """Invoices are removed from a reminder to review or failed (by a controller) or
        still to send (by the engine, when paid since); never from the history."""
        open_states = OPEN_STATES if has_engine_mark(self.env) else REVIEW_STATES
        if self.reminder_id.filtered(lambda r: r.state not in open_states):
            raise UserError(
                self.env._(
                    "Invoices can be removed only from a reminder to review or failed; a sent "
                    "or cancelled reminder is part of the customer's history."
                )
            )

    def _get_current_amounts(self):
        """What the invoice owes now, as line values."""
        line = self.move_line_id
        return {
            "amount_residual": line.amount_residual,
            "amount_residual_currency": line.amount_residual_currency,
            "days_late": (self.reminder_id.date - line.date_maturity).days
            if line.date_maturity
            else 0,
        }
