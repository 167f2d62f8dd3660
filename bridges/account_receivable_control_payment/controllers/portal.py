"""Pay all overdue invoices from the customer's account page (``/my/receivables``).

Odoo's invoice portal flow (``account_payment``: ``/my/invoices/overdue`` and
``/invoice/transaction/overdue``) for our page: one button per company and currency, for the
logged-in portal user as for a visitor holding the customer's signed link (``pid`` and
``token``, checked by ``_receivable_customer`` on every request). The payment page and the
transaction both recompute the invoices and the amount on the server; the amount the browser
sends back only confirms that the customer pays what the page showed.
"""

from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools import format_amount

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.account_payment.controllers.portal import PortalAccount
from odoo.addons.account_receivable_control.controllers.portal import ReceivablePortal

PAY_ROUTE = "/my/receivables/pay_overdue/<int:company_id>/<int:currency_id>"


class ReceivablePayOverdue(ReceivablePortal, PortalAccount, PaymentPortal):
    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _receivable_page_url(self, path, customer, token):
        """``path`` for the customer: with its signed link when the visitor came with one."""
        if not token:
            return path
        return f"{path}?{url_encode({'pid': customer.id, 'token': token})}"

    def _receivable_pay_overdue_path(self, group):
        return f"/my/receivables/pay_overdue/{group['company'].id}/{group['currency'].id}"

    def _receivable_payer(self, customer):
        """Who pays: the logged-in user when it is one of the customer's contacts (its saved
        payment methods), else the customer itself (a visitor, or someone logged in with a
        link of another customer): the payment is always booked on the customer."""
        partner = request.env.user.partner_id
        if not request.env.user._is_public() and partner.commercial_partner_id == customer:
            return partner
        return customer

    def _receivable_pay_overdue_values(self, customer, group, token):
        """The payment page: Odoo's payment form set up as the invoice portal does, for the
        group's amount, paid through our transaction route."""
        path = self._receivable_pay_overdue_path(group)
        tx_route = f"{path}/transaction" + (f"/{customer.id}" if token else "")
        values = self._get_common_page_view_values(
            invoices_data={
                "partner": customer,
                "company": group["company"],
                "total_amount": group["amount"],
                "currency": group["currency"],
                "amount_residual": group["amount"],
                "landing_route": self._receivable_page_url("/my/receivables", customer, token),
                "transaction_route": tx_route,
            },
            access_token=token,
        )
        payer = self._receivable_payer(customer)
        if values["partner_id"] != payer.id:
            # Odoo pays as the logged-in user; someone outside the customer pays as the
            # customer (sudo: its saved payment methods, as for a visitor with its link).
            values["partner_id"] = payer.id
            values["tokens_sudo"] = (
                request.env["payment.token"]
                .sudo()
                ._get_available_tokens(values["providers_sudo"].ids, payer.id)
            )
            values["company_mismatch"] = not self._can_partner_pay_in_company(
                payer, group["company"]
            )
        values.update(
            {
                "page_name": "receivables_pay_overdue",
                "customer": customer,
                "group": group,
                "amount": group["amount"],
                "account_url": self._receivable_page_url("/my/receivables", customer, token),
            }
        )
        return values

    # ------------------------------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------------------------------
    @http.route()
    def portal_my_receivables(self, pid=None, token=None, **kw):
        response = super().portal_my_receivables(pid=pid, token=token, **kw)
        qcontext = getattr(response, "qcontext", None)
        if qcontext and qcontext.get("customer"):
            customer = qcontext["customer"]
            # sudo: the customer checked by the page reads its own overdue invoices.
            groups = self._receivable_portal().sudo()._get_overdue_payment_groups(customer)
            several_companies = len({group["company"] for group in groups}) > 1
            for group in groups:
                group["url"] = self._receivable_page_url(
                    self._receivable_pay_overdue_path(group), customer, token
                )
                group["show_company"] = several_companies
            qcontext["pay_overdue_groups"] = groups
        return response

    @http.route(PAY_ROUTE, type="http", auth="public", methods=["GET"], website=True, sitemap=False)
    def portal_my_receivables_pay_overdue(
        self, company_id, currency_id, pid=None, token=None, **kw
    ):
        customer = self._receivable_customer(pid, token)
        if customer is None:
            return self._receivable_login(request.httprequest.path)
        # sudo: the customer checked above reads its own overdue invoices.
        group = (
            self._receivable_portal().sudo()._get_overdue_payment(customer, company_id, currency_id)
        )
        if not group:
            return self._receivable_redirect(pid, token)
        values = self._prepare_portal_layout_values()
        values.update(self._receivable_pay_overdue_values(customer, group, token))
        return request.render("account_receivable_control_payment.portal_pay_overdue", values)

    # ------------------------------------------------------------------------------------------
    # Transaction
    # ------------------------------------------------------------------------------------------
    @http.route(
        [f"{PAY_ROUTE}/transaction", f"{PAY_ROUTE}/transaction/<int:pid>"],
        type="jsonrpc",
        auth="public",
    )
    def receivable_pay_overdue_transaction(
        self,
        company_id,
        currency_id,
        pid=None,
        access_token=None,
        amount=None,
        payment_reference=None,
        landing_route=None,
        is_validation=None,
        **kwargs,
    ):
        """Create the draft transaction of "Pay all overdue" and return its processing values.

        The customer is the one of the signed link (``pid`` and ``access_token``), else the
        logged-in user's. The invoices, the amount, the reference and the landing page are set
        here; ``amount`` (what the page showed) must match the amount due now. The browser's
        ``payment_reference``, ``landing_route`` and ``is_validation`` are ignored.
        """
        customer = self._receivable_customer(pid, access_token)
        env = request.env
        if customer is None:
            raise ValidationError(
                env._("Log in, or open the link of your reminder, to pay your overdue invoices.")
            )
        self._validate_transaction_kwargs(kwargs)
        # sudo: the customer checked above reads its own overdue invoices.
        group = (
            self._receivable_portal().sudo()._get_overdue_payment(customer, company_id, currency_id)
        )
        if not group:
            raise ValidationError(env._("You have no overdue invoice left to pay here."))
        currency, invoices = group["currency"], group["invoices"]
        shown = self._cast_as_float(amount)
        if shown is None or currency.compare_amounts(shown, group["amount"]):
            raise ValidationError(
                env._(
                    "Your overdue invoices changed since this page was shown: reload the page "
                    "to pay the %(amount)s now overdue.",
                    amount=format_amount(env, group["amount"], currency),
                )
            )
        if len(invoices) == 1:
            reference = invoices.payment_reference or invoices.name
        else:
            reference = group["company"].get_next_batch_payment_communication()
        kwargs.update(
            amount=group["amount"],
            landing_route=self._receivable_page_url("/my/receivables", customer, access_token),
        )
        return self._process_transaction(
            self._receivable_payer(customer).id, currency.id, invoices.ids, reference, **kwargs
        )
