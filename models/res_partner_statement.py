from odoo import api
from odoo import models
from odoo.exceptions import UserError

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

    @api.readonly
    def get_statement_preview(self, date=None, date_from=None, date_to=None):
        """The customer statement of these customers (their commercial entities) as HTML, as
        printed: open items aged at ``date`` (today) and, with ``date_from`` and ``date_to``,
        the account activity of that period ("YYYY-MM-DD" strings).

        Read-only: the preview runs on the replica when there is one. For Credit Controllers,
        on customers they may read; a date that does not parse gives a ``UserError``.
        """
        check_receivable_group(self.env)
        partners = self.commercial_partner_id
        if not partners:
            raise UserError(self.env._("Choose the customers of the statement."))
        partners.check_access("read")
        values = zip(STATEMENT_OPTIONS, (date, date_from, date_to), strict=True)
        options = {key: value for key, value in values if value}
        html, __ = self.env["ir.actions.report"]._render_qweb_html(
            "account_receivable_control.action_report_customer_statement", partners.ids, options
        )
        return html.decode() if isinstance(html, bytes) else str(html)

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
