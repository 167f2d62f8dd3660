"""The aged receivables as the web client reads them: the list grouped by customer (a page of
groups and their number), the pivot (customers x bucket measures) and the currency aggregates
the client adds to every amount. The model answers them its own way for speed (the mixin
``receivable.grouped.read.mixin`` and the aging's hooks); these tests check that what a user
sees is what Odoo's generic code gives: the methods of the classes above the mixin (``ODOO``)."""

import gc
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo import fields
from odoo.tests import tagged

from odoo.addons.account_receivable_control.models.receivable_grouped_read import (
    ReceivableGroupedReadMixin,
)

from .common import ReceivableCommon

TODAY = "2024-06-30"
# ``super(ODOO, aging)``: Odoo's generic grouped reads, without the aging's and the mixin's.
ODOO = ReceivableGroupedReadMixin


@tagged("post_install", "-at_install")
class TestAgingWebClient(ReceivableCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.atelier = Partner.create({"name": "Atelier Blanc", "is_company": True})
        cls.zeta = Partner.create({"name": "Zeta Industries", "is_company": True})
        # An individual with a free-text company name: labelled "Dupont SARL, Jean Dupont".
        cls.dupont = Partner.create({"name": "Jean Dupont", "company_name": "Dupont SARL"})

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _late_invoice(self, amount, days_late, partner, **kwargs):
        due = fields.Date.to_date(TODAY) - timedelta(days=days_late)
        return self._due_invoice(amount, due, partner, **kwargs)

    def _ledger(self):
        """Amounts with an exact binary value, so that sums compare exactly."""
        self._late_invoice(1000.0, -5, self.atelier)  # not due
        self._late_invoice(250.5, 45, self.atelier)  # 31-60
        self._late_invoice(400.0, 10, self.zeta)  # 1-30
        self._late_invoice(600.25, 120, self.zeta)  # > 90
        self._late_invoice(75.0, 70, self.dupont)  # 61-90

    def _aging(self, user=None):
        return self.env["receivable.aging"].with_user(user or self.controller)

    @staticmethod
    def _list_aggregates(aging):
        """The aggregates the web client's list asks for (web/static/src/model/
        relational_model/utils.js, getAggregateSpecifications), from ``fields_get``."""
        fields_info = aging.fields_get(attributes=["type", "aggregator", "currency_field"])
        aggregated = {
            name: info
            for name, info in fields_info.items()
            if info.get("aggregator") and info["type"] in ("integer", "float", "monetary")
        }
        specs = [f"{name}:{info['aggregator']}" for name, info in aggregated.items()]
        for name, info in aggregated.items():
            if info.get("currency_field"):
                specs += [f"{info['currency_field']}:array_agg_distinct", f"{name}:sum_currency"]
        return list(dict.fromkeys(specs))

    @staticmethod
    def _pivot_request(aging):
        """The measures of the shipped pivot as the web client sends them
        (web/static/src/views/pivot/pivot_model.js, _getMeasureSpecs), with the count."""
        arch = etree.fromstring(aging.get_views([(False, "pivot")])["views"]["pivot"]["arch"])
        measures = [node.get("name") for node in arch.xpath("//field[@type='measure']")]
        rows = [node.get("name") for node in arch.xpath("//field[@type='row']")]
        specs = [
            spec
            for name in measures
            for spec in (
                f"{name}:sum",
                "company_currency_id:array_agg_distinct",
                f"{name}:sum_currency",
            )
        ]
        return measures, rows, [*specs, "__count"]

    @contextmanager
    def _queries(self):
        """The SQL run in the block."""
        queries = []
        execute = self.env.cr.execute

        def spy(query, params=None, log_exceptions=True):
            queries.append(str(query))
            return execute(query, params, log_exceptions)

        with patch.object(self.env.cr, "execute", spy):
            yield queries

    @staticmethod
    def _odoo_grouping_sets(aging, grouping_sets, aggregates, order):
        """Odoo's generic GROUPING SETS query and formatting, without this model's shortcuts."""
        generic = super(ODOO, aging)
        sets = [tuple(groupby) for groupby in grouping_sets]
        rows = generic._read_grouping_sets([], sets, tuple(aggregates), order=order)
        return [
            generic._web_read_group_format(groupby, tuple(aggregates), groups)
            for groupby, groups in zip(sets, rows, strict=True)
        ]

    # ------------------------------------------------------------------------------------------
    # The list grouped by customer
    # ------------------------------------------------------------------------------------------
    def test_list_pages_and_group_count(self):
        with freeze_time(TODAY):
            self._ledger()
            aging = self._aging()
            specs = self._list_aggregates(aging)
            self.assertIn("amount_b4:sum", specs)
            self.assertNotIn("amount_b5:sum", specs, "a bucket the company does not use")

            everything = aging.web_read_group([], ["partner_id"], specs)
            self.assertEqual(
                [group["partner_id"] for group in everything["groups"]],
                [
                    (self.atelier.id, "Atelier Blanc"),
                    (self.dupont.id, "Dupont SARL, Jean Dupont"),
                    (self.zeta.id, "Zeta Industries"),
                ],
                "by customer name, labelled with its display name",
            )
            self.assertEqual(self.dupont.display_name, "Dupont SARL, Jean Dupont")
            zeta = everything["groups"][2]
            self.assertEqual(
                [zeta[f"amount_b{index}:sum"] for index in range(5)],
                [0.0, 400.0, 0.0, 0.0, 600.25],
            )
            self.assertEqual(zeta["amount_residual:sum"], 1000.25)
            self.assertEqual(zeta["company_currency_id:array_agg_distinct"], [self.currency.id])
            self.assertEqual(zeta["amount_residual:sum_currency"], 1000.25)
            self.assertEqual(zeta["__extra_domain"], [("partner_id", "=", self.zeta.id)])
            self.assertEqual(zeta["__count"], 2)

            # The pager: a page of two groups, and the number of all of them.
            first = aging.web_read_group([], ["partner_id"], specs, limit=2)
            self.assertEqual(first["length"], 3)
            self.assertEqual(first["groups"], everything["groups"][:2])
            last = aging.web_read_group([], ["partner_id"], specs, limit=2, offset=2)
            self.assertEqual((last["groups"], last["length"]), (everything["groups"][2:], 3))
            past = aging.web_read_group([], ["partner_id"], specs, limit=2, offset=4)
            self.assertEqual((past["groups"], past["length"]), ([], 0), "as Odoo says")
            filtered = aging.web_read_group([("days_overdue", ">", 60)], ["partner_id"], specs, 1)
            self.assertEqual(filtered["length"], 2, "Dupont (70 days) and Zeta (120 days)")

            # Odoo's own way counts the same groups.
            __, length = super(ODOO, aging)._formatted_read_group_with_length(
                [], ["partner_id"], specs, limit=2, order="partner_id"
            )
            self.assertEqual(length, 3)

    def test_group_formatting_is_odoos(self):
        """The customers' groups are formatted like Odoo's generic code does; other groupings
        and the address/email contexts go through it."""
        with freeze_time(TODAY):
            self._ledger()
            aging = self._aging()
            specs = self._list_aggregates(aging)
            generic = super(ODOO, aging)
            for groupby in (("partner_id",), ("bucket",), ("partner_id", "bucket")):
                rows = aging._read_group([], groupby, specs, order=", ".join(groupby))
                self.assertEqual(
                    aging._web_read_group_format(groupby, tuple(specs), rows),
                    generic._web_read_group_format(groupby, tuple(specs), rows),
                    groupby,
                )
            rows = aging._read_group([], ["partner_id"], ["__count"])
            with_email = aging.with_context(show_email=True)
            self.assertEqual(
                with_email._web_read_group_format(("partner_id",), ("__count",), rows),
                super(ODOO, with_email)._web_read_group_format(("partner_id",), ("__count",), rows),
            )

    # ------------------------------------------------------------------------------------------
    # The pivot
    # ------------------------------------------------------------------------------------------
    def test_pivot_as_shipped(self):
        with freeze_time(TODAY):
            self._ledger()
            aging = self._aging()
            measures, rows, specs = self._pivot_request(aging)
            self.assertEqual(rows, ["partner_id"])
            self.assertEqual(
                measures,
                [
                    "amount_b0",
                    "amount_b1",
                    "amount_b2",
                    "amount_b3",
                    "amount_b4",
                    "amount_residual",
                ],
                "one measure per bucket of the company, and the total",
            )
            total, by_customer = aging.formatted_read_grouping_sets([], [[], ["partner_id"]], specs)
            self.assertEqual(
                [group["partner_id"][1] for group in by_customer],
                ["Atelier Blanc", "Dupont SARL, Jean Dupont", "Zeta Industries"],
            )
            self.assertEqual(
                [total[0][f"{name}:sum"] for name in measures],
                [1000.0, 400.0, 250.5, 75.0, 600.25, 2325.75],
            )
            self.assertEqual(total[0]["__count"], 5)
            self.assertEqual(total[0]["company_currency_id:array_agg_distinct"], [self.currency.id])
            self.assertEqual(total[0]["amount_b4:sum_currency"], 600.25)
            self.assertEqual(
                [total, by_customer],
                self._odoo_grouping_sets(aging, [[], ["partner_id"]], specs, "partner_id"),
                "the same groups, values and order as Odoo's GROUPING SETS",
            )

    def test_pivot_other_layouts_same_as_odoo(self):
        """Buckets moved to the columns, customers under the salesperson, a filter: the same
        result as Odoo's query (rolled up in Python or not)."""
        with freeze_time(TODAY):
            self._ledger()
            aging = self._aging()
            specs = [
                "amount_residual:sum",
                "company_currency_id:array_agg_distinct",
                "amount_residual:sum_currency",
                "__count",
            ]
            layouts = [
                ([[], ["bucket"], ["partner_id"], ["partner_id", "bucket"]], None),
                ([[], ["invoice_user_id"], ["invoice_user_id", "partner_id"]], None),
                ([["partner_id"], ["partner_id", "bucket"]], None),
                ([[], ["partner_id"], ["partner_id", "bucket"]], "partner_id desc, bucket"),
                ([[], ["bucket"], ["bucket", "date_maturity:month"]], "bucket desc nulls last"),
                ([[], ["move_type"], ["move_type", "days_overdue"]], None),
            ]
            for grouping_sets, order in layouts:
                default = ", ".join(dict.fromkeys(spec for s in grouping_sets for spec in s))
                with self._queries() as queries:
                    ours = aging.formatted_read_grouping_sets([], grouping_sets, specs, order=order)
                self.assertFalse([q for q in queries if "GROUPING SETS" in q], "rolled up")
                self.assertEqual(
                    ours,
                    self._odoo_grouping_sets(aging, grouping_sets, specs, order or default),
                    (grouping_sets, order),
                )
            overdue = aging.formatted_read_grouping_sets(
                [("days_overdue", ">", 0)], [[], ["partner_id"]], ["amount_residual:sum"]
            )
            self.assertEqual(overdue[0][0]["amount_residual:sum"], 1325.75)
            self.assertEqual(len(overdue[1]), 3)
            with self._queries() as queries:
                average = aging.formatted_read_grouping_sets(
                    [], [[], ["partner_id"]], ["amount_residual:avg"]
                )
            self.assertTrue([q for q in queries if "GROUPING SETS" in q], "Odoo's query")
            # Week days follow the language's first day of the week: Odoo's query too.
            weekdays = [[], ["date_maturity:day_of_week"]]
            with self._queries() as queries:
                ours = aging.formatted_read_grouping_sets([], weekdays, specs)
            self.assertTrue([q for q in queries if "GROUPING SETS" in q])
            self.assertEqual(
                ours, self._odoo_grouping_sets(aging, weekdays, specs, "date_maturity:day_of_week")
            )
            self.assertEqual(average[0][0]["amount_residual:avg"], 465.15, "not rolled up")

    def test_line_without_customer(self):
        """A receivable line without a partner (a manual entry) is a group of its own, last,
        as in Odoo's SQL order."""
        with freeze_time(TODAY):
            self._ledger()
            entry = self.env["account.move"].create(
                {
                    "move_type": "entry",
                    "date": TODAY,
                    "line_ids": [
                        Command.create(
                            {
                                "account_id": self.company_data["default_account_receivable"].id,
                                "debit": 50.0,
                                "date_maturity": TODAY,
                            }
                        ),
                        Command.create(
                            {
                                "account_id": self.company_data["default_account_revenue"].id,
                                "credit": 50.0,
                            }
                        ),
                    ],
                }
            )
            entry.action_post()
            aging = self._aging()
            specs = ["amount_residual:sum", "__count"]
            for grouping_sets in (
                [[], ["partner_id"]],
                [[], ["partner_id"], ["partner_id", "bucket"]],
            ):
                ours = aging.formatted_read_grouping_sets([], grouping_sets, specs)
                self.assertEqual(
                    ours, self._odoo_grouping_sets(aging, grouping_sets, specs, "partner_id")
                )
            self.assertEqual(ours[1][-1]["partner_id"], False)
            self.assertEqual(ours[1][-1]["__extra_domain"], [("partner_id", "=", False)])
            page = aging.web_read_group([], ["partner_id"], specs, limit=80)
            self.assertEqual(page["length"], 4)
            self.assertEqual(page["groups"][-1]["amount_residual:sum"], 50.0)

    def test_pivot_leaves_the_garbage_collector_on(self):
        """The pivot pauses Python's cyclic garbage collector while it builds its groups: it is
        on again afterwards, also when the request fails."""
        aging = self._aging()
        aging.formatted_read_grouping_sets([], [[], ["partner_id"]], ["__count"])
        self.assertTrue(gc.isenabled())
        with self.assertRaisesRegex(ValueError, "nosuch"):
            aging.formatted_read_grouping_sets([], [[], ["partner_id"]], ["amount_residual:nosuch"])
        self.assertTrue(gc.isenabled())

    def test_pivot_measures_follow_the_buckets(self):
        aging = self._aging()
        measures, __, __ = self._pivot_request(aging)
        self.assertNotIn("amount_b5", measures)
        fields_info = aging.fields_get(["amount_b4", "amount_b5"], ["aggregator"])
        self.assertEqual(fields_info["amount_b4"]["aggregator"], "sum")
        self.assertNotIn("aggregator", fields_info["amount_b5"], "not offered as a measure")

        self.company.receivable_aging_buckets = "7,14,30,60,90"
        measures, __, __ = self._pivot_request(aging)
        self.assertEqual(measures, [f"amount_b{index}" for index in range(7)] + ["amount_residual"])

    # ------------------------------------------------------------------------------------------
    # Currencies
    # ------------------------------------------------------------------------------------------
    def test_currency_aggregates_across_companies(self):
        """A customer invoiced by two companies of different currencies: the web client is told
        of both currencies and gets the total in the main company's currency."""
        eur = self.setup_other_currency("EUR", rates=[("2024-01-01", 2.0)])
        company_eur = self.setup_other_company(name="Company EUR", currency_id=eur.id)["company"]
        journal_eur = self.env["account.journal"].search(
            [("company_id", "=", company_eur.id), ("type", "=", "sale")], limit=1
        )
        with freeze_time(TODAY):
            self._late_invoice(300.0, 10, self.zeta)
            self._late_invoice(
                500.0, 10, self.zeta, company_id=company_eur.id, journal_id=journal_eur.id
            )
            aging = self.env["receivable.aging"].with_context(
                allowed_company_ids=[self.company.id, company_eur.id]
            )
            specs = [
                "amount_b1:sum",
                "company_currency_id:array_agg_distinct",
                "amount_b1:sum_currency",
                "__count",
            ]
            [zeta] = aging.web_read_group(
                [("partner_id", "=", self.zeta.id)], ["partner_id"], specs
            )["groups"]
            self.assertEqual(
                zeta["company_currency_id:array_agg_distinct"], sorted([self.currency.id, eur.id])
            )
            self.assertEqual(zeta["amount_b1:sum"], 800.0, "as Odoo adds them: mixed currencies")
            self.assertEqual(zeta["amount_b1:sum_currency"], 300.0 + 500.0 / 2.0)
            total, by_customer = aging.formatted_read_grouping_sets(
                [("partner_id", "=", self.zeta.id)], [[], ["partner_id"]], specs
            )
            self.assertEqual(by_customer[0]["amount_b1:sum_currency"], 550.0)
            self.assertEqual(
                total[0]["company_currency_id:array_agg_distinct"],
                zeta["company_currency_id:array_agg_distinct"],
            )
            self.assertEqual(
                [total, by_customer],
                self._odoo_grouping_sets(aging, [[], ["partner_id"]], specs, "partner_id"),
            )

    # ------------------------------------------------------------------------------------------
    # Queries
    # ------------------------------------------------------------------------------------------
    def test_query_count_does_not_grow_with_customers(self):
        with freeze_time(TODAY):
            self._ledger()
            aging = self._aging()
            list_specs = self._list_aggregates(aging)
            __, __, pivot_specs = self._pivot_request(aging)

            def read_list():
                return aging.web_read_group([], ["partner_id"], list_specs, limit=80)

            def read_pivot():
                return aging.formatted_read_grouping_sets([], [[], ["partner_id"]], pivot_specs)

            for customers in (3, 8):
                if customers == 8:
                    for index in range(5):
                        partner = self.env["res.partner"].create(
                            {"name": f"Customer {index}", "is_company": True}
                        )
                        self._late_invoice(100.0, index * 20, partner)
                # Once to put the access rules in cache, as after the first screen of the day.
                self.env.invalidate_all()
                read_list(), read_pivot()
                # The list: the company (its buckets), the page with the count, the names.
                self.env.invalidate_all()
                with self.assertQueryCount(3):
                    self.assertEqual(len(read_list()["groups"]), customers)
                # The pivot: the company, the rate, the groups, their order with their names.
                self.env.invalidate_all()
                with self.assertQueryCount(4):
                    self.assertEqual(len(read_pivot()[1]), customers)
