from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common import ReceivableCommon

BLOCKED = "blocked by the credit policy “Test B2B”"


@tagged("post_install", "-at_install")
class TestCreditOverride(ReceivableCommon):
    """A blocked invoice is posted only with an override record, whatever the path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.hold_rule = "block"
        cls.Override = cls.env["receivable.credit.override"]
        # On hold by hand: blocked whatever the amount.
        cls.held_customer = cls.env["res.partner"].create(
            {"name": "Café Martin", "is_company": True, "receivable_policy_id": cls.policy.id}
        )
        cls.held_customer.with_user(cls.manager)._put_on_credit_hold("Unpaid cheques")
        # Same policy, far under its limit: never blocked.
        cls.good_customer = cls.env["res.partner"].create(
            {"name": "Boulangerie Leroy", "is_company": True, "receivable_policy_id": cls.policy.id}
        )

    def _overrides(self, moves):
        return self.Override.search([("move_id", "in", moves.ids)])

    def _override_as_manager(self, move, reason="Bank guarantee received"):
        return self.Override.with_user(self.manager).create({"move_id": move.id, "reason": reason})

    # ------------------------------------------------------------------------------------------
    # Finding 1: the context key posts nothing
    # ------------------------------------------------------------------------------------------
    def test_context_key_posts_nothing_over_action_post(self):
        draft = self._invoice(1500.0, post=False)
        for user in (self.invoicing_user, self.controller):
            with self.subTest(user=user.login), self.assertRefused(UserError, BLOCKED):
                # What a JSON-RPC call_kw with that context does.
                self.env["account.move"].with_user(user).with_context(
                    receivable_hold_override="x"
                ).browse(draft.id).action_post()
            self.assertEqual(draft.state, "draft")
        # A Credit Manager is shown the override wizard, nothing is posted without it.
        action = (
            draft.with_user(self.manager).with_context(receivable_hold_override="x").action_post()
        )
        self.assertEqual(action["res_model"], "receivable.hold.override.wizard")
        self.assertEqual(draft.state, "draft")
        self.assertFalse(self._overrides(draft))

    def test_context_key_posts_nothing_over_post(self):
        draft = self._invoice(1500.0, post=False)
        for user in (self.invoicing_user, self.controller, self.manager):
            with self.subTest(user=user.login), self.assertRefused(UserError, BLOCKED):
                draft.with_user(user).with_context(receivable_hold_override="x")._post(soft=False)
            self.assertEqual(draft.state, "draft")

    def test_context_key_posts_nothing_from_the_form(self):
        moves = self.env["account.move"].with_user(self.controller)
        context = {"default_move_type": "out_invoice", "receivable_hold_override": "x"}
        with Form(moves.with_context(**context)) as form:
            form.partner_id = self.customer
            form.invoice_date = fields.Date.today()
            with form.invoice_line_ids.new() as line:
                line.name = "Beer"
                line.price_unit = 1500.0
                line.tax_ids.clear()
        invoice = form.record
        with self.assertRefused(UserError, BLOCKED):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")

    # ------------------------------------------------------------------------------------------
    # Finding 2: the wizard checks every invoice it posts
    # ------------------------------------------------------------------------------------------
    def test_crafted_wizard_of_a_controller_posts_nothing(self):
        blocked = self._invoice(1500.0, post=False)
        held = self._invoice(10.0, partner=self.held_customer, post=False)
        free = self._invoice(10.0, partner=self.good_customer, post=False)
        Wizard = self.env["receivable.hold.override.wizard"].with_user(self.controller)
        crafted = (
            {"post_move_ids": (blocked | held).ids, "reason": "Trust me"},
            {"post_move_ids": (blocked | free).ids, "move_ids": free.ids, "reason": "Trust me"},
        )
        for values in crafted:
            wizard = Wizard.create(values)
            self.assertEqual(wizard.move_ids, (blocked | held) & wizard.post_move_ids)
            with self.subTest(values=values), self.assertRefused(AccessError, "may not override"):
                wizard.action_confirm()
        self.assertEqual((blocked | held | free).mapped("state"), ["draft"] * 3)
        self.assertFalse(self._overrides(blocked | held | free))

    def test_manager_override_records_each_blocked_invoice_and_posts(self):
        with freeze_time("2026-03-02 10:00:00"):
            blocked = self._invoice(1500.0, post=False)
            held = self._invoice(10.0, partner=self.held_customer, post=False)
            free = self._invoice(10.0, partner=self.good_customer, post=False)
            moves = blocked | held | free
            action = moves.with_user(self.manager).action_post()
            wizard = self.env["receivable.hold.override.wizard"].browse(action["res_id"])
            wizard = wizard.with_user(self.manager)
            self.assertEqual(wizard.move_ids, blocked | held, "the free invoice is not blocked")
            wizard.reason = "  Bank guarantee received "
            wizard.action_confirm()
        self.assertEqual(moves.mapped("state"), ["posted"] * 3)
        overrides = self._overrides(moves).sorted(lambda o: o.move_id.id)
        self.assertRecordValues(
            overrides,
            [
                {
                    "move_id": blocked.id,
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "policy_id": self.policy.id,
                    "user_id": self.manager.id,
                    "date": fields.Datetime.to_datetime("2026-03-02 10:00:00"),
                    "reason": "Bank guarantee received",
                    "amount_granted": 1500.0,
                    "amount_over": 400.0,  # exposure 1,500 above limit 1,000 + 10 %
                },
                {
                    "move_id": held.id,
                    "partner_id": self.held_customer.id,
                    "company_id": self.company.id,
                    "policy_id": self.policy.id,
                    "user_id": self.manager.id,
                    "date": fields.Datetime.to_datetime("2026-03-02 10:00:00"),
                    "reason": "Bank guarantee received",
                    "amount_granted": 10.0,
                    "amount_over": 10.0,  # not about the limit: the whole invoice
                },
            ],
        )
        self.assertIn("exceeds the credit limit", overrides[0].breaches)
        self.assertIn("on credit hold: Unpaid cheques", overrides[1].breaches)
        self.assertIn("Credit hold overridden by arc_manager", self._last_message(held))
        self.assertIn("Unpaid cheques", self._last_message(held))
        # The invoice form shows them.
        self.assertEqual(blocked.receivable_credit_override_count, 1)
        self.assertEqual(free.receivable_credit_override_count, 0)
        view = blocked.with_user(self.invoicing_user).action_view_credit_overrides()
        self.assertEqual(
            self.Override.with_user(self.invoicing_user).search(view["domain"]), overrides[0]
        )

    # ------------------------------------------------------------------------------------------
    # What the override covers
    # ------------------------------------------------------------------------------------------
    def test_invoice_raised_after_the_override_is_blocked_again(self):
        draft = self._invoice(1500.0, post=False)
        self.assertEqual(draft._get_alerts()["receivable_credit_policy"]["level"], "danger")
        self._override_as_manager(draft)
        alert = draft._get_alerts()["receivable_credit_policy"]
        self.assertEqual(alert["level"], "warning")
        self.assertIn("allowed by the override of arc_manager", alert["message"])
        self.assertIn("Bank guarantee received", alert["message"])
        draft.invoice_line_ids.price_unit = 1600.0
        self.assertEqual(draft._get_alerts()["receivable_credit_policy"]["level"], "danger")
        for user in (self.controller, self.manager):
            with self.subTest(user=user.login), self.assertRefused(UserError, BLOCKED):
                draft.with_user(user)._post(soft=False)
        self.assertEqual(draft.state, "draft")

        draft.invoice_line_ids.price_unit = 1400.0  # back under the amount granted
        draft.with_user(self.controller).action_post()
        self.assertEqual(draft.state, "posted", "the manager's override covers it")
        message = self._last_message(draft)
        self.assertIn("Credit hold overridden by arc_manager", message)
        self.assertIn("Bank guarantee received", message)

    def test_override_of_a_user_who_lost_the_right_no_longer_counts(self):
        draft = self._invoice(1500.0, post=False)
        self._override_as_manager(draft)
        self.policy.override_group_id = self.env.ref("base.group_system")
        with self.assertRefused(UserError, BLOCKED):
            draft.with_user(self.controller).action_post()
        self.assertEqual(draft.state, "draft")

    # ------------------------------------------------------------------------------------------
    # Who creates overrides; nobody changes them
    # ------------------------------------------------------------------------------------------
    def test_only_who_may_override_creates_an_override(self):
        draft = self._invoice(1500.0, post=False)
        values = {"move_id": draft.id, "reason": "Trust me"}
        # Without the right to create overrides (access rights), and even with sudo (the
        # policy's override group, re-checked in create).
        with self.assertRefused(AccessError, "not allowed to create"):
            self.Override.with_user(self.controller).create(values)
        with self.assertRefused(AccessError, "may not override the credit policy"):
            self.Override.with_user(self.controller).sudo().create(values)
        with self.assertRefused(ValidationError, "Give the reason"):
            self.Override.with_user(self.manager).create({"move_id": draft.id, "reason": " "})
        free = self._invoice(10.0, partner=self.good_customer, post=False)
        with self.assertRefused(UserError, "not blocked by a credit policy"):
            self._override_as_manager(free)
        self.assertFalse(self._overrides(draft | free))

        # Whatever else the caller sends is read from the invoice, not taken from it.
        override = self.Override.with_user(self.manager).create(
            {
                **values,
                "user_id": self.controller.id,
                "amount_granted": 1_000_000.0,
                "amount_over": 0.0,
            }
        )
        self.assertRecordValues(
            override, [{"user_id": self.manager.id, "amount_granted": 1500.0, "amount_over": 400.0}]
        )
        with self.assertRefused(UserError, "not blocked by a credit policy"):
            self._override_as_manager(draft)  # already covered: nothing left to override

    def test_overrides_are_history(self):
        draft = self._invoice(1500.0, post=False)
        override = self._override_as_manager(draft)
        for env_override in (
            override.with_user(self.manager),
            override.with_user(self.controller),
            override.sudo(),
        ):
            with self.subTest(user=env_override.env.user.login, su=env_override.env.su):
                with self.assertRefused(UserError, "."):
                    env_override.write({"amount_granted": 1_000_000.0})
                with self.assertRefused(UserError, "."):
                    env_override.write({"reason": "Something else"})
                with self.assertRefused(UserError, "."):
                    env_override.unlink()
        self.assertRecordValues(
            override, [{"amount_granted": 1500.0, "reason": "Bank guarantee received"}]
        )
        with self.assertRefused(UserError, "cannot be changed"):
            override.with_user(self.manager).write({"reason": "Something else"})
        with self.assertRefused(UserError, "cannot be deleted"):
            override.sudo().unlink()

    def test_override_of_another_company_is_invisible(self):
        draft = self._invoice(1500.0, post=False)
        override = self._override_as_manager(draft)
        company_b = self.setup_other_company(name="Company B")["company"]
        manager_b = self._create_user(
            "arc_manager_b", "account_receivable_control.group_credit_manager", company=company_b
        )
        self.assertFalse(self.Override.with_user(manager_b).search([]))
        with self.assertRefused(AccessError, "."):
            override.with_user(manager_b).read(["reason"])
        with self.assertRefused(AccessError, "."):
            self.Override.with_user(manager_b).create(
                {"move_id": draft.id, "reason": "Other company"}
            )
