"""The customer's follow-up status: what a collector has to do about it, and when.

Three states, read live from the receivable facts (``receivable.facts``) of the current
company and its branches, so that they are right at any time of the day, right after a
payment, a promise or a dispute (nothing waits for a nightly run):

* **Needs Action Today** (``needs_action``): an overdue amount (the facts' rule: the items past
  due, credits included) and no reason to wait; next action: today.
* **Waiting** (``waiting``): an overdue amount, but the customer's reminders are paused
  (``dunning_paused_until`` today or later), a collector asked to come back to it later
  (``receivable_remind_again_on`` after today), or every overdue invoice is held by an open
  promise to pay, an active payment plan or a dispute; next action: the earliest of the
  promise date, the pause's last day, the remind-again date, the plan's next instalment and
  the disputes' follow-up date (dispute date + the company's follow-up delay).
* **Nothing to Do** (``nothing``): nothing overdue; no next action date.

The next reminder date of the ladder is not part of the next action date: it needs the
ladder's evaluation, too costly for a list (a customer that needs action and is not reminded
yet is today's work anyway).

Both fields are computed for a page of customers in one query and searchable (one query);
the status is also groupable (its SQL is a CASE over the same query).
"""

import operator

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

FOLLOWUP_STATUSES = [
    ("needs_action", "Needs Action Today"),
    ("waiting", "Waiting"),
    ("nothing", "Nothing to Do"),
]
DATE_OPERATORS = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class ResPartner(models.Model):
    """Follow-up status, next action date and the collector's "remind again on" date."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    # The collector is defined with the dunning (res_partner_dunning.py): tracked here, as the
    # follow-up's responsible person.
    receivable_collector_id = fields.Many2one(tracking=True)
    receivable_remind_again_on = fields.Date(
        string="Remind Again On",
        company_dependent=True,
        tracking=True,
        help="A collector's next look at this customer: no reminder is sent and the customer "
        "does not need action before this date. Unlike a pause (a decision about the "
        "customer, with a reason), it is the collector's own follow-up date.",
    )
    receivable_followup_status = fields.Selection(
        FOLLOWUP_STATUSES,
        string="Follow-up Status",
        compute="_compute_receivable_followup_status",
        search="_search_receivable_followup_status",
        help="Needs Action Today: money overdue and nothing to wait for. Waiting: money "
        "overdue, but a promise to pay, a pause, a remind-again date, a payment plan or a "
        "dispute holds it. Nothing to Do: nothing overdue.",
    )
    receivable_next_action_date = fields.Date(
        string="Next Follow-up",
        compute="_compute_receivable_followup_status",
        search="_search_receivable_next_action_date",
        help="Today when the customer needs action; when waiting, the earliest of the "
        "promise date, the end of the pause, the remind-again date, the payment plan's next "
        "instalment and the disputes' follow-up date.",
    )

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_receivable_followup_status(self):
        partners = self.commercial_partner_id._origin
        rows = self._followup_status_rows(partners.ids) if partners else {}
        for partner in self:
            status, next_date = rows.get(
                partner.commercial_partner_id._origin.id, ("nothing", False)
            )
            partner.receivable_followup_status = status
            partner.receivable_next_action_date = next_date

    # ------------------------------------------------------------------------------------------
    # Search
    # ------------------------------------------------------------------------------------------
    def _search_receivable_followup_status(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        wanted = {value} if isinstance(value, str) else set(value or ())
        rows = self._followup_status_rows()
        owing = set(rows)
        ids = {partner_id for partner_id, (status, _date) in rows.items() if status in wanted}
        if "nothing" in wanted:
            # Nothing to do: every customer without an overdue amount.
            domain = Domain("commercial_partner_id", "not in", list(owing - ids))
        else:
            domain = Domain("commercial_partner_id", "in", list(ids))
        return ~domain if operator == "not in" else domain

    def _search_receivable_next_action_date(self, operator, value):
        if operator in ("in", "not in"):
            values = set(value)
            dated = {
                partner_id
                for partner_id, (_status, date) in self._followup_status_rows().items()
                if date and date in values
            }
            domain = Domain("commercial_partner_id", "in", list(dated))
            if False in values:
                domain |= self._search_receivable_next_action_date("=", False)
            return ~domain if operator == "not in" else domain
        if operator not in DATE_OPERATORS:
            return NotImplemented
        rows = self._followup_status_rows()
        if not value:
            # "is set" / "is not set": the customers with a next action are those owing money.
            domain = Domain("commercial_partner_id", "in", list(rows))
            return domain if operator == "!=" else ~domain
        value = fields.Date.to_date(value)
        compare = DATE_OPERATORS[operator]
        ids = [
            partner_id
            for partner_id, (_status, date) in rows.items()
            if date and compare(date, value)
        ]
        return Domain("commercial_partner_id", "in", ids)

    def _field_to_sql(self, alias, field_expr, query=None):
        """The follow-up status in SQL (a CASE over the status query), so that a list can be
        grouped and sorted by it."""
        if field_expr != "receivable_followup_status":
            return super()._field_to_sql(alias, field_expr, query)
        commercial = super()._field_to_sql(alias, "commercial_partner_id", query)
        statuses = self._followup_status_query()

        def having(status):
            return SQL(
                "%s = ANY(ARRAY(SELECT status.partner_id FROM (%s) status"
                " WHERE status.followup_status = %s))",
                commercial,
                statuses,
                status,
            )

        return SQL(
            "(CASE WHEN %s THEN 'needs_action' WHEN %s THEN 'waiting' ELSE 'nothing' END)",
            having("needs_action"),
            having("waiting"),
        )

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("receivable_remind_again_on")
    def _check_receivable_remind_again_on(self):
        today = fields.Date.context_today(self)
        for partner in self:
            date = partner.receivable_remind_again_on
            if date and date < today:
                raise ValidationError(
                    self.env._(
                        "%(field)s: %(partner)s cannot be reminded again in the past.",
                        field=self._fields["receivable_remind_again_on"]._description_string(
                            self.env
                        ),
                        partner=partner.display_name,
                    )
                )

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model
    def _commercial_fields(self):
        return [*super()._commercial_fields(), "receivable_remind_again_on"]

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    @api.private
    def _followup_status_rows(self, partner_ids=None):
        """``{commercial partner id: (status, next action date)}`` of the customers owing an
        overdue amount in the current company (``partner_ids``: only those); the others have
        nothing to do."""
        rows = self.env.execute_query(self._followup_status_query(partner_ids))
        return {partner_id: (status, date) for partner_id, status, date in rows}

    @api.private
    def _followup_status_query(self, partner_ids=None):
        """SQL of (partner_id, followup_status, next_action_date) of the commercial partners
        with an overdue amount today in the current company and its branches."""
        facts = self.env["receivable.facts"]
        company = self.env.company
        today = fields.Date.context_today(self)
        scope = facts._scope_company_ids(company)
        move = self.env["account.move"]
        promise = self.env["receivable.promise"]
        plan_line = self.env["receivable.payment.plan.line"]
        paused = facts._col("res.partner", "cp", "dunning_paused_until", company)
        remind = facts._col("res.partner", "cp", "receivable_remind_again_on", company)
        waiting = SQL(
            "(COALESCE(%(paused)s >= %(today)s::date, FALSE)"
            " OR COALESCE(%(remind)s > %(today)s::date, FALSE)"
            " OR owed.unheld = 0)",
            paused=paused,
            remind=remind,
            today=today,
        )
        return SQL(
            """
            WITH owed AS (
                SELECT item.partner_id,
                       COUNT(*) FILTER (
                           WHERE item.days_late > 0 AND item.amount_residual > 0
                             AND NOT (item.dispute OR item.promised OR item.in_plan)
                       ) AS unheld,
                       MIN(%(dispute_date)s) FILTER (
                           WHERE item.days_late > 0 AND item.amount_residual > 0 AND item.dispute
                       ) AS dispute_date
                  FROM (%(items)s) item
             LEFT JOIN account_move dmove ON dmove.id = item.move_id
              GROUP BY item.partner_id
                HAVING SUM(item.amount_residual) FILTER (WHERE item.days_late > 0) > 0
            )
            SELECT owed.partner_id,
                   CASE WHEN %(waiting)s THEN 'waiting' ELSE 'needs_action' END
                       AS followup_status,
                   CASE WHEN %(waiting)s THEN LEAST(
                            promise.next_date,
                            plan.next_date,
                            CASE WHEN %(paused)s >= %(today)s::date THEN %(paused)s END,
                            CASE WHEN %(remind)s > %(today)s::date THEN %(remind)s END,
                            (owed.dispute_date + %(dispute_days)s)::date
                        )
                        ELSE %(today)s::date
                   END AS next_action_date
              FROM owed
              JOIN res_partner cp ON cp.id = owed.partner_id
         LEFT JOIN (
                   SELECT promise.partner_id, MIN(promise.promise_date) AS next_date
                     FROM receivable_promise promise
                    WHERE promise.state = 'open'
                      AND promise.promise_date >= %(today)s::date
                      AND promise.company_id IN %(scope)s
                 GROUP BY promise.partner_id
                   ) promise ON promise.partner_id = owed.partner_id
         LEFT JOIN (
                   SELECT plan.partner_id, MIN(line.date) AS next_date
                     FROM receivable_payment_plan plan
                     JOIN receivable_payment_plan_line line ON line.plan_id = plan.id
                    WHERE plan.state = 'active'
                      AND line.state = 'pending'
                      AND plan.company_id IN %(scope)s
                 GROUP BY plan.partner_id
                   ) plan ON plan.partner_id = owed.partner_id
            """,
            items=facts._open_items_query(today, company, partner_ids, as_of=False),
            dispute_date=facts._col("account.move", "dmove", "receivable_dispute_date"),
            waiting=waiting,
            paused=paused,
            remind=remind,
            today=today,
            dispute_days=max(company.receivable_dispute_followup_days, 0),
            scope=scope,
            to_flush=[
                *(
                    promise._fields[name]
                    for name in ("partner_id", "state", "promise_date", "company_id")
                ),
                *(plan_line._fields[name] for name in ("plan_id", "state", "date")),
                *(
                    self.env["receivable.payment.plan"]._fields[name]
                    for name in ("partner_id", "company_id", "state")
                ),
                move._fields["receivable_dispute_date"],
            ],
        )
