from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    receivable_dso_method = fields.Selection(
        related="company_id.receivable_dso_method", readonly=False
    )
    receivable_kpi_period_days = fields.Integer(
        related="company_id.receivable_kpi_period_days", readonly=False
    )
    receivable_unpaid_days = fields.Integer(
        related="company_id.receivable_unpaid_days", readonly=False
    )
