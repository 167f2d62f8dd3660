from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MANAGER
from .common import ReceivableCommon


@tagged("post_install", "-at_install")
class TestCreditMultiCompany(ReceivableCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.policy_b = cls.env["receivable.policy"].create(
            {
                "name": "Strict B",
                "company_id": cls.company_b.id,
                "default_credit_limit": 200.0,
                "hold_rule": "block",
            }
        )
        cls.customer.with_company(cls.company_b).receivable_policy_id = cls.policy_b
        cls.manager_b = cls._create_user("arc_manager_b", MANAGER, company=cls.company_b)

    def test_same_partner_two_policies_and_limits(self):
        customer_a = self.customer.with_company(self.company)
        customer_b = self.customer.with_company(self.company_b)
        self.assertEqual(customer_a.receivable_effective_policy_id, self.policy)
        self.assertEqual(customer_b.receivable_effective_policy_id, self.policy_b)
        customer_b.with_user(self.manager_b).write(
            {"use_partner_credit_limit": True, "credit_limit": 300.0}
        )
        self.assertEqual(customer_a.credit_limit_effective, 1000.0)
        self.assertEqual(customer_b.credit_limit_effective, 300.0)

        self._invoice(900.0)  # in company A: within A's limit
        self.assertEqual(customer_a.credit_exposure, 900.0)
        self.assertEqual(customer_b.credit_exposure, 0.0, "company B sees only its own entries")
        self.assertFalse(customer_a.credit_on_hold)
        self.assertFalse(customer_b.credit_on_hold)

    def test_user_of_one_company_sees_nothing_of_the_other(self):
        request_b = (
            self.env["receivable.credit.limit.request"]
            .with_company(self.company_b)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company_b.id,
                    "requested_limit": 500.0,
                    "justification": "B only",
                }
            )
        )
        Policy = self.env["receivable.policy"].with_user(self.manager)
        Request = self.env["receivable.credit.limit.request"].with_user(self.manager)
        self.assertNotIn(self.policy_b, Policy.search([]))
        self.assertNotIn(request_b, Request.search([]))
        with self.assertRaises(AccessError):
            self.policy_b.with_user(self.manager).read(["name"])
        with self.assertRaises(AccessError):
            request_b.with_user(self.manager).read(["requested_limit"])
        self.assertIn(
            self.policy_b, self.env["receivable.policy"].with_user(self.manager_b).search([])
        )
