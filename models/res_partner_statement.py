from odoo import api
from odoo import models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time

from .input_checks import parse_date
from .receivable_security import check_receivable_group

STATEMENT_OPTIONS = ("statement_date", "statement_from", "statement_to")
STATEMENT_REPORT = "account_receivable_control.action_report_customer_statement"


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
        partners, options = self._statement_options(date, date_from, date_to)
        html, __ = self.env["ir.actions.report"]._render_qweb_html(
            STATEMENT_REPORT, partners.ids, options
        )
        return html.decode() if isinstance(html, bytes) else str(html)

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _get_statement_file(self, date=None, date_from=None, date_to=None):
        """(content, mimetype, file name) of the statement of these customers as printed: the
        PDF (HTML when PDFs cannot be rendered, as in tests). The read-only route
        ``/account_receivable_control/statement.pdf`` (controllers/screens.py) serves it.

        Nothing is stored, even if the report were set to save its PDFs as attachments: the
        route runs on the replica. Checks and options: ``_statement_options``."""
        partners, options = self._statement_options(date, date_from, date_to)
        report = self.env["ir.actions.report"].with_context(report_pdf_no_attachment=True)
        content, report_type = report._render_qweb_pdf(STATEMENT_REPORT, partners.ids, options)
        extension = "pdf" if report_type == "pdf" else "html"
        mimetype = "application/pdf" if report_type == "pdf" else "text/html"
        # As Odoo's /report/download names a document: the report's print name for one
        # customer, its name for several.
        action = self.env.ref(STATEMENT_REPORT)
        name = action.name
        if len(partners) == 1 and action.print_report_name:
            name = safe_eval(action.print_report_name, {"object": partners, "time": time})
        return content, mimetype, f"{name}.{extension}"

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _statement_options(self, date=None, date_from=None, date_to=None):
        """(commercial partners, report options) of the statement of these customers at
        ``date`` with the activity from ``date_from`` to ``date_to``. For Credit Controllers,
        on customers they may read; ``UserError`` naming a date that does not parse, or a
        period that ends before it starts."""
        check_receivable_group(self.env)
        partners = self.commercial_partner_id
        if not partners:
            raise UserError(self.env._("Choose the customers of the statement."))
        partners.check_access("read")
        values = zip(STATEMENT_OPTIONS, (date, date_from, date_to), strict=True)
        options = {key: value for key, value in values if value}
        start = parse_date(self.env, date_from, "date_from")
        end = parse_date(self.env, date_to, "date_to")
        parse_date(self.env, date, "date")
        if start and end and start > end:
            raise UserError(
                self.env._("The activity period needs a start date before its end date.")
            )
        return partners, options
