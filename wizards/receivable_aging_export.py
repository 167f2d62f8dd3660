from odoo import api
from odoo import fields
from odoo import models

from ..models.input_checks import check_not_future
from ..models.input_checks import context_date
from ..models.receivable_aging import AGING_DATE_KEY


class ReceivableAgingExport(models.TransientModel):
    """Export the aged receivables of a company at a date to a spreadsheet."""

    _name = "receivable.aging.export"
    _description = "Export Aged Receivables"

    date = fields.Date(
        string="As of",
        required=True,
        default=lambda self: self._default_date(),
        help="Receivables open at the end of this day, aged at this day.",
    )
    layout = fields.Selection(
        [("partner", "By partner"), ("detail", "Detailed")],
        required=True,
        default="partner",
        help="By partner: one row per customer with its amount in each aging bucket. "
        "Detailed: one row per open invoice, credit note or payment.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        default=lambda self: self._default_partner_ids(),
        help="Leave empty to export every customer.",
    )

    # ------------------------------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------------------------------
    @api.model
    def _default_date(self):
        return context_date(self.env, AGING_DATE_KEY) or fields.Date.context_today(self)

    @api.model
    def _default_partner_ids(self):
        """The customers of the aging lines selected when the wizard opens from the list."""
        context = self.env.context
        if context.get("active_model") == "receivable.aging" and context.get("active_ids"):
            lines = self.env["receivable.aging"].browse(context["active_ids"])
            return lines.partner_id.commercial_partner_id.ids
        return []

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("date")
    def _check_date(self):
        check_not_future(self, "date")

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_export(self):
        self.ensure_one()
        builder = self.env["receivable.aging.xlsx"]
        name, content = builder._aging_file(
            self.company_id, self.date, self.layout, self.partner_ids or None
        )
        attachment = builder._attach(content, name, record=self)
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }
