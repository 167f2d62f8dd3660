from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models

from . import risk_formulas

RISK_CLASSES = [(letter, letter) for letter in risk_formulas.CLASSES]
# Snapshot column of each component's contribution.
CONTRIBUTION_FIELDS = {name: f"contrib_{name}" for name in risk_formulas.COMPONENTS}


class ReceivableRiskSnapshot(models.Model):
    """One partner's risk score in one company, as computed by one run of the engine.

    Written in bulk by ``receivable.risk.engine`` (one row per scored partner and run): the
    partner's history graph reads them, its explanation reads the latest one.
    """

    _name = "receivable.risk.snapshot"
    _description = "Risk Score Snapshot"
    _order = "date desc, run_id desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        ondelete="cascade",
        check_company=True,
    )
    # Both looked up through the indexes below (partner first; company and run).
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, readonly=True)
    run_id = fields.Integer(string="Run", readonly=True, aggregator=None)
    run_at = fields.Datetime(string="Computed On", readonly=True)
    score = fields.Float(readonly=True, digits=(16, 2), aggregator="avg")
    risk_class = fields.Selection(RISK_CLASSES, string="Class", readonly=True)
    # Figures read from the ledger
    avg_late_days = fields.Float(
        string="Average Days Late", readonly=True, digits=(16, 1), aggregator="avg"
    )
    late_share = fields.Float(
        string="Paid Late (%)", readonly=True, digits=(16, 1), aggregator="avg"
    )
    paid_count = fields.Integer(string="Invoices Paid", readonly=True, aggregator=None)
    overdue_amount = fields.Monetary(string="Overdue", readonly=True, aggregator=None)
    credit_limit = fields.Monetary(string="Applied Limit", readonly=True, aggregator=None)
    oldest_overdue_days = fields.Integer(string="Oldest Overdue (days)", readonly=True)
    dunning_rank = fields.Integer(string="Dunning Level Reached", readonly=True, aggregator="max")
    incident_count = fields.Integer(
        string="Disputes and Broken Promises", readonly=True, aggregator="sum"
    )
    prev_avg_late_days = fields.Float(
        string="Average Days Late (previous window)",
        readonly=True,
        digits=(16, 1),
        aggregator=None,
    )
    customer_age_days = fields.Integer(string="Customer For (days)", readonly=True)
    # Contributions to the score (points out of 100, adding up to the score)
    contrib_avg_late = fields.Float(string="Days Late (points)", readonly=True, digits=(16, 2))
    contrib_late_share = fields.Float(string="Paid Late (points)", readonly=True, digits=(16, 2))
    contrib_overdue_ratio = fields.Float(
        string="Overdue vs Limit (points)", readonly=True, digits=(16, 2)
    )
    contrib_oldest_overdue = fields.Float(
        string="Oldest Overdue (points)", readonly=True, digits=(16, 2)
    )
    contrib_dunning = fields.Float(string="Dunning (points)", readonly=True, digits=(16, 2))
    contrib_incidents = fields.Float(
        string="Disputes and Broken Promises (points)", readonly=True, digits=(16, 2)
    )
    contrib_trend = fields.Float(string="Trend (points)", readonly=True, digits=(16, 2))
    contrib_new_customer = fields.Float(
        string="Customer Age (points)", readonly=True, digits=(16, 2)
    )

    _partner_company_date_idx = models.Index("(partner_id, company_id, date DESC, run_id DESC)")
    _company_run_idx = models.Index("(company_id, run_id)")

    @api.model
    def _component_labels(self):
        return {
            "avg_late": self.env._("Average days late"),
            "late_share": self.env._("Invoices paid late"),
            "overdue_ratio": self.env._("Overdue vs credit limit"),
            "oldest_overdue": self.env._("Oldest overdue invoice"),
            "dunning": self.env._("Dunning level"),
            "incidents": self.env._("Disputes and broken promises"),
            "trend": self.env._("Trend vs previous window"),
            "new_customer": self.env._("Customer age"),
        }

    def _get_explanation(self):
        """[{component, label, value, weight, contribution}] of the snapshot, in order."""
        self.ensure_one()
        weights = self.company_id._get_receivable_risk_weights()
        currency = self.currency_id
        values = {
            "avg_late": self.env._("%s days", round(self.avg_late_days, 1)),
            "late_share": self.env._(
                "%(share)s %% of %(count)s",
                share=round(self.late_share, 1),
                count=self.paid_count,
            ),
            "overdue_ratio": self.env._(
                "%(overdue)s / %(limit)s",
                overdue=currency.format(self.overdue_amount),
                limit=currency.format(self.credit_limit) if self.credit_limit else "—",
            ),
            "oldest_overdue": self.env._("%s days", self.oldest_overdue_days),
            "dunning": str(self.dunning_rank),
            "incidents": str(self.incident_count),
            "trend": self.env._(
                "%(now)s vs %(before)s days",
                now=round(self.avg_late_days, 1),
                before=round(self.prev_avg_late_days, 1),
            ),
            "new_customer": self.env._("%s days", self.customer_age_days),
        }
        labels = self._component_labels()
        return [
            {
                "component": name,
                "label": labels[name],
                "value": values[name],
                "weight": weights.get(name, 0),
                "contribution": self[CONTRIBUTION_FIELDS[name]],
            }
            for name in risk_formulas.COMPONENTS
        ]

    def _get_explanation_html(self):
        self.ensure_one()
        rows = self._get_explanation()
        header = Markup(
            "<thead><tr><th>%s</th><th>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th></tr></thead>"
        ) % (
            self.env._("Component"),
            self.env._("Value"),
            self.env._("Weight"),
            self.env._("Points"),
        )
        body = Markup().join(
            Markup(
                "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                "<td class='text-end'>%.2f</td></tr>"
            )
            % (row["label"], row["value"], row["weight"], row["contribution"])
            for row in rows
        )
        footer = Markup(
            "<tfoot><tr><th colspan='3'>%s</th><th class='text-end'>%.2f</th></tr></tfoot>"
        ) % (self.env._("Score (class %s)", self.risk_class), self.score)
        return Markup(
            "<table class='table table-sm o_receivable_risk_explanation'>%s%s%s</table>"
        ) % (
            header,
            Markup("<tbody>%s</tbody>") % body,
            footer,
        )
