from odoo import models

from .receivable_security import check_receivable_group


class ResPartner(models.Model):
    """The customer's smart button to its aged receivables, and the journal items behind the
    Credit tab's open and overdue amounts."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_view_aging(self):
        """Open the aged receivables of this customer (its commercial entity)."""
        check_receivable_group(self.env)
        self.ensure_one()
        partner = self.commercial_partner_id
        return self.env["receivable.aging"].action_open_aging(
            domain=[("partner_id", "=", partner.id)],
            name=self.env._("Aged Receivables of %(partner)s", partner=partner.display_name),
        )

    def action_view_open_items(self):
        """Open the journal items behind the Credit tab's open amount."""
        return self._open_receivable_items(overdue=False)

    def action_view_overdue_items(self):
        """Open the journal items behind the Credit tab's overdue amount."""
        return self._open_receivable_items(overdue=True)

    def _open_receivable_items(self, overdue):
        """The facts' drill-down of this customer's open (or overdue) items today, in the
        current company and its branches: the records the figure adds up."""
        check_receivable_group(self.env)
        self.ensure_one()
        partner = self.commercial_partner_id
        facts = self.env["receivable.facts"]
        if overdue:
            domain = facts._overdue_items_domain(self.env.company, partner.ids)
            name = self.env._("Overdue Items of %(partner)s", partner=partner.display_name)
        else:
            domain = facts._open_items_domain(self.env.company, partner.ids)
            name = self.env._("Open Items of %(partner)s", partner=partner.display_name)
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "account.move.line",
            "views": [(False, "list"), (False, "form")],
            "domain": list(domain),
            "context": {"create": False},
        }
