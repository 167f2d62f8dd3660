import base64
import io
from datetime import date
from datetime import timedelta

import openpyxl

from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import HttpCase
from odoo.tests import freeze_time
from odoo.tests import tagged

from .common import SPREADSHEETS
from .common import ReceivableCommon

# A Wednesday: the first week runs from that day to Sunday 2025-03-16.
TODAY = date(2025, 3, 12)
EXPECTED = "receivable_expected_payment_date"


@tagged("post_install", "-at_install")
class TestCashForecast(ReceivableCommon):
    """The 13-week cash-in forecast at Wednesday 2025-03-12.

    Open items: 100 due on Friday 14 March (week 1), 300 due on 25 March (week 3) less a credit
    note of 30 due on 26 March, 1400 due on 10 June (after the 13 weeks starting on 10 March:
    Later), and two overdue invoices: 50 due on Tuesday 11 March (in week 1 but before the
    forecast date) and 20 due on 1 February. An invoice paid in full is not forecast.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv_week1 = cls._due(100.0, "2025-03-14")
        cls.inv_week3 = cls._due(300.0, "2025-03-25")
        cls.refund_week3 = cls._due(30.0, "2025-03-26", move_type="out_refund")
        cls.inv_later = cls._due(1400.0, "2025-06-10")
        cls.inv_overdue = cls._due(50.0, "2025-03-11")
        cls.inv_old = cls._due(20.0, "2025-02-01")
        cls.inv_paid = cls._due(999.0, "2025-03-20")
        cls._register_payment(cls.inv_paid, payment_date="2025-03-01")
        cls.moves = (
            cls.inv_week1
            | cls.inv_week3
            | cls.refund_week3
            | cls.inv_later
            | cls.inv_overdue
            | cls.inv_old
        )
        # The risk scoring predicts dates of its own: here they are the due dates.
        for move in cls.moves:
            move[EXPECTED] = move.invoice_date_due

    @classmethod
    def _due(cls, amount, due, **kwargs):
        return cls._due_invoice(amount, due, invoice_date="2025-01-15", **kwargs)

    def _forecast(self):
        return self.env["receivable.cash.forecast"]._compute_forecast(self.company, TODAY)

    def test_forecast_buckets(self):
        slots = self._forecast()
        self.assertEqual(len(slots), 15, "overdue, 13 weeks, later")
        self.assertEqual(
            [slot["key"] for slot in slots],
            ["overdue", *(f"week_{n}" for n in range(1, 14)), "later"],
        )
        amounts = {slot["key"]: slot["amount"] for slot in slots}
        self.assertEqual(amounts["overdue"], 70.0, "shown apart, even the 11 March one")
        self.assertEqual(amounts["week_1"], 100.0)
        self.assertEqual(amounts["week_2"], 0.0)
        self.assertEqual(amounts["week_3"], 270.0, "net of the credit note")
        self.assertEqual(amounts["later"], 1400.0)
        self.assertEqual(sum(amounts.values()), 1840.0)
        week1, week3, week13 = slots[1], slots[3], slots[13]
        self.assertEqual((week1["date_from"], week1["date_to"]), (TODAY, date(2025, 3, 16)))
        self.assertEqual(week3["date_from"], date(2025, 3, 24))
        self.assertEqual(week13["date_to"], date(2025, 6, 8))
        self.assertEqual(slots[-1]["date_from"], date(2025, 6, 9))
        self.assertEqual(slots[0]["date_to"], date(2025, 3, 11))

    def test_weeks_start_today_then_on_monday_in_every_language(self):
        """Week 1 runs from today to the coming Sunday, the next weeks Monday to Sunday, in
        English (whose weeks start on Sunday) as in French; each week is labelled with its
        first day, and the overview's card shows the same weeks."""
        self.env["res.lang"]._activate_lang("fr_FR")
        sunday, monday = date(2025, 3, 16), date(2025, 3, 17)
        for lang, day_label in (("en_US", "03/12/2025"), ("fr_FR", "12/03/2025")):
            with self.subTest(lang=lang), freeze_time("2025-03-12 10:00:00"):
                forecast = self.env["receivable.cash.forecast"].with_context(lang=lang)
                data = forecast.with_user(self.controller).get_forecast_data()
                week1, week2 = data[1], data[2]
                self.assertEqual(
                    (week1["date_from"], week1["date_to"]), ("2025-03-12", "2025-03-16")
                )
                self.assertTrue(week1["label"].endswith(f" 1 ({day_label})"), week1["label"])
                self.assertEqual(
                    (week2["date_from"], week2["date_to"]), ("2025-03-17", "2025-03-23")
                )
                for number, week in enumerate(data[2:14], start=2):
                    week_from = fields.Date.to_date(week["date_from"])
                    self.assertEqual(week_from, monday + timedelta(weeks=number - 2))
                    self.assertEqual(
                        fields.Date.to_date(week["date_to"]), sunday + timedelta(weeks=number - 1)
                    )
                self.assertEqual(data[-1]["date_from"], "2025-06-09", "Later: after week 13")
                card = (
                    self.env["receivable.kpi"]
                    .with_context(lang=lang)
                    ._get_dashboard_cash_forecast(self.company, TODAY)
                )
                self.assertEqual(
                    (card["weeks"][0]["label"], card["weeks"][0]["date"]),
                    (week1["label"], week1["date_from"]),
                )

    def test_forecast_on_a_sunday_or_a_monday(self):
        forecast = self.env["receivable.cash.forecast"]
        on_sunday = forecast._compute_forecast(self.company, date(2025, 3, 16))
        self.assertEqual(
            [(slot["date_from"], slot["date_to"]) for slot in on_sunday[1:3]],
            [(date(2025, 3, 16), date(2025, 3, 16)), (date(2025, 3, 17), date(2025, 3, 23))],
            "on a Sunday, Week 1 is that day",
        )
        on_monday = forecast._compute_forecast(self.company, date(2025, 3, 17))
        self.assertEqual(
            (on_monday[1]["date_from"], on_monday[1]["date_to"]),
            (date(2025, 3, 17), date(2025, 3, 23)),
        )
        self.assertEqual(on_monday[-1]["date_from"], date(2025, 6, 16))

    def test_forecast_one_query(self):
        self.env.flush_all()
        forecast = self.env["receivable.cash.forecast"]
        forecast._compute_forecast(self.company, TODAY)  # warm the caches (language, currency)
        with self.assertQueryCount(1):
            forecast._compute_forecast(self.company, TODAY)

    def test_forecast_expected_date(self):
        """An overdue invoice with a later predicted date is expected in that week."""
        self.inv_old[EXPECTED] = date(2025, 3, 19)
        # A prediction computed today for an overdue invoice is today: still overdue.
        self.inv_overdue[EXPECTED] = TODAY
        # A prediction already past for an invoice not due yet: expected in the first week.
        self.inv_week3[EXPECTED] = date(2025, 3, 5)
        data = self.env["receivable.cash.forecast"].get_forecast_data(TODAY, self.company)
        amounts = {slot["key"]: slot["amount"] for slot in data}
        self.assertEqual(amounts["overdue"], 50.0)
        self.assertEqual(amounts["week_1"], 400.0)
        self.assertEqual(amounts["week_2"], 20.0)
        self.assertEqual(amounts["week_3"], -30.0)
        for slot in data:
            lines = self.env["account.move.line"].search(slot["domain"])
            self.assertAlmostEqual(sum(lines.mapped("amount_residual")), slot["amount"])

    def test_forecast_data_and_domains(self):
        data = self.env["receivable.cash.forecast"].get_forecast_data(TODAY, self.company)
        by_key = {slot["key"]: slot for slot in data}
        self.assertEqual(by_key["week_3"]["date_from"], "2025-03-24")
        self.assertFalse(by_key["overdue"]["date_from"])
        for key, moves in (
            ("overdue", self.inv_overdue | self.inv_old),
            ("week_1", self.inv_week1),
            ("week_3", self.inv_week3 | self.refund_week3),
            ("later", self.inv_later),
        ):
            lines = self.env["account.move.line"].search(by_key[key]["domain"])
            self.assertEqual(lines.move_id, moves, key)
            self.assertAlmostEqual(sum(lines.mapped("amount_residual")), by_key[key]["amount"])

    def test_forecast_periods_open_their_items(self):
        """Each period of the screen opens the receivable items behind its amount."""
        data = (
            self.env["receivable.cash.forecast"].with_user(self.controller).get_forecast_data(TODAY)
        )
        by_key = {slot["key"]: slot for slot in data}
        action = by_key["week_3"]["action"]
        self.assertEqual(
            (action["type"], action["res_model"], action["name"]),
            ("ir.actions.act_window", "account.move.line", by_key["week_3"]["label"]),
        )
        self.assertEqual(action["domain"], by_key["week_3"]["domain"])
        items = self.env["account.move.line"].with_user(self.controller).search(action["domain"])
        self.assertEqual(items.move_id, self.inv_week3 | self.refund_week3)
        overdue = self.env["account.move.line"].search(by_key["overdue"]["action"]["domain"])
        self.assertEqual(overdue.move_id, self.inv_overdue | self.inv_old)

    def test_forecast_menu_opens_the_screen(self):
        """The menu opens the client action that reads the forecast; nothing is stored."""
        menu = self.env.ref("account_receivable_control.menu_receivable_cash_forecast")
        self.assertEqual(
            (menu.action._name, menu.action.tag),
            ("ir.actions.client", "account_receivable_control.cash_forecast"),
        )
        self.assertNotIn("receivable.cash.forecast.line", self.env)

    def test_forecast_xlsx(self):
        forecast = self.env["receivable.cash.forecast"].with_user(self.controller)
        attachments = self.env["ir.attachment"].search_count(SPREADSHEETS)
        export = forecast.get_forecast_xlsx(date="2025-03-12")
        self.assertEqual(
            self.env["ir.attachment"].search_count(SPREADSHEETS), attachments, "stored nowhere"
        )
        self.assertEqual(export["name"], f"Cash-in Forecast {self.company.name} 2025-03-12.xlsx")
        self.assertEqual(
            export["mimetype"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        content = base64.b64decode(export["content"])
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = list(sheet.iter_rows(min_row=4, values_only=True))
        self.assertEqual(rows[0], ("Period", "From", "To", "Expected", "Cumulative"))
        self.assertEqual(rows[1][0], "Overdue")
        self.assertEqual(rows[1][3], 70.0)
        self.assertIsNone(rows[1][4], "no cumulative for the overdue")
        self.assertTrue(rows[2][0].startswith("Week 1"))
        self.assertEqual(rows[2][4], "=D6")
        self.assertEqual(rows[3][4], "=E6+D7")
        self.assertEqual(rows[15][0], "Later")
        self.assertEqual(rows[16][0], "Total")
        self.assertEqual(rows[16][3], "=SUM(D5:D19)")
        values = openpyxl.load_workbook(io.BytesIO(content), data_only=True).active
        self.assertEqual(values["D20"].value, 1840.0)
        self.assertEqual(values["E8"].value, 370.0, "cumulative at week 3")


@tagged("post_install", "-at_install")
class TestCashForecastAccess(ReceivableCommon):
    """``get_forecast_data`` is called over JSON-RPC by the dashboards: for Credit Controllers,
    on the companies they work in, with a date that parses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company()["company"]
        cls._due_invoice(250.0, "2025-03-14")
        cls.portal = cls._create_user("arc_forecast_portal", "base.group_portal")
        cls.internal = cls._create_user("arc_forecast_internal", "base.group_user")

    def _forecast(self, user, **kwargs):
        return self.env["receivable.cash.forecast"].with_user(user).get_forecast_data(**kwargs)

    def test_forecast_refused_without_the_controller_group(self):
        for user in (self.portal, self.internal, self.invoicing_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._forecast(user, date=TODAY)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["receivable.cash.forecast"].with_user(user).get_forecast_xlsx(TODAY)
        data = self._forecast(self.controller, date=TODAY)
        self.assertEqual(sum(slot["amount"] for slot in data), 250.0)

    def test_forecast_refused_for_a_company_of_someone_else(self):
        for company in (self.company_b, self.company_b.id):
            with self.assertRaisesRegex(AccessError, "You may not read the receivables"):
                self._forecast(self.controller, date=TODAY, company=company)
        # Nor through the companies of the request.
        forecast = self.env["receivable.cash.forecast"].with_user(self.controller)
        with self.assertRaises(AccessError):
            forecast.with_context(allowed_company_ids=self.company_b.ids).get_forecast_data(TODAY)
        # A manager of both companies reads company B.
        self.manager.company_ids |= self.company_b
        data = self._forecast(self.manager, date=TODAY, company=self.company_b.id)
        self.assertEqual(sum(slot["amount"] for slot in data), 0.0)

    def test_forecast_bad_parameters(self):
        for value in ("2025-13-45", "next week", 12, ["2025-03-12"]):
            with self.subTest(date=value), self.assertRaisesRegex(UserError, "“date”"):
                self._forecast(self.controller, date=value)
        for value in ("Company A", 0.5, -1, 987654321):
            with self.subTest(company=value), self.assertRaisesRegex(UserError, "“company”"):
                self._forecast(self.controller, date=TODAY, company=value)
        forecast = self.env["receivable.cash.forecast"].with_user(self.controller)
        with self.assertRaisesRegex(UserError, "“date”"):
            forecast.get_forecast_xlsx(date="next week")
        with self.assertRaisesRegex(AccessError, "You may not read the receivables"):
            forecast.get_forecast_xlsx(date=TODAY, company=self.company_b.id)


@tagged("post_install", "-at_install")
class TestCashForecastTour(ReceivableCommon, HttpCase):
    def test_controller_reads_the_forecast_and_opens_a_period(self):
        """From the menu: the overdue invoice in Overdue; at a date 59 days back, when it fell
        due 14 days later, in week 3 (whatever the weekday); a click opens it. The screen
        stores nothing."""
        today = fields.Date.context_today(self.env["res.partner"])
        invoice = self._due_invoice(
            1200.0, today - timedelta(days=45), invoice_date=today - timedelta(days=75)
        )
        invoice[EXPECTED] = False
        attachments = self.env["ir.attachment"].search_count(SPREADSHEETS)
        self.start_tour(
            "/odoo", "account_receivable_control_cash_forecast", login=self.controller.login
        )
        self.assertEqual(self.env["ir.attachment"].search_count(SPREADSHEETS), attachments)
