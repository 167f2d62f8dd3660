import base64
import io
from datetime import date

import openpyxl

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.account_receivable_control.models import legal_formulas as lf
from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

LETTER = "account_receivable_control.action_report_dunning_letter"


@tagged("post_install", "-at_install")
class TestLegalCharges(DunningCommon, MockEmail):
    """What a reminder claims is exactly what the law allows (shipped rate tables)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fr_b2b = cls.env.ref("account_receivable_control.legal_profile_fr_b2b")
        cls.be_b2b = cls.env.ref("account_receivable_control.legal_profile_be_b2b")
        cls.fr_b2c = cls.env.ref("account_receivable_control.legal_profile_fr_b2c")
        cls.policy.legal_profile_id = cls.fr_b2b
        cls._set_up_charges_accounts()

    def _letter(self, reminder):
        html, _format = self.env["ir.actions.report"]._render_qweb_html(LETTER, reminder.ids)
        return html.decode()

    def test_fr_b2b_interest_and_fee_on_the_reminder(self):
        invoice = self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-31")  # formal notice: 30 days late
        self.assertEqual(reminder.level_id, self.notice)
        # ECB rate of 1 January 2026 = 2.15 % → 12.15 %; 1000 x 12.15 % x 30 / 365 = 9.99
        self.assertRecordValues(
            reminder.line_ids,
            [
                {
                    "move_id": invoice.id,
                    "interest_rate": 12.15,
                    "interest_amount": 9.99,
                    "fee_amount": 40.0,
                }
            ],
        )
        self.assertEqual(reminder.amount_claimed, 1049.99)
        letter = self._letter(reminder)
        self.assertIn("L441-10", letter, "the formal notice cites the legal basis")
        self.assertIn("12.15", letter)
        self.assertIn("1,049.99", letter)
        self.assertIn("1,049.99", self._mails[0]["body"])

    def test_fee_once_per_invoice_and_charges_never_invoiced_twice(self):
        self.policy.post_legal_charges = True
        invoice = self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            first = self._run("2026-03-05")
            second = self._run("2026-03-16")
            notice = self._run("2026-03-31")
        self.assertEqual((first | second | notice).line_ids.mapped("fee_amount"), [40.0] * 3)
        charges = invoice.receivable_legal_charge_ids
        self.assertEqual(charges.filtered(lambda c: c.kind == "fee").amount, 40.0)
        charge_invoice = charges.charge_move_id
        self.assertEqual(len(charge_invoice), 1)
        self.assertTrue(charge_invoice.receivable_is_legal_charge)
        self.assertEqual(charge_invoice.state, "posted")
        self.assertEqual(charge_invoice.amount_total, 49.99, "40 + 9.99, no VAT")

        with self.assertRefused(UserError, "already invoiced"):
            notice.with_user(self.controller).action_invoice_charges()
        self.assertEqual(invoice.receivable_legal_charge_ids, charges, "nothing changed")
        self.assertFalse(
            self._run("2026-04-30").line_ids.move_id & charge_invoice,
            "the charges invoice is never reminded itself",
        )

    def test_invoice_in_instalments_bears_one_fee_and_one_interest_charge(self):
        """An invoice paid in two instalments has a reminder line per due date: interest runs
        on each from its own due date, the 40 € fee is claimed and invoiced once."""
        self.policy.post_legal_charges = True
        half_now_half_later = self.env["account.payment.term"].create(
            {
                "name": "50 % now, 50 % at 30 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 30}),
                ],
            }
        )
        invoice = self._invoice(
            1000.0, invoice_date="2026-01-30", invoice_payment_term_id=half_now_half_later.id
        )
        self.assertEqual(len(invoice.line_ids.filtered("date_maturity")), 2)
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-01-30")  # the first instalment
            notice = self._run("2026-03-31")  # 60 and 30 days late: formal notice
        self.assertEqual(notice.level_id, self.notice)
        lines = notice.line_ids.sorted("date_due")
        self.assertEqual(lines.move_id, invoice)
        self.assertEqual(lines.mapped("fee_amount"), [40.0, 0.0], "one fee for the invoice")
        # 500 x 12.15 % x 60 / 365 = 9.99 and 500 x 12.15 % x 30 / 365 = 4.99 (due 1 March)
        self.assertEqual(lines.mapped("interest_amount"), [9.99, 4.99])
        charges = invoice.receivable_legal_charge_ids
        self.assertEqual(sorted(charges.mapped("kind")), ["fee", "interest"])
        self.assertEqual(charges.filtered(lambda c: c.kind == "interest").amount, 14.98)
        interest = charges.filtered(lambda c: c.kind == "interest")
        self.assertEqual(str(interest.date_from), "2026-01-31", "the day after the first due date")
        self.assertEqual(charges.charge_move_id.amount_total, 54.98)

    def test_partial_payment_before_sending_recomputes_amount_and_interest(self):
        self.notice.needs_approval = True
        invoice = self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
            self._run("2026-03-31")
        reminder = self._reminders()[-1]
        self.assertEqual((reminder.level_id, reminder.state), (self.notice, "draft"))
        self.assertEqual(reminder.line_ids.interest_amount, 9.99)
        self._register_payment(invoice, amount=400.0)
        with self.mock_mail_gateway(), self._frozen("2026-03-31"):
            reminder.action_send()
            self._deliver_mails()
        # 600 x 12.15 % x 30 / 365 = 5.99; the fee stays 40
        self.assertRecordValues(
            reminder.line_ids,
            [{"amount_residual": 600.0, "interest_amount": 5.99, "fee_amount": 40.0}],
        )
        self.assertEqual(reminder.amount_claimed, 645.99)
        self.assertIn("645.99", self._mails[0]["body"])

    def test_missing_reference_rate_claims_no_interest_for_that_half_year(self):
        """No ECB rate is shipped for 1 July 2026: the run goes on, claims the first half-year
        only and says why."""
        invoice = self._due_invoice(1000.0, "2026-06-01")
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-06-01")
            reminder = self._run("2026-07-31")
        self.assertEqual(reminder.state, "sent", "a missing rate never stops the nightly run")
        # 2 to 30 June at 12.15 %: 1000 x 12.15 % x 29 / 365 = 9.65; July: no known rate
        self.assertEqual(reminder.line_ids.interest_amount, 9.65)
        self.assertEqual(reminder.line_ids.fee_amount, 40.0)
        self.assertIn("07/01/2026", reminder.legal_warning)
        self.assertEqual(invoice.receivable_dunning_level_id, self.notice)

    def test_be_b2b_rate_rounded_up(self):
        self.policy.legal_profile_id = self.be_b2b
        self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-31")
        # 2.15 + 8 = 10.15 → 10.5 %; 1000 x 10.5 % x 30 / 365 = 8.63
        self.assertRecordValues(
            reminder.line_ids, [{"interest_rate": 10.5, "interest_amount": 8.63, "fee_amount": 40}]
        )

    def _be_individual_reminders(self, notice=False, **policy_vals):
        """A Belgian private individual's invoice of 400 due on 1 April, reminded on 2, 10
        and 20 April (with ``notice``, a formal notice) under a BE-B2B policy (its B2C profile
        applies): the invoice and the three reminders."""
        individual = self.env["res.partner"].create(
            {"name": "Marc Peeters", "email": "marc@example.com", "is_company": False}
        )
        policy = self.env["receivable.policy"].create(
            {
                "name": "BE",
                "company_id": self.company.id,
                "legal_profile_id": self.be_b2b.id,
                **policy_vals,
            }
        )
        individual.receivable_policy_id = policy
        self._create_ladder(
            policy,
            [
                ("Reminder", 1, "reminder", {"min_days_since_previous": 0}),
                ("Second", 9, "reminder", {"min_days_since_previous": 0}),
                (
                    "Third",
                    19,
                    "reminder",
                    # Sent without review (a formal notice needs one by default).
                    {
                        "min_days_since_previous": 0,
                        "formal_notice": notice,
                        "needs_approval": False,
                    },
                ),
            ],
        )
        invoice = self._due_invoice(400.0, "2026-04-01", partner=individual)
        with self.mock_mail_gateway():
            reminders = [self._run(day) for day in ("2026-04-02", "2026-04-10", "2026-04-20")]
        return invoice, reminders

    def test_be_b2c_first_reminder_free_and_window_respected(self):
        __, (first, second, third) = self._be_individual_reminders()
        self.assertEqual(first.legal_profile_id.code, "be_b2c", "a private individual")
        # email of 2 April: window 3 → 16 April, no fee or interest before it ends
        self.assertEqual((first.amount_fees, first.amount_interest), (0.0, 0.0))
        self.assertEqual((second.amount_fees, second.amount_interest), (0.0, 0.0))
        # from 17 April: lump sum 30 + 10 % x 250 = 55; 4 days at 10.5 % on 400 = 0.46
        self.assertEqual(third.amount_fees, 55.0)
        self.assertEqual(third.amount_interest, 0.46)

    def test_be_b2c_charges_invoiced_from_the_end_of_the_free_window(self):
        invoice, (__, __, third) = self._be_individual_reminders(
            notice=True, post_legal_charges=True
        )
        self.assertEqual(third.state, "sent")
        charges = invoice.receivable_legal_charge_ids
        self.assertRecordValues(
            charges.sorted("kind"),
            [
                {"kind": "fee", "amount": 55.0, "date_from": date(2026, 4, 1)},
                {"kind": "interest", "amount": 0.46, "date_from": date(2026, 4, 17)},
            ],
        )
        self.assertEqual(charges.charge_move_id.amount_total, 55.46)

    def test_fr_b2c_interest_only_after_the_formal_notice(self):
        individual = self.env["res.partner"].create(
            {"name": "Claire Martin", "email": "claire@example.com"}
        )
        individual.receivable_policy_id = self.policy  # FR-B2B policy → FR-B2C for her
        self._due_invoice(1000.0, "2026-03-01", partner=individual)
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
            notice = self._run("2026-03-31")
            self.assertEqual(notice.level_id, self.notice)
            self.assertEqual(notice.legal_profile_id, self.fr_b2c)
            self.assertEqual((notice.amount_fees, notice.amount_interest), (0.0, 0.0))
            self.notice.min_days_since_previous = 0
            later = self.env["receivable.dunning.engine"]._remind_partner_now(
                individual, notice.date.replace(day=30).replace(month=4)
            )
        # legal rate for individuals, H1 2026 = 6.67 %: 1000 x 6.67 % x 30 / 365 = 5.48
        self.assertEqual(later.amount_interest, 5.48)
        self.assertEqual(later.amount_fees, 0.0, "no €40 for consumers")

    def test_contract_rate_below_three_times_the_legal_rate_is_raised_to_it(self):
        """A contract rate below the French floor is kept (the policy form warns) and never
        applied below it: the floor of each half-year replaces it."""
        self.policy.contract_interest_rate = 5.0  # 3 x 2.62 = 7.86 in the first half of 2026
        self.assertIn("7.86", self.policy.contract_rate_warning)
        self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-31")
        # 1000 x 7.86 % x 30 / 365 = 6.46
        self.assertRecordValues(
            reminder.line_ids,
            [{"interest_rate": 7.86, "interest_amount": 6.46, "interest_rate_raised": True}],
        )
        self.policy.contract_interest_rate = 8.0
        self.assertFalse(self.policy.contract_rate_warning)
        # Exactly three times the legal rate is lawful, though 3 x 0.76 is 2.2800000000000002
        # in floating point (legal rate of the first half of 2022).
        self.assertEqual(lf.fr_contract_rate(2.28, 0.76), (2.28, False))

    def test_collection_agency_handover(self):
        agency = self.env["res.partner"].create(
            {"name": "Intrum", "is_company": True, "is_collection_agency": True}
        )
        self.policy.agency_id = agency
        self._create_ladder(self.policy, [("Agency", 60, "formal_notice", {"sequence": 50})]).write(
            {"hand_to_agency": True, "channel_email": False, "channel_letter": True}
        )
        invoice = self._due_invoice(1000.0, "2026-01-01")
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-01-01")
            self.assertEqual(self._run("2026-02-01").level_id, self.notice)
            handed = self._run("2026-03-03")
        self.assertTrue(handed.level_id.hand_to_agency)
        self.assertRecordValues(
            invoice, [{"receivable_agency_id": agency.id, "receivable_agency_state": "with_agency"}]
        )
        self.assertFalse(self._run("2026-06-01"), "no more reminders once with the agency")

        workbook = openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(handed.claim_attachment_id.datas))
        )
        self.assertEqual(workbook.sheetnames, ["Debtor", "Invoices", "Reminders"])
        invoices = workbook["Invoices"]
        self.assertEqual(invoices["A2"].value, invoice.name)
        self.assertEqual(invoices["F2"].value, 1000.0)
        self.assertEqual(invoices["F3"].value, "=SUM(F2:F2)")
        self.assertEqual(workbook["Reminders"].max_row, 5, "header + the four reminders sent")

        invoice.with_user(self.controller).action_agency_recovered()
        self.assertEqual(invoice.receivable_agency_state, "recovered")

    def test_charges_invoiced_for_a_customer_on_hold_under_a_blocking_policy(self):
        """The formal notice's charges are no new credit: a hold does not stop their invoice."""
        self.policy.write({"post_legal_charges": True, "hold_rule": "block"})
        invoice = self._due_invoice(1000.0, "2026-03-01")
        self.customer.with_user(self.manager)._put_on_credit_hold("Cheque bounced")
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
            self.assertEqual(self._run("2026-03-31").level_id, self.notice)
        charge_invoice = invoice.receivable_legal_charge_ids.charge_move_id
        self.assertEqual(len(charge_invoice), 1)
        self.assertEqual(charge_invoice.state, "posted")
        self.assertEqual(charge_invoice.amount_total, 49.99)

    def test_invoiced_charges_are_history(self):
        self.policy.post_legal_charges = True
        invoice = self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
            self.assertEqual(self._run("2026-03-31").level_id, self.notice)
        charges = invoice.receivable_legal_charge_ids
        self.assertEqual(sorted(charges.mapped("amount")), [9.99, 40.0])
        for user in (self.manager, self.env.user):
            with self.subTest(user=user.login):
                with self.assertRefused(UserError, "cannot be changed"):
                    charges.with_user(user).write({"amount": 1.0})
                with self.assertRefused(UserError, "cannot be deleted"):
                    charges.with_user(user).unlink()
        self.assertEqual(sorted(charges.mapped("amount")), [9.99, 40.0], "nothing changed")
