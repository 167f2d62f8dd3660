from odoo.tests import tagged

from .common import ReceivableCommon

# user, partners, companies, the company's branches, commercial partners, the ledger figures,
# company-dependent values, policies, currency: whatever the number of invoices.
QUERIES = 9
CUSTOMER_LIST_FIELDS = [
    "credit_exposure",
    "credit_limit_effective",
    "credit_used_percent",
    "credit_overdue_amount",
    "credit_hold_state",
    "credit_over_limit",
]


@tagged("post_install", "-at_install")
class TestCreditPerformance(ReceivableCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"].create(
            [
                {
                    "name": f"Customer {index:02d}",
                    "is_company": True,
                    "receivable_policy_id": cls.policy.id,
                }
                for index in range(80)
            ]
        )

    def _read_list(self):
        self.env.flush_all()
        self.env.invalidate_all()
        self.customers.with_user(self.controller).read(CUSTOMER_LIST_FIELDS)

    def test_customer_list_query_count_does_not_grow_with_invoices(self):
        self._read_list()  # warm the registry caches
        with self.assertQueryCount(QUERIES):
            self._read_list()
        for customer in self.customers[:40]:
            self._invoice(10.0, partner=customer, post=False)
        self.env["account.move"].search([("state", "=", "draft")])[:20].action_post()
        with self.assertQueryCount(QUERIES):
            self._read_list()

    def _count_posting_queries(self, invoice, enforcement):
        self.company.receivable_hold_enforcement = enforcement
        self.env.flush_all()
        self.env.invalidate_all()
        count = self.env.cr.sql_log_count
        invoice.action_post()
        return self.env.cr.sql_log_count - count

    def test_check_at_posting_adds_at_most_three_queries(self):
        customer = self.customers[0]
        first, second = (self._invoice(10.0, partner=customer, post=False) for _i in range(2))
        without_check = self._count_posting_queries(first, enforcement=False)
        with_check = self._count_posting_queries(second, enforcement=True)
        self.assertEqual(second.state, "posted")
        self.assertLessEqual(with_check - without_check, 3)
