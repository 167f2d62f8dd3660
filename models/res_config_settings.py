from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    receivable_default_policy_id = fields.Many2one(
        related="company_id.receivable_default_policy_id", readonly=False
    )
    receivable_default_b2c_policy_id = fields.Many2one(
        related="company_id.receivable_default_b2c_policy_id", readonly=False
    )
    receivable_hold_enforcement = fields.Boolean(
        related="company_id.receivable_hold_enforcement", readonly=False
    )
    receivable_charges_journal_id = fields.Many2one(
        related="company_id.receivable_charges_journal_id", readonly=False
    )
    receivable_fee_account_id = fields.Many2one(
        related="company_id.receivable_fee_account_id", readonly=False
    )
    receivable_interest_account_id = fields.Many2one(
        related="company_id.receivable_interest_account_id", readonly=False
    )
    receivable_aging_buckets = fields.Char(
        related="company_id.receivable_aging_buckets", readonly=False
    )
