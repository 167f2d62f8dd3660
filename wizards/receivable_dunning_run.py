from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import format_date

from ..models.receivable_security import MANAGER_GROUP
from ..models.receivable_security import check_receivable_company
from ..models.receivable_security import check_receivable_group


class ReceivableDunningRun(models.TransientModel):
    """A dunning run by hand: choose date, companies and policies, preview, then send."""

    _name = "receivable.dunning.run"
    _description = "Dunning Run"

    date = fields.Date(required=True, default=fields.Date.context_today)
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.companies,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    policy_ids = fields.Many2many(
        "receivable.policy",
        string="Credit Policies",
        domain="[('company_id', 'in', company_ids)]",
        help="Empty: every policy of the chosen companies.",
    )
    state = fields.Selection(
        [("setup", "Setup"), ("preview", "Preview")], default="setup", required=True
    )
    first_run = fields.Boolean(
        readonly=True,
        help="The first-run preview of the settings: what the next night would send with "
        "automatic sending on, and the button that activates it.",
    )
    auto_send_active = fields.Boolean(
        string="Automatic Sending Active",
        compute="_compute_auto_send_active",
        help="Every company of the run already sends its reminders automatically.",
    )
    line_ids = fields.One2many("receivable.dunning.run.line", "run_id", string="Preview")
    partner_count = fields.Integer(compute="_compute_totals")
    waiting_count = fields.Integer(compute="_compute_totals")
    is_future = fields.Boolean(compute="_compute_is_future")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    amount_due = fields.Monetary(compute="_compute_totals", string="Net Amount Due")
    amount_charges = fields.Monetary(compute="_compute_totals", string="Interest + Fees")
    amount_total = fields.Monetary(
        compute="_compute_totals",
        string="Total Claimed",
        help="Net amount due + late interest + recovery fees of every reminder listed.",
    )

    @api.depends("line_ids.amount", "line_ids.amount_charges", "line_ids.status")
    def _compute_totals(self):
        for run in self:
            run.partner_count = len(run.line_ids)
            run.waiting_count = len(run.line_ids.filtered(lambda ln: ln.status != "new"))
            run.amount_due = sum(run.line_ids.mapped("amount"))
            run.amount_charges = sum(run.line_ids.mapped("amount_charges"))
            run.amount_total = run.amount_due + run.amount_charges

    @api.depends("company_ids")
    def _compute_auto_send_active(self):
        for run in self:
            run.auto_send_active = bool(run.company_ids) and all(
                run.company_ids.mapped("receivable_dunning_auto_send")
            )

    @api.depends("date")
    def _compute_is_future(self):
        today = fields.Date.context_today(self)
        for run in self:
            run.is_future = bool(run.date and run.date > today)

    def _check_date(self):
        """Sending is refused at a future date; a preview at a future date is allowed."""
        if self.date > fields.Date.context_today(self):
            raise UserError(
                self.env._(
                    "A dunning run cannot be sent at a future date (%(date)s): reminders would "
                    "go out before their time. Preview it, then send it on that day.",
                    date=format_date(self.env, self.date),
                )
            )

    def action_preview(self):
        """Evaluate without creating anything and list who would get which reminder, with the
        reminders already waiting to be sent (the run sends them too)."""
        self.ensure_one()
        self.check_access("write")
        waiting = self._get_waiting_reminders()
        vals_list = [self._prepare_waiting_line(reminder) for reminder in waiting]
        engine = self.env["receivable.dunning.engine"]
        for company in self.company_ids:
            company_engine = engine._in_company_scope(company)
            policies = self.policy_ids.filtered(lambda p, c=company: p.company_id == c)
            if self.policy_ids and not policies:
                continue
            partner_ids = company_engine._select_partners_to_remind(
                company, self.date, policies or None
            )
            waiting_partners = set(
                waiting.filtered(lambda r, c=company: r.company_id == c).partner_id.ids
            )
            proposals = [
                proposal
                for proposal in company_engine._evaluate(
                    company, self.date, partner_ids, policies or None
                )
                if proposal["partner_id"] not in waiting_partners
            ]
            reminders_vals = company_engine._prepare_reminders_vals(company, self.date, proposals)
            for proposal, reminder_vals in zip(proposals, reminders_vals, strict=True):
                vals_list.append(self._prepare_new_line(company, proposal, reminder_vals))
        self.line_ids.unlink()
        self.write({"line_ids": [Command.create(vals) for vals in vals_list], "state": "preview"})
        return self._reopen()

    def _get_waiting_reminders(self):
        """The reminders of the run's companies (and policies) waiting to go out: to send, or
        failed (retried). The nightly run sends them; so does this one. The first-run
        preview adds those the nightly run prepared while automatic sending was off (the
        activation releases them)."""
        domain = Domain("company_id", "in", self.company_ids.ids) & Domain(
            "state", "in", ("to_send", "failed")
        )
        if self.first_run:
            domain |= (
                Domain("company_id", "in", self.company_ids.ids)
                & Domain("state", "=", "draft")
                & Domain("awaiting_activation", "=", True)
            )
        if self.policy_ids:
            domain &= Domain("policy_id", "in", self.policy_ids.ids)
        return self.env["receivable.reminder"].search(domain, order="company_id, id")

    def _prepare_waiting_line(self, reminder):
        return {
            "company_id": reminder.company_id.id,
            "partner_id": reminder.partner_id.id,
            "level_id": reminder.level_id.id,
            "reminder_id": reminder.id,
            "status": "failed" if reminder.state == "failed" else "waiting",
            "amount": reminder._net_due(),
            "amount_interest": reminder.amount_interest,
            "amount_fees": reminder.amount_fees,
            "invoice_count": reminder.line_count,
        }

    def _prepare_new_line(self, company, proposal, reminder_vals):
        """A previewed reminder, its charges (interest and fees) as the run would claim them."""
        lines = [command[2] for command in reminder_vals["line_ids"]]
        currency = company.currency_id
        return {
            "company_id": company.id,
            "partner_id": proposal["partner_id"],
            "level_id": proposal["level"].id,
            "status": "new",
            "amount": proposal["amount"],
            "amount_interest": currency.round(sum(line["interest_amount"] for line in lines)),
            "amount_fees": currency.round(sum(line["fee_amount"] for line in lines)),
            "invoice_count": len(proposal["rows"]),
        }

    @api.model
    def action_open_first_run_preview(self):
        """The first-run preview of the current company: from the settings, and from
        Configuration → Receivables → *Automatic Sending* for Credit Managers who do not
        have the settings' rights."""
        check_receivable_group(self.env, MANAGER_GROUP)
        company = self.env.company
        check_receivable_company(self.env, company)
        run = self.create({"first_run": True, "company_ids": [Command.set(company.ids)]})
        return run.action_preview()

    def action_activate_auto_send(self):
        """Activate the automatic sending of the run's companies, after their first-run
        preview (Credit Managers only)."""
        self.ensure_one()
        check_receivable_group(self.env, MANAGER_GROUP)
        if not self.first_run or self.state != "preview":
            raise UserError(
                self.env._("Preview the first run before activating automatic sending.")
            )
        for company in self.company_ids:
            check_receivable_company(self.env, company)
        self.company_ids._activate_dunning_auto_send()
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_send(self):
        """Create the previewed reminders and send those whose level needs no approval, with
        the reminders that were waiting to be sent."""
        self.ensure_one()
        self._check_date()
        if not self.line_ids:
            raise UserError(self.env._("Nothing to send: preview the run first."))
        waiting = self.line_ids.reminder_id
        waiting.check_access("write")
        engine = self.env["receivable.dunning.engine"]
        created = self.env["receivable.reminder"]
        new_lines = self.line_ids.filtered(lambda ln: ln.status == "new")
        for company in new_lines.company_id:
            partners = new_lines.filtered(lambda ln, c=company: ln.company_id == c).partner_id
            policies = self.policy_ids.filtered(lambda p, c=company: p.company_id == c)
            created |= engine.with_company(company)._generate_reminders(
                company, self.date, policies or None, partners.ids, commit=False
            )
        run_reminders = created | waiting
        to_send = run_reminders.filtered(lambda r: r.state in ("to_send", "failed"))
        sent = to_send._send_reminders()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_control.action_receivable_reminder"
        )
        action["domain"] = [("id", "in", run_reminders.ids)]
        action["context"] = {}
        action["name"] = self.env._(
            "Dunning run: %(sent)s sent, %(review)s to review, %(failed)s failed",
            sent=len(sent),
            review=len(run_reminders.filtered(lambda r: r.state == "draft")),
            failed=len(run_reminders.filtered(lambda r: r.state == "failed")),
        )
        return action

    def action_back(self):
        self.check_access("write")
        self.line_ids.unlink()
        self.state = "setup"
        return self._reopen()

    def _reopen(self):
        action = {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Dunning Run"),
        }
        if self.first_run:
            view = self.env.ref(
                "account_receivable_control.receivable_dunning_run_view_form_first_run"
            )
            action["views"] = [(view.id, "form")]
            action["name"] = self.env._("First-Run Preview")
        return action


class ReceivableDunningRunLine(models.TransientModel):
    _name = "receivable.dunning.run.line"
    _description = "Dunning Run Preview Line"
    _order = "company_id, amount desc"

    _check_company_auto = True

    run_id = fields.Many2one("receivable.dunning.run", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, check_company=True
    )
    level_id = fields.Many2one(
        "receivable.dunning.level", string="Level", required=True, check_company=True
    )
    needs_approval = fields.Boolean(string="Needs Approval", compute="_compute_needs_approval")
    channel_email = fields.Boolean(related="level_id.channel_email")
    channel_letter = fields.Boolean(related="level_id.channel_letter")
    channel_call = fields.Boolean(related="level_id.channel_call")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(
        string="Net Amount Due",
        help="The invoices listed less the customer's credits (unapplied payments, credit "
        "notes), before late-payment charges.",
    )
    invoice_count = fields.Integer(string="Invoices")
    reminder_id = fields.Many2one(
        "receivable.reminder",
        string="Reminder",
        help="The reminder already prepared and waiting to go (approved, failed to retry, or "
        "prepared by the nightly run while automatic sending was off); empty: the run "
        "creates it.",
    )
    status = fields.Selection(
        [("new", "New"), ("waiting", "Waiting to be sent"), ("failed", "Failed, to retry")],
        default="new",
        required=True,
    )
    amount_interest = fields.Monetary(string="Late Interest")
    amount_fees = fields.Monetary(string="Recovery Fees")
    amount_charges = fields.Monetary(
        string="Interest & Fees",
        compute="_compute_amount_claimed",
        store=True,
        help="The late interest and recovery fees claimed.",
    )
    amount_claimed = fields.Monetary(
        string="Total Claimed",
        compute="_compute_amount_claimed",
        store=True,
        help="Net amount due + late interest + recovery fees.",
    )

    @api.depends("level_id.needs_approval", "reminder_id")
    def _compute_needs_approval(self):
        for line in self:
            # A reminder already prepared waits for nobody: the night sends it.
            line.needs_approval = line.level_id.needs_approval and not line.reminder_id

    @api.depends("amount", "amount_interest", "amount_fees")
    def _compute_amount_claimed(self):
        for line in self:
            line.amount_charges = line.amount_interest + line.amount_fees
            line.amount_claimed = line.amount + line.amount_charges
