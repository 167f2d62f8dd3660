"""One record of every model of the module in company A, and one user per role, for the tests
that call the module as each kind of user (the access matrix, the public methods)."""

import base64
from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.tests import new_test_user

from .common import MANAGER
from .common import DunningCommon

MODULE = "account_receivable_control"
MODULE_PACKAGE = f"odoo.addons.{MODULE}"


def module_model_names(env):
    """The models the module defines (its own ``_name``), abstract and transient included."""
    return {name for name in env.registry if env.registry[name]._original_module == MODULE}


class AccessCommon(DunningCommon):
    """Company A (the test company) with one record of each model of the module; users of
    every role, and a Credit Manager of company B."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company()["company"]
        cls.portal = new_test_user(
            cls.env,
            login="arc_portal",
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.internal = cls._create_user("arc_internal", "base.group_user")
        cls.other_company_user = cls._create_user("arc_manager_b", MANAGER, company=cls.company_b)
        cls.records = cls._create_records()

    @classmethod
    def _create_credit_override(cls):
        """A Credit Manager's override of a draft invoice that a blocking policy holds."""
        env = cls.env(su=True)
        policy = env["receivable.policy"].create(
            {"name": "Blocking", "company_id": cls.company.id, "hold_rule": "block"}
        )
        held = env["res.partner"].create(
            {"name": "Held Customer", "is_company": True, "receivable_policy_id": policy.id}
        )
        held.with_user(cls.manager)._put_on_credit_hold("Unpaid cheques")
        draft = cls._invoice(250.0, partner=held, post=False)
        return (
            env["receivable.credit.override"]
            .with_user(cls.manager)
            .create({"move_id": draft.id, "reason": "Bank guarantee received"})
        )

    @classmethod
    def _create_records(cls):
        """{model name: a record of company A} for every stored model of the module (and the
        models it extends), created as the superuser; wizards as the Credit Manager of A."""
        env = cls.env(su=True)
        today = fields.Date.today()
        invoice = cls._due_invoice(500.0, today - timedelta(days=40))
        second = cls._due_invoice(300.0, today - timedelta(days=40))
        line = invoice.line_ids.filtered(lambda item: item.display_type == "payment_term")
        refund = cls._due_invoice(50.0, today - timedelta(days=10), move_type="out_refund")
        refund_line = refund.line_ids.filtered(lambda item: item.display_type == "payment_term")
        # The run's own creation path: users create no reminder (see engine_mark).
        reminder = (
            env["receivable.reminder"]
            ._as_engine()
            .create(
                {
                    "partner_id": cls.customer.id,
                    "company_id": cls.company.id,
                    "level_id": cls.first.id,
                    "date": today,
                    "state": "draft",
                    "line_ids": [
                        Command.create(
                            {
                                "company_id": cls.company.id,
                                "move_line_id": line.id,
                                "move_id": invoice.id,
                                "currency_id": cls.currency.id,
                            }
                        )
                    ],
                    "credit_ids": [
                        Command.create(
                            {
                                "company_id": cls.company.id,
                                "move_line_id": refund_line.id,
                                "move_id": refund.id,
                                "credit_type": "refund",
                                "currency_id": cls.currency.id,
                                "amount_residual": -50.0,
                            }
                        )
                    ],
                }
            )
        )
        plan = env["receivable.payment.plan"].create(
            {
                "partner_id": cls.customer.id,
                "line_ids": [Command.create({"date": today, "amount": 100.0})],
            }
        )
        # The portal's creation path: users create no request.
        plan_request = (
            env["receivable.portal"]
            .sudo()
            ._request_payment_plan(cls.customer, [invoice.id], 3, "", cls.customer)
        )
        records = {
            "res.partner": cls.customer,
            "res.company": cls.company,
            # The outgoing queue, extended for the reminders' emails (administrators only).
            "mail.mail": env["mail.mail"].create(
                {"subject": "Reminder", "email_to": "a@example.com", "body_html": "<p>Pay</p>"}
            ),
            "account.move": invoice,
            "account.move.line": line,
            "receivable.policy": cls.policy,
            "receivable.dunning.level": cls.first,
            "receivable.reminder": reminder,
            "receivable.reminder.line": reminder.line_ids,
            "receivable.reminder.credit": reminder.credit_ids,
            "receivable.payment.plan": plan,
            "receivable.payment.plan.line": plan.line_ids,
            "receivable.payment.plan.request": plan_request,
            "receivable.promise": env["receivable.promise"].create(
                {
                    "partner_id": cls.customer.id,
                    "promise_date": today + timedelta(days=5),
                    "amount": 100.0,
                    "move_ids": [Command.set(invoice.ids)],
                }
            ),
            "receivable.credit.limit.request": env["receivable.credit.limit.request"].create(
                {
                    "partner_id": cls.customer.id,
                    "requested_limit": 5000.0,
                    "justification": "Seasonal orders.",
                }
            ),
            "receivable.legal.profile": env["receivable.legal.profile"].search([], limit=1),
            "receivable.reference.rate": env["receivable.reference.rate"].search([], limit=1),
            "receivable.legal.charge": env["receivable.legal.charge"].create(
                {
                    "origin_move_id": invoice.id,
                    "charge_move_id": second.id,
                    "company_id": cls.company.id,
                    "kind": "fee",
                    "date_from": today,
                    "date_to": today,
                    "amount": 40.0,
                }
            ),
            "receivable.risk.snapshot": env["receivable.risk.snapshot"].create(
                {"partner_id": cls.customer.id, "company_id": cls.company.id, "date": today}
            ),
        }
        records["receivable.credit.override"] = cls._create_credit_override()
        records.update(cls._create_views())
        records.update(cls._create_wizards(invoice))
        missing = [name for name, record in records.items() if len(record) != 1]
        assert not missing, f"no record of {missing} in company A"
        return {name: record.with_env(cls.env) for name, record in records.items()}

    @classmethod
    def _create_views(cls):
        """A row of each SQL view of company A (an overdue invoice, a reminder to review)."""
        env = cls.env(context={"allowed_company_ids": cls.company.ids})
        return {
            name: env[name].search([("company_id", "=", cls.company.id)], limit=1)
            for name in ("receivable.aging", "receivable.worklist")
        }

    @classmethod
    def _create_wizards(cls, invoice):
        """Wizards of company A as the Credit Manager of A opens them (``sudo``: the fixture
        is not what is tested)."""
        env = cls.env(user=cls.manager, su=True)
        run = env["receivable.dunning.run"].create({})
        letters = env["receivable.letter.post.wizard"].create(
            {
                "line_ids": [
                    Command.create(
                        {
                            "reminder_id": env["receivable.reminder"]
                            .search([("company_id", "=", cls.company.id)], limit=1)
                            .id
                        }
                    )
                ]
            }
        )
        followup = env["receivable.followup"].create(
            {"partner_id": cls.customer.id, "company_id": cls.company.id}
        )
        records = {
            "receivable.followup": followup,
            "receivable.followup.line": followup.line_ids[:1],
            "receivable.aging.date": env["receivable.aging.date"].create({}),
            "receivable.call.result": env["receivable.call.result"].create(
                {"partner_id": cls.customer.id}
            ),
            "receivable.charges.owed": env["receivable.charges.owed"].create(
                {"company_id": cls.company.id, "partner_id": cls.customer.id, "move_id": invoice.id}
            ),
            "receivable.charges.owed.wizard": env["receivable.charges.owed.wizard"].create({}),
            "receivable.credit.hold.wizard": env["receivable.credit.hold.wizard"].create(
                {"partner_id": cls.customer.id, "action": "hold"}
            ),
            "receivable.dispute.wizard": env["receivable.dispute.wizard"].create(
                {"move_ids": [Command.set(invoice.ids)], "reason": "Damaged goods"}
            ),
            "receivable.payment.plan.request.refuse": env[
                "receivable.payment.plan.request.refuse"
            ].create(
                {
                    "request_ids": [
                        Command.set(
                            env["receivable.payment.plan.request"]
                            .search([("company_id", "=", cls.company.id)], limit=1)
                            .ids
                        )
                    ],
                    "reason": "Too many broken promises.",
                }
            ),
            "receivable.dunning.run": run,
            "receivable.dunning.run.line": env["receivable.dunning.run.line"].create(
                {
                    "run_id": run.id,
                    "company_id": cls.company.id,
                    "partner_id": cls.customer.id,
                    "level_id": cls.first.id,
                }
            ),
            "receivable.hold.override.wizard": env["receivable.hold.override.wizard"].create({}),
            "receivable.letter.post.wizard": letters,
            "receivable.letter.post.wizard.line": letters.line_ids,
            "receivable.reference.rate.import": env["receivable.reference.rate.import"].create(
                {"file": base64.b64encode(b"kind,date_from,rate,source\n")}
            ),
            "res.config.settings": env["res.config.settings"].create({}),
        }
        return {name: record.with_env(cls.env) for name, record in records.items()}
