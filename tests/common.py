from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

CONTROLLER = "account_receivable_control.group_credit_controller"
MANAGER = "account_receivable_control.group_credit_manager"


class ReceivableCommon(AccountTestInvoicingCommon):
    """Shared setup: a company with its chart, two customers and one user per role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        company_ids = [(6, 0, cls.company.ids)]
        cls.invoicing_user = new_test_user(
            cls.env,
            login="arc_invoicing",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=company_ids,
        )
        cls.controller = new_test_user(
            cls.env,
            login="arc_controller",
            groups=CONTROLLER,
            company_id=cls.company.id,
            company_ids=company_ids,
        )
        cls.manager = new_test_user(
            cls.env,
            login="arc_manager",
            groups=MANAGER,
            company_id=cls.company.id,
            company_ids=company_ids,
        )
