from datetime import date
from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .test_risk import TODAY
from .test_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestStoredPaymentDelays(RiskCommon):
    """The nightly run stores the company's and each customer's average payment delay; an
    invoice's expected payment date is stored once from them (at posting) and re-stored only
    when its customer's delay moves by more than a day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Move = cls.env["account.move"]

    def _night(self, day=TODAY):
        with freeze_time(day):
            return self.Move._compute_expected_payment_dates_company(self.company, day)

    def _delay(self, partner):
        partner = partner.with_company(self.company)
        return partner.receivable_payment_history, partner.receivable_payment_delay

    def _history_10_and_40(self):
        """The customer paid 5 and 15 days late (10 on average), the chronic one 40 days late,
        on equal amounts: the company's average is 25."""
        self._paid_history(self.customer, 5, dates=[date(2024, 8, 1), date(2024, 10, 1)])
        self._paid_history(self.customer, 15, dates=[date(2024, 12, 2), date(2025, 2, 3)])
        self._paid_history(self.chronic, 40)

    def test_nightly_run_stores_company_and_customer_delays(self):
        self._history_10_and_40()
        self._night()
        self.assertEqual(self._delay(self.customer), (True, 10.0))
        self.assertEqual(self._delay(self.chronic), (True, 40.0))
        self.assertEqual(self._delay(self.newcomer), (False, 0.0), "no history")
        self.assertEqual(self.company.receivable_average_payment_delay, 25.0)
        # Another company does not see this company's delays.
        other = self.env["res.company"].create({"name": "Other Receivables Co"})
        self.assertEqual(
            (
                self.customer.with_company(other).receivable_payment_history,
                self.customer.with_company(other).receivable_payment_delay,
            ),
            (False, 0.0),
        )

    def test_posting_uses_the_stored_delays_only(self):
        self._history_10_and_40()
        self._night()
        # Paid 60 days late since last night: the stored delays do not know it yet.
        self._paid_history(self.customer, 60, dates=[date(2025, 3, 3)])
        with freeze_time(TODAY):
            own = self._due_invoice(800.0, TODAY + timedelta(days=30), invoice_date=TODAY)
            fallback = self._due_invoice(
                300.0, TODAY + timedelta(days=30), self.newcomer, invoice_date=TODAY
            )
        self.assertEqual(own.receivable_expected_payment_date, TODAY + timedelta(days=40))
        self.assertEqual(
            fallback.receivable_expected_payment_date,
            TODAY + timedelta(days=55),
            "the company's stored delay: due + 25",
        )
        # The posting path is one UPDATE that reads no payment history.
        query = self.Move._expected_dates_query(self.company, own.ids)
        for table in ("account_partial_reconcile", "account_move_line"):
            self.assertNotIn(table, query.code)
        own.receivable_expected_payment_date = False
        self.Move._compute_expected_payment_dates(own)  # warm the caches
        with self.assertQueryCount(1):
            self.Move._compute_expected_payment_dates(own)
        self.assertEqual(own.receivable_expected_payment_date, TODAY + timedelta(days=40))

    def test_second_night_without_payment_writes_nothing(self):
        self._history_10_and_40()
        overdue = self._open_invoice(self.customer, 200.0, TODAY - timedelta(days=30))
        self._open_invoice(self.newcomer, 100.0, TODAY + timedelta(days=10))
        self._night()
        self.assertEqual(overdue.receivable_expected_payment_date, TODAY - timedelta(days=20))
        next_day = TODAY + timedelta(days=1)
        with freeze_time(next_day):
            self.assertEqual(self.Move._store_payment_delays(self.company, next_day), 0)
        self.assertEqual(self._night(next_day), 0, "no invoice rewritten")
        # Past, and kept: not clamped to today.
        self.assertEqual(overdue.receivable_expected_payment_date, TODAY - timedelta(days=20))

    def test_delay_change_over_a_day_restores_the_customers_open_invoices(self):
        self._history_10_and_40()
        self._night()
        first = self._open_invoice(self.customer, 200.0, TODAY - timedelta(days=5))
        second = self._open_invoice(self.customer, 300.0, TODAY + timedelta(days=20))
        other = self._open_invoice(self.chronic, 400.0, TODAY + timedelta(days=20))
        self.assertEqual(first.receivable_expected_payment_date, TODAY + timedelta(days=5))
        # One more invoice paid 30 days late: (4 x 10 + 30) / 5 = 14 days, 4 more.
        self._paid_history(self.customer, 30, dates=[date(2025, 3, 3)])
        self.assertEqual(self._night(TODAY + timedelta(days=1)), 2, "the customer's two invoices")
        self.assertEqual(self._delay(self.customer), (True, 14.0))
        self.assertEqual(first.receivable_expected_payment_date, TODAY + timedelta(days=9))
        self.assertEqual(second.receivable_expected_payment_date, TODAY + timedelta(days=34))
        self.assertEqual(other.receivable_expected_payment_date, TODAY + timedelta(days=60))

    def test_delay_change_of_a_day_leaves_the_invoices_alone(self):
        self._history_10_and_40()
        self._night()
        invoice = self._open_invoice(self.customer, 200.0, TODAY + timedelta(days=20))
        self.assertEqual(invoice.receivable_expected_payment_date, TODAY + timedelta(days=30))
        # One more invoice paid 15 days late: (4 x 10 + 15) / 5 = 11 days, 1 more.
        self._paid_history(self.customer, 15, dates=[date(2025, 3, 3)])
        self.assertEqual(self._night(TODAY + timedelta(days=1)), 0)
        self.assertEqual(self._delay(self.customer), (True, 11.0), "the delay is stored")
        self.assertEqual(invoice.receivable_expected_payment_date, TODAY + timedelta(days=30))

    def test_company_delay_change_restores_customers_without_history(self):
        self._history_10_and_40()
        self._night()
        invoice = self._open_invoice(self.newcomer, 100.0, TODAY + timedelta(days=10))
        self.assertEqual(invoice.receivable_expected_payment_date, TODAY + timedelta(days=35))
        # The chronic customer pays 4 more invoices 80 days late: the company's average
        # becomes (4 x 10 + 4 x 40 + 4 x 80) / 12 = 43.33.
        self._paid_history(
            self.chronic,
            80,
            dates=[date(2024, 9, 2), date(2024, 11, 4), date(2025, 1, 6), date(2025, 3, 3)],
        )
        self._night(TODAY + timedelta(days=1))
        self.assertAlmostEqual(self.company.receivable_average_payment_delay, 43.33)
        self.assertEqual(invoice.receivable_expected_payment_date, TODAY + timedelta(days=53))

    def test_expected_date_past_shows_overdue(self):
        self._history_10_and_40()
        self._night()
        invoice = self._open_invoice(self.customer, 200.0, TODAY + timedelta(days=5))
        expected = TODAY + timedelta(days=15)
        self.assertEqual(invoice.receivable_expected_payment_date, expected)
        with freeze_time(expected):
            invoice.invalidate_recordset(["receivable_expected_payment_overdue"])
            self.assertFalse(invoice.receivable_expected_payment_overdue)
        with freeze_time(expected + timedelta(days=1)):
            invoice.invalidate_recordset(["receivable_expected_payment_overdue"])
            self.assertTrue(invoice.receivable_expected_payment_overdue, "expected date past")
            self.assertEqual(self._night(expected + timedelta(days=1)), 0, "date kept")
        self.assertEqual(invoice.receivable_expected_payment_date, expected)
        arch = self.Move.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="receivable_expected_payment_overdue"', arch)
        self.assertIn(">Overdue</span>", arch)
