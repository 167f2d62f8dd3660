from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon

LETTER = "account_receivable_control.action_report_dunning_letter"


@tagged("post_install", "-at_install")
class TestDunningLadder(DunningCommon, MockEmail):
    """A customer walks the whole B2B ladder: each level once, on its channels."""

    def _letter_html(self, reminder):
        html, _format = self.env["ir.actions.report"]._render_qweb_html(LETTER, reminder.ids)
        return html.decode()

    def test_walk_the_b2b_ladder(self):
        invoice = self._due_invoice(1000.0, "2026-03-31")
        other = self._due_invoice(250.0, "2026-04-20")

        self.assertFalse(self._run("2026-03-25"), "six days before the due date: too early")

        with self.mock_mail_gateway():
            sent = self._run("2026-03-26")
        self.assertEqual(sent.level_id, self.friendly)
        self.assertEqual(sent.state, "sent")
        self.assertEqual(sent.recipient_id, self.billing, "the invoicing contact receives it")
        self.assertEqual(sent.line_ids.move_id, invoice, "only what falls due within 5 days")
        self.assertEqual(len(self._mails), 1)
        mail = self._mails[0]
        self.assertIn("accounts@brasserie-dupont.example.com", mail["email_to"][0])
        self.assertIn(invoice.name, mail["body"])
        self.assertIn(invoice.get_portal_url().split("?")[0], mail["body"], "a link to pay")
        self.assertEqual(sent.mail_id.state, "sent")
        self.assertEqual(invoice.receivable_dunning_level_id, self.friendly)
        self.assertEqual(str(invoice.receivable_dunning_date), "2026-03-26")

        self.assertFalse(self._run("2026-03-26"), "the same day again sends nothing")
        self.assertFalse(self._run("2026-04-02"), "two days late: no new level")

        with self.mock_mail_gateway():
            first = self._run("2026-04-03")
        self.assertEqual(first.level_id, self.first)
        self.assertEqual(first.line_ids.move_id, invoice, "the other invoice is not due yet")
        self.assertEqual(first.line_ids.days_late, 3)
        self.assertEqual(len(self._mails), 1)

        with self.mock_mail_gateway():
            second = self._run("2026-04-15")
        self.assertEqual(second.level_id, self.second)
        self.assertRecordValues(
            second.line_ids.sorted("date_due"),
            [
                {"move_id": invoice.id, "level_id": self.second.id, "days_late": 15},
                {"move_id": other.id, "level_id": self.friendly.id, "days_late": -5},
            ],
        )
        self.assertTrue(second.letter_attachment_id, "the letter is kept with the reminder")
        self.assertEqual(len(self._mails), 1)
        self.assertIn(
            second.letter_attachment_id.name,
            [name for name, _content, _mime in self._mails[0]["attachments"]],
            "the letter goes with the email",
        )
        html = self._letter_html(second)
        self.assertIn(invoice.name, html)
        self.assertIn("Second reminder text.", html)
        call = second.activity_id
        self.assertEqual(call.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(call.res_id, self.customer.id)
        self.assertIn("Call them.", str(call.note))

        with self.mock_mail_gateway():
            notice = self._run("2026-04-30")
        self.assertEqual(notice.level_id, self.notice)
        self.assertEqual(notice.line_ids.move_id, invoice | other, "both are overdue now")
        self.assertEqual(notice.amount_total, 1250.0)
        self.assertEqual(
            notice.line_ids.filtered(lambda line: line.move_id == other).level_id,
            self.first,
            "each invoice reaches its own level, the reminder goes at the highest",
        )
        self.assertIn("Formal notice", self._letter_html(notice))
        self.assertTrue(self.customer.credit_on_hold)
        self.assertEqual(self.customer.credit_hold_origin, "dunning")

        self.assertFalse(self._run("2026-05-01"), "nothing left on the ladder for the invoice")
        self.assertEqual(self._reminders().mapped("level_id"), self.levels)
        self.assertEqual(set(self._reminders().mapped("state")), {"sent"})

        partner_log = self.customer.message_ids.mapped("body")
        self.assertTrue(any("Formal notice sent on" in body for body in partner_log))
        invoice_log = invoice.message_ids.mapped("body")
        self.assertEqual(sum("sent on" in body for body in invoice_log), 4)
        self.assertEqual(self.customer.receivable_reminder_count, 4)
        self.assertEqual(self.customer.dunning_last_level_id, self.notice)

    def test_one_reminder_per_partner_at_its_highest_level(self):
        old = self._due_invoice(300.0, "2026-03-01")
        recent = self._due_invoice(200.0, "2026-03-28")
        # The old invoice climbs the ladder one level a run (a fresh invoice 31 days late
        # gets the first reminder, see test_dunning_golive); the recent one is not due yet.
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
        self.assertEqual(old.receivable_dunning_level_id, self.second)
        with self.mock_mail_gateway():
            reminder = self._run("2026-04-01")
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.level_id, self.notice, "the next level after the second")
        self.assertRecordValues(
            reminder.line_ids.sorted("date_due"),
            [
                {"move_id": old.id, "level_id": self.notice.id, "days_late": 31},
                {"move_id": recent.id, "level_id": self.first.id, "days_late": 4},
            ],
        )
        self.assertEqual(len(self._mails), 1)

    def test_minimum_amount_of_a_level(self):
        self.first.min_amount = 500.0
        self._due_invoice(100.0, "2026-03-01")
        self.friendly.active = False
        self.second.active = False
        self.notice.active = False
        self.assertFalse(self._run("2026-03-05"), "100 owed, the level asks 500 at least")
        self._due_invoice(450.0, "2026-03-02")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
        self.assertEqual(reminder.amount_total, 550.0)

    def test_minimum_days_since_the_previous_reminder(self):
        invoice = self._due_invoice(400.0, "2026-03-01")
        with self.mock_mail_gateway():
            first = self._run("2026-03-10")
            self.assertEqual(first.level_id, self.first)
            self.assertFalse(
                self._run("2026-03-16"), "the second level is reached, but 6 days < 7 since"
            )
            second = self._run("2026-03-17")
        self.assertEqual(second.level_id, self.second)
        self.assertEqual(invoice.receivable_dunning_level_id, self.second)

    def test_send_reminder_now_ignores_the_minimum_amount(self):
        self.first.min_amount = 500.0
        self._due_invoice(100.0, "2026-03-01")
        self.assertFalse(self._run("2026-03-10"), "the nightly run keeps to the minimum")
        with self.mock_mail_gateway(), self._frozen("2026-03-10"):
            self.customer.with_user(self.controller).action_send_reminder_now()
        reminder = self._reminders()
        self.assertEqual((reminder.state, reminder.amount_total), ("sent", 100.0))

    def test_level_needing_approval_waits_for_review(self):
        self.notice.needs_approval = True
        invoice = self._due_invoice(800.0, "2026-03-01")
        # Up the ladder to the formal notice, one level a run.
        with self.mock_mail_gateway():
            self._climb_to_the_second_reminder("2026-03-01")
        with self.mock_mail_gateway():
            sent = self._run("2026-04-01")
        self.assertFalse(sent)
        draft = self._reminders()[-1]
        self.assertEqual((draft.level_id, draft.state), (self.notice, "draft"))
        self.assertFalse(self._mails, "nothing goes out before the review")
        self.assertEqual(invoice.receivable_dunning_level_id, self.second)

        draft.with_user(self.controller).write({"channel_letter": False})
        with self.mock_mail_gateway():
            draft.with_user(self.controller).action_send()
            self._deliver_mails()
        self.assertEqual(draft.state, "sent")
        self.assertFalse(draft.letter_attachment_id, "the controller removed the letter")
        self.assertEqual(invoice.receivable_dunning_level_id, self.notice)
        self.assertEqual(len(self._mails), 1)

    def test_send_reminder_now_from_the_partner(self):
        invoice = self._due_invoice(400.0, "2026-03-01")
        with self.mock_mail_gateway(), self._frozen("2026-03-10"):
            self.customer.with_user(self.controller).action_send_reminder_now()
        reminder = self._reminders()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.level_id, self.first, "9 days late: the first reminder")
        self.assertEqual(invoice.receivable_dunning_level_id, self.first)

    def test_dunning_run_wizard_previews_then_sends(self):
        self._due_invoice(400.0, "2026-03-01")
        with self._frozen("2026-03-10"):
            run = (
                self.env["receivable.dunning.run"]
                .with_user(self.controller)
                .create({"company_ids": self.company.ids, "policy_ids": self.policy.ids})
            )
            run.action_preview()
            self.assertRecordValues(
                run.line_ids,
                [{"partner_id": self.customer.id, "level_id": self.first.id, "amount": 400.0}],
            )
            self.assertFalse(self._reminders(), "a preview creates nothing")
            with self.mock_mail_gateway():
                run.action_send()
                self._deliver_mails()
        self.assertEqual(self._reminders().state, "sent")
        self.assertEqual(len(self._mails), 1)

    def test_invoices_attached_when_the_level_says_so(self):
        self.first.attach_invoices = True
        invoice = self._due_invoice(400.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
        attachment_names = [name for name, _content, _mime in self._mails[0]["attachments"]]
        self.assertIn(f"{invoice.name.replace('/', '_')}.pdf", attachment_names)
        self.assertEqual(reminder.mail_id.attachment_ids.res_model, "account.move")
