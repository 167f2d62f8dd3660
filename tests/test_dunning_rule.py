from odoo import Command
from odoo import fields
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

DATE = "2026-03-10"


@tagged("post_install", "-at_install")
class TestDunningRule(DunningCommon, MockEmail):
    """One dunning rule: what the run reminds, what the sending re-checks and what the
    customer's form says are the same facts (the open items of the company and its
    branches on the day)."""

    # The exclusions, the customer they apply to, and what the customer's form says.
    EXCLUSIONS = {
        "dispute": "disputed (1)",
        "promise": "Promised to pay",
        "plan": "in a payment plan (1)",
        "agency": "with a collection agency (1)",
        "factor": "sold to a factor (1)",
        "excluded": "Never reminded",
        "paused": "Reminders paused until",
        "no_followup": "set to No Follow-Up (1)",
    }
    CUSTOMER_LEVEL = ("excluded", "paused")

    def _customer(self, name):
        return self.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "email": f"{name.lower().replace(' ', '.')}@example.com",
                "receivable_policy_id": self.policy.id,
            }
        )

    def _exclude(self, reason, customer, invoice):
        """Apply the exclusion ``reason`` to ``invoice`` (or to its customer), as a user
        does."""
        controller = self.env(user=self.controller)
        if reason == "dispute":
            invoice.with_env(controller)._open_dispute("Wrong prices")
        elif reason == "promise":
            with self._frozen("2026-03-05"):
                controller["receivable.promise"].create(
                    {
                        "partner_id": customer.id,
                        "promise_date": "2026-03-20",
                        "amount": invoice.amount_residual,
                        "move_ids": [Command.set(invoice.ids)],
                    }
                )
        elif reason == "plan":
            with self._frozen("2026-03-05"):
                plan = controller["receivable.payment.plan"].create(
                    {
                        "partner_id": customer.id,
                        "move_ids": [Command.set(invoice.ids)],
                        "line_ids": [Command.create({"date": "2026-04-10", "amount": 300.0})],
                    }
                )
                plan.action_confirm()
        elif reason == "agency":
            invoice._as_dunning_action().write({"receivable_agency_state": "with_agency"})
        elif reason == "factor":
            factor = self.env["res.partner"].create({"name": "Factoring SA", "is_company": True})
            invoice.with_env(controller).receivable_factor_id = factor
        elif reason == "excluded":
            customer.with_env(controller).dunning_excluded = True
        elif reason == "paused":
            customer.with_env(controller).write(
                {"dunning_paused_until": "2026-03-31", "dunning_pause_reason": "Audit"}
            )
        elif reason == "no_followup":
            invoice.line_ids.filtered("debit").no_followup = True

    def _evaluated(self, customer, date=DATE):
        """The invoices the run would remind ``customer`` of on ``date``."""
        proposals = self.engine.with_company(self.company)._evaluate(
            self.company, fields.Date.to_date(date), [customer.id]
        )
        return self.env["account.move"].browse(
            [row["move_id"] for proposal in proposals for row in proposal["rows"]]
        )

    def _status(self, customer, date=DATE):
        with self._frozen(date):
            customer.invalidate_recordset(["dunning_status"])
            return customer.with_user(self.controller).dunning_status

    def _remindable(self, invoices, date=DATE):
        lines = invoices.line_ids.filtered("debit")
        ids = self.engine._remindable_line_ids(self.company, fields.Date.to_date(date), lines.ids)
        return invoices.filtered(lambda move: move.line_ids.filtered("debit").id in ids)

    def test_each_exclusion_is_shown_as_the_run_applies_it(self):
        """For every exclusion: the run leaves the invoice out, the sending's re-check too,
        and the customer's form names it; an invoice no exclusion holds is reminded, and the
        form then says the customer is reminded by its ladder."""
        reminded = "Reminded by the ladder of its credit policy."
        for reason, shown in self.EXCLUSIONS.items():
            with self.subTest(reason=reason):
                customer = self._customer(f"Customer {reason}")
                held = self._due_invoice(300.0, "2026-03-01", partner=customer)
                self.assertEqual(self._evaluated(customer), held)
                self.assertEqual(self._status(customer), reminded)

                self._exclude(reason, customer, held)
                self.assertFalse(self._evaluated(customer), "the run reminds nothing")
                self.assertFalse(self._remindable(held), "the sending drops it")
                self.assertIn(shown, self._status(customer))

                other = self._due_invoice(200.0, "2026-03-01", partner=customer)
                if reason in self.CUSTOMER_LEVEL:
                    self.assertFalse(self._evaluated(customer))
                    self.assertFalse(self._remindable(other))
                    self.assertIn(shown, self._status(customer))
                else:
                    self.assertEqual(self._evaluated(customer), other)
                    self.assertEqual(self._remindable(held | other), other)
                    self.assertEqual(self._status(customer), reminded)

    def test_several_exclusions_are_all_named(self):
        disputed = self._due_invoice(300.0, "2026-03-01")
        factored = self._due_invoice(200.0, "2026-03-01")
        self._exclude("dispute", self.customer, disputed)
        self._exclude("factor", self.customer, factored)
        status = self._status(self.customer)
        self.assertIn("No open invoice may be reminded", status)
        self.assertIn("disputed (1)", status)
        self.assertIn("sold to a factor (1)", status)
        self.assertFalse(self._evaluated(self.customer))

    def test_invoice_dated_after_the_run_is_not_reminded(self):
        """An invoice dated next week is not owed yet: no friendly reminder before it is
        even issued, though its due date is within the friendly level's 5 days."""
        later = self._due_invoice(300.0, "2026-03-14", invoice_date="2026-03-12")
        self.assertFalse(self._evaluated(self.customer, "2026-03-10"))
        self.assertFalse(self._remindable(later, "2026-03-10"))
        self.assertEqual(self._evaluated(self.customer, "2026-03-12"), later)
        with self.mock_mail_gateway():
            self.assertFalse(self._run("2026-03-10"))
            reminder = self._run("2026-03-12")
        self.assertEqual(reminder.level_id, self.friendly)

    def _branch_and_invoices(self, name):
        """A branch of the company, and an invoice of the customer in each, due 2026-03-01."""
        self.company.write({"child_ids": [Command.create({"name": name})]})
        self.env.cr.precommit.run()  # the branch's accounting setup
        branch = self.company.child_ids
        self.env.user.company_ids |= branch
        main = self._due_invoice(300.0, "2026-03-01")
        in_branch = self._due_invoice(200.0, "2026-03-01", company_id=branch.id)
        return branch, main, in_branch

    def test_branch_invoice_is_reminded_by_its_company(self):
        """A branch's invoices are the company's receivables: its run reminds them on the
        customer's one reminder, once (the branch's own run is not started)."""
        branch, main, in_branch = self._branch_and_invoices("Brussels Branch")
        self.assertEqual(in_branch.company_id, branch)
        self._create_ladder(
            self.env["receivable.policy"].create({"name": "Branch", "company_id": branch.id}),
            [("Branch reminder", 1, "reminder", {})],
        )
        companies = self.engine._get_dunning_companies()
        self.assertIn(self.company, companies)
        self.assertNotIn(branch, companies, "its company's run covers it")

        with self.mock_mail_gateway():
            reminder = self._run(DATE)
        self.assertEqual(reminder.line_ids.move_id, main | in_branch)
        self.assertEqual(reminder.amount_total, 500.0)
        self.assertEqual(in_branch.receivable_dunning_level_id, self.first)
        self.assertIn("Reminded by the ladder", self._status(self.customer))

    def test_customer_promise_of_the_company_covers_its_branches_invoices(self):
        """A promise to pay everything, made to the company, holds the reminders of the
        branch's invoices too (the company's run reminds them); one made to the branch does
        not hold the company's own invoices."""
        branch, main, in_branch = self._branch_and_invoices("Ghent Branch")
        with self._frozen("2026-03-02"):
            branch_promise = self.env["receivable.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "company_id": branch.id,
                    "promise_date": "2026-03-20",
                    "amount": 200.0,
                }
            )
        with self.mock_mail_gateway():
            reminder = self._run(DATE)
        self.assertEqual(reminder.line_ids.move_id, main, "the branch's promise: its own only")
        self.assertEqual(branch_promise.state, "open")

        with self._frozen("2026-03-02"):
            self.env["receivable.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "promise_date": "2026-03-20",
                    "amount": 500.0,
                }
            )
        facts = self.env["receivable.facts"]
        rows = self.env.execute_query_dict(
            facts._open_items_query(
                fields.Date.to_date(DATE), self.company, self.customer.ids, as_of=False
            )
        )
        promised = {row["move_id"]: row["promised"] for row in rows}
        self.assertEqual(promised, {main.id: True, in_branch.id: True})
