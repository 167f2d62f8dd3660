"""The screens' read methods run on a read-only replica.

With ``db_replica_host`` set, Odoo sends a ``/web/dataset/call_kw`` request to the replica when
the method called is flagged ``@api.readonly`` (``DataSet._call_kw_readonly``: the first class
of the model's MRO that flags the method decides). There every write fails ("cannot execute
... in a read-only transaction") and Odoo retries the whole request on the primary: the read
would cost twice and load the primary anyway. Each method is called here in a read-only
transaction (``SET TRANSACTION READ ONLY`` in a savepoint, as Odoo's test cursor simulates a
replica): no INSERT/UPDATE/DELETE, no flush of pending writes, no sequence number, no table
created. ``tools/replica_check.sh`` calls the same methods on a real hot standby.
"""

import base64
import io
from contextlib import contextmanager
from datetime import timedelta

import openpyxl
import psycopg2

from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ReceivableCommon
from .test_public_methods import public_methods

# The read endpoints of the screens, called by the web client or over JSON-RPC: (model, method).
READ_METHODS = {
    ("receivable.kpi", "get_dashboard_data"),
    ("receivable.cash.forecast", "get_forecast_data"),
    ("receivable.cash.forecast", "get_forecast_xlsx"),
    ("receivable.worklist", "web_search_read"),
    ("receivable.worklist", "get_empty_list_help"),
    ("receivable.aging", "web_read_group"),
    ("receivable.aging", "formatted_read_grouping_sets"),
    # The fast grouped reads' mixin: its method is called through receivable.aging.
    ("receivable.grouped.read.mixin", "formatted_read_grouping_sets"),
    ("receivable.aging.xlsx", "get_aging_xlsx"),
    ("res.partner", "get_statement_preview"),
    ("res.partner", "web_read"),
    ("receivable.provision.wizard", "get_provision_data"),
    ("receivable.provision.wizard", "get_provision_xlsx"),
}
# Write paths that must stay on the primary.
WRITE_METHODS = {
    ("account.move", "action_post"),
    ("receivable.reminder", "action_send"),
}


def routed_readonly(registry, model, method):
    """Whether ``/web/dataset/call_kw`` runs ``model.method`` on a read-only cursor (the
    replica): ``DataSet._call_kw_readonly`` of Odoo's web module."""
    for cls in registry[model].mro():
        function = getattr(cls, method, None)
        if function is not None and hasattr(function, "_readonly"):
            return function._readonly
    return False


@tagged("post_install", "-at_install")
class TestReadonlyMethods(ReceivableCommon):
    """A customer with an overdue invoice (a call due, a risk score) and one not yet due."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.overdue = cls._due_invoice(1200.0, cls.today - timedelta(days=45))
        cls.not_due = cls._due_invoice(300.0, cls.today + timedelta(days=20))
        cls.customer.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=cls.today,
            summary="Collection call",
            user_id=cls.controller.id,
        )
        cls.env["receivable.risk.engine"]._recompute_scores(cls.company, cls.today)
        cls.env.flush_all()

    @contextmanager
    def _read_only(self):
        """A read-only transaction, as on a replica; the writes of the block fail there,
        pending ones too (flushed at the end, as a request does)."""
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT readonly_check")
        self.env.cr.execute("SET TRANSACTION READ ONLY")
        try:
            yield
            self.env.flush_all()
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT readonly_check")
            self.env.invalidate_all(flush=False)

    def _call(self, model, method, *args, records=None, **kwargs):
        """``method`` called as the Credit Controller in a read-only transaction, after
        checking that the web client's call would go to the replica."""
        self.assertTrue(
            routed_readonly(self.registry, model, method),
            f"{model}.{method} is not @api.readonly: it would run on the primary",
        )
        target = records if records is not None else self.env[model]
        with self._read_only():
            return getattr(target.with_user(self.controller), method)(*args, **kwargs)

    # ------------------------------------------------------------------------------------------
    # The read methods
    # ------------------------------------------------------------------------------------------
    def test_overview(self):
        data = self._call("receivable.kpi", "get_dashboard_data")
        kpis = {kpi["key"]: kpi["value"] for kpi in data["kpis"]}
        self.assertAlmostEqual(kpis["receivables"], 1500.0)
        self.assertEqual([row["name"] for row in data["top_debtors"]], ["Brasserie Dupont"])

    def test_cash_forecast(self):
        slots = self._call("receivable.cash.forecast", "get_forecast_data")
        amounts = {slot["key"]: slot["amount"] for slot in slots}
        self.assertAlmostEqual(amounts["overdue"], 1200.0)
        self.assertAlmostEqual(sum(amounts.values()), 1500.0)
        self.assertEqual(slots[0]["action"]["res_model"], "account.move.line")
        export = self._call("receivable.cash.forecast", "get_forecast_xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(export["content"]))).active
        self.assertEqual(sheet["A5"].value, "Overdue")
        self.assertEqual(sheet["D5"].value, 1200.0)

    def test_worklist_rows(self):
        rows = self._call(
            "receivable.worklist",
            "web_search_read",
            [],
            {"kind": {}, "partner_id": {"fields": {"display_name": {}}}, "amount_overdue": {}},
        )
        self.assertEqual(
            [(row["kind"], row["partner_id"]["display_name"]) for row in rows["records"]],
            [("call", "Brasserie Dupont")],
        )
        self.assertAlmostEqual(rows["records"][0]["amount_overdue"], 1200.0)
        help_html = self._call("receivable.worklist", "get_empty_list_help", "")
        self.assertIn("is overdue", str(help_html))

    def test_aging_grouped_reads(self):
        groups = self._call(
            "receivable.aging", "web_read_group", [], ["partner_id"], ["amount_residual:sum"]
        )
        [group] = groups["groups"]
        self.assertEqual(group["partner_id"][1], "Brasserie Dupont")
        self.assertAlmostEqual(group["amount_residual:sum"], 1500.0)
        # The pivot, and the aging at a past date (the matchings as they were then).
        past = fields.Date.to_string(self.today - timedelta(days=1))
        aging = self.env["receivable.aging"].with_context(receivable_aging_date=past)
        sets = self._call(
            "receivable.aging",
            "formatted_read_grouping_sets",
            [],
            [["partner_id"], ["partner_id", "bucket"]],
            ["amount_residual:sum"],
            records=aging,
        )
        self.assertEqual(len(sets[1]), 2)  # 31-60 and not due
        self.assertAlmostEqual(sets[0][0]["amount_residual:sum"], 1500.0)

    def test_aging_exports(self):
        for layout, rows in (("partner", 1), ("detail", 2)):
            export = self._call("receivable.aging.xlsx", "get_aging_xlsx", layout=layout)
            self.assertTrue(export["name"].endswith(".xlsx"))
            sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(export["content"]))).active
            values = [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
            self.assertEqual(len(values), rows + 1, layout)  # the rows, then the total
            self.assertEqual(values[0][0], "Brasserie Dupont")

    def test_statement_preview(self):
        html = self._call("res.partner", "get_statement_preview", records=self.contact)
        self.assertIn("Brasserie Dupont", html)
        self.assertIn(self.overdue.name, html)

    def test_risk_explanation(self):
        [values] = self._call(
            "res.partner",
            "web_read",
            {"receivable_risk_explanation": {}},
            records=self.customer,
        )
        self.assertIn("Average days late", values["receivable_risk_explanation"])

    def test_provision_proposal(self):
        data = self._call("receivable.provision.wizard", "get_provision_data")
        [line] = data["lines"]
        self.assertEqual(line["partner_name"], "Brasserie Dupont")
        self.assertAlmostEqual(line["amount_total"], 1500.0)
        self.assertAlmostEqual(data["amount_provision"], line["provision"])
        self.assertEqual(len(data["buckets"]), len(line["amounts"]))
        self.assertEqual(data["action"]["res_model"], "receivable.aging")
        export = self._call("receivable.provision.wizard", "get_provision_xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(export["content"]))).active
        self.assertEqual(sheet["A5"].value, "Brasserie Dupont")

    def test_endpoint_parameters(self):
        """The read endpoints refuse what does not parse, naming the parameter, and the
        companies the user does not work in."""
        xlsx = self.env["receivable.aging.xlsx"].with_user(self.controller)
        provision = self.env["receivable.provision.wizard"].with_user(self.controller)
        partners = self.env["res.partner"].with_user(self.controller)
        other = self.setup_other_company()["company"].id
        refused = [
            (UserError, "“layout”", lambda: xlsx.get_aging_xlsx(layout="pdf")),
            (UserError, "“partner_ids”", lambda: xlsx.get_aging_xlsx(partner_ids="7")),
            (UserError, "“company”", lambda: xlsx.get_aging_xlsx(company="Company A")),
            (UserError, '"date"', lambda: provision.get_provision_data(date="tomorrow")),
            (UserError, "after today", lambda: xlsx.get_aging_xlsx(date="2999-01-01")),
            (UserError, "customers", lambda: partners.get_statement_preview()),
            (AccessError, "You may not read", lambda: xlsx.get_aging_xlsx(company=other)),
            (AccessError, "You may not read", lambda: provision.get_provision_data(company=other)),
        ]
        for exception, message, call in refused:
            with self.subTest(message=message), self.assertRaisesRegex(exception, message):
                call()
        # The customers given only.
        someone = self.env["res.partner"].create({"name": "Someone Else"})
        export = xlsx.get_aging_xlsx(partner_ids=[someone.id])
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(export["content"]))).active
        names = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
        self.assertEqual(names, ["Total"])

    # ------------------------------------------------------------------------------------------
    # The inventory
    # ------------------------------------------------------------------------------------------
    def test_every_readonly_method_of_the_module_is_checked_here(self):
        """A public method of the module flagged @api.readonly is one of READ_METHODS: each is
        called above in a read-only transaction."""
        flagged = {
            (model, name)
            for model, name, _api_model in public_methods(self.registry)
            if routed_readonly(self.registry, model, name)
        }
        self.assertLessEqual(flagged, READ_METHODS)

    def test_write_paths_stay_on_the_primary(self):
        for model, method in WRITE_METHODS:
            self.assertFalse(routed_readonly(self.registry, model, method), f"{model}.{method}")

    def test_a_write_fails_in_the_read_only_transaction(self):
        """The check itself: a write in the block fails as it would on a replica."""
        with (
            self.assertRaises(psycopg2.errors.ReadOnlySqlTransaction),
            mute_logger("odoo.sql_db"),
            self._read_only(),
        ):
            self.customer.write({"comment": "written"})
        self.customer.write({"comment": "written after"})
        self.env.flush_all()
