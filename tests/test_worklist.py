from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestWorklist(DunningCommon):
    """The collector worklist: its actions, their ranking, and the one-click call results.

    Three customers have a call due today, assigned to the controller:

    ======  ========  =========  ====  ===========  ===========  ============
    name    overdue   days late  risk  amount       amount_days  risk (default)
    ======  ========  =========  ====  ===========  ===========  ============
    Alpha   1000      10         90    1000 (2nd)   1333 (3rd)   1200 (1st)
    Beta     600      90         20     600 (3rd)   2400 (1st)    480 (3rd)
    Gamma   2000       3         50    2000 (1st)   2200 (2nd)   1100 (2nd)
    ======  ========  =========  ====  ===========  ===========  ============
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.alpha, cls.beta, cls.gamma = cls.env["res.partner"].create(
            [{"name": name, "is_company": True} for name in ("Alpha", "Beta", "Gamma")]
        )
        cls.inv_alpha = cls._due_invoice(1000.0, cls.today - timedelta(days=10), cls.alpha)
        cls.inv_beta = cls._due_invoice(600.0, cls.today - timedelta(days=90), cls.beta)
        cls.inv_gamma = cls._due_invoice(2000.0, cls.today - timedelta(days=3), cls.gamma)
        cls.calls = {
            partner: partner.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=cls.today,
                summary="Collection call",
                user_id=cls.controller.id,
            )
            for partner in (cls.alpha, cls.beta, cls.gamma)
        }
        cls.insurer = cls.env["res.partner"].create({"name": "Allianz Trade", "is_company": True})
        cls.has_risk = "receivable_risk_score" in cls.env["res.partner"]._fields
        if cls.has_risk:
            for partner, score in ((cls.alpha, 90), (cls.beta, 20), (cls.gamma, 50)):
                partner.with_company(cls.company).receivable_risk_score = score

    def _worklist(self, domain=None):
        return self.env["receivable.worklist"].with_company(self.company).search(domain or [])

    def _calls(self):
        return self._worklist([("kind", "=", "call")])

    def _insure(self, partner, amount):
        partner.with_company(self.company).write(
            {"credit_insurer_id": self.insurer.id, "credit_insured_amount": amount}
        )

    # ------------------------------------------------------------------------------------------
    # Ranking
    # ------------------------------------------------------------------------------------------
    def test_worklist_rows(self):
        rows = self._calls()
        self.assertEqual(len(rows), 3)
        alpha = rows.filtered(lambda r: r.partner_id == self.alpha)
        self.assertRecordValues(
            alpha,
            [
                {
                    "company_id": self.company.id,
                    "collector_id": self.controller.id,
                    "date": self.today,
                    "amount_overdue": 1000.0,
                    "days_late": 10,
                    "activity_id": self.calls[self.alpha].id,
                }
            ],
        )
        # Risk 90 x 1000 x (1 + 10/30) with the risk scoring; 50 without it.
        risk = 90.0 if self.has_risk else 50.0
        self.assertAlmostEqual(alpha.risk_score, risk)
        self.assertAlmostEqual(alpha.priority, round(risk / 100 * 1000 * (1 + 10 / 30), 2))

    def test_worklist_order_default_rule(self):
        self.assertEqual(self.company.receivable_worklist_rule, "risk_amount_days")
        partners = self._calls().partner_id
        if self.has_risk:
            self.assertEqual(partners, self.alpha | self.gamma | self.beta)
            self.assertEqual(partners.ids, [self.alpha.id, self.gamma.id, self.beta.id])
        else:
            # Every customer at the default risk of 50: the order of amount x days.
            self.assertEqual(partners.ids, [self.beta.id, self.gamma.id, self.alpha.id])

    def test_worklist_order_other_rules(self):
        self.company.receivable_worklist_rule = "amount_days"
        self.assertEqual(self._calls().partner_id.ids, [self.beta.id, self.gamma.id, self.alpha.id])
        self.assertAlmostEqual(
            self._calls().filtered(lambda r: r.partner_id == self.beta).priority, 2400.0
        )
        self.company.receivable_worklist_rule = "amount"
        self.assertEqual(self._calls().partner_id.ids, [self.gamma.id, self.alpha.id, self.beta.id])

    def test_worklist_my_actions_collector(self):
        """The collector is the call's assignee; other actions go to the customer's collector,
        else its salesperson."""
        self.beta.with_company(self.company).receivable_collector_id = self.manager
        self.gamma.user_id = self.invoicing_user
        self.calls[self.alpha].unlink()
        self._insure(self.beta, 100.0)
        self._insure(self.gamma, 500.0)
        covers = self._worklist([("kind", "=", "cover")])
        self.assertEqual(
            {(row.partner_id, row.collector_id, row.amount) for row in covers},
            {(self.beta, self.manager, 500.0), (self.gamma, self.invoicing_user, 1500.0)},
        )
        mine = (
            self.env["receivable.worklist"]
            .with_user(self.controller)
            .search([("collector_id", "=", self.controller.id)])
        )
        self.assertEqual(mine.partner_id, self.beta | self.gamma)
        self.assertEqual(set(mine.mapped("kind")), {"call"})

    def test_worklist_action_kinds(self):
        # A reminder waiting for review (created as the dunning run does).
        run = self.env["receivable.reminder"]._as_engine()
        reminder = run.create(
            {
                "partner_id": self.alpha.id,
                "company_id": self.company.id,
                "level_id": self.first.id,
                "date": self.today,
                "state": "draft",
            }
        )
        # A promise broken (yesterday's) and one broken long ago (not shown).
        promises = self.env["receivable.promise"].create(
            [
                {"partner_id": self.beta.id, "promise_date": self.today, "amount": 100.0},
                {"partner_id": self.gamma.id, "promise_date": self.today, "amount": 100.0},
            ]
        )
        # (Settled by the nightly check in real life: dated in the past directly here.)
        self.env.flush_all()
        for promise, days in zip(promises, (1, 45), strict=True):
            self.env.cr.execute(
                "UPDATE receivable_promise SET state = 'broken', promise_date = %s WHERE id = %s",
                (self.today - timedelta(days=days), promise.id),
            )
        promises.invalidate_recordset()
        # A dispute opened 20 days ago (followed up after 14 days) and one opened today.
        with self._frozen(self.today - timedelta(days=20)):
            self.inv_gamma._open_dispute("Damaged goods")
        self.inv_alpha._open_dispute("Wrong price")
        # Cover exceeded for Alpha (1000 open, 800 covered).
        self._insure(self.alpha, 800.0)

        rows = self._worklist([("kind", "!=", "call")])
        self.assertEqual(
            {(row.kind, row.partner_id) for row in rows},
            {
                ("reminder", self.alpha),
                ("promise", self.beta),
                ("dispute", self.gamma),
                ("cover", self.alpha),
            },
        )
        self.assertEqual(rows.filtered(lambda r: r.kind == "reminder").reminder_id, reminder)
        self.assertEqual(rows.filtered(lambda r: r.kind == "promise").promise_id, promises[0])
        dispute = rows.filtered(lambda r: r.kind == "dispute")
        self.assertEqual(dispute.move_id, self.inv_gamma)
        self.assertEqual(dispute.date, self.today - timedelta(days=6))
        self.assertEqual(rows.filtered(lambda r: r.kind == "cover").amount, 200.0)
        # A new open promise settles the follow-up of the broken one.
        self.env["receivable.promise"].create(
            {"partner_id": self.beta.id, "promise_date": self.today, "amount": 50.0}
        )
        self.assertFalse(self._worklist([("kind", "=", "promise")]))

    # ------------------------------------------------------------------------------------------
    # The customer's figures of its Credit tab (receivable.facts)
    # ------------------------------------------------------------------------------------------
    def test_overdue_equals_the_credit_tab_with_a_credit_note_and_an_unapplied_payment(self):
        """Overdue = the items past due, credit notes and unapplied payments included, on the
        worklist and on the customer's Credit tab alike."""
        self._due_invoice(
            300.0, self.today - timedelta(days=15), self.alpha, move_type="out_refund"
        )
        self._unapplied_payment(200.0, self.today - timedelta(days=5), self.alpha)
        self._due_invoice(400.0, self.today + timedelta(days=10), self.alpha)  # not due yet
        row = self._row(self.alpha)
        alpha = self.alpha.with_company(self.company)
        self.assertEqual(row.amount_overdue, 500.0, "1000 past due - 300 credited - 200 paid")
        self.assertEqual(alpha.credit_overdue_amount, row.amount_overdue)
        self.assertEqual(row.days_late, 10)
        self.assertEqual(alpha.credit_oldest_overdue_days, row.days_late)
        self.assertEqual(alpha.credit_open_amount, 900.0)

    def test_cover_exceeded_rows_are_the_credit_tab_s(self):
        """A Cover Exceeded row for exactly the customers whose Credit tab shows the cover
        exceeded, the amount above the cover from the same exposure: pending invoices count,
        an amount without insurer is no cover."""
        self._insure(self.alpha, 800.0)  # 1000 open + 100 draft: 300 above the cover
        self._invoice(100.0, partner=self.alpha, post=False)
        self._insure(self.beta, 700.0)  # 600 open + 150 draft: 50 above the cover
        self._invoice(150.0, partner=self.beta, post=False)
        self.gamma.with_company(self.company).credit_insured_amount = 100.0  # no insurer
        covers = self._worklist([("kind", "=", "cover")])
        customers = (self.alpha | self.beta | self.gamma).with_company(self.company)
        exceeded = customers.filtered("credit_cover_exceeded")
        self.assertEqual(exceeded, self.alpha | self.beta)
        self.assertEqual(covers.partner_id, exceeded)
        self.assertEqual(
            customers.search([("credit_cover_exceeded", "=", True), ("id", "in", customers.ids)]),
            exceeded,
        )
        self.assertEqual(
            {row.partner_id: row.amount for row in covers},
            {
                partner: partner.credit_exposure - partner.credit_insured_amount
                for partner in exceeded
            },
        )
        self.assertEqual(
            {row.partner_id: row.amount for row in covers}, {self.alpha: 300.0, self.beta: 50.0}
        )

    # ------------------------------------------------------------------------------------------
    # Call results
    # ------------------------------------------------------------------------------------------
    def _row(self, partner, kind="call"):
        return self._worklist([("kind", "=", kind), ("partner_id", "=", partner.id)])

    def test_call_reached_one_click(self):
        row = self._row(self.alpha).with_user(self.controller)
        action = row.action_call_reached()
        self.assertEqual(action["tag"], "soft_reload")
        call = self.calls[self.alpha]
        self.assertFalse(call.exists() and call.active, "the call is done")
        self.assertIn("customer reached", self._last_message(self.alpha))
        self.assertFalse(self._row(self.alpha))

    def test_call_promise_creates_promise(self):
        row = self._row(self.alpha).with_user(self.controller)
        action = row.action_log_call("promise")
        self.assertEqual(action["res_model"], "receivable.call.result")
        self.assertEqual(action["target"], "new")
        wizard_model = self.env["receivable.call.result"].with_user(self.controller)
        with Form(wizard_model.with_context(action["context"])) as form:
            self.assertEqual(form.promise_amount, 1000.0, "the overdue amount by default")
            form.promise_amount = 800.0
            form.promise_date = self.today + timedelta(days=10)
            form.note = "Pays on the 10th"
        form.record.action_confirm()
        promise = self.env["receivable.promise"].search([("partner_id", "=", self.alpha.id)])
        self.assertRecordValues(
            promise,
            [
                {
                    "amount": 800.0,
                    "promise_date": self.today + timedelta(days=10),
                    "state": "open",
                    "company_id": self.company.id,
                    "note": "Pays on the 10th",
                }
            ],
        )
        self.assertFalse(self.calls[self.alpha].exists() and self.calls[self.alpha].active)

    def test_call_dispute_opens_dispute(self):
        row = self._row(self.beta).with_user(self.controller)
        action = row.action_call_dispute()
        wizard_model = self.env["receivable.call.result"].with_user(self.controller)
        with Form(wizard_model.with_context(action["context"])) as form:
            self.assertEqual(form.result, "dispute")
            form.move_ids.add(self.inv_beta)
            form.dispute_reason = "Never delivered"
        form.record.action_confirm()
        self.assertRecordValues(
            self.inv_beta,
            [{"receivable_dispute": True, "receivable_dispute_reason": "Never delivered"}],
        )
        self.assertFalse(self.calls[self.beta].exists() and self.calls[self.beta].active)

    def test_call_result_bad_input_is_refused_and_the_call_stays_open(self):
        wizard_model = self.env["receivable.call.result"].with_user(self.controller)
        promise = self._row(self.alpha).with_user(self.controller).action_log_call("promise")
        with Form(wizard_model.with_context(promise["context"])) as form:
            form.promise_amount = 0.0
            form.promise_date = self.today + timedelta(days=10)
        with self.assertRefused(ValidationError, "must be positive"):
            form.record.action_confirm()
        self.assertFalse(
            self.env["receivable.promise"].search([("partner_id", "=", self.alpha.id)])
        )

        dispute = self._row(self.beta).with_user(self.controller).action_call_dispute()
        with Form(wizard_model.with_context(dispute["context"])) as form:
            form.move_ids.add(self.inv_beta)
            form.dispute_reason = "   "  # the form requires one: blanks only
        with self.assertRefused(ValidationError, "needs a reason"):
            form.record.action_confirm()
        self.assertFalse(self.inv_beta.receivable_dispute)
        self.assertTrue(self.calls[self.alpha].active and self.calls[self.beta].active)

    def test_call_dispute_from_dispute_row_prefills_invoice(self):
        with self._frozen(self.today - timedelta(days=30)):
            self.inv_gamma._open_dispute("Damaged goods")
        row = self._row(self.gamma, kind="dispute")
        action = row.action_log_call("dispute")
        self.assertEqual(action["context"]["default_move_ids"], [self.inv_gamma.id])

    def test_call_no_answer_schedules_next_call(self):
        self._row(self.gamma).with_user(self.controller).action_call_no_answer()
        call = self.calls[self.gamma]
        self.assertFalse(call.exists() and call.active)
        next_call = self.gamma.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(next_call.date_deadline, self.today + timedelta(days=1))
        self.assertIn("no answer", self._last_message(self.gamma))
        # Tomorrow's call is not on today's worklist.
        self.assertFalse(self._row(self.gamma))

    def test_call_result_without_row_activity_closes_oldest_call(self):
        wizard = self.env["receivable.call.result"].create(
            {
                "partner_id": self.alpha.id,
                "result": "reached",
                "company_id": self.company.id,
            }
        )
        wizard.action_confirm()
        self.assertFalse(self.calls[self.alpha].exists() and self.calls[self.alpha].active)
        self.assertTrue(self.calls[self.beta].exists())

    def test_settings(self):
        settings = self.env["res.config.settings"].create(
            {"receivable_worklist_rule": "amount", "receivable_dispute_followup_days": 7}
        )
        settings.execute()
        self.assertEqual(self.env.company.receivable_worklist_rule, "amount")
        self.assertEqual(self.env.company.receivable_dispute_followup_days, 7)

    def test_menus(self):
        """The worklist, the forecast and the provision are for the credit controllers."""
        menus = {
            self.env.ref(f"account_receivable_control.{xmlid}").id
            for xmlid in (
                "menu_receivable_worklist",
                "menu_receivable_cash_forecast",
                "menu_receivable_provision",
            )
        }
        visible = self.env["ir.ui.menu"].with_user(self.controller)._visible_menu_ids()
        self.assertTrue(menus <= visible)
        invoicing = self.env["ir.ui.menu"].with_user(self.invoicing_user)._visible_menu_ids()
        self.assertFalse(menus & invoicing)
        action = self.env.ref("account_receivable_control.action_receivable_worklist")
        self.assertIn("search_default_my_actions", action.context)
