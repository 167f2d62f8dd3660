from odoo import api
from odoo import fields
from odoo import models


class ReceivableDocumentOverrideWizard(models.TransientModel):
    _inherit = "receivable.document.override.wizard"

    picking_id = fields.Many2one("stock.picking", string="Delivery", readonly=True)

    @api.model
    def _document_fields(self):
        return [*super()._document_fields(), "picking_id"]

    @api.depends("sale_order_id", "picking_id")
    def _compute_breach_summary(self):
        return super()._compute_breach_summary()
