from odoo import fields
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    receivable_default_policy_id = fields.Many2one(
        "receivable.policy",
        string="Default Credit Policy",
        check_company=True,
        help="Credit policy of the customers that have none of their own.",
    )
    receivable_hold_enforcement = fields.Boolean(
        string="Enforce Credit Holds",
        default=True,
        help="Apply the policies: automatic holds, and warnings or blocks when posting "
        "customer invoices. When off, the credit figures are only shown.",
    )
