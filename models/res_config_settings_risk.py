from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    receivable_risk_window_months = fields.Integer(
        related="company_id.receivable_risk_window_months", readonly=False
    )
    receivable_risk_class_bounds = fields.Char(
        related="company_id.receivable_risk_class_bounds", readonly=False
    )
    receivable_risk_hold_class = fields.Selection(
        related="company_id.receivable_risk_hold_class", readonly=False
    )
    receivable_risk_activity = fields.Boolean(
        related="company_id.receivable_risk_activity", readonly=False
    )
    receivable_risk_user_id = fields.Many2one(
        related="company_id.receivable_risk_user_id", readonly=False
    )
    receivable_risk_weight_avg_late = fields.Integer(
        related="company_id.receivable_risk_weight_avg_late", readonly=False
    )
    receivable_risk_weight_late_share = fields.Integer(
        related="company_id.receivable_risk_weight_late_share", readonly=False
    )
    receivable_risk_weight_overdue_ratio = fields.Integer(
        related="company_id.receivable_risk_weight_overdue_ratio", readonly=False
    )
    receivable_risk_weight_oldest_overdue = fields.Integer(
        related="company_id.receivable_risk_weight_oldest_overdue", readonly=False
    )
    receivable_risk_weight_dunning = fields.Integer(
        related="company_id.receivable_risk_weight_dunning", readonly=False
    )
    receivable_risk_weight_incidents = fields.Integer(
        related="company_id.receivable_risk_weight_incidents", readonly=False
    )
    receivable_risk_weight_trend = fields.Integer(
        related="company_id.receivable_risk_weight_trend", readonly=False
    )
    receivable_risk_weight_new_customer = fields.Integer(
        related="company_id.receivable_risk_weight_new_customer", readonly=False
    )
