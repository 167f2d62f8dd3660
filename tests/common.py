import socket
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

CONTROLLER = "account_receivable_control.group_credit_controller"
MANAGER = "account_receivable_control.group_credit_manager"
# Attachments a screen's spreadsheet would be stored as (the web client stores its asset
# bundles as attachments too).
SPREADSHEETS = [("name", "=like", "%.xlsx")]


class ReceivableCommon(AccountTestInvoicingCommon):
    """Shared setup: a company with its chart, customers, one user per role, a policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.invoicing_user = cls._create_user("arc_invoicing", "account.group_account_invoice")
        cls.controller = cls._create_user("arc_controller", CONTROLLER)
        cls.manager = cls._create_user("arc_manager", MANAGER)
        cls.customer = cls.env["res.partner"].create(
            {"name": "Brasserie Dupont", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Anne Dupont", "parent_id": cls.customer.id, "type": "contact"}
        )
        cls.policy = cls.env["receivable.policy"].create(
            {
                "name": "Test B2B",
                "company_id": cls.company.id,
                "default_credit_limit": 1000.0,
                "tolerance_percent": 10.0,
                "max_days_overdue": 30,
                "hold_rule": "warn",
                "auto_hold": True,
            }
        )
        cls.customer.receivable_policy_id = cls.policy

    @classmethod
    def _create_company(cls, **create_values):
        """The test companies work as a database in production: holds enforced and reminders
        sent automatically (a new install has both off: see test_dunning_activation)."""
        company = super()._create_company(**create_values)
        # sudo: only the activation or the superuser turns automatic sending on.
        company.sudo().write(
            {"receivable_hold_enforcement": True, "receivable_dunning_auto_send": True}
        )
        return company

    @classmethod
    def _create_user(cls, login, groups, company=None):
        company = company or cls.company_data["company"]
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    @classmethod
    def _invoice(cls, amount, partner=None, post=True, move_type="out_invoice", **kwargs):
        """A one-line invoice of ``amount`` without tax, so totals are easy to read."""
        kwargs.setdefault("invoice_date", fields.Date.today())
        return cls._create_invoice_one_line(
            price_unit=amount,
            tax_ids=[Command.clear()],
            partner_id=(partner or cls.customer).id,
            move_type=move_type,
            post=post,
            **kwargs,
        )

    @contextmanager
    def assertRefused(self, exception, pattern):
        """The block raises ``exception`` matching ``pattern`` and leaves nothing changed."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), pattern)
        self.env.invalidate_all(flush=False)

    def _last_message(self, record):
        return record.message_ids.sorted("id")[-1:].body or ""

    @classmethod
    def _unapplied_payment(cls, amount, date, partner=None):
        """A posted customer payment of ``amount`` on ``date``, matched with no invoice."""
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": (partner or cls.customer).id,
                "amount": amount,
                "date": date,
                "journal_id": cls.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        return payment

    @classmethod
    def _due_invoice(cls, amount, due, partner=None, invoice_date=None, **kwargs):
        """A posted invoice (or credit note, with ``move_type``) of ``amount`` falling due on
        ``due``, without payment terms, dated ``invoice_date`` (by default 30 days before)."""
        due = fields.Date.to_date(due)
        return cls._invoice(
            amount,
            partner=partner,
            invoice_date=invoice_date or due - timedelta(days=30),
            invoice_date_due=due,
            invoice_payment_term_id=False,
            **kwargs,
        )


class DunningCommon(ReceivableCommon):
    """A B2B ladder on the test policy and a customer with an invoicing contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engine = cls.env["receivable.dunning.engine"]
        # Holds here come from the ladder only, not from the credit limit or overdue days.
        cls.policy.write({"default_credit_limit": 0.0, "max_days_overdue": 0})
        cls.customer.email = "info@brasserie-dupont.example.com"
        cls.billing = cls.env["res.partner"].create(
            {
                "name": "Dupont Accounts",
                "parent_id": cls.customer.id,
                "type": "invoice",
                "email": "accounts@brasserie-dupont.example.com",
            }
        )
        cls.levels = cls._create_ladder(
            cls.policy,
            [
                ("Friendly reminder", -5, "friendly", {"min_days_since_previous": 0}),
                ("First reminder", 3, "reminder", {"min_days_since_previous": 3}),
                (
                    "Second reminder",
                    15,
                    "firm",
                    {"channel_letter": True, "channel_call": True, "call_script": "Call them."},
                ),
                (
                    "Formal notice",
                    30,
                    "formal_notice",
                    # Sent without review here (a formal notice needs one by default): the
                    # tests of the review ask for it.
                    {
                        "channel_letter": True,
                        "put_on_hold": True,
                        "formal_notice": True,
                        "needs_approval": False,
                    },
                ),
            ],
        )
        cls.friendly, cls.first, cls.second, cls.notice = cls.levels

    @classmethod
    def _set_up_charges_accounts(cls):
        """The journal and the accounts the late-payment charges are invoiced on."""
        income = cls.company_data["default_account_revenue"]
        cls.company.write(
            {
                "receivable_charges_journal_id": cls.company_data["default_journal_sale"].id,
                "receivable_fee_account_id": income.copy({"code": "758100"}).id,
                "receivable_interest_account_id": income.copy({"code": "763100"}).id,
            }
        )

    @classmethod
    def _create_ladder(cls, policy, steps):
        templates = {
            "friendly": "account_receivable_control.mail_template_reminder_friendly",
            "reminder": "account_receivable_control.mail_template_reminder",
            "firm": "account_receivable_control.mail_template_reminder_firm",
            "formal_notice": "account_receivable_control.mail_template_formal_notice",
        }
        return cls.env["receivable.dunning.level"].create(
            [
                {
                    "policy_id": policy.id,
                    "sequence": index * 10,
                    "name": name,
                    "offset_days": offset,
                    "channel_email": True,
                    "mail_template_id": cls.env.ref(templates[template]).id,
                    "letter_text": f"<p>{name} text.</p>",
                    **extra,
                }
                for index, (name, offset, template, extra) in enumerate(steps, start=1)
            ]
        )

    def _run(self, date, deliver=True):
        """The nightly run of the test company on ``date``: return the reminders sent.

        The run hands the emails to Odoo's outgoing queue; with ``deliver`` the queue then
        runs, as it does right after the nightly run's commits."""
        with freeze_time(date):
            sent = self.engine._run_company(self.company, fields.Date.to_date(date), commit=False)
            if deliver:
                self._deliver_mails()
        return sent

    def _climb_to_the_second_reminder(self, due):
        """The runs 4 and 15 days after ``due``: the first then the second reminder of the
        invoices due then. One level a run: the formal notice can come next. Returns their
        reminders."""
        due = fields.Date.to_date(due)
        return self._run(due + timedelta(days=4)) | self._run(due + timedelta(days=15))

    @contextmanager
    def _mail_server_down(self):
        """The database's outgoing server refuses every connection (a loopback port nobody
        listens on), and Odoo's test mode lets the mail queue really try to deliver; yields the
        server."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = self.env["ir.mail_server"].create(
            {
                "name": "Down",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )
        server_class = type(self.env["ir.mail_server"])
        with patch.object(server_class, "_disable_send", lambda _self: False):
            yield server

    def _deliver_mails(self):
        """Run Odoo's outgoing mail queue (the reminders' emails are queued, not sent)."""
        self.env["mail.mail"].process_email_queue()

    def _reminders(self, partner=None):
        return self.env["receivable.reminder"].search(
            [("partner_id", "=", (partner or self.customer).id)], order="id"
        )

    def _frozen(self, date):
        return freeze_time(date)
