from odoo import api
from odoo import fields
from odoo import models

from .receivable_security import check_receivable_company
from .receivable_security import check_receivable_group


class ResPartner(models.Model):
    """The customer's follow-up cockpit (``receivable.followup``): its entry point."""

    _inherit = "res.partner"

    receivable_has_overdue = fields.Boolean(
        string="Has Overdue Amount",
        compute="_compute_receivable_has_overdue",
        search="_search_receivable_has_overdue",
        help="The customer owes an amount past its due date in the current company (its "
        "overdue amount, credits included, is positive).",
    )

    @api.depends_context("company")
    def _compute_receivable_has_overdue(self):
        currency = self.env.company.currency_id
        for partner in self:
            partner.receivable_has_overdue = (
                currency.compare_amounts(partner.credit_overdue_amount, 0.0) > 0
            )

    def _search_receivable_has_overdue(self, operator, value):
        if operator not in ("=", "in") or value not in (True, [True], {True}):
            return NotImplemented
        currency = self.env.company.currency_id
        return self._search_by_credit_figure(
            lambda position: currency.compare_amounts(position["overdue_amount"], 0.0) > 0
        )

    def action_open_receivable_followup(self):
        """Open the follow-up cockpit of the customer (its commercial partner) in the current
        company: one screen with its open items, position, next reminder and history."""
        check_receivable_group(self.env)
        self.ensure_one()
        check_receivable_company(self.env, self.env.company)
        partner = self.commercial_partner_id
        # The customer must be one the user may read (a customer of a company they cannot
        # access is refused by the partners' record rules).
        partner.check_access("read")
        cockpit = self.env["receivable.followup"].create(
            {"partner_id": partner.id, "company_id": self.env.company.id}
        )
        return cockpit._get_form_action()
