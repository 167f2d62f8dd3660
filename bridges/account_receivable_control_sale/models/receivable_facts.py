from odoo import api
from odoo import models


class ReceivableFacts(models.AbstractModel):
    _inherit = "receivable.facts"

    @api.model
    def _to_invoice_amount(self, partner):
        """The confirmed sales orders not invoiced yet (``receivable_sale_to_invoice``),
        instead of Odoo's ``credit_to_invoice``: that one counts only what is delivered, only
        when Odoo's own credit limit is on, and counts draft invoices a second time."""
        return partner.receivable_sale_to_invoice
