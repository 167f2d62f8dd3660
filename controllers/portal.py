"""The customer's account page on the portal (``/my/receivables``).

Who is the customer: with a signed token (``pid`` and ``token``, the link of the reminders) the
partner it was signed for, whoever visits; without, the commercial entity of the logged-in
portal user. A wrong token is refused, never ignored in favour of the session. The writes are
POST forms (Odoo's CSRF check) handled by ``receivable.portal``, which checks each invoice and
value again.
"""

import re

from werkzeug.exceptions import Forbidden
from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.http import content_disposition
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

MESSAGE_KEY = "receivable_portal_message"
STATEMENT_REPORT = "account_receivable_control.action_report_customer_statement"


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
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "receivables",
                "customer": partner,
                "items": items,
                "aging": portal._get_aging_summary(items),
                "promise_max_days": portal._get_promise_max_days(partner),
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
        filename = f"{name}.{'pdf' if report_type == 'pdf' else 'html'}"
        headers = [
            ("Content-Type", "application/pdf" if report_type == "pdf" else "text/html"),
            ("Content-Length", len(content)),
            ("Content-Disposition", content_disposition(filename)),
        ]
        return request.make_response(content, headers=headers)

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
        "/my/receivables/dispute", type="http", auth="public", methods=["POST"], website=True
    )
    def portal_my_receivables_dispute(self, move_id=None, reason=None, pid=None, token=None, **kw):
        return self._receivable_act(
            pid,
            token,
            lambda portal, partner: portal._flag_dispute(partner, move_id, reason),
            request.env._("Thank you: the invoice is in dispute, we will get back to you."),
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
