from odoo import models

from .receivable_security import check_receivable_group


class ResPartner(models.Model):
    """The customer's smart button to its aged receivables."""

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
