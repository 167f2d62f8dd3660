from datetime import date

from odoo.tests import tagged
from odoo.tools import format_amount
from odoo.tools import format_date

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

LETTER = "account_receivable_control.action_report_dunning_letter"
FIRST_CONTACT = "The invoices listed below are overdue and remain unpaid."

# The free first reminder's sentence as the customer reads it (Code of Economic Law, XIX.2).
FREE_FIRST_REMINDER = {
    "fr_FR": "Cette première relance est gratuite. Si le montant dû n'est pas réglé",
    "nl_BE": "Deze eerste aanmaning is kosteloos. Indien het verschuldigde bedrag niet",
}


@tagged("post_install", "-at_install")
class TestDunningWording(DunningCommon, MockEmail):
    """The email and the letter say "despite our reminders" only when reminders were sent, and
    "registered letter" only for a letter recorded as posted by registered mail."""

    def _letter(self, reminder):
        html, _format = self.env["ir.actions.report"]._render_qweb_html(LETTER, reminder.ids)
        return html.decode()

    def _body(self, reminder):
        mails = [mail for mail in self._mails if reminder.name in mail["subject"]]
        self.assertEqual(len(mails), 1, f"one email for {reminder.name}")
        return mails[0]["body"]

    def test_formal_notice_as_first_contact_claims_no_earlier_reminder(self):
        # A ladder whose formal notice may be the first contact (not by default).
        self.notice.may_be_first_contact = True
        self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            notice = self._run("2026-03-31")  # 30 days late: the formal notice comes first
        self.assertEqual(notice.level_id, self.notice)
        self.assertEqual(notice.previous_reminder_count, 0)
        body = self._body(notice)
        letter = self._letter(notice)
        for text in (body, letter):
            self.assertNotIn("Despite", text)
            self.assertIn(FIRST_CONTACT, text)
            self.assertNotIn("registered", text.lower(), "no posting recorded")
        self.assertIn("Our letter is attached to this email.", body)

    def test_formal_notice_after_a_sent_reminder_says_despite_it(self):
        # A ladder of a first reminder, then the formal notice.
        self.second.active = False
        invoice = self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            first = self._run("2026-03-05")
            notice = self._run("2026-03-31")
        self.assertEqual((first.level_id, notice.level_id), (self.first, self.notice))
        self.assertRecordValues(
            notice,
            [
                {
                    "previous_reminder_count": 1,
                    "previous_reminder_date": date(2026, 3, 5),
                    "has_previous_reminders": True,
                }
            ],
        )
        sentence = f"Despite our reminder of {format_date(self.env, date(2026, 3, 5))}, "
        self.assertIn(sentence + "the invoices listed below remain unpaid.", self._body(notice))
        letter = self._letter(notice)
        self.assertIn("Despite our reminder of", letter)
        self.assertIn(invoice.name, letter)
        self.assertNotIn(FIRST_CONTACT, letter)
        self.assertNotIn("Registered letter", letter)
        self.assertEqual(first.previous_reminder_count, 0, "an earlier one counts, not a later")

    def test_several_earlier_reminders_named_by_the_last(self):
        self._due_invoice(500.0, "2026-03-01")
        with self.mock_mail_gateway():
            self._run("2026-03-05")
            second = self._run("2026-03-17")
            notice = self._run("2026-03-31")
        self.assertEqual(second.level_id, self.second)
        self.assertIn("Despite our reminder of", self._body(second))
        self.assertEqual(notice.previous_reminder_count, 2)
        self.assertIn(
            "Despite our reminders, the last one of "
            f"{format_date(self.env, date(2026, 3, 17))}, the invoices listed below",
            self._body(notice),
        )

    def test_friendly_reminder_and_other_invoices_are_not_earlier_reminders(self):
        """A reminder before the due date is not a reminder of an overdue invoice; a reminder
        of other invoices, paid since, was not about these."""
        # A ladder whose formal notice may be the first contact (not by default).
        self.notice.may_be_first_contact = True
        self._due_invoice(500.0, "2026-03-01")
        paid = self._due_invoice(200.0, "2026-01-15")
        with self.mock_mail_gateway():
            earlier = self._run("2026-01-20")
            self.assertEqual(earlier.line_ids.move_id, paid)
            self._register_payment(paid, payment_date="2026-01-25")
            friendly = self._run("2026-02-25")
            self.assertEqual(friendly.level_id, self.friendly)
            notice = self._run("2026-03-31")
        self.assertEqual(notice.level_id, self.notice)
        self.assertEqual(notice.previous_reminder_count, 0)
        self.assertIn(FIRST_CONTACT, self._body(notice))
        self.assertNotIn("Despite", self._letter(notice))

    def test_previous_reminders_computed_in_one_query(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Customer {i}", "email": f"c{i}@example.com"} for i in range(4)]
        )
        customers.receivable_policy_id = self.policy
        for customer in customers:
            self._due_invoice(100.0, "2026-03-01", partner=customer)
        with self.mock_mail_gateway():
            self._run("2026-03-05")
            notices = self._run("2026-03-31")
        self.assertEqual(len(notices), 4)
        notices.invalidate_recordset()
        with self.assertQueryCount(1):
            self.assertEqual(notices.mapped("previous_reminder_count"), [1, 1, 1, 1])

    def test_firm_reminder_as_first_contact(self):
        # A ladder whose second reminder may be the first contact (not by default).
        self.second.may_be_first_contact = True
        self._due_invoice(500.0, "2026-03-01")
        self.second.letter_text = False
        with self.mock_mail_gateway():
            second = self._run("2026-03-17")
        self.assertEqual(second.level_id, self.second)
        body = self._body(second)
        self.assertIn(FIRST_CONTACT, body)
        self.assertNotIn("Despite", body)
        self.assertIn("We ask you to pay the amount due without delay", body)


@tagged("post_install", "-at_install")
class TestBelgianConsumerFirstReminder(DunningCommon, MockEmail):
    """A Belgian consumer's free first reminder states the deadline of the free window and the
    lump sum and interest that apply after it (Code of Economic Law, Book XIX)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        be_b2b = cls.env.ref("account_receivable_control.legal_profile_be_b2b")
        cls.individual = cls.env["res.partner"].create(
            {"name": "Marc Peeters", "email": "marc@example.com", "is_company": False}
        )
        cls.be_policy = cls.env["receivable.policy"].create(
            {"name": "BE", "company_id": cls.company.id, "legal_profile_id": be_b2b.id}
        )
        cls.individual.receivable_policy_id = cls.be_policy
        cls.be_first, cls.be_second = cls._create_ladder(
            cls.be_policy,
            [
                ("Reminder", 1, "reminder", {"min_days_since_previous": 0}),
                ("Second", 20, "firm", {"min_days_since_previous": 0}),
            ],
        )

    def _letter(self, reminder):
        html, _format = self.env["ir.actions.report"]._render_qweb_html(LETTER, reminder.ids)
        return html.decode()

    def test_first_reminder_states_deadline_lump_sum_and_rate(self):
        self._due_invoice(300.0, "2026-04-01", partner=self.individual)
        with self.mock_mail_gateway():
            first = self._run("2026-04-02")
        self.assertEqual(first.legal_profile_id.code, "be_b2c")
        # Email of 2 April: the window runs 3 → 16 April; on 300.00 the lump sum is
        # 30 + 10 % x 150 = 45.00; ECB 2.15 % + 8 rounded up: 10.5 % a year (H1 2026).
        self.assertRecordValues(
            first,
            [
                {
                    "free_window_end": date(2026, 4, 16),
                    "free_window_fee": 45.0,
                    "free_window_rate": 10.5,
                    "amount_fees": 0.0,
                    "amount_interest": 0.0,
                }
            ],
        )
        expected = (
            "This first reminder is free of charge. If the amount due is not paid by "
            f"<strong>{format_date(self.env, date(2026, 4, 16))}</strong>, a lump-sum "
            f"compensation of <strong>{format_amount(self.env, 45.0, self.currency)}</strong> "
            "and late-payment interest at <strong>10.50</strong> % a year will apply from the "
            "next day (Code of Economic Law, Book XIX)."
        )
        self.assertIn(expected, self._mails[0]["body"])
        letter = self._letter(first)
        self.assertIn("This first reminder is free of charge.", letter)
        self.assertIn("10.50", letter)
        self.assertIn("45.00", letter)

    def test_first_reminder_in_french_and_dutch_formats(self):
        """The text of the shipped translations (i18n/fr.po, nl.po), the dates, amounts and
        rate in the customer's language."""
        self._due_invoice(300.0, "2026-04-01", partner=self.individual)
        with self.mock_mail_gateway():
            first = self._run("2026-04-02")
        template = self.be_first.mail_template_id
        for lang in ("fr_FR", "nl_BE"):
            self.env["res.lang"]._activate_lang(lang)
            # The module's shipped translations, as installing the language loads them.
            self.env["ir.module.module"]._load_module_terms(["account_receivable_control"], [lang])
            self.individual.lang = lang
            body = template._generate_template(first.ids, ["body_html"])[first.id]["body_html"]
            self.assertIn("16/04/2026", body, lang)
            self.assertIn(FREE_FIRST_REMINDER[lang], body)
            self.assertIn(format_amount(self.env, 45.0, self.currency, lang_code=lang), body)
            self.assertIn("45,00", body, lang)
            self.assertIn("10,50", body, lang)
            letter = self._letter(first)
            self.assertIn(FREE_FIRST_REMINDER[lang].split(".")[0], letter)
            self.assertIn("16/04/2026", letter, lang)
            self.assertIn("10,50", letter, lang)

    def test_letter_window_starts_the_third_working_day(self):
        """A letter posted on Thursday 2 April 2026: Friday 3, (Easter Monday 6 is a public
        holiday) Tuesday 7, Wednesday 8 → the window runs 8 → 21 April."""
        self.be_first.write({"channel_email": False, "channel_letter": True})
        self._due_invoice(300.0, "2026-04-01", partner=self.individual)
        with self.mock_mail_gateway():
            first = self._run("2026-04-02")
        self.assertEqual(first.free_window_end, date(2026, 4, 21))
        self.assertIn(format_date(self.env, date(2026, 4, 21)), self._letter(first))

    def test_later_reminder_and_business_customer_say_nothing_of_a_window(self):
        self._due_invoice(300.0, "2026-04-01", partner=self.individual)
        with self.mock_mail_gateway():
            self._run("2026-04-02")
            second = self._run("2026-04-21")
        self.assertEqual(second.level_id, self.be_second)
        self.assertFalse(second.free_window_end)
        self.assertNotIn("free of charge", self._mails[-1]["body"])
        self.assertIn("Despite our reminder of", self._mails[-1]["body"])

        company = self.env["res.partner"].create(
            {"name": "Peeters BV", "email": "bv@example.com", "is_company": True}
        )
        company.receivable_policy_id = self.be_policy
        self._due_invoice(300.0, "2026-04-01", partner=company)
        with self.mock_mail_gateway():
            reminder = self._run("2026-04-21")
        self.assertEqual(reminder.partner_id, company)
        self.assertEqual(reminder.legal_profile_id.code, "be_b2b")
        self.assertFalse(reminder.free_window_end)
        self.assertNotIn("free of charge", self._mails[-1]["body"])
