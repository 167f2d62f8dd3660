from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import format_date

from .input_checks import context_date
from .input_checks import future_date_message
from .input_checks import parse_date
from .receivable_grouped_read import ReceivableGroupedReadMixin
from .receivable_security import check_receivable_group

# Bucket columns of the model: "not due" + up to 6 overdue intervals (the last one open-ended).
MAX_BUCKETS = 7
BUCKET_KEYS = [f"b{index}" for index in range(MAX_BUCKETS)]
BUCKET_AMOUNTS = [f"amount_{key}" for key in BUCKET_KEYS]
# Context key of the as-of date (a date string); without it, today.
AGING_DATE_KEY = "receivable_aging_date"
# Context key telling the list view how many bucket columns the company uses.
BUCKET_COUNT_KEY = "receivable_aging_bucket_count"
# Context key set when the as-of date is in the past: the list hides today's predictions.
AGING_PAST_KEY = "receivable_aging_past"
# The rows change with the as-of date and the company (its buckets): so does their cache.
AGING_CONTEXT = (AGING_DATE_KEY, "company")
# Context keys with which res.partner's display_name is more than its stored complete_name.
PARTNER_NAME_CONTEXT = (
    "show_address",
    "show_email",
    "show_vat",
    "partner_show_db_id",
    "formatted_display_name",
)


def _bucket_amount(label):
    """A bucket column: the amount due of the rows in that bucket, else 0 (company currency).
    ``fields_get`` relabels it after the company's intervals."""
    return fields.Monetary(
        string=label,
        currency_field="company_currency_id",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )


class ReceivableAging(models.Model):
    """Aged receivables: one row per open receivable journal item, with its bucket.

    A row is a posted, unreconciled line of a receivable account: invoices, but also unapplied
    payments and open credit notes (negative amounts), so a partner's total equals Odoo's own
    ``res.partner.credit``. The view is an SQL query built per request:

    * the date comes from the context key ``receivable_aging_date``; without it (or when it is
      today) the *live* path reads the stored ``amount_residual`` of the unreconciled lines
      (partial index ``account_move_line (account_id, partner_id) WHERE reconciled IS NOT
      TRUE``); for a past date the *as-of* path takes the lines dated up to that date and
      subtracts the partial reconciliations whose ``max_date`` is up to that date, aggregated
      once per line (payments and matchings after that date are ignored);
    * the buckets are those of the current company (``res.company.receivable_aging_buckets``):
      a view mixing several companies uses the buckets of the company selected in the switcher.

    The web client's grouped reads (list by customer, pivot) go through the fast paths of
    ``receivable.grouped.read.mixin``; the bucket sums and the customers' labels are its hooks.
    """

    _name = "receivable.aging"
    # The mixin's class is imported above, so it is defined before the aging whatever the
    # order of models/__init__.py.
    _inherit = [ReceivableGroupedReadMixin._name]
    _description = "Aged Receivables"
    _auto = False
    _rec_name = "move_name"
    _order = "partner_id, date_maturity, id"

    company_id = fields.Many2one(
        "res.company", string="Company", readonly=True, depends_context=AGING_CONTEXT
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, depends_context=AGING_CONTEXT
    )
    move_id = fields.Many2one(
        "account.move", string="Journal Entry", readonly=True, depends_context=AGING_CONTEXT
    )
    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", readonly=True, depends_context=AGING_CONTEXT
    )
    move_name = fields.Char(string="Number", readonly=True, depends_context=AGING_CONTEXT)
    move_type = fields.Selection(
        selection="_selection_move_type",
        string="Type",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    invoice_user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, depends_context=AGING_CONTEXT
    )
    country_id = fields.Many2one(
        "res.country", string="Country", readonly=True, depends_context=AGING_CONTEXT
    )
    currency_id = fields.Many2one(
        "res.currency", string="Currency", readonly=True, depends_context=AGING_CONTEXT
    )
    company_currency_id = fields.Many2one(
        "res.currency", string="Company Currency", readonly=True, depends_context=AGING_CONTEXT
    )
    date = fields.Date(string="Accounting Date", readonly=True, depends_context=AGING_CONTEXT)
    invoice_date = fields.Date(string="Invoice Date", readonly=True, depends_context=AGING_CONTEXT)
    date_maturity = fields.Date(string="Due Date", readonly=True, depends_context=AGING_CONTEXT)
    days_overdue = fields.Integer(
        string="Days Past Due", readonly=True, depends_context=AGING_CONTEXT, aggregator=None
    )
    amount_residual = fields.Monetary(
        string="Amount Due",
        currency_field="company_currency_id",
        readonly=True,
        depends_context=AGING_CONTEXT,
        aggregator="sum",
    )
    amount_residual_currency = fields.Monetary(
        string="Amount Due in Currency",
        currency_field="currency_id",
        readonly=True,
        depends_context=AGING_CONTEXT,
        aggregator=None,
    )
    amount_overdue = fields.Monetary(
        string="Overdue",
        currency_field="company_currency_id",
        readonly=True,
        depends_context=AGING_CONTEXT,
        aggregator="sum",
        help="The amount due of the rows past their due date: the aging opens with the "
        "customers owing the most overdue first.",
    )
    bucket = fields.Selection(
        selection="_selection_bucket", string="Bucket", readonly=True, depends_context=AGING_CONTEXT
    )
    amount_b0 = _bucket_amount("Not Due")
    amount_b1 = _bucket_amount("1-30")
    amount_b2 = _bucket_amount("31-60")
    amount_b3 = _bucket_amount("61-90")
    amount_b4 = _bucket_amount("> 90")
    amount_b5 = _bucket_amount("Bucket 6")
    amount_b6 = _bucket_amount("Bucket 7")
    dunning_level_id = fields.Many2one(
        "receivable.dunning.level",
        string="Dunning Level",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    dispute = fields.Boolean(string="In Dispute", readonly=True, depends_context=AGING_CONTEXT)
    expected_date = fields.Date(
        string="Expected Payment",
        readonly=True,
        depends_context=AGING_CONTEXT,
        help="Predicted from the customer's payment history (the company's when it has none).",
    )
    factor_id = fields.Many2one(
        "res.partner", string="Assigned to Factor", readonly=True, depends_context=AGING_CONTEXT
    )
    agency_state = fields.Selection(
        selection="_selection_agency_state",
        string="Agency Status",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    promised = fields.Boolean(
        string="Promised",
        readonly=True,
        depends_context=AGING_CONTEXT,
        help="An open promise to pay covers the customer's account or this invoice.",
    )
    on_hold = fields.Boolean(string="On Credit Hold", readonly=True, depends_context=AGING_CONTEXT)

    # Raw SQL: the ORM flushes these before reading the view.
    _depends = {
        "account.move": [
            "name",
            "move_type",
            "invoice_user_id",
            "invoice_date",
            "receivable_dunning_level_id",
            "receivable_dispute",
            "receivable_factor_id",
            "receivable_agency_state",
            "receivable_expected_payment_date",
        ],
        "account.move.line": [
            "move_id",
            "account_id",
            "company_id",
            "company_currency_id",
            "currency_id",
            "partner_id",
            "parent_state",
            "date",
            "date_maturity",
            "balance",
            "amount_currency",
            "amount_residual",
            "amount_residual_currency",
            "reconciled",
        ],
        "account.account": ["account_type"],
        "account.partial.reconcile": [
            "debit_move_id",
            "credit_move_id",
            "amount",
            "debit_amount_currency",
            "credit_amount_currency",
            "max_date",
        ],
        "res.partner": ["commercial_partner_id", "country_id", "credit_on_hold"],
        "receivable.promise": ["partner_id", "company_id", "state", "move_ids"],
    }

    # ------------------------------------------------------------------------------------------
    # Selections and labels
    # ------------------------------------------------------------------------------------------
    @api.model
    def _selection_move_type(self):
        return self.env["account.move"]._fields["move_type"]._description_selection(self.env)

    @api.model
    def _selection_agency_state(self):
        field = self.env["account.move"]._fields["receivable_agency_state"]
        return field._description_selection(self.env)

    @api.model
    def _selection_bucket(self):
        return list(zip(BUCKET_KEYS, self._get_bucket_labels(), strict=False))

    @api.model
    def _get_bucket_bounds(self):
        """Upper bounds (days past due) of the overdue buckets of the current company."""
        return self.env.company._get_receivable_aging_bounds()

    @api.model
    def _get_bucket_labels(self):
        """Labels of the buckets in use, in order: "Not Due", "1-30", …, "> 90".

        One label per bucket of the current company (bounds + 2), i.e. per used column
        ``amount_b0`` … ``amount_bN``; the columns beyond are unused (always 0).
        """
        bounds = self._get_bucket_bounds()
        labels = [self.env._("Not Due")]
        low = 1
        for bound in bounds:
            labels.append(f"{low}-{bound}")
            low = bound + 1
        labels.append(f"> {bounds[-1]}")
        return labels

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """Label the bucket columns after the current company's intervals. The unused ones are
        labelled "—" and have no aggregator: the list does not sum them and the pivot does not
        offer them as measures."""
        result = super().fields_get(allfields, attributes)
        labels = self._get_bucket_labels()
        for index in range(MAX_BUCKETS):
            description = result.get(f"amount_b{index}")
            if description is None:
                continue
            if index >= len(labels):
                description.pop("aggregator", None)
            if "string" in description:
                description["string"] = labels[index] if index < len(labels) else "—"
        return result

    @api.model
    def _get_view_cache_key(self, view_id=None, view_type="form", **options):
        """The pivot's measures follow the company's buckets (see ``_get_view``)."""
        key = super()._get_view_cache_key(view_id, view_type, **options)
        return (*key, len(self._get_bucket_labels()))

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """Keep in the pivot the measures of the buckets the current company uses."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "pivot":
            for index in range(len(self._get_bucket_labels()), MAX_BUCKETS):
                for node in arch.xpath(f"//field[@name='amount_b{index}'][@type='measure']"):
                    node.getparent().remove(node)
        return arch, view

    # ------------------------------------------------------------------------------------------
    # Hooks of the fast grouped reads (receivable.grouped.read.mixin)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _group_label_columns(self):
        """The customer of a row is a commercial entity, whose ``display_name`` is its stored
        ``complete_name`` unless the context asks for more (address, email…): then Odoo's
        formatter."""
        if any(self.env.context.get(key) for key in PARTNER_NAME_CONTEXT):
            return {}
        return {"partner_id": "complete_name"}

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        """The sums of the bucket columns, see ``_bucket_sum_sql``."""
        fname = aggregate_spec.removesuffix(":sum")
        if fname != aggregate_spec and fname in BUCKET_AMOUNTS:
            bucket_sum = self._bucket_sum_sql(fname, query)
            if bucket_sum is not None:
                return bucket_sum
        return super()._read_group_select(aggregate_spec, query)

    @api.model
    def _bucket_sum_sql(self, fname, query):
        """The sum of a bucket column as the sum of the amounts of that bucket's rows: every
        row adds its amount to one sum, not a zero to each of the others. None for a column
        the company does not use."""
        conditions = self._bucket_conditions(self._field_to_sql(self._table, "days_overdue", query))
        index = BUCKET_AMOUNTS.index(fname)
        if index >= len(conditions):
            return None
        return SQL(
            "COALESCE(SUM(%s) FILTER (WHERE %s), 0)",
            self._field_to_sql(self._table, "amount_residual", query),
            conditions[index],
        )

    # ------------------------------------------------------------------------------------------
    # SQL
    # ------------------------------------------------------------------------------------------
    @api.model
    def _get_aging_date(self):
        """The as-of date of the view, and whether it is today (the live path)."""
        today = fields.Date.context_today(self)
        date = context_date(self.env, AGING_DATE_KEY) or today
        if date > today:
            # Today's open items aged at a later date are no figures of any day: refused as
            # the wizards refuse it, whoever built the context (a link, an RPC call).
            raise UserError(future_date_message(self.env, AGING_DATE_KEY, date))
        return date, date == today

    @property
    def _table_query(self):
        # The open items are the facts' (live today, from the matchings at a past date), every
        # company's: the record rules keep the user's companies.
        date, live = self._get_aging_date()
        lines = self.env["receivable.facts"]._open_items_query(date, as_of=not live)
        return self._buckets_query(lines, date)

    @api.model
    def _bucket_conditions(self, days):
        """One condition per bucket in use on ``days`` (days past due, or days overdue: the
        same for these intervals), (low, high], the first "<= 0", the last open-ended."""
        return self.env["receivable.facts"]._bucket_conditions(days, self._get_bucket_bounds())

    @api.model
    def _buckets_query(self, lines, date):
        """Wrap ``lines`` with the bucket of each row and its amount in its bucket column; an
        expected payment date already past counts as ``date`` (the money is still awaited)."""
        bounds = self._get_bucket_bounds()
        # (key, condition) per used bucket, the last one open-ended.
        conditions = [("b0", SQL("lines.days_late <= 0"))]
        conditions += [
            (BUCKET_KEYS[index], SQL("lines.days_late <= %s", bound))
            for index, bound in enumerate(bounds, start=1)
        ]
        bucket = SQL(
            "CASE %s ELSE %s END",
            SQL(" ").join(SQL("WHEN %s THEN %s", cond, key) for key, cond in conditions),
            BUCKET_KEYS[len(bounds) + 1],
        )
        # Each column tests its own interval (no nested CASE): (low, high] in days past due.
        ranges = self._bucket_conditions(SQL("lines.days_late"))
        amounts = [
            SQL(
                "CASE WHEN %s THEN lines.amount_residual ELSE 0 END AS %s",
                ranges[index],
                SQL.identifier(f"amount_{key}"),
            )
            if index < len(ranges)
            else SQL("0::numeric AS %s", SQL.identifier(f"amount_{key}"))
            for index, key in enumerate(BUCKET_KEYS)
        ]
        return SQL(
            """
            SELECT lines.id, lines.move_line_id, lines.move_id, lines.move_name,
                   lines.move_type, lines.company_id, lines.partner_id, lines.invoice_user_id,
                   lines.country_id, lines.currency_id, lines.company_currency_id, lines.date,
                   lines.invoice_date, lines.date_maturity,
                   GREATEST(lines.days_late, 0) AS days_overdue,
                   lines.amount_residual, lines.amount_residual_currency,
                   CASE WHEN lines.days_late > 0 THEN lines.amount_residual ELSE 0 END
                       AS amount_overdue,
                   %(bucket)s AS bucket,
                   %(amounts)s,
                   lines.dunning_level_id, lines.dispute, lines.factor_id, lines.agency_state,
                   lines.promised, lines.on_hold,
                   CASE WHEN lines.expected_date IS NOT NULL
                        THEN GREATEST(lines.expected_date, %(date)s::date) END AS expected_date
              FROM (%(lines)s) lines
            """,
            date=date,
            bucket=bucket,
            amounts=SQL(", ").join(amounts),
            lines=lines,
        )

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    @api.model
    def action_open_aging(self, date=None, domain=None, name=None):
        """The "Aged Receivables" action at ``date`` (None: today), optionally filtered.

        The context carries the as-of date and the number of bucket columns of the current
        company, so the list shows exactly those columns.
        """
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_control.action_receivable_aging"
        )
        context = {
            "search_default_group_by_partner": 1,
            BUCKET_COUNT_KEY: len(self._get_bucket_labels()),
        }
        date = parse_date(self.env, date, "date")
        if date:
            context[AGING_DATE_KEY] = fields.Date.to_string(date)
            # The expected payment dates are today's predictions: meaningless in the past.
            context[AGING_PAST_KEY] = date < fields.Date.context_today(self)
            action["name"] = self.env._(
                "Aged Receivables at %(date)s", date=format_date(self.env, date)
            )
        if name:
            action["name"] = name
        action["context"] = context
        if domain:
            action["domain"] = domain
        return action

    def action_open_move(self):
        """Open the invoice (or entry) of the row."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_open_followup(self):
        """Open the follow-up of the customer of the row."""
        check_receivable_group(self.env)
        self.ensure_one()
        return self.partner_id.action_open_receivable_followup()

    def action_open_partner(self):
        """Open the customer of the row."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
