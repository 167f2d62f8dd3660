from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import format_amount
from odoo.tools import format_date

from .input_checks import check_range
from .night_runs import commit_run_progress
from .night_runs import retry_on_conflict
from .night_runs import run_per_company

# Active plans checked per committed batch of the daily cron.
PLAN_BATCH = 200
MISSED_TEMPLATE = "account_receivable_control.mail_template_payment_plan_missed"
# "Split Equally" makes one monthly instalment each: ten years at most.
MAX_INSTALMENTS = 120


class ReceivablePaymentPlan(models.Model):
    """Instalments agreed with a customer for some of its invoices.

    States::

        draft ──confirm──► active ──every instalment paid──► done
          │                  │
          │                  └──instalment missed (cancel on missed)──► broken
          └──────────────────┴──cancel──► cancelled

    While a plan is ``active`` its invoices leave the dunning ladder: the plan reminds instead,
    with one email per missed instalment. What the customer paid is what the invoices stopped
    owing since the confirmation; instalments are covered in date order. An instalment not
    covered the day after its date is missed: logged, emailed, a call is scheduled for the
    collector and, when the plan says so, the plan is broken and the invoices return to the
    ladder.
    """

    _name = "receivable.payment.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, default="/")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move",
        "receivable_payment_plan_move_rel",
        "plan_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('amount_residual', '>', 0)]",
        help="Invoices paid by instalments. While the plan is active they get no reminder "
        "from the dunning ladder.",
    )
    amount_total = fields.Monetary(
        string="Amount Covered",
        readonly=True,
        copy=False,
        tracking=True,
        help="What the invoices owed when the plan was confirmed; the instalments add up to it.",
    )
    amount_residual = fields.Monetary(
        string="Still Due", compute="_compute_amount_residual", help="What the invoices owe now."
    )
    amount_paid = fields.Monetary(string="Paid Since", compute="_compute_amount_residual")
    amount_instalments = fields.Monetary(
        string="Instalments Total", compute="_compute_amount_instalments"
    )
    line_ids = fields.One2many(
        "receivable.payment.plan.line", "plan_id", string="Instalments", copy=True
    )
    next_date = fields.Date(
        string="Next Instalment", compute="_compute_next_date", store=True, index=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("done", "Done"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        index=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    cancel_on_missed = fields.Boolean(
        string="Cancel When an Instalment Is Missed",
        compute="_compute_cancel_on_missed",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="A missed instalment breaks the plan: its invoices return to the dunning ladder. "
        "Otherwise the missed instalment is reminded and the plan goes on.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Missed Instalment Email",
        domain="[('model', '=', 'receivable.payment.plan')]",
        default=lambda self: self.env.ref(MISSED_TEMPLATE, raise_if_not_found=False),
        help="Sent to the customer when an instalment is missed. Empty: no email.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Agreed By",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    note = fields.Text()
    # Helpers of "Split Equally" on a draft plan.
    instalment_count = fields.Integer(string="Number of Instalments", default=3)
    first_date = fields.Date(string="First Instalment")

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends("partner_id", "company_id")
    def _compute_cancel_on_missed(self):
        """Follow the customer's credit policy; without one, a missed instalment cancels."""
        for plan in self:
            partner = plan.partner_id.with_company(plan.company_id)
            policy = partner.receivable_effective_policy_id
            plan.cancel_on_missed = policy.payment_plan_cancel_on_missed if policy else True

    @api.depends("move_ids.amount_residual_signed", "amount_total", "state")
    def _compute_amount_residual(self):
        for plan in self:
            plan.amount_residual = plan._get_residual()
            if plan.state == "draft":
                plan.amount_paid = 0.0
            else:
                plan.amount_paid = max(plan.amount_total - plan.amount_residual, 0.0)

    @api.depends("line_ids.amount")
    def _compute_amount_instalments(self):
        for plan in self:
            plan.amount_instalments = sum(plan.line_ids.mapped("amount"))

    @api.depends("line_ids.date", "line_ids.state")
    def _compute_next_date(self):
        for plan in self:
            open_lines = plan.line_ids.filtered(lambda line: line.state != "paid")
            plan.next_date = min(open_lines.mapped("date"), default=False)

    @api.depends("name", "partner_id")
    def _compute_display_name(self):
        for plan in self:
            plan.display_name = self.env._(
                "%(name)s (%(partner)s)", name=plan.name, partner=plan.partner_id.name or ""
            )

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("move_ids", "partner_id")
    def _check_moves_partner(self):
        for plan in self:
            plan.move_ids._check_commercial_partner(plan.partner_id)

    @api.constrains("instalment_count")
    def _check_instalment_count(self):
        check_range(self, ["instalment_count"], 1, MAX_INSTALMENTS)

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"]
        partners = self.env["res.partner"]
        for vals in vals_list:
            if vals.get("partner_id"):
                vals["partner_id"] = partners.browse(vals["partner_id"]).commercial_partner_id.id
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("receivable.payment.plan") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("partner_id"):
            partner = self.env["res.partner"].browse(vals["partner_id"])
            vals["partner_id"] = partner.commercial_partner_id.id
        if {"partner_id", "move_ids", "company_id"} & set(vals):
            if self.filtered(lambda p: p.state != "draft"):
                raise UserError(
                    self.env._(
                        "The customer and the invoices of a confirmed payment plan cannot change."
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        if self.filtered(lambda p: p.state not in ("draft", "cancelled")):
            raise UserError(
                self.env._(
                    "A confirmed payment plan is part of the customer's history: cancel it, "
                    "do not delete it."
                )
            )

    # ------------------------------------------------------------------------------------------
    # Business methods: confirmation
    # ------------------------------------------------------------------------------------------
    def _get_residual(self):
        """What the plan's invoices owe now, in the company currency."""
        self.ensure_one()
        return sum(self.move_ids.mapped("amount_residual_signed"))

    def _check_schedule_editable(self):
        if self.filtered(lambda p: p.state != "draft"):
            raise UserError(
                self.env._("The instalments of a confirmed payment plan cannot change.")
            )

    def _check_confirmable(self, today):
        """Raise when the plan cannot be confirmed as it stands at ``today``."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Only draft payment plans can be confirmed."))
        self._check_invoices_open()
        self._check_invoices_free()
        self._check_schedule(today)

    def _check_invoices_open(self):
        self.ensure_one()
        if not self.move_ids:
            raise ValidationError(self.env._("A payment plan must cover at least one invoice."))
        closed = self.move_ids.filtered(
            lambda m: (
                m.move_type != "out_invoice"
                or m.state != "posted"
                or m.currency_id.is_zero(m.amount_residual)
            )
        )
        if closed:
            raise ValidationError(
                self.env._(
                    "%(invoices)s are not open customer invoices: only posted invoices with an "
                    "amount still due can be paid by instalments.",
                    invoices=", ".join(closed.mapped(lambda m: m.name or m.display_name)),
                )
            )

    def _check_invoices_free(self):
        """An invoice is paid by one active plan at most."""
        self.ensure_one()
        other = self.search(
            [
                ("id", "!=", self.id),
                ("state", "=", "active"),
                ("move_ids", "in", self.move_ids.ids),
            ],
            limit=1,
        )
        if other:
            taken = other.move_ids & self.move_ids
            raise ValidationError(
                self.env._(
                    "%(invoices)s are already paid by instalments in the payment plan %(plan)s.",
                    invoices=", ".join(taken.mapped("name")),
                    plan=other.name,
                )
            )

    def _check_schedule(self, today):
        """Instalments: at least one, none in the past, adding up to what the invoices owe."""
        self.ensure_one()
        if not self.line_ids:
            raise ValidationError(self.env._("A payment plan needs at least one instalment."))
        past = self.line_ids.filtered(lambda line: line.date < today)
        if past:
            first = past.sorted("date")[0]
            raise ValidationError(
                self.env._(
                    "The instalment of %(amount)s is dated %(date)s, in the past: instalments "
                    "must fall due today (%(today)s) or later.",
                    amount=format_amount(self.env, first.amount, self.currency_id),
                    date=format_date(self.env, first.date),
                    today=format_date(self.env, today),
                )
            )
        due = self._get_residual()
        scheduled = sum(self.line_ids.mapped("amount"))
        if self.currency_id.compare_amounts(scheduled, due):
            raise ValidationError(
                self.env._(
                    "The instalments add up to %(instalments)s but the invoices of the plan owe "
                    "%(due)s: the instalments must add up to exactly what is due.",
                    instalments=format_amount(self.env, scheduled, self.currency_id),
                    due=format_amount(self.env, due, self.currency_id),
                )
            )

    def _get_schedule_summary(self):
        self.ensure_one()
        lines = self.line_ids.sorted(lambda line: (line.date, line.id))
        return self.env._(
            "%(count)s instalment(s) of %(amount)s in total, from %(first)s to %(last)s, for "
            "%(invoices)s",
            count=len(lines),
            amount=format_amount(self.env, self.amount_total, self.currency_id),
            first=format_date(self.env, lines[:1].date),
            last=format_date(self.env, lines[-1:].date),
            invoices=", ".join(self.move_ids.mapped("name")),
        )

    # ------------------------------------------------------------------------------------------
    # Business methods: follow-up of the instalments
    # ------------------------------------------------------------------------------------------
    def _check_instalments(self, date):
        """Mark the instalments of the active plans paid or missed at ``date``.

        What was paid is what the invoices stopped owing since the confirmation. Instalments
        are covered in date order; one not covered and dated before ``date`` is missed. A plan
        whose invoices are paid is done. Each instalment is reported missed once.
        """
        for plan in self.filtered(lambda p: p.state == "active"):
            plan.with_company(plan.company_id)._check_one_plan(date)

    @api.model
    def _check_due_plans(self, date, company, commit=False):
        """Check the active plans of ``company`` at ``date``, in batches.

        ``commit``: commit each batch with the cron's progress (``night_runs``); a batch hit by
        another transaction is rolled back whole and tried again. Return the plans checked."""
        plans = self.search([("state", "=", "active"), ("company_id", "=", company.id)], order="id")
        for start in range(0, len(plans), PLAN_BATCH):
            batch = plans[start : start + PLAN_BATCH]

            def check(batch=batch, start=start):
                batch._check_instalments(date)
                if commit:
                    commit_run_progress(self.env, len(batch), len(plans) - start - len(batch))
                return True

            retry_on_conflict(self.env, check, commit, "Payment plans")
            if commit:
                self.env.invalidate_all()
        return plans

    def _check_one_plan(self, date):
        self.ensure_one()
        paid = self.amount_total - self._get_residual()
        currency = self.currency_id
        cumulative = 0.0
        missed = self.env["receivable.payment.plan.line"]
        for line in self.line_ids.sorted(lambda line: (line.date, line.id)):
            cumulative += line.amount
            if currency.compare_amounts(paid, cumulative) >= 0:
                state = "paid"
            elif line.date < date:
                state = "missed"
            else:
                state = "pending"
            if state == "missed" and line.state != "missed":
                missed |= line
            if line.state != state:
                line.state = state
        if currency.compare_amounts(self._get_residual(), 0.0) <= 0:
            self._mark_done()
        elif missed:
            self._report_missed(missed)

    def _mark_done(self):
        self.ensure_one()
        self.line_ids.filtered(lambda line: line.state != "paid").state = "paid"
        self.state = "done"
        text = self.env._("Payment plan completed: every instalment was paid.")
        self.message_post(body=text, subtype_xmlid="mail.mt_note")
        self.partner_id._post_dunning_note(text, self)

    def _report_missed(self, lines):
        """Log, email and call about the missed ``lines``; break the plan if it says so."""
        self.ensure_one()
        for line in lines:
            text = self.env._(
                "Instalment of %(amount)s due on %(date)s missed.",
                amount=format_amount(self.env, line.amount, self.currency_id),
                date=format_date(self.env, line.date),
            )
            self.message_post(body=text, subtype_xmlid="mail.mt_note")
            self.partner_id._post_dunning_note(text, self)
        if self.cancel_on_missed:
            self._mark_broken()
        self._send_missed_email()
        self._schedule_missed_call(lines)

    def _mark_broken(self):
        self.ensure_one()
        self.state = "broken"
        text = self.env._(
            "Payment plan broken after a missed instalment: its invoices return to the "
            "dunning ladder."
        )
        self.message_post(body=text, subtype_xmlid="mail.mt_note")
        self.partner_id._post_dunning_note(text, self)

    def _send_missed_email(self):
        """Email the customer's invoicing contact (or the customer) about the missed instalment."""
        self.ensure_one()
        if not self.mail_template_id:
            return
        engine = self.env["receivable.dunning.engine"]
        recipient = self.env["res.partner"].browse(
            engine._get_recipients([self.partner_id.id])[self.partner_id.id]
        )
        if not recipient.email:
            self.message_post(
                body=self.env._(
                    "No missed-instalment email: %s has no email address.",
                    recipient.display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            return
        # Queued with the transaction: sent once the nightly run has committed the missed
        # instalment, never twice if the run is rolled back and runs again.
        self.mail_template_id.send_mail(
            self.id,
            force_send=False,
            email_layout_xmlid="mail.mail_notification_light",
            email_values={"recipient_ids": [Command.set(recipient.ids)], "auto_delete": False},
        )
        self.message_post(
            body=self.env._("Missed-instalment email queued for %s.", recipient.email),
            subtype_xmlid="mail.mt_note",
        )

    def _get_account_portal_url(self):
        """The signed link to the customer's account page that the missed-instalment email
        prints, opening the page in the customer's language (the email's)."""
        self.ensure_one()
        return self.partner_id._get_receivable_portal_link(self.partner_id.lang)

    def _schedule_missed_call(self, lines):
        self.ensure_one()
        collector = self.partner_id.with_company(self.company_id)._get_collector()
        items = Markup().join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(amount)s due on %(date)s",
                amount=format_amount(self.env, line.amount, self.currency_id),
                date=format_date(self.env, line.date),
            )
            for line in lines
        )
        note = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._("Missed instalments of the payment plan %s:", self.name),
            items,
        )
        self.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.context_today(self),
            summary=self.env._("Missed instalment: call %s", self.partner_id.name),
            note=note,
            user_id=collector.id,
        )

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_confirm(self):
        """Confirm the agreed schedule: the invoices leave the dunning ladder."""
        today = fields.Date.context_today(self)
        for plan in self:
            plan._check_confirmable(today)
        for plan in self:
            plan.write({"state": "active", "amount_total": plan._get_residual()})
            plan.partner_id._post_dunning_note(
                self.env._(
                    "Payment plan agreed: %s. Reminders for these invoices follow the plan.",
                    plan._get_schedule_summary(),
                ),
                plan,
            )
        return True

    def action_cancel(self):
        if self.filtered(lambda p: p.state not in ("draft", "active")):
            raise UserError(self.env._("Only draft or active payment plans can be cancelled."))
        for plan in self:
            was_active = plan.state == "active"
            plan.state = "cancelled"
            if was_active:
                plan.partner_id._post_dunning_note(
                    self.env._(
                        "Payment plan cancelled: its invoices return to the dunning ladder."
                    ),
                    plan,
                )
        return True

    def action_split_equally(self):
        """Replace the instalments by equal monthly ones from the first date."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Only the instalments of a draft plan can be changed."))
        if not self.first_date:
            raise ValidationError(self.env._("Set the date of the first instalment."))
        if self.first_date < fields.Date.context_today(self):
            raise ValidationError(self.env._("The first instalment cannot be dated in the past."))
        due = self._get_residual()
        if not self.currency_id.compare_amounts(due, 0.0) > 0:
            raise ValidationError(self.env._("Add the invoices to pay by instalments first."))
        amounts = self._split_amount(due, self.instalment_count)
        self.line_ids = [Command.clear()] + [
            Command.create(
                {"date": self.first_date + relativedelta(months=index), "amount": amount}
            )
            for index, amount in enumerate(amounts)
        ]
        return True

    def _split_amount(self, amount, count):
        """``count`` amounts rounded to the currency, adding up to ``amount`` (last absorbs)."""
        share = self.currency_id.round(amount / count)
        return [share] * (count - 1) + [self.currency_id.round(amount - share * (count - 1))]

    # ------------------------------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------------------------------
    @api.model
    def _get_plan_companies(self):
        # sudo: the nightly run covers every company with an active plan
        groups = self.sudo()._read_group([("state", "=", "active")], ["company_id"])
        return self.env["res.company"].browse(company.id for (company,) in groups)

    @api.model
    def _cron_check_payment_plans(self):
        """Daily, the one check of the plans: mark the instalments paid or missed, report the
        missed ones, break or complete the plans, company by company in committed batches.

        It runs before the dunning run (``night_runs.NIGHT_SCHEDULE``), which does not check
        the plans itself: a plan broken tonight has returned its invoices to the ladder when
        the dunning evaluates them, and the invoices of a plan still active are never reminded
        (the engine leaves them out). Idempotent: an instalment is reported missed once, so a
        run resumed after its time was up reports nothing twice.
        """
        today = fields.Date.context_today(self)
        run_per_company(
            self,
            self._get_plan_companies(),
            lambda plans, company: plans._check_due_plans(today, company, commit=True),
            "Payment plans",
        )
