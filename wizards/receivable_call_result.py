from datetime import timedelta

from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_amount
from odoo.tools import format_date

from ..models.receivable_worklist import CALL_RESULTS

# A promise is proposed for a week later when the collector does not say otherwise.
DEFAULT_PROMISE_DAYS = 7


class ReceivableCallResult(models.TransientModel):
    """The result of a collection call, logged from the worklist.

    * **Reached** — a note on the customer;
    * **Promise to Pay** — a ``receivable.promise`` of the amount and date given (reminders
      pause until then);
    * **Dispute** — the invoices chosen are put in dispute with the reason
      (``account.move._open_dispute``);
    * **No Answer** — a note on the customer and a new call scheduled for the next day.

    In every case the customer's call activity (the worklist row's, else its oldest call due
    today or before) is marked done with the result as feedback.
    """

    _name = "receivable.call.result"
    _description = "Call Result"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, check_company=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    result = fields.Selection(CALL_RESULTS, required=True, default="reached")
    activity_id = fields.Many2one("mail.activity", string="Call")
    note = fields.Text()
    promise_date = fields.Date(
        string="Promised Payment Date",
        default=lambda self: fields.Date.context_today(self) + timedelta(days=DEFAULT_PROMISE_DAYS),
    )
    promise_amount = fields.Monetary(string="Promised Amount")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices in Dispute",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    dispute_reason = fields.Char(string="Dispute Reason")

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_confirm(self):
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        handler = {
            "reached": self._log_reached,
            "promise": self._log_promise,
            "dispute": self._log_dispute,
            "no_answer": self._log_no_answer,
        }[self.result]
        feedback = handler(partner)
        activity = self._get_call_activity(partner)
        if activity:
            activity.action_feedback(feedback=feedback)
        if self.result == "no_answer":
            self._schedule_next_call(partner)
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _log_reached(self, partner):
        text = self._with_note(self.env._("Call: customer reached."))
        partner._post_dunning_note(text)
        return text

    def _log_no_answer(self, partner):
        text = self._with_note(self.env._("Call: no answer."))
        partner._post_dunning_note(text)
        return text

    def _log_promise(self, partner):
        # The amount is checked by the promise itself.
        if not self.promise_date:
            raise UserError(self.env._("Enter the date the customer promises to pay by."))
        promise = self.env["receivable.promise"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company_id.id,
                "promise_date": self.promise_date,
                "amount": self.promise_amount,
                "note": self.note or False,
            }
        )
        # The promise logs itself on the customer; the feedback closes the call.
        return self._with_note(
            self.env._(
                "Call: promise to pay %(amount)s by %(date)s.",
                amount=format_amount(self.env, promise.amount, promise.currency_id),
                date=format_date(self.env, promise.promise_date),
            )
        )

    def _log_dispute(self, partner):
        if not self.move_ids:
            raise UserError(self.env._("Choose the invoices the customer disputes."))
        # The reason is checked by _open_dispute.
        self.move_ids._open_dispute(self.dispute_reason)
        return self._with_note(
            self.env._(
                "Call: dispute on %(invoices)s: %(reason)s",
                invoices=", ".join(self.move_ids.mapped("name")),
                reason=self.move_ids[0].receivable_dispute_reason,
            )
        )

    def _schedule_next_call(self, partner):
        """No answer: try again the next day."""
        partner.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.context_today(self) + timedelta(days=1),
            summary=self.env._("Collection call (no answer before)"),
            user_id=partner._get_collector().id,
        )

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    @api.model
    def _get_call_activity(self, partner):
        """The call this result closes: the worklist row's, else the customer's oldest call
        activity due today or before."""
        if self.activity_id.exists():
            return self.activity_id
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", (partner | partner.child_ids).ids),
                ("activity_type_id.category", "=", "phonecall"),
                ("date_deadline", "<=", fields.Date.context_today(self)),
            ],
            order="date_deadline, id",
            limit=1,
        )

    def _with_note(self, text):
        if self.note:
            return Markup("%s<br/>%s") % (text, self.note)
        return text
