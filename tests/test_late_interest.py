"""Interest on every late euro, the French floor per half-year, fees from a chosen level and
charges never claimed twice: worked figures through real invoices, payments and runs.

Rates of the shipped tables: ECB 2.15 % on 1 January 2026 (France B2B 12.15 %, Belgium B2B
10.15 → 10.5 %); French legal rate (other cases) 2.76 % for H2 2025, 2.62 % for H1 2026.
"""

from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

LETTER = "account_receivable_control.action_report_dunning_letter"


@tagged("post_install", "-at_install")
class TestLateInterest(DunningCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fr_b2b = cls.env.ref("account_receivable_control.legal_profile_fr_b2b")
        cls.be_b2b = cls.env.ref("account_receivable_control.legal_profile_be_b2b")
        cls.policy.legal_profile_id = cls.fr_b2b
        cls._set_up_charges_accounts()

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _pay(self, invoice, amount, day):
        return self._register_payment(invoice, amount=amount, payment_date=day)

    def _set_rate(self, kind, day, rate):
        """The reference rate of ``kind`` for the half-year from ``day`` (None: missing)."""
        Rate = self.env["receivable.reference.rate"]
        existing = Rate.search([("kind", "=", kind), ("date_from", "=", day)])
        if rate is None:
            existing.unlink()
        elif existing:
            existing.rate = rate
        else:
            Rate.create({"kind": kind, "date_from": day, "rate": rate})

    def _letter(self, reminder):
        html, _format = self.env["ir.actions.report"]._render_qweb_html(LETTER, reminder.ids)
        return html.decode()

    # ------------------------------------------------------------------------------------------
    # Interest on every late euro
    # ------------------------------------------------------------------------------------------
    def test_part_paid_late_bears_interest_to_its_payment_date(self):
        """1,000.00 due 31/01/2026, 600.00 paid on 02/03/2026, formal notice on 30/06/2026:
        the 600.00 bears interest for 30 days (1/02 → 2/03), the 400.00 for 150 days."""
        for profile, interest, rate in ((self.fr_b2b, 25.96, 12.15), (self.be_b2b, 22.44, 10.5)):
            with self.subTest(profile=profile.code):
                customer = self.customer.copy({"name": f"Customer {profile.code}"})
                policy = self.policy.copy({"legal_profile_id": profile.id})  # and its ladder
                customer.receivable_policy_id = policy
                invoice = self._due_invoice(1000.0, "2026-01-31", partner=customer)
                self._pay(invoice, 600.0, "2026-03-02")
                with self.mock_mail_gateway():
                    reminder = self._run("2026-06-30")
                # FR 12.15 %: 600 x 12.15 % x 30 / 365 = 5.99 + 400 x 12.15 % x 150 / 365
                # = 19.97 → 25.96; BE 10.5 %: 5.18 + 17.26 = 22.44 (the 400.00 alone: 19.97 and
                # 17.26)
                self.assertRecordValues(
                    reminder.line_ids,
                    [
                        {
                            "amount_residual": 400.0,
                            "amount_paid_late": 600.0,
                            "interest_rate": rate,
                            "interest_amount": interest,
                            "fee_amount": 40.0,
                            "interest_date_from": date(2026, 2, 1),
                        }
                    ],
                )
                self.assertEqual(reminder.amount_claimed, 400.0 + interest + 40.0)
                for text in (self._letter(reminder), self._mails[-1]["body"]):
                    self.assertIn("600.00 paid late", text)
                    self.assertIn(f"{interest:.2f}", text)

    def test_two_parts_paid_late_across_a_half_year(self):
        """1,000.00 due 31/05/2026, 300.00 paid on 15/06, 300.00 on 20/07, notice on 30/09:
        every span split at 1 July (ECB rate of H2 2026 set here to 2.40 %: 12.40 %)."""
        self._set_rate("ecb_mro", date(2026, 7, 1), 2.40)
        invoice = self._due_invoice(1000.0, "2026-05-31")
        self._pay(invoice, 300.0, "2026-06-15")
        self._pay(invoice, 300.0, "2026-07-20")
        with self.mock_mail_gateway():
            reminder = self._run("2026-09-30")
        # 300 x 12.15 % x 15 / 365 (1 → 15 June)                         =  1.50
        # 300 x 12.15 % x 30 / 365 (June) + 300 x 12.40 % x 20 / 365     =  3.00 + 2.04
        # 400 x 12.15 % x 30 / 365 (June) + 400 x 12.40 % x 92 / 365     =  3.99 + 12.50
        #                                                         total  = 23.03
        # (the 400.00 still due alone: 16.50)
        self.assertRecordValues(
            reminder.line_ids,
            [
                {
                    "move_id": invoice.id,
                    "amount_residual": 400.0,
                    "amount_paid_late": 600.0,
                    "interest_rate": 12.4,
                    "interest_amount": 23.03,
                    "fee_amount": 40.0,
                }
            ],
        )
        self.assertFalse(reminder.legal_warning)

    def test_payment_before_the_due_date_bears_nothing(self):
        """1,000.00 due 01/03/2026: 200.00 paid on 20/02 (in time), 300.00 on 16/03 (late),
        reminded on 31/03."""
        invoice = self._due_invoice(1000.0, "2026-03-01")
        self._pay(invoice, 200.0, "2026-02-20")
        self._pay(invoice, 300.0, "2026-03-16")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-31")
        # 300 x 12.15 % x 15 / 365 = 1.50 + 500 x 12.15 % x 30 / 365 = 4.99 → 6.49; the 200.00
        # paid in time bears nothing
        self.assertRecordValues(
            reminder.line_ids,
            [{"amount_residual": 500.0, "amount_paid_late": 300.0, "interest_amount": 6.49}],
        )

    def test_reversing_credit_note_bears_nothing(self):
        """1,000.00 due 01/03/2026, 200.00 of it reversed by a credit note on 11/03 (never
        owed), 300.00 paid on 16/03, reminded on 31/03."""
        invoice = self._due_invoice(1000.0, "2026-03-01")
        refund = invoice._reverse_moves(
            [{"invoice_date": date(2026, 3, 11), "date": date(2026, 3, 11)}]
        )
        refund.write(
            {"invoice_line_ids": [Command.update(refund.invoice_line_ids.id, {"price_unit": 200})]}
        )
        refund.action_post()
        (invoice | refund).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        self.assertEqual(invoice.amount_residual, 800.0)
        self._pay(invoice, 300.0, "2026-03-16")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-31")
        # 300 x 12.15 % x 15 / 365 = 1.50 + 500 x 12.15 % x 30 / 365 = 4.99 → 6.49; the
        # 200.00 reversed bears nothing (it would add 200 x 12.15 % x 10 / 365 = 0.67)
        self.assertRecordValues(
            reminder.line_ids,
            [{"amount_residual": 500.0, "amount_paid_late": 300.0, "interest_amount": 6.49}],
        )

    # ------------------------------------------------------------------------------------------
    # The French floor, per half-year
    # ------------------------------------------------------------------------------------------
    def test_contract_rate_raised_to_the_floor_of_each_half_year(self):
        """Contract rate 5 %: the floor is 3 x 2.76 = 8.28 % in H2 2025 and 3 x 2.62 = 7.86 %
        in H1 2026. 1,000.00 due 01/12/2025, formal notice on 30/01/2026."""
        self.policy.contract_interest_rate = 5.0
        self._due_invoice(1000.0, "2025-12-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-01-30")
        # 1000 x 8.28 % x 30 / 365 (2 → 31 Dec) = 6.81 + 1000 x 7.86 % x 30 / 365 = 6.46
        # → 13.27 (5 % throughout: 8.22)
        self.assertRecordValues(
            reminder.line_ids,
            [{"interest_rate": 7.86, "interest_amount": 13.27, "interest_rate_raised": True}],
        )
        sentence = "Contract rate raised to the legal minimum (3 x the legal rate)."
        self.assertIn(sentence, self._letter(reminder))
        self.assertIn(sentence, self._mails[-1]["body"])

        # 8 %: above the floor of H1 2026, below the one of H2 2025 (raised there only)
        self.policy.contract_interest_rate = 8.0
        charges = self.fr_b2b._compute_charges(
            [{"key": 1, "move_id": 1, "amount": 1000.0, "due_date": date(2025, 12, 1)}],
            date(2026, 1, 30),
            self.policy,
            set(),
        )
        # 1000 x 8.28 % x 30 / 365 = 6.81 + 1000 x 8 % x 30 / 365 = 6.58 → 13.38
        self.assertAlmostEqual(charges[1][0], 13.38, places=2)
        self.assertEqual(charges[1][2], 8.0)

    def test_missing_legal_rate_leaves_the_contract_rate_and_says_so(self):
        """Contract rate 9 % (above the known floors); no French legal rate for H2 2026."""
        self._set_rate("fr_legal_other", date(2026, 7, 1), None)
        self.policy.contract_interest_rate = 9.0
        self._due_invoice(1000.0, "2026-06-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-07-31")
        # 1000 x 9 % x 29 / 365 = 7.15 + 1000 x 9 % x 31 / 365 = 7.64 → 14.79
        self.assertRecordValues(
            reminder.line_ids,
            [{"interest_rate": 9.0, "interest_amount": 14.79, "interest_rate_raised": False}],
        )
        self.assertIn("legal minimum", reminder.legal_warning)
        self.assertIn("07/01/2026", reminder.legal_warning)

    def test_policy_form_warns_below_the_latest_floor(self):
        """The latest French legal rate known is 2.62 % (H1 2026): floor 7.86 %."""
        with Form(self.policy) as form:
            form.contract_interest_rate = 5.0
            self.assertIn("7.86 %", form.contract_rate_warning)
            self.assertIn("01/01/2026", form.contract_rate_warning)
            form.contract_interest_rate = 7.86
            self.assertFalse(form.contract_rate_warning)
        self.assertEqual(self.policy.contract_interest_rate, 7.86, "saved, never refused")
        self.policy.contract_interest_rate = 5.0
        self.assertIn("7.86 %", self.policy.contract_rate_warning)
        self.policy.legal_profile_id = self.be_b2b
        self.assertFalse(self.policy.contract_rate_warning, "a French rule only")

    # ------------------------------------------------------------------------------------------
    # Never claimed twice
    # ------------------------------------------------------------------------------------------
    def test_charges_invoiced_are_not_claimed_again(self):
        """Formal notice on 31/03/2026 (charges invoiced: 40 + 9.99 for 2/03 → 31/03), final
        notice on 30/04: only the interest of April, no second fee."""
        self.policy.post_legal_charges = True
        final = self._create_ladder(
            self.policy, [("Final notice", 60, "formal_notice", {"sequence": 50})]
        )
        invoice = self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
            notice = self._run("2026-03-31")
            self.assertEqual(notice.level_id, self.notice)
            first_charges = invoice.receivable_legal_charge_ids
            self.assertEqual(sorted(first_charges.mapped("amount")), [9.99, 40.0])
            self.policy.post_legal_charges = False
            later = self._run("2026-04-30")
        self.assertEqual(later.level_id, final)
        # 1000 x 12.15 % x 30 / 365 (1 → 30 April) = 9.99; from 2 March it would be 19.97
        self.assertRecordValues(
            later.line_ids,
            [
                {
                    "interest_amount": 9.99,
                    "fee_amount": 0.0,
                    "interest_date_from": date(2026, 4, 1),
                    "charges_invoiced_until": date(2026, 3, 31),
                }
            ],
        )
        self.assertEqual(later.amount_claimed, 1009.99)
        self.assertIn(
            "Charges invoiced up to 03/31/2026 are not claimed again.", self._letter(later)
        )

        later.action_invoice_charges()
        new_charges = invoice.receivable_legal_charge_ids - first_charges
        self.assertEqual(new_charges.charge_move_id.amount_total, 9.99, "April's interest only")
        self.assertRecordValues(
            new_charges,
            [
                {
                    "kind": "interest",
                    "amount": 9.99,
                    "date_from": date(2026, 4, 1),
                    "date_to": date(2026, 4, 30),
                }
            ],
        )
        for reminder in (later, notice):
            with self.assertRefused(UserError, "already invoiced"):
                reminder.action_invoice_charges()

    def test_reminder_computed_before_charges_were_invoiced_bills_only_the_rest(self):
        """A final notice prepared on 30/04 for review (gross: 19.97 interest and the fee);
        the formal notice's charges are invoiced afterwards (40 + 9.99 up to 31/03): invoicing
        the final notice's charges bills the interest of April only."""
        self._create_ladder(
            self.policy,
            [("Final notice", 60, "formal_notice", {"sequence": 50, "needs_approval": True})],
        )
        invoice = self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
            notice = self._run("2026-03-31")
            self.assertEqual(notice.level_id, self.notice)
            later = self._run("2026-04-30")
            self.assertFalse(later)
            later = self._reminders().filtered(lambda r: r.state == "draft")
            self.assertEqual(later.line_ids.interest_amount, 19.97)
            notice.action_invoice_charges()
            with self._frozen("2026-04-30"):
                later.action_send()
        # At sending the final notice no longer claims what was invoiced meanwhile.
        self.assertRecordValues(
            later.line_ids,
            [{"interest_amount": 9.99, "fee_amount": 0.0, "interest_date_from": date(2026, 4, 1)}],
        )
        later.action_invoice_charges()
        charges = invoice.receivable_legal_charge_ids.sorted("id")
        self.assertEqual(
            [(c.kind, c.amount, str(c.date_from), str(c.date_to)) for c in charges],
            [
                ("fee", 40.0, "2026-03-01", "2026-03-31"),
                ("interest", 9.99, "2026-03-02", "2026-03-31"),
                # 1000 x 12.15 % x 30 / 365 = 9.99 (gross 19.97 - 9.99 invoiced would be 9.98)
                ("interest", 9.99, "2026-04-01", "2026-04-30"),
            ],
        )

    def test_notice_sent_again_keeps_claiming_its_own_charges(self):
        """A formal notice whose charges were invoiced at its sending, sent again after its
        email failed and a payment came: its own charges are not deducted from it."""
        self.policy.post_legal_charges = True
        invoice = self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
            notice = self._run("2026-03-31")
            self.assertEqual(notice.level_id, self.notice)
            self.assertEqual(len(invoice.receivable_legal_charge_ids), 2)
            notice._as_engine().write({"state": "failed"})
            self._pay(invoice, 400.0, "2026-03-31")
            with self._frozen("2026-03-31"):
                notice.action_send()
        # 400 paid on 31/03 and 600 still due, each 30 days: 1000 x 12.15 % x 30 / 365 = 9.99
        self.assertRecordValues(
            notice.line_ids,
            [
                {
                    "amount_residual": 600.0,
                    "amount_paid_late": 400.0,
                    "interest_amount": 9.99,
                    "fee_amount": 40.0,
                    "charges_invoiced_until": False,
                }
            ],
        )
        self.assertEqual(len(invoice.receivable_legal_charge_ids), 2, "nothing invoiced again")

    # ------------------------------------------------------------------------------------------
    # Fees from a chosen level
    # ------------------------------------------------------------------------------------------
    def test_fees_from_the_chosen_level(self):
        self.assertEqual(self.policy._get_fee_level(self.fr_b2b), self.first, "default, B2B")
        self.assertFalse(
            self.policy._get_fee_level(self.fr_b2b.b2c_profile_id), "consumers: the law only"
        )
        with Form(self.policy) as form:
            form.fee_from_level_id = self.second
        self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            first = self._run("2026-03-05")
            second = self._run("2026-03-16")
        # 1000 x 12.15 % x 4 / 365 = 1.33 and x 15 / 365 = 4.99
        self.assertRecordValues(
            (first | second).line_ids,
            [
                {"interest_amount": 1.33, "fee_amount": 0.0},
                {"interest_amount": 4.99, "fee_amount": 40.0},
            ],
        )

    def test_fee_level_of_another_ladder_is_refused(self):
        level = self.policy.copy({"name": "Other"}).dunning_level_ids[1]
        with self.assertRefused(ValidationError, "own ladder"):
            self.policy.fee_from_level_id = level
        self.assertFalse(self.policy.fee_from_level_id)

    # ------------------------------------------------------------------------------------------
    # Set-based
    # ------------------------------------------------------------------------------------------
    def test_creating_reminders_costs_the_same_queries_for_more_partners(self):
        partners = self.env["res.partner"].create(
            [
                {"name": f"Customer {i}", "email": f"c{i}@example.com", "is_company": True}
                for i in range(13)
            ]
        )
        for partner in partners:
            partner.receivable_policy_id = self.policy
            invoice = self._due_invoice(100.0, "2026-03-01", partner=partner)
            self._pay(invoice, 40.0, "2026-03-03")
        self.env.flush_all()
        day = date(2026, 3, 5)
        counts = []
        with self._frozen("2026-03-05"):
            for some in (partners[:1], partners[1:4], partners[4:]):
                proposals = self.engine._evaluate(self.company, day, some.ids)
                self.env.invalidate_all()
                before = self.cr.sql_log_count
                reminders = self.engine._create_reminders(self.company, day, proposals)
                reminders.flush_recordset()
                counts.append(self.cr.sql_log_count - before)
                self.assertEqual(len(reminders), len(some))
        self.assertEqual(counts[1], counts[2])
        # 40 paid 2 days late: 40 x 12.15 % x 2 / 365 = 0.03 + 60 x 12.15 % x 4 / 365 = 0.08
        self.assertEqual(reminders.line_ids.mapped("interest_amount"), [0.11] * 9)
