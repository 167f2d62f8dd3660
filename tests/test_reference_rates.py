"""Reference rates stay current (issue 14): the ECB rate fetched from the ECB Data Portal,
To-Dos for the rates nobody fetches, the CSV import, and the reminder telling the customer, in
the customer's language, which interest it does not claim yet.

The ECB answers are files of ``tests/data`` in the API's ``csvdata`` format (the series
FM.D.U2.EUR.4F.KR.MRR_FR.LEV, one line per rate change: the real decisions from 2016 to
11 June 2025; this machine has no network, the file was written in the format the API
returns). Only the HTTP call (``_ecb_fetch_payload``) is replaced.
"""

import base64
import logging
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

import requests
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import file_open

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

DATA = "account_receivable_control/tests/data/"
LETTER = "account_receivable_control.action_report_dunning_letter"


@tagged("post_install", "-at_install")
class TestReferenceRates(DunningCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rates = cls.env["receivable.reference.rate"]
        cls.fetch_cron = cls.env.ref("account_receivable_control.ir_cron_fetch_ecb_rates")
        cls.check_cron = cls.env.ref("account_receivable_control.ir_cron_check_missing_rates")

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    @contextmanager
    def _ecb_answers(self, filename=None, error=None):
        """The ECB Data Portal answers with the recorded file, or fails with ``error``;
        yields the list of the periods asked for."""
        calls = []

        def fetch(_self, end):
            calls.append(end)
            if error:
                raise error
            with file_open(DATA + filename) as recorded:
                return recorded.read()

        with patch.object(type(self.rates), "_ecb_fetch_payload", fetch):
            yield calls

    def _trigger(self, cron):
        """The cron as the scheduler runs it (its own commits become savepoints)."""
        self.env.flush_all()
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.env.invalidate_all()

    def _table(self, kind="ecb_mro"):
        return {
            str(rate.date_from): (rate.rate, rate.origin)
            for rate in self.rates.search([("kind", "=", kind)])
        }

    def _todos(self, kind):
        rows = self.rates.search([("kind", "=", kind)])
        return self.env["mail.activity"].search(
            [("res_model", "=", self.rates._name), ("res_id", "in", rows.ids)]
        )

    def _csv_wizard(self, filename):
        with file_open(DATA + filename, "rb") as content:
            data = base64.b64encode(content.read())
        return (
            self.env["receivable.reference.rate.import"]
            .with_user(self.manager)
            .create({"file": data, "filename": filename})
        )

    # ------------------------------------------------------------------------------------------
    # ECB fetch
    # ------------------------------------------------------------------------------------------
    def test_shipped_rows_are_marked_shipped(self):
        self.assertEqual(set(self.rates.search([]).mapped("origin")), {"shipped"})

    def test_rows_of_older_databases_get_their_origin_at_update(self):
        """Rows made before the field existed: shipped when the data file made them."""
        shipped = self.env.ref("account_receivable_control.rate_ecb_2026_01")
        typed = self.rates.create({"kind": "fr_legal_other", "date_from": "2026-07-01", "rate": 2})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE receivable_reference_rate SET origin = NULL WHERE id IN %s",
            [(shipped.id, typed.id)],
        )
        self.env.invalidate_all()
        self.rates._set_missing_origins()
        self.assertEqual((shipped.origin, typed.origin), ("shipped", "manual"))

    def test_fetch_adds_the_missing_half_year_only(self):
        """In August 2026 the table ends with 1 January 2026: the fetch adds 1 July 2026 at the
        rate of the last change on or before that day (2.15 % set on 11 June 2025), no
        future half-year, and leaves the shipped rows as they were."""
        before = self._table()
        with self._ecb_answers("ecb_mro_until_2026_07_01.csv") as calls, freeze_time("2026-08-10"):
            self._trigger(self.fetch_cron)
        self.assertEqual(calls, [date(2026, 7, 1)], "one request, up to today's half-year")
        after = self._table()
        self.assertEqual(after.pop("2026-07-01"), (2.15, "ecb"))
        self.assertEqual(after, before, "no other row added or changed")
        added = self.rates.search([("kind", "=", "ecb_mro"), ("date_from", "=", "2026-07-01")])
        self.assertIn("2025-06-11", added.source)
        self.assertFalse(self._todos("ecb_mro"), "nothing to ask for: the rate was fetched")

        with self._ecb_answers("ecb_mro_until_2026_07_01.csv") as calls, freeze_time("2026-09-02"):
            self._trigger(self.fetch_cron)
        self.assertEqual(calls, [], "table complete: no request at all")

    def test_fetch_keeps_a_manually_edited_row(self):
        """1 January 2026 corrected by a Credit Manager (2.40 %, the API says 2.15 %): the
        fetch adds 1 July 2026 and keeps the manual row as typed."""
        manual = self.env.ref("account_receivable_control.rate_ecb_2026_01")
        manual.with_user(self.manager).rate = 2.40
        self.assertEqual(manual.origin, "manual", "a user's change makes the row manual")
        with self._ecb_answers("ecb_mro_until_2026_07_01.csv"), freeze_time("2026-08-10"):
            self._trigger(self.fetch_cron)
        table = self._table()
        self.assertEqual(table["2026-01-01"], (2.40, "manual"), "the Credit Manager's figure")
        self.assertEqual(table["2026-07-01"], (2.15, "ecb"))

    def test_fetch_from_an_older_table(self):
        """The table ending with 1 July 2024: each half-year gets the last change on or
        before its first day."""
        self.rates.search([("kind", "=", "ecb_mro"), ("date_from", ">", "2024-07-01")]).unlink()
        with self._ecb_answers("ecb_mro_until_2026_07_01.csv"), freeze_time("2026-08-10"):
            self._trigger(self.fetch_cron)
        table = self._table()
        self.assertEqual(
            [table[day] for day in ("2025-01-01", "2025-07-01", "2026-01-01", "2026-07-01")],
            [(3.15, "ecb"), (2.15, "ecb"), (2.15, "ecb"), (2.15, "ecb")],
        )

    def test_user_edit_is_tracked_in_the_chatter(self):
        rate = self.rates.search([("kind", "=", "ecb_mro")], limit=1)
        rate.with_user(self.manager).with_context(
            tracking_disable=False, mail_notrack=False
        ).rate = 2.5
        self.env.cr.precommit.run()  # tracking is written when the transaction ends
        self.assertEqual(rate.origin, "manual")
        tracked = rate.message_ids.sudo().tracking_value_ids.mapped("field_id.name")
        self.assertIn("rate", tracked)

    def test_offline_logs_warns_and_asks_a_credit_manager(self):
        """The API unreachable: no crash, one clear warning, a To-Do for 1 July 2026 on the
        latest ECB row; a second failing run adds no second To-Do."""
        offline = requests.ConnectionError("Name or service not known")
        with self._ecb_answers(error=offline), freeze_time("2026-08-10"):
            with self.assertLogs(
                "odoo.addons.account_receivable_control.models.receivable_reference_rate_update",
                level=logging.WARNING,
            ) as logs:
                self._trigger(self.fetch_cron)
        self.assertEqual(len(logs.output), 1)
        self.assertIn("ECB rate fetch failed (offline?): Name or service not known", logs.output[0])
        self.assertNotIn("2026-07-01", self._table())
        todo = self._todos("ecb_mro")
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.date_deadline, date(2026, 7, 1))
        latest = self.env.ref("account_receivable_control.rate_ecb_2026_01")
        self.assertEqual(todo.res_id, latest.id, "on the latest ECB row")
        self.assertTrue(todo.user_id.has_group("account_receivable_control.group_credit_manager"))
        self.assertIn("07/01/2026", todo.summary)

        with self._ecb_answers(error=offline), freeze_time("2026-09-02"):
            self._trigger(self.fetch_cron)
        self.assertEqual(len(self._todos("ecb_mro")), 1, "no duplicate while one is open")

        # The rate entered by hand: the To-Do is done.
        self.rates.with_user(self.manager).create(
            {"kind": "ecb_mro", "date_from": "2026-07-01", "rate": 2.15}
        )
        self.assertFalse(self._todos("ecb_mro"))

    def test_bad_payload_is_a_warning_not_a_crash(self):
        with self._ecb_answers("ecb_error.html"), freeze_time("2026-08-10"):
            with self.assertLogs(level=logging.WARNING) as logs:
                self._trigger(self.fetch_cron)
        self.assertIn("ECB rate fetch failed (offline?): not an ECB csvdata answer", logs.output[0])
        self.assertEqual(len(self._todos("ecb_mro")), 1)

    def test_fetch_button_is_for_credit_managers(self):
        with self._ecb_answers("ecb_mro_until_2026_07_01.csv"), freeze_time("2026-08-10"):
            with self.assertRaises(AccessError):
                self.rates.with_user(self.controller).action_fetch_ecb_rates()
            action = self.rates.with_user(self.manager).action_fetch_ecb_rates()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("07/01/2026", action["params"]["message"])
        self.assertEqual(self._table()["2026-07-01"], (2.15, "ecb"))

    # ------------------------------------------------------------------------------------------
    # French legal rates: To-Dos 30 days before and on the first day
    # ------------------------------------------------------------------------------------------
    def test_missing_french_rate_asked_30_days_before_and_on_the_first_day(self):
        kind = "fr_legal_other"
        with freeze_time("2026-05-31"):  # 31 days before: nothing yet
            self._trigger(self.check_cron)
        self.assertFalse(self._todos(kind))
        with freeze_time("2026-06-01"):  # 30 days before 1 July
            self._trigger(self.check_cron)
            self._trigger(self.check_cron)
        todo = self._todos(kind)
        self.assertEqual(len(todo), 1, "one To-Do, not one per run")
        self.assertEqual(todo.date_deadline, date(2026, 7, 1))
        self.assertEqual(len(self._todos("fr_legal_individual")), 1)

        with freeze_time("2026-06-15"):
            todo.action_done()
            self._trigger(self.check_cron)
        self.assertFalse(self._todos(kind), "done, and no new one before the first day")

        with freeze_time("2026-07-01"):  # first day, still missing: asked again
            self._trigger(self.check_cron)
            self._trigger(self.check_cron)
        self.assertEqual(len(self._todos(kind)), 1)

        with freeze_time("2026-07-02"):
            self._trigger(self.check_cron)
        self.assertEqual(len(self._todos(kind)), 1, "still the open one, no duplicate")

    def test_no_todo_when_the_french_rate_is_known(self):
        self.rates.create({"kind": "fr_legal_other", "date_from": "2026-07-01", "rate": 2.4})
        with freeze_time("2026-06-01"):
            self._trigger(self.check_cron)
        self.assertFalse(self._todos("fr_legal_other"))
        self.assertEqual(len(self._todos("fr_legal_individual")), 1)

    # ------------------------------------------------------------------------------------------
    # CSV import
    # ------------------------------------------------------------------------------------------
    def test_csv_import_adds_and_updates(self):
        action = self._csv_wizard("rates_import_good.csv").action_import()
        self.assertIn("2 rate(s) added, 1 updated", action["params"]["message"])
        self.assertEqual(self._table("fr_legal_individual")["2026-07-01"], (6.41, "manual"))
        self.assertEqual(self._table("fr_legal_other")["2026-07-01"], (2.40, "manual"))
        self.assertEqual(self._table()["2026-01-01"], (2.25, "manual"), "updated, now manual")

    def test_csv_import_refuses_a_bad_line_and_writes_nothing(self):
        before = {kind: self._table(kind) for kind in ("ecb_mro", "fr_legal_individual")}
        wizard = self._csv_wizard("rates_import_bad.csv")
        with self.assertRefused(ValidationError, r"Line 3: the date \"2026-07-15\""):
            wizard.action_import()
        self.assertEqual(
            {kind: self._table(kind) for kind in before}, before, "the good line 2 not imported"
        )

    def test_csv_import_names_the_bad_line(self):
        header = "kind,date_from,rate,source\n"
        cases = {
            "ecb,2026-07-01,2.15,x\n": r'Line 2: unknown kind "ecb"',
            "ecb_mro,01/07/2026,2.15,x\n": r'Line 2: the date "01/07/2026"',
            "ecb_mro,2026-07-01,2,15,x\n": "Line 2 does not have one value",  # a comma decimal
            "ecb_mro,2026-07-01,-1,x\n": r'Line 2: the rate "-1"',
            "ecb_mro,2026-07-01,abc,x\n": r'Line 2: the rate "abc"',
            "ecb_mro,2026-07-01,2.15,x\necb_mro,2026-07-01,2.15,y\n": "Line 3: the same kind",
        }
        wizard = self._csv_wizard("rates_import_good.csv")
        for lines, error in cases.items():
            with self.subTest(lines=lines):
                wizard.file = base64.b64encode((header + lines).encode())
                with self.assertRefused(ValidationError, error):
                    wizard.action_import()
                self.assertNotIn("2026-07-01", self._table())

    def test_csv_import_requires_the_header(self):
        wizard = self._csv_wizard("rates_import_good.csv")
        wizard.file = base64.b64encode(b"fr_legal_other,2026-07-01,2.40,x\n")
        with self.assertRefused(ValidationError, "Line 1 must be the header"):
            wizard.action_import()

    # ------------------------------------------------------------------------------------------
    # The customer is told, in the customer's language
    # ------------------------------------------------------------------------------------------
    def _customer_in(self, lang):
        return self.env["res.partner"].create(
            {
                "name": f"Client {lang}",
                "is_company": True,
                "email": f"{lang.lower()}@client.example.com",
                "lang": lang,
                "receivable_policy_id": self.policy.id,
            }
        )

    def test_missing_rate_told_to_the_customer_in_its_language(self):
        """No ECB rate for 1 July 2026: the formal notice of 31 July says that the interest
        from 1 July is not included, with the date written the customer's way; the English
        sentence for the controller stays on the reminder's warning only."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.policy.legal_profile_id = self.env.ref(
            "account_receivable_control.legal_profile_fr_b2b"
        )
        french = self._customer_in("fr_FR")
        english = self._customer_in("en_US")
        for customer in (french, english):
            self._due_invoice(1000.0, "2026-06-01", partner=customer)
        with self.mock_mail_gateway():
            self._run("2026-07-31")
        mails = {mail["email_to"][0]: mail["body"] for mail in self._mails}
        for customer, written in ((french, "01/07/2026"), (english, "07/01/2026")):
            reminder = self._reminders(customer)
            self.assertEqual(reminder.interest_missing_from, date(2026, 7, 1))
            self.assertIn("ECB main refinancing operations rate is missing", reminder.legal_warning)
            body = next(body for to, body in mails.items() if customer.email in to)
            self.assertIn("interest_missing_rate", body)
            self.assertIn(f"Late-payment interest from {written} is not included", body)
            letter = self.env["ir.actions.report"]._render_qweb_html(LETTER, reminder.ids)[0]
            self.assertIn(written, letter.decode().split('name="interest_missing_rate"')[1][:300])
            self.assertNotIn("not published", reminder.legal_warning, "not the customer's text")

    def test_no_sentence_when_every_rate_is_known(self):
        self.policy.legal_profile_id = self.env.ref(
            "account_receivable_control.legal_profile_fr_b2b"
        )
        self._due_invoice(1000.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-31")
        self.assertFalse(reminder.interest_missing_from)
        self.assertFalse(reminder.legal_warning)
        self.assertNotIn("interest_missing_rate", self._mails[0]["body"])
