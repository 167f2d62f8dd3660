from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    receivable_sale_to_invoice = fields.Monetary(
        string="Orders to Invoice",
        currency_field="receivable_currency_id",
        compute="_compute_receivable_sale_to_invoice",
        help="Confirmed sales orders of the customer not invoiced yet (draft invoices excluded: "
        "they count as pending invoices), taxes included, in the company's currency.",
    )

    @api.depends_context("company")
    def _compute_receivable_sale_to_invoice(self):
        company = self.env.company
        commercial_ids = [pid for pid in self.commercial_partner_id.ids if pid]
        amounts = defaultdict(float)
        if commercial_ids:
            # sudo: the exposure counts every order of the customer, whoever reads it (a
            # salesperson sees only their own orders).
            orders = (
                self.env["sale.order"]
                .sudo()
                .search(
                    [
                        ("state", "=", "sale"),
                        (
                            "company_id",
                            "in",
                            self.env["receivable.facts"]._scope_company_ids(company),
                        ),
                        ("partner_id.commercial_partner_id", "in", commercial_ids),
                    ]
                )
            )
            for order in orders:
                amounts[order.partner_id.commercial_partner_id.id] += (
                    order._receivable_amount_to_invoice()
                )
        for partner in self:
            commercial = partner.commercial_partner_id or partner
            partner.receivable_sale_to_invoice = amounts.get(commercial.id, 0.0)

    @api.model
    def _invalidate_credit_figures(self):
        super()._invalidate_credit_figures()
        self.env["res.partner"].invalidate_model(["receivable_sale_to_invoice"])

    @api.model
    def _receivable_position_rows(self):
        """The customers with only confirmed orders to invoice have an exposure too: the
        customer list's credit filters find them."""
        rows = super()._receivable_position_rows()
        known = {row["partner_id"] for row in rows}
        company = self.env.company
        # sudo: see _compute_receivable_sale_to_invoice
        groups = (
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [
                    ("state", "=", "sale"),
                    ("invoice_status", "!=", "invoiced"),
                    ("company_id", "in", self.env["receivable.facts"]._scope_company_ids(company)),
                ],
                ["partner_id"],
            )
        )
        missing = sorted({partner.commercial_partner_id.id for (partner,) in groups} - known)
        if missing:
            facts = self.env["receivable.facts"]
            rows = list(rows) + self.env.execute_query_dict(
                facts._empty_position_query(company, missing)
            )
        return rows
