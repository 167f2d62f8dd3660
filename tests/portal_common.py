"""The customer portal's account page: a customer with a portal user and an other customer,
and the helpers of the tests that browse the page."""

import re
from datetime import timedelta

from werkzeug.urls import url_encode

from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import new_test_user

from .common import DunningCommon


class PortalCommon(DunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.portal_user = new_test_user(
            cls.env, login="arc_portal", groups="base.group_portal", partner_id=cls.contact.id
        )
        cls.customer.receivable_collector_id = cls.controller
        cls.late = cls._due_invoice(300.0, cls.today - timedelta(days=10))
        cls.not_due = cls._due_invoice(200.0, cls.today + timedelta(days=20))
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        cls.other.receivable_policy_id = cls.policy
        cls.other_invoice = cls._due_invoice(
            700.0, cls.today - timedelta(days=10), partner=cls.other
        )
        cls.policy.portal_promise_max_days = 20

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _link(self, partner, token=None, url="/my/receivables"):
        """``url`` (the account page by default) with the signed token of ``partner``."""
        token = token or partner._get_receivable_portal_token()
        return f"{url}?" + url_encode({"pid": partner.id, "token": token})

    def _page(self, url="/my/receivables"):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return response.text

    def _post(self, route, page, files=None, **data):
        """Post a form of the page (with its CSRF token, and ``files``), follow the redirect,
        return the page shown after."""
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.url_open(route, data={"csrf_token": csrf, **data}, files=files)
        self.assertEqual(response.status_code, 200)
        return response.text

    def _token_fields(self, partner):
        return {"pid": partner.id, "token": partner._get_receivable_portal_token()}

    def _remindable(self):
        return self.engine._select_partners_to_remind(
            self.company, self.today, partner_ids=[self.customer.id]
        )

    def _message(self, page):
        found = re.search(r'o_receivable_portal_message"[^>]*>\s*(.*?)\s*</div>', page, re.S)
        return found.group(1) if found else ""

    def _row(self, page, attribute, record_id):
        """The HTML of the table row of the page carrying ``data-<attribute>="<record_id>"``."""
        found = re.search(rf'<tr[^>]*data-{attribute}="{record_id}".*?</tr>', page, re.S)
        self.assertTrue(found, f"no row of {attribute} {record_id} on the page")
        return found.group(0)
