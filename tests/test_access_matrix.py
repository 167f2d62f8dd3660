"""Who may create, read, write and delete each model of the module: one table.

``check_access`` on a record of company A (see ``AccessCommon``): the access rights
(``security/ir.model.access.csv``) and the record rules (``security/record_rules.xml``) together.
Wizards are records the Credit Manager of company A opened. A model added to the module and
missing from the table fails the suite: add its line."""

from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import MissingError
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.account_receivable_control.models.engine_mark import with_engine_mark

from .access_common import AccessCommon
from .access_common import module_model_names

ROLES = ("portal", "internal", "billing", "controller", "manager", "other_company")
OPERATIONS = {"c": "create", "r": "read", "w": "write", "u": "unlink"}

# Operations allowed ("c"reate, "r"ead, "w"rite, "u"nlink) on a record of company A, for:
#   portal, internal user without our groups, Billing (account.group_account_invoice),
#   Credit Controller, Credit Manager, Credit Manager of company B only.
# Abstract models (engines, reports, the forecast, the KPIs) hold no records: their public
# methods are checked in test_public_methods.
# fmt: off
MATRIX = {
    # model                             portal internal billing controller manager other_co
    # SQL views (aging, worklist) computed for the user's current company: read-only.
    "receivable.aging":                  ("",     "",     "r",    "r",    "r",    ""),
    # Wizards: only the user who opened them (the Credit Manager here) sees them.
    "receivable.aging.date":             ("",     "",     "",     "",     "crwu", ""),
    "receivable.call.result":            ("",     "",     "",     "",     "crwu", ""),
    # Overrides: history, created by the Credit Manager only, never changed.
    "receivable.charges.owed":           ("",     "",     "",     "",     "crwu", ""),
    "receivable.charges.owed.wizard":    ("",     "",     "",     "",     "crwu", ""),
    "receivable.credit.override":        ("",     "",     "r",    "r",    "cr",   ""),
    "receivable.credit.hold.wizard":     ("",     "",     "",     "",     "crwu", ""),
    "receivable.credit.limit.request":   ("",     "",     "",     "crw",  "crwu", ""),
    "receivable.dispute.wizard":         ("",     "",     "",     "",     "crwu", ""),
    "receivable.dunning.level":          ("",     "",     "r",    "r",    "crwu", ""),
    "receivable.dunning.run":            ("",     "",     "",     "",     "crwu", ""),
    "receivable.dunning.run.line":       ("",     "",     "",     "",     "crwu", ""),
    "receivable.followup":               ("",     "",     "",     "",     "crwu", ""),
    "receivable.followup.line":          ("",     "",     "",     "",     "crwu", ""),
    "receivable.hold.override.wizard":   ("",     "",     "",     "",     "crwu", ""),
    "receivable.letter.post.wizard":     ("",     "",     "",     "",     "crwu", ""),
    "receivable.letter.post.wizard.line":("",     "",     "",     "",     "crwu", ""),
    "receivable.legal.charge":           ("",     "",     "r",    "r",    "crwu", ""),
    # Shared legal tables (no company): every Credit Manager maintains them.
    "receivable.legal.profile":          ("",     "",     "r",    "r",    "crwu", "crwu"),
    "receivable.payment.plan":           ("",     "",     "r",    "crw",  "crwu", ""),
    "receivable.payment.plan.line":      ("",     "",     "r",    "crwu", "crwu", ""),
    # Customers' requests: created by the portal only, decided by a Credit Controller.
    "receivable.payment.plan.request":   ("",     "",     "r",    "rw",   "rw",   ""),
    "receivable.payment.plan.request.refuse": ("", "",    "",     "",     "crwu", ""),
    "receivable.policy":                 ("",     "",     "r",    "r",    "crwu", ""),
    "receivable.promise":                ("",     "",     "r",    "crw",  "crwu", ""),
    "receivable.reference.rate":         ("",     "",     "r",    "r",    "crwu", "crwu"),
    "receivable.reference.rate.import":  ("",     "",     "",     "",     "crwu", ""),
    # Reminders: deleted by Credit Managers only; sent ones are frozen in the model's code.
    "receivable.reminder":               ("",     "",     "r",    "crw",  "crwu", ""),
    "receivable.reminder.credit":        ("",     "",     "r",    "crwu", "crwu", ""),
    "receivable.reminder.line":          ("",     "",     "r",    "crwu", "crwu", ""),
    # Score history: written by the scoring only; a Credit Manager may purge it.
    "receivable.risk.snapshot":          ("",     "",     "r",    "r",    "ru",   ""),
    "receivable.worklist":               ("",     "",     "",     "r",    "r",    ""),
}
# fmt: on


@tagged("post_install", "-at_install")
class TestAccessMatrix(AccessCommon):
    def _users(self):
        return {
            "portal": self.portal,
            "internal": self.internal,
            "billing": self.invoicing_user,
            "controller": self.controller,
            "manager": self.manager,
            "other_company": self.other_company_user,
        }

    def _allowed(self, record, user):
        allowed = ""
        for letter, operation in OPERATIONS.items():
            try:
                if record.with_user(user).has_access(operation):
                    allowed += letter
            except MissingError:
                # The rows of the SQL views (aging, worklist) are computed for the user's
                # current company: a row of company A does not exist for a user of B.
                pass
        return allowed

    def test_every_model_is_in_the_table(self):
        models = {name for name in module_model_names(self.env) if not self.env[name]._abstract}
        self.assertEqual(sorted(models - set(MATRIX)), [], "models missing from MATRIX")
        self.assertEqual(sorted(set(MATRIX) - models), [], "models of MATRIX not in the module")

    def test_access_matrix(self):
        users = self._users()
        actual = {}
        for name in sorted(MATRIX):
            record = self.records[name]
            actual[name] = tuple(self._allowed(record, users[role]) for role in ROLES)
        differences = [
            f"{name}: expected {MATRIX[name]}, got {actual[name]}"
            for name in sorted(MATRIX)
            if MATRIX[name] != actual[name]
        ]
        print("\n".join(f'    "{n}": {actual[n]!r},' for n in sorted(actual)))
        self.assertFalse(differences, "\n".join(differences))

    def test_check_access_raises(self):
        """``has_access`` above is ``check_access`` without the exception: both agree."""
        reminder = self.records["receivable.reminder"]
        with self.assertRaises(AccessError):
            reminder.with_user(self.other_company_user).check_access("read")
        with self.assertRaises(AccessError):
            reminder.with_user(self.invoicing_user).check_access("write")
        reminder.with_user(self.controller).check_access("write")


@tagged("post_install", "-at_install")
class TestCheckCompany(AccessCommon):
    """``check_company=True``: a record of company A never points to a record of company B;
    customers shared between companies (no company) stay allowed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(su=True)
        cls.partner_b = env["res.partner"].create(
            {"name": "Customer of B", "company_id": cls.company_b.id}
        )
        cls.policy_b = env["receivable.policy"].create(
            {"name": "Policy of B", "company_id": cls.company_b.id}
        )
        cls.level_b = env["receivable.dunning.level"].create(
            {
                "policy_id": cls.policy_b.id,
                "name": "Reminder of B",
                "offset_days": 5,
                "channel_email": False,
                "channel_letter": True,
            }
        )
        cls.invoice_b = (
            env["account.move"]
            .with_company(cls.company_b)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.partner_b.id,
                    "invoice_line_ids": [Command.create({"name": "B", "price_unit": 10.0})],
                }
            )
        )

    def test_company_b_records_refused_in_company_a_records(self):
        cases = [
            (
                "receivable.promise",
                {"partner_id": self.partner_b.id, "move_ids": [Command.clear()]},
            ),
            ("receivable.payment.plan", {"partner_id": self.partner_b.id}),
            ("receivable.credit.limit.request", {"partner_id": self.partner_b.id}),
            ("receivable.reminder.line", {"move_id": self.invoice_b.id}),
            ("receivable.reminder.line", {"move_line_id": self.invoice_b.line_ids[0].id}),
            ("receivable.reminder.credit", {"move_id": self.invoice_b.id}),
            ("receivable.call.result", {"partner_id": self.partner_b.id}),
            ("receivable.dunning.run.line", {"level_id": self.level_b.id}),
            ("account.move", {"receivable_dunning_level_id": self.level_b.id}),
            ("account.move", {"receivable_factor_id": self.partner_b.id}),
            ("receivable.policy", {"agency_id": self.partner_b.id}),
        ]
        for model, values in cases:
            # As the engine: the lines and the invoices' dunning fields are its to write.
            record = with_engine_mark(self.records[model].sudo())
            with self.subTest(model=model, values=values):
                with self.assertRaisesRegex(UserError, "belongs to another company"):
                    record.write(values)
                    record.flush_recordset()

    def test_company_b_records_refused_in_a_batch_of_reminders(self):
        """The run creates reminders and their lines by the thousand, checked per batch: one
        record of company B among company A's still refuses the whole batch, naming it."""
        env = self.env(su=True)
        today = fields.Date.today()
        customers = env["res.partner"].create(
            [{"name": f"Batch customer {index}", "is_company": True} for index in range(3)]
        )
        invoices = [
            self._due_invoice(100.0, today - timedelta(days=40), partner=customer)
            for customer in customers
        ]

        def line(invoice):
            items = invoice.line_ids
            term = items.filtered(lambda item: item.display_type == "payment_term") or items
            values = {"company_id": self.company.id, "currency_id": self.currency.id}
            return Command.create(dict(values, move_line_id=term[:1].id, move_id=invoice.id))

        def batch(second_level=None, second_line=None):
            vals_list = [
                {
                    "partner_id": customer.id,
                    "company_id": self.company.id,
                    "level_id": self.first.id,
                    "date": today,
                    "line_ids": [line(invoice)],
                }
                for customer, invoice in zip(customers, invoices, strict=True)
            ]
            if second_level:
                vals_list[1]["level_id"] = second_level.id
            if second_line:
                vals_list[1]["line_ids"].append(second_line)
            return vals_list

        reminders = env["receivable.reminder"]._as_engine()
        cases = [
            ("level_id", batch(second_level=self.level_b)),
            ("move_id", batch(second_line=line(self.invoice_b))),
        ]
        for fname, vals_list in cases:
            refused = rf"\({fname}: .* belongs to another company"
            with self.subTest(field=fname):
                with self.assertRaisesRegex(UserError, refused):
                    with env.cr.savepoint():
                        reminders.create(vals_list)
        self.assertFalse(reminders.search([("partner_id", "in", customers.ids)]))
        created = reminders.create(batch())
        self.assertEqual(created.partner_id, customers)
        self.assertEqual(created.line_ids.move_id, self.env["account.move"].concat(*invoices))

    def test_company_b_invoice_refused_in_a_charge_of_company_a(self):
        """Invoiced charges are never rewritten: the check holds at their creation."""
        today = fields.Date.today()
        with self.assertRaisesRegex(UserError, "belongs to another company"):
            self.env["receivable.legal.charge"].sudo().create(
                {
                    "origin_move_id": self.invoice_b.id,
                    "charge_move_id": self.records["account.move"].id,
                    "company_id": self.company.id,
                    "kind": "fee",
                    "date_from": today,
                    "date_to": today,
                    "amount": 40.0,
                }
            )

    def test_shared_customer_allowed(self):
        shared = self.env["res.partner"].create({"name": "Shared customer"})
        request = self.records["receivable.credit.limit.request"]
        request.sudo().write({"partner_id": shared.id})
        self.assertEqual(request.partner_id, shared)
