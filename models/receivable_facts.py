"""The receivable facts: every rule over the receivable ledger stated once.

Every screen, engine and KPI of the module reads the customers' receivables through these SQL
builders, so that the same business rule gives the same figure everywhere (the aging, the
customer's Credit tab, the worklist, the risk score, the dunning run, the overview, the cash
forecast, the provision and the statement).

The rules:

* **Scope.** A company's receivables are those of the company and its branches
  (``child_of``): branches share the company's ledger and currency. A figure "of a company"
  always means that scope (``_scope_company_ids``); the aging, which lists lines, leaves the
  scope to the record rules (the companies the user has selected).
* **Open item.** A receivable line (account type ``asset_receivable``) of a posted entry dated
  up to the day of the figure, whose residual is not zero: live, the stored residual of the
  unreconciled line; at a past date, its balance minus the matchings whose ``max_date`` is up
  to that date. An entry dated after the day is not open on it (an invoice dated next week is
  not in today's aging). Amounts are signed in the company currency: credit notes and unapplied
  payments are negative items, and they count where their due date puts them.
* **Due date.** ``date_maturity``, else the line's date. Days late = day - due date (negative:
  not yet due); days overdue = days late when positive, else 0.
* **Overdue amount** of a customer: the sum of its items more than 0 days late, credit items
  included (the aging's overdue buckets); its **oldest overdue** date: the earliest due date of
  its overdue debit items.
* **Paid item.** A receivable debit line of a posted entry, fully reconciled; its payment date
  is the latest ``max_date`` of its matchings, its delay the payment date - due date, weighted
  by its amount.
* **Customer position** in a company: open, overdue, oldest overdue, pending (draft customer
  invoices, and posted ones dated after the day), the applied credit limit (Odoo's rule: the
  partner's own limit when it differs from the company default, else the policy's default
  limit, else the company default), the insurance cover, the hold.

Company-dependent fields are read through Odoo's field API (``Field.to_sql``), and every
column carries its field for flushing: ``env.execute_query`` flushes exactly what a query reads.
"""

from itertools import pairwise

from odoo import api
from odoo import fields
from odoo import models
from odoo.fields import Domain
from odoo.tools import SQL

RECEIVABLE = "asset_receivable"


class ReceivableFacts(models.AbstractModel):
    _name = "receivable.facts"
    _description = "Receivable Facts"

    # ------------------------------------------------------------------------------------------
    # Columns and scope
    # ------------------------------------------------------------------------------------------
    @api.model
    def _col(self, model_name, alias, fname, company=None):
        """SQL of the stored field ``fname`` of ``model_name`` on table ``alias``, flushed by
        ``execute_query``; a company-dependent field is read for ``company`` (or the current
        one) with its company fallback, as Odoo's own queries read it."""
        model = self.env[model_name]
        if company is not None:
            model = model.with_company(company)
        return model._fields[fname].to_sql(model, alias)

    @api.model
    def _per_line_company_sql(self, model_name, alias, fname, company_column):
        """SQL of the company-dependent field ``fname`` on ``alias`` for the company of each
        row (``company_column``): the lines of several companies in one query (the aging).
        Without a value for that company: the field's empty value (no company fallback differs
        from it for the fields read this way: hold, risk class)."""
        field = self.env[model_name]._fields[fname]
        column = SQL.identifier(alias, fname, to_flush=field)
        value = SQL("(%s ->> (%s)::text)", column, company_column)
        if field.type == "boolean":
            return SQL("COALESCE(%s::boolean, FALSE)", value)
        return SQL("%s::%s", value, SQL(field._column_type[1]))

    @api.model
    def _scope_company_ids(self, company):
        """The company and its branches: one ledger, one currency, one credit exposure."""
        # sudo: a branch the user may not open still holds the customer's receivables of the
        # company; only ids leave this method. Read through the record cache (archived branches
        # included: their entries stay in the ledger), so a screen asks once per transaction.
        scope = level = company.sudo()
        while level:
            level = level.all_child_ids
            scope |= level
        return tuple(scope.ids)

    @api.model
    def _structure_fields(self):
        """The fields the joins and plain columns of the item queries read: flushed with them
        (the line's move, partner and account, the partner's commercial entity)."""
        names = {
            "account.move.line": (
                "account_id",
                "move_id",
                "partner_id",
                "company_id",
                "currency_id",
                "company_currency_id",
            ),
            "account.move": (
                "name",
                "move_type",
                "invoice_user_id",
                "invoice_date",
                "commercial_partner_id",
            ),
            "res.partner": ("commercial_partner_id", "country_id"),
            "account.account": ("account_type",),
        }
        return [
            self.env[model]._fields[fname] for model, fnames in names.items() for fname in fnames
        ]

    @api.model
    def _today(self):
        return fields.Date.context_today(self)

    # ------------------------------------------------------------------------------------------
    # Open items
    # ------------------------------------------------------------------------------------------
    @api.model
    def _open_items_query(self, date=None, company=None, partner_ids=None, as_of=None):
        """SQL of the receivable items open on ``date`` (today when None), one row per line.

        ``company``: its scope (company and branches), None: every company (the caller filters,
        as the aging's record rules do). ``partner_ids``: commercial partners. ``as_of``: the
        residual at ``date`` from the matchings (default: when ``date`` is before today);
        otherwise the live residual, aged at ``date``.

        Columns: id, move_id, move_name, move_type, company_id, partner_id (commercial),
        line_partner_id, invoice_user_id, country_id, currency_id, company_currency_id, date,
        invoice_date, date_maturity (due date), days_late, days_overdue, amount_residual,
        amount_residual_currency, amount_total_signed, dunning_level_id, dispute, factor_id,
        agency_state, promised, in_plan, no_followup, legal_charge, expected_date, on_hold.
        """
        date = date or self._today()
        if as_of is None:
            as_of = date < self._today()
        filters = [
            SQL("account.account_type = %s", RECEIVABLE),
            SQL("%s = 'posted'", self._col("account.move.line", "aml", "parent_state")),
            SQL("%s <= %s::date", self._col("account.move.line", "aml", "date"), date),
        ]
        if company is not None:
            filters.append(
                SQL(
                    "%s IN %s",
                    self._col("account.move.line", "aml", "company_id"),
                    self._scope_company_ids(company),
                )
            )
        if partner_ids is not None:
            filters.append(SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids)))
            # The same filter on the line's own indexed column: a batch of customers reads
            # their lines through the index, not the whole ledger.
            filters.append(self._line_partner_filter(SQL("aml.partner_id"), partner_ids))
        if as_of:
            residual, residual_currency, matchings = self._residual_at_sql(date)
        else:
            residual = self._col("account.move.line", "aml", "amount_residual")
            residual_currency = self._col("account.move.line", "aml", "amount_residual_currency")
            matchings = SQL()
            filters.append(
                SQL("%s IS NOT TRUE", self._col("account.move.line", "aml", "reconciled"))
            )
        filters.append(SQL("(%s != 0 OR %s != 0)", residual, residual_currency))
        return SQL(
            """
            SELECT %(columns)s,
                   %(residual)s AS amount_residual,
                   %(residual_currency)s AS amount_residual_currency
              FROM account_move_line aml
              %(joins)s
              %(matchings)s
             WHERE %(filters)s
            """,
            columns=self._item_columns(date, company),
            residual=residual,
            residual_currency=residual_currency,
            joins=self._item_joins(date),
            matchings=matchings,
            filters=SQL(" AND ").join(filters),
        )

    @api.model
    def _line_partner_filter(self, column, partner_ids):
        """SQL: the line partner ``column`` is a contact of the commercial ``partner_ids``."""
        return SQL(
            "%s = ANY(ARRAY(SELECT contact.id FROM res_partner contact"
            " WHERE contact.commercial_partner_id = ANY(%s)))",
            column,
            list(partner_ids),
        )

    @api.model
    def _residual_at_sql(self, date):
        """(residual, residual in currency, joins) of ``aml`` at ``date``: its balance minus
        the matchings whose ``max_date`` is up to ``date``, on either side."""
        partial = self.env["account.partial.reconcile"]

        def side(name):
            """The matchings of ``aml`` on its ``name`` side up to ``date``, summed."""
            fnames = (f"{name}_move_id", f"{name}_amount_currency", "amount", "max_date")
            return SQL(
                """
         LEFT JOIN (
                   SELECT partial.%(line)s AS line_id,
                          SUM(partial.amount) AS amount,
                          SUM(partial.%(amount_currency)s) AS amount_currency
                     FROM account_partial_reconcile partial
                    WHERE partial.max_date <= %(date)s::date
                 GROUP BY partial.%(line)s
                   ) %(alias)s ON %(alias)s.line_id = aml.id
                """,
                line=SQL.identifier(f"{name}_move_id"),
                amount_currency=SQL.identifier(f"{name}_amount_currency"),
                alias=SQL.identifier(f"{name}_side"),
                date=date,
                to_flush=[partial._fields[fname] for fname in fnames],
            )

        joins = SQL("%s %s", side("debit"), side("credit"))
        residual = SQL(
            "(%s - COALESCE(debit_side.amount, 0) + COALESCE(credit_side.amount, 0))",
            self._col("account.move.line", "aml", "balance"),
        )
        residual_currency = SQL(
            "(%s - COALESCE(debit_side.amount_currency, 0)"
            " + COALESCE(credit_side.amount_currency, 0))",
            self._col("account.move.line", "aml", "amount_currency"),
        )
        return residual, residual_currency, joins

    @api.model
    def _due_date_sql(self, alias="aml"):
        """The due date of a receivable line: its maturity, else its date."""
        return SQL(
            "COALESCE(%s, %s)",
            self._col("account.move.line", alias, "date_maturity"),
            self._col("account.move.line", alias, "date"),
        )

    @api.model
    def _item_columns(self, date, company):
        due = self._due_date_sql()
        if company is not None:
            on_hold = SQL(
                "COALESCE(%s, FALSE)", self._col("res.partner", "cp", "credit_on_hold", company)
            )
        else:
            on_hold = self._per_line_company_sql(
                "res.partner", "cp", "credit_on_hold", SQL("aml.company_id")
            )
        move = "account.move"
        return SQL(
            """
                   aml.id AS id,
                   aml.id AS move_line_id,
                   aml.move_id,
                   move.name AS move_name,
                   move.move_type,
                   aml.company_id,
                   p.commercial_partner_id AS partner_id,
                   aml.partner_id AS line_partner_id,
                   move.invoice_user_id,
                   cp.country_id,
                   aml.currency_id,
                   aml.company_currency_id,
                   aml.date,
                   move.invoice_date,
                   %(due)s AS date_maturity,
                   %(date)s::date - %(due)s AS days_late,
                   GREATEST(%(date)s::date - %(due)s, 0) AS days_overdue,
                   move.amount_total_signed,
                   %(level)s AS dunning_level_id,
                   COALESCE(%(dispute)s, FALSE) AS dispute,
                   %(factor)s AS factor_id,
                   %(agency)s AS agency_state,
                   (whole_promise.partner_id IS NOT NULL OR move_promise.move_id IS NOT NULL)
                       AS promised,
                   (plan.move_id IS NOT NULL) AS in_plan,
                   COALESCE(%(no_followup)s, FALSE) AS no_followup,
                   COALESCE(%(legal)s, FALSE) AS legal_charge,
                   %(expected)s AS expected_date,
                   %(on_hold)s AS on_hold
            """,
            due=due,
            date=date,
            level=self._col(move, "move", "receivable_dunning_level_id"),
            dispute=self._col(move, "move", "receivable_dispute"),
            factor=self._col(move, "move", "receivable_factor_id"),
            agency=self._col(move, "move", "receivable_agency_state"),
            no_followup=self._col("account.move.line", "aml", "no_followup"),
            legal=self._col(move, "move", "receivable_is_legal_charge"),
            expected=self._col(move, "move", "receivable_expected_payment_date"),
            on_hold=on_hold,
        )

    @api.model
    def _item_joins(self, date):
        """Joins of the item columns. All but the account are LEFT JOINs on a unique key, so
        PostgreSQL removes those whose columns a request does not read (a list grouped by
        partner joins the account and the partner only); promises and plans are aggregated
        once (a few rows), never looked up per line.

        A promise covers an item while it is open and its date not passed: a promise on the
        whole customer made in the item's company or a company above it (its scope), or one
        naming the item's invoice."""
        promise = self.env["receivable.promise"]
        plan = self.env["receivable.payment.plan"]
        to_flush = (
            [
                promise._fields[name]
                for name in ("state", "partner_id", "company_id", "promise_date", "move_ids")
            ]
            + [plan._fields[name] for name in ("state", "move_ids")]
            + [self.env["res.company"]._fields["parent_path"]]
            + self._structure_fields()
        )
        return SQL(
            """
              JOIN account_account account ON account.id = aml.account_id
         LEFT JOIN account_move move ON move.id = aml.move_id
         LEFT JOIN res_partner p ON p.id = aml.partner_id
         LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
         LEFT JOIN (
                   SELECT DISTINCT promise.partner_id, branch.id AS company_id
                     FROM receivable_promise promise
                     JOIN res_company owner ON owner.id = promise.company_id
                     JOIN res_company branch
                       ON branch.parent_path LIKE owner.parent_path || '%%'
                    WHERE promise.state = 'open'
                      AND promise.promise_date >= %(date)s::date
                      AND NOT EXISTS (SELECT 1 FROM receivable_promise_move_rel rel
                                       WHERE rel.promise_id = promise.id)
                   ) whole_promise
                ON whole_promise.partner_id = p.commercial_partner_id
               AND whole_promise.company_id = aml.company_id
         LEFT JOIN (
                   SELECT DISTINCT rel.move_id
                     FROM receivable_promise_move_rel rel
                     JOIN receivable_promise promise ON promise.id = rel.promise_id
                    WHERE promise.state = 'open'
                      AND promise.promise_date >= %(date)s::date
                   ) move_promise
                ON move_promise.move_id = aml.move_id
         LEFT JOIN (
                   SELECT DISTINCT plan_rel.move_id
                     FROM receivable_payment_plan_move_rel plan_rel
                     JOIN receivable_payment_plan plan ON plan.id = plan_rel.plan_id
                    WHERE plan.state = 'active'
                   ) plan
                ON plan.move_id = aml.move_id
            """,
            date=date,
            to_flush=to_flush,
        )

    @api.model
    def _open_items_domain(self, company=None, partner_ids=None):
        """Domain of ``account.move.line`` of the items open today: the drill-down of a live
        figure (an open-item figure at a past date opens the aging at that date)."""
        domain = Domain(
            [
                ("account_id.account_type", "=", RECEIVABLE),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("date", "<=", self._today()),
            ]
        ) & (Domain("amount_residual", "!=", 0) | Domain("amount_residual_currency", "!=", 0))
        if company is not None:
            domain &= Domain("company_id", "in", self._scope_company_ids(company))
        if partner_ids is not None:
            domain &= Domain("partner_id.commercial_partner_id", "in", list(partner_ids))
        return domain

    @api.model
    def _overdue_items_domain(self, company=None, partner_ids=None):
        """Domain of the items overdue today (due date before today)."""
        today = self._today()
        overdue = Domain("date_maturity", "<", today) | (
            Domain("date_maturity", "=", False) & Domain("date", "<", today)
        )
        return self._open_items_domain(company, partner_ids) & overdue

    @api.model
    def _bucket_conditions(self, days, bounds):
        """One condition per aging bucket on ``days`` (days late): "not due" (<= 0), then
        (low, high] per bound, the last one open-ended."""
        conditions = [SQL("%s <= 0", days)]
        conditions += [
            SQL("%s > %s AND %s <= %s", days, low, days, high)
            for low, high in pairwise([0, *bounds])
        ]
        conditions.append(SQL("%s > %s", days, bounds[-1]))
        return conditions

    # ------------------------------------------------------------------------------------------
    # Paid items
    # ------------------------------------------------------------------------------------------
    @api.model
    def _paid_items_query(self, company, since, date, partner_ids=None):
        """SQL of the receivable debit lines of ``company``'s scope fully paid in
        (``since``, ``date``]: id, partner_id (commercial), move_id, company_id, balance (the
        weight), date, date_maturity (due date), pay_date, days_late (pay_date - due date).

        The payment date is the latest ``max_date`` of the line's matchings. For the whole
        company the matchings are aggregated once (hash aggregate); for a few customers their
        lines are read through the partner index and each line's matchings looked up.
        """
        aml = "account.move.line"
        due = self._due_date_sql()
        common = SQL(
            """
                   %(reconciled)s
               AND account.account_type = %(receivable)s
               AND %(state)s = 'posted'
               AND %(company)s IN %(company_ids)s
               AND %(balance)s > 0
            """,
            reconciled=self._col(aml, "aml", "reconciled"),
            receivable=RECEIVABLE,
            state=self._col(aml, "aml", "parent_state"),
            company=self._col(aml, "aml", "company_id"),
            company_ids=self._scope_company_ids(company),
            balance=self._col(aml, "aml", "balance"),
        )
        columns = SQL(
            """p.commercial_partner_id AS partner_id, aml.id, aml.move_id, aml.company_id,
               aml.balance, aml.date, %(due)s AS date_maturity, pd.pay_date,
               pd.pay_date - %(due)s AS days_late""",
            due=due,
        )
        partial = self.env["account.partial.reconcile"]
        to_flush = [
            partial._fields[name] for name in ("max_date", "debit_move_id", "company_id")
        ] + self._structure_fields()
        if partner_ids is None:
            return SQL(
                """
                SELECT %(columns)s
                  FROM (SELECT partial.debit_move_id AS line_id,
                               MAX(partial.max_date) AS pay_date
                          FROM account_partial_reconcile partial
                         WHERE partial.company_id IN %(company_ids)s
                      GROUP BY partial.debit_move_id
                        HAVING MAX(partial.max_date) > %(since)s::date
                           AND MAX(partial.max_date) <= %(date)s::date) pd
                  JOIN account_move_line aml ON aml.id = pd.line_id
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                 WHERE %(common)s
                """,
                columns=columns,
                company_ids=self._scope_company_ids(company),
                since=since,
                date=date,
                common=SQL("%s", common, to_flush=to_flush),
            )
        return SQL(
            """
            SELECT %(columns)s
              FROM res_partner p
              JOIN account_move_line aml ON aml.partner_id = p.id
              JOIN account_account account ON account.id = aml.account_id
              JOIN LATERAL (SELECT MAX(partial.max_date) AS pay_date
                              FROM account_partial_reconcile partial
                             WHERE partial.debit_move_id = aml.id) pd ON TRUE
             WHERE p.commercial_partner_id = ANY(%(ids)s)
               AND pd.pay_date > %(since)s::date
               AND pd.pay_date <= %(date)s::date
               AND %(common)s
            """,
            columns=columns,
            ids=list(partner_ids),
            since=since,
            date=date,
            common=SQL("%s", common, to_flush=to_flush),
        )

    @api.model
    def _weighted_delay_sql(self, paid_alias="paid", late_only=False):
        """Amount-weighted average delay (days) of paid items; ``late_only``: early payments
        count as 0 days."""
        delay = SQL("%s.days_late", SQL.identifier(paid_alias))
        if late_only:
            delay = SQL("GREATEST(%s, 0)", delay)
        balance = SQL("%s.balance", SQL.identifier(paid_alias))
        return SQL("SUM(%s * %s) / NULLIF(SUM(%s), 0)", balance, delay, balance)

    # ------------------------------------------------------------------------------------------
    # Open totals at several dates (KPIs)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _open_totals_at_dates_query(self, company, dates, unpaid_days):
        """SQL of (day, total, current, unpaid) per day of ``dates`` (sorted): the items of
        ``company``'s scope open on each day (the open-item rule at a past date, in one pass
        for all days), the part not yet due and the part more than ``unpaid_days`` past due.

        Every receivable line counts from its date and every matching of one from its
        ``max_date``; the movements before the first day are summed once by due date."""
        aml = "account.move.line"
        partial = self.env["account.partial.reconcile"]
        to_flush = [
            partial._fields[name]
            for name in ("amount", "max_date", "debit_move_id", "credit_move_id")
        ] + self._structure_fields()
        return SQL(
            """
            WITH ends AS (SELECT unnest(%(dates)s::date[]) AS day),
            lines AS (
                SELECT aml.id, aml.date, %(due)s AS maturity, %(balance)s AS balance
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                 WHERE account.account_type = %(receivable)s
                   AND %(state)s = 'posted'
                   AND %(company)s IN %(company_ids)s
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
          ORDER BY ends.day
            """,
            dates=list(dates),
            due=self._due_date_sql(),
            balance=self._col(aml, "aml", "balance"),
            receivable=RECEIVABLE,
            state=self._col(aml, "aml", "parent_state"),
            company=SQL("%s", self._col(aml, "aml", "company_id"), to_flush=to_flush),
            company_ids=self._scope_company_ids(company),
            first=min(dates),
            last=max(dates),
            unpaid=unpaid_days,
        )
