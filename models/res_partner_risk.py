from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import formatLang

from .receivable_risk_snapshot import RISK_CLASSES
from .receivable_security import check_receivable_group


class ResPartner(models.Model):
    _inherit = "res.partner"

    receivable_risk_score = fields.Float(
        string="Risk Score",
        company_dependent=True,
        copy=False,
        readonly=True,
        digits=(16, 2),
        help="0 (safe) to 100 (risky), from the payment behaviour in this company; "
        "recomputed every night.",
    )
    receivable_risk_class = fields.Selection(
        RISK_CLASSES,
        string="Risk Class",
        company_dependent=True,
        copy=False,
        readonly=True,
        help="A (safe) to E (risky): the risk score against the company's class bounds.",
    )
    # Stored by the nightly run (account_move_prediction.py); the invoices' expected payment
    # dates are predicted from them.
    receivable_payment_delay = fields.Float(
        string="Average Payment Delay (days)",
        company_dependent=True,
        copy=False,
        readonly=True,
        digits=(16, 2),
        help="Amount-weighted average of (payment date - due date) of the invoices this "
        "customer paid over the risk window, in this company; recomputed every night.",
    )
    receivable_payment_history = fields.Boolean(
        string="Has Payment History",
        company_dependent=True,
        copy=False,
        readonly=True,
        help="The customer paid invoices over the risk window in this company: its expected "
        "payment dates use its own delay, else the company's.",
    )
    receivable_risk_snapshot_id = fields.Many2one(
        "receivable.risk.snapshot",
        string="Latest Risk Snapshot",
        compute="_compute_receivable_risk_explanation",
    )
    receivable_risk_explanation = fields.Html(
        string="Why this Score",
        compute="_compute_receivable_risk_explanation",
        sanitize=False,
    )

    @api.depends_context("company")
    @api.depends("receivable_risk_score")
    def _compute_receivable_risk_explanation(self):
        latest = self._get_latest_risk_snapshots()
        for partner in self:
            commercial = partner.commercial_partner_id or partner
            snapshot = latest.get(commercial.id)
            partner.receivable_risk_snapshot_id = snapshot
            partner.receivable_risk_explanation = (
                snapshot._get_explanation_html() if snapshot else False
            )

    def _get_latest_risk_snapshots(self):
        """{commercial partner id: its latest snapshot in the current company}."""
        ids = [pid for pid in (self.commercial_partner_id | self).ids if pid]
        if not ids:
            return {}
        # One row per partner, not its whole history (a snapshot a night): DISTINCT ON.
        Snapshot = self.env["receivable.risk.snapshot"]
        Snapshot.flush_model(["partner_id", "company_id", "date", "run_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT ON (partner_id) partner_id, id
                  FROM receivable_risk_snapshot
                 WHERE partner_id = ANY(%s) AND company_id = %s
              ORDER BY partner_id, date DESC, run_id DESC, id DESC
                """,
                ids,
                self.env.company.id,
            )
        )
        return {partner_id: Snapshot.browse(snapshot_id) for partner_id, snapshot_id in rows}

    def _get_risk_explanation(self):
        """[{component, label, value, weight, contribution}] of the latest snapshot."""
        self.ensure_one()
        snapshot = self.receivable_risk_snapshot_id
        return snapshot._get_explanation() if snapshot else []

    def _get_risk_hold_class(self):
        """The class from which this customer is held: its policy's, else the company's."""
        self.ensure_one()
        policy = self.commercial_partner_id.receivable_effective_policy_id
        return policy.risk_hold_class or self.env.company.receivable_risk_hold_class

    def _get_credit_breaches(self, extra_amount=0.0):
        """A risk class at or beyond the hold class (policy, else company) is a breach too: the
        policy's automatic hold keeps such a partner held, and releases it when the class
        improves."""
        breaches = super()._get_credit_breaches(extra_amount=extra_amount)
        hold_class = self._get_risk_hold_class()
        if not hold_class:
            return breaches
        partner = self.commercial_partner_id
        letter = partner.receivable_risk_class
        if letter and letter >= hold_class:
            breaches.append(
                self._credit_breach(
                    "risk",
                    partner=partner.display_name,
                    letter=letter,
                    score=partner.receivable_risk_score,
                    hold=hold_class,
                )
            )
        return breaches

    @api.model
    def _format_credit_reason(self, code, params):
        """The risk class's hold reasons: a breach of the policy (``risk``) and the nightly
        scoring reaching the hold class (``risk_class``)."""
        if code == "risk":
            return self.env._(
                "%(partner)s is in risk class %(letter)s (score %(score)s); customers "
                "are held from class %(hold)s.",
                partner=params["partner"],
                letter=params["letter"],
                score=formatLang(self.env, params["score"]),
                hold=params["hold"],
            )
        if code == "risk_class":
            return self.env._(
                "Risk class %(letter)s (score %(score)s) reached the hold class %(hold)s.",
                letter=params["letter"],
                score=formatLang(self.env, params["score"]),
                hold=params["hold"],
            )
        return super()._format_credit_reason(code, params)

    def action_view_risk_history(self):
        """The partner's score history in the current company: a line graph over the date."""
        check_receivable_group(self.env)
        self.ensure_one()
        partner = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_control.action_receivable_risk_snapshot"
        )
        action["name"] = self.env._("Risk History of %s", partner.display_name)
        action["domain"] = [
            ("partner_id", "=", partner.id),
            ("company_id", "=", self.env.company.id),
        ]
        action["view_mode"] = "graph,list,form"
        action["views"] = [(False, "graph"), (False, "list"), (False, "form")]
        action["context"] = {"graph_mode": "line", "graph_groupbys": ["date:day"]}
        return action

    def action_recompute_risk(self):
        """Score these partners now in the current company."""
        check_receivable_group(self.env)
        company = self.env.company
        self.env["receivable.risk.engine"].with_company(company)._recompute_scores(
            company, fields.Date.context_today(self), partner_ids=self.commercial_partner_id.ids
        )
        return True
