from datetime import date
from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DunningCommon

TODAY = date(2026, 6, 15)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestWorklistCustomers(DunningCommon):
    """The worklist lists customers: every customer with an amount overdue and no action under
    way is an *Overdue Customer* row, ranked with the day's calls, reviews, broken promises and
    disputes; a customer with an action under way comes through that action's row only."""

    def _customer(self, name, amount=0.0, days_late=0, **values):
        """A company customer with, when ``amount``, one invoice ``days_late`` days late."""
        partner = self.env["res.partner"].create({"name": name, "is_company": True, **values})
        invoice = None
        if amount:
            invoice = self._due_invoice(amount, TODAY - timedelta(days=days_late), partner)
        return partner, invoice

    def _worklist(self, domain=None, user=None):
        model = self.env["receivable.worklist"].with_company(self.company)
        if user:
            model = model.with_user(user)
        return model.search(domain or [])

    def _rows(self, partner):
        return {(row.kind, row.amount) for row in self._worklist([("partner_id", "=", partner.id)])}

    def _set_risk(self, partner, score):
        if "receivable_risk_score" in partner._fields:
            partner.with_company(self.company).receivable_risk_score = score

    # ------------------------------------------------------------------------------------------
    # Which customers
    # ------------------------------------------------------------------------------------------
    def test_the_worklist_lists_an_overdue_customer_without_activity(self):
        partner, _invoice = self._customer("Alpha", 1000.0, days_late=10)
        row = self._worklist()
        self.assertEqual(len(row), 1, "the overdue customer is on the worklist, alone")
        self.assertRecordValues(
            row,
            [
                {
                    "kind": "overdue",
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "date": TODAY - timedelta(days=10),
                    "amount": 1000.0,
                    "amount_overdue": 1000.0,
                    "days_late": 10,
                    "activity_id": False,
                    "move_id": False,
                }
            ],
        )
        self.assertEqual(row.priority, round(row.risk_score / 100 * 1000 * (1 + 10 / 30), 2))
        self.assertEqual(
            dict(row._fields["kind"]._description_selection(self.env))["overdue"],
            "Overdue Customer",
        )

    def test_customers_with_nothing_overdue_are_not_listed(self):
        self._customer("Not due yet", 500.0, days_late=-5)
        _paid, invoice = self._customer("Paid", 700.0, days_late=20)
        self._register_payment(invoice)
        covered, _invoice = self._customer("Covered by a credit note", 300.0, days_late=20)
        self._due_invoice(
            300.0, TODAY - timedelta(days=25), covered, move_type="out_refund"
        )  # its overdue amount is 0
        self.assertFalse(self._worklist([("kind", "=", "overdue")]))

    def test_a_customer_with_an_action_under_way_comes_through_that_row_only(self):
        """Disputed, promised, planned, paused, called or reminded: the action's row, or no row
        while the customer waits; never an Overdue Customer row for the same amount."""
        disputed, dispute_invoice = self._customer("Disputed", 800.0, days_late=40)
        with freeze_time(TODAY - timedelta(days=20)):
            dispute_invoice._open_dispute("Damaged goods")
        promised, _invoice = self._customer("Promised", 600.0, days_late=30)
        self.env["receivable.promise"].create(
            {"partner_id": promised.id, "promise_date": TODAY + timedelta(days=5), "amount": 600.0}
        )
        paused, _invoice = self._customer("Paused", 500.0, days_late=30)
        paused.with_company(self.company).dunning_paused_until = TODAY + timedelta(days=3)
        called, _invoice = self._customer("Called today", 400.0, days_late=30)
        called_contact = self.env["res.partner"].create({"name": "Bob", "parent_id": called.id})
        call = called_contact.activity_schedule(
            "mail.mail_activity_data_call", date_deadline=TODAY, user_id=self.controller.id
        )
        planned_call, _invoice = self._customer("Call next week", 300.0, days_late=30)
        planned_call.activity_schedule(
            "mail.mail_activity_data_call", date_deadline=TODAY + timedelta(days=7)
        )
        reminded, _invoice = self._customer("Reminder to review", 200.0, days_late=30)
        reminder = (
            self.env["receivable.reminder"]
            ._as_engine()
            .create(
                {
                    "partner_id": reminded.id,
                    "company_id": self.company.id,
                    "level_id": self.first.id,
                    "date": TODAY,
                    "state": "draft",
                }
            )
        )
        # One invoice disputed, the other not: the dispute row, and the rest to chase.
        both, both_disputed = self._customer("Half disputed", 900.0, days_late=40)
        with freeze_time(TODAY - timedelta(days=20)):
            both_disputed._open_dispute("Wrong price")
        self._due_invoice(100.0, TODAY - timedelta(days=5), both)
        idle, _invoice = self._customer("Idle", 250.0, days_late=30)

        self.assertEqual(self._rows(disputed), {("dispute", 800.0)})
        self.assertFalse(self._rows(promised), "waits on its promise")
        self.assertFalse(self._rows(paused), "waits: reminders paused")
        self.assertEqual(self._rows(called), {("call", False)})
        self.assertEqual(
            self._worklist([("partner_id", "=", called.id)]).activity_id, call, "the call"
        )
        self.assertFalse(self._rows(planned_call), "a call is planned")
        self.assertEqual(self._rows(reminded), {("reminder", reminder.amount_net)})
        self.assertEqual(self._rows(both), {("dispute", 900.0), ("overdue", 100.0)})
        self.assertEqual(self._rows(idle), {("overdue", 250.0)})
        # Once the promise is broken (and not renewed), the customer is back, as that row.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE receivable_promise SET state = 'broken', promise_date = %s"
            " WHERE partner_id = %s",
            (TODAY - timedelta(days=1), promised.id),
        )
        self.env.invalidate_all()
        self.assertEqual(self._rows(promised), {("promise", 600.0)})
        # The reminder sent, nothing is under way any more: an overdue customer again.
        reminder.state = "sent"
        self.assertEqual(self._rows(reminded), {("overdue", 200.0)})

    def test_overdue_customers_rank_by_the_priority_rule_with_the_other_actions(self):
        """Ranked like every row: risk / 100 x overdue x (1 + days late / 30) by default."""
        alpha, _invoice = self._customer("Alpha", 1000.0, days_late=10)
        beta, _invoice = self._customer("Beta", 600.0, days_late=90)
        gamma, _invoice = self._customer("Gamma", 2000.0, days_late=3)
        for partner, score in ((alpha, 90), (beta, 20), (gamma, 50)):
            self._set_risk(partner, score)
        gamma.activity_schedule("mail.mail_activity_data_call", date_deadline=TODAY)
        rows = self._worklist()
        self.assertEqual(
            [(row.kind, row.partner_id) for row in rows],
            [("overdue", alpha), ("call", gamma), ("overdue", beta)]
            if "receivable_risk_score" in alpha._fields
            else [("overdue", beta), ("call", gamma), ("overdue", alpha)],
        )
        self.company.receivable_worklist_rule = "amount"
        self.assertEqual(self._worklist().partner_id.ids, [gamma.id, alpha.id, beta.id])
        self.company.receivable_worklist_rule = "amount_days"
        self.assertEqual(self._worklist().partner_id.ids, [beta.id, gamma.id, alpha.id])
        self.assertEqual(
            self._worklist([("partner_id", "=", beta.id)]).priority, 600.0 * (1 + 90 / 30)
        )

    def _queries(self):
        """The number of queries of a worklist search (caches emptied first)."""
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        rows = self._worklist()
        return self.env.cr.sql_log_count - before, rows

    def test_the_worklist_stays_one_query_whatever_the_number_of_customers(self):
        """One query for the rows of every customer (and the reads of the company's settings
        and insured customers around it): none per customer."""
        self._customer("First", 100.0, days_late=10)
        self._queries()
        few, rows = self._queries()
        self.assertEqual(len(rows), 1)
        for index in range(5):
            self._customer(f"Customer {index}", 100.0 * (index + 1), days_late=index + 1)
        many, rows = self._queries()
        self.assertEqual(len(rows), 6)
        self.assertEqual(many, few)
        self.assertLessEqual(few, 4)

    # ------------------------------------------------------------------------------------------
    # Whose rows
    # ------------------------------------------------------------------------------------------
    def test_my_actions_shows_my_customers_and_the_menu_shows_the_unassigned_too(self):
        mine, _invoice = self._customer("Mine", 100.0, days_late=10)
        mine.with_company(self.company).receivable_collector_id = self.controller
        sold_by_me, _invoice = self._customer("Sold by me", 200.0, days_late=10)
        sold_by_me.user_id = self.controller
        theirs, _invoice = self._customer("Theirs", 300.0, days_late=10)
        theirs.with_company(self.company).receivable_collector_id = self.manager
        nobody, _invoice = self._customer("Nobody's", 400.0, days_late=10)

        my_actions = [("collector_id", "=", self.controller.id)]
        self.assertEqual(
            self._worklist(my_actions, user=self.controller).partner_id, mine | sold_by_me
        )
        self.assertEqual(self._worklist([("collector_id", "=", False)]).partner_id, nobody)
        # The menu opens on My Actions or Unassigned (one group of filters: either).
        action = self.env.ref("account_receivable_control.action_receivable_worklist")
        self.assertIn("'search_default_my_actions': 1", action.context)
        self.assertIn("'search_default_unassigned': 1", action.context)
        arch = self.env.ref("account_receivable_control.receivable_worklist_view_search").arch
        self.assertRegex(
            arch,
            r'name="my_actions"[^>]*\n?[^>]*/>\s*<filter name="unassigned"',
            "the two default filters side by side: OR-ed",
        )
        opened = self._worklist(
            ["|", ("collector_id", "=", self.controller.id), ("collector_id", "=", False)],
            user=self.controller,
        )
        self.assertEqual(opened.partner_id, mine | sold_by_me | nobody)

    # ------------------------------------------------------------------------------------------
    # Opening a row
    # ------------------------------------------------------------------------------------------
    def test_a_row_opens_the_customer_s_follow_up(self):
        partner, _invoice = self._customer("Alpha", 1000.0, days_late=10)
        row = self._worklist().with_user(self.controller)
        action = row.action_open_followup()
        self.assertEqual(action["res_model"], "receivable.followup")
        cockpit = self.env["receivable.followup"].browse(action["res_id"])
        self.assertEqual((cockpit.partner_id, cockpit.company_id), (partner, self.company))
        # A click on the row opens it too; the source of a reminder row is still one click.
        arch = self.env.ref("account_receivable_control.receivable_worklist_view_list").arch
        self.assertIn('action="action_open_followup" type="object"', arch)
        self.assertIn('name="action_open_source"', arch)

    def test_a_call_logged_on_an_overdue_customer(self):
        """The call buttons work on an Overdue Customer row: no answer plans tomorrow's call,
        so the customer waits on it (and comes back tomorrow as a Call Due row)."""
        partner, _invoice = self._customer("Alpha", 1000.0, days_late=10)
        row = self._worklist().with_user(self.controller)
        row.action_call_no_answer()
        self.assertFalse(self._worklist(), "a call is planned for tomorrow")
        with freeze_time(TODAY + timedelta(days=1)):
            self.assertEqual(self._rows(partner), {("call", False)})

    # ------------------------------------------------------------------------------------------
    # The empty list
    # ------------------------------------------------------------------------------------------
    def _empty_help(self):
        """The help of the menu's empty list, as the web client loads the action."""
        action = self.env.ref("account_receivable_control.action_receivable_worklist")
        env = self.env(user=self.controller, context={"allowed_company_ids": self.company.ids})
        return str(env["ir.actions.act_window"].sudo().browse(action.id)._get_action_dict()["help"])

    def test_nothing_to_chase_only_when_nothing_is_overdue(self):
        self._customer("Not due yet", 500.0, days_late=-5)
        self.assertIn("Nothing to chase today", self._empty_help())
        promised, _invoice = self._customer("Promised", 600.0, days_late=30)
        self.env["receivable.promise"].create(
            {"partner_id": promised.id, "promise_date": TODAY + timedelta(days=5), "amount": 600.0}
        )
        self.assertFalse(self._worklist(), "the customer waits on its promise")
        help_text = self._empty_help()
        self.assertNotIn("Nothing to chase", help_text)
        self.assertIn("600.00", help_text)
        self.assertIn("is overdue", help_text)
