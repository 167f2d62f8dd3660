import copy
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools import date_utils
from odoo.tools import format_date

from . import kpi_formulas as formulas

CONTROLLER_GROUP = "account_receivable_control.group_credit_controller"
# Months of credit sales the countback DSO walks back through (beyond: extrapolated).
COUNTBACK_MONTHS = 12
# Debtors listed on the dashboard.
TOP_DEBTORS = 10
# Keys of a window action the dashboard sends to the web client for each figure.
ACTION_KEYS = ("type", "name", "res_model", "views", "view_mode", "search_view_id", "context")


class ReceivableKpi(models.AbstractModel):
    """Collection KPIs of a company: DSO, best possible DSO, ADD, CEI, rates, payment delay.

    Everything is computed set-based from the ledger, a few SQL aggregates whatever the number
    of customers, invoices or dates asked for:

    * the receivables at any set of dates (total, not yet due, more than the unpaid threshold
      past due) come from ONE query over the receivable lines and their matchings, each
      counted from its own date (a line from its date, a matching from its ``max_date`` — the
      rule of the aged receivables at a date);
    * the credit sales (posted customer invoices minus refunds, ``amount_total_signed``) from
      ONE query of daily totals, from which the periods and the months of the countback are
      summed;
    * the average payment delay from ONE query over the paid invoices: amount-weighted days
      between the due date and the last matching (``max_date``), early payments negative.

    The conventions are company settings: the DSO method (countback or simple, the best
    possible DSO uses the same), the KPI period in days (default 90), the unpaid threshold.
    A KPI "at" a date is computed over the period that ends on that date.
    """

    _name = "receivable.kpi"
    _description = "Receivable KPIs"

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    @api.model
    def _compute_company_kpis(self, company, date_from=None, date_to=None):
        """The KPIs of ``company`` over [``date_from``, ``date_to``] (default: the KPI period
        ending today), plus the live amounts in dispute and promised.

        Returns a dict: ``date_from``, ``date_to``, ``period_days``, ``credit_sales``,
        ``opening_receivables``, ``receivables``, ``current_receivables``,
        ``overdue_receivables``, ``unpaid_receivables``, ``dso``, ``dso_simple``,
        ``dso_countback``, ``best_possible_dso``, ``add``, ``cei``, ``overdue_rate``,
        ``unpaid_rate``, ``average_payment_delay``, ``dispute_amount``, ``promised_amount``.
        """
        date_to = fields.Date.to_date(date_to) or fields.Date.context_today(self)
        date_from = fields.Date.to_date(date_from) or self._period_start(company, date_to)
        kpis = self._compute_period_kpis(company, [(date_from, date_to)])[0]
        kpis.update(self._compute_open_flags(company))
        return kpis

    @api.model
    def _compute_monthly_trend(self, company, months=12, date=None):
        """The KPIs of ``company`` at each of the last ``months`` month ends, the last point
        being ``date`` (today): one dict per point (see ``_compute_company_kpis``, without the
        live dispute and promise amounts), oldest first. Same queries as one point."""
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        ends = [
            date_utils.end_of(date - relativedelta(months=back), "month")
            for back in range(months - 1, 0, -1)
        ]
        ends.append(date)
        periods = [(self._period_start(company, end), end) for end in ends]
        return self._compute_period_kpis(company, periods)

    @api.model
    def _compute_partner_kpis(self, partners, date=None):
        """Per customer (commercial partner) of ``partners``, in the current company, at
        ``date`` (today): its open ``receivables``, ``credit_sales`` over the KPI period, its
        own ``dso`` (company method) and ``average_payment_delay`` over the period.

        One query for all of them. Returns ``{partner_id: {...}}``, a key per commercial
        partner of ``partners``.
        """
        company = self.env.company
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        date_from = self._period_start(company, date)
        history_start = date_utils.start_of(date, "month") - relativedelta(
            months=COUNTBACK_MONTHS - 1
        )
        partner_ids = list(set(partners.commercial_partner_id.ids))
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
            WITH lines AS (
                SELECT aml.id, p.commercial_partner_id AS partner_id, aml.amount_residual,
                       aml.balance, aml.reconciled, aml.move_id,
                       COALESCE(aml.date_maturity, aml.date) AS maturity
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                 WHERE account.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.company_id = %(company)s
                   AND p.commercial_partner_id = ANY(%(partners)s)
            ),
            paid AS (
                SELECT lines.partner_id, lines.maturity, lines.balance,
                       MAX(partial.max_date) AS paid_date
                  FROM lines
                  JOIN account_move move ON move.id = lines.move_id
                  JOIN account_partial_reconcile partial ON partial.debit_move_id = lines.id
                 WHERE lines.reconciled
                   AND lines.balance > 0
                   AND move.move_type = 'out_invoice'
                   AND move.payment_state IN ('paid', 'in_payment')
              GROUP BY lines.id, lines.partner_id, lines.maturity, lines.balance
                HAVING MAX(partial.max_date) BETWEEN %(date_from)s AND %(date)s
            )
            SELECT partner_id, 'ar', NULL::date, SUM(amount_residual), 0
              FROM lines
             WHERE NOT reconciled
          GROUP BY partner_id
         UNION ALL
            SELECT move.commercial_partner_id, 'sales', date_trunc('month', move.date)::date,
                   SUM(move.amount_total_signed),
                   SUM(move.amount_total_signed) FILTER (WHERE move.date >= %(date_from)s)
              FROM account_move move
             WHERE move.company_id = %(company)s
               AND move.state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund')
               AND move.commercial_partner_id = ANY(%(partners)s)
               AND move.date >= LEAST(%(history_start)s, %(date_from)s)
               AND move.date <= %(date)s
          GROUP BY move.commercial_partner_id, 3
         UNION ALL
            SELECT partner_id, 'delay', NULL::date, SUM((paid_date - maturity) * balance),
                   SUM(balance)
              FROM paid
          GROUP BY partner_id
                """,
                company=company.id,
                partners=partner_ids,
                date=date,
                date_from=date_from,
                history_start=history_start,
            )
        )
        period_days = (date - date_from).days + 1
        data = {
            partner_id: {"receivables": 0.0, "monthly": {}, "period_sales": 0.0, "delay": []}
            for partner_id in partner_ids
        }
        for partner_id, kind, month, amount, weight in rows:
            values = data[partner_id]
            if kind == "ar":
                values["receivables"] = amount or 0.0
            elif kind == "sales":
                values["monthly"][month] = amount or 0.0
                values["period_sales"] += weight or 0.0
            else:
                values["delay"].append((amount / weight if weight else 0.0, weight or 0.0))
        result = {}
        for partner_id, values in data.items():
            receivables = values["receivables"]
            months = self._countback_months(values["monthly"], date)
            result[partner_id] = {
                "receivables": receivables,
                "credit_sales": values["period_sales"],
                "dso": self._dso(company, receivables, values["period_sales"], period_days, months),
                "average_payment_delay": formulas.weighted_average(values["delay"]),
            }
        return result

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    @api.model
    def get_dashboard_data(self):
        """Everything the "Receivables Overview" shows, for the current company, in one call.

        A fixed number of queries whatever the size of the ledger. Each figure carries the
        window action that opens its records (``action``).
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
                    [
                        ("move_type", "=", "out_invoice"),
                        ("payment_state", "in", ("paid", "in_payment")),
                        ("line_ids.matched_credit_ids.max_date", ">=", date_from),
                        ("line_ids.matched_credit_ids.max_date", "<=", date_to),
                    ],
                    _("Invoices Paid in the Period"),
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
            aging._read_group(
                [("company_id", "=", company.id)], ["bucket"], ["amount_residual:sum"]
            )
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
        """The ten customers who owe the most, with their overdue part, DSO and payment delay."""
        groups = self.env["receivable.aging"]._read_group(
            [("company_id", "=", company.id)],
            ["partner_id"],
            ["amount_residual:sum", "amount_b0:sum"],
            having=[("amount_residual:sum", ">", 0)],
            order="amount_residual:sum desc",
            limit=TOP_DEBTORS,
        )
        partners = self.env["res.partner"].browse([partner.id for partner, *_a in groups])
        partner_kpis = self._compute_partner_kpis(partners)
        return [
            {
                "partner_id": partner.id,
                "name": partner.display_name,
                "amount": amount,
                "overdue": amount - not_due,
                "dso": partner_kpis.get(partner.id, {}).get("dso"),
                "average_payment_delay": partner_kpis.get(partner.id, {}).get(
                    "average_payment_delay"
                ),
                "action": self._aging_action(
                    aging_base, company, [("partner_id", "=", partner.id)], partner.display_name
                ),
            }
            for partner, amount, not_due in groups
        ]

    @api.model
    def _dashboard_dunning(self, company, aging_base):
        """Open amounts by the dunning level reached by their invoice (none: not reminded)."""
        groups = self.env["receivable.aging"]._read_group(
            [("company_id", "=", company.id)],
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

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    @api.model
    def _period_start(self, company, date_to):
        return date_to - timedelta(days=company.receivable_kpi_period_days - 1)

    @api.model
    def _dso(self, company, receivables, period_sales, period_days, months):
        """DSO by the company's method (countback on ``months``, or simple over the period)."""
        if company.receivable_dso_method == "simple":
            return formulas.dso_simple(receivables, period_sales, period_days)
        return formulas.dso_countback(receivables, months)

    @api.model
    def _countback_months(self, monthly_sales, date):
        """``(sales, days)`` of the months ending at ``date``, newest first, for the countback:
        the month of ``date`` counts the days elapsed; ``monthly_sales`` maps month starts to
        amounts."""
        months = []
        month = date_utils.start_of(date, "month")
        days = date.day
        for _index in range(COUNTBACK_MONTHS):
            months.append((monthly_sales.get(month, 0.0), days))
            month -= relativedelta(months=1)
            days = (date_utils.end_of(month, "month") - month).days + 1
        return months

    @api.model
    def _compute_period_kpis(self, company, periods):
        """KPIs of ``company`` for each ``(date_from, date_to)`` of ``periods``, in 3 queries."""
        self.env.flush_all()
        dates = {
            day for date_from, date_to in periods for day in (date_from - timedelta(1), date_to)
        }
        balances = self._receivables_at(company, sorted(dates))
        daily_sales = self._daily_credit_sales(company, periods)
        delays = self._payment_delays(company, periods)
        result = []
        for date_from, date_to in periods:
            days = (date_to - date_from).days + 1
            sales = sum(
                (amount for day, amount in daily_sales.items() if date_from <= day <= date_to),
                0.0,
            )
            monthly = {}
            for day, amount in daily_sales.items():
                if day <= date_to:
                    month = date_utils.start_of(day, "month")
                    monthly[month] = monthly.get(month, 0.0) + amount
            months = self._countback_months(monthly, date_to)
            opening = balances[date_from - timedelta(1)]["total"]
            closing = balances[date_to]
            total, not_due, unpaid = closing["total"], closing["current"], closing["unpaid"]
            dso_simple = formulas.dso_simple(total, sales, days)
            dso_countback = formulas.dso_countback(total, months)
            if company.receivable_dso_method == "simple":
                dso = dso_simple
                best = formulas.best_possible_dso(not_due, sales, days)
            else:
                dso = dso_countback
                best = formulas.dso_countback(not_due, months)
            result.append(
                {
                    "date_from": date_from,
                    "date_to": date_to,
                    "period_days": days,
                    "credit_sales": sales,
                    "opening_receivables": opening,
                    "receivables": total,
                    "current_receivables": not_due,
                    "overdue_receivables": total - not_due,
                    "unpaid_receivables": unpaid,
                    "dso": dso,
                    "dso_simple": dso_simple,
                    "dso_countback": dso_countback,
                    "best_possible_dso": best,
                    "add": formulas.average_days_delinquent(dso, best),
                    "cei": formulas.cei(opening, sales, total, not_due),
                    "overdue_rate": formulas.ratio(total - not_due, total),
                    "unpaid_rate": formulas.ratio(unpaid, total),
                    "average_payment_delay": delays.get(date_to),
                }
            )
        return result

    @api.model
    def _receivables_at(self, company, dates):
        """``{date: {"total", "current", "unpaid"}}``: the receivables of ``company`` open at
        each date, the part not yet due (due on or after the date) and the part more than the
        unpaid threshold past due. One query: every receivable line counts from its date and
        every matching of one from its ``max_date``; the movements before the first date are
        summed once by due date before being spread over the dates."""
        rows = self.env.execute_query(
            SQL(
                """
            WITH ends AS (SELECT unnest(%(dates)s::date[]) AS day),
            lines AS (
                SELECT aml.id, aml.date, COALESCE(aml.date_maturity, aml.date) AS maturity,
                       aml.balance
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                 WHERE account.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.company_id = %(company)s
                   AND aml.date <= %(last)s
            ),
            events AS (
                SELECT lines.date AS day, lines.maturity, lines.balance AS amount FROM lines
             UNION ALL
                SELECT partial.max_date, lines.maturity, -partial.amount
                  FROM account_partial_reconcile partial
                  JOIN lines ON lines.id = partial.debit_move_id
                 WHERE partial.max_date <= %(last)s
             UNION ALL
                SELECT partial.max_date, lines.maturity, partial.amount
                  FROM account_partial_reconcile partial
                  JOIN lines ON lines.id = partial.credit_move_id
                 WHERE partial.max_date <= %(last)s
            ),
            compact AS (
                SELECT GREATEST(day, %(first)s) AS day, maturity, SUM(amount) AS amount
                  FROM events
              GROUP BY 1, 2
            )
            SELECT ends.day,
                   COALESCE(SUM(compact.amount), 0),
                   COALESCE(SUM(compact.amount) FILTER (WHERE compact.maturity >= ends.day), 0),
                   COALESCE(SUM(compact.amount) FILTER (
                       WHERE compact.maturity < ends.day - %(unpaid)s), 0)
              FROM ends
         LEFT JOIN compact ON compact.day <= ends.day
          GROUP BY ends.day
                """,
                dates=dates,
                company=company.id,
                first=dates[0],
                last=dates[-1],
                unpaid=company.receivable_unpaid_days,
            )
        )
        return {
            day: {"total": total, "current": current, "unpaid": unpaid}
            for day, total, current, unpaid in rows
        }

    @api.model
    def _daily_credit_sales(self, company, periods):
        """``{date: amount}``: posted customer invoices minus refunds (``amount_total_signed``,
        taxes included like the receivables), by accounting date, over the periods and the
        countback history before them."""
        first = min(
            min(date_from for date_from, _to in periods),
            date_utils.start_of(min(date_to for _from, date_to in periods), "month")
            - relativedelta(months=COUNTBACK_MONTHS - 1),
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT move.date, SUM(move.amount_total_signed)
              FROM account_move move
             WHERE move.company_id = %(company)s
               AND move.state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund')
               AND move.date BETWEEN %(first)s AND %(last)s
          GROUP BY move.date
                """,
                company=company.id,
                first=first,
                last=max(date_to for _from, date_to in periods),
            )
        )
        return dict(rows)

    @api.model
    def _payment_delays(self, company, periods):
        """``{date_to: days}``: per period, the average delay of the customer invoices paid in
        it — days between the due date and the last matching, weighted by amount."""
        rows = self.env.execute_query(
            SQL(
                """
            WITH periods AS (
                SELECT unnest(%(starts)s::date[]) AS date_from,
                       unnest(%(ends)s::date[]) AS date_to
            ),
            paid AS (
                SELECT aml.balance, COALESCE(aml.date_maturity, aml.date) AS maturity,
                       MAX(partial.max_date) AS paid_date
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_partial_reconcile partial ON partial.debit_move_id = aml.id
                 WHERE account.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.company_id = %(company)s
                   AND aml.reconciled
                   AND aml.balance > 0
                   AND move.move_type = 'out_invoice'
                   AND move.payment_state IN ('paid', 'in_payment')
                   AND aml.date <= %(last)s
              GROUP BY aml.id
                HAVING MAX(partial.max_date) BETWEEN %(first)s AND %(last)s
            )
            SELECT periods.date_to,
                   SUM((paid.paid_date - paid.maturity) * paid.balance) / SUM(paid.balance)
              FROM periods
              JOIN paid ON paid.paid_date BETWEEN periods.date_from AND periods.date_to
          GROUP BY periods.date_to
                """,
                starts=[date_from for date_from, _to in periods],
                ends=[date_to for _from, date_to in periods],
                company=company.id,
                first=min(date_from for date_from, _to in periods),
                last=max(date_to for _from, date_to in periods),
            )
        )
        return {day: float(delay) for day, delay in rows}

    @api.model
    def _compute_open_flags(self, company):
        """Live amounts: open receivables of invoices in dispute, open promises to pay."""
        self.env.flush_all()
        [(dispute, promised)] = self.env.execute_query(
            SQL(
                """
            SELECT (SELECT COALESCE(SUM(aml.amount_residual), 0)
                      FROM account_move_line aml
                      JOIN account_account account ON account.id = aml.account_id
                      JOIN account_move move ON move.id = aml.move_id
                     WHERE account.account_type = 'asset_receivable'
                       AND aml.parent_state = 'posted'
                       AND aml.company_id = %(company)s
                       AND aml.reconciled IS NOT TRUE
                       AND move.receivable_dispute),
                   (SELECT COALESCE(SUM(promise.amount), 0)
                      FROM receivable_promise promise
                     WHERE promise.company_id = %(company)s
                       AND promise.state = 'open')
                """,
                company=company.id,
            )
        )
        return {"dispute_amount": dispute, "promised_amount": promised}

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
        action["domain"] = [("company_id", "=", company.id), *domain]
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
            "domain": [("company_id", "=", company.id), *domain],
            "context": {"default_move_type": "out_invoice"},
        }

    @api.model
    def _promise_action(self, company):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open Promises to Pay"),
            "res_model": "receivable.promise",
            "views": [(False, "list"), (False, "form")],
            "domain": [("company_id", "=", company.id), ("state", "=", "open")],
            "context": {},
        }
