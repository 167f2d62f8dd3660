from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CONTROLLER
from .common import ReceivableCommon

TODAY = "2024-06-30"
BUCKET_AMOUNTS = [f"amount_b{index}:sum" for index in range(7)]


@tagged("post_install", "-at_install")
class TestAging(ReceivableCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Aging = cls.env["receivable.aging"]
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Fromagerie Lebrun", "is_company": True}
        )

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _aging(self, date=None, user=None, domain=None):
        """The aging as a user sees it (at ``date``), as an ``receivable.aging`` model."""
        aging = self.Aging.with_user(user or self.controller)
        if date:
            aging = aging.with_context(receivable_aging_date=date)
        return aging

    def _rows(self, date=None, user=None, domain=None):
        return self._aging(date, user).search_read(
            domain or [],
            ["move_id", "bucket", "days_overdue", "amount_residual", "amount_residual_currency"]
            + [f"amount_b{index}" for index in range(7)],
        )

    def _by_partner(self, date=None, user=None, domain=None):
        """The list grouped by partner: {partner: (total, [bucket totals])}."""
        groups = self._aging(date, user)._read_group(
            domain or [], ["partner_id"], ["amount_residual:sum", *BUCKET_AMOUNTS]
        )
        return {partner: (total, list(buckets)) for partner, total, *buckets in groups}

    def _open_amounts(self, date=None, **kwargs):
        """{move: amount due} of the rows visible at ``date``."""
        return {
            self.env["account.move"].browse(row["move_id"][0]): row["amount_residual"]
            for row in self._rows(date, **kwargs)
        }

    # ------------------------------------------------------------------------------------------
    # Buckets
    # ------------------------------------------------------------------------------------------
    def test_bucket_boundaries(self):
        today = fields.Date.to_date(TODAY)
        expected = {0: "b0", 1: "b1", 30: "b1", 31: "b2", 60: "b2", 61: "b3", 90: "b3", 91: "b4"}
        with freeze_time(TODAY):
            invoices = {
                days: self._due_invoice(1000.0 + days, today - timedelta(days=days))
                for days in expected
            }
            not_due = self._due_invoice(500.0, today + timedelta(days=10))
            rows = {row["move_id"][0]: row for row in self._rows()}
            for days, bucket in expected.items():
                row = rows[invoices[days].id]
                self.assertEqual(row["bucket"], bucket, f"{days} days past due")
                self.assertEqual(row["days_overdue"], days)
                self.assertEqual(row[f"amount_{bucket}"], 1000.0 + days)
                others = [row[f"amount_b{i}"] for i in range(7) if f"b{i}" != bucket]
                self.assertEqual(others, [0.0] * 6, "the amount is in its bucket column only")
            self.assertEqual(rows[not_due.id]["bucket"], "b0")
            self.assertEqual(rows[not_due.id]["days_overdue"], 0, "not due: 0, not negative")

            # The list grouped by partner: one column per bucket, and the total.
            total, buckets = self._by_partner()[self.customer]
            self.assertEqual(buckets, [1500.0, 2031.0, 2091.0, 2151.0, 1091.0, 0.0, 0.0])
            self.assertEqual(total, sum(buckets))

            # The pivot: partners x buckets.
            pivot = self._aging()._read_group([], ["partner_id", "bucket"], ["amount_residual:sum"])
            self.assertEqual(
                [(bucket, amount) for __, bucket, amount in pivot],
                [("b0", 1500.0), ("b1", 2031.0), ("b2", 2091.0), ("b3", 2151.0), ("b4", 1091.0)],
            )
            # Filters of the search view.
            over_90 = self._rows(domain=[("days_overdue", ">", 90)])
            self.assertEqual([row["move_id"][0] for row in over_90], invoices[91].ids)
            self.assertEqual(len(self._rows(domain=[("days_overdue", ">", 0)])), 7)

    def test_default_bucket_labels(self):
        self.assertEqual(
            self.Aging._get_bucket_labels(), ["Not Due", "1-30", "31-60", "61-90", "> 90"]
        )
        description = self.Aging.fields_get([f"amount_b{i}" for i in range(7)], ["string"])
        self.assertEqual(
            [description[f"amount_b{i}"]["string"] for i in range(7)],
            ["Not Due", "1-30", "31-60", "61-90", "> 90", "—", "—"],
        )
        selection = self.Aging.fields_get(["bucket"], ["selection"])["bucket"]["selection"]
        self.assertEqual([key for key, __ in selection], ["b0", "b1", "b2", "b3", "b4"])

    def test_custom_buckets(self):
        self.company.receivable_aging_buckets = "15, 45"
        self.assertEqual(self.Aging._get_bucket_labels(), ["Not Due", "1-15", "16-45", "> 45"])
        description = self.Aging.fields_get(["amount_b2", "amount_b3", "amount_b4"], ["string"])
        self.assertEqual(description["amount_b3"]["string"], "> 45")
        self.assertEqual(description["amount_b4"]["string"], "—")
        action = self.Aging.action_open_aging()
        self.assertEqual(action["context"]["receivable_aging_bucket_count"], 4)

        today = fields.Date.to_date(TODAY)
        with freeze_time(TODAY):
            for days in (0, 15, 16, 45, 46, 200):
                self._due_invoice(100.0 * (days + 1), today - timedelta(days=days))
            rows = self._rows()
            self.assertEqual(
                sorted((row["days_overdue"], row["bucket"]) for row in rows),
                [(0, "b0"), (15, "b1"), (16, "b2"), (45, "b2"), (46, "b3"), (200, "b3")],
            )
            __, buckets = self._by_partner()[self.customer]
            self.assertEqual(buckets, [100.0, 1600.0, 6300.0, 24800.0, 0.0, 0.0, 0.0])

        # Five bounds: seven columns, all used.
        self.company.receivable_aging_buckets = "7,14,30,60,90"
        self.assertEqual(len(self.Aging._get_bucket_labels()), 7)
        self.assertEqual(self.Aging._get_bucket_labels()[-1], "> 90")
        with freeze_time(TODAY):
            rows = self._rows(domain=[("days_overdue", "=", 200)])
            self.assertEqual((rows[0]["bucket"], rows[0]["amount_b6"]), ("b6", 20100.0))

    def test_custom_buckets_validation(self):
        for wrong in ("60,30", "0,30", "30,30", "1,2,3,4,5,6", "thirty", "30,,60", "", "-5"):
            with self.assertRaises(ValidationError, msg=wrong):
                self.company.receivable_aging_buckets = wrong
                self.company.flush_recordset()
            self.env.invalidate_all(flush=False)
        settings = self.env["res.config.settings"].create({"receivable_aging_buckets": "45"})
        settings.execute()
        self.assertEqual(self.company.receivable_aging_buckets, "45")

    # ------------------------------------------------------------------------------------------
    # Amounts
    # ------------------------------------------------------------------------------------------
    def test_partial_payment(self):
        with freeze_time(TODAY):
            invoice = self._due_invoice(1000.0, "2024-06-10")
            self._register_payment(invoice, amount=300.0, payment_date="2024-06-20")
            rows = self._rows()
            self.assertEqual(len(rows), 1, "the payment is applied: no row of its own")
            self.assertEqual(rows[0]["amount_residual"], 700.0)
            self.assertEqual(rows[0]["amount_b1"], 700.0)
            self.assertEqual(self._by_partner()[self.customer][0], 700.0)
            self._register_payment(invoice, payment_date="2024-06-25")
            self.assertFalse(self._rows(), "a paid invoice leaves the aging")

    def test_unapplied_payment_and_credit_note_netted(self):
        with freeze_time(TODAY):
            invoice = self._due_invoice(1000.0, "2024-06-10")
            refund = self._invoice(200.0, move_type="out_refund", invoice_date="2024-06-15")
            payment = self._unapplied_payment(150.0, "2024-06-20")
            other = self._due_invoice(80.0, "2024-07-10", partner=self.other_customer)
            self.assertEqual(
                self._open_amounts(),
                {invoice: 1000.0, refund: -200.0, payment.move_id: -150.0, other: 80.0},
            )
            by_partner = self._by_partner()
            self.assertEqual(by_partner[self.customer][0], 650.0)
            self.assertEqual(by_partner[self.other_customer][0], 80.0)
            for partner, (total, __) in by_partner.items():
                self.assertEqual(total, partner.credit, f"{partner.name}: total = Odoo's credit")
            self.assertEqual(self.customer.credit, 650.0)

    def test_contact_invoices_count_under_the_company(self):
        with freeze_time(TODAY):
            self._due_invoice(400.0, "2024-06-10", partner=self.contact)
            self.assertEqual(self._by_partner()[self.customer][0], 400.0)
            self.assertEqual(self.customer.credit, 400.0)

    def test_multi_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2024-01-01", 2.0), ("2024-03-01", 4.0)])
        with freeze_time(TODAY):
            invoice = self._due_invoice(
                1000.0, "2024-02-14", currency_id=eur.id, invoice_date="2024-01-15"
            )
            in_company_currency = self._due_invoice(300.0, "2024-06-20")
            rows = {row["move_id"][0]: row for row in self._rows()}
            self.assertEqual(rows[invoice.id]["amount_residual"], 500.0)
            self.assertEqual(rows[invoice.id]["amount_residual_currency"], 1000.0)
            self.assertEqual(rows[in_company_currency.id]["amount_residual_currency"], 300.0)
            currencies = self._aging()._read_group([], ["currency_id"], ["amount_residual:sum"])
            self.assertEqual(
                dict(currencies), {eur: 500.0, self.currency: 300.0}, "grouped by currency"
            )

            # Half paid in EUR at the new rate: the rest is 500 EUR, 250 in company currency.
            self._register_payment(
                invoice, amount=500.0, currency_id=eur.id, payment_date="2024-03-10"
            )
            row = self._rows(domain=[("move_id", "=", invoice.id)])[0]
            self.assertEqual(row["amount_residual_currency"], 500.0)
            self.assertEqual(row["amount_residual"], 250.0)
            self.assertEqual(self._by_partner()[self.customer][0], self.customer.credit)

            # As of a date before the payment: all of it, at the invoice's rate.
            row = self._rows("2024-03-05", domain=[("move_id", "=", invoice.id)])[0]
            self.assertEqual(row["amount_residual_currency"], 1000.0)
            self.assertEqual(row["amount_residual"], 500.0)
            # After the payment (and its exchange difference): what is left today.
            row = self._rows("2024-03-31", domain=[("move_id", "=", invoice.id)])[0]
            self.assertEqual(row["amount_residual_currency"], 500.0)
            self.assertEqual(row["amount_residual"], 250.0)
            self.assertEqual(
                sum(r["amount_residual"] for r in self._rows("2024-06-29")),
                self.customer.credit,
                "as of yesterday (nothing since): the same as today",
            )

    # ------------------------------------------------------------------------------------------
    # As-of date
    # ------------------------------------------------------------------------------------------
    def test_as_of_date_before_and_after_payment(self):
        with freeze_time(TODAY):
            invoice = self._due_invoice(1000.0, "2024-02-14", invoice_date="2024-01-15")
            self._register_payment(invoice, payment_date="2024-03-10")
            self.assertFalse(self._rows(), "paid today")

            before = self._rows("2024-03-01")
            self.assertEqual(len(before), 1, "open before the payment; the payment not yet")
            self.assertEqual(before[0]["move_id"][0], invoice.id)
            self.assertEqual(before[0]["amount_residual"], 1000.0)
            self.assertEqual(before[0]["days_overdue"], 16, "days counted to the as-of date")
            self.assertEqual(before[0]["bucket"], "b1")
            self.assertFalse(self._rows("2024-03-10"), "paid on that day")
            self.assertFalse(self._rows("2024-03-31"), "paid after")
            self.assertFalse(self._rows("2024-01-14"), "not invoiced yet")
            self.assertEqual(self._by_partner("2024-03-01")[self.customer][0], 1000.0)

    def test_as_of_date_partial_and_later_reconciliation(self):
        with freeze_time(TODAY):
            invoice = self._due_invoice(1000.0, "2024-02-14", invoice_date="2024-01-15")
            self._register_payment(invoice, amount=400.0, payment_date="2024-03-10")
            payment = self._unapplied_payment(600.0, "2024-04-05")
            self.assertEqual(self._open_amounts("2024-03-05"), {invoice: 1000.0})
            self.assertEqual(self._open_amounts("2024-03-20"), {invoice: 600.0})
            self.assertEqual(
                self._open_amounts("2024-04-10"), {invoice: 600.0, payment.move_id: -600.0}
            )
            # Matched today: as in Odoo's aged receivables, a matching counts from the date of
            # its later line (the partial's max_date, here 5 April), whenever it was made.
            lines = (invoice | payment.move_id).line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            lines.reconcile()
            self.assertFalse(self._rows())
            self.assertFalse(self._rows("2024-04-10"))
            self.assertEqual(self._open_amounts("2024-04-01"), {invoice: 600.0})
            # An as-of date of today is the live aging.
            self.assertFalse(self._rows(TODAY))

    # ------------------------------------------------------------------------------------------
    # Status columns and screens
    # ------------------------------------------------------------------------------------------
    def test_status_columns_and_filters(self):
        with freeze_time(TODAY):
            disputed = self._due_invoice(100.0, "2024-06-10")
            promised = self._due_invoice(200.0, "2024-06-10")
            other = self._due_invoice(300.0, "2024-06-10", partner=self.other_customer)
            disputed._open_dispute("Broken")
            self.env["receivable.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "promise_date": "2024-07-15",
                    "amount": 200.0,
                    "move_ids": [Command.set(promised.ids)],
                }
            )
            self.other_customer.with_company(self.company).credit_on_hold = True

            def moves(domain):
                return {row["move_id"][0] for row in self._rows(domain=domain)}

            self.assertEqual(moves([("dispute", "=", True)]), set(disputed.ids))
            self.assertEqual(moves([("promised", "=", True)]), set(promised.ids))
            self.assertEqual(moves([("on_hold", "=", True)]), set(other.ids))

            # A promise on the whole account covers every invoice of the customer.
            self.env["receivable.promise"].create(
                {
                    "partner_id": self.other_customer.id,
                    "company_id": self.company.id,
                    "promise_date": "2024-07-15",
                    "amount": 300.0,
                }
            )
            self.assertEqual(moves([("promised", "=", True)]), set((promised | other).ids))

            # "My Customers": the salesperson of the invoice.
            other.invoice_user_id = self.controller
            self.assertEqual(moves([("invoice_user_id", "=", self.controller.id)]), set(other.ids))

    def test_drill_down_and_actions(self):
        with freeze_time(TODAY):
            invoice = self._due_invoice(100.0, "2024-06-10", partner=self.contact)
            row = self._aging().search([("move_id", "=", invoice.id)])
            self.assertEqual(row.partner_id, self.customer)
            self.assertEqual(row.move_name, invoice.name)
            self.assertEqual(row.display_name, invoice.name)
            self.assertEqual(row.invoice_user_id, invoice.invoice_user_id)
            action = row.action_open_move()
            self.assertEqual((action["res_model"], action["res_id"]), ("account.move", invoice.id))
            action = row.action_open_partner()
            self.assertEqual(
                (action["res_model"], action["res_id"]), ("res.partner", self.customer.id)
            )

            # The partner's smart button (from a contact too): its commercial entity's aging.
            action = self.contact.with_user(self.controller).action_view_aging()
            self.assertEqual(action["res_model"], "receivable.aging")
            self.assertEqual(action["domain"], [("partner_id", "=", self.customer.id)])
            self.assertEqual(action["context"]["receivable_aging_bucket_count"], 5)

            # The "at a date" wizard: the same screens, dated.
            wizard = (
                self.env["receivable.aging.date"]
                .with_user(self.controller)
                .create({"date": "2024-05-31"})
            )
            action = wizard.action_open()
            self.assertEqual(action["context"]["receivable_aging_date"], "2024-05-31")
            self.assertIn("05/31/2024", action["name"])
            dated = self.Aging.with_user(self.controller).with_context(**action["context"])
            row = dated.search([])
            self.assertEqual(row.move_id, invoice, "invoiced on 11 May: open on 31 May")
            self.assertEqual((row.bucket, row.days_overdue), ("b0", 0), "due on 10 June")
            self.assertFalse(dated.with_context(receivable_aging_date="2024-05-10").search([]))

            # The menu's server action.
            result = (
                self.env.ref("account_receivable_control.action_receivable_aging_open")
                .with_user(self.controller)
                .run()
            )
            self.assertEqual(result["res_model"], "receivable.aging")
            self.assertEqual(result["context"]["search_default_group_by_partner"], 1)

    def test_views_load(self):
        views = self.Aging.with_user(self.controller).get_views(
            [
                (False, "list"),
                (False, "pivot"),
                (False, "graph"),
                (False, "search"),
                (False, "form"),
            ]
        )
        fields_info = views["models"]["receivable.aging"]["fields"]
        self.assertEqual(fields_info["amount_b4"]["string"], "> 90")
        self.assertEqual(fields_info["amount_b5"]["string"], "—")
        self.assertIn("column_invisible", views["views"]["list"]["arch"])

    # ------------------------------------------------------------------------------------------
    # Security
    # ------------------------------------------------------------------------------------------
    def test_multi_company_isolation(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        controller_b = self._create_user("arc_controller_b", CONTROLLER, company=company_b)
        with freeze_time(TODAY):
            invoice_a = self._due_invoice(100.0, "2024-06-10")
            invoice_b = self._due_invoice(
                700.0,
                "2024-06-10",
                company_id=company_b.id,
                journal_id=self.env["account.journal"]
                .search([("company_id", "=", company_b.id), ("type", "=", "sale")], limit=1)
                .id,
            )
            self.assertEqual(invoice_b.company_id, company_b)

            self.assertEqual(set(self._open_amounts()), {invoice_a})
            self.assertEqual(set(self._open_amounts(user=controller_b)), {invoice_b})
            self.assertEqual(self._by_partner()[self.customer][0], 100.0)
            self.assertEqual(self._by_partner(user=controller_b)[self.customer][0], 700.0)
            self.assertEqual(set(self._open_amounts("2024-06-29")), {invoice_a}, "as of a date")

            # Asking for company B's companies in the context gives nothing more.
            with self.assertRaises(AccessError):
                self.Aging.with_user(self.controller).with_context(
                    allowed_company_ids=[company_b.id]
                ).search_read([], ["move_id"])
            row_b = self.Aging.search([("move_id", "=", invoice_b.id)])
            with self.assertRaises(AccessError):
                row_b.with_user(self.controller).read(["amount_residual"])

    def test_access_rights(self):
        with freeze_time(TODAY):
            self._due_invoice(100.0, "2024-06-10")
            rows = self._rows(user=self.invoicing_user)
            self.assertEqual(len(rows), 1, "invoicing users read the aging")
            self.assertEqual(len(self._rows(user=self.manager)), 1)
