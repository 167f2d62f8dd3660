from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


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
    line_ids = fields.One2many("receivable.dunning.run.line", "run_id", string="Preview")
    partner_count = fields.Integer(compute="_compute_totals")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    amount_total = fields.Monetary(compute="_compute_totals", string="Total Claimed")

    @api.depends("line_ids.amount")
    def _compute_totals(self):
        for run in self:
            run.partner_count = len(run.line_ids)
            run.amount_total = sum(run.line_ids.mapped("amount"))

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
        engine = self.env["receivable.dunning.engine"]
        vals_list = []
        for company in self.company_ids:
            company_engine = engine.with_company(company)
            policies = self.policy_ids.filtered(lambda p, c=company: p.company_id == c)
            if self.policy_ids and not policies:
                continue
            partner_ids = company_engine._select_partners_to_remind(
                company, self.date, policies or None
            )
            for proposal in company_engine._evaluate(
                company, self.date, partner_ids, policies or None
            ):
                level = proposal["level"]
                vals_list.append(
                    {
                        "company_id": company.id,
                        "partner_id": proposal["partner_id"],
                        "level_id": level.id,
                        "amount": proposal["amount"],
                        "invoice_count": len(proposal["rows"]),
                    }
                )
        self.line_ids.unlink()
        self.write({"line_ids": [Command.create(vals) for vals in vals_list], "state": "preview"})
        return self._reopen()

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
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Dunning Run"),
        }


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
    needs_approval = fields.Boolean(related="level_id.needs_approval")
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
