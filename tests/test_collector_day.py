from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon
from .common import ReceivableCommon

AGING_TODAY = "2024-06-30"


@tagged("post_install", "-at_install")
class TestNoStuckReminder(DunningCommon, MockEmail):
    """A collector's day: no reminder stays stuck in To Send, a batch Send sends what it can."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_customer = cls.env["res.partner"].create(
            {
                "name": "Fromagerie Lebrun",
                "is_company": True,
                "email": "compta@fromagerie-lebrun.example.com",
                "receivable_policy_id": cls.policy.id,
            }
        )

    def _prepare(self, date):
        """The nightly run's evaluation without its sending: reminders left in To Send."""
        with freeze_time(date):
            return self.engine._generate_reminders(
                self.company, fields.Date.to_date(date), commit=False
            )

    def _dunning_run(self, **values):
        return (
            self.env["receivable.dunning.run"]
            .with_user(self.controller)
            .create({"company_ids": self.company.ids, "policy_ids": self.policy.ids, **values})
        )

    def test_dunning_run_lists_and_sends_the_reminders_waiting_to_be_sent(self):
        self._due_invoice(400.0, "2026-03-01")
        waiting = self._prepare("2026-03-10")
        self.assertEqual(waiting.state, "to_send", "prepared, never sent (the stuck reminder)")
        self._due_invoice(250.0, "2026-03-01", partner=self.other_customer)
        with self._frozen("2026-03-10"):
            run = self._dunning_run()
            run.action_preview()
            self.assertRecordValues(
                run.line_ids.sorted("partner_id"),
                [
                    {
                        "partner_id": self.customer.id,
                        "status": "waiting",
                        "reminder_id": waiting.id,
                        "amount": 400.0,
                    },
                    {
                        "partner_id": self.other_customer.id,
                        "status": "new",
                        "reminder_id": False,
                        "amount": 250.0,
                    },
                ],
            )
            self.assertEqual(run.waiting_count, 1)
            with self.mock_mail_gateway():
                action = run.action_send()
                self._deliver_mails()
        self.assertEqual(waiting.state, "sent", "the run sends the reminder that was waiting")
        self.assertEqual(self._reminders(self.other_customer).state, "sent")
        self.assertEqual(len(self._mails), 2)
        self.assertIn("2 sent", action["name"])
        self.assertEqual(self._reminders(), waiting, "no second reminder for the customer")

    def test_review_list_shows_the_reminders_to_send(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_control.action_receivable_reminder_review"
        )
        for default in ("search_default_to_review", "search_default_to_send"):
            self.assertIn(default, action["context"])

    def test_batch_send_skips_the_reminders_already_sent_and_says_so(self):
        self._due_invoice(400.0, "2026-03-01")
        self._due_invoice(250.0, "2026-03-01", partner=self.other_customer)
        reminders = self._prepare("2026-03-10")
        first = reminders.filtered(lambda r: r.partner_id == self.customer)
        second = reminders - first
        with self._frozen("2026-03-10"), self.mock_mail_gateway():
            first.with_user(self.controller).action_send()
            sent_on = first.sent_date
            result = reminders.with_user(self.controller).action_send()
            self._deliver_mails()
        self.assertEqual(second.state, "sent", "the other one of the batch went out")
        self.assertEqual(first.sent_date, sent_on, "the sent one was not sent again")
        self.assertEqual(len(self._mails), 2, "one email per reminder, never two")
        message = result["params"]["message"]
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("1 sent", message)
        self.assertIn(f"1 skipped: already sent ({first.name})", message)

    def test_batch_send_reports_a_failure_with_its_reason(self):
        self._due_invoice(400.0, "2026-03-01")
        self._due_invoice(250.0, "2026-03-01", partner=self.other_customer)
        reminders = self._prepare("2026-03-10")
        broken = reminders.filtered(lambda r: r.partner_id == self.other_customer)
        broken.recipient_id.email = False
        with self._frozen("2026-03-10"), self.mock_mail_gateway():
            result = reminders.with_user(self.controller).action_send()
        self.assertEqual((reminders - broken).state, "sent")
        self.assertEqual(broken.state, "failed")
        self.assertRegex(
            result["params"]["message"], rf"1 sent, 1 failed: {broken.name} \(.*no email"
        )

    def test_preview_at_a_future_date_is_allowed_sending_is_not(self):
        self._due_invoice(400.0, "2026-03-01")
        with self._frozen("2026-03-05"):
            run = self._dunning_run(date="2026-03-10")
            run.action_preview()
            self.assertTrue(run.is_future)
            self.assertRecordValues(
                run.line_ids, [{"partner_id": self.customer.id, "level_id": self.first.id}]
            )
            with self.assertRefused(UserError, "future date"):
                run.action_send()
        self.assertFalse(self._reminders(), "nothing created by a refused run")

    def test_total_claimed_of_the_run_includes_interest_and_fees(self):
        self.policy.legal_profile_id = self.env.ref(
            "account_receivable_control.legal_profile_fr_b2b"
        )
        self._due_invoice(1000.0, "2026-03-01")
        with self._frozen("2026-03-31"):
            run = self._dunning_run()
            run.action_preview()
            line = run.line_ids
            self.assertEqual(line.amount, 1000.0)
            self.assertGreater(line.amount_charges, 0.0, "late interest (and fees) claimed")
            self.assertAlmostEqual(run.amount_total, 1000.0 + line.amount_charges)
            with self.mock_mail_gateway():
                run.action_send()
        reminder = self._reminders()
        self.assertEqual(reminder.state, "sent")
        self.assertAlmostEqual(
            run.amount_total, reminder.amount_claimed, msg="the preview claims what is sent"
        )

    def test_smart_button_counts_the_pending_reminders(self):
        self._due_invoice(400.0, "2026-03-01")
        self._prepare("2026-03-10")
        customer = self.customer.with_user(self.controller)
        self.assertEqual(customer.receivable_reminder_count, 1, "the waiting one counts")
        self.assertEqual(customer.receivable_reminder_pending_count, 1)
        with self._frozen("2026-03-10"), self.mock_mail_gateway():
            self._reminders().with_user(self.controller).action_send()
        customer.invalidate_recordset()
        self.assertEqual(customer.receivable_reminder_count, 1)
        self.assertEqual(customer.receivable_reminder_pending_count, 0)


@tagged("post_install", "-at_install")
class TestReadableScreens(ReceivableCommon):
    """What a collector sees at 1440 px: labels that fit, the aging sorted by what matters."""

    def _arch(self, model, view_type, view_xmlid=None):
        view_id = self.env.ref(view_xmlid).id if view_xmlid else False
        views = self.env[model].get_views([(view_id, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def _visible_columns(self, list_node, model):
        """(field, label, field type, width) of the columns a user sees by default."""
        Model = self.env[model]
        fields_info = Model.fields_get()
        columns = []
        for node in list_node.iterchildren("field"):
            hidden = node.get("column_invisible", "False") not in ("False", "0", "")
            if hidden or node.get("optional") == "hide" or node.get("invisible") in ("1", "True"):
                continue
            if node.get("widget") == "handle":  # a grip, no column to read
                continue
            name = node.get("name")
            label = node.get("string") or fields_info[name]["string"]
            columns.append((name, label, Model._fields[name].type, node.get("width")))
        return columns

    def _assert_readable(self, list_node, model):
        columns = self._visible_columns(list_node, model)
        self.assertLessEqual(len(columns), 10, f"{model}: at most 10 columns shown")
        for name, label, ftype, width in columns:
            if ftype in ("boolean", "integer") and not width:
                self.assertLessEqual(
                    len(label), 9, f"{model}.{name}: '{label}' is cut in its narrow column"
                )

    def test_lists_fit_in_1440_px(self):
        cases = [
            ("receivable.dunning.level", "list", None, "//list", "receivable.dunning.level"),
            (
                "receivable.policy",
                "form",
                None,
                "//field[@name='dunning_level_ids']/list",
                "receivable.dunning.level",
            ),
            ("receivable.reminder", "list", None, "//list", "receivable.reminder"),
            (
                "receivable.reminder",
                "form",
                None,
                "//field[@name='line_ids']/list",
                "receivable.reminder.line",
            ),
            (
                "res.partner",
                "form",
                "account_receivable_control.res_partner_view_form_credit",
                "//field[@name='receivable_reminder_ids']/list",
                "receivable.reminder",
            ),
            (
                "receivable.dunning.run",
                "form",
                None,
                "//field[@name='line_ids']/list",
                "receivable.dunning.run.line",
            ),
            ("receivable.worklist", "list", None, "//list", "receivable.worklist"),
            ("receivable.aging", "list", None, "//list", "receivable.aging"),
        ]
        for model, view_type, xmlid, xpath, list_model in cases:
            with self.subTest(model=model, list=list_model):
                arch = self._arch(model, view_type, xmlid)
                lists = arch.xpath(xpath)
                self.assertTrue(lists, f"{xpath} in the {model} {view_type}")
                self._assert_readable(lists[0], list_model)

    def test_aging_opens_most_overdue_first(self):
        lebrun = self.env["res.partner"].create({"name": "Fromagerie Lebrun", "is_company": True})
        self._due_invoice(100.0, "2024-05-01")  # Brasserie Dupont: a little overdue
        self._due_invoice(5000.0, "2024-08-01")  # …and much not due yet
        self._due_invoice(900.0, "2024-05-15", partner=lebrun)
        arch = self._arch("receivable.aging", "list")
        order = arch.get("default_order")
        self.assertTrue(order.startswith("amount_overdue desc"), order)
        with freeze_time(AGING_TODAY):
            groups = (
                self.env["receivable.aging"]
                .with_user(self.controller)
                .web_read_group(
                    [("partner_id", "in", (self.customer | lebrun).ids)],
                    ["partner_id"],
                    ["amount_overdue:sum"],
                    order=order,
                )["groups"]
            )
        self.assertEqual(
            [(group["partner_id"][0], group["amount_overdue:sum"]) for group in groups],
            [(lebrun.id, 900.0), (self.customer.id, 100.0)],
            "the most overdue customer first, not A to Z nor by total due",
        )

    def test_aging_graph_per_customer_stacked_by_bucket(self):
        graph = self._arch("receivable.aging", "graph")
        self.assertEqual(graph.get("stacked"), "1")
        groupbys = [node.get("name") for node in graph.xpath("field[not(@type='measure')]")]
        self.assertEqual(groupbys, ["partner_id", "bucket"])

    def test_aging_at_a_past_date_titled_with_it_without_expected_payments(self):
        with freeze_time(AGING_TODAY):
            past = self.env["receivable.aging.date"].create({"date": "2024-05-31"}).action_open()
            today = self.env["receivable.aging.date"].create({}).action_open()
        self.assertIn("05/31/2024", past["name"])
        self.assertTrue(past["context"]["receivable_aging_past"])
        self.assertFalse(today["context"]["receivable_aging_past"])
        expected = self._arch("receivable.aging", "list").xpath("//field[@name='expected_date']")
        self.assertIn("receivable_aging_past", expected[0].get("column_invisible"))

    def test_credit_used_bar_turns_red_above_100_percent(self):
        arch = self._arch(
            "res.partner", "form", "account_receivable_control.res_partner_view_form_credit"
        )
        bar = arch.xpath("//field[@name='credit_used_percent']")[0]
        self.assertEqual(bar.get("widget"), "progressbar")
        self.assertIn("'overflow_class': 'bg-danger'", bar.get("options"))
