from datetime import timedelta

from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import format_amount

from .res_company_collection import WORKLIST_RULES

# Kinds of actions, in the order of their row id suffix (row id = source id x 8 + index).
WORKLIST_KINDS = [
    ("call", "Call Due"),
    ("reminder", "Reminder to Approve"),
    ("promise", "Broken Promise"),
    ("dispute", "Dispute to Follow Up"),
    ("cover", "Cover Exceeded"),
    ("credits", "Credits to Allocate"),
    ("overdue", "Overdue Customer"),
]
KIND_INDEX = {kind: index for index, (kind, _label) in enumerate(WORKLIST_KINDS, start=1)}
# Risk score of the customers that have none (or when the risk scoring is not installed).
DEFAULT_RISK_SCORE = 50.0
# Broken promises stay on the worklist for this many days after the promised date.
BROKEN_PROMISE_DAYS = 30
CALL_RESULTS = [
    ("reached", "Reached"),
    ("promise", "Promise to Pay"),
    ("dispute", "Dispute"),
    ("no_answer", "No Answer"),
]
# Reminder states that are an action under way: waiting for review, or approved and going out.
PENDING_REMINDER_STATES = ("draft", "to_send")
# Kinds of rows that follow up the whole customer: its overdue amount comes through them, not
# as an Overdue Customer row besides.
CUSTOMER_FOLLOWUP_KINDS = ("call", "reminder", "promise")
# The rows change with the company (its data, its ranking rule) and the day.
WORKLIST_CONTEXT = ("company",)


class ReceivableWorklist(models.Model):
    """Today's collection actions of the current company, one row per action, ranked.

    An SQL view (``_table_query``) built per request, the UNION ALL of seven kinds of actions:

    * **Call Due** — a phone-call activity on a customer with an open receivable, due today or
      before (the collector is the activity's assignee);
    * **Reminder to Approve** — a reminder waiting for review (state "To Review");
    * **Broken Promise** — a promise to pay broken in the last 30 days and not followed by a new
      open promise;
    * **Dispute to Follow Up** — a posted invoice in dispute for more than the company's
      follow-up delay (``res.company.receivable_dispute_followup_days``);
    * **Cover Exceeded** — a customer whose exposure exceeds its credit insurance cover: the
      ``cover_exceeded`` of its position (``receivable.facts._positions``), the figure of its
      Credit tab.
    * **Credits to Allocate** — a customer with open credits (unapplied payments, credit
      notes) and open invoices in the company and its branches: an accountant should match
      them. The amount is what can be allocated (the smaller of the credits and the invoices
      owed); it ranks these rows in place of the overdue amount, which credits covering it
      bring to 0 (such a customer gets no reminder: credits first).
    * **Overdue Customer** — every customer with an amount to chase and no action under way:
      its overdue items that nothing holds (no dispute, promise, payment plan, factor,
      collection agency nor No Follow-Up: the dunning rule's item exclusions, late-payment
      charges excepted: a charge owed is money to chase), netted with its overdue credits, are
      above 0, and it has no open phone call (whatever its date), no reminder to review or to
      send, no broken promise row and no reminder pause running. A customer with such an
      action comes through that action's row, never twice; an invoice in dispute comes through
      its dispute row while the customer's other overdue invoices make it an Overdue Customer.
      The amount is the amount to chase, the date the due date of its oldest item to chase.
      So the worklist is empty only when nothing overdue waits for a collector.

    Every row carries the customer's figures, read from the open items of the company and its
    branches (``receivable.facts._open_items_query``): its overdue amount (the items past due,
    credit notes and unapplied payments included, never below 0), the days late of its oldest
    overdue item, and its risk score (0-100;
    ``res.partner.receivable_risk_score`` when the risk scoring is installed, else 50). The
    ``priority`` ranks the rows by the company rule ``receivable_worklist_rule``:

    * ``risk_amount_days`` (default): risk / 100 x overdue x (1 + days late / 30);
    * ``amount_days``: overdue x (1 + days late / 30);
    * ``amount``: overdue.

    The collector of a row is the assignee of the call, else the customer's collector
    (``receivable_collector_id`` of the company), else its salesperson: the *My Actions*
    filter. The menu opens on *My Actions* or *Unassigned* (rows of nobody), so a new
    controller sees the customers nobody collects yet.
    """

    _name = "receivable.worklist"
    _description = "Collection Worklist"
    _auto = False
    _rec_name = "partner_id"
    _order = "priority desc, date, id"

    company_id = fields.Many2one("res.company", readonly=True, depends_context=WORKLIST_CONTEXT)
    kind = fields.Selection(
        WORKLIST_KINDS, string="Action", readonly=True, depends_context=WORKLIST_CONTEXT
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, depends_context=WORKLIST_CONTEXT
    )
    collector_id = fields.Many2one(
        "res.users", string="Collector", readonly=True, depends_context=WORKLIST_CONTEXT
    )
    date = fields.Date(string="Due Date", readonly=True, depends_context=WORKLIST_CONTEXT)
    name = fields.Char(string="Details", readonly=True, depends_context=WORKLIST_CONTEXT)
    currency_id = fields.Many2one("res.currency", readonly=True, depends_context=WORKLIST_CONTEXT)
    amount = fields.Monetary(
        string="Amount",
        readonly=True,
        aggregator=None,
        depends_context=WORKLIST_CONTEXT,
        help="Amount of the action: the reminder (net of the customer's credits), the "
        "promise, the invoice in dispute, the exposure above the cover, or the credits to "
        "allocate.",
    )
    amount_overdue = fields.Monetary(
        string="Overdue",
        readonly=True,
        aggregator=None,
        depends_context=WORKLIST_CONTEXT,
        help="The customer's open receivable past due (net of its credits, not below 0).",
    )
    days_late = fields.Integer(
        string="Days Late",
        readonly=True,
        aggregator=None,
        depends_context=WORKLIST_CONTEXT,
        help="Days past due of the customer's oldest overdue item.",
    )
    risk_score = fields.Float(
        string="Risk Score",
        readonly=True,
        aggregator=None,
        digits=(5, 1),
        depends_context=WORKLIST_CONTEXT,
    )
    priority = fields.Float(
        string="Priority",
        readonly=True,
        aggregator=None,
        digits=(16, 2),
        depends_context=WORKLIST_CONTEXT,
        help="Rank of the action by the company's worklist rule (Settings): by default "
        "risk score / 100 x overdue amount x (1 + days late / 30).",
    )
    activity_id = fields.Many2one(
        "mail.activity", string="Call", readonly=True, depends_context=WORKLIST_CONTEXT
    )
    reminder_id = fields.Many2one(
        "receivable.reminder", string="Reminder", readonly=True, depends_context=WORKLIST_CONTEXT
    )
    promise_id = fields.Many2one(
        "receivable.promise", string="Promise", readonly=True, depends_context=WORKLIST_CONTEXT
    )
    move_id = fields.Many2one(
        "account.move", string="Invoice", readonly=True, depends_context=WORKLIST_CONTEXT
    )

    # Raw SQL: the ORM flushes these before reading the view (the columns read through
    # ``receivable.facts`` carry their fields and are flushed with the query).
    _depends = {
        "account.move": [
            "name",
            "company_id",
            "commercial_partner_id",
            "state",
            "payment_state",
            "amount_residual_signed",
            "receivable_dispute",
            "receivable_dispute_date",
            "receivable_dispute_reason",
        ],
        "account.move.line": [
            "account_id",
            "company_id",
            "partner_id",
            "parent_state",
            "date",
            "date_maturity",
            "amount_residual",
            "reconciled",
        ],
        "account.account": ["account_type"],
        "mail.activity": [
            "res_model",
            "res_id",
            "active",
            "activity_type_id",
            "date_deadline",
            "user_id",
            "summary",
        ],
        "mail.activity.type": ["category"],
        "receivable.reminder": ["partner_id", "company_id", "state", "date", "amount_net"],
        "receivable.payment.plan": ["state", "move_ids"],
        "receivable.promise": ["partner_id", "company_id", "state", "promise_date", "amount"],
        "res.partner": [
            "commercial_partner_id",
            "user_id",
            "receivable_collector_id",
            "credit_insured_amount",
            "dunning_paused_until",
        ],
    }

    # ------------------------------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------------------------------
    @api.model
    def search_fetch(self, domain, field_names=None, offset=0, limit=None, order=None):
        """Read the rows afresh: they are computed from today's ledger and activities (the
        columns read through ``receivable.facts`` are flushed with the query)."""
        self.invalidate_model()
        return super().search_fetch(domain, field_names, offset=offset, limit=limit, order=order)

    # ------------------------------------------------------------------------------------------
    # SQL
    # ------------------------------------------------------------------------------------------
    @property
    def _table_query(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        return SQL(
            """
            WITH stats AS (%(stats)s),
                 actions AS (%(actions)s),
                 all_actions AS (
                     SELECT actions.*, stats.overdue_amount, stats.oldest_due
                       FROM actions
                  LEFT JOIN stats ON stats.partner_id = actions.partner_id
                  UNION ALL %(credits)s
                  UNION ALL %(overdue)s
                 ),
                 ranked AS (
                     SELECT all_actions.*,
                            GREATEST(COALESCE(all_actions.overdue_amount, 0), 0)
                                AS amount_overdue,
                            GREATEST(COALESCE(%(today)s::date - all_actions.oldest_due, 0), 0)
                                AS days_late,
                            COALESCE(%(risk)s, %(default_risk)s)::float AS risk_score,
                            COALESCE(all_actions.user_id, %(collector)s, cp.user_id)
                                AS collector_id
                       FROM all_actions
                       JOIN res_partner cp ON cp.id = all_actions.partner_id
                 )
            SELECT ranked.id,
                   %(company)s AS company_id,
                   %(currency)s AS currency_id,
                   ranked.kind,
                   ranked.partner_id,
                   ranked.collector_id,
                   ranked.date,
                   ranked.name,
                   ranked.amount,
                   ranked.amount_overdue,
                   ranked.days_late,
                   ranked.risk_score,
                   ROUND((%(priority)s)::numeric, 2)::float AS priority,
                   ranked.activity_id,
                   ranked.reminder_id,
                   ranked.promise_id,
                   ranked.move_id
              FROM ranked
            """,
            stats=self._stats_query(company, today),
            actions=self._actions_query(company, today),
            credits=self._credits_query(today),
            overdue=self._overdue_customers_query(company, today),
            today=today,
            risk=self._risk_score_sql(company),
            default_risk=DEFAULT_RISK_SCORE,
            collector=self.env["receivable.facts"]._col(
                "res.partner", "cp", "receivable_collector_id", company
            ),
            company=company.id,
            currency=company.currency_id.id,
            priority=self._priority_sql(company.receivable_worklist_rule),
        )

    @api.model
    def _stats_query(self, company, today):
        """Per customer (commercial partner) with open items in ``company`` and its branches:
        open amount, overdue amount and oldest overdue due date, by the rules of
        ``receivable.facts`` (overdue: the items more than 0 days late, credits included); the
        overdue amount to chase (``_item_to_chase_sql``) and its oldest due date."""
        items = self.env["receivable.facts"]._open_items_query(today, company, as_of=False)
        return SQL(
            """
            SELECT item.partner_id,
                   SUM(item.amount_residual) AS open_amount,
                   SUM(item.amount_residual) FILTER (WHERE item.days_late > 0)
                       AS overdue_amount,
                   MIN(item.date_maturity)
                       FILTER (WHERE item.days_late > 0 AND item.amount_residual > 0)
                       AS oldest_due,
                   SUM(item.amount_residual) FILTER (WHERE item.amount_residual < 0)
                       AS credit_amount,
                   SUM(item.amount_residual) FILTER (WHERE item.amount_residual > 0)
                       AS debit_amount,
                   SUM(item.amount_residual) FILTER (WHERE item.days_late > 0 AND %(chase)s)
                       AS chase_amount,
                   MIN(item.date_maturity) FILTER (
                       WHERE item.days_late > 0 AND item.amount_residual > 0 AND %(chase)s
                   ) AS chase_due
              FROM (%(items)s) item
          GROUP BY item.partner_id
            """,
            items=items,
            chase=self._item_to_chase_sql(),
        )

    @api.model
    def _item_to_chase_sql(self):
        """SQL condition on an open ``item`` row: nothing holds it, a collector should chase
        it. The dunning rule's item exclusions (dispute, factor, agency, payment plan, promise,
        No Follow-Up), stated once in ``receivable.dunning.engine._item_exclusions``, but for
        the late-payment charges: the reminders claim them apart, yet a charge owed and
        overdue is money to chase."""
        exclusions = self.env["receivable.dunning.engine"]._item_exclusions()
        return SQL(" AND ").join(
            SQL("NOT (%s)", condition)
            for reason, condition in exclusions
            if reason != "legal_charge"
        )

    @api.model
    def _actions_query(self, company, today):
        """The actions of the day on records (calls, reminders, promises, invoices, covers),
        with the columns of ``_calls_query``; the rows read from ``stats`` alone (credits to
        allocate, overdue customers) are added apart, with the customer's figures: joining
        them back to ``stats`` would make PostgreSQL expect far more rows than there are (it
        knows nothing of a CTE's unique key) and compile the query (JIT) for a second."""
        followup_days = max(company.receivable_dispute_followup_days, 0)
        return SQL(" UNION ALL ").join(
            [
                self._calls_query(company, today),
                self._reminders_query(company),
                self._broken_promises_query(company, today),
                self._disputes_query(company, today, followup_days),
                self._covers_query(company, today),
            ]
        )

    @api.model
    def _overdue_customers_query(self, company, today):
        """The customers with an amount to chase (``stats``) and no action under way: no open
        phone call (any date: one is planned), no reminder to review or to send, no broken
        promise to follow up (those rows of ``actions`` follow the whole customer up), no
        reminder pause running. The amount to chase is their overdue items that nothing holds
        netted with their overdue credits, never above the overdue amount."""
        paused = self.env["receivable.facts"]._col(
            "res.partner", "cp", "dunning_paused_until", company
        )
        return SQL(
            """
            SELECT stats.partner_id * 8 + %(index)s, 'overdue', stats.partner_id, NULL::int,
                   stats.chase_due, NULL::varchar,
                   LEAST(COALESCE(stats.chase_amount, 0), stats.overdue_amount), NULL::int,
                   NULL::int, NULL::int, NULL::int, stats.overdue_amount, stats.oldest_due
              FROM stats
              JOIN res_partner cp ON cp.id = stats.partner_id
             WHERE LEAST(COALESCE(stats.chase_amount, 0), stats.overdue_amount) > 0
               AND COALESCE(%(paused)s < %(today)s::date, TRUE)
               AND NOT EXISTS (
                       SELECT 1 FROM actions
                        WHERE actions.partner_id = stats.partner_id
                          AND actions.kind IN %(followups)s)
               AND NOT EXISTS (
                       SELECT 1
                         FROM mail_activity activity
                         JOIN mail_activity_type activity_type
                           ON activity_type.id = activity.activity_type_id
                         JOIN res_partner contact ON contact.id = activity.res_id
                        WHERE activity.res_model = 'res.partner'
                          AND activity.active IS TRUE
                          AND activity_type.category = 'phonecall'
                          AND contact.commercial_partner_id = stats.partner_id)
               AND NOT EXISTS (
                       SELECT 1 FROM receivable_reminder reminder
                        WHERE reminder.partner_id = stats.partner_id
                          AND reminder.company_id = %(company)s
                          AND reminder.state IN %(reminder_states)s)
            """,
            index=KIND_INDEX["overdue"],
            paused=paused,
            today=today,
            followups=CUSTOMER_FOLLOWUP_KINDS,
            company=company.id,
            reminder_states=PENDING_REMINDER_STATES,
        )

    @api.model
    def _calls_query(self, company, today):
        """Phone calls due on the customers that have an open receivable in ``company``."""
        return SQL(
            """
            SELECT activity.id * 8 + %(index)s AS id, 'call' AS kind,
                   rp.commercial_partner_id AS partner_id, activity.user_id,
                   activity.date_deadline AS date, activity.summary::varchar AS name,
                   NULL::numeric AS amount, activity.id AS activity_id,
                   NULL::int AS reminder_id, NULL::int AS promise_id, NULL::int AS move_id
              FROM mail_activity activity
              JOIN mail_activity_type activity_type
                ON activity_type.id = activity.activity_type_id
              JOIN res_partner rp ON rp.id = activity.res_id
              JOIN stats ON stats.partner_id = rp.commercial_partner_id
             WHERE activity.res_model = 'res.partner'
               AND activity.active IS TRUE
               AND activity_type.category = 'phonecall'
               AND activity.date_deadline <= %(today)s
            """,
            index=KIND_INDEX["call"],
            today=today,
        )

    @api.model
    def _reminders_query(self, company):
        return SQL(
            """
            SELECT reminder.id * 8 + %(index)s, 'reminder', reminder.partner_id, NULL::int,
                   reminder.date, reminder.name::varchar, reminder.amount_net, NULL::int,
                   reminder.id, NULL::int, NULL::int
              FROM receivable_reminder reminder
             WHERE reminder.state = 'draft'
               AND reminder.company_id = %(company)s
            """,
            index=KIND_INDEX["reminder"],
            company=company.id,
        )

    @api.model
    def _broken_promises_query(self, company, today):
        return SQL(
            """
            SELECT promise.id * 8 + %(index)s, 'promise', promise.partner_id, NULL::int,
                   promise.promise_date, promise.note::varchar, promise.amount, NULL::int,
                   NULL::int, promise.id, NULL::int
              FROM receivable_promise promise
             WHERE promise.state = 'broken'
               AND promise.company_id = %(company)s
               AND promise.promise_date >= %(since)s
               AND NOT EXISTS (
                       SELECT 1
                         FROM receivable_promise newer
                        WHERE newer.partner_id = promise.partner_id
                          AND newer.company_id = promise.company_id
                          AND newer.state = 'open'
                          AND newer.id > promise.id)
            """,
            index=KIND_INDEX["promise"],
            company=company.id,
            since=today - timedelta(days=BROKEN_PROMISE_DAYS),
        )

    @api.model
    def _disputes_query(self, company, today, followup_days):
        return SQL(
            """
            SELECT move.id * 8 + %(index)s, 'dispute', move.commercial_partner_id, NULL::int,
                   move.receivable_dispute_date + %(days)s,
                   move.receivable_dispute_reason::varchar, move.amount_residual_signed,
                   NULL::int, NULL::int, NULL::int, move.id
              FROM account_move move
             WHERE move.receivable_dispute IS TRUE
               AND move.company_id = %(company)s
               AND move.state = 'posted'
               AND move.payment_state IN ('not_paid', 'partial')
               AND move.receivable_dispute_date <= %(limit)s
            """,
            index=KIND_INDEX["dispute"],
            company=company.id,
            days=followup_days,
            limit=today - timedelta(days=followup_days),
        )

    @api.model
    def _covers_query(self, company, today):
        """The insured customers whose exposure exceeds the cover, the excess as amount: the
        positions of ``receivable.facts`` (exposure = open + pending + to invoice, the cover
        only with an insurer), so the worklist and the Credit tab agree."""
        excesses = self._cover_excesses(company, today)
        if not excesses:
            return SQL(
                """
                SELECT NULL::int, 'cover', NULL::int, NULL::int, NULL::date, NULL::varchar,
                       NULL::numeric, NULL::int, NULL::int, NULL::int, NULL::int
                 WHERE FALSE
                """
            )
        values = SQL(", ").join(SQL("(%s, %s)", pid, excess) for pid, excess in excesses)
        return SQL(
            """
            SELECT cover.partner_id * 8 + %(index)s, 'cover', cover.partner_id, NULL::int,
                   %(today)s::date, NULL::varchar, cover.excess::numeric, NULL::int,
                   NULL::int, NULL::int, NULL::int
              FROM (VALUES %(values)s) AS cover(partner_id, excess)
            """,
            index=KIND_INDEX["cover"],
            today=today,
            values=values,
        )

    @api.model
    def _credits_query(self, today):
        """The customers with open credits and open debit items (``stats``: the facts' open
        items of the company and its branches): credits to allocate, the amount the smaller of
        the two."""
        return SQL(
            """
            SELECT stats.partner_id * 8 + %(index)s, 'credits', stats.partner_id, NULL::int,
                   %(today)s::date, NULL::varchar,
                   LEAST(-stats.credit_amount, stats.debit_amount), NULL::int, NULL::int,
                   NULL::int, NULL::int, stats.overdue_amount, stats.oldest_due
              FROM stats
             WHERE stats.credit_amount < 0 AND stats.debit_amount > 0
            """,
            index=KIND_INDEX["credits"],
            today=today,
        )

    @api.model
    def _cover_excesses(self, company, today):
        """[(commercial partner id, exposure - cover)] of the customers of ``company`` with an
        insurer whose position has ``cover_exceeded``."""
        # sudo: the worklist lists the company's actions whatever the partner rules of the
        # user (as its SQL does); only ids and amounts leave this method.
        partners = self.env["res.partner"].sudo().with_company(company)
        insured = partners.search([("credit_insurer_id", "!=", False)]).commercial_partner_id
        if not insured:
            return []
        positions = self.env["receivable.facts"]._positions(company, insured.ids, today)
        return [
            (partner_id, position["exposure"] - float(position["cover"]))
            for partner_id, position in sorted(positions.items())
            if position["cover_exceeded"]
        ]

    @api.model
    def _risk_score_sql(self, company):
        """The customer's risk score (``cp``), or NULL when the risk scoring is not installed."""
        field = self.env["res.partner"]._fields.get("receivable_risk_score")
        if field is None or not field.store:
            return SQL("NULL::float")
        score = self.env["receivable.facts"]._col("res.partner", "cp", field.name, company)
        return SQL("%s::float", score)

    @api.model
    def _priority_sql(self, rule):
        """The ranking rule as an SQL expression of the ``ranked`` columns. Credits to
        allocate rank by the amount to allocate: the overdue amount they cover is 0."""
        lateness = SQL("(1 + ranked.days_late / 30.0)")
        amount = SQL(
            "(CASE WHEN ranked.kind = 'credits' THEN ranked.amount ELSE ranked.amount_overdue END)"
        )
        if rule == "amount":
            return amount
        if rule == "amount_days":
            return SQL("%s * %s", amount, lateness)
        return SQL("ranked.risk_score / 100.0 * %s * %s", amount, lateness)

    @api.model
    def _get_rule_label(self, rule):
        return dict(WORKLIST_RULES).get(rule, rule)

    @api.model
    @api.readonly
    def get_empty_list_help(self, help_message):
        """The empty list says "Nothing to chase" only when nothing is overdue in the company;
        otherwise the customers overdue are waiting (a promise, a plan, a pause, a dispute, a
        call planned) or left out by the filters (My Actions)."""
        self.check_access("read")
        company = self.env.company
        items = self.env["receivable.facts"]._open_items_query(company=company, as_of=False)
        [(amount,)] = self.env.execute_query(
            SQL(
                """
                SELECT SUM(overdue.amount)
                  FROM (SELECT SUM(item.amount_residual) AS amount
                          FROM (%s) item
                         WHERE item.days_late > 0
                      GROUP BY item.partner_id) overdue
                 WHERE overdue.amount > 0
                """,
                items,
            )
        )
        if not amount:
            return super().get_empty_list_help(help_message)
        return Markup('<p class="o_view_nocontent_empty_folder">%s</p><p>%s</p>') % (
            self.env._("No action in this list"),
            self.env._(
                "%(amount)s is overdue: each customer owing it waits on a promise, a payment "
                "plan, a pause, a dispute or a planned call, or is left out by the filters "
                "(My Actions: the rows of your customers). Remove the filters to see every "
                "action of the company.",
                amount=format_amount(self.env, amount, company.currency_id),
            ),
        )

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_log_call(self, result=None):
        """Log the result of a call to the customer of the row.

        ``reached`` and ``no_answer`` are logged at once (one click); ``promise`` and ``dispute``
        open the small call-result form, prefilled (the promised amount defaults to the overdue
        amount, the disputed invoice to the row's invoice).
        """
        self.ensure_one()
        result = result or self.env.context.get("call_result")
        wizard_model = self.env["receivable.call.result"]
        values = self._prepare_call_result_values(result)
        if result in ("reached", "no_answer"):
            wizard_model.create(values).action_confirm()
            return {"type": "ir.actions.client", "tag": "soft_reload"}
        return {
            "type": "ir.actions.act_window",
            "name": dict(CALL_RESULTS).get(result, self.env._("Call Result")),
            "res_model": "receivable.call.result",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {f"default_{name}": value for name, value in values.items()},
        }

    def action_call_reached(self):
        return self.action_log_call("reached")

    def action_call_promise(self):
        return self.action_log_call("promise")

    def action_call_dispute(self):
        return self.action_log_call("dispute")

    def action_call_no_answer(self):
        return self.action_log_call("no_answer")

    def action_open_followup(self):
        """Open the customer's follow-up cockpit in the row's company."""
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_open_receivable_followup()

    def action_open_source(self):
        """Open what the action is about: the reminder, the promise, the invoice, the open
        items of credits to allocate, or the customer."""
        self.ensure_one()
        if self.kind == "credits":
            return self.action_allocate_credits()
        record = self.reminder_id or self.promise_id or self.move_id or self.partner_id
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_allocate_credits(self):
        """The customer's open items in the company and its branches (its credits and its
        invoices), to match them: the drill-down of the facts' open items."""
        self.ensure_one()
        domain = self.env["receivable.facts"]._open_items_domain(
            self.company_id, [self.partner_id.id]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credits to Allocate: %s", self.partner_id.display_name),
            "res_model": "account.move.line",
            "view_mode": "list",
            "views": [(self.env.ref("account.view_move_line_tree").id, "list")],
            "domain": list(domain),
            "context": {"create": False},
            "target": "current",
        }

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _prepare_call_result_values(self, result):
        self.ensure_one()
        values = {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "result": result,
            "activity_id": self.activity_id.id or False,
        }
        if result == "promise":
            values["promise_amount"] = self.amount_overdue or self.amount or 0.0
        if result == "dispute" and self.move_id:
            values["move_ids"] = [self.move_id.id]
        return values
