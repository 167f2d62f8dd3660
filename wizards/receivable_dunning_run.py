from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.fields import Domain

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
    line_ids = fields.One2many("receivable.dunning.run.line", "run_id", string="Preview")
    partner_count = fields.Integer(compute="_compute_totals")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    amount_due = fields.Monetary(compute="_compute_totals", string="Net Amount Due")
    amount_charges = fields.Monetary(compute="_compute_totals", string="Interest + Fees")
    amount_total = fields.Monetary(
        compute="_compute_totals",
        string="Total Claimed",
        help="Net amount due + late interest + recovery fees.",
    )

    @api.depends("line_ids.amount", "line_ids.amount_charges")
    def _compute_totals(self):
        for run in self:
            run.partner_count = len(run.line_ids)
            run.amount_due = sum(run.line_ids.mapped("amount"))
            run.amount_charges = sum(run.line_ids.mapped("amount_charges"))
            run.amount_total = run.amount_due + run.amount_charges

    def _check_date(self):
        if self.date > fields.Date.context_today(self):
            raise UserError(
                self.env._(
                    "A dunning run cannot be dated in the future: reminders would go "
                    "out before their time."
                )
            )

    def action_preview(self):
        """Evaluate without creating anything and list who would get which reminder."""
        self.ensure_one()
        self._check_date()
        vals_list = []
        for company in self.company_ids:
            policies = self.policy_ids.filtered(lambda p, c=company: p.company_id == c)
            if self.policy_ids and not policies:
                continue
            if self.first_run:
                vals_list += self._pending_reminder_values(company)
            vals_list += self._proposal_values(company, policies)
        self.line_ids.unlink()
        self.write({"line_ids": [Command.create(vals) for vals in vals_list], "state": "preview"})
        return self._reopen()

    def _proposal_values(self, company, policies):
        """Preview lines of the reminders the engine would create for ``company`` on the
        run's date (its evaluation, nothing created), with their late-payment charges."""
        engine = self.env["receivable.dunning.engine"].with_company(company)
        partner_ids = engine._select_partners_to_remind(company, self.date, policies or None)
        proposals = engine._evaluate(company, self.date, partner_ids, policies or None)
        charges = engine._compute_proposal_charges(company, self.date, proposals)
        vals_list = []
        for proposal in proposals:
            line_charges = charges[proposal["partner_id"]][1].values()
            vals_list.append(
                {
                    "company_id": company.id,
                    "partner_id": proposal["partner_id"],
                    "level_id": proposal["level"].id,
                    "amount": proposal["amount"],
                    "amount_interest": sum(c["interest_amount"] for c in line_charges),
                    "amount_fees": sum(c["fee_amount"] for c in line_charges),
                    "invoice_count": len(proposal["rows"]),
                }
            )
        return vals_list

    def _pending_reminder_values(self, company):
        """Preview lines of the reminders of ``company`` the first night with automatic
        sending on sends besides the new ones: those the nightly run prepared while it was
        off (released by the activation) and those already waiting to go (approved, failed)."""
        reminders = self.env["receivable.reminder"].search(
            Domain("company_id", "=", company.id)
            & (
                Domain("state", "in", ("to_send", "failed"))
                | (Domain("state", "=", "draft") & Domain("awaiting_activation", "=", True))
            ),
            order="id",
        )
        return [
            {
                "company_id": company.id,
                "partner_id": reminder.partner_id.id,
                "level_id": reminder.level_id.id,
                "reminder_id": reminder.id,
                "amount": reminder._net_due(),
                "amount_interest": reminder.amount_interest,
                "amount_fees": reminder.amount_fees,
                "invoice_count": reminder.line_count,
            }
            for reminder in reminders
        ]

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
        """Create the previewed reminders and send those whose level needs no approval."""
        self.ensure_one()
        self._check_date()
        if not self.line_ids:
            raise UserError(self.env._("Nothing to send: preview the run first."))
        engine = self.env["receivable.dunning.engine"]
        created = self.env["receivable.reminder"]
        for company in self.line_ids.company_id:
            partners = self.line_ids.filtered(lambda ln, c=company: ln.company_id == c).partner_id
            policies = self.policy_ids.filtered(lambda p, c=company: p.company_id == c)
            created |= engine.with_company(company)._generate_reminders(
                company, self.date, policies or None, partners.ids, commit=False
            )
        to_send = created.filtered(lambda r: r.state == "to_send")
        sent = to_send._send_reminders()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_control.action_receivable_reminder"
        )
        action["domain"] = [("id", "in", created.ids)]
        action["context"] = {}
        action["name"] = self.env._(
            "Dunning run: %(sent)s sent, %(review)s to review, %(failed)s failed",
            sent=len(sent),
            review=len(created.filtered(lambda r: r.state == "draft")),
            failed=len(created.filtered(lambda r: r.state == "failed")),
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
    reminder_id = fields.Many2one(
        "receivable.reminder",
        string="Prepared Reminder",
        help="The reminder already prepared: by the nightly run while automatic sending was "
        "off, or approved or failed and waiting to go.",
    )
    amount = fields.Monetary(
        string="Net Amount Due",
        help="The invoices listed less the customer's credits (unapplied payments, credit "
        "notes), before late-payment charges.",
    )
    amount_interest = fields.Monetary(string="Late Interest")
    amount_fees = fields.Monetary(string="Recovery Fees")
    amount_charges = fields.Monetary(
        string="Interest + Fees", compute="_compute_amount_claimed", store=True
    )
    amount_claimed = fields.Monetary(
        string="Total Claimed",
        compute="_compute_amount_claimed",
        store=True,
        help="Net amount due + late interest + recovery fees.",
    )
    invoice_count = fields.Integer(string="Invoices")

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
