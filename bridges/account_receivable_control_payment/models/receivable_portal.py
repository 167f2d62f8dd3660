"""What "Pay all overdue" pays on the customer's account page.

Always recomputed here, from the ledger, for the customer the controller has checked: the page
shows it, and the transaction is built from it again when the customer confirms (never from
ids or amounts sent by the browser).
"""

from odoo import api
from odoo import models
from odoo.fields import Domain


class ReceivablePortal(models.AbstractModel):
    _inherit = "receivable.portal"

    @api.model
    def _get_overdue_payment_lines(self, partner, company=None, currency=None):
        """The receivable lines ``partner`` pays with "Pay all overdue", oldest due first: the
        overdue items (``receivable.facts``) of its posted customer invoices that may be paid
        online (``account.move._has_to_be_paid``: portal payment on, no payment pending), except
        the invoices in dispute (the customer is not asked to pay what it contests). Only the
        overdue instalments of an invoice count, not those still to fall due. Optionally of one
        ``company`` and one ``currency`` (the invoice's)."""
        facts = self.env["receivable.facts"]
        domain = facts._overdue_items_domain(None, partner.commercial_partner_id.ids) & Domain(
            [
                ("move_id.move_type", "=", "out_invoice"),
                ("move_id.receivable_dispute", "=", False),
                ("amount_residual_currency", ">", 0),
            ]
        )
        if company is not None:
            domain &= Domain("company_id", "=", company.id)
        if currency is not None:
            domain &= Domain("currency_id", "=", currency.id)
        lines = self.env["account.move.line"].search(domain, order="date_maturity, move_name, id")
        payable = lines.move_id.filtered(lambda move: move._has_to_be_paid())
        return lines.filtered(lambda line: line.move_id in payable)

    @api.model
    def _overdue_payment_values(self, company, currency, lines):
        return {
            "company": company,
            "currency": currency,
            "lines": lines,
            "invoices": lines.move_id,
            "amount": currency.round(sum(lines.mapped("amount_residual_currency"))),
        }

    @api.model
    def _get_overdue_payment_groups(self, partner):
        """[{company, currency, lines, invoices, amount}]: what "Pay all overdue" pays, one
        payment per company and invoice currency, the amount in that currency."""
        lines = self._get_overdue_payment_lines(partner)
        groups = [
            self._overdue_payment_values(company, currency, group_lines)
            for (company, currency), group_lines in lines.grouped(
                lambda line: (line.company_id, line.currency_id)
            ).items()
        ]
        return sorted(groups, key=lambda group: (group["company"].name, group["currency"].name))

    @api.model
    def _get_overdue_payment(self, partner, company_id, currency_id):
        """The group of ``company_id`` and ``currency_id`` (ids of a URL), or None when the
        customer has nothing overdue to pay there."""
        company = self.env["res.company"].browse(company_id).exists()
        currency = self.env["res.currency"].browse(currency_id).exists()
        if not company or not currency:
            return None
        lines = self._get_overdue_payment_lines(partner, company, currency)
        return self._overdue_payment_values(company, currency, lines) if lines else None
