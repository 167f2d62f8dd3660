from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.addons.account_receivable_control.models.engine_mark import with_engine_mark

from .common import CONTROLLER
from .common import ReceivableCommon

# Queries of get_dashboard_data() from cold registry caches, whatever the number of customers
# and invoices: 4 KPI queries (receivables at 24 dates, daily sales, payment delays, dispute
# and promise amounts), 2 aging read_groups (buckets, dunning levels), the top debtors from the
# facts' open items, the Cash-in Forecast's own grouped query and the read of the currency it
# rounds with, 1 for the KPIs of the top debtors, the reads of their names and of the levels,
# the facts' lookups of the company's branches (once, then from the record cache) and of the
# partners' company defaults, and the one-off lookups of access rules, the aging action and
# its views.
DASHBOARD_QUERIES = 41


@tagged("post_install", "-at_install")
class TestReceivableKpi(ReceivableCommon):
    """A constructed ledger, seen on 30 June 2026 over the default 90-day period (2 April to
    30 June 2026); invoices without tax:

    ====  ===========  ======  ==========  ==========  ======================
    inv   customer     amount  date        due         paid
    ====  ===========  ======  ==========  ==========  ======================
    D     partner_b       500  2026-01-10  2026-02-09  no (> 90 days late)
    E     partner_b     1,500  2026-03-01  2026-03-31  2026-04-05 (5 d late)
    A     customer      1,000  2026-04-10  2026-05-10  2026-05-20 (10 d late)
    B     customer      3,000  2026-05-15  2026-06-14  no (16 d late), dispute
    C     customer      2,000  2026-06-20  2026-07-20  no (not due)
    ====  ===========  ======  ==========  ==========  ======================

    Credit sales of the period: A + B + C = 6,000. Opening AR (1 April): D + E = 2,000. Closing
    AR: B + C + D = 5,500, of which 2,000 not due (C), 3,500 overdue, 500 unpaid (D).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kpi = cls.env["receivable.kpi"]
        cls.debtor = cls.partner_b
        cls.inv_d = cls._kpi_invoice(500.0, "2026-01-10", "2026-02-09", cls.debtor)
        cls.inv_e = cls._kpi_invoice(1500.0, "2026-03-01", "2026-03-31", cls.debtor)
        cls.inv_a = cls._kpi_invoice(1000.0, "2026-04-10", "2026-05-10")
        cls.inv_b = cls._kpi_invoice(3000.0, "2026-05-15", "2026-06-14")
        cls.inv_c = cls._kpi_invoice(2000.0, "2026-06-20", "2026-07-20")
        cls._register_payment(cls.inv_e, payment_date="2026-04-05")
        cls._register_payment(cls.inv_a, payment_date="2026-05-20")
        cls.inv_b._open_dispute("Damaged")
        cls.level = cls.env["receivable.dunning.level"].create(
            {
                "policy_id": cls.policy.id,
                "name": "KPI reminder",
                "offset_days": 3,
                "mail_template_id": cls.env.ref(
                    "account_receivable_control.mail_template_reminder"
                ).id,
            }
        )
        with_engine_mark(cls.inv_d).receivable_dunning_level_id = cls.level
        with freeze_time("2026-06-25"):
            cls.env["receivable.promise"].create(
                {
                    "partner_id": cls.customer.id,
                    "company_id": cls.company.id,
                    "promise_date": "2026-07-10",
                    "amount": 800.0,
                }
            )

    @classmethod
    def _kpi_invoice(cls, amount, date, due, partner=None, **kwargs):
        return cls._due_invoice(amount, due, partner, invoice_date=date, date=date, **kwargs)

    def _company_kpis(self, **kwargs):
        with freeze_time("2026-06-30"):
            return self.kpi._compute_company_kpis(self.company, **kwargs)

    def test_company_kpis_countback(self):
        kpis = self._company_kpis()
        self.assertEqual(str(kpis["date_from"]), "2026-04-02")
        self.assertEqual(kpis["period_days"], 90)
        amounts = {
            "credit_sales": 6000.0,
            "opening_receivables": 2000.0,
            "receivables": 5500.0,
            "current_receivables": 2000.0,
            "overdue_receivables": 3500.0,
            "unpaid_receivables": 500.0,
            "dispute_amount": 3000.0,
            "promised_amount": 800.0,
        }
        for key, value in amounts.items():
            self.assertAlmostEqual(kpis[key], value, msg=key)
        # Countback of 5,500: June 2,000 (30 d), May 3,000 (31 d), then 500 of April's 1,000
        # (15 of its 30 d) = 76 days. Not due 2,000 = all of June's sales = 30 days. ADD 46.
        self.assertAlmostEqual(kpis["dso"], 76.0)
        self.assertAlmostEqual(kpis["dso_countback"], 76.0)
        self.assertAlmostEqual(kpis["best_possible_dso"], 30.0)
        self.assertAlmostEqual(kpis["add"], 46.0)
        # Simple DSO (reported either way): 5,500 / 6,000 x 90 = 82.5 days.
        self.assertAlmostEqual(kpis["dso_simple"], 82.5)
        # CEI = (2,000 + 6,000 - 5,500) / (2,000 + 6,000 - 2,000) = 41.67 %.
        self.assertAlmostEqual(kpis["cei"], 2500.0 / 6000.0 * 100.0)
        self.assertAlmostEqual(kpis["overdue_rate"], 3500.0 / 5500.0)
        self.assertAlmostEqual(kpis["unpaid_rate"], 500.0 / 5500.0)
        # Paid in the period: E 5 days late on 1,500, A 10 days late on 1,000 → 7 days.
        self.assertAlmostEqual(kpis["average_payment_delay"], 7.0)

    def test_company_kpis_simple_method(self):
        self.company.receivable_dso_method = "simple"
        kpis = self._company_kpis()
        # 5,500 / 6,000 x 90 = 82.5; best 2,000 / 6,000 x 90 = 30; ADD 52.5.
        self.assertAlmostEqual(kpis["dso"], 82.5)
        self.assertAlmostEqual(kpis["best_possible_dso"], 30.0)
        self.assertAlmostEqual(kpis["add"], 52.5)

    def test_unpaid_threshold_setting(self):
        # 16 days late (B) and 141 days late (D) are both "unpaid" beyond 15 days.
        self.company.receivable_unpaid_days = 15
        self.assertAlmostEqual(self._company_kpis()["unpaid_receivables"], 3500.0)

    def test_monthly_trend(self):
        with freeze_time("2026-06-30"):
            trend = self.kpi._compute_monthly_trend(self.company)
        self.assertEqual(len(trend), 12)
        self.assertEqual(str(trend[0]["date_to"]), "2025-07-31")
        self.assertEqual(str(trend[-1]["date_to"]), "2026-06-30")
        by_month = {str(point["date_to"]): point for point in trend}
        # At 31 March: D and E open (E paid on 5 April); at 30 April: D and A.
        self.assertAlmostEqual(by_month["2026-03-31"]["receivables"], 2000.0)
        self.assertAlmostEqual(by_month["2026-04-30"]["receivables"], 1500.0)
        self.assertAlmostEqual(by_month["2026-04-30"]["current_receivables"], 1000.0)
        self.assertAlmostEqual(by_month["2025-12-31"]["receivables"], 0.0)
        self.assertIsNone(by_month["2025-12-31"]["cei"], "nothing collectible")
        self.assertAlmostEqual(trend[-1]["dso"], 76.0, msg="the last point is today's KPIs")

    def test_partner_kpis(self):
        with freeze_time("2026-06-30"):
            kpis = self.kpi._compute_partner_kpis(self.customer | self.contact | self.debtor)
        self.assertEqual(set(kpis), {self.customer.id, self.debtor.id})
        # Customer: 5,000 open; June 2,000 (30 d) + May 3,000 (31 d) = 61 days; A 10 days late.
        self.assertAlmostEqual(kpis[self.customer.id]["receivables"], 5000.0)
        self.assertAlmostEqual(kpis[self.customer.id]["dso"], 61.0)
        self.assertAlmostEqual(kpis[self.customer.id]["average_payment_delay"], 10.0)
        # Debtor: 500 open; no sales from April to June (91 d), then 500 of March's 1,500.
        self.assertAlmostEqual(kpis[self.debtor.id]["dso"], 91.0 + 31.0 / 3.0)
        self.assertAlmostEqual(kpis[self.debtor.id]["average_payment_delay"], 5.0)

    def test_dashboard_data(self):
        with freeze_time("2026-06-30"):
            data = self.kpi.with_user(self.controller).get_dashboard_data()
        cards = {card["key"]: card for card in data["kpis"]}
        self.assertAlmostEqual(cards["dso"]["value"], 76.0)
        self.assertEqual(len(cards["dso"]["trend"]), 12)
        self.assertAlmostEqual(cards["dispute_amount"]["value"], 3000.0)
        self.assertEqual(cards["dispute_amount"]["trend"], [], "live only")
        self.assertEqual(len(data["months"]), 12)
        self.assertIn(("dispute", "=", True), cards["dispute_amount"]["action"]["domain"])
        aging = {row["key"]: row["amount"] for row in data["aging"]}
        self.assertEqual(aging, {"b0": 2000.0, "b1": 3000.0, "b2": 0.0, "b3": 0.0, "b4": 500.0})
        self.assertEqual(
            [(row["partner_id"], row["amount"], row["overdue"]) for row in data["top_debtors"]],
            [(self.customer.id, 5000.0, 3000.0), (self.debtor.id, 500.0, 500.0)],
        )
        self.assertAlmostEqual(data["top_debtors"][0]["dso"], 61.0)
        dunning = {row["level_id"]: row["amount"] for row in data["dunning"]}
        self.assertEqual(dunning, {False: 5000.0, self.level.id: 500.0})
        # Forecast: the Cash-in Forecast's own figures, its weeks and Later that expect money.
        with freeze_time("2026-06-30"):
            screen = self.env["receivable.cash.forecast"].with_user(self.controller)
            slots = screen.get_forecast_data()
        self.assertAlmostEqual(data["forecast"]["overdue"]["amount"], slots[0]["amount"])
        self.assertEqual(
            [(week["label"], week["amount"]) for week in data["forecast"]["weeks"]],
            [(slot["label"], slot["amount"]) for slot in slots[1:] if slot["amount"]],
        )
        self.assertAlmostEqual(
            data["forecast"]["overdue"]["amount"]
            + sum(week["amount"] for week in data["forecast"]["weeks"]),
            sum(row["amount"] for row in data["aging"]),
            msg="the forecast places every open receivable",
        )
        # Every figure opens its records.
        aging = self.env["receivable.aging"]
        items = self.env["account.move.line"]
        with freeze_time("2026-06-30"):
            week = data["forecast"]["weeks"][0]
            self.assertEqual(items.search(week["action"]["domain"]).move_id, self.inv_c)
            rows = aging.search(data["aging"][-1]["action"]["domain"])
            self.assertEqual(rows.move_id, self.inv_d)
        paid = self.env["account.move"].search(cards["average_payment_delay"]["action"]["domain"])
        self.assertEqual(paid, self.inv_a | self.inv_e)

    def test_top_debtors_overdue_is_the_facts_overdue(self):
        # An open credit note past its date (overdue, it nets the customer's overdue part) and
        # an opening balance booked in a branch (the company's receivables include its
        # branches').
        self._kpi_invoice(400.0, "2026-06-01", "2026-06-01", move_type="out_refund")
        branch = self.env["res.company"].create({"name": "Branch", "parent_id": self.company.id})
        journal = self.env["account.journal"].create(
            {"name": "Branch Misc", "type": "general", "code": "BRM", "company_id": branch.id}
        )
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "company_id": branch.id,
                "journal_id": journal.id,
                "date": "2026-05-01",
                "line_ids": [
                    Command.create(
                        {
                            "name": "Opening balance",
                            "account_id": self.company_data["default_account_receivable"].id,
                            "partner_id": self.customer.id,
                            "debit": 700.0,
                            "date_maturity": "2026-05-31",
                        }
                    ),
                    Command.create(
                        {
                            "name": "Opening balance",
                            "account_id": self.company_data["default_account_revenue"].id,
                            "credit": 700.0,
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        with freeze_time("2026-06-30"):
            data = self.kpi.with_user(self.controller).get_dashboard_data()
            positions = self.env["receivable.facts"]._positions(
                self.company, (self.customer | self.debtor).ids
            )
        top = {row["partner_id"]: row for row in data["top_debtors"]}
        self.assertEqual(set(top), {self.customer.id, self.debtor.id})
        # Customer: B 3,000 + the branch's 700 overdue, less the credit note's 400.
        self.assertAlmostEqual(top[self.customer.id]["overdue"], 3300.0)
        self.assertAlmostEqual(top[self.customer.id]["amount"], 5300.0)
        for partner_id, row in top.items():
            self.assertAlmostEqual(row["overdue"], positions[partner_id]["overdue_amount"])
            self.assertAlmostEqual(row["amount"], positions[partner_id]["open_amount"])

    def test_dashboard_is_for_credit_controllers(self):
        with self.assertRaises(AccessError):
            self.kpi.with_user(self.invoicing_user).get_dashboard_data()

    def _assert_dashboard_queries(self):
        """get_dashboard_data() of a Credit Controller runs DASHBOARD_QUERIES queries, from
        empty caches (records and registry: xml ids, access rules, views) but for the user and
        its companies, read first, so the count does not depend on what ran before."""
        kpi = self.kpi.with_user(self.controller)
        with freeze_time("2026-06-30"):
            self.env.invalidate_all()
            self.env.registry.clear_all_caches()
            user = kpi.env.user
            user.fetch()
            # env.company is kept on the environment: warm the user's companies it reads.
            user._get_company_ids()
            user.partner_id.fetch()
            kpi.env.company.fetch()
            kpi.env.companies.fetch()
            self.env.flush_all()
            with self.assertQueryCount(DASHBOARD_QUERIES, flush=False):
                return kpi.get_dashboard_data()

    def test_dashboard_query_count_is_fixed(self):
        self._assert_dashboard_queries()
        # Ten more customers, with open, paid and disputed invoices: same number of queries.
        partners = self.env["res.partner"].create(
            [{"name": f"Extra Customer {index}", "is_company": True} for index in range(10)]
        )
        for index, partner in enumerate(partners):
            invoices = self._kpi_invoice(100.0 + index, "2026-03-15", "2026-04-14", partner)
            invoices |= self._kpi_invoice(200.0, "2026-05-20", "2026-07-19", partner)
            paid = self._kpi_invoice(300.0, "2026-04-20", "2026-05-20", partner)
            self._register_payment(paid, payment_date="2026-06-01")
            if index % 2 == 0:
                invoices[0]._open_dispute("Short delivery")
            # As the dunning run records a reminder sent at that level.
            with_engine_mark(invoices[1]).receivable_dunning_level_id = self.level
        data = self._assert_dashboard_queries()
        self.assertEqual(len(data["top_debtors"]), 10)


@tagged("post_install", "-at_install")
class TestReceivablesOverviewTour(AccountTestInvoicingHttpCommon):
    def test_controller_opens_a_figure_of_the_overview(self):
        company = self.company_data["company"]
        controller = new_test_user(
            self.env,
            login="arc_tour_overview",
            groups=CONTROLLER,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        customer = self.env["res.partner"].create(
            {"name": "Overview Tour Customer", "is_company": True}
        )
        self._create_invoice_one_line(
            price_unit=4200.0,
            partner_id=customer.id,
            invoice_payment_term_id=False,
            post=True,
        )
        self.start_tour(
            "/odoo/action-account_receivable_control.action_receivables_overview",
            "account_receivable_control_receivables_overview",
            login=controller.login,
        )
