from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import date_utils

from . import kpi_formulas as formulas

# Months of credit sales the countback DSO walks back through (beyond: extrapolated).
COUNTBACK_MONTHS = 12


class ReceivableKpi(models.AbstractModel):
    """Collection KPIs of a company: DSO, best possible DSO, ADD, CEI, rates, payment delay.

    Every receivable figure is the facts' (``receivable.facts``: the company and its
    branches, one rule each), computed set-based, a few SQL aggregates whatever the number of
    customers, invoices or dates asked for:

    * the receivables at any set of dates (total, not yet due, more than the unpaid threshold
      past due): the facts' open totals at several dates, ONE query over the receivable lines
      and their matchings (the rule of the aged receivables at a date);
    * the credit sales (posted customer invoices minus refunds, ``amount_total_signed``) from
      ONE query of daily totals, from which the periods and the months of the countback are
      summed;
    * the average payment delay from ONE query over the facts' paid items (every fully paid
      receivable debit): amount-weighted days between the due date and the last matching
      (``max_date``), early payments negative.

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
        facts = self.env["receivable.facts"]
        self.env["account.move"].flush_model(
            [
                "company_id",
                "state",
                "move_type",
                "commercial_partner_id",
                "date",
                "amount_total_signed",
            ]
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT partner_id, 'ar', NULL::date, SUM(amount_residual), 0
              FROM (%(open_items)s) items
          GROUP BY partner_id
         UNION ALL
            SELECT move.commercial_partner_id, 'sales', date_trunc('month', move.date)::date,
                   SUM(move.amount_total_signed),
                   SUM(move.amount_total_signed) FILTER (WHERE move.date >= %(date_from)s)
              FROM account_move move
             WHERE move.company_id IN %(scope)s
               AND move.state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund')
               AND move.commercial_partner_id = ANY(%(partners)s)
               AND move.date >= LEAST(%(history_start)s, %(date_from)s)
               AND move.date <= %(date)s
          GROUP BY move.commercial_partner_id, 3
         UNION ALL
            SELECT partner_id, 'delay', NULL::date, %(delay)s, SUM(paid.balance)
              FROM (%(paid_items)s) paid
          GROUP BY partner_id
                """,
                open_items=facts._open_items_query(date, company, partner_ids),
                paid_items=facts._paid_items_query(
                    company, date_from - timedelta(days=1), date, partner_ids
                ),
                delay=facts._weighted_delay_sql("paid"),
                scope=facts._scope_company_ids(company),
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
                values["delay"].append((float(amount or 0.0), float(weight or 0.0)))
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
        """``{date: {"total", "current", "unpaid"}}``: the receivables of ``company`` (and its
        branches) open at each date, the part not yet due (due on or after the date) and the
        part more than the unpaid threshold past due: the facts' open totals, one query."""
        rows = self.env.execute_query(
            self.env["receivable.facts"]._open_totals_at_dates_query(
                company, dates, company.receivable_unpaid_days
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
        self.env["account.move"].flush_model(
            ["company_id", "state", "move_type", "date", "amount_total_signed"]
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT move.date, SUM(move.amount_total_signed)
              FROM account_move move
             WHERE move.company_id IN %(scope)s
               AND move.state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund')
               AND move.date BETWEEN %(first)s AND %(last)s
          GROUP BY move.date
                """,
                scope=self.env["receivable.facts"]._scope_company_ids(company),
                first=first,
                last=max(date_to for _from, date_to in periods),
            )
        )
        return dict(rows)

    @api.model
    def _payment_delays(self, company, periods):
        """``{date_to: days}``: per period, the average delay of the items paid in it (the
        facts' paid items: every fully paid receivable debit, invoice or not) — days between
        the due date and the last matching, weighted by amount."""
        facts = self.env["receivable.facts"]
        first = min(date_from for date_from, _to in periods)
        last = max(date_to for _from, date_to in periods)
        rows = self.env.execute_query(
            SQL(
                """
            WITH periods AS (
                SELECT unnest(%(starts)s::date[]) AS date_from,
                       unnest(%(ends)s::date[]) AS date_to
            )
            SELECT periods.date_to, %(delay)s
              FROM periods
              JOIN (%(paid_items)s) paid
                ON paid.pay_date BETWEEN periods.date_from AND periods.date_to
          GROUP BY periods.date_to
                """,
                starts=[date_from for date_from, _to in periods],
                ends=[date_to for _from, date_to in periods],
                delay=facts._weighted_delay_sql("paid"),
                paid_items=facts._paid_items_query(company, first - timedelta(days=1), last),
            )
        )
        return {day: float(delay) for day, delay in rows if delay is not None}

    @api.model
    def _compute_open_flags(self, company):
        """Live amounts: open items of invoices in dispute (the facts' open items), open
        promises to pay."""
        facts = self.env["receivable.facts"]
        self.env["receivable.promise"].flush_model(["company_id", "state", "amount"])
        [(dispute, promised)] = self.env.execute_query(
            SQL(
                """
            SELECT (SELECT COALESCE(SUM(items.amount_residual), 0)
                      FROM (%(open_items)s) items
                     WHERE items.dispute),
                   (SELECT COALESCE(SUM(promise.amount), 0)
                      FROM receivable_promise promise
                     WHERE promise.company_id IN %(scope)s
                       AND promise.state = 'open')
                """,
                open_items=facts._open_items_query(None, company, as_of=False),
                scope=facts._scope_company_ids(company),
            )
        )
        return {"dispute_amount": dispute, "promised_amount": promised}
