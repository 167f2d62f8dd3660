"""One ledger, one figure per customer on every screen: the receivable facts are the only
source of the aging, the exposure, the statement, the worklist, the risk score, the overview
and the cash forecast.

The ledger (company A, today 2026-06-30, amounts without tax):

* Brasserie Dupont (customer A), invoiced partly through its contact Anne Dupont:
  - 1,000.00 to the contact, due 2026-04-30, 400.00 paid on 2026-05-20: 600.00 overdue;
  - an open credit note of 150.00 dated 2026-05-10: -150.00 overdue;
  - an unapplied payment of 250.00 on 2026-06-10: -250.00 overdue;
  - 800.00 dated 2026-05-15 in two instalments, 400.00 due 2026-06-14 (overdue) and 400.00
    due 2026-07-14 (not due);
  - a draft invoice of 500.00 and a posted one of 700.00 dated 2026-07-10: pending, not open;
  - a cancelled invoice of 300.00 and a vendor bill of 900.00: nowhere;
  - in company B, 2,000.00 due 2026-05-15: company B's, never company A's.
  Open 1,000.00, overdue 600.00 (net of the credits), pending 1,200.00.
* Foreign SA: 1,000.00 EUR at 2.0 (500.00) due 2026-05-01, 600.00 EUR paid on 2026-06-01 at 4.0
  (the exchange difference leaves 400.00 EUR = 200.00 open); 300.00 due 2026-03-31 paid
  2026-04-15. Open 200.00, all overdue.

At 2026-05-31: Brasserie Dupont 1,250.00 open (600.00 + 800.00 - 150.00) of which 450.00 overdue
(the first instalment is not due yet), Foreign SA 500.00.
"""

from freezegun import freeze_time

from odoo import Command
from odoo import fields
from odoo.tests import tagged

from .common import ReceivableCommon

TODAY = "2026-06-30"
PAST = "2026-05-31"
STATEMENT = "report.account_receivable_control.report_customer_statement"


@tagged("post_install", "-at_install")
class TestFactsConsistency(ReceivableCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.facts = cls.env["receivable.facts"]
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.eur = cls.setup_other_currency("EUR", rates=[("2026-01-01", 2.0), ("2026-05-25", 4.0)])
        cls.foreign = cls.env["res.partner"].create({"name": "Foreign SA", "is_company": True})
        cls.customers = cls.customer | cls.foreign
        with freeze_time(TODAY):
            cls._build_ledger()

    @classmethod
    def _build_ledger(cls):
        invoice = cls._due_invoice(1000.0, "2026-04-30", partner=cls.contact)
        cls._register_payment(invoice, amount=400.0, payment_date="2026-05-20")
        cls._due_invoice(150.0, "2026-05-10", move_type="out_refund", invoice_date="2026-05-10")
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": cls.customer.id,
                "amount": 250.0,
                "date": "2026-06-10",
                "journal_id": cls.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        halves = cls.env["account.payment.term"].create(
            {
                "name": "Half at 30 days, half at 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 60}),
                ],
            }
        )
        cls._invoice(800.0, invoice_date="2026-05-15", invoice_payment_term_id=halves.id)
        cls._invoice(500.0, post=False, invoice_date="2026-06-20")
        cls._invoice(700.0, invoice_date="2026-07-10")
        cls._invoice(300.0, invoice_date="2026-06-01").button_cancel()
        cls._invoice(900.0, move_type="in_invoice", invoice_date="2026-06-01")
        cls._company_b_invoice()

        foreign = cls._due_invoice(
            1000.0,
            "2026-05-01",
            partner=cls.foreign,
            currency_id=cls.eur.id,
            invoice_date="2026-04-01",
        )
        cls._register_payment(
            foreign, amount=600.0, currency_id=cls.eur.id, payment_date="2026-06-01"
        )
        paid = cls._due_invoice(300.0, "2026-03-31", partner=cls.foreign)
        cls._register_payment(paid, payment_date="2026-04-15")

    @classmethod
    def _company_b_invoice(cls):
        env_b = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company_b.ids))
        journal = env_b["account.journal"].search(
            [("company_id", "=", cls.company_b.id), ("type", "=", "sale")], limit=1
        )
        invoice = env_b["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": cls.company_b.id,
                "journal_id": journal.id,
                "partner_id": cls.customer.id,
                "invoice_date": "2026-04-15",
                "invoice_date_due": "2026-05-15",
                "invoice_line_ids": [
                    Command.create({"name": "Service", "price_unit": 2000.0, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()

    # ------------------------------------------------------------------------------------------
    # Each screen's figure
    # ------------------------------------------------------------------------------------------
    def _facts(self, date, company=None):
        """{customer: (open, overdue)} from the facts' open items."""
        rows = self.env.execute_query_dict(
            self.facts._open_items_query(
                fields.Date.to_date(date),
                company or self.company,
                self.customers.ids,
                as_of=date < TODAY,
            )
        )
        figures = {customer: [0.0, 0.0] for customer in self.customers}
        for row in rows:
            partner = self.env["res.partner"].browse(row["partner_id"])
            figures[partner][0] += float(row["amount_residual"])
            if row["days_late"] > 0:
                figures[partner][1] += float(row["amount_residual"])
        return {
            customer: tuple(round(value, 2) for value in values)
            for customer, values in figures.items()
        }

    def _aging(self, date, customer):
        """(total, overdue buckets) of the customer in the aging at ``date``."""
        aging = self.env["receivable.aging"].with_context(receivable_aging_date=date)
        scope = self.facts._scope_company_ids(self.company)
        buckets = [f"amount_b{index}" for index in range(7)]
        [(total, *amounts)] = aging._read_group(
            [("partner_id", "=", customer.id), ("company_id", "in", scope)],
            [],
            ["amount_residual:sum", *(f"{name}:sum" for name in buckets)],
        )
        return round(total or 0.0, 2), round(sum(amounts[1:]), 2)

    def _statement(self, date, customer):
        values = self.env[STATEMENT]._get_report_values(customer.ids, {"statement_date": date})
        return round(values["statements"][customer.id]["total"], 2)

    def _drill_down(self, action):
        """The total of the journal items a figure's link opens."""
        lines = self.env[action["res_model"]].search(action["domain"])
        return round(sum(lines.mapped("amount_residual")), 2)

    def _worklist_overdue(self, customer):
        customer.activity_schedule(
            "mail.mail_activity_data_call", summary="Call about the overdue", user_id=self.env.uid
        )
        row = self.env["receivable.worklist"].search(
            [("partner_id", "=", customer.id), ("kind", "=", "call")]
        )
        self.assertEqual(len(row), 1, "the customer's call is in the worklist")
        return round(row.amount_overdue, 2)

    def _risk_overdue(self, customer):
        self.env["receivable.risk.engine"]._recompute_scores(
            self.company, fields.Date.to_date(TODAY), customer.ids
        )
        snapshot = self.env["receivable.risk.snapshot"].search(
            [("partner_id", "=", customer.id), ("company_id", "=", self.company.id)],
            order="id desc",
            limit=1,
        )
        return round(snapshot.overdue_amount, 2)

    def _top_debtors(self):
        data = self.env["receivable.kpi"].get_dashboard_data()
        return {row["partner_id"]: round(row["overdue"], 2) for row in data["top_debtors"]}

    def _forecast_total(self, date):
        slots = self.env["receivable.cash.forecast"]._compute_forecast(
            self.company, fields.Date.to_date(date)
        )
        return round(sum(slot["amount"] for slot in slots), 2)

    # ------------------------------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------------------------------
    def test_the_facts_by_hand(self):
        with freeze_time(TODAY):
            self.assertEqual(
                self._facts(TODAY),
                {self.customer: (1000.0, 600.0), self.foreign: (200.0, 200.0)},
            )
            self.assertEqual(
                self._facts(PAST), {self.customer: (1250.0, 450.0), self.foreign: (500.0, 500.0)}
            )
            b_figures = self._facts(TODAY, self.company_b)
            self.assertEqual(b_figures[self.customer], (2000.0, 2000.0), "company B's own")

    def test_open_amount_is_the_same_everywhere(self):
        with freeze_time(TODAY):
            facts = self._facts(TODAY)
            for customer in self.customers:
                with self.subTest(customer=customer.name):
                    open_amount = facts[customer][0]
                    self.assertEqual(self._aging(TODAY, customer)[0], open_amount, "aging")
                    self.assertEqual(
                        round(customer.credit_open_amount, 2), open_amount, "Credit tab"
                    )
                    self.assertEqual(self._statement(TODAY, customer), open_amount, "statement")
                    self.assertEqual(
                        self._drill_down(customer.action_view_open_items()), open_amount
                    )

    def test_overdue_amount_is_the_same_everywhere(self):
        with freeze_time(TODAY):
            facts = self._facts(TODAY)
            top_debtors = self._top_debtors()
            for customer in self.customers:
                with self.subTest(customer=customer.name):
                    overdue = facts[customer][1]
                    self.assertEqual(
                        round(customer.credit_overdue_amount, 2), overdue, "Credit tab"
                    )
                    self.assertEqual(self._aging(TODAY, customer)[1], overdue, "aging buckets")
                    self.assertEqual(self._worklist_overdue(customer), overdue, "worklist")
                    self.assertEqual(self._risk_overdue(customer), overdue, "risk score")
                    self.assertEqual(top_debtors[customer.id], overdue, "overview")
                    self.assertEqual(
                        self._drill_down(customer.action_view_overdue_items()), overdue
                    )

    def test_pending_invoices_count_in_the_exposure_not_in_the_open_items(self):
        with freeze_time(TODAY):
            self.assertEqual(self.customer.credit_open_amount, 1000.0)
            self.assertEqual(self.customer.credit_draft_amount, 1200.0, "draft + dated later")
            self.assertEqual(self.customer.credit_exposure, 2200.0)
            customer_b = self.customer.with_company(self.company_b)
            self.assertEqual(customer_b.credit_open_amount, 2000.0)
            self.assertEqual(customer_b.credit_exposure, 2000.0)

    def test_forecast_total_is_the_open_receivables(self):
        with freeze_time(TODAY):
            for date in (TODAY, PAST):
                with self.subTest(date=date):
                    total = round(
                        sum(open_amount for open_amount, _o in self._facts(date).values()), 2
                    )
                    self.assertEqual(self._forecast_total(date), total)

    def test_the_same_at_a_past_date(self):
        with freeze_time(TODAY):
            facts = self._facts(PAST)
            for customer in self.customers:
                with self.subTest(customer=customer.name):
                    open_amount, overdue = facts[customer]
                    self.assertEqual(self._aging(PAST, customer), (open_amount, overdue))
                    self.assertEqual(self._statement(PAST, customer), open_amount)
            past = fields.Date.to_date(PAST)
            totals = self.env["receivable.kpi"]._receivables_at(self.company, [past])
            self.assertEqual(
                round(totals[past]["total"], 2),
                round(sum(open_amount for open_amount, _o in facts.values()), 2),
                "the KPIs' receivables at the date",
            )
