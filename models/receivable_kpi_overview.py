import copy

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools import format_date

CONTROLLER_GROUP = "account_receivable_control.group_credit_controller"
# Debtors listed on the dashboard.
TOP_DEBTORS = 10
# Keys of a window action the dashboard sends to the web client for each figure.
ACTION_KEYS = ("type", "name", "res_model", "views", "view_mode", "search_view_id", "context")


class ReceivableKpiOverview(models.AbstractModel):
    """The "Receivables Overview": the KPIs of ``receivable.kpi`` and the blocks around them
    (aging, top debtors, dunning levels, cash-in forecast), each figure with the window
    action that opens its records."""

    _inherit = "receivable.kpi"

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    @api.model
    @api.readonly
    def get_dashboard_data(self):
        """Everything the "Receivables Overview" shows, for the current company, in one call.

        A fixed number of queries whatever the size of the ledger. Each figure carries the
        window action that opens its records (``action``). Read-only (``@api.readonly``): with
        a replica configured, the web client's call runs there, so it must write nothing.
        """
        if not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(self.env._("The receivables overview is for Credit Controllers."))
        company = self.env.company
        today = fields.Date.context_today(self)
        trend = self._compute_monthly_trend(company, date=today)
        current = dict(trend[-1], **self._compute_open_flags(company))
        aging_base = self._aging_action_base()
        return {
            "company": {"id": company.id, "name": company.name},
            "currency_id": company.currency_id.id,
            "date": fields.Date.to_string(today),
            "settings": {
                "dso_method": company.receivable_dso_method,
                "period_days": company.receivable_kpi_period_days,
                "unpaid_days": company.receivable_unpaid_days,
            },
            "months": [
                {
                    "label": format_date(self.env, point["date_to"], date_format="MMM yy"),
                    "date": fields.Date.to_string(point["date_to"]),
                    "action": self._aging_action(
                        aging_base,
                        company,
                        [],
                        self.env._(
                            "Aged Receivables at %(date)s",
                            date=format_date(self.env, point["date_to"]),
                        ),
                        date=point["date_to"],
                    ),
                }
                for point in trend
            ],
            "kpis": self._dashboard_kpis(company, current, trend, aging_base),
            "aging": self._dashboard_aging(company, aging_base),
            "top_debtors": self._dashboard_top_debtors(company, aging_base),
            "dunning": self._dashboard_dunning(company, aging_base),
            "forecast": self._get_dashboard_cash_forecast(company, today),
        }

    # ------------------------------------------------------------------------------------------
    # Dashboard blocks (extension points)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _dashboard_kpis(self, company, current, trend, aging_base):
        """The KPI cards: value now, 12-month trend, unit and the action of their records."""
        _ = self.env._
        unpaid_days = company.receivable_unpaid_days
        date_from, date_to = current["date_from"], current["date_to"]
        open_all = self._aging_action(aging_base, company, [], _("Open Receivables"))
        overdue = self._aging_action(
            aging_base, company, [("days_overdue", ">", 0)], _("Overdue Receivables")
        )
        cards = [
            ("dso", _("DSO"), "days", open_all),
            (
                "best_possible_dso",
                _("Best Possible DSO"),
                "days",
                self._aging_action(
                    aging_base, company, [("days_overdue", "=", 0)], _("Receivables Not Yet Due")
                ),
            ),
            ("add", _("Average Days Delinquent"), "days", overdue),
            ("cei", _("Collection Effectiveness"), "percent", overdue),
            ("overdue_rate", _("Overdue Rate"), "ratio", overdue),
            (
                "unpaid_rate",
                _("Unpaid Rate (> %(days)s days)", days=unpaid_days),
                "ratio",
                self._aging_action(
                    aging_base,
                    company,
                    [("days_overdue", ">", unpaid_days)],
                    _("Receivables More Than %(days)s Days Past Due", days=unpaid_days),
                ),
            ),
            (
                "average_payment_delay",
                _("Average Payment Delay"),
                "days",
                self._move_action(
                    company,
                    self._paid_moves_domain(date_from, date_to),
                    _("Receivables Paid in the Period"),
                ),
            ),
            ("receivables", _("Open Receivables"), "monetary", open_all),
            (
                "credit_sales",
                _("Credit Sales (%(days)s days)", days=company.receivable_kpi_period_days),
                "monetary",
                self._move_action(
                    company,
                    [
                        ("move_type", "in", ("out_invoice", "out_refund")),
                        ("state", "=", "posted"),
                        ("date", ">=", date_from),
                        ("date", "<=", date_to),
                    ],
                    _("Credit Sales of the Period"),
                ),
            ),
            (
                "dispute_amount",
                _("In Dispute"),
                "monetary",
                self._aging_action(aging_base, company, [("dispute", "=", True)], _("In Dispute")),
            ),
            ("promised_amount", _("Promised"), "monetary", self._promise_action(company)),
        ]
        return [
            {
                "key": key,
                "label": label,
                "unit": unit,
                "value": current.get(key),
                "trend": [point.get(key) for point in trend] if key in trend[-1] else [],
                "action": action,
            }
            for key, label, unit, action in cards
        ]

    @api.model
    def _dashboard_aging(self, company, aging_base):
        aging = self.env["receivable.aging"]
        labels = dict(aging._selection_bucket())
        amounts = dict(
            aging._read_group(self._scope_domain(company), ["bucket"], ["amount_residual:sum"])
        )
        return [
            {
                "key": key,
                "label": label,
                "amount": amounts.get(key, 0.0),
                "action": self._aging_action(aging_base, company, [("bucket", "=", key)], label),
            }
            for key, label in labels.items()
        ]

    @api.model
    def _dashboard_top_debtors(self, company, aging_base):
        """The ten customers who owe the most, with their overdue part, DSO and payment delay:
        the facts' open items of the company and its branches (overdue: the items more than
        0 days late, credits included, as on the Credit tab and in the risk score)."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT partner_id, SUM(amount_residual),
                       COALESCE(SUM(amount_residual) FILTER (WHERE days_late > 0), 0)
                  FROM (%s) items
                 WHERE partner_id IS NOT NULL
              GROUP BY partner_id
                HAVING SUM(amount_residual) > 0
              ORDER BY 2 DESC, 1
                 LIMIT %s
                """,
                self.env["receivable.facts"]._open_items_query(None, company, as_of=False),
                TOP_DEBTORS,
            )
        )
        partners = self.env["res.partner"].browse([partner_id for partner_id, *_a in rows])
        partner_kpis = self._compute_partner_kpis(partners)
        return [
            {
                "partner_id": partner.id,
                "name": partner.display_name,
                "amount": amount,
                "overdue": overdue,
                "dso": partner_kpis.get(partner.id, {}).get("dso"),
                "average_payment_delay": partner_kpis.get(partner.id, {}).get(
                    "average_payment_delay"
                ),
                "action": self._aging_action(
                    aging_base, company, [("partner_id", "=", partner.id)], partner.display_name
                ),
            }
            for partner, (_partner_id, amount, overdue) in zip(partners, rows, strict=True)
        ]

    @api.model
    def _dashboard_dunning(self, company, aging_base):
        """Open amounts by the dunning level reached by their invoice (none: not reminded)."""
        groups = self.env["receivable.aging"]._read_group(
            self._scope_domain(company),
            ["dunning_level_id"],
            ["amount_residual:sum"],
        )
        groups.sort(key=lambda group: (bool(group[0]), group[0].sequence, group[0].id))
        return [
            {
                "level_id": level.id,
                "name": level.display_name if level else self.env._("No Reminder"),
                "amount": amount,
                "action": self._aging_action(
                    aging_base,
                    company,
                    [("dunning_level_id", "=", level.id or False)],
                    level.display_name if level else self.env._("No Reminder"),
                ),
            }
            for level, amount in groups
        ]

    @api.model
    def _get_dashboard_cash_forecast(self, company, today):
        """The Cash-in Forecast of ``company`` at ``today`` (``receivable.cash.forecast``), as
        the overview's card shows it: the overdue amount, then the weeks and *Later* that
        expect money. The same figures as the Cash-in Forecast screen, each opening the same
        journal items.

        Extension point: ``overdue``: {amount, action}, ``weeks``: [{label, date, amount,
        action}].
        """
        forecast = self.env["receivable.cash.forecast"]
        overdue, *slots = forecast._compute_forecast(company, today)

        def action(slot, date_from):
            return forecast._slot_action(company, today, date_from, slot["date_to"], slot["label"])

        return {
            "overdue": {"amount": overdue["amount"], "action": action(overdue, None)},
            "weeks": [
                {
                    "label": slot["label"],
                    "date": fields.Date.to_string(slot["date_from"]),
                    "amount": slot["amount"],
                    "action": action(slot, slot["date_from"]),
                }
                for slot in slots
                if not company.currency_id.is_zero(slot["amount"])
            ],
        }

    @api.model
    def _aging_action_base(self):
        """The "Aged Receivables" window action, read once and copied for every figure (only
        the keys the web client needs to open it)."""
        action = self.env["receivable.aging"].action_open_aging()
        return {key: action[key] for key in ACTION_KEYS if key in action}

    @api.model
    def _aging_action(self, base, company, domain, name, date=None):
        action = copy.deepcopy(base)
        action["name"] = name
        action["domain"] = [*self._scope_domain(company), *domain]
        context = dict(action.get("context") or {})
        if date and date < fields.Date.context_today(self):
            context["receivable_aging_date"] = fields.Date.to_string(date)
        action["context"] = context
        return action

    @api.model
    def _move_action(self, company, domain, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "account.move",
            "views": [(False, "list"), (False, "form")],
            "domain": [*self._scope_domain(company), *domain],
            "context": {"default_move_type": "out_invoice"},
        }

    @api.model
    def _promise_action(self, company):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open Promises to Pay"),
            "res_model": "receivable.promise",
            "views": [(False, "list"), (False, "form")],
            "domain": [*self._scope_domain(company), ("state", "=", "open")],
            "context": {},
        }

    @api.model
    def _scope_domain(self, company):
        """The records of ``company`` and its branches: the facts' scope of every figure."""
        return [("company_id", "in", self.env["receivable.facts"]._scope_company_ids(company))]

    @api.model
    def _paid_moves_domain(self, date_from, date_to):
        """The entries of the facts' paid items matched in the period: a fully paid
        receivable debit (invoice, opening entry...) with a matching in the period."""
        return [
            (
                "line_ids",
                "any",
                [
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("reconciled", "=", True),
                    ("balance", ">", 0),
                    ("matched_credit_ids.max_date", ">=", date_from),
                    ("matched_credit_ids.max_date", "<=", date_to),
                ],
            )
        ]
