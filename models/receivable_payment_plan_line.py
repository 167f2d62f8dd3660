from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class ReceivablePaymentPlanLine(models.Model):
    """One agreed instalment: a date and an amount, pending, paid or missed."""

    _name = "receivable.payment.plan.line"
    _description = "Payment Plan Instalment"
    _order = "plan_id, date, id"
    _check_company_auto = True

    plan_id = fields.Many2one(
        "receivable.payment.plan", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    date = fields.Date(string="Due Date", required=True)
    amount = fields.Monetary(required=True)
    state = fields.Selection(
        [("pending", "Pending"), ("paid", "Paid"), ("missed", "Missed")],
        default="pending",
        required=True,
        readonly=True,
        copy=False,
    )

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("amount")
    def _check_amount(self):
        for line in self:
            if line.currency_id.compare_amounts(line.amount, 0.0) <= 0:
                raise ValidationError(self.env._("Every instalment must have a positive amount."))

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        plans = self.env["receivable.payment.plan"].browse(
            [vals["plan_id"] for vals in vals_list if vals.get("plan_id")]
        )
        plans._check_schedule_editable()
        return super().create(vals_list)

    def write(self, vals):
        if {"plan_id", "date", "amount"} & set(vals):
            self.plan_id._check_schedule_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        # A deleted (draft or cancelled) plan takes its instalments along.
        self.plan_id.filtered(lambda p: p.state != "cancelled")._check_schedule_editable()
