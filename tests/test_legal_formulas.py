"""Worked examples of the French and Belgian late-payment formulas (no database).

Each expected value is computed by hand in the comment above its assertion.
"""

from datetime import date

import holidays

from odoo.tests import BaseCase
from odoo.tests import tagged

from odoo.addons.account_receivable_control.models import legal_formulas as lf

# ECB main refinancing operations rate applicable on 1 January / 1 July (percent).
ECB_RATES = {
    date(2024, 1, 1): 4.50,
    date(2024, 7, 1): 4.25,
    date(2025, 1, 1): 3.15,
    date(2025, 7, 1): 2.15,
}


def fr_b2b_rate_for(half_year_start):
    return lf.fr_b2b_rate(ECB_RATES[half_year_start])


@tagged("post_install", "-at_install")
class TestFrenchB2BInterest(BaseCase):
    def test_interest_over_a_half_year_boundary_uses_both_ecb_rates(self):
        # €10,000 due 2024-05-15, claimed until 2024-08-14.
        # H1 2024: ECB 4.50 + 10 = 14.50 %; 16 May-30 Jun = 16 + 30 = 46 days.
        # H2 2024: ECB 4.25 + 10 = 14.25 %; 1 Jul-14 Aug = 31 + 14 = 45 days.
        # 10000 x 14.50 % x 46 / 365 = 66700 / 365 = 182.7397…
        # 10000 x 14.25 % x 45 / 365 = 64125 / 365 = 175.6849…
        # total = 130825 / 365 = 358.4246… → 358.42
        interest, periods = lf.late_interest(
            10000.0, date(2024, 5, 15), date(2024, 8, 14), fr_b2b_rate_for
        )
        self.assertEqual(
            periods,
            [
                (date(2024, 5, 16), date(2024, 6, 30), 46, 14.5),
                (date(2024, 7, 1), date(2024, 8, 14), 45, 14.25),
            ],
        )
        self.assertAlmostEqual(interest, 130825 / 365, places=9)
        self.assertEqual(round(interest, 2), 358.42)

    def test_default_rate_is_ecb_plus_ten_points(self):
        # 4.50 + 10 = 14.50; 2.15 + 10 = 12.15
        self.assertEqual(lf.fr_b2b_rate(4.50), 14.5)
        self.assertAlmostEqual(lf.fr_b2b_rate(2.15), 12.15, places=9)

    def test_contract_rate_below_three_times_legal_rate_is_refused(self):
        # H1 2026 legal rate (other cases) 2.62 % → floor 3 x 2.62 = 7.86 %
        with self.assertRaises(ValueError):
            lf.fr_b2b_rate(2.15, contract_rate=7.85, legal_rate=2.62)
        # 2022 H1 legal rate 0.76 % → floor 2.28 %
        with self.assertRaises(ValueError):
            lf.fr_b2b_rate(0.0, contract_rate=2.27, legal_rate=0.76)

    def test_contract_rate_at_or_above_three_times_legal_rate_is_accepted(self):
        # exactly 7.86 = 3 x 2.62, and above it
        self.assertEqual(lf.fr_b2b_rate(2.15, contract_rate=7.86, legal_rate=2.62), 7.86)
        self.assertEqual(lf.fr_b2b_rate(2.15, contract_rate=9.0, legal_rate=2.62), 9.0)
        # exactly 2.28 = 3 x 0.76 (2.2800000000000002 in binary floating point)
        self.assertEqual(lf.fr_b2b_rate(0.0, contract_rate=2.28, legal_rate=0.76), 2.28)

    def test_recovery_compensation_is_forty_euros(self):
        # Code de commerce D441-5: €40 (once per invoice: tested with the database)
        self.assertEqual(lf.RECOVERY_COMPENSATION, 40.0)


@tagged("post_install", "-at_install")
class TestBelgianB2BRate(BaseCase):
    def test_ecb_plus_eight_rounded_up_to_the_half_point(self):
        cases = [
            (4.50, 12.5),  # 12.50 already on a half point
            (4.25, 12.5),  # 12.25 → 12.5
            (3.15, 11.5),  # 11.15 → 11.5
            (2.15, 10.5),  # 10.15 → 10.5
            (2.0, 10.0),  # 10.00 exact: stays
            (0.0, 8.0),  # 8.00 exact: stays
        ]
        for ecb, expected in cases:
            with self.subTest(ecb=ecb):
                self.assertEqual(lf.be_b2b_rate(ecb), expected)

    def test_round_up_to_half_point(self):
        # 12.15 → 12.5; 12.5 → 12.5; 12.51 → 13.0; 12.0 → 12.0
        self.assertEqual(lf.round_up_to_half_point(12.15), 12.5)
        self.assertEqual(lf.round_up_to_half_point(12.5), 12.5)
        self.assertEqual(lf.round_up_to_half_point(12.51), 13.0)
        self.assertEqual(lf.round_up_to_half_point(12.0), 12.0)


@tagged("post_install", "-at_install")
class TestBelgianB2CLumpSum(BaseCase):
    def test_caps_by_amount_due(self):
        cases = [
            (0.0, 0.0),  # nothing due, nothing charged
            (100.0, 20.0),  # ≤ 150 → 20
            (150.0, 20.0),  # ≤ 150 → 20
            (150.01, 30.0),  # 30 + 10 % x 0.01 = 30.001 → 30.00
            (400.0, 55.0),  # 30 + 10 % x 250 = 55
            (500.0, 65.0),  # 30 + 10 % x 350 = 65
            (600.0, 70.0),  # 65 + 5 % x 100 = 70
            (40000.0, 2000.0),  # 65 + 5 % x 39,500 = 2,040 → capped at 2,000
        ]
        for amount_due, expected in cases:
            with self.subTest(amount_due=amount_due):
                self.assertEqual(lf.be_b2c_lump_sum(amount_due), expected)


@tagged("post_install", "-at_install")
class TestBelgianB2CWindow(BaseCase):
    def test_letter_window_skips_weekend_and_easter_monday(self):
        be_holidays = holidays.country_holidays("BE", years=2026)
        self.assertIn(date(2026, 4, 6), be_holidays)  # Easter Monday
        # Letter posted Thursday 2026-04-02. Working days after posting:
        # Fri 04-03 (1), [Sat, Sun, Easter Monday skipped], Tue 04-07 (2), Wed 04-08 (3).
        # Window: 04-08 + 13 days = 04-21 (14 days); fees allowed from 04-22.
        start, end = lf.be_b2c_window(date(2026, 4, 2), by_letter=True, holidays=be_holidays)
        self.assertEqual(start, date(2026, 4, 8))
        self.assertEqual(end, date(2026, 4, 21))
        self.assertEqual((end - start).days + 1, 14)

    def test_email_window_starts_the_next_day(self):
        # Email sent 2026-04-02 → window 04-03 … 04-03 + 13 days = 04-16
        be_holidays = holidays.country_holidays("BE", years=2026)
        start, end = lf.be_b2c_window(date(2026, 4, 2), by_letter=False, holidays=be_holidays)
        self.assertEqual((start, end), (date(2026, 4, 3), date(2026, 4, 16)))

    def test_add_working_days_without_holidays_skips_the_weekend_only(self):
        # Thu 2026-04-02 + 3 working days: Fri 03, Mon 06, Tue 07
        self.assertEqual(lf.add_working_days(date(2026, 4, 2), 3), date(2026, 4, 7))


@tagged("post_install", "-at_install")
class TestInterestPeriods(BaseCase):
    def test_no_interest_until_the_day_after_the_due_date(self):
        # until = due date, or before it: no day of delay
        for until in (date(2024, 5, 15), date(2024, 5, 1)):
            with self.subTest(until=until):
                self.assertEqual(
                    lf.late_interest(1000.0, date(2024, 5, 15), until, fr_b2b_rate_for),
                    (0.0, []),
                )

    def test_one_day_late(self):
        # 1000 x 14.50 % x 1 / 365 = 145 / 365 = 0.3972… → 0.40
        interest, periods = lf.late_interest(
            1000.0, date(2024, 5, 15), date(2024, 5, 16), fr_b2b_rate_for
        )
        self.assertEqual(periods, [(date(2024, 5, 16), date(2024, 5, 16), 1, 14.5)])
        self.assertEqual(round(interest, 2), 0.40)

    def test_full_year_at_constant_rate_is_amount_times_rate(self):
        # €1,000 due 2024-12-31, until 2025-12-31, constant 10 %:
        # 181 days (1 Jan-30 Jun) + 184 days (1 Jul-31 Dec) = 365 days
        # 1000 x 10 % x 365 / 365 = 100.00
        interest, periods = lf.late_interest(
            1000.0, date(2024, 12, 31), date(2025, 12, 31), lambda _start: 10.0
        )
        self.assertEqual(
            periods,
            [
                (date(2025, 1, 1), date(2025, 6, 30), 181, 10.0),
                (date(2025, 7, 1), date(2025, 12, 31), 184, 10.0),
            ],
        )
        self.assertAlmostEqual(interest, 100.0, places=9)

    def test_three_half_years_split_with_their_own_rates(self):
        # €10,000 due 2024-03-31, until 2025-03-31:
        # 1 Apr-30 Jun 2024 = 30 + 31 + 30 = 91 days at 14.50 %
        # 1 Jul-31 Dec 2024 = 184 days at 14.25 %
        # 1 Jan-31 Mar 2025 = 31 + 28 + 31 = 90 days at 13.15 % (ECB 3.15 + 10)
        # 10000 / 100 / 365 x (14.5 x 91 + 14.25 x 184 + 13.15 x 90)
        # = 100 / 365 x (1319.5 + 2622 + 1183.5) = 512500 / 365 = 1404.1095… → 1404.11
        interest, periods = lf.late_interest(
            10000.0, date(2024, 3, 31), date(2025, 3, 31), fr_b2b_rate_for
        )
        self.assertEqual(
            [p[:3] for p in periods],
            [
                (date(2024, 4, 1), date(2024, 6, 30), 91),
                (date(2024, 7, 1), date(2024, 12, 31), 184),
                (date(2025, 1, 1), date(2025, 3, 31), 90),
            ],
        )
        self.assertEqual([p[3] for p in periods], [14.5, 14.25, lf.fr_b2b_rate(3.15)])
        self.assertAlmostEqual(interest, 512500 / 365, places=9)
        self.assertEqual(round(interest, 2), 1404.11)

    def test_interest_periods_split_by_half_year(self):
        # 2024-06-30 … 2024-07-01: one day in each half-year
        self.assertEqual(
            lf.interest_periods(date(2024, 6, 30), date(2024, 7, 1), fr_b2b_rate_for),
            [
                (date(2024, 6, 30), date(2024, 6, 30), 1, 14.5),
                (date(2024, 7, 1), date(2024, 7, 1), 1, 14.25),
            ],
        )
