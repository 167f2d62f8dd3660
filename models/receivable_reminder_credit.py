from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from .company_check import company_suspects
from .engine_mark import has_engine_mark
from .receivable_reminder import HISTORY_STATES


class ReceivableReminderCredit(models.Model):
    """A credit of the customer listed on a reminder: an unapplied payment or an open credit
    note, deducted from what the reminder claims (credits first), as it stood when claimed."""

    _name = "receivable.reminder.credit"
    _description = "Payment Reminder Credit"
    _order = "reminder_id, date, id"
    _check_company_auto = True

    reminder_id = fields.Many2one(
        "receivable.reminder", required=True, ondelete="cascade", index=True, check_company=True
    )
    # Plain fields set by the engine (as on the reminder lines): no related field computed per
    # record in the nightly run.
    company_id = fields.Many2one("res.company", required=True, index=True)
    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", required=True, index=True, check_company=True
    )
    move_id = fields.Many2one(
        "account.move", string="Document", required=True, index=True, check_company=True
    )
    credit_type = fields.Selection(
        [("refund", "Credit Note"), ("payment", "Unapplied Payment")],
        string="Credit",
        required=True,
    )
    date = fields.Date()
    currency_id = fields.Many2one("res.currency", required=True)
    amount_residual = fields.Monetary(
        string="Amount", help="The credit still open, negative: it reduces what is claimed."
    )
    document_currency_id = fields.Many2one("res.currency", string="Document Currency")
    amount_residual_currency = fields.Monetary(
        string="Amount (Document Currency)", currency_field="document_currency_id"
    )

    # ------------------------------------------------------------------------------------------
    # CRUD: the credits are what was deducted, written by the engine only
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
                self.env._("The credits of a reminder are listed by the dunning run only.")
            )

    def write(self, vals):
        if not self:
            return True
        self.check_access("write")
        if not has_engine_mark(self.env):
            raise UserError(
                self.env._("The credits of a reminder are set by the dunning run only.")
            )
        self._check_not_history()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        """Credits leave a reminder still to send when allocated since (the engine); a user
        removes none: the amount claimed would no longer be the customer's balance."""
        if not has_engine_mark(self.env):
            raise UserError(
                self.env._("The credits of a reminder are removed by the dunning run only.")
            )
        self._check_not_history()

    def _check_not_history(self):
        if self.reminder_id.filtered(lambda r: r.state in HISTORY_STATES):
            raise UserError(
                self.env._(
                    "A sent or cancelled reminder is part of the customer's history: its "
                    "credits cannot be changed."
                )
            )

    def _check_company(self, fnames=None):
        # Created by the batch with the reminders: checked per batch (``company_check``).
        return super(ReceivableReminderCredit, company_suspects(self, fnames))._check_company(
            fnames
        )
