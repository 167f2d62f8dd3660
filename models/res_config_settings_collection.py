from odoo import api
from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    receivable_worklist_rule = fields.Selection(
        related="company_id.receivable_worklist_rule", readonly=False
    )
    receivable_dispute_followup_days = fields.Integer(
        related="company_id.receivable_dispute_followup_days", readonly=False
    )
    receivable_dunning_max_failures = fields.Integer(
        related="company_id.receivable_dunning_max_failures", readonly=False
    )
    receivable_provision_rates = fields.Char(
        related="company_id.receivable_provision_rates", readonly=False
    )

    @api.constrains("receivable_provision_rates")
    def _check_receivable_provision_rates_buckets(self):
        """As many rates as buckets, with the buckets entered together in the settings.

        Checked when the rates are saved only: the buckets may be changed alone (the rates
        that no longer match are then refused when the provision is computed)."""
        for settings in self:
            bounds = settings.company_id._parse_receivable_aging_buckets(
                settings.receivable_aging_buckets
            )
            settings.company_id._parse_receivable_provision_rates(
                settings.receivable_provision_rates, bucket_count=len(bounds) + 2
            )
