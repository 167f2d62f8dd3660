from datetime import date
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ReceivableCommon

TODAY = date(2025, 6, 30)
# Invoice dates of the paid history: within the 12-month window ending on TODAY.
HISTORY = [date(2024, 8, 1), date(2024, 10, 1), date(2024, 12, 2), date(2025, 2, 3)]


class RiskCommon(ReceivableCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engine = cls.env["receivable.risk.engine"]
        cls.chronic = cls.env["res.partner"].create({"name": "Late & Co", "is_company": True})
        cls.chronic.receivable_policy_id = cls.policy
        cls.newcomer = cls.env["res.partner"].create({"name": "Newcomer", "is_company": True})

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _paid_history(self, partner, delay, amount=1000.0, dates=HISTORY):
        """Invoices due 30 days after their date, each paid ``delay`` days after its due date."""
        invoices = self.env["account.move"]
        for invoice_date in dates:
            due = invoice_date + timedelta(days=30)
            with freeze_time(invoice_date):
                invoice = self._due_invoice(amount, due, partner, invoice_date=invoice_date)
            paid_on = due + timedelta(days=delay)
            with freeze_time(paid_on):
                self._register_payment(invoice, payment_date=paid_on)
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
            invoices |= invoice
        return invoices

    def _open_invoice(self, partner, amount, due, invoice_date=None):
        invoice_date = invoice_date or due - timedelta(days=20)
        with freeze_time(invoice_date):
            return self._due_invoice(amount, due, partner, invoice_date=invoice_date)

    def _broken_promise(self, partner, invoice, promise_date=date(2025, 6, 10)):
        with freeze_time(promise_date - timedelta(days=5)):
            promise = self.env["receivable.promise"].create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "promise_date": promise_date,
                    "amount": invoice.amount_total,
                    "move_ids": [Command.set(invoice.ids)],
                }
            )
            promise._mark_broken()
        self.assertEqual(promise.state, "broken")
        return promise

    def _chronic_history(self, partner):
        """Paid 40 days late every time, an invoice 40 days overdue and a broken promise."""
        self._paid_history(partner, 40)
        invoice = self._open_invoice(partner, 1000.0, TODAY - timedelta(days=40))
        self._broken_promise(partner, invoice)
        return invoice

    def _recompute(self, partners=None):
        with freeze_time(TODAY):
            return self.engine._recompute_scores(
                self.company, TODAY, partner_ids=partners.ids if partners else None
            )

    def _snapshots(self, partner):
        return self.env["receivable.risk.snapshot"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def _activities(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )


@tagged("post_install", "-at_install")
class TestRiskScore(RiskCommon):
    def test_punctual_payer_is_class_a(self):
        self._paid_history(self.customer, -2)
        self._open_invoice(self.customer, 500.0, TODAY + timedelta(days=15))
        self._recompute(self.customer)
        snapshot = self._snapshots(self.customer)
        self.assertEqual(len(snapshot), 1)
        self.assertEqual(snapshot.paid_count, 4)
        self.assertEqual(snapshot.avg_late_days, 0.0)
        self.assertEqual(snapshot.late_share, 0.0)
        self.assertEqual(snapshot.oldest_overdue_days, 0)
        self.assertEqual(snapshot.incident_count, 0)
        # Only the customer's age counts: 333 days since its first invoice (2024-08-01).
        self.assertEqual(snapshot.customer_age_days, 333)
        self.assertEqual(snapshot.contrib_new_customer, snapshot.score)
        self.assertLess(snapshot.score, 20)
        self.assertEqual(self.customer.receivable_risk_class, "A")
        self.assertEqual(self.customer.receivable_risk_score, snapshot.score)

    def test_chronic_late_payer_with_broken_promise_is_d_or_e(self):
        self._chronic_history(self.chronic)
        self._recompute(self.chronic)
        snapshot = self._snapshots(self.chronic)
        self.assertEqual(snapshot.paid_count, 4)
        self.assertEqual(snapshot.avg_late_days, 40.0)
        self.assertEqual(snapshot.late_share, 100.0)
        self.assertEqual(snapshot.oldest_overdue_days, 40)
        self.assertEqual(snapshot.incident_count, 1)
        self.assertEqual(snapshot.overdue_amount, 1000.0)
        self.assertEqual(snapshot.credit_limit, 1000.0, "the policy's default limit")
        # 40/45 x 35 = 31.11; 20; overdue 1000/1000 / 2 x 10 = 5; 40/120 x 10 = 3.33;
        # broken promise 1/2 x 10 = 5; age 333 days: (1096 - 333) / 913 x 5 = 4.18
        self.assertEqual(snapshot.contrib_avg_late, 31.11)
        self.assertEqual(snapshot.contrib_late_share, 20.0)
        self.assertEqual(snapshot.contrib_overdue_ratio, 5.0)
        self.assertEqual(snapshot.contrib_oldest_overdue, 3.33)
        self.assertEqual(snapshot.contrib_incidents, 5.0)
        self.assertEqual(snapshot.contrib_new_customer, 4.18)
        self.assertAlmostEqual(snapshot.score, 68.62, places=2)
        self.assertIn(self.chronic.receivable_risk_class, ("D", "E"))

    def test_explanation_sums_to_the_score(self):
        self._chronic_history(self.chronic)
        self._recompute(self.chronic)
        explanation = self.chronic._get_risk_explanation()
        self.assertEqual(len(explanation), 8)
        total = sum(row["contribution"] for row in explanation)
        self.assertAlmostEqual(total, self.chronic.receivable_risk_score, places=6)
        self.assertEqual({row["component"]: row["weight"] for row in explanation}["avg_late"], 35)
        html = str(self.chronic.receivable_risk_explanation)
        self.assertIn("Average days late", html)
        self.assertIn(f"{self.chronic.receivable_risk_score:.2f}", html)

    def test_one_snapshot_per_run_and_history_action(self):
        self._paid_history(self.customer, 5)
        self._recompute()
        self._recompute()
        snapshots = self._snapshots(self.customer)
        self.assertEqual(len(snapshots), 2)
        self.assertEqual(len(set(snapshots.mapped("run_id"))), 2)
        action = self.customer.action_view_risk_history()
        self.assertEqual(action["res_model"], "receivable.risk.snapshot")
        self.assertEqual(self.env["receivable.risk.snapshot"].search(action["domain"]), snapshots)
        self.assertEqual(action["views"][0][1], "graph")
        self.assertEqual(action["context"]["graph_mode"], "line")

    def test_partner_without_receivables_is_not_scored(self):
        self._recompute()
        self.assertFalse(self._snapshots(self.newcomer))
        self.assertFalse(self.newcomer.receivable_risk_class)

    def test_score_is_per_company(self):
        self._paid_history(self.customer, 5)
        self._recompute(self.customer)
        other = self.setup_other_company()["company"]
        self.assertTrue(self.customer.receivable_risk_class)
        self.assertFalse(self.customer.with_company(other).receivable_risk_class)

    def test_worse_class_creates_an_activity_and_hold(self):
        self._chronic_history(self.newcomer)
        self._recompute(self.newcomer)
        self.assertEqual(self.newcomer.receivable_risk_class, "D")
        self.assertFalse(self._activities(self.newcomer), "first score: no change to report")
        self.company.write(
            {"receivable_risk_class_bounds": "10,20,30,40", "receivable_risk_hold_class": "E"}
        )
        self._recompute(self.newcomer)
        self.assertEqual(self.newcomer.receivable_risk_class, "E")
        activity = self._activities(self.newcomer)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.manager)
        self.assertIn("D → E", activity.summary)
        self.assertTrue(self.newcomer.credit_on_hold)
        self.assertEqual(self.newcomer.credit_hold_origin, "auto")
        self.assertIn("Risk class E", self.newcomer.credit_hold_reason_display)
        # Same class again: no new activity
        self._recompute(self.newcomer)
        self.assertEqual(len(self._activities(self.newcomer)), 1)
        # The class is a breach of the policy while it lasts
        codes = [code for code, _m in self.newcomer._get_credit_breaches()]
        self.assertIn("risk", codes)

    def test_no_risk_hold_when_the_company_does_not_enforce_holds(self):
        self.company.receivable_hold_enforcement = False
        self.newcomer.receivable_policy_id = self.policy
        self.policy.risk_hold_class = "D"
        self._chronic_history(self.newcomer)
        self._recompute(self.newcomer)
        self.assertEqual(self.newcomer.receivable_risk_class, "D")
        self.assertFalse(self.newcomer.credit_on_hold, "holds are off in this company")

    def test_policy_hold_class_holds_without_a_company_setting(self):
        self.newcomer.receivable_policy_id = self.policy
        self.policy.risk_hold_class = "D"
        self._chronic_history(self.newcomer)
        self._recompute(self.newcomer)
        self.assertEqual(self.newcomer.receivable_risk_class, "D")
        self.assertTrue(self.newcomer.credit_on_hold, "the policy holds from class D")
        self.assertIn("hold class D", self.newcomer.credit_hold_reason_display)

    def test_trend_against_previous_window(self):
        # Previous window: paid on time; current window: 30 days late -> trend (30 - 0) / 30
        self._paid_history(self.customer, 0, dates=[date(2023, 9, 1), date(2023, 11, 1)])
        self._paid_history(self.customer, 30, dates=[date(2024, 9, 2), date(2024, 11, 4)])
        self._recompute(self.customer)
        snapshot = self._snapshots(self.customer)
        self.assertEqual(snapshot.prev_avg_late_days, 0.0)
        self.assertEqual(snapshot.avg_late_days, 30.0)
        self.assertEqual(snapshot.contrib_trend, 5.0)

    def test_settings_validation(self):
        with self.assertRefused(Exception, "risk class bounds"):
            self.company.receivable_risk_class_bounds = "50,40"
        with self.assertRefused(Exception, "risk weights"):
            self.company.receivable_risk_weight_avg_late = -1
        with self.assertRefused(ValidationError, "at least one month"):
            self.company.receivable_risk_window_months = 0
        weights = [
            name for name in self.company._fields if name.startswith("receivable_risk_weight_")
        ]
        with self.assertRefused(ValidationError, "not all zero"):
            self.company.write(dict.fromkeys(weights, 0))
        self.assertTrue(self.company.receivable_risk_window_months >= 1)
        self.assertTrue(sum(self.company[name] for name in weights) > 0, "left as they were")
        with self.assertRefused(ValidationError, "at least 1 day"):
            self.company.receivable_kpi_period_days = 0
        with self.assertRefused(ValidationError, "at least 1 day"):
            self.company.receivable_unpaid_days = 0

    def test_cron_skips_partners_already_scored_today(self):
        self._paid_history(self.customer, 5)
        with freeze_time(TODAY):
            self.engine._recompute_scores(self.company, TODAY, skip_scored=True)
            self.engine._recompute_scores(self.company, TODAY, skip_scored=True)
        self.assertEqual(len(self._snapshots(self.customer)), 1)


@tagged("post_install", "-at_install")
class TestRiskReadsTheFacts(RiskCommon):
    """The score's receivable figures are the facts' (``receivable.facts``): the same overdue
    amount, applied limit and payment delays as the Credit tab and the KPIs."""

    def _unapplied_payment(self, partner, amount, date):
        with freeze_time(date):
            payment = self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": partner.id,
                    "amount": amount,
                    "date": date,
                    "journal_id": self.company_data["default_journal_bank"].id,
                }
            )
            payment.action_post()
        return payment

    def _opening_entry(self, partner, amount, date, due):
        """A receivable debit that is not an invoice: an opening balance, due on ``due``."""
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": date,
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create(
                        {
                            "name": "Opening balance",
                            "account_id": self.company_data["default_account_receivable"].id,
                            "partner_id": partner.id,
                            "debit": amount,
                            "date_maturity": due,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Opening balance",
                            "account_id": self.company_data["default_account_revenue"].id,
                            "credit": amount,
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        return entry

    def test_overdue_and_applied_limit_are_the_customer_position(self):
        # Company default limit 5,000 and the customer's own limit equal to it: Odoo does not
        # use the partner's limit, so its policy's default limit (1,000) applies.
        self.env["ir.default"].set(
            "res.partner", "credit_limit", 5000.0, company_id=self.company.id
        )
        self.customer.credit_limit = 5000.0
        self.assertFalse(self.customer.use_partner_credit_limit)
        self._open_invoice(self.customer, 1000.0, TODAY - timedelta(days=40))
        self._open_invoice(self.customer, 400.0, TODAY + timedelta(days=10))
        refund_date = TODAY - timedelta(days=10)
        with freeze_time(refund_date):
            self._due_invoice(300.0, refund_date, invoice_date=refund_date, move_type="out_refund")
        self._unapplied_payment(self.customer, 200.0, TODAY - timedelta(days=5))
        with freeze_time(TODAY):
            facts = self.env["receivable.facts"]
            position = facts._positions(self.company, self.customer.ids)[self.customer.id]
            [row] = self.engine._compute_components(self.company, TODAY, self.customer.ids)
        # Overdue: the invoice 40 days late less the credit note and the unapplied payment,
        # both past their date: 1,000 - 300 - 200.
        self.assertAlmostEqual(position["overdue_amount"], 500.0)
        self.assertAlmostEqual(row["overdue"], position["overdue_amount"])
        self.assertEqual(position["credit_limit"], 1000.0)
        self.assertEqual(row["credit_limit"], position["credit_limit"])
        self.assertEqual(row["oldest_overdue"], 40, "the oldest overdue debit")
        self._recompute(self.customer)
        snapshot = self._snapshots(self.customer)
        self.assertEqual(snapshot.overdue_amount, 500.0)
        self.assertEqual(snapshot.credit_limit, 1000.0)
        # 500 / 1,000 / 2 x 10 points
        self.assertEqual(snapshot.contrib_overdue_ratio, 2.5)

    def test_paid_invoice_and_opening_entry_delay_same_in_risk_and_kpis(self):
        # An invoice due on 1 May paid 10 days late; an opening balance due on 30 April paid
        # 20 days late (a payment matched to it): both are paid receivables.
        with freeze_time("2025-04-01"):
            invoice = self._due_invoice(1000.0, "2025-05-01", invoice_date="2025-04-01")
        with freeze_time("2025-05-11"):
            self._register_payment(invoice, payment_date="2025-05-11")
        entry = self._opening_entry(self.customer, 500.0, "2025-01-01", "2025-04-30")
        payment = self._unapplied_payment(self.customer, 500.0, "2025-05-20")
        receivable = self.company_data["default_account_receivable"]
        lines = (entry.line_ids | payment.move_id.line_ids).filtered(
            lambda line: line.account_id == receivable
        )
        lines.reconcile()
        self.assertTrue(all(lines.mapped("reconciled")))
        expected = (1000.0 * 10 + 500.0 * 20) / 1500.0
        kpi = self.env["receivable.kpi"]
        with freeze_time(TODAY):
            [row] = self.engine._compute_components(self.company, TODAY, self.customer.ids)
            partner_kpis = kpi._compute_partner_kpis(self.customer, TODAY)
            company_kpis = kpi._compute_company_kpis(self.company)
        self.assertEqual(row["paid_count"], 2)
        self.assertAlmostEqual(row["avg_delay"], expected)
        self.assertAlmostEqual(row["avg_late"], expected)
        self.assertAlmostEqual(
            partner_kpis[self.customer.id]["average_payment_delay"], expected, places=6
        )
        self.assertAlmostEqual(company_kpis["average_payment_delay"], expected, places=6)
        self._recompute(self.customer)
        self.assertEqual(self._snapshots(self.customer).avg_late_days, 13.3)


@tagged("post_install", "-at_install")
class TestPaymentPrediction(RiskCommon):
    def test_prediction_from_partner_history(self):
        # Paid 5 and 15 days late on equal amounts: 10 days on average.
        self._paid_history(self.customer, 5, dates=HISTORY[:2])
        self._paid_history(self.customer, 15, dates=HISTORY[2:])
        # Posting reads the delays the nightly run stored.
        self.env["account.move"]._compute_expected_payment_dates_company(self.company, TODAY)
        with freeze_time(TODAY):
            invoice = self._due_invoice(800.0, TODAY + timedelta(days=30), invoice_date=TODAY)
        self.assertEqual(
            invoice.receivable_expected_payment_date, TODAY + timedelta(days=40), "due + 10"
        )

    def test_prediction_falls_back_to_company_history(self):
        self._paid_history(self.customer, 10)
        self.env["account.move"]._compute_expected_payment_dates_company(self.company, TODAY)
        with freeze_time(TODAY):
            invoice = self._due_invoice(
                300.0, TODAY + timedelta(days=30), self.newcomer, invoice_date=TODAY
            )
        self.assertEqual(invoice.receivable_expected_payment_date, TODAY + timedelta(days=40))

    def test_prediction_kept_past_and_not_rewritten_every_night(self):
        """An overdue invoice keeps its predicted date (due + the customer's delay) even when
        it is past: the nightly refresh rewrites only what changed, so it does not hold the
        rows of every overdue invoice the dunning run writes at night. The aging counts a
        past expected date as today."""
        self._paid_history(self.customer, 10)
        overdue = self._open_invoice(self.customer, 200.0, TODAY - timedelta(days=30))
        Move = self.env["account.move"]
        Move._compute_expected_payment_dates_company(self.company, TODAY)
        self.assertEqual(overdue.receivable_expected_payment_date, TODAY - timedelta(days=20))
        count = Move._compute_expected_payment_dates_company(
            self.company, TODAY + timedelta(days=1)
        )
        self.assertEqual(count, 0, "the next night rewrites no invoice")
        self.assertEqual(overdue.receivable_expected_payment_date, TODAY - timedelta(days=20))
        aging = self.env["receivable.aging"].with_context(receivable_aging_date=TODAY)
        line = aging.search([("move_id", "=", overdue.id)])
        self.assertEqual(line.expected_date, TODAY)

    def test_prediction_without_any_history(self):
        with freeze_time(TODAY):
            invoice = self._due_invoice(
                300.0, TODAY + timedelta(days=30), self.newcomer, invoice_date=TODAY
            )
        self.assertEqual(invoice.receivable_expected_payment_date, TODAY + timedelta(days=30))
        self.assertEqual(fields.Date.to_string(invoice.invoice_date_due), "2025-07-30")
