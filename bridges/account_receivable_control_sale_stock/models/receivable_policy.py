from odoo import fields
from odoo import models


class ReceivablePolicy(models.Model):
    _inherit = "receivable.policy"

    block_deliveries = fields.Boolean(
        string="Block Deliveries",
        tracking=True,
        help="Deliveries to a customer on credit hold are not validated, unless a Credit "
        "Manager overrides the hold for that delivery.",
    )
