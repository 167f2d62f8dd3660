from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestChargesOwed(DunningCommon, MockEmail):
    """Charges Owed on Paid Invoices: the interest and the fee earned on the invoices paid late
    in full (shipped rate tables: ECB rate of 1 January 2026 = 2.15 %), and their invoicing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fr_b2b = cls.env.ref("account_receivable_control.legal_profile_fr_b2b")
        cls.be_b2b = cls.env.ref("account_receivable_control.legal_profile_be_b2b")
        cls.be_b2c = cls.env.ref("account_receivable_control.legal_profile_be_b2c")
        cls.policy.legal_profile_id = cls.be_b2b
        cls._set_up_charges_accounts()
        cls.other = cls.env["res.partner"].create({"name": "Café Leroy", "is_company": True})
        cls.other.receivable_policy_id = cls.policy

    def _paid_invoice(self, amount, due, payments, partner=None):
        """An invoice of ``amount`` due on ``due`` paid by ``payments``: (date, amount)."""
        invoice = self._due_invoice(amount, due, partner=partner)
        for day, paid in payments:
            self._register_payment(invoice, amount=paid, payment_date=day)
        return invoice

    def _owed(self, at="2026-06-30", since=None, user=None):
        """The rows the wizard computes at ``at`` (as ``user``, a Credit Controller)."""
        env = self.env(user=user or self.controller)
        with freeze_time(at):
            wizard = env["receivable.charges.owed.wizard"].create(
                {"date": at, **({"date_since": since} if since else {})}
            )
            action = wizard.action_compute()
        return env["receivable.charges.owed"].search(action["domain"])

    def test_be_b2b_invoice_paid_late_in_full(self):
        late = self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 1000.0)])
        self._paid_invoice(500.0, "2026-01-31", [("2026-01-30", 500.0)])  # on time: no row
        self._due_invoice(700.0, "2026-01-31")  # still open: the reminders claim it
        rows = self._owed()
        # 30 days late (1 February → 2 March) at 2.15 + 8 = 10.15 → 10.5 %:
        # 1,000.00 x 10.5 % x 30 / 365 = 8.63, and the €40 of a late invoice
        self.assertRecordValues(
            rows,
            [
                {
                    "partner_id": self.customer.id,
                    "move_id": late.id,
                    "legal_profile_id": self.be_b2b.id,
                    "date_due": date(2026, 1, 31),
                    "pay_date": date(2026, 3, 2),
                    "days_late": 30,
                    "amount_late": 1000.0,
                    "interest": 8.63,
                    "fee": 40.0,
                    "amount_invoiced": 0.0,
                    "amount_to_invoice": 48.63,
                    "interest_from": date(2026, 2, 1),
                    "rates": "10.5",
                }
            ],
        )

    def test_fr_b2b_invoice_paid_late_in_full(self):
        self.policy.legal_profile_id = self.fr_b2b
        self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 1000.0)])
        # 2.15 + 10 = 12.15 %: 1,000.00 x 12.15 % x 30 / 365 = 9.99, and the €40
        self.assertRecordValues(
            self._owed(),
            [{"interest": 9.99, "fee": 40.0, "amount_to_invoice": 49.99, "rates": "12.15"}],
        )

    def test_parts_paid_late_bear_interest_until_their_payment(self):
        self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 600.0), ("2026-04-15", 400.0)])
        # 600 x 10.5 % x 30 / 365 = 5.18 (to 2 March) + 400 x 10.5 % x 74 / 365 = 8.52
        # (to 15 April) = 13.69
        self.assertRecordValues(
            self._owed(),
            [
                {
                    "pay_date": date(2026, 4, 15),
                    "days_late": 74,
                    "amount_late": 1000.0,
                    "interest": 13.69,
                    "fee": 40.0,
                    "amount_to_invoice": 53.69,
                }
            ],
        )
        self.policy.legal_profile_id = self.fr_b2b
        # 600 x 12.15 % x 30 / 365 + 400 x 12.15 % x 74 / 365
        # = 5.9918 + 9.8531 = 15.8449 → 15.84
        self.assertEqual(self._owed().interest, 15.84)

    def test_missing_reference_rate_stated_on_the_row(self):
        """Paid across 1 July with no ECB rate for the second half of 2026: interest for the
        first half only, 1,000.00 x 10.5 % x 15 / 365 = 4.32 (16 → 30 June), and the row
        says which rate is missing."""
        rates = self.env["receivable.reference.rate"]
        rates.search([("date_from", ">=", "2026-07-01")]).unlink()
        self._paid_invoice(1000.0, "2026-06-15", [("2026-07-15", 1000.0)])
        row = self._owed(at="2026-08-31")
        self.assertRecordValues(row, [{"interest": 4.32, "fee": 40.0, "rates": "10.5"}])
        self.assertIn("07/01/2026", row.warning)

    def test_outside_the_period_or_without_profile_no_row(self):
        self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 1000.0)])
        self.assertFalse(self._owed(since="2026-03-02"), "paid on the day the period starts")
        self.assertFalse(self._owed(at="2026-03-01"), "not paid yet at that date")
        self.policy.legal_profile_id = False
        self.assertFalse(self._owed(), "a policy without legal profile claims nothing")

    def test_invoicing_one_invoice_per_customer_never_twice(self):
        first = self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 1000.0)])
        second = self._paid_invoice(
            1000.0, "2026-01-31", [("2026-03-02", 600.0), ("2026-04-15", 400.0)]
        )
        leroy = self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 1000.0)], self.other)
        rows = self._owed()
        self.assertEqual(len(rows), 3)
        # A Credit Manager opened the same list before the controller invoiced it.
        manager_rows = self._owed(user=self.manager)
        self.assertEqual(manager_rows.mapped("amount_to_invoice"), [48.63, 53.69, 48.63])
        with freeze_time("2026-06-30"):
            action = rows.with_user(self.controller).action_invoice_charges()
        charge_invoices = self.env["account.move"].search(action["domain"])
        self.assertEqual(len(charge_invoices), 2, "one charges invoice per customer")
        dupont = charge_invoices.filtered(lambda m: m.partner_id == self.customer)
        self.assertEqual(dupont.state, "posted")
        self.assertTrue(dupont.receivable_is_legal_charge)
        self.assertEqual(dupont.invoice_date, date(2026, 6, 30))
        self.assertEqual(dupont.amount_total, 48.63 + 53.69, "no VAT")
        self.assertEqual(
            dupont.invoice_line_ids.mapped("name"),
            [
                f"Fixed recovery compensation, invoice {first.name}",
                f"Late interest on invoice {first.name} from 02/01/2026 to 03/02/2026 at 10.5 %",
                f"Fixed recovery compensation, invoice {second.name}",
                f"Late interest on invoice {second.name} from 02/01/2026 to 04/15/2026 at 10.5 %",
            ],
        )
        self.assertEqual(dupont.invoice_line_ids.mapped("price_unit"), [40.0, 8.63, 40.0, 13.69])
        self.assertEqual(
            charge_invoices.filtered(lambda m: m.partner_id == self.other).amount_total, 48.63
        )
        self.assertRecordValues(
            leroy.receivable_legal_charge_ids.sorted("kind"),
            [
                {
                    "kind": "fee",
                    "amount": 40.0,
                    "date_from": date(2026, 1, 31),
                    "date_to": date(2026, 3, 2),
                    "reminder_id": False,
                },
                {
                    "kind": "interest",
                    "amount": 8.63,
                    "date_from": date(2026, 2, 1),
                    "date_to": date(2026, 3, 2),
                    "reminder_id": False,
                },
            ],
        )
        # The list shows what is left: nothing; a second invoicing is refused.
        self.assertEqual(rows.mapped("amount_to_invoice"), [0.0] * 3)
        self.assertEqual(rows.mapped("amount_invoiced"), [48.63, 53.69, 48.63])
        again = self._owed()
        self.assertEqual(again.mapped("amount_to_invoice"), [0.0] * 3)
        with self.assertRefused(UserError, f"Nothing is left to invoice on {first.name}"):
            again.with_user(self.controller).action_invoice_charges()
        with self.assertRefused(UserError, "Nothing is left to invoice"):
            manager_rows.with_user(self.manager).action_invoice_charges()
        self.assertEqual(len(first.receivable_legal_charge_ids), 2, "nothing invoiced twice")

    def test_computed_in_a_fixed_number_of_queries(self):
        """One query for the paid invoices, one for their late payments, one for the charges
        invoiced, one for the reminder history per legal profile: not one per invoice."""

        def queries(expected_rows):
            owed = self.env["receivable.charges.owed"]
            args = (self.company, date(2025, 6, 30), date(2026, 6, 30))
            owed._compute_owed(*args)  # Odoo's caches (access rules, companies) warm
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.assertEqual(len(owed._compute_owed(*args)), expected_rows)
            return self.env.cr.sql_log_count - before

        for __ in range(2):
            self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 600.0), ("2026-04-15", 400.0)])
        few = queries(2)
        for __ in range(6):
            self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 1000.0)], self.other)
        # No more queries for 4 times the invoices and a second customer (fewer, even: the
        # first count holds a few of Odoo's caches filled again after the payments).
        self.assertLessEqual(queries(8), few)

    def test_interest_invoiced_by_a_formal_notice_is_deducted(self):
        """A formal notice invoiced the interest to its date; the rest, to the payment, and no
        second fee."""
        self.policy.write({"legal_profile_id": self.fr_b2b.id, "post_legal_charges": True})
        invoice = self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
            notice = self._run("2026-03-31")  # formal notice: 9.99 (2 → 31 March) + 40 invoiced
        self.assertEqual(notice.level_id, self.notice)
        self.assertEqual(sum(invoice.receivable_legal_charge_ids.mapped("amount")), 49.99)
        self._register_payment(invoice, payment_date="2026-04-30")
        # earned: 1,000.00 x 12.15 % x 60 / 365 = 19.97; invoiced 9.99 → 9.98 from 1 April
        row = self._owed()
        self.assertRecordValues(
            row,
            [
                {
                    "interest": 19.97,
                    "fee": 40.0,
                    "amount_invoiced": 49.99,
                    "interest_to_invoice": 9.98,
                    "fee_to_invoice": 0.0,
                    "amount_to_invoice": 9.98,
                    "interest_from": date(2026, 4, 1),
                }
            ],
        )
        with freeze_time("2026-06-30"):
            row.with_user(self.controller).action_invoice_charges()
        interest = invoice.receivable_legal_charge_ids.filtered(lambda c: c.kind == "interest")
        self.assertEqual(interest.mapped("amount"), [9.99, 9.98])
        self.assertEqual(interest[-1].date_from, date(2026, 4, 1))

    def test_private_individual_gets_the_b2c_profile(self):
        """Belgian consumer (BE-B2B policy → BE-B2C): first reminder by email on 2 April,
        free until 16 April; paid on 1 May. Interest from 17 April: 400 x 10.5 % x 15 / 365 =
        1.73; lump sum 30 + 10 % x (400 - 150) = 55."""
        individual = self.env["res.partner"].create(
            {"name": "Marc Peeters", "email": "marc@example.com", "is_company": False}
        )
        individual.receivable_policy_id = self.policy
        invoice = self._due_invoice(400.0, "2026-04-01", partner=individual)
        with self.mock_mail_gateway():
            self._run("2026-04-02")
        self._register_payment(invoice, payment_date="2026-05-01")
        self.assertRecordValues(
            self._owed(),
            [
                {
                    "partner_id": individual.id,
                    "legal_profile_id": self.be_b2c.id,
                    "interest_from": date(2026, 4, 17),
                    "interest": 1.73,
                    "fee": 55.0,
                    "amount_to_invoice": 56.73,
                }
            ],
        )

    def test_b2c_without_reminder_claims_nothing(self):
        """Without a first reminder the Belgian consumer's free window never started: no
        charge is owed, no row."""
        individual = self.env["res.partner"].create({"name": "Marc Peeters", "is_company": False})
        individual.receivable_policy_id = self.policy
        self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 1000.0)], individual)
        self.assertFalse(self._owed())

    def test_other_company_invoices_not_shown(self):
        company_b = self.setup_other_company()["company"]
        self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 1000.0)])
        self.policy.copy({"company_id": company_b.id, "legal_profile_id": self.be_b2b.id})
        env_b = self.env(context={"allowed_company_ids": [company_b.id, self.company.id]})
        invoice_b = (
            env_b["account.move"]
            .with_company(company_b)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.other.id,
                    "invoice_date": "2026-01-01",
                    "invoice_date_due": "2026-01-31",
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "B", "price_unit": 1000.0, "tax_ids": [Command.clear()]}
                        )
                    ],
                }
            )
        )
        invoice_b.action_post()
        env_b["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice_b.ids
        ).create({"payment_date": "2026-03-02"})._create_payments()
        self.assertTrue(invoice_b.line_ids.filtered("reconciled"), "company B's invoice is paid")
        rows = self._owed()
        self.assertEqual(rows.move_id.company_id, self.company)

    def test_user_without_the_group_refused(self):
        self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 1000.0)])
        rows = self._owed()
        with self.assertRaises(AccessError):
            self.env["receivable.charges.owed.wizard"].with_user(self.invoicing_user).create({})
        with self.assertRaises(AccessError):
            rows.with_user(self.invoicing_user).action_invoice_charges()
        self.assertFalse(rows.move_id.receivable_legal_charge_ids)

    def test_dates_checked(self):
        with freeze_time("2026-06-30"), self.assertRefused(ValidationError, "Paid Since"):
            self.env["receivable.charges.owed.wizard"].create(
                {"date": "2026-06-30", "date_since": "2026-07-01"}
            )

    def test_missing_settings_refused(self):
        self._paid_invoice(1000.0, "2026-01-31", [("2026-03-02", 1000.0)])
        rows = self._owed()
        self.company.receivable_charges_journal_id = False
        with self.assertRefused(UserError, "Set the journal"):
            rows.with_user(self.controller).action_invoice_charges()
