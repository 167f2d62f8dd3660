import re

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DunningCommon

TODAY = "2026-03-05"
TOMORROW = "2026-03-06"


@tagged("post_install", "-at_install")
class TestInputValidation(DunningCommon):
    """Bad figures and dates: an error that names the field by its label, nothing changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fr_b2b = cls.env.ref("account_receivable_control.legal_profile_fr_b2b")
        cls.rates = cls.env["receivable.reference.rate"]

    def assertRefusedField(self, record, fname, exception=ValidationError):
        """The block is refused with an error naming the label of ``fname``."""
        label = record._fields[fname]._description_string(record.env)
        return self.assertRefused(exception, re.escape(f'"{label}"'))

    # ------------------------------------------------------------------------------------------
    # Legal profiles and reference rates
    # ------------------------------------------------------------------------------------------
    def test_negative_recovery_fee_is_refused(self):
        profile = self.fr_b2b.with_user(self.manager)
        with self.assertRefusedField(profile, "fixed_fee"):
            profile.fixed_fee = -40.0
        self.assertEqual(self.fr_b2b.fixed_fee, 40.0)

    def test_negative_reference_rate_is_refused(self):
        rates = self.rates.with_user(self.manager)
        with self.assertRefusedField(rates, "rate"):
            rates.create({"kind": "ecb_mro", "date_from": "2031-01-01", "rate": -0.5})
        self.assertFalse(self.rates.search([("date_from", "=", "2031-01-01")]))
        rate = rates.create({"kind": "ecb_mro", "date_from": "2031-01-01", "rate": 2.15})
        with self.assertRefusedField(rates, "rate"):
            rate.rate = -2.15
        self.assertEqual(rate.rate, 2.15)

    def test_second_rate_for_a_half_year_is_refused(self):
        rates = self.rates.with_user(self.manager)
        first = rates.create({"kind": "ecb_mro", "date_from": "2031-01-01", "rate": 2.15})
        with self.assertRefusedField(rates, "date_from"):
            rates.create({"kind": "ecb_mro", "date_from": "2031-01-01", "rate": 3.0})
        with self.assertRefusedField(rates, "date_from"):
            rates.create(
                [
                    {"kind": "ecb_mro", "date_from": "2031-07-01", "rate": 3.0},
                    {"kind": "ecb_mro", "date_from": "2031-07-01", "rate": 3.1},
                ]
            )
        second = rates.create({"kind": "ecb_mro", "date_from": "2031-07-01", "rate": 3.0})
        with self.assertRefusedField(rates, "date_from"):
            second.date_from = "2031-01-01"
        self.assertEqual(
            self.rates.search([("date_from", ">=", "2031-01-01")]).mapped("rate"), [3.0, 2.15]
        )
        # Another kind of rate for the same half-year is no duplicate.
        rates.create({"kind": "fr_legal_other", "date_from": "2031-01-01", "rate": 3.2})
        self.assertEqual(first.rate, 2.15)

    def test_duplicate_legal_profile_code_is_refused(self):
        profile = self.env.ref("account_receivable_control.legal_profile_be_b2b")
        with self.assertRefusedField(profile, "code"):
            profile.with_user(self.manager).code = self.fr_b2b.code
        self.assertNotEqual(profile.code, self.fr_b2b.code)

    # ------------------------------------------------------------------------------------------
    # Credit policy, dunning levels, customers, settings
    # ------------------------------------------------------------------------------------------
    def test_policy_figures_name_their_field(self):
        policy = self.policy.with_user(self.manager)
        for fname, value in (
            ("tolerance_percent", 101.0),
            ("tolerance_amount", -1.0),
            ("default_credit_limit", -1.0),
            ("max_days_overdue", -1),
            ("contract_interest_rate", -1.0),
            ("contract_interest_rate", 150.0),
        ):
            with self.subTest(fname=fname, value=value), self.assertRefusedField(policy, fname):
                policy[fname] = value
        self.assertRecordValues(
            self.policy,
            [
                {
                    "tolerance_percent": 10.0,
                    "tolerance_amount": 0.0,
                    "default_credit_limit": 0.0,
                    "max_days_overdue": 0,
                    "contract_interest_rate": 0.0,
                }
            ],
        )

    def test_dunning_level_figures_out_of_range_are_refused(self):
        level = self.first.with_user(self.manager)
        for fname, value in (
            ("offset_days", 5000),
            ("offset_days", -1000),
            ("payment_delay_days", -1),
            ("payment_delay_days", 1000),
            ("min_days_since_previous", -1),
            ("min_days_since_previous", 1000),
            ("min_amount", -10.0),
        ):
            with self.subTest(fname=fname, value=value), self.assertRefusedField(level, fname):
                level[fname] = value
        self.assertRecordValues(
            self.first,
            [
                {
                    "offset_days": 3,
                    "payment_delay_days": 8,
                    "min_days_since_previous": 3,
                    "min_amount": 0.0,
                }
            ],
        )

    def test_customer_negative_cover_is_refused(self):
        partner = self.customer.with_user(self.manager)
        with self.assertRefusedField(partner, "credit_insured_amount"):
            partner.credit_insured_amount = -5000.0
        self.assertEqual(self.customer.credit_insured_amount, 0.0)

    def test_negative_credit_limit_request_is_refused(self):
        requests = self.env["receivable.credit.limit.request"].with_user(self.controller)
        with self.assertRefusedField(requests, "requested_limit"):
            requests.create(
                {
                    "partner_id": self.customer.id,
                    "requested_limit": -8000.0,
                    "justification": "Framework agreement",
                }
            )
        self.assertFalse(requests.search([("partner_id", "=", self.customer.id)]))

    def test_negative_dispute_follow_up_is_refused(self):
        with self.assertRefusedField(self.company, "receivable_dispute_followup_days"):
            self.company.receivable_dispute_followup_days = -7
        self.assertEqual(self.company.receivable_dispute_followup_days, 14)

    def test_kpi_period_and_risk_window_beyond_their_range_are_refused(self):
        cases = [
            ("receivable_kpi_period_days", 731, "KPI Period"),
            ("receivable_unpaid_days", 3651, "Unpaid After"),
            ("receivable_risk_window_months", 121, "Risk Window"),
        ]
        for fname, value, label in cases:
            before = self.company[fname]
            with self.subTest(field=fname), self.assertRefused(ValidationError, label):
                self.company.write({fname: value})
            self.assertEqual(self.company[fname], before, "nothing changed")

    def test_payment_plan_instalment_count_out_of_range_is_refused(self):
        invoice = self._due_invoice(900.0, "2026-03-01")
        plans = self.env["receivable.payment.plan"].with_user(self.controller)
        plan = plans.create(
            {"partner_id": self.customer.id, "move_ids": [Command.set(invoice.ids)]}
        )
        for count in (0, -3, 100000):
            with (
                self.subTest(count=count),
                self.assertRefusedField(plan, "instalment_count"),
            ):
                plan.instalment_count = count
        self.assertEqual(plan.instalment_count, 3)
        self.assertFalse(plan.line_ids)

    # ------------------------------------------------------------------------------------------
    # As-of dates
    # ------------------------------------------------------------------------------------------
    def test_as_of_dates_after_today_are_refused(self):
        wizards = {
            "receivable.aging.date": {},
        }
        with self._frozen(TODAY):
            for model, vals in wizards.items():
                wizard = self.env[model].with_user(self.controller)
                with self.subTest(model=model), self.assertRefusedField(wizard, "date"):
                    wizard.create({**vals, "date": TOMORROW})
                self.assertFalse(wizard.search([("create_uid", "=", self.controller.id)]))
                done = wizard.create({**vals, "date": TODAY})
                with self.subTest(model=model), self.assertRefusedField(wizard, "date"):
                    done.date = TOMORROW
                self.assertEqual(str(done.date), TODAY)

    def test_unreadable_aging_date_in_context_is_refused(self):
        aging = self.env["receivable.aging"].with_user(self.controller)
        for value in ("31/12/2026", "yesterday", 20261231, ["2026-12-31"]):
            with self.subTest(value=value):
                with self.assertRefused(UserError, "receivable_aging_date"):
                    aging.with_context(receivable_aging_date=value).search([])
        # A date as a date string still works.
        self.assertFalse(aging.with_context(receivable_aging_date="2026-03-05").search([]))

    def test_future_aging_date_in_context_is_refused(self):
        """Today's open items aged at a later date are the figures of no day: refused from a
        crafted context as from the wizard."""
        self._due_invoice(500.0, "2026-03-01")
        aging = self.env["receivable.aging"].with_user(self.controller)
        with freeze_time("2026-03-10"):
            with self.assertRefused(UserError, "receivable_aging_date.*after today"):
                aging.with_context(receivable_aging_date="2026-04-30").search([])
            live = aging.with_context(receivable_aging_date="2026-03-10").search([])
            self.assertEqual(live.mapped("amount_residual"), [500.0])

    def test_unreadable_dates_of_actions_and_reports_are_refused(self):
        aging = self.env["receivable.aging"].with_user(self.controller)
        with self.assertRefused(UserError, '"date"'):
            aging.action_open_aging(date="31/12/2026")
        report = self.env["report.account_receivable_control.report_customer_statement"]
        for key in ("statement_date", "statement_from", "statement_to"):
            with self.subTest(key=key), self.assertRefused(UserError, key):
                report.with_user(self.controller)._get_report_values(
                    self.customer.ids, {key: "2026-02-30"}
                )
        action = aging.action_open_aging(date="2026-03-05")
        self.assertEqual(action["context"]["receivable_aging_date"], "2026-03-05")
