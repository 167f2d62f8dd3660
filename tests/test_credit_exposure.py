from freezegun import freeze_time

from odoo.tests import tagged

from .common import ReceivableCommon


@tagged("post_install", "-at_install")
class TestCreditExposure(ReceivableCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_currency = cls.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])

    def test_exposure_in_company_currency_across_two_currencies(self):
        self._invoice(300.0)
        foreign = self._invoice(500.0, currency_id=self.other_currency.id)
        self.assertEqual(foreign.amount_total_signed, 250.0, "500 EUR at 2 EUR per USD")
        draft = self._invoice(100.0, post=False)

        self.assertRecordValues(
            self.customer,
            [
                {
                    "credit_open_amount": 550.0,
                    "credit_draft_amount": draft.amount_total_signed,
                    "credit_exposure": 650.0,
                    "credit_limit_effective": 1000.0,
                    "credit_available": 350.0,
                    "credit_used_percent": 65.0,
                    "credit_over_limit": False,
                }
            ],
        )
        self.assertEqual(self.customer.credit_open_amount, self.customer.credit)

    def test_contacts_count_under_their_commercial_partner(self):
        self._invoice(400.0, partner=self.contact)
        self._invoice(200.0)
        self.assertEqual(self.customer.credit_exposure, 600.0)
        self.assertEqual(self.contact.credit_exposure, 600.0, "a contact shows its company's")
        self.assertEqual(self.contact.receivable_effective_policy_id, self.policy)

    def test_credit_notes_and_payments_reduce_exposure(self):
        invoice = self._invoice(800.0)
        self._invoice(300.0, move_type="out_refund")
        self.assertEqual(self.customer.credit_exposure, 500.0)
        self._register_payment(invoice, amount=200.0)
        self.assertEqual(self.customer.credit_exposure, 300.0)

    def test_overdue_amount_and_oldest_overdue_days(self):
        with freeze_time("2026-01-01"):
            self._invoice(100.0, invoice_date="2026-01-01", invoice_date_due="2026-01-01")
            self._invoice(250.0, invoice_date="2026-01-01", invoice_date_due="2026-01-31")
        with freeze_time("2026-02-10"):
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.credit_overdue_amount, 350.0)
            self.assertEqual(self.customer.credit_oldest_overdue_days, 40)
        with freeze_time("2026-01-15"):
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.credit_overdue_amount, 100.0)
            self.assertEqual(self.customer.credit_oldest_overdue_days, 14)

    def test_limit_falls_back_to_policy_then_partner_limit_wins(self):
        self.assertEqual(self.customer.credit_limit_effective, 1000.0)
        self.customer.with_user(self.manager).write(
            {"use_partner_credit_limit": True, "credit_limit": 5000.0}
        )
        self.assertEqual(self.customer.credit_limit_effective, 5000.0)

    def test_future_dated_invoice_is_pending_not_open(self):
        """An invoice dated next week is not owed today, but its credit is granted: pending,
        with the drafts, and in the exposure."""
        with freeze_time("2026-03-02"):
            self._invoice(300.0, invoice_date="2026-03-02")
            future = self._invoice(500.0, invoice_date="2026-03-09")
            self._invoice(100.0, post=False)
            self.assertEqual(future.state, "posted")
            self.customer.invalidate_recordset()
            self.assertRecordValues(
                self.customer,
                [
                    {
                        "credit_open_amount": 300.0,
                        "credit_draft_amount": 600.0,
                        "credit_exposure": 900.0,
                        "credit_available": 100.0,
                        "credit_used_percent": 90.0,
                    }
                ],
            )
            Partner = self.env["res.partner"]
            self.assertIn(self.customer, Partner.search([("credit_used_percent", ">=", 90)]))
        with freeze_time("2026-03-09"):
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.credit_open_amount, 800.0, "owed from its date")
            self.assertEqual(self.customer.credit_draft_amount, 100.0)

    def test_applied_limit_is_odoo_rule_everywhere(self):
        """The partner's own limit when it has one (use_partner_credit_limit), else its
        policy's default limit, else the company's default: on the Credit tab, in Python and
        in the facts' SQL."""
        self.env["ir.default"].set(
            "res.partner", "credit_limit", 2000.0, company_id=self.company.id
        )
        Partner = self.env["res.partner"]
        without_policy = Partner.create({"name": "Boulangerie Marc", "is_company": True})
        own_limit, no_limit = Partner.create(
            [
                {"name": "Epicerie Fine", "is_company": True},
                {"name": "Cave Martin", "is_company": True},
            ]
        )
        (own_limit | no_limit).receivable_policy_id = self.policy
        own_limit.with_user(self.manager).write(
            {"use_partner_credit_limit": True, "credit_limit": 5000.0}
        )
        # An own limit of 0 differs from the company's default: no limit for this customer.
        no_limit.with_user(self.manager).write(
            {"use_partner_credit_limit": True, "credit_limit": 0.0}
        )
        self._invoice(3000.0, partner=no_limit)
        expected = {
            self.customer: (False, 1000.0),
            without_policy: (False, 2000.0),
            own_limit: (True, 5000.0),
            no_limit: (True, 0.0),
        }
        partners = Partner.union(*expected)
        partners.invalidate_recordset()
        positions = self.env["receivable.facts"]._positions(self.company, partners.ids)
        for partner, (own, limit) in expected.items():
            with self.subTest(partner=partner.name):
                self.assertEqual(partner.use_partner_credit_limit, own)
                self.assertEqual(partner.credit_limit_effective, limit)
                self.assertEqual(partner._get_effective_credit_limit(), limit)
                self.assertEqual(positions[partner.id]["credit_limit"], limit)
        self.assertFalse(no_limit.credit_over_limit)
        self.assertFalse(no_limit.credit_on_hold)

    def test_insurance_cover_warnings(self):
        insurer = self.env["res.partner"].create({"name": "Allianz Trade", "is_company": True})
        with freeze_time("2026-03-01"):
            self.customer.with_user(self.manager).write(
                {
                    "credit_insurer_id": insurer.id,
                    "credit_insured_amount": 500.0,
                    "credit_insurance_start": "2025-01-01",
                    "credit_insurance_expiry": "2026-03-20",
                }
            )
            self._invoice(700.0)
            self.customer.invalidate_recordset()
            self.assertTrue(self.customer.credit_cover_exceeded)
            self.assertTrue(self.customer.credit_cover_expiring)
            self.assertIn("exceeds the insurance cover", self.customer.credit_warning)
            self.assertIn("expires on", self.customer.credit_warning)
            partners = self.env["res.partner"].search([("credit_cover_exceeded", "=", True)])
            self.assertIn(self.customer, partners)

    def test_customer_list_filters(self):
        Partner = self.env["res.partner"]
        quiet = Partner.create({"name": "Quiet Customer", "is_company": True})
        quiet.receivable_policy_id = self.policy
        self._invoice(100.0, partner=quiet)
        self._invoice(900.0)
        self.assertIn(self.customer, Partner.search([("credit_used_percent", ">", 80)]))
        self.assertNotIn(quiet, Partner.search([("credit_used_percent", ">", 80)]))
        self.assertNotIn(self.customer, Partner.search([("credit_over_limit", "=", True)]))
        self._invoice(200.0)
        over = Partner.search([("credit_over_limit", "=", True)])
        self.assertIn(self.customer, over)
        self.assertIn(self.contact, over, "contacts follow their company in the list")
        self.assertNotIn(quiet, over)
