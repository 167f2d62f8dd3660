from odoo import api
from odoo import fields
from odoo import models

from .receivable_security import check_receivable_company
from .receivable_security import check_receivable_group


class ResConfigSettings(models.TransientModel):
    """Safe go-live settings: automatic sending (turned on only through the first-run
    preview) and the effect of enforcing holds, shown before saving."""

    _inherit = "res.config.settings"

    receivable_dunning_auto_send = fields.Boolean(related="company_id.receivable_dunning_auto_send")
    receivable_auto_send_activated_by = fields.Many2one(
        related="company_id.receivable_auto_send_activated_by"
    )
    receivable_auto_send_activated_on = fields.Datetime(
        related="company_id.receivable_auto_send_activated_on"
    )
    receivable_hold_count = fields.Integer(
        string="Customers Put on Hold",
        compute="_compute_receivable_hold_count",
        help="Customers whose position breaks their credit policy today and that are not on "
        "hold: the next nightly hold run holds them when holds are enforced.",
    )

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends("company_id", "receivable_hold_enforcement")
    def _compute_receivable_hold_count(self):
        for settings in self:
            if not settings.receivable_hold_enforcement or not settings.company_id:
                settings.receivable_hold_count = 0
                continue
            settings.receivable_hold_count = len(settings._partners_to_put_on_hold())

    def _partners_to_put_on_hold(self):
        self.ensure_one()
        partners = self.env["res.partner"].with_company(self.company_id)
        return partners._get_partners_to_put_on_hold()

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_receivable_preview_first_run(self):
        """The first-run preview: what the next night would send with automatic sending on,
        with the button that activates it."""
        self.ensure_one()
        runs = self.env["receivable.dunning.run"].with_company(self.company_id)
        return runs.action_open_first_run_preview()

    def action_receivable_auto_send_off(self):
        """Switch automatic sending off (no preview needed to stop sending)."""
        self.ensure_one()
        check_receivable_company(self.env, self.company_id)
        self.company_id._deactivate_dunning_auto_send()
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_receivable_view_holds(self):
        """The customers that enforcing the holds would put on hold."""
        self.ensure_one()
        check_receivable_group(self.env)
        check_receivable_company(self.env, self.company_id)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customers Put on Hold When Holds Are Enforced"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", self._partners_to_put_on_hold().ids)],
            "context": {"create": False},
        }
