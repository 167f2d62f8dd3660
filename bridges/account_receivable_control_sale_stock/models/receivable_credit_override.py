from odoo import api
from odoo import fields
from odoo import models


class ReceivableCreditOverride(models.Model):
    """An override also lets through one delivery of a customer on hold."""

    _inherit = "receivable.credit.override"

    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
    )

    _one_document = models.Constraint(
        "CHECK(num_nonnulls(move_id, sale_order_id, picking_id) = 1)",
        "A credit override lets through exactly one document.",
    )

    @api.model
    def _document_fields(self):
        return [*super()._document_fields(), "picking_id"]

    @api.model
    def _find_covering_pickings(self, blocked):
        return self._find_covering_documents("picking_id", blocked)
