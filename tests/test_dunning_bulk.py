"""The run creates its reminders set-based (issue 17): a few INSERTs a batch instead of the
ORM's create, and exactly the same rows.

Worked example on 30 June 2026, French B2B charges (ECB 2.15 % + 10 points = 12.15 %): one
customer with an invoice of 1,000.00 due on 31 January of which 600.00 was paid on 2 March
(interest on the part paid late), an invoice of 300.00 due on 1 June, a credit note of 150.00
and an unapplied payment of 250.00; another customer with an invoice in EUR (2 EUR = 1 of the
company's currency), and a third one on a ladder whose level needs a review (a draft).
"""

import copy
from datetime import date

from psycopg2.errors import UniqueViolation

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DunningCommon

DAY = date(2026, 6, 30)


class _RolledBack(Exception):
    pass


@tagged("post_install", "-at_install")
class TestDunningBulkCreation(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.legal_profile_id = cls.env.ref("account_receivable_control.legal_profile_fr_b2b")
        cls._set_up_charges_accounts()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        cls.other = cls.customer.copy({"name": "Other Customer", "email": "o@example.com"})
        cls.other.receivable_policy_id = cls.policy
        cls.reviewed = cls.customer.copy({"name": "Reviewed Customer", "email": "r@example.com"})
        reviewed_policy = cls.policy.copy({"name": "Reviewed"})
        reviewed_policy.dunning_level_ids.write({"needs_approval": True})
        cls.reviewed.receivable_policy_id = reviewed_policy
        cls.paid_late = cls._due_invoice(1000.0, "2026-01-31")
        cls._register_payment(cls.paid_late, amount=600.0, payment_date="2026-03-02")
        cls._due_invoice(300.0, "2026-06-01")
        cls._due_invoice(150.0, "2026-06-10", move_type="out_refund")
        cls._unapplied_payment(250.0, "2026-06-20")
        cls._due_invoice(80.0, "2026-05-15", partner=cls.other, currency_id=cls.eur.id)
        cls._due_invoice(500.0, "2026-05-15", partner=cls.reviewed)
        cls.partners = cls.customer | cls.other | cls.reviewed

    def _vals_list(self):
        with self._frozen("2026-06-30"):
            proposals = self.engine._evaluate(self.company, DAY, self.partners.ids)
            self.assertEqual(len(proposals), 3)
            return self.engine._prepare_reminders_vals(self.company, DAY, proposals)

    def _stored(self, reminders):
        """Every column of ``reminders``, of their lines and of their credits as stored, the
        ids and references left out (the lines and credits keyed by their customer)."""
        self.env.flush_all()

        def rows(query, key):
            self.env.cr.execute(query, [tuple(reminders.ids)])
            found = self.env.cr.dictfetchall()
            for row in found:
                for name in ("id", "name", "reminder_id"):
                    row.pop(name, None)
            return sorted(found, key=key)

        def select(table):
            return (
                f"SELECT child.*, reminder.partner_id AS customer FROM {table} child"
                " JOIN receivable_reminder reminder ON reminder.id = child.reminder_id"
                " WHERE child.reminder_id IN %s"
            )

        return {
            "reminders": rows(
                "SELECT * FROM receivable_reminder WHERE id IN %s", lambda r: r["partner_id"]
            ),
            "lines": rows(
                select("receivable_reminder_line"),
                lambda r: (r["customer"], r["move_line_id"]),
            ),
            "credits": rows(
                select("receivable_reminder_credit"),
                lambda r: (r["customer"], r["move_line_id"]),
            ),
        }

    def test_set_based_creation_stores_what_create_stored(self):
        vals_list = self._vals_list()
        # Amounts to round on the way in (as a charge reckoned by hand could be): a fee of
        # 12.345 stored as 12.35, a rate kept to its 3 digits, the totals from those.
        extra = next(vals for vals in vals_list if len(vals["line_ids"]) == 2)
        extra["line_ids"][1][2].update(fee_amount=12.345, interest_rate=3.14159)
        Reminder = self.env["receivable.reminder"]._as_engine()
        # The ORM's create (the run's path before issue 17), then rolled back.
        try:
            with self.env.cr.savepoint():
                created = Reminder.with_context(
                    tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
                ).create(copy.deepcopy(vals_list))
                expected = self._stored(created)
                raise _RolledBack
        except _RolledBack:
            self.env.invalidate_all(flush=False)
        reminders = Reminder._create_in_bulk(copy.deepcopy(vals_list))
        stored = self._stored(reminders)
        self.assertEqual(stored, expected)
        # The example covers what matters: charges, a part paid late, credits, a foreign
        # currency, a reminder to review.
        self.assertEqual(len(stored["lines"]), 4)
        self.assertEqual(len(stored["credits"]), 2)
        self.assertEqual(
            sorted(row["state"] for row in stored["reminders"]), ["draft", "to_send", "to_send"]
        )
        self.assertRecordValues(
            reminders.sorted(lambda r: r.partner_id.id == self.customer.id)[-1:],
            [
                {
                    "partner_id": self.customer.id,
                    "recipient_id": self.billing.id,
                    "line_count": 2,
                    "amount_total": 700.0,
                    "amount_credits": -400.0,
                }
            ],
        )
        rounded = reminders.line_ids.filtered(lambda line: line.fee_amount == 12.35)
        self.assertEqual(rounded.interest_rate, 3.142)
        self.assertEqual(
            rounded.reminder_id.amount_fees, sum(rounded.reminder_id.line_ids.mapped("fee_amount"))
        )
        line = reminders.line_ids.filtered(lambda line: line.move_id == self.paid_late)
        self.assertEqual(line.amount_paid_late, 600.0)
        self.assertTrue(line.interest_amount)
        names = reminders.mapped("name")
        self.assertNotIn("/", names, "references drawn from the sequence")
        self.assertEqual(len(set(names)), 3)
        foreign = reminders.line_ids.filtered(lambda line: line.document_currency_id == self.eur)
        self.assertRecordValues(
            foreign, [{"amount_residual": 40.0, "amount_residual_currency": 80.0}]
        )

    def test_set_based_creation_leaves_the_cache_consistent(self):
        """Read right after the creation: the customer's reminders, the totals and the lines
        (cached before, by the same transaction) are those stored."""
        self.assertFalse(self.customer.receivable_reminder_ids)
        self.assertEqual(self.customer.receivable_reminder_pending_count, 0)
        reminders = self.env["receivable.reminder"]._as_engine()._create_in_bulk(self._vals_list())
        mine = self.customer.receivable_reminder_ids
        self.assertEqual(mine, reminders.filtered(lambda r: r.partner_id == self.customer))
        self.assertEqual(mine.line_count, len(mine.line_ids))
        self.assertEqual(mine.amount_total, sum(mine.line_ids.mapped("amount_residual")))
        self.assertEqual(self.customer.receivable_reminder_pending_count, 1)
        # Nothing left to recompute: the totals are those stored.
        pending = [
            field.name
            for field in self.env.fields_to_compute()
            if field.model_name == "receivable.reminder"
            and self.env.records_to_compute(field) & reminders
        ]
        self.assertFalse(pending)

    def test_set_based_creation_keeps_the_guards(self):
        vals_list = self._vals_list()
        with self.assertRaisesRegex(UserError, "created by the dunning run"):
            self.env["receivable.reminder"]._create_in_bulk(copy.deepcopy(vals_list))
        with self.assertRaises(UserError):  # access refused, or not the engine
            self.env["receivable.reminder"].with_user(self.controller)._create_in_bulk(
                copy.deepcopy(vals_list)
            )
        Reminder = self.env["receivable.reminder"]._as_engine()
        Reminder._create_in_bulk(copy.deepcopy(vals_list))
        # One open reminder per customer: the same batch again is refused by the index.
        with self.assertRaises(UniqueViolation), self.env.cr.savepoint():
            Reminder._create_in_bulk(copy.deepcopy(vals_list))
