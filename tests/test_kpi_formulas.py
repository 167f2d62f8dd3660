"""Collection KPI formulas on worked examples (no database)."""

from odoo.tests import BaseCase
from odoo.tests import tagged

from odoo.addons.account_receivable_control.models import kpi_formulas as kpi


@tagged("post_install", "-at_install")
class TestDso(BaseCase):
    def test_dso_simple(self):
        # 150,000 receivable against 270,000 sales over 90 days: 150/270 x 90 = 50 days.
        self.assertAlmostEqual(kpi.dso_simple(150_000.0, 270_000.0, 90), 50.0)

    def test_dso_simple_without_sales_is_undefined(self):
        self.assertIsNone(kpi.dso_simple(1_000.0, 0.0, 90))
        self.assertIsNone(kpi.dso_simple(1_000.0, -50.0, 90), "net refunds: no meaning")

    def test_dso_countback_on_five_months(self):
        # Receivables 250,000 at the end of June; sales, newest first:
        #   June 100,000 (30 d), May 80,000 (31 d), April 60,000 (30 d),
        #   March 50,000 (31 d), February 40,000 (28 d).
        # June consumes 100,000 (150,000 left, 30 d), May 80,000 (70,000 left, 61 d),
        # April 60,000 (10,000 left, 91 d), March 10,000 of 50,000 → 31 x 0.2 = 6.2 d.
        # DSO = 97.2 days; February is not reached.
        months = [(100_000.0, 30), (80_000.0, 31), (60_000.0, 30), (50_000.0, 31), (40_000.0, 28)]
        self.assertAlmostEqual(kpi.dso_countback(250_000.0, months), 97.2)

    def test_dso_countback_within_the_first_month(self):
        # 15,000 of June's 100,000 (partial month: 15 days elapsed) → 15 x 0.15 = 2.25 days.
        self.assertAlmostEqual(kpi.dso_countback(15_000.0, [(100_000.0, 15), (1.0, 31)]), 2.25)

    def test_dso_countback_month_without_sales_counts_fully(self):
        # June has no sales (30 d), May's 50,000 hold the 25,000 → 30 + 31 x 0.5 = 45.5 days.
        self.assertAlmostEqual(kpi.dso_countback(25_000.0, [(0.0, 30), (50_000.0, 31)]), 45.5)

    def test_dso_countback_beyond_the_history(self):
        # 2 months of 30,000 (61 days, 60,000 sales → 983.61/day); 90,000 receivable:
        # 61 days for the history + 30,000 ÷ (60,000 ÷ 61) = 30.5 days → 91.5 days.
        self.assertAlmostEqual(kpi.dso_countback(90_000.0, [(30_000.0, 30), (30_000.0, 31)]), 91.5)

    def test_dso_countback_edge_cases(self):
        self.assertEqual(kpi.dso_countback(0.0, [(100.0, 30)]), 0.0)
        self.assertEqual(kpi.dso_countback(-10.0, []), 0.0, "a credit balance: 0 days")
        self.assertIsNone(kpi.dso_countback(100.0, []), "no history")
        self.assertIsNone(kpi.dso_countback(100.0, [(0.0, 30), (0.0, 31)]), "no sales")


@tagged("post_install", "-at_install")
class TestAddCei(BaseCase):
    def test_best_possible_dso_and_add(self):
        # Of the 150,000 receivable, 90,000 is not due yet; sales 270,000 over 90 days.
        # DSO = 50 days, best possible DSO = 90/270 x 90 = 30 days → ADD = 20 days late.
        dso = kpi.dso_simple(150_000.0, 270_000.0, 90)
        best = kpi.best_possible_dso(90_000.0, 270_000.0, 90)
        self.assertAlmostEqual(best, 30.0)
        self.assertAlmostEqual(kpi.average_days_delinquent(dso, best), 20.0)

    def test_add_undefined_when_a_dso_is(self):
        self.assertIsNone(kpi.average_days_delinquent(None, 10.0))
        self.assertIsNone(kpi.average_days_delinquent(10.0, None))

    def test_cei(self):
        # Opening AR 100,000, credit sales 300,000, closing AR 120,000 of which 80,000 current:
        # collected 100 + 300 - 120 = 280; collectible 100 + 300 - 80 = 320 → CEI 87.5 %.
        self.assertAlmostEqual(kpi.cei(100_000.0, 300_000.0, 120_000.0, 80_000.0), 87.5)

    def test_cei_perfect_and_undefined(self):
        # Everything collectible collected: closing AR is all current → 100 %.
        self.assertAlmostEqual(kpi.cei(50.0, 100.0, 30.0, 30.0), 100.0)
        # Nothing collectible (all current at the end): undefined, not a division error.
        self.assertIsNone(kpi.cei(0.0, 100.0, 100.0, 100.0))


@tagged("post_install", "-at_install")
class TestRatios(BaseCase):
    def test_ratio(self):
        # 30,000 overdue of 120,000 open → 25 %.
        self.assertAlmostEqual(kpi.ratio(30_000.0, 120_000.0), 0.25)
        self.assertIsNone(kpi.ratio(5.0, 0.0))
        self.assertIsNone(kpi.ratio(0.0, 0.0))

    def test_weighted_average(self):
        # 1,000 paid 10 days late and 3,000 paid 2 days early: (10,000 - 6,000) ÷ 4,000 = 1 day.
        self.assertAlmostEqual(kpi.weighted_average([(10, 1_000.0), (-2, 3_000.0)]), 1.0)
        self.assertIsNone(kpi.weighted_average([]))
