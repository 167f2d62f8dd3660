from odoo import fields
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

LETTER = "account_receivable_control.action_report_dunning_letter"
SHIPPED_B2C = (
    "level_b2c_friendly",
    "level_b2c_reminder",
    "level_b2c_second",
    "level_b2c_formal_notice",
)


@tagged("post_install", "-at_install")
class TestDunningChannels(DunningCommon, MockEmail):
    """The shipped B2C ladder, languages, companies and the cost of an evaluation."""

    def _b2c_customer(self):
        policy = self.env["receivable.policy"].create(
            {"name": "B2C", "company_id": self.company.id, "hold_rule": "warn"}
        )
        for xmlid in SHIPPED_B2C:
            # sudo: the shipped ladder belongs to the database's main company
            self.env.ref(f"account_receivable_control.{xmlid}").sudo().copy(
                {"policy_id": policy.id}
            )
        customer = self.env["res.partner"].create(
            {"name": "Julie Lambert", "email": "julie.lambert@example.com"}
        )
        customer.receivable_policy_id = policy
        return customer, policy.dunning_level_ids.sorted("sequence")

    def test_walk_the_shipped_b2c_ladder(self):
        customer, levels = self._b2c_customer()
        friendly, reminder, second, notice = levels
        self.assertEqual(levels.mapped("offset_days"), [-3, 7, 21, 45])
        invoice = self._due_invoice(180.0, "2026-03-31", partner=customer)

        self.assertFalse(self._run("2026-03-27"))
        with self.mock_mail_gateway():
            self.assertEqual(self._run("2026-03-28").level_id, friendly)
            self.assertFalse(self._run("2026-04-06"), "6 days late: the B2C ladder waits 7")
            sent = self._run("2026-04-07")
            self.assertEqual(sent.level_id, reminder)
            self.assertEqual(sent.deadline.isoformat(), "2026-04-21", "14 days to pay")
            sent = self._run("2026-04-21")
            self.assertEqual(sent.level_id, second)
            self.assertTrue(sent.letter_attachment_id)
            self.assertTrue(sent.activity_id, "a courteous call is scheduled")
        self.assertEqual(len(self._mails), 3)

        self.assertFalse(self._run("2026-05-15"), "the formal notice waits for approval")
        draft = self._reminders(customer).filtered(lambda r: r.state == "draft")
        self.assertEqual(draft.level_id, notice)
        self.assertFalse(draft.channel_email, "the B2C formal notice is a letter only")
        draft.with_user(self.controller).action_send()
        self.assertEqual(draft.state, "sent")
        html, _format = self.env["ir.actions.report"]._render_qweb_html(LETTER, draft.ids)
        self.assertNotIn("Registered letter", html.decode(), "no posting recorded yet")
        self.assertIn(invoice.name, html.decode())
        self.assertEqual(draft.post_state, "to_post", "the letter waits in Letters to Post")
        action = draft.with_user(self.controller).action_mark_posted()
        wizard = self.env[action["res_model"]].with_user(self.controller).browse(action["res_id"])
        self.assertTrue(wizard.registered, "the shipped formal notice goes registered")
        wizard.line_ids.tracking = "RR000111222BE"
        wizard.action_confirm()
        html, _format = self.env["ir.actions.report"]._render_qweb_html(LETTER, draft.ids)
        self.assertIn("Registered letter", html.decode())
        self.assertIn("RR000111222BE", html.decode())
        self.assertEqual(invoice.receivable_dunning_level_id, notice)

    def test_email_and_letter_in_the_partner_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account_receivable_control"], ["fr_FR"], overwrite=True
        )
        self.billing.lang = "fr_FR"
        invoice = self._due_invoice(500.0, "2026-03-01")
        self.first.mail_template_id = self.env.ref(
            "account_receivable_control.mail_template_reminder"
        )
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
        mail = self._mails[0]
        self.assertIn("Facture", mail["body"])
        self.assertIn(invoice.name, mail["body"])
        self.assertIn("rappel", mail["subject"].lower())
        html, _format = self.env["ir.actions.report"]._render_qweb_html(LETTER, reminder.ids)
        self.assertIn("Montant dû", html.decode())

    def test_other_company_never_sees_the_reminders(self):
        self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
        other_company = self.setup_other_company()["company"]
        outsider = self._create_user(
            "arc_outsider", "account_receivable_control.group_credit_controller", other_company
        )
        Reminder = self.env["receivable.reminder"].with_user(outsider)
        self.assertFalse(Reminder.search([("id", "=", reminder.id)]))
        self.assertEqual(Reminder.with_user(self.controller).search([]), reminder)

    def test_evaluation_costs_the_same_queries_for_more_partners(self):
        """Set-based: evaluating 3 or 12 partners takes the same number of queries."""
        partners = self.env["res.partner"].create(
            [{"name": f"Customer {i}", "email": f"c{i}@example.com"} for i in range(12)]
        )
        for partner in partners:
            partner.receivable_policy_id = self.policy
            self._due_invoice(100.0, "2026-03-01", partner=partner)
        self.env.flush_all()
        date = fields.Date.to_date("2026-03-05")
        counts = []
        for some in (partners[:3], partners, partners[:3]):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            proposals = self.engine._evaluate(self.company, date, some.ids)
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(len(proposals), len(some))
        # company, its scope (company and branches), lines, last reminders, levels, currency
        # (+ access rules when cold)
        self.assertEqual(counts[1], counts[2])
        self.assertLessEqual(counts[1], 6)
