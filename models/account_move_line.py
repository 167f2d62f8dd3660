from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def reconcile(self):
        result = super().reconcile()
        self.env["res.partner"]._invalidate_credit_figures()
        self._refresh_credit_holds()
        return result

    def remove_move_reconcile(self):
        result = super().remove_move_reconcile()
        self.env["res.partner"]._invalidate_credit_figures()
        return result

    def _refresh_credit_holds(self):
        """A reconciliation may clear an overdue invoice: re-evaluate the automatic holds."""
        lines = self.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and line.partner_id
        )
        for company in lines.company_id:
            company_lines = lines.filtered(lambda line, c=company: line.company_id == c)
            company_lines.partner_id.with_company(company)._refresh_credit_hold()
