from odoo import models

from .receivable_security import check_receivable_group

STATEMENT_OPTIONS = ("statement_date", "statement_from", "statement_to")


class ResPartner(models.Model):
    """Customer statement: send it by email from the customer, or print it for a period."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_send_statement(self):
        """Open the email composer with the statement template and the statement attached."""
        check_receivable_group(self.env)
        partners = self.commercial_partner_id
        template = self.env.ref(
            "account_receivable_control.mail_template_customer_statement",
            raise_if_not_found=False,
        )
        context = {
            "default_model": "res.partner",
            "default_res_ids": partners.ids,
            "default_template_id": template.id if template else False,
            "default_composition_mode": "comment" if len(partners) == 1 else "mass_mail",
            "default_email_layout_xmlid": "mail.mail_notification_light",
            "force_email": True,
            "hide_mail_template_management_options": True,
        }
        # The statement options (date, period) travel with the composer to the report.
        context.update(
            {key: self.env.context[key] for key in STATEMENT_OPTIONS if self.env.context.get(key)}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Statement"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_open_statement_wizard(self):
        """The statement wizard for these customers: a date and, optionally, a period."""
        check_receivable_group(self.env)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customer Statement"),
            "res_model": "receivable.statement.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_ids": self.commercial_partner_id.ids,
            },
        }
