"""The customer portal's account page (``/my/receivables``): what a customer sees and may do.

The page is reached by a portal user (its commercial entity) or by anyone holding the signed
link of a reminder (``res.partner._get_receivable_portal_url``). Everything here works for one
commercial partner given by the controller, which has already checked who asks; each write
checks again that the invoice is that customer's, open, and that the values are sound, before
it acts with superuser rights.
"""

import os
from datetime import timedelta

from markupsafe import Markup
from werkzeug.urls import url_encode

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import consteq
from odoo.tools import format_amount
from odoo.tools import format_date
from odoo.tools.mimetypes import get_extension
from odoo.tools.mimetypes import guess_mimetype
from odoo.tools.misc import hmac

from .receivable_promise import MAX_PROMISE_DAYS
from .receivable_reminder import LETTER_REPORT

TOKEN_SCOPE = "account_receivable_control.portal"
# A reason longer than this is cut: it is a note for the collector, not a letter.
MAX_REASON_LENGTH = 1000
# The file a customer may join to a dispute: a document or a picture, 10 MB at most.
MAX_DISPUTE_FILE_SIZE = 10 * 1024 * 1024
# Extension -> the types its content may have (sniffed, never the browser's word): nothing a
# computer runs (programs, scripts, HTML, SVG) is kept.
DISPUTE_FILE_TYPES = {
    ".pdf": {"application/pdf"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".gif": {"image/gif"},
    ".webp": {"image/webp"},
    ".txt": {"text/plain"},
    ".csv": {"text/plain", "text/csv"},
    ".doc": {"application/msword"},
    ".xls": {"application/vnd.ms-excel", "application/msword"},
    ".docx": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
    },
    ".xlsx": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    },
    ".odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
    ".ods": {"application/vnd.oasis.opendocument.spreadsheet", "application/zip"},
}
# Programs whatever their name says: Windows (MZ), Linux (ELF), macOS (Mach-O), scripts (#!).
EXECUTABLE_SIGNATURES = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _get_receivable_portal_token(self):
        """The signed token of the commercial partner's account page: an HMAC of its id with
        the database secret, so it cannot be forged nor moved to another customer."""
        self.ensure_one()
        # sudo: the database secret is readable by the superuser only; only the digest leaves.
        return hmac(self.env(su=True), TOKEN_SCOPE, self.commercial_partner_id.id)

    def _get_receivable_portal_url(self):
        """The full link to the customer's account page, usable without logging in (the
        reminders' emails and letters carry it)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        query = url_encode({"pid": partner.id, "token": partner._get_receivable_portal_token()})
        return f"{partner.get_base_url()}/my/receivables?{query}"

    @api.model
    def _receivable_portal_partner_from_token(self, partner_id, token):
        """The commercial partner the token was signed for, else an empty recordset."""
        try:
            partner_id = int(partner_id)
        except (TypeError, ValueError):
            return self.browse()
        if not token or not isinstance(token, str) or partner_id <= 0:
            return self.browse()
        # sudo: the visitor is anonymous; the partner is only returned once the token matches.
        partner = self.sudo().browse(partner_id).exists()
        if not partner or partner != partner.commercial_partner_id:
            return self.browse()
        if not consteq(partner._get_receivable_portal_token(), token):
            return self.browse()
        return partner


class ReceivablePortal(models.AbstractModel):
    """The data and the actions of a customer's account page."""

    _name = "receivable.portal"
    _description = "Receivable Customer Portal"

    # ------------------------------------------------------------------------------------------
    # Read
    # ------------------------------------------------------------------------------------------
    @api.model
    def _get_open_items(self, partner):
        """The customer's open receivable items, oldest due first (dicts of the facts' open
        items query, with the invoice record and what may be done on it)."""
        facts = self.env["receivable.facts"]
        rows = self.env.execute_query_dict(
            SQL(
                """
                SELECT item.move_id, item.move_name, item.move_type, item.company_id,
                       item.company_currency_id, item.date_maturity, item.days_late,
                       item.amount_residual, item.dispute, item.promised, item.in_plan
                  FROM (%s) item
              ORDER BY item.date_maturity, item.move_name, item.id
                """,
                facts._open_items_query(None, None, partner.ids, as_of=False),
            )
        )
        moves = self.env["account.move"].browse(row["move_id"] for row in rows)
        currencies = self.env["res.currency"].browse(row["company_currency_id"] for row in rows)
        for row in rows:
            move = moves.browse(row["move_id"]).with_prefetch(moves._prefetch_ids)
            row["move"] = move
            row["currency"] = currencies.browse(row["company_currency_id"])
            open_invoice = bool(
                row["move_type"] == "out_invoice"
                and row["amount_residual"] > 0
                and not row["dispute"]
                and not row["in_plan"]
            )
            row["actionable"] = open_invoice and not row["promised"]
            # What the customer may ask to pay by instalments: its overdue invoices that no
            # dispute nor payment plan holds (a promise may give way to a plan).
            row["plannable"] = open_invoice and row["days_late"] > 0
        return rows

    @api.model
    def _get_aging_summary(self, items):
        """[{currency, labels, amounts, total}]: the open items by aging bucket, one line per
        currency (the company's buckets, as on the statement)."""
        bounds = self.env.company._get_receivable_aging_bounds()
        labels = self.env["receivable.aging"]._get_bucket_labels()
        summary = {}
        for item in items:
            line = summary.setdefault(
                item["currency"],
                {"currency": item["currency"], "amounts": [0.0] * len(labels), "total": 0.0},
            )
            index = 0
            if item["days_late"] > 0:
                index = 1 + sum(1 for bound in bounds if item["days_late"] > bound)
            line["amounts"][index] += item["amount_residual"]
            line["total"] += item["amount_residual"]
        return [dict(line, labels=labels) for line in summary.values()]

    @api.model
    def _get_sent_reminders(self, partner):
        """The reminders sent to the customer, newest first, their levels named in the
        customer's language."""
        return (
            self.env["receivable.reminder"]
            .with_context(lang=partner.lang or self.env.lang)
            .search(
                [("partner_id", "=", partner.commercial_partner_id.id), ("state", "=", "sent")],
                order="date desc, id desc",
            )
        )

    @api.model
    def _get_customer_reminder(self, partner, reminder_id):
        """The sent reminder ``reminder_id`` of ``partner``, else an empty recordset (another
        customer's reminder, one not sent, or none, are all the same: not found)."""
        try:
            reminder_id = int(reminder_id)
        except (TypeError, ValueError):
            reminder_id = 0
        reminder = self.env["receivable.reminder"].browse(max(reminder_id, 0)).exists()
        if (
            not reminder
            or reminder.state != "sent"
            or reminder.partner_id.commercial_partner_id != partner.commercial_partner_id
        ):
            return self.env["receivable.reminder"]
        return reminder

    @api.model
    def _get_reminder_letter(self, reminder):
        """(content, mimetype, file name) of the reminder's letter: the letter sent when it
        went by post, else the letter of the reminder rendered now (in the customer's
        language, as the report does)."""
        attachment = reminder.letter_attachment_id
        if attachment:
            return attachment.raw, attachment.mimetype, attachment.name
        content, report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            LETTER_REPORT, reminder.ids
        )
        extension = "pdf" if report_type == "pdf" else "html"
        name = f"{reminder.name.replace('/', '-')}.{extension}"
        return content, "application/pdf" if extension == "pdf" else "text/html", name

    @api.model
    def _get_plan_requests(self, partner):
        """The customer's latest payment plan requests (the one waiting, the last decisions)
        and whether one is in progress (then the customer may not ask again)."""
        requests = self.env["receivable.payment.plan.request"]
        return (
            requests.search([("partner_id", "=", partner.commercial_partner_id.id)], limit=5),
            bool(requests.search_count(requests._in_progress_domain(partner), limit=1)),
        )

    @api.model
    def _get_promise_max_days(self, partner):
        """How far ahead the customer may promise: its policy's setting (30 days without)."""
        policy = partner.receivable_effective_policy_id
        return min(policy.portal_promise_max_days or 30, MAX_PROMISE_DAYS)

    # ------------------------------------------------------------------------------------------
    # Write
    # ------------------------------------------------------------------------------------------
    @api.model
    def _get_customer_invoice(self, partner, move_id):
        """The open customer invoice ``move_id`` of ``partner``, or a UserError saying why the
        customer may not act on it."""
        try:
            move_id = int(move_id)
        except (TypeError, ValueError):
            move_id = 0
        # sudo: the visitor may be anonymous (a token); the invoice is checked to be the
        # customer's right below before anything is read from it or returned.
        move = self.env["account.move"].sudo().browse(move_id).exists() if move_id > 0 else None
        if not move or move.commercial_partner_id != partner.commercial_partner_id:
            raise UserError(self.env._("This invoice is not one of your open invoices."))
        if move.move_type != "out_invoice" or move.state != "posted":
            raise UserError(self.env._("This invoice is not one of your open invoices."))
        if move.payment_state not in ("not_paid", "partial") or move.currency_id.is_zero(
            move.amount_residual
        ):
            raise UserError(self.env._("Invoice %s is already paid.", move.name))
        if move.receivable_dispute:
            raise UserError(self.env._("Invoice %s is already in dispute.", move.name))
        return move

    @api.model
    def _flag_dispute(self, partner, move_id, reason, upload=None):
        """The customer disputes an invoice: the module's dispute (no reminder for it), a note
        in the invoice's and the customer's chatter and an activity for the collector.

        ``upload``: ``(file name, content)`` of a file the customer joins (a delivery note, a
        photo), kept on the invoice and shown with both notes; None without."""
        move = self._get_customer_invoice(partner, move_id)
        reason = (reason or "").strip()[:MAX_REASON_LENGTH]
        if not reason:
            raise UserError(self.env._("Please tell us why you dispute invoice %s.", move.name))
        attachment = self._attach_dispute_file(move, *upload) if upload else None
        text = self.env._("Disputed by the customer on the portal: %s", reason)
        # sudo (from _get_customer_invoice): the customer may not write invoices; the dispute
        # is the module's own action, taken for an invoice checked to be the customer's.
        move._open_dispute(text, attachments=attachment)
        collector = (
            partner.receivable_collector_id or partner.user_id or move.invoice_user_id
        ).filtered(lambda user: not user.share)
        if collector:
            move.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Dispute from the customer"),
                note=Markup("<p>%s</p>") % text,
                user_id=collector[:1].id,
            )
        return move

    @api.model
    def _check_dispute_file(self, filename, content):
        """The mimetype of a file a customer joins to a dispute, or a UserError saying why it
        is refused: empty, over 10 MB, a program, or not a document or a picture."""
        name = (filename or "").strip()
        if not content:
            raise UserError(self.env._("The file %s is empty.", name))
        if len(content) > MAX_DISPUTE_FILE_SIZE:
            raise UserError(
                self.env._(
                    "The file %(name)s is too big: %(max)s MB at most.",
                    name=name,
                    max=MAX_DISPUTE_FILE_SIZE // (1024 * 1024),
                )
            )
        extension = get_extension(name)
        mimetype = guess_mimetype(content, default="application/octet-stream")
        if content.startswith(EXECUTABLE_SIGNATURES) or mimetype not in DISPUTE_FILE_TYPES.get(
            extension, ()
        ):
            raise UserError(
                self.env._(
                    "The file %(name)s cannot be sent: join a PDF, a picture (PNG, JPEG, GIF, "
                    "WebP), a text or an office document (%(extensions)s).",
                    name=name,
                    extensions=", ".join(sorted(DISPUTE_FILE_TYPES)),
                )
            )
        return mimetype

    @api.model
    def _attach_dispute_file(self, move, filename, content):
        """Keep the customer's file on the disputed invoice (checked first)."""
        mimetype = self._check_dispute_file(filename, content)
        # sudo (the invoice's, from _get_customer_invoice): the customer may not attach files
        # to invoices; this one, checked above, goes to an invoice of its own.
        return move.env["ir.attachment"].create(
            {
                "name": os.path.basename(filename.strip().replace("\\", "/"))[:255],
                "raw": content,
                "mimetype": mimetype,
                "res_model": "account.move",
                "res_id": move.id,
            }
        )

    @api.model
    def _promise_to_pay(self, partner, move_id, promise_date, amount):
        """The customer promises to pay ``amount`` of an invoice by ``promise_date``: the
        module's promise (no reminder for the invoice until then, kept or broken after)."""
        move = self._get_customer_invoice(partner, move_id)
        promise = self.env["receivable.promise"].sudo()
        if promise.search_count(
            [("state", "=", "open"), ("move_ids", "in", move.ids)], limit=1
        ) or promise.search_count(
            [
                ("state", "=", "open"),
                ("partner_id", "=", partner.id),
                ("move_ids", "=", False),
            ],
            limit=1,
        ):
            raise UserError(
                self.env._("A promise to pay invoice %s is already recorded.", move.name)
            )
        try:
            promise_date = fields.Date.to_date(promise_date)
        except ValueError:
            promise_date = None
        if not promise_date:
            raise UserError(self.env._("Please give the date you will pay by."))
        today = fields.Date.context_today(self)
        max_days = self._get_promise_max_days(partner)
        if promise_date < today:
            raise UserError(self.env._("The promised date cannot be in the past."))
        if promise_date > today + timedelta(days=max_days):
            raise UserError(
                self.env._(
                    "The promised date must be within %(days)s days, by %(date)s at the latest.",
                    days=max_days,
                    date=format_date(self.env, today + timedelta(days=max_days)),
                )
            )
        try:
            amount = float(amount)
        except (TypeError, ValueError):
            amount = 0.0
        currency = move.company_currency_id
        amount = currency.round(amount)
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("The promised amount must be more than zero."))
        if currency.compare_amounts(amount, move.amount_residual_signed) > 0:
            raise UserError(
                self.env._(
                    "The promised amount cannot exceed what invoice %(invoice)s still owes "
                    "(%(due)s).",
                    invoice=move.name,
                    due=format_amount(self.env, move.amount_residual_signed, currency),
                )
            )
        # sudo (from _get_customer_invoice): a customer may not create promises; this one is
        # for an open invoice of its own, with a date and an amount checked above. The promise
        # logs itself in the customer's chatter.
        record = promise.with_company(move.company_id).create(
            {
                "partner_id": partner.id,
                "company_id": move.company_id.id,
                "promise_date": promise_date,
                "amount": amount,
                "move_ids": [Command.set(move.ids)],
                "note": self.env._("Promised by the customer on the portal."),
            }
        )
        move.message_post(
            body=self.env._("Promise to pay from the customer on the portal: %s.")
            % record.display_name,
            subtype_xmlid="mail.mt_note",
        )
        return record

    @api.model
    def _request_payment_plan(self, partner, move_ids, instalment_count, note, asker):
        """The customer asks to pay some of its overdue invoices (``move_ids``) by
        instalments: a request a Credit Controller decides (``receivable.payment.plan.request``)."""
        # sudo: a customer may neither read its invoices' accounting data nor create requests;
        # the request is checked to name its own overdue invoices and a sound number of
        # instalments before it is recorded.
        portal = self.sudo()
        plannable = portal.env["account.move"].browse(
            item["move_id"] for item in portal._get_open_items(partner) if item["plannable"]
        )
        return portal.env["receivable.payment.plan.request"]._request_from_portal(
            partner, plannable, move_ids, instalment_count, note, asker
        )
