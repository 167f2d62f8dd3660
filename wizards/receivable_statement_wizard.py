from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class ReceivableStatementWizard(models.TransientModel):
    """Print or email the customer statement at a date, with the activity of a period."""

    _name = "receivable.statement.wizard"
    _description = "Customer Statement"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        required=True,
        default=lambda self: self._default_partner_ids(),
    )
    date = fields.Date(
        string="Statement Date",
        required=True,
        default=fields.Date.context_today,
        help="Open items are listed and aged at this date.",
    )
    include_activity = fields.Boolean(
        string="Include Account Activity",
        help="Add the invoices, credit notes and payments of a period with the running balance.",
    )
    date_from = fields.Date(
        string="From",
        default=lambda self: (
            fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)
        ),
    )
    date_to = fields.Date(string="To", default=fields.Date.context_today)

    # ------------------------------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------------------------------
    @api.model
    def _default_partner_ids(self):
        context = self.env.context
        if context.get("active_model") == "res.partner" and context.get("active_ids"):
            partners = self.env["res.partner"].browse(context["active_ids"])
            return partners.commercial_partner_id.ids
        return []

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("include_activity", "date_from", "date_to")
    def _check_period(self):
        for wizard in self.filtered("include_activity"):
            if not (wizard.date_from and wizard.date_to) or wizard.date_from > wizard.date_to:
                raise ValidationError(
                    self.env._("The activity period needs a start date before its end date.")
                )

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_print(self):
        self.ensure_one()
        report = self.env.ref("account_receivable_control.action_report_customer_statement")
        return report.report_action(
            self.partner_ids.commercial_partner_id, data=self._get_statement_options()
        )

    def action_send(self):
        self.ensure_one()
        partners = self.partner_ids.commercial_partner_id
        return partners.with_context(**self._get_statement_options()).action_send_statement()

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _get_statement_options(self):
        """Options of report.account_receivable_control.report_customer_statement."""
        options = {"statement_date": fields.Date.to_string(self.date)}
        if self.include_activity:
            options.update(
                statement_from=fields.Date.to_string(self.date_from),
                statement_to=fields.Date.to_string(self.date_to),
            )
        return options
