from odoo import fields
from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    receivable_followup_note = fields.Text(
        string="Follow-up Note",
        copy=False,
        help="The credit controller's note on this open item, written in the customer's "
        "follow-up: what was said, what is awaited.",
    )
