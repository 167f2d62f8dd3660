import gc
import math
from contextlib import contextmanager
from operator import itemgetter

from odoo import api
from odoo import fields
from odoo import models
from odoo import tools
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools import Query
from odoo.tools import format_date

from .input_checks import context_date
from .input_checks import future_date_message
from .input_checks import parse_date

# Bucket columns of the model: "not due" + up to 6 overdue intervals (the last one open-ended).
MAX_BUCKETS = 7
BUCKET_KEYS = [f"b{index}" for index in range(MAX_BUCKETS)]
BUCKET_AMOUNTS = [f"amount_{key}" for key in BUCKET_KEYS]
# Context key of the as-of date (a date string); without it, today.
AGING_DATE_KEY = "receivable_aging_date"
# Context key telling the list view how many bucket columns the company uses.
BUCKET_COUNT_KEY = "receivable_aging_bucket_count"
# The rows change with the as-of date and the company (its buckets): so does their cache.
AGING_CONTEXT = (AGING_DATE_KEY, "company")
# Internal aggregate of the grouped list: the number of groups, read with the groups themselves.
GROUP_TOTAL = "__group_total"
# Above this many company currencies, the currency aggregates go back to Odoo's generic SQL.
MAX_CURRENCY_TERMS = 10
# Context keys with which res.partner's display_name is more than its stored complete_name.
PARTNER_NAME_CONTEXT = (
    "show_address",
    "show_email",
    "show_vat",
    "partner_show_db_id",
    "formatted_display_name",
)


def _int_array(ids):
    """A PostgreSQL array literal of ids, to pass as ``%s::int[]``: for tens of thousands of
    ids, far cheaper for psycopg2 to send than a Python list."""
    return "{" + ",".join(map(str, ids)) + "}"


@contextmanager
def _cyclic_gc_paused():
    """Pause the cyclic garbage collector in the block (reference counting still frees
    memory); it resumes whatever happens."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _and_domains(domains):
    """Odoo's ``AND`` of the groups' domains: conditions joined with "&" when each domain is
    one condition (always so for the fields grouped here), else normalised by Domain."""
    if len(domains) == 1 and len(domains[0]) == 1 and isinstance(domains[0][0], tuple):
        return domains[0]
    leaves = [domain[0] for domain in domains if len(domain) == 1 and isinstance(domain[0], tuple)]
    if len(leaves) == len(domains):
        return ["&"] * (len(leaves) - 1) + leaves
    return list(Domain.AND(domains))


def _sum_values(values):
    """SUM of groups: their exact float sum; False (SQL NULL) when none has a value."""
    # False counts as 0 in the sum.
    return math.fsum(values) if any(value is not False for value in values) else False


def _min_values(values):
    present = [value for value in values if value is not False and value is not None]
    return min(present) if present else False


def _max_values(values):
    present = [value for value in values if value is not False and value is not None]
    return max(present) if present else False


def _union_values(values):
    """ARRAY_AGG(DISTINCT … ORDER BY …) of groups: the sorted union of their arrays."""
    return sorted({item for value in values for item in value}, key=lambda v: (v is None, v))


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
    """

    _name = "receivable.aging"
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
        "account.move",
        string="Journal Entry",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Journal Item",
        readonly=True,
        depends_context=AGING_CONTEXT,
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
        "res.currency",
        string="Company Currency",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    date = fields.Date(string="Accounting Date", readonly=True, depends_context=AGING_CONTEXT)
    invoice_date = fields.Date(string="Invoice Date", readonly=True, depends_context=AGING_CONTEXT)
    date_maturity = fields.Date(string="Due Date", readonly=True, depends_context=AGING_CONTEXT)
    days_overdue = fields.Integer(
        string="Days Past Due",
        readonly=True,
        depends_context=AGING_CONTEXT,
        aggregator=None,
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
    bucket = fields.Selection(
        selection="_selection_bucket",
        string="Bucket",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    amount_b0 = fields.Monetary(
        string="Not Due",
        currency_field="company_currency_id",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    amount_b1 = fields.Monetary(
        string="1-30",
        currency_field="company_currency_id",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    amount_b2 = fields.Monetary(
        string="31-60",
        currency_field="company_currency_id",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    amount_b3 = fields.Monetary(
        string="61-90",
        currency_field="company_currency_id",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    amount_b4 = fields.Monetary(
        string="> 90",
        currency_field="company_currency_id",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    amount_b5 = fields.Monetary(
        string="Bucket 6",
        currency_field="company_currency_id",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
    amount_b6 = fields.Monetary(
        string="Bucket 7",
        currency_field="company_currency_id",
        readonly=True,
        depends_context=AGING_CONTEXT,
    )
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
        "res.partner",
        string="Assigned to Factor",
        readonly=True,
        depends_context=AGING_CONTEXT,
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

    @api.model
    def search_fetch(self, domain, field_names=None, offset=0, limit=None, order=None):
        """Read the rows afresh at each search: they are computed from the ledger, which may
        have changed in this transaction since they were last read (a payment, a matching)."""
        self.invalidate_model()
        return super().search_fetch(domain, field_names, offset=offset, limit=limit, order=order)

    # ------------------------------------------------------------------------------------------
    # Grouped reads of the web client (the list grouped by customer, the pivot)
    #
    # On a million open lines, Odoo's generic way costs several times the aggregate itself:
    # it groups every line a second time to count the groups of the list's pager; the
    # currency aggregates the web client adds to every monetary sum make PostgreSQL sort all
    # the lines (a DISTINCT aggregate) and divide each of them by a rate; the pivot's GROUPING
    # SETS run without parallel workers and join the customers to every line to sort them by
    # name; and the customers' names are computed in Python one by one. The overrides below
    # give the same results (tests/test_aging_web.py compares them with Odoo's own code) in
    # about the time of the aggregate (bench/bench_aging.py).
    # ------------------------------------------------------------------------------------------
    def _formatted_read_group_with_length(
        self, domain, groupby, aggregates, offset=0, limit=None, order=None
    ):
        """A page of groups and the total number of groups in ONE query: the number is a
        window over the grouped rows, ``COUNT(*) OVER ()``, that PostgreSQL evaluates before the
        LIMIT (Odoo groups every line again to count them)."""
        if not limit or self._web_read_group_field_expand(groupby):
            return super()._formatted_read_group_with_length(
                domain, groupby, aggregates, offset=offset, limit=limit, order=order
            )
        groups = self.formatted_read_group(
            domain,
            groupby,
            [*aggregates, GROUP_TOTAL],
            offset=offset,
            limit=limit,
            order=order,
        )
        # No group (past the last page too): 0, as Odoo says.
        length = groups[0][GROUP_TOTAL] if groups else 0
        for group in groups:
            del group[GROUP_TOTAL]
        return groups, length

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        """The group count of the list's pager, the sums of the bucket columns, and the web
        client's currency aggregates of the amounts in company currency computed from the plain
        sums (see below)."""
        if aggregate_spec == GROUP_TOTAL:
            return SQL("COUNT(*) OVER ()")
        if aggregate_spec != "__count":
            fname, __, func = models.parse_read_group_spec(aggregate_spec)
            field = self._fields.get(fname)
            if func == "sum" and fname in BUCKET_AMOUNTS:
                return self._bucket_sum_sql(fname, query) or super()._read_group_select(
                    aggregate_spec, query
                )
            if func == "array_agg_distinct" and fname == "company_currency_id":
                return self._company_currencies_sql(query) or super()._read_group_select(
                    aggregate_spec, query
                )
            if (
                func == "sum_currency"
                and field is not None
                and field.type == "monetary"
                and field.get_currency_field(self) == "company_currency_id"
            ):
                return self._sum_in_root_currency_sql(fname, query) or super()._read_group_select(
                    aggregate_spec, query
                )
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

    def _read_group_postprocess_aggregate(self, aggregate_spec, raw_values):
        if aggregate_spec == GROUP_TOTAL:
            return iter(raw_values)
        return super()._read_group_postprocess_aggregate(aggregate_spec, raw_values)

    @api.model
    @api.readonly
    def formatted_read_grouping_sets(self, domain, grouping_sets, aggregates=(), *, order=None):
        """The pivot's groups, built with the cyclic garbage collector paused: they are tens
        of thousands of tuples and dicts without cycles, whose creation would otherwise set off
        dozens of collections, each scanning the worker's whole memory (Odoo pauses it the same
        way when it loads a registry)."""
        with _cyclic_gc_paused():
            return super().formatted_read_grouping_sets(
                domain, grouping_sets, aggregates, order=order
            )

    @api.model
    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        """The pivot's grouping sets rolled up in Python from the finest one.

        PostgreSQL computes ``GROUPING SETS`` without parallel workers, in twice the time of a
        grouped read of the finest set, and sorts the groups of a many2one by joining its model
        to every line (the customers' names). Here: one ``_read_group`` of the finest set, by
        raw values; every other set rolled up from its rows; each set sorted in the requested
        order by ranks read once per grouped field (a many2one's records in its model's order,
        texts in the database's collation). The web client repeats the currency aggregates for
        every measure: each distinct one is read once. Otherwise (no finest set, an aggregate
        that does not add up like an average, a field that cannot be ranked), Odoo's query.
        """
        finest = self._finest_grouping_set(grouping_sets)
        terms = finest and self._rollup_order_terms(finest, order)
        same_aggregate = self._same_aggregates(aggregates)
        specs = list(dict.fromkeys(same_aggregate.values()))
        reducers = [self._rollup_reducer(spec) for spec in specs]
        if not terms or None in reducers:
            return super()._read_grouping_sets(domain, grouping_sets, aggregates, order=order)
        rows = self._read_group(domain, finest, specs)
        ranks = self._group_ranks(finest, rows, terms)
        positions = [specs.index(same_aggregate[spec]) for spec in aggregates]
        result = []
        for groupby in map(tuple, grouping_sets):
            width = len(groupby)
            columns = [*range(width), *(width + index for index in positions)]
            groups = self._roll_up_groups(rows, finest, groupby, reducers)
            groups = self._sort_groups(groups, groupby, terms, ranks)
            if len(columns) == 1:  # itemgetter of one index gives the value, not a tuple
                result.append([(group[columns[0]],) for group in groups])
            else:
                result.append(list(map(itemgetter(*columns), groups)))
        return result

    @api.model
    def _finest_grouping_set(self, grouping_sets):
        """The grouping set that holds every grouped field of the others, else None."""
        specs = {spec for groupby in grouping_sets for spec in groupby}
        if len(grouping_sets) < 2:
            return None
        return next((tuple(g) for g in grouping_sets if len(set(g)) == len(specs)), None)

    @api.model
    def _rollup_order_terms(self, finest, order):
        """``order`` as [(grouped field, descending, nulls first)] when every term is a grouped
        field that can be sorted in Python, else None."""
        terms = []
        for part in (order or "").split(","):
            words = part.split()
            if not words:
                continue
            spec, options = words[0], " ".join(words[1:]).upper()
            descending = options.startswith("DESC")
            direction = options.removeprefix("DESC" if descending else "ASC").strip()
            if direction not in ("", "NULLS FIRST", "NULLS LAST"):
                return None
            nulls_first = direction == "NULLS FIRST" if direction else descending
            if spec not in finest or self._group_value_kind(spec) is None:
                return None
            terms.append((spec, descending, nulls_first))
        return terms or None

    @api.model
    def _group_value_kind(self, spec):
        """How the values of a grouped field sort: "records" (a many2one, in its model's
        order), "text" (the database's collation), "natural" (numbers, dates and date
        periods, as in Python), or None (anything else: Odoo's query)."""
        fname, __, granularity = models.parse_read_group_spec(spec)
        field = self._fields.get(fname)
        if field is None or "." in spec:
            return None
        if granularity:
            # Periods (day … year) are their first day; the numbered parts are not all sorted
            # by their number (day_of_week follows the language's first day): Odoo's query.
            time_period = granularity in models.READ_GROUP_TIME_GRANULARITY
            return "natural" if time_period and field.type in ("date", "datetime") else None
        if field.type == "many2one":
            return "records"
        if field.type in ("selection", "char"):
            return "text"
        if field.type in ("integer", "float", "monetary", "date", "datetime"):
            return "natural"
        return None

    @api.model
    def _group_ranks(self, finest, rows, terms):
        """{grouped field: {value: rank}} for the ordered fields, from their values in
        ``rows`` (empty values apart: they sort as SQL NULLs)."""
        ranks = {}
        for spec, __, __ in terms:
            column = finest.index(spec)
            kind = self._group_value_kind(spec)
            if kind == "records":
                values = {row[column]._ids[0] for row in rows if row[column]}
                ordered = self._records_in_order(self._fields[spec].comodel_name, values)
                ranks[spec] = {record_id: rank for rank, record_id in enumerate(ordered)}
                continue
            values = {row[column] for row in rows if row[column] is not False}
            if kind == "text":
                in_collation = SQL("SELECT v FROM unnest(%s::text[]) AS v ORDER BY v", list(values))
                ordered = [value for (value,) in self.env.execute_query(in_collation)]
            else:
                ordered = sorted(values)
            ranks[spec] = {value: rank for rank, value in enumerate(ordered)}
        return ranks

    @api.model
    def _sort_groups(self, groups, groupby, terms, ranks):
        """The groups of ``groupby`` in the order of the terms on its fields, as SQL sorts the
        rows of a grouping set (the fields of other sets are NULL there)."""
        keys = []
        for spec, descending, nulls_first in terms:
            if spec not in groupby:
                continue
            column, spec_ranks = groupby.index(spec), ranks[spec]
            records = self._group_value_kind(spec) == "records"
            sign = -1 if descending else 1
            null_key = (0 if nulls_first else 2, 0)

            def key(
                group, column=column, ranks=spec_ranks, records=records, sign=sign, null=null_key
            ):
                value = group[column]
                if records:
                    return (1, sign * ranks[value._ids[0]]) if value else null
                return null if value is False else (1, sign * ranks[value])

            keys.append(key)
            if records and groupby == (spec,) and not descending:
                # One many2one in its model's order (the pivot's customers): placed by rank,
                # without comparing keys; the groups without a record last.
                placed = [None] * len(spec_ranks)
                for group in groups:
                    if group[0]:
                        placed[spec_ranks[group[0]._ids[0]]] = group
                placed = [group for group in placed if group is not None]
                empty = [group for group in groups if not group[0]]
                return empty + placed if nulls_first else placed + empty
        if len(keys) < 2:
            return sorted(groups, key=keys[0]) if keys else groups
        return sorted(groups, key=lambda group: tuple(key(group) for key in keys))

    @api.model
    def _records_in_order(self, comodel, record_ids):
        """``record_ids`` in the order of ``comodel`` (all records, without access rules:
        this only orders groups that the lines' query returned)."""
        Comodel = self.env[comodel]
        query = Query(self.env, Comodel._table, Comodel._table_sql)
        query.add_where(
            SQL("%s = ANY(%s::int[])", SQL.identifier(Comodel._table, "id"), _int_array(record_ids))
        )
        query.order = Comodel._order_to_sql(Comodel._order, query)
        Comodel.flush_model()
        if comodel != "res.partner":
            return [record_id for (record_id,) in self.env.execute_query(query.select())]
        # The customers' names come with their order: left in the ORM cache, as a search_fetch
        # would, for the labels of the groups (see the groups' formatter).
        table = Comodel._table
        found = self.env.execute_query(
            query.select(SQL.identifier(table, "id"), SQL.identifier(table, "complete_name"))
        )
        ordered_ids = [record_id for record_id, __ in found]
        Comodel._fields["complete_name"]._insert_cache(
            Comodel.browse(ordered_ids), [name for __, name in found]
        )
        return ordered_ids

    @api.model
    def _same_aggregates(self, aggregates):
        """{aggregate: an aggregate that always has the same value}, to read each value once:
        the sum in the root company's currency of an amount already in that currency (one
        company currency, at rate 1) is its plain sum."""
        in_root_currency = (
            any(spec.endswith(":sum_currency") for spec in aggregates)
            and self._amounts_in_root_currency()
        )
        result = {}
        for spec in aggregates:
            result[spec] = spec
            if in_root_currency and spec.endswith(":sum_currency"):
                fname = spec.split(":")[0]
                field = self._fields.get(fname)
                if field and field.type == "monetary":
                    if field.get_currency_field(self) == "company_currency_id":
                        result[spec] = f"{fname}:sum"
        return result

    @api.model
    def _amounts_in_root_currency(self):
        """Whether every company shares one currency whose rate (Odoo's rule) is 1."""
        currencies = self._company_currency_ids()
        if len(currencies) != 1:
            return False
        [[rate]] = self.env.execute_query(SQL("SELECT %s", self._currency_rate_sql(currencies[0])))
        return rate == 1

    @api.model
    def _rollup_reducer(self, aggregate_spec):
        """The function that merges the values of ``aggregate_spec`` of several groups."""
        if aggregate_spec == "__count":
            return sum
        fname, __, func = models.parse_read_group_spec(aggregate_spec)
        field = self._fields.get(fname)
        if func == "count":
            return sum
        if func in ("sum", "sum_currency"):
            return _sum_values
        if func in ("min", "max"):
            return _min_values if func == "min" else _max_values
        if func == "array_agg_distinct" and field and field.type in ("many2one", "integer"):
            return _union_values
        return None

    @api.model
    def _roll_up_groups(self, rows, finest, groupby, reducers):
        """The groups of ``groupby`` from the rows of the finest set."""
        if groupby == finest:
            return list(rows)
        positions = [finest.index(spec) for spec in groupby]
        width = len(finest)
        # Records are keyed by their ids (hashing a recordset is slow), the first one kept.
        records = [self._group_value_kind(spec) == "records" for spec in groupby]
        members = {}
        for row in rows:
            key = tuple(
                row[p]._ids if is_record else row[p]
                for p, is_record in zip(positions, records, strict=True)
            )
            if key in members:
                members[key].append(row)
            else:
                members[key] = [row]
        result = []
        for group_rows in members.values():
            first = group_rows[0]
            columns = list(zip(*group_rows, strict=True))[width:]
            values = (reduce(column) for reduce, column in zip(reducers, columns, strict=True))
            result.append((*(first[p] for p in positions), *values))
        return result

    @api.model
    def _company_currency_ids(self):
        """The currencies of all companies: the values ``company_currency_id`` can take."""
        self.env["res.company"].flush_model(["currency_id"])
        return list(self._company_currency_ids_cached())

    @tools.ormcache()
    def _company_currency_ids_cached(self):
        # Cleared when a company is created, deleted or changes currency (registry cache).
        rows = self.env.execute_query(
            SQL("SELECT DISTINCT currency_id FROM res_company WHERE currency_id IS NOT NULL")
        )
        return tuple(sorted(currency_id for (currency_id,) in rows))

    @api.model
    def _company_currencies_sql(self, query):
        """``company_currency_id:array_agg_distinct`` without a DISTINCT aggregate.

        The lines can only be in the currency of a company: one BOOL_OR per such currency tells
        which a group has, in the same order as ``ARRAY_AGG(DISTINCT … ORDER BY …)``. With one
        company currency, every non-empty group has exactly that one. None when there are too
        many currencies for this to pay.
        """
        currencies = self._company_currency_ids()
        if not currencies or len(currencies) > MAX_CURRENCY_TERMS:
            return None
        if len(currencies) == 1:
            return SQL("CASE WHEN COUNT(*) > 0 THEN ARRAY[%s] END", currencies[0])
        column = self._field_to_sql(self._table, "company_currency_id", query)
        return SQL(
            "ARRAY_REMOVE(ARRAY[%s], NULL)",
            SQL(", ").join(
                SQL("CASE WHEN BOOL_OR(%s = %s) THEN %s END", column, currency, currency)
                for currency in currencies
            ),
        )

    @api.model
    def _sum_in_root_currency_sql(self, fname, query):
        """``<amount>:sum_currency`` of an amount in company currency, from the plain sum.

        Odoo divides every line by the rate of its currency. The lines of one company currency
        share one rate, so the sum of each currency is divided once per group instead; with one
        company currency, that sum is the very ``SUM`` of the plain aggregate, which PostgreSQL
        computes once for both. The rate is Odoo's: the latest up to today, else the first
        after, of the root company or shared. None when there are too many currencies.
        """
        currencies = self._company_currency_ids()
        if not currencies or len(currencies) > MAX_CURRENCY_TERMS:
            return None
        if len(currencies) == 1:
            plain_sum = self._read_group_select(f"{fname}:sum", query)
            return SQL("%s / %s", plain_sum, self._currency_rate_sql(currencies[0]))
        amount = self._field_to_sql(self._table, fname, query)
        column = self._field_to_sql(self._table, "company_currency_id", query)
        return SQL(
            "(%s)",
            SQL(" + ").join(
                SQL(
                    "COALESCE(SUM(%s) FILTER (WHERE %s = %s), 0) / %s",
                    amount,
                    column,
                    currency,
                    self._currency_rate_sql(currency),
                )
                for currency in currencies
            ),
        )

    @api.model
    def _currency_rate_sql(self, currency_id):
        """The rate ``sum_currency`` divides by (same rule as Odoo's), as a scalar subquery
        that PostgreSQL evaluates once per query."""
        self.env["res.currency.rate"].flush_model(["currency_id", "company_id", "name", "rate"])
        return SQL(
            """COALESCE((
                SELECT rate.rate FROM res_currency_rate rate
                 WHERE rate.currency_id = %(currency)s
                   AND (rate.company_id IS NULL OR rate.company_id = %(company)s)
              ORDER BY rate.company_id,
                       CASE WHEN rate.name <= %(today)s THEN rate.name END DESC,
                       CASE WHEN rate.name > %(today)s THEN rate.name END ASC
                 LIMIT 1), 1.0)""",
            currency=currency_id,
            company=self.env.company.root_id.id,
            today=fields.Date.context_today(self),
        )

    @api.model
    def _web_read_group_format(self, groupby, aggregates, groups):
        """Groups formatted like Odoo's generic code does, without normalising the domain of
        every group (one condition per grouped field, joined with "&" as Odoo's ``AND`` does)
        and with the customers named by ``_web_read_group_groupby_formatter``. Groupings Odoo
        folds or that group by a related path: Odoo's."""
        if (
            not groupby
            or not groups
            or not aggregates
            or any("." in spec for spec in groupby)
            or self._web_read_group_field_expand(groupby)
        ):
            return super()._web_read_group_format(groupby, aggregates, groups)
        width = len(groupby)
        formatters = [
            self._web_read_group_groupby_formatter(spec, [group[index] for group in groups])
            for index, spec in enumerate(groupby)
        ]
        # The web client repeats aggregates (the currencies of every measure): one key each.
        positions = {spec: index for index, spec in enumerate(aggregates, start=width)}
        pick_values = itemgetter(*positions.values())
        keys = tuple(positions)
        result = []
        for group in groups:
            values = pick_values(group)
            formatted = dict(zip(keys, values if len(keys) > 1 else (values,), strict=True))
            if width == 1:  # the pivot's rows: one field, its domain as is
                formatted[groupby[0]], domain = formatters[0](group[0])
                formatted["__extra_domain"] = _and_domains([domain])
            else:
                domains = []
                for index, (spec, formatter) in enumerate(zip(groupby, formatters, strict=True)):
                    formatted[spec], domain = formatter(group[index])
                    domains.append(domain)
                formatted["__extra_domain"] = _and_domains(domains)
            result.append(formatted)
        return result

    @api.model
    def _web_read_group_groupby_formatter(self, groupby_spec, values):
        """Label the customers' groups with their stored ``complete_name``, read in one query.

        The customer of a row is a commercial entity, whose ``display_name`` is its
        ``complete_name`` unless the context asks for more (address, email…): then, and for
        every other grouping, Odoo's formatter, which computes each name in Python.
        """
        if groupby_spec != "partner_id" or any(
            self.env.context.get(key) for key in PARTNER_NAME_CONTEXT
        ):
            return super()._web_read_group_groupby_formatter(groupby_spec, values)
        # Like Odoo's formatter (sudo), a group shows the name of a customer the user may not
        # open (the rows themselves are filtered by the record rules): read without access
        # rules, from the cache (the pivot's customers, see _records_in_order), else in
        # one query.
        Partner = self.env["res.partner"]
        cached = Partner._fields["complete_name"]._get_cache(self.env)
        missing = {value._ids[0] for value in values if value and value._ids[0] not in cached}
        read = {}
        if missing:
            Partner.flush_model(["complete_name"])
            read = dict(
                self.env.execute_query(
                    SQL(
                        "SELECT id, complete_name FROM res_partner WHERE id = ANY(%s::int[])",
                        _int_array(missing),
                    )
                )
            )

        def format_partner(value):
            if not value:
                return False, [("partner_id", "=", False)]
            partner_id = value._ids[0]
            name = read[partner_id] if partner_id in read else cached[partner_id]
            return (partner_id, name), [("partner_id", "=", partner_id)]

        return format_partner

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
