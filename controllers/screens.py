"""The downloads of the back-office screens, on read-only routes.

Odoo serves a route declared ``readonly=True`` on a read-only cursor: on the read replica when
there is one (``--db_replica_host``). The aged receivables spreadsheet (*Export Aged
Receivables*) and the customer statement (*Statement* of a customer) are reads: built in
memory, stored nowhere (no wizard record, no attachment), so that these screens do not load
the primary. Sending the statement by email stays a write (``res.partner.action_send_statement``).

The screens are the client actions of ``static/src/screens/``, which download from here with
GET requests. For Credit Controllers, on the companies and customers they may read: a refusal
is a 403 page (404 for a customer that does not exist), a parameter that does not parse a 400
page naming it. The page carries the error as the web client's ``download`` reads it too, so
the screen shows the message in its usual error dialog.
"""

import json

from markupsafe import Markup
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError
from odoo.exceptions import MissingError
from odoo.exceptions import UserError
from odoo.http import content_disposition
from odoo.http import request

from ..models.input_checks import parse_company
from ..models.receivable_aging_xlsx import XLSX_MIMETYPE
from ..models.receivable_security import check_receivable_company
from ..models.receivable_security import check_receivable_group

ROUTE_PREFIX = "/account_receivable_control"
AGED_RECEIVABLES_ROUTE = f"{ROUTE_PREFIX}/aged_receivables.xlsx"
STATEMENT_ROUTE = f"{ROUTE_PREFIX}/statement.pdf"
STATEMENT_PARTNER_ROUTE = f"{ROUTE_PREFIX}/statement/<int:partner_id>.pdf"


class ReceivableScreens(http.Controller):
    @http.route(AGED_RECEIVABLES_ROUTE, type="http", auth="user", methods=["GET"], readonly=True)
    def aged_receivables_xlsx(
        self, date=None, layout="partner", company_id=None, partner_ids=None, **kwargs
    ):
        """The aged receivables spreadsheet (``receivable.aging.xlsx.get_aging_xlsx``):
        ``date`` (YYYY-MM-DD, today by default), ``layout`` (partner or detail),
        ``company_id`` (the user's current company by default) and ``partner_ids`` (ids
        separated by commas; none: every customer)."""
        try:
            name, content = request.env["receivable.aging.xlsx"]._get_aging_export(
                date=date or None,
                layout=layout or "partner",
                company=_parse_ids(company_id, "company_id", single=True),
                partner_ids=_parse_ids(partner_ids, "partner_ids"),
            )
        except UserError as error:
            return _error_response(error)
        return _file_response(content, XLSX_MIMETYPE, name, download=True)

    @http.route(
        [STATEMENT_ROUTE, STATEMENT_PARTNER_ROUTE],
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,
    )
    def customer_statement_pdf(
        self,
        partner_id=None,
        partner_ids=None,
        date=None,
        date_from=None,
        date_to=None,
        company_id=None,
        download=None,
        **kwargs,
    ):
        """The customer statement (the report printed from a customer) of ``partner_id`` or
        of ``partner_ids`` (ids separated by commas) at ``date`` (today by default), with the
        account activity from ``date_from`` to ``date_to`` when both are given, in
        ``company_id`` (the user's current company by default). Shown in the browser, or
        downloaded with ``download=1``."""
        env = request.env
        try:
            check_receivable_group(env)
            company = parse_company(env, _parse_ids(company_id, "company_id", single=True), "")
            check_receivable_company(env, company)
            ids = [partner_id] if partner_id else _parse_ids(partner_ids, "partner_ids") or []
            partners = env["res.partner"].with_company(company).browse(ids)
            if len(partners.exists()) != len(set(ids)):
                raise MissingError(env._("This customer does not exist any more."))
            content, mimetype, name = partners._get_statement_file(
                date or None, date_from or None, date_to or None
            )
        except UserError as error:
            return _error_response(error)
        return _file_response(content, mimetype, name, download=download not in (None, "", "0"))


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------
def _parse_ids(value, name, single=False):
    """Record ids written "7" or "7,8" in a query string, as a list of ints (an int with
    ``single``), None when empty. ``UserError`` naming the parameter otherwise."""
    if not value:
        return None
    parts = [part.strip() for part in value.split(",")]
    if not all(part.isdigit() for part in parts) or (single and len(parts) > 1):
        raise UserError(
            request.env._(
                "The parameter “%(name)s” must be %(expected)s, not “%(value)s”.",
                name=name,
                expected=(
                    request.env._("a record id")
                    if single
                    else request.env._("record ids separated by commas")
                ),
                value=value,
            )
        )
    ids = [int(part) for part in parts]
    return ids[0] if single else ids


def _file_response(content, mimetype, filename, download=False):
    """The HTTP response of a file built for the user: never cached, saved as ``filename``
    (``download``) or shown in the browser."""
    disposition = "attachment" if download else "inline"
    return request.make_response(
        content,
        headers=[
            ("Content-Type", mimetype),
            ("Content-Length", len(content)),
            ("Content-Disposition", content_disposition(filename, disposition_type=disposition)),
            ("Cache-Control", "no-store"),
        ],
    )


def _error_response(error):
    """The page of a refused or malformed request: 403 (access), 404 (a missing record) or
    400 (a parameter), with the message and no traceback.

    The web client's ``download`` reads the error of a failed download as JSON in the
    page's second element; the script carries it (as Odoo's /report/download does), so that
    the screen shows the message in the dialog of a UserError, the human reader the page."""
    if isinstance(error, AccessError):
        exception = Forbidden
    elif isinstance(error, MissingError):
        exception = NotFound
    else:
        exception = BadRequest
    message = str(error.args[0]) if error.args else str(error)
    error_class = type(error)
    serialized = {
        "code": exception.code,
        "message": "Odoo Server Error",
        "data": {
            "name": f"{error_class.__module__}.{error_class.__qualname__}",
            "message": message,
            "arguments": [message],
            "context": {},
            "debug": "",
        },
    }
    # "</" cannot close the script in JSON written "<\/".
    payload = json.dumps(serialized).replace("</", "<\\/")
    title = f"{exception.code} {exception().name}"
    body = Markup(
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>%s</title></head>"
        "<body><h1>%s</h1><script type='application/json'>%s</script><p>%s</p></body></html>"
    ) % (title, exception().name, Markup(payload), message)
    return request.make_response(
        str(body),
        headers=[("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
        status=exception.code,
    )
