from lxml import etree

from odoo import fields
from odoo.tests import Form
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningGoLive(DunningCommon, MockEmail):
    """Safe go-live: on a new ladder a customer gets the first reminder, never the formal
    notice, however late it pays; one level a run after that; formal notices wait for a
    review; private individuals follow the company's B2C policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A ladder as a manager sets one up: no first-contact flag, no approval set by hand.
        cls.fresh_policy = cls.env["receivable.policy"].create(
            {"name": "Fresh ladder", "company_id": cls.company.id, "default_credit_limit": 0.0}
        )
        cls.fresh_levels = cls._create_ladder(
            cls.fresh_policy,
            [
                ("Courtesy", -5, "friendly", {"min_days_since_previous": 0}),
                ("Reminder", 3, "reminder", {"min_days_since_previous": 3}),
                ("Firm reminder", 15, "firm", {"min_days_since_previous": 7}),
                ("Formal notice", 30, "formal_notice", {"formal_notice": True}),
            ],
        )

    def _individual(self, name, policy=None):
        individual = self.env["res.partner"].create(
            {"name": name, "email": f"{name.split()[0].lower()}@example.com"}
        )
        if policy:
            individual.receivable_policy_id = policy
        return individual

    # ------------------------------------------------------------------------------------------
    # The ladder
    # ------------------------------------------------------------------------------------------
    def test_first_contact_defaults_of_a_new_ladder(self):
        self.assertEqual(
            self.fresh_levels.mapped("may_be_first_contact"),
            [True, True, False, False],
            "before the due date and the first level after it",
        )
        self.assertEqual(
            self.fresh_levels.mapped("needs_approval"),
            [False, False, False, True],
            "the formal notice waits for a review",
        )

    def test_sixty_days_late_on_a_new_ladder_gets_the_first_reminder(self):
        self.customer.receivable_policy_id = self.fresh_policy
        _courtesy, reminder, firm, notice = self.fresh_levels
        invoice = self._due_invoice(900.0, "2026-01-01")

        with self.mock_mail_gateway():
            first = self._run("2026-03-02")
        self.assertRecordValues(
            first, [{"level_id": reminder.id, "state": "sent", "amount_total": 900.0}]
        )
        self.assertEqual(first.line_ids.days_late, 60)
        self.assertEqual(len(self._mails), 1)
        self.assertEqual(invoice.receivable_dunning_level_id, reminder)
        self.assertFalse(self.customer.credit_on_hold, "no formal notice, no hold")

        with self.mock_mail_gateway():
            self.assertFalse(self._run("2026-03-08"), "6 days since: the firm one waits 7")
        self.assertFalse(self._mails)
        self.assertEqual(len(self._reminders()), 1)

        with self.mock_mail_gateway():
            second = self._run("2026-03-09")
        self.assertEqual(second.level_id, firm, "one level a run: the next one")
        self.assertEqual(invoice.receivable_dunning_level_id, firm)

        with self.mock_mail_gateway():
            self.assertFalse(self._run("2026-03-16"), "the formal notice waits for a review")
        last = self._reminders()[-1]
        self.assertEqual((last.level_id, last.state), (notice, "draft"))
        self.assertEqual(self._reminders().level_id, reminder | firm | notice, "no courtesy")

    def test_a_ladder_never_starts_at_the_highest_level_passed(self):
        """The same invoice on the common ladder: the first reminder, not the formal notice
        its 31 days late have passed."""
        self._due_invoice(400.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-04-01")
        self.assertEqual(reminder.level_id, self.first)
        self.assertEqual(reminder.line_ids.level_id, self.first)

    def test_a_pre_due_level_may_be_the_first(self):
        invoice = self._due_invoice(300.0, "2026-03-31")
        with self.mock_mail_gateway():
            friendly = self._run("2026-03-27")
        self.assertEqual(friendly.level_id, self.friendly)
        self.assertEqual(invoice.receivable_dunning_level_id, self.friendly)
        with self.mock_mail_gateway():
            first = self._run("2026-04-03")
        self.assertEqual(first.level_id, self.first)

    def test_the_lowest_active_level_may_always_come_first(self):
        """No level lies under the ladder's lowest active level: it may be the first contact,
        marked or not (a ladder never stays silent)."""
        self.friendly.active = False
        self.first.may_be_first_contact = False
        invoice = self._due_invoice(300.0, "2026-03-01")
        proposals = self.engine._in_company_scope(self.company)._evaluate(
            self.company, fields.Date.to_date("2026-04-10"), self.customer.ids
        )
        self.assertEqual(
            [proposal["level"] for proposal in proposals],
            [self.first],
            "the Dunning Run's preview proposes the first reminder",
        )
        with self.mock_mail_gateway():
            reminder = self._run("2026-04-10")
        self.assertEqual(reminder.level_id, self.first, "40 days late: not the formal notice")
        self.assertEqual(invoice.receivable_dunning_level_id, self.first)

    def test_an_inactive_level_is_skipped(self):
        self.second.active = False
        invoice = self._due_invoice(600.0, "2026-01-01")
        with self.mock_mail_gateway():
            self.assertEqual(self._run("2026-03-02").level_id, self.first)
            self.assertFalse(self._run("2026-03-08"), "6 days since: the notice waits 7")
            notice = self._run("2026-03-09")
        self.assertEqual(notice.level_id, self.notice, "the next active level")
        self.assertEqual(invoice.receivable_dunning_level_id, self.notice)

    def test_a_customer_with_invoices_at_different_levels(self):
        """One reminder at the highest level its invoices reach, each invoice climbing its
        own ladder one level a run."""
        old = self._due_invoice(900.0, "2026-01-01")
        new = self._due_invoice(200.0, "2026-03-10")
        with self.mock_mail_gateway():
            first = self._run("2026-03-02")
            second = self._run("2026-03-09")
        self.assertEqual((first.level_id, second.level_id), (self.first, self.second))
        self.assertRecordValues(
            second.line_ids.sorted("date_due"),
            [
                {"move_id": old.id, "level_id": self.second.id},
                {"move_id": new.id, "level_id": self.friendly.id},
            ],
        )
        self.assertEqual(new.receivable_dunning_level_id, self.friendly, "due tomorrow")

        with self.mock_mail_gateway():
            notice = self._run("2026-03-16")
        self.assertEqual(notice.level_id, self.notice)
        self.assertRecordValues(
            notice.line_ids.sorted("date_due"),
            [
                {"move_id": old.id, "level_id": self.notice.id, "days_late": 74},
                {"move_id": new.id, "level_id": self.first.id, "days_late": 6},
            ],
        )
        self.assertEqual(old.receivable_dunning_level_id, self.notice)
        self.assertEqual(new.receivable_dunning_level_id, self.first, "not the formal notice")

    def test_send_now_follows_the_ladder_too(self):
        self._due_invoice(400.0, "2026-01-01")
        with self.mock_mail_gateway(), self._frozen("2026-03-02"):
            self.customer.with_user(self.controller).action_send_reminder_now()
        self.assertEqual(self._reminders().level_id, self.first)

    # ------------------------------------------------------------------------------------------
    # Formal notices need approval
    # ------------------------------------------------------------------------------------------
    def test_a_formal_notice_level_needs_approval_by_default(self):
        template = self.env.ref("account_receivable_control.mail_template_formal_notice")
        values = {
            "policy_id": self.fresh_policy.id,
            "name": "Last notice",
            "offset_days": 60,
            "mail_template_id": template.id,
        }
        notice = self.env["receivable.dunning.level"].create({**values, "formal_notice": True})
        self.assertTrue(notice.needs_approval)
        plain = self.env["receivable.dunning.level"].create(
            {**values, "name": "Late call", "offset_days": 75}
        )
        self.assertFalse(plain.needs_approval)
        plain.formal_notice = True
        self.assertTrue(plain.needs_approval, "made a formal notice: reviewed too")
        plain.needs_approval = False
        self.assertFalse(plain.needs_approval, "the manager may decide otherwise")

    def test_shipped_ladders(self):
        def ref(xmlid):
            # sudo: the shipped ladders belong to the main company, not the test company
            return self.env.ref(xmlid).sudo()

        for ladder in ("b2b", "strict", "key", "b2c"):
            levels = [
                ref(f"account_receivable_control.level_{ladder}_{name}")
                for name in ("friendly", "reminder", "second", "formal_notice")
            ]
            self.assertEqual(
                [level.may_be_first_contact for level in levels], [True, True, False, False]
            )
            self.assertTrue(levels[-1].needs_approval, f"the {ladder} formal notice")
        self.assertEqual(
            ref("base.main_company").receivable_default_b2c_policy_id,
            ref("account_receivable_control.policy_b2c"),
            "the main company's individuals follow the shipped B2C policy",
        )

    # ------------------------------------------------------------------------------------------
    # What the manager sees
    # ------------------------------------------------------------------------------------------
    def test_level_form_shows_the_defaults_and_lets_them_be_changed(self):
        template = self.env.ref("account_receivable_control.mail_template_formal_notice")
        form = Form(
            self.env["receivable.dunning.level"]
            .with_user(self.manager)
            .with_context(default_policy_id=self.fresh_policy.id)
        )
        form.name = "Final notice"
        form.offset_days = 60
        form.mail_template_id = template
        self.assertFalse(form.may_be_first_contact, "reminders come before it")
        self.assertFalse(form.needs_approval)
        form.formal_notice = True
        self.assertTrue(form.needs_approval, "a formal notice waits for a review")
        form.may_be_first_contact = True
        form.needs_approval = False
        level = form.save()
        self.assertRecordValues(level, [{"may_be_first_contact": True, "needs_approval": False}])

    def test_policy_ladder_lists_the_first_contact_levels(self):
        arch = etree.fromstring(
            self.env["receivable.policy"]
            .with_user(self.manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for name in ("may_be_first_contact", "needs_approval"):
            (column,) = arch.xpath(f"//field[@name='dunning_level_ids']/list/field[@name='{name}']")
            self.assertEqual(column.get("optional"), "show", f"{name}: a column shown")

    def test_settings_set_the_default_b2c_policy(self):
        b2c = self.env["receivable.policy"].create(
            {"name": "Consumers", "company_id": self.company.id}
        )
        form = Form(self.env["res.config.settings"])
        form.receivable_default_b2c_policy_id = b2c
        form.save().execute()
        self.assertEqual(self.company.receivable_default_b2c_policy_id, b2c)

    # ------------------------------------------------------------------------------------------
    # The default B2C policy
    # ------------------------------------------------------------------------------------------
    def test_an_individual_without_policy_gets_the_default_b2c_policy(self):
        b2c = self.env["receivable.policy"].create(
            {
                "name": "Consumers",
                "company_id": self.company.id,
                "default_credit_limit": 200.0,
                "tolerance_percent": 0.0,
                "hold_rule": "block",
            }
        )
        (b2c_reminder,) = self._create_ladder(b2c, [("Consumer reminder", 7, "reminder", {})])
        self.policy.default_credit_limit = 1000.0
        self.company.write(
            {
                "receivable_default_policy_id": self.policy.id,
                "receivable_default_b2c_policy_id": b2c.id,
            }
        )
        self.customer.receivable_policy_id = False
        individual = self._individual("Jean Martin")
        own = self._individual("Marie Leroy", policy=self.policy)

        self.assertEqual(individual.receivable_effective_policy_id, b2c)
        self.assertEqual(own.receivable_effective_policy_id, self.policy, "its own policy")
        self.assertEqual(self.customer.receivable_effective_policy_id, self.policy, "a company")
        self.assertEqual(self.contact.receivable_effective_policy_id, self.policy, "its company's")

        # The reminders: the B2C ladder.
        self._due_invoice(150.0, "2026-03-01", partner=individual)
        self._due_invoice(150.0, "2026-03-01", partner=own)
        self._due_invoice(400.0, "2026-03-01")
        with self.mock_mail_gateway():
            sent = self._run("2026-03-10")
        by_partner = {reminder.partner_id: reminder for reminder in sent}
        self.assertRecordValues(
            by_partner[individual], [{"policy_id": b2c.id, "level_id": b2c_reminder.id}]
        )
        self.assertRecordValues(
            by_partner[self.customer], [{"policy_id": self.policy.id, "level_id": self.first.id}]
        )
        self.assertEqual(by_partner[own].level_id, self.first)

        # The credit check: the B2C limit (150 owed, 500 more) and hold rule.
        self.assertEqual(individual.credit_limit_effective, 200.0)
        self.assertEqual(self.customer.credit_limit_effective, 1000.0)
        draft = self._invoice(500.0, partner=individual, post=False)
        alert = draft._get_alerts()["receivable_credit_policy"]
        self.assertEqual(alert["level"], "danger")
        self.assertIn("credit limit of $\xa0200.00", alert["message"])
        company_draft = self._invoice(500.0, post=False)
        self.assertNotIn("receivable_credit_policy", company_draft._get_alerts())

    def test_without_a_b2c_default_individuals_follow_the_default_policy(self):
        self.company.receivable_default_policy_id = self.policy
        individual = self._individual("Paul Simon")
        self.assertEqual(individual.receivable_effective_policy_id, self.policy)
        self._due_invoice(150.0, "2026-03-01", partner=individual)
        with self.mock_mail_gateway():
            sent = self._run("2026-03-10")
        self.assertEqual(sent.level_id, self.first)
