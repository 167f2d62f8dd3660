"""Risk score formulas on hand-computed figures (no database)."""

from odoo.tests import BaseCase
from odoo.tests import tagged

from odoo.addons.account_receivable_control.models import risk_formulas as rf


@tagged("post_install", "-at_install")
class TestNormalisation(BaseCase):
    def test_caps(self):
        self.assertEqual(rf.norm_avg_late(0), 0.0)
        self.assertAlmostEqual(rf.norm_avg_late(22.5), 0.5)
        self.assertEqual(rf.norm_avg_late(200), 1.0)
        self.assertEqual(rf.norm_avg_late(None), 0.0)
        self.assertAlmostEqual(rf.norm_oldest_overdue(60), 0.5)
        self.assertEqual(rf.norm_oldest_overdue(500), 1.0)
        self.assertAlmostEqual(rf.norm_dunning(2), 0.5)
        self.assertEqual(rf.norm_dunning(9), 1.0)
        self.assertAlmostEqual(rf.norm_incidents(1), 0.5)
        self.assertEqual(rf.norm_incidents(5), 1.0)
        self.assertEqual(rf.norm_late_share(1.3), 1.0)

    def test_overdue_ratio(self):
        # 1,500 overdue on a 1,000 limit: ratio 1.5 / cap 2 = 0.75
        self.assertAlmostEqual(rf.norm_overdue_ratio(1500, 1000), 0.75)
        self.assertEqual(rf.norm_overdue_ratio(5000, 1000), 1.0)
        # No limit: nothing to compare with
        self.assertEqual(rf.norm_overdue_ratio(5000, 0), 0.0)
        self.assertEqual(rf.norm_overdue_ratio(0, 1000), 0.0)

    def test_trend(self):
        # 25 days late now, 10 before: (25 - 10) / 30 = 0.5
        self.assertAlmostEqual(rf.norm_trend(25, 10), 0.5)
        self.assertEqual(rf.norm_trend(5, 20), 0.0)  # improving
        self.assertEqual(rf.norm_trend(90, 0), 1.0)
        self.assertEqual(rf.norm_trend(25, None), 0.0)  # no previous window
        self.assertEqual(rf.norm_trend(None, 10), 0.0)

    def test_customer_age(self):
        self.assertEqual(rf.norm_new_customer(30), 1.0)
        self.assertEqual(rf.norm_new_customer(182), 1.0)
        self.assertEqual(rf.norm_new_customer(2000), 0.0)
        self.assertEqual(rf.norm_new_customer(None), 1.0)
        middle = (rf.NEW_CUSTOMER_DAYS + rf.ESTABLISHED_CUSTOMER_DAYS) / 2
        self.assertAlmostEqual(rf.norm_new_customer(middle), 0.5)


@tagged("post_install", "-at_install")
class TestScore(BaseCase):
    def test_all_safe_and_all_risky(self):
        safe = dict.fromkeys(rf.COMPONENTS, 0.0)
        self.assertEqual(rf.score(safe)[0], 0.0)
        risky = dict.fromkeys(rf.COMPONENTS, 1.0)
        value, contributions = rf.score(risky)
        self.assertEqual(value, 100.0)
        self.assertEqual(contributions, {k: float(w) for k, w in rf.DEFAULT_WEIGHTS.items()})

    def test_weighted_mean(self):
        # avg_late 0.5 x 35 + late_share 1.0 x 20 = 37.5 points out of 100
        value, contributions = rf.score({"avg_late": 0.5, "late_share": 1.0})
        self.assertEqual(value, 37.5)
        self.assertEqual(contributions["avg_late"], 17.5)
        self.assertEqual(contributions["late_share"], 20.0)

    def test_weights_need_not_sum_to_100(self):
        # 1 x 1 / 3 x 100 = 33.33; the two others 0
        value, contributions = rf.score(
            {"avg_late": 1.0}, {"avg_late": 1, "late_share": 1, "trend": 1}
        )
        self.assertEqual(value, 33.33)
        self.assertEqual(contributions["avg_late"], 33.33)

    def test_contributions_sum_exactly_to_the_score(self):
        # Three thirds: 33.333... each; rounding each gives 99.99, the score is 100.00.
        weights = {"avg_late": 1, "late_share": 1, "incidents": 1}
        value, contributions = rf.score(
            {"avg_late": 1.0, "late_share": 1.0, "incidents": 1.0}, weights
        )
        self.assertEqual(value, 100.0)
        self.assertEqual(round(sum(contributions.values()), 2), value)
        self.assertEqual(sorted(contributions.values())[-3:], [33.33, 33.33, 33.34])
        # Many awkward values
        for step in range(1, 60):
            components = {
                name: ((index + 1) * step % 17) / 17 for index, name in enumerate(rf.COMPONENTS)
            }
            weights = {name: (index * step) % 7 + 1 for index, name in enumerate(rf.COMPONENTS)}
            value, contributions = rf.score(components, weights)
            self.assertAlmostEqual(sum(contributions.values()), value, places=9)
            self.assertTrue(0 <= value <= 100)

    def test_zero_weights(self):
        value, contributions = rf.score({"avg_late": 1.0}, dict.fromkeys(rf.COMPONENTS, 0))
        self.assertEqual(value, 0.0)
        self.assertEqual(set(contributions.values()), {0.0})


@tagged("post_install", "-at_install")
class TestClasses(BaseCase):
    def test_default_bounds(self):
        self.assertEqual(rf.risk_class(0), "A")
        self.assertEqual(rf.risk_class(19.99), "A")
        self.assertEqual(rf.risk_class(20), "B")
        self.assertEqual(rf.risk_class(39.99), "B")
        self.assertEqual(rf.risk_class(40), "C")
        self.assertEqual(rf.risk_class(60), "D")
        self.assertEqual(rf.risk_class(80), "E")
        self.assertEqual(rf.risk_class(100), "E")

    def test_custom_bounds(self):
        self.assertEqual(rf.risk_class(15, "10,30,50,70"), "B")
        self.assertEqual(rf.risk_class(75, [10, 30, 50, 70]), "E")

    def test_invalid_bounds(self):
        for text in ("20,40,60", "40,20,60,80", "a,b,c,d", "0,40,60,80", "20,40,60,100"):
            with self.assertRaises(ValueError):
                rf.parse_bounds(text)


@tagged("post_install", "-at_install")
class TestEvaluate(BaseCase):
    def test_punctual_established_payer_is_a(self):
        raw = {
            "avg_late": 0.0,
            "late_share": 0.0,
            "overdue": 0.0,
            "credit_limit": 1000.0,
            "oldest_overdue": 0,
            "dunning_rank": 0,
            "incidents": 0,
            "prev_avg_late": 0.0,
            "age_days": 2000,
        }
        value, letter, contributions, _components = rf.evaluate(raw)
        self.assertEqual((value, letter), (0.0, "A"))
        self.assertEqual(sum(contributions.values()), 0.0)

    def test_chronic_late_payer_with_a_broken_promise(self):
        # 40 days late on every invoice: 40/45 x 35 = 31.11; all late: 20; 1 broken promise:
        # 1/2 x 10 = 5; customer for 1 year: (1096 - 365) / (1096 - 183) x 5 = 4.00
        raw = {
            "avg_late": 40.0,
            "late_share": 1.0,
            "overdue": 0.0,
            "credit_limit": 1000.0,
            "oldest_overdue": 0,
            "dunning_rank": 0,
            "incidents": 1,
            "prev_avg_late": None,
            "age_days": 365,
        }
        value, letter, contributions, _components = rf.evaluate(raw)
        self.assertEqual(contributions["avg_late"], 31.11)
        self.assertEqual(contributions["late_share"], 20.0)
        self.assertEqual(contributions["incidents"], 5.0)
        self.assertEqual(contributions["new_customer"], 4.0)
        self.assertEqual(value, 60.11)
        self.assertEqual(letter, "D")
