from odoo import Command
from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

CONTROLLER = "account_receivable_control.group_credit_controller"
MANAGER = "account_receivable_control.group_credit_manager"


class ReceivableCommon(AccountTestInvoicingCommon):
    """Shared setup: a company with its chart, customers, one user per role, a policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.invoicing_user = cls._create_user("arc_invoicing", "account.group_account_invoice")
        cls.controller = cls._create_user("arc_controller", CONTROLLER)
        cls.manager = cls._create_user("arc_manager", MANAGER)
        cls.customer = cls.env["res.partner"].create(
            {"name": "Brasserie Dupont", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Anne Dupont", "parent_id": cls.customer.id, "type": "contact"}
        )
        cls.policy = cls.env["receivable.policy"].create(
            {
                "name": "Test B2B",
                "company_id": cls.company.id,
                "default_credit_limit": 1000.0,
                "tolerance_percent": 10.0,
                "max_days_overdue": 30,
                "hold_rule": "warn",
                "auto_hold": True,
            }
        )
        cls.customer.receivable_policy_id = cls.policy

    @classmethod
    def _create_user(cls, login, groups, company=None):
        company = company or cls.company_data["company"]
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    @classmethod
    def _invoice(cls, amount, partner=None, post=True, move_type="out_invoice", **kwargs):
        """A one-line invoice of ``amount`` without tax, so totals are easy to read."""
        kwargs.setdefault("invoice_date", fields.Date.today())
        return cls._create_invoice_one_line(
            price_unit=amount,
            tax_ids=[Command.clear()],
            partner_id=(partner or cls.customer).id,
            move_type=move_type,
            post=post,
            **kwargs,
        )

    def _last_message(self, record):
        return record.message_ids.sorted("id")[-1:].body or ""
