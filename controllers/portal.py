"""The customer's account page on the portal (``/my/receivables``).

Who is the customer: with a signed token (``pid`` and ``token``, the link of the reminders) the
partner it was signed for, whoever visits; without, the commercial entity of the logged-in
portal user. A wrong token is refused, never ignored in favour of the session. The writes are
POST forms (Odoo's CSRF check) handled by ``receivable.portal``, which checks each invoice and
value again.
"""

import re

from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound
from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.http import content_disposition
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.receivable_portal import MAX_DISPUTE_FILE_SIZE

MESSAGE_KEY = "receivable_portal_message"
STATEMENT_REPORT = "account_receivable_control.action_report_customer_statement"
# A dispute's form with its file: twice the file's limit, so that a file a little too big is
# refused with a message on the page; beyond, the server stops reading (413).
DISPUTE_MAX_CONTENT_LENGTH = 2 * MAX_DISPUTE_FILE_SIZE


class ReceivablePortal(CustomerPortal):
    # ------------------------------------------------------------------------------------------
    # Home card
    # ------------------------------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "receivable_count" in counters:
            partner = request.env.user.partner_id.commercial_partner_id
            # sudo: a portal user may not read accounting data; it counts its own items only.
            values["receivable_count"] = (
                0
                if request.env.user._is_public()
                else len(self._receivable_portal().sudo()._get_open_items(partner.sudo()))
            )
        return values

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _receivable_portal(self):
        return request.env["receivable.portal"]

    def _receivable_customer(self, pid=None, token=None):
        """The commercial partner whose page is asked (sudo), or None when a login is needed.
        A token that does not match is refused."""
        if pid or token:
            partner = request.env["res.partner"]._receivable_portal_partner_from_token(pid, token)
            if not partner:
                raise Forbidden()
            return partner
        if request.env.user._is_public():
            return None
        # sudo: the portal user may not read its company's accounting fields; the page shows
        # only its own commercial entity's items.
        return request.env.user.partner_id.commercial_partner_id.sudo()

    def _receivable_query(self, pid=None, token=None):
        return url_encode({"pid": pid, "token": token}) if (pid or token) else ""

    def _receivable_redirect(self, pid=None, token=None):
        query = self._receivable_query(pid, token)
        return request.redirect("/my/receivables" + (f"?{query}" if query else ""))

    def _receivable_login(self, path):
        return request.redirect("/web/login?" + url_encode({"redirect": path}))

    def _receivable_file(self, content, mimetype, filename):
        """The HTTP response downloading ``content`` as ``filename``."""
        headers = [
            ("Content-Type", mimetype),
            ("Content-Length", len(content)),
            ("Content-Disposition", content_disposition(filename)),
        ]
        return request.make_response(content, headers=headers)

    def _receivable_upload(self, upload):
        """``(file name, content)`` of a posted file, read up to one byte over the limit (the
        model says it is too big), or None when no file was chosen."""
        if not upload or not getattr(upload, "filename", None):
            return None
        return upload.filename, upload.read(MAX_DISPUTE_FILE_SIZE + 1)

    # ------------------------------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------------------------------
    @http.route("/my/receivables", type="http", auth="public", website=True)
    def portal_my_receivables(self, pid=None, token=None, **kw):
        partner = self._receivable_customer(pid, token)
        if partner is None:
            return self._receivable_login("/my/receivables")
        # sudo: the customer checked above reads its own open items (accounting data a portal
        # user or a visitor may not read directly).
        portal = self._receivable_portal().sudo()
        items = portal._get_open_items(partner)
        plan_requests, plan_pending = portal._get_plan_requests(partner)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "receivables",
                "customer": partner,
                "items": items,
                "aging": portal._get_aging_summary(items),
                "promise_max_days": portal._get_promise_max_days(partner),
                "reminders": portal._get_sent_reminders(partner),
                "plan_requests": plan_requests,
                "plan_pending": plan_pending,
                "plannable": [item for item in items if item["plannable"]],
                "plan_max_instalments": portal.env[
                    "receivable.payment.plan.request"
                ]._get_portal_max_instalments(partner),
                "query": self._receivable_query(pid, token),
                "pid": pid,
                "token": token,
                "message": request.session.pop(MESSAGE_KEY, None),
            }
        )
        return request.render("account_receivable_control.portal_my_receivables", values)

    @http.route("/my/receivables/statement", type="http", auth="public", website=True)
    def portal_my_receivables_statement(self, pid=None, token=None, **kw):
        partner = self._receivable_customer(pid, token)
        if partner is None:
            return self._receivable_login("/my/receivables")
        # sudo: the statement report is reserved to credit controllers; the customer checked
        # above gets its own statement only.
        report = request.env["ir.actions.report"].sudo()
        content, report_type = report._render_qweb_pdf(STATEMENT_REPORT, partner.ids)
        name = re.sub(r"\W+", "_", request.env._("Statement %s", partner.name or ""))
        is_pdf = report_type == "pdf"
        return self._receivable_file(
            content,
            "application/pdf" if is_pdf else "text/html",
            f"{name}.{'pdf' if is_pdf else 'html'}",
        )

    @http.route(
        "/my/receivables/reminder/<int:reminder_id>", type="http", auth="public", website=True
    )
    def portal_my_receivables_reminder(self, reminder_id, pid=None, token=None, **kw):
        """The letter of a reminder sent to the customer; another's is not found."""
        partner = self._receivable_customer(pid, token)
        if partner is None:
            return self._receivable_login("/my/receivables")
        # sudo: the reminders and their letters are reserved to credit controllers; the
        # customer checked above gets the letters of its own sent reminders only.
        portal = self._receivable_portal().sudo()
        reminder = portal._get_customer_reminder(partner, reminder_id)
        if not reminder:
            raise NotFound()
        return self._receivable_file(*portal._get_reminder_letter(reminder))

    # ------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------
    def _receivable_act(self, pid, token, action, success):
        """Run ``action(portal, partner)``; keep its message (or the refusal) for the page."""
        partner = self._receivable_customer(pid, token)
        if partner is None:
            return self._receivable_login("/my/receivables")
        portal = self._receivable_portal()
        try:
            # A refusal rolls back whatever the action did (a savepoint).
            with request.env.cr.savepoint():
                action(portal, partner)
        except (UserError, ValidationError) as error:
            request.session[MESSAGE_KEY] = {"type": "danger", "text": str(error.args[0])}
        else:
            request.session[MESSAGE_KEY] = {"type": "success", "text": success}
        return self._receivable_redirect(pid, token)

    @http.route(
        "/my/receivables/dispute",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        max_content_length=DISPUTE_MAX_CONTENT_LENGTH,
    )
    def portal_my_receivables_dispute(
        self, move_id=None, reason=None, attachment=None, pid=None, token=None, **kw
    ):
        upload = self._receivable_upload(attachment)
        return self._receivable_act(
            pid,
            token,
            lambda portal, partner: portal._flag_dispute(partner, move_id, reason, upload),
            request.env._("Thank you: the invoice is in dispute, we will get back to you."),
        )

    @http.route(
        "/my/receivables/payment_plan", type="http", auth="public", methods=["POST"], website=True
    )
    def portal_my_receivables_payment_plan(
        self, instalment_count=None, note=None, pid=None, token=None, **kw
    ):
        # Several invoices are ticked: the form's list, not the last value alone.
        move_ids = request.httprequest.form.getlist("move_ids")
        # The contact logged in asks; through a reminder's link, the customer itself.
        asker = None if (pid or token) else request.env.user.partner_id
        return self._receivable_act(
            pid,
            token,
            lambda portal, partner: portal._request_payment_plan(
                partner, move_ids, instalment_count, note, asker or partner
            ),
            request.env._(
                "Thank you: your request for a payment plan is recorded, we will get back to you."
            ),
        )

    @http.route(
        "/my/receivables/promise", type="http", auth="public", methods=["POST"], website=True
    )
    def portal_my_receivables_promise(
        self, move_id=None, promise_date=None, amount=None, pid=None, token=None, **kw
    ):
        return self._receivable_act(
            pid,
            token,
            lambda portal, partner: portal._promise_to_pay(partner, move_id, promise_date, amount),
            request.env._("Thank you: your promise to pay is recorded."),
        )
