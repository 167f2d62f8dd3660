import json

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.service.model import call_kw
from odoo.tests import Form
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestReminderHistory(DunningCommon, MockEmail):
    """Reminders are history once sent: their state changes only through their actions, what
    was sent or cancelled is never edited nor deleted, and the invoices' dunning fields change
    only through the module's actions."""

    HISTORY = "history"
    ENGINE_ONLY = "change only through"

    def _sent_reminder(self):
        self._due_invoice(300.0, "2026-03-01")
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
        self.assertEqual(reminder.state, "sent")
        return reminder

    def _to_send_reminder(self):
        """A reminder the run prepared and not sent yet."""
        self._due_invoice(300.0, "2026-03-01")
        return self._prepare("2026-03-05")

    def _prepare(self, date):
        with self._frozen(date):
            reminder = self.engine._generate_reminders(
                self.company, fields.Date.to_date(date), commit=False
            )
        self.assertEqual(reminder.state, "to_send")
        return reminder

    def _draft_reminder(self):
        self.first.needs_approval = True
        self._due_invoice(300.0, "2026-03-01")
        self._due_invoice(200.0, "2026-03-02")
        self._run("2026-03-05")
        reminder = self._reminders()
        self.assertEqual(reminder.state, "draft")
        self.assertEqual(len(reminder.line_ids), 2)
        return reminder

    def _rpc(self, user, model, method, args, context=None):
        """``method`` called as ``/web/dataset/call_kw`` does, with a client's JSON context."""
        payload = json.loads(json.dumps({"args": args, "context": context or {}}))
        return call_kw(
            self.env[model].with_user(user),
            method,
            payload["args"],
            {"context": payload["context"]},
        )

    # ------------------------------------------------------------------------------------------
    # A sent reminder is history
    # ------------------------------------------------------------------------------------------
    def test_a_sent_reminder_and_its_lines_cannot_be_changed_by_controller_or_manager(self):
        reminder = self._sent_reminder()
        line = reminder.line_ids
        for user in (self.controller, self.manager):
            mine = reminder.with_user(user)
            with self.assertRefused(UserError, self.HISTORY):
                mine.write({"state": "draft"})
            with self.assertRefused(UserError, self.HISTORY):
                mine.write({"state": "to_send", "sent_date": False})
            with self.assertRefused(UserError, self.HISTORY):
                mine.note = "<p>Rewritten after the fact</p>"
            with self.assertRefused(UserError, self.HISTORY):
                mine.write({"line_ids": [Command.update(line.id, {"amount_residual": 1.0})]})
            with self.assertRefused(UserError, self.ENGINE_ONLY + "|dunning run"):
                line.with_user(user).amount_residual = 1.0
            with self.assertRefused(UserError, self.HISTORY):
                line.with_user(user).unlink()
            with self.assertRefused(UserError, self.HISTORY):
                mine.write({"line_ids": [Command.delete(line.id)]})
        with self.assertRefused(UserError, self.HISTORY):
            reminder.with_user(self.manager).unlink()
        self.assertRecordValues(reminder, [{"state": "sent", "amount_total": 300.0}])
        self.assertRecordValues(line, [{"amount_residual": 300.0}])
        self.assertTrue(reminder.sent_date)

    def test_a_sent_reminder_cannot_go_back_to_review_nor_be_sent_again(self):
        reminder = self._sent_reminder()
        mine = reminder.with_user(self.controller)
        with self.assertRefused(UserError, "Only reminders to send or failed"):
            mine.action_reset_to_review()
        with self.assertRefused(UserError, "already sent"):
            mine.action_send()
        with self.assertRefused(UserError, "cannot be cancelled"):
            mine.action_cancel()
        # "Failed" would have the next run send it again.
        with self.assertRefused(UserError, self.HISTORY):
            mine.write({"state": "failed"})
        self.assertEqual(reminder.state, "sent")
        with self.mock_mail_gateway():
            self.assertFalse(self._run("2026-03-06"), "nothing sent twice")
        self.assertFalse(self._mails)

    def test_the_old_engine_context_key_and_a_forged_mark_give_no_right(self):
        reminder = self._sent_reminder()
        for context in (
            {"receivable_reminder_engine": True},
            {"receivable_engine_mark": "receivable_engine_mark"},
        ):
            forged = reminder.with_user(self.controller).with_context(**context)
            with self.assertRefused(UserError, self.HISTORY):
                forged.write({"state": "draft"})
            with self.assertRefused(UserError, "dunning run"):
                forged.line_ids.write({"amount_residual": 0.0})
            with self.assertRefused(UserError, self.HISTORY):
                forged.line_ids.unlink()
            # Over JSON-RPC, as a crafted request would send it.
            with self.assertRefused(UserError, self.HISTORY):
                self._rpc(
                    self.manager,
                    "receivable.reminder",
                    "write",
                    [reminder.ids, {"state": "draft"}],
                    context,
                )
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.line_ids.amount_residual, 300.0)

    def test_a_failed_then_sent_reminder_is_history(self):
        self.customer.email = False
        self.billing.email = False
        self._due_invoice(300.0, "2026-03-01")
        self._run("2026-03-05")
        reminder = self._reminders()
        self.assertEqual(reminder.state, "failed")
        self.customer.email = "info@brasserie-dupont.example.com"
        with self.mock_mail_gateway():
            self._run("2026-03-06")
        self.assertRecordValues(reminder, [{"state": "sent", "attempt_count": 2}])
        with self.assertRefused(UserError, self.HISTORY):
            reminder.with_user(self.controller).write({"state": "failed"})
        with self.assertRefused(UserError, self.HISTORY):
            reminder.with_user(self.controller).recipient_id = self.billing
        with self.assertRefused(UserError, self.HISTORY):
            reminder.with_user(self.manager).unlink()
        self.assertEqual(reminder.state, "sent")

    def test_a_cancelled_reminder_and_its_lines_cannot_be_changed_or_deleted(self):
        reminder = self._to_send_reminder()
        reminder.with_user(self.controller).action_cancel()
        self.assertEqual(reminder.state, "cancelled")
        with self.assertRefused(UserError, self.HISTORY):
            reminder.with_user(self.controller).write({"state": "to_send"})
        with self.assertRefused(UserError, self.HISTORY):
            reminder.with_user(self.manager).unlink()
        with self.assertRefused(UserError, self.HISTORY):
            reminder.line_ids.with_user(self.controller).unlink()
        self.assertEqual(reminder.state, "cancelled")
        self.assertEqual(len(reminder.line_ids), 1)

    # ------------------------------------------------------------------------------------------
    # Only the run creates reminders and lists their invoices
    # ------------------------------------------------------------------------------------------
    def test_users_cannot_create_reminders_nor_lines(self):
        reminder = self._draft_reminder()
        invoice = reminder.line_ids[0].move_id
        receivable = reminder.line_ids[0].move_line_id
        vals = {
            "partner_id": self.customer.id,
            "company_id": self.company.id,
            "level_id": self.notice.id,
            "date": "2026-03-05",
            "state": "sent",
            "line_ids": [
                Command.create(
                    {
                        "company_id": self.company.id,
                        "currency_id": self.currency.id,
                        "move_line_id": receivable.id,
                        "move_id": invoice.id,
                        "amount_residual": 99999.0,
                    }
                )
            ],
        }
        for user in (self.controller, self.manager):
            with self.assertRefused(UserError, "created by the dunning run"):
                self.env["receivable.reminder"].with_user(user).create(vals)
            with self.assertRefused(UserError, "created by the dunning run"):
                self._rpc(
                    user,
                    "receivable.reminder",
                    "create",
                    [{**vals, "state": "to_send"}],
                    {"receivable_reminder_engine": True},
                )
            with self.assertRefused(UserError, "created by the dunning run"):
                self.customer.with_user(user).write(
                    {"receivable_reminder_ids": [Command.create(vals)]}
                )
        self.assertEqual(self._reminders(), reminder)

        with self.assertRefused(UserError, "listed by the dunning run"):
            reminder.with_user(self.controller).write(
                {"line_ids": [Command.create(vals["line_ids"][0][2])]}
            )
        with self.assertRefused(UserError, "created by the dunning run"):
            reminder.with_user(self.manager).copy()
        self.assertEqual(len(reminder.line_ids), 2)
        self.assertEqual(len(self._reminders()), 1)

    def test_a_reminder_to_review_keeps_its_user_fields_not_its_amounts(self):
        reminder = self._draft_reminder()
        mine = reminder.with_user(self.controller)
        mine.write(
            {
                "note": "<p>As agreed on the phone.</p>",
                "deadline": "2026-03-20",
                "channel_letter": True,
                "recipient_id": self.customer.id,
            }
        )
        self.assertIn("As agreed on the phone.", reminder.note)
        with self.assertRefused(UserError, "dunning run"):
            mine.line_ids[0].amount_residual = 1.0
        with self.assertRefused(UserError, self.ENGINE_ONLY):
            mine.write({"date": "2026-01-01"})
        with self.assertRefused(UserError, self.ENGINE_ONLY):
            mine.write({"state": "sent"})
        # The review list lets the controller remove an invoice from the reminder.
        removed = reminder.line_ids.sorted("amount_residual")[0]
        mine.write({"line_ids": [Command.delete(removed.id)]})
        self.assertRecordValues(reminder, [{"state": "draft", "amount_total": 300.0}])

        with self.mock_mail_gateway():
            mine.action_send()
            self.env["mail.mail"].process_email_queue()  # where the email is only queued
        self.assertRecordValues(reminder, [{"state": "sent", "channel_letter": True}])
        self.assertEqual(len(self._mails), 1)
        self.assertIn("As agreed on the phone.", self._mails[0]["body"])

    def test_actions_change_the_state_of_a_reminder_to_send(self):
        reminder = self._to_send_reminder()
        with self.assertRefused(UserError, "can be edited"):
            reminder.with_user(self.controller).note = "<p>Too late to edit</p>"
        with self.assertRefused(UserError, "can be removed only"):
            reminder.line_ids.with_user(self.controller).unlink()
        reminder.with_user(self.controller).action_reset_to_review()
        self.assertEqual(reminder.state, "draft")
        reminder.with_user(self.controller).action_cancel()
        self.assertRecordValues(reminder, [{"state": "cancelled", "line_count": 1}])
        self.assertIn(self.controller.name, reminder.cancel_reason)
        # A Billing user reads reminders but acts on none.
        pending = self._prepare("2026-03-06")
        with self.assertRefused(AccessError, "not allowed to modify"):
            pending.with_user(self.invoicing_user).action_cancel()
        self.assertEqual(pending.state, "to_send")

    # ------------------------------------------------------------------------------------------
    # The invoices' dunning fields
    # ------------------------------------------------------------------------------------------
    def test_billing_user_and_controller_cannot_write_the_dunning_fields(self):
        invoice = self._due_invoice(300.0, "2026-03-01")
        agency = self.env["res.partner"].create({"name": "Intrum", "is_collection_agency": True})
        forbidden = [
            {"receivable_dunning_level_id": self.notice.id},
            {"receivable_dunning_date": "2026-03-05"},
            {"receivable_dispute": True, "receivable_dispute_reason": "Never delivered"},
            {"receivable_agency_id": agency.id, "receivable_agency_state": "with_agency"},
            {"receivable_agency_state": "written_off"},
            {"receivable_is_legal_charge": True},
        ]
        for user in (self.invoicing_user, self.controller):
            for vals in forbidden:
                with self.assertRefused(UserError, self.ENGINE_ONLY):
                    invoice.with_user(user).write(vals)
                with self.assertRefused(UserError, self.ENGINE_ONLY):
                    self._rpc(
                        user,
                        "account.move",
                        "write",
                        [invoice.ids, vals],
                        {"receivable_reminder_engine": True},
                    )
        with self.assertRefused(AccessError, "Credit Controller"):
            invoice.with_user(self.invoicing_user).receivable_factor_id = agency
        self.assertRecordValues(
            invoice,
            [
                {
                    "receivable_dunning_level_id": False,
                    "receivable_dunning_date": False,
                    "receivable_dispute": False,
                    "receivable_agency_state": False,
                    "receivable_is_legal_charge": False,
                    "receivable_factor_id": False,
                }
            ],
        )
        # The factor is assigned on the invoice form by a credit controller.
        invoice.with_user(self.controller).receivable_factor_id = agency
        self.assertEqual(invoice.receivable_factor_id, agency)

    def test_billing_user_cannot_create_an_invoice_with_dunning_fields(self):
        product_line = Command.create({"name": "Beer", "quantity": 1, "price_unit": 100.0})
        base = {
            "move_type": "out_invoice",
            "partner_id": self.customer.id,
            "invoice_line_ids": [product_line],
        }
        moves = self.env["account.move"].with_user(self.invoicing_user)
        for vals in (
            {"receivable_dunning_level_id": self.notice.id},
            {"receivable_dispute": True, "receivable_dispute_reason": "Old dispute"},
            {"receivable_agency_state": "written_off"},
            {"receivable_is_legal_charge": True},
        ):
            with self.assertRefused(UserError, self.ENGINE_ONLY):
                moves.create({**base, **vals})
        with self.assertRefused(AccessError, "Credit Controller"):
            moves.create({**base, "receivable_factor_id": self.customer.id})
        # A new invoice saved from the form (every field, empty dunning ones) is fine.
        invoice = moves.create({**base, "receivable_dispute": False, "receivable_factor_id": False})
        self.assertFalse(invoice.receivable_dispute)

    def test_dunning_actions_and_accounting_flows_still_work(self):
        invoice = self._due_invoice(300.0, "2026-03-01")
        with self.mock_mail_gateway():
            self._run("2026-03-05")
        self.assertEqual(invoice.receivable_dunning_level_id, self.first, "the engine advances")

        wizard = Form(
            self.env["receivable.dispute.wizard"]
            .with_user(self.controller)
            .with_context(default_move_ids=invoice.ids)
        )
        wizard.reason = "Goods delivered damaged"
        wizard.save().action_confirm()
        self.assertRecordValues(
            invoice,
            [{"receivable_dispute": True, "receivable_dispute_user_id": self.controller.id}],
        )
        with self.assertRefused(AccessError, "Credit Controller"):
            invoice.with_user(self.invoicing_user).action_resolve_dispute()
        self.assertTrue(invoice.receivable_dispute)
        invoice.with_user(self.controller).receivable_dispute_reason = "Half the goods damaged"
        invoice.with_user(self.controller).action_resolve_dispute()
        self.assertFalse(invoice.receivable_dispute)

        # Accounting's own flows: duplicate and post, reverse, pay an invoice that was reminded.
        copy = invoice.with_user(self.invoicing_user).copy({"invoice_date": "2026-03-05"})
        copy.with_user(self.invoicing_user).action_post()
        self.assertRecordValues(copy, [{"state": "posted", "receivable_dunning_level_id": False}])
        reversal = copy.with_user(self.invoicing_user)._reverse_moves(
            [{"invoice_date": copy.invoice_date, "ref": "Credit note"}], cancel=True
        )
        self.assertRecordValues(
            reversal, [{"state": "posted", "receivable_dunning_level_id": False}]
        )
        self.assertEqual(copy.payment_state, "reversed")
        self.env["account.payment.register"].with_user(self.invoicing_user).with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.receivable_dunning_level_id, self.first, "history kept")

    def test_agency_actions_close_the_claim(self):
        invoice = self._due_invoice(300.0, "2026-03-01")
        agency = self.env["res.partner"].create({"name": "Intrum", "is_collection_agency": True})
        with self.assertRefused(UserError, self.ENGINE_ONLY):
            invoice.with_user(self.controller).write(
                {"receivable_agency_id": agency.id, "receivable_agency_state": "with_agency"}
            )
        self.policy.agency_id = agency
        self.first.hand_to_agency = True
        with self.mock_mail_gateway():
            reminder = self._run("2026-03-05")
        self.assertTrue(reminder.claim_attachment_id)
        self.assertEqual(invoice.receivable_agency_state, "with_agency")
        with self.assertRefused(AccessError, "Credit Controller"):
            invoice.with_user(self.invoicing_user).action_agency_recovered()
        invoice.with_user(self.controller).action_agency_recovered()
        self.assertEqual(invoice.receivable_agency_state, "recovered")
