"""The channels of a sending: the letter (PDF), the email handed to the outgoing queue with
its attachments, the collector's call, and the portal links the templates print."""

from markupsafe import Markup

from odoo import Command
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from .receivable_reminder import LETTER_REPORT

INVOICE_REPORT = "account.account_invoices"


class ReceivableReminder(models.Model):
    _inherit = "receivable.reminder"

    def _render_letter(self):
        self.ensure_one()
        content, report_format = self.env["ir.actions.report"]._render_qweb_pdf(
            LETTER_REPORT, res_ids=self.ids
        )
        extension = "pdf" if report_format == "pdf" else report_format
        self.letter_attachment_id = self.env["ir.attachment"].create(
            {
                "name": f"{self.name.replace('/', '-')}.{extension}",
                "raw": content,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/pdf" if extension == "pdf" else "text/html",
            }
        )

    def _get_invoice_attachments(self):
        """PDFs of the listed invoices: the stored ones, rendered when missing."""
        attachments = self.env["ir.attachment"]
        for move in self.line_ids.move_id:
            attachment = move.message_main_attachment_id or move.invoice_pdf_report_id
            if not attachment:
                content, _format = self.env["ir.actions.report"]._render_qweb_pdf(
                    INVOICE_REPORT, res_ids=move.ids
                )
                attachment = self.env["ir.attachment"].create(
                    {
                        "name": f"{move.name.replace('/', '_')}.pdf",
                        "raw": content,
                        "res_model": "account.move",
                        "res_id": move.id,
                    }
                )
            attachments |= attachment
        return attachments

    def _send_email(self):
        """Hand the level's email to Odoo's outgoing queue; return the ``mail.mail``.

        Not sent here: the queue delivers it once this transaction is committed, so a
        rollback takes the email back with the reminder's state (never an email out for a
        reminder still to send). The queue's outcome comes back through ``mail.mail``.
        """
        self.ensure_one()
        template = self.level_id.mail_template_id
        if not template:
            raise UserError(self.env._("The level '%s' has no email template.", self.level_id.name))
        attachments = self.letter_attachment_id
        if self.level_id.attach_invoices:
            attachments |= self._get_invoice_attachments()
        email_values = {
            "receivable_reminder_id": self.id,
            "recipient_ids": [Command.set(self.recipient_id.ids)],
            "attachment_ids": [Command.link(a.id) for a in attachments],
            "auto_delete": False,
        }
        if self.body_override:
            # The text the controller edited in the customer's follow-up, in the layout.
            email_values["body_html"] = self.body_override
        mail_id = template.send_mail(
            self.id,
            force_send=False,
            email_layout_xmlid="mail.mail_notification_light",
            email_values=email_values,
        )
        # sudo: outgoing mails are reserved to administrators; the controller's right to send
        # this reminder was checked on the reminder itself.
        return self.env["mail.mail"].sudo().browse(mail_id)

    def _schedule_call(self):
        self.ensure_one()
        partner = self.partner_id
        collector = partner.with_company(self.company_id)._get_collector()
        script = self.level_id.call_script or ""
        note = Markup("<p>%s</p>") % self.env._(
            "%(level)s: %(amount)s due on %(count)s invoice(s), reminder %(name)s.",
            level=self.level_id.name,
            amount=format_amount(self.env, self._net_due(), self.currency_id),
            count=self.line_count,
            name=self.name,
        )
        if script:
            note += Markup("<p>%s</p>") % script
        self.activity_id = partner.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=self.date,
            summary=self.env._("Payment reminder call: %s", self.level_id.name),
            note=note,
            user_id=collector.id,
        )

    def _get_portal_url_for(self, move):
        """Full link to view and pay ``move`` on the customer portal."""
        return move.get_base_url() + move.with_context(lang=None).get_portal_url()

    def _get_account_portal_url(self):
        """Full signed link to the customer's account page (open items, statement, promise,
        dispute), usable without logging in: for the reminder's email and letter, opening the
        page in the language they are written in (the recipient's)."""
        self.ensure_one()
        lang = self.recipient_id.lang or self.partner_id.lang
        return self.partner_id._get_receivable_portal_link(lang)
