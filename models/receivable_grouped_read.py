"""Fast grouped reads of a model computed by SQL (its ``_table_query``): the list grouped by a
field (a page of groups and their number), the pivot (grouping sets) and the currency aggregates
the web client adds to every monetary sum.

Odoo's generic grouped reads were too slow over the aged receivables' SQL view: on a million
open lines they cost several times the aggregate itself (bench/README.md, "Aged receivables").
It groups every line a second time to count the groups of the list's pager; the currency
aggregates make PostgreSQL sort all the lines (a DISTINCT aggregate) and divide each of them by
a rate; the pivot's GROUPING SETS run without parallel workers and join the grouped many2one's
model (the customers) to every line to sort the groups by name; and the groups' names are
computed in Python one by one. The mixin's overrides give the same results as Odoo's generic
code (tests/test_aging_web.py compares them) in about the time of the aggregate
(bench/bench_aging.py).
"""

import gc
import math
from contextlib import contextmanager
from operator import itemgetter

from odoo import api
from odoo import fields
from odoo import models
from odoo import tools
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools import Query

# Internal aggregate of the grouped list: the number of groups, read with the groups themselves.
GROUP_TOTAL = "__group_total"
# Above this many company currencies, the currency aggregates go back to Odoo's generic SQL.
MAX_CURRENCY_TERMS = 10


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


class ReceivableGroupedReadMixin(models.AbstractModel):
    """Fast grouped reads (see above) for a model whose rows come from SQL. Hooks:

    * ``_company_currency_field``: the currency of the amounts in company currency, always a
      company's currency (the currency aggregates are computed per currency from the plain
      sums); None: Odoo's currency aggregates;
    * ``_group_label_columns()``: the grouped many2one fields labelled by a stored column;
    * the model's own aggregates (the aging's bucket sums): override ``_read_group_select``.
    """

    _name = "receivable.grouped.read.mixin"
    _description = "Fast Grouped Reads of an SQL View"

    _company_currency_field = "company_currency_id"

    @api.model
    def _group_label_columns(self):
        """{grouped many2one field: the stored, untranslated column of its model that is the
        ``display_name`` of its records in the current context}. The groups of those fields are
        labelled with the column, read in one query (Odoo computes each name in Python)."""
        return {}

    @api.model
    def search_fetch(self, domain, field_names=None, offset=0, limit=None, order=None):
        """Read the rows afresh at each search: they are computed from other tables (the
        ledger), which may have changed in this transaction since they were last read."""
        self.invalidate_model()
        return super().search_fetch(domain, field_names, offset=offset, limit=limit, order=order)

    # ------------------------------------------------------------------------------------------
    # The list's page of groups and their number
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
        """The group count of the list's pager, and the web client's currency aggregates of the
        amounts in company currency computed from the plain sums (see below)."""
        if aggregate_spec == GROUP_TOTAL:
            return SQL("COUNT(*) OVER ()")
        currency_field = self._company_currency_field
        if aggregate_spec != "__count" and currency_field:
            fname, __, func = models.parse_read_group_spec(aggregate_spec)
            field = self._fields.get(fname)
            if func == "array_agg_distinct" and fname == currency_field:
                return self._company_currencies_sql(query) or super()._read_group_select(
                    aggregate_spec, query
                )
            if (
                func == "sum_currency"
                and field is not None
                and field.type == "monetary"
                and field.get_currency_field(self) == currency_field
            ):
                return self._sum_in_root_currency_sql(fname, query) or super()._read_group_select(
                    aggregate_spec, query
                )
        return super()._read_group_select(aggregate_spec, query)

    def _read_group_postprocess_aggregate(self, aggregate_spec, raw_values):
        if aggregate_spec == GROUP_TOTAL:
            return iter(raw_values)
        return super()._read_group_postprocess_aggregate(aggregate_spec, raw_values)

    # ------------------------------------------------------------------------------------------
    # The pivot: grouping sets rolled up in Python
    # ------------------------------------------------------------------------------------------
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
        label_columns = self._group_label_columns()
        for spec, __, __ in terms:
            column = finest.index(spec)
            kind = self._group_value_kind(spec)
            if kind == "records":
                values = {row[column]._ids[0] for row in rows if row[column]}
                comodel = self._fields[spec].comodel_name
                ordered = self._records_in_order(comodel, values, label_columns.get(spec))
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
    def _records_in_order(self, comodel, record_ids, label_column=None):
        """``record_ids`` in the order of ``comodel`` (all records, without access rules:
        this only orders groups that the rows' query returned). With ``label_column`` (see
        ``_group_label_columns``), the records' labels come with their order: left in the ORM
        cache, as a search_fetch would, for the labels of the groups (see the formatter)."""
        Comodel = self.env[comodel]
        table = Comodel._table
        query = Query(self.env, table, Comodel._table_sql)
        query.add_where(
            SQL("%s = ANY(%s::int[])", SQL.identifier(table, "id"), _int_array(record_ids))
        )
        query.order = Comodel._order_to_sql(Comodel._order, query)
        Comodel.flush_model()
        if not label_column:
            return [record_id for (record_id,) in self.env.execute_query(query.select())]
        found = self.env.execute_query(
            query.select(SQL.identifier(table, "id"), SQL.identifier(table, label_column))
        )
        ordered_ids = [record_id for record_id, __ in found]
        Comodel._fields[label_column]._insert_cache(
            Comodel.browse(ordered_ids), [label for __, label in found]
        )
        return ordered_ids

    @api.model
    def _same_aggregates(self, aggregates):
        """{aggregate: an aggregate that always has the same value}, to read each value once:
        the sum in the root company's currency of an amount already in that currency (one
        company currency, at rate 1) is its plain sum."""
        in_root_currency = (
            self._company_currency_field
            and any(spec.endswith(":sum_currency") for spec in aggregates)
            and self._amounts_in_root_currency()
        )
        result = {}
        for spec in aggregates:
            result[spec] = spec
            if in_root_currency and spec.endswith(":sum_currency"):
                fname = spec.split(":")[0]
                field = self._fields.get(fname)
                if field and field.type == "monetary":
                    if field.get_currency_field(self) == self._company_currency_field:
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

    # ------------------------------------------------------------------------------------------
    # Currency aggregates of the amounts in company currency
    # ------------------------------------------------------------------------------------------
    @api.model
    def _company_currency_ids(self):
        """The currencies of all companies: the values of ``_company_currency_field``."""
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
        """``<company currency field>:array_agg_distinct`` without a DISTINCT aggregate.

        The rows can only be in the currency of a company: one BOOL_OR per such currency tells
        which a group has, in the same order as ``ARRAY_AGG(DISTINCT … ORDER BY …)``. With one
        company currency, every non-empty group has exactly that one. None when there are too
        many currencies for this to pay.
        """
        currencies = self._company_currency_ids()
        if not currencies or len(currencies) > MAX_CURRENCY_TERMS:
            return None
        if len(currencies) == 1:
            return SQL("CASE WHEN COUNT(*) > 0 THEN ARRAY[%s] END", currencies[0])
        column = self._field_to_sql(self._table, self._company_currency_field, query)
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

        Odoo divides every row by the rate of its currency. The rows of one company currency
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
        column = self._field_to_sql(self._table, self._company_currency_field, query)
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

    # ------------------------------------------------------------------------------------------
    # Formatting of the groups
    # ------------------------------------------------------------------------------------------
    @api.model
    def _web_read_group_format(self, groupby, aggregates, groups):
        """Groups formatted like Odoo's generic code does, without normalising the domain of
        every group (one condition per grouped field, joined with "&" as Odoo's ``AND`` does)
        and with the fields of ``_group_label_columns`` labelled by their column. Groupings
        Odoo folds or that group by a related path: Odoo's."""
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
        """Label the groups of a field of ``_group_label_columns`` with that column, read in one
        query. Every other grouping: Odoo's formatter, which computes each name in Python."""
        label_column = self._group_label_columns().get(groupby_spec)
        if not label_column:
            return super()._web_read_group_groupby_formatter(groupby_spec, values)
        # Like Odoo's formatter (sudo), a group shows the name of a record the user may not
        # open (the rows themselves are filtered by the record rules): read without access
        # rules, from the cache (the pivot's records, see _records_in_order), else in one query.
        Comodel = self.env[self._fields[groupby_spec].comodel_name]
        cached = Comodel._fields[label_column]._get_cache(self.env)
        missing = {value._ids[0] for value in values if value and value._ids[0] not in cached}
        read = {}
        if missing:
            Comodel.flush_model([label_column])
            read = dict(
                self.env.execute_query(
                    SQL(
                        "SELECT id, %s FROM %s WHERE id = ANY(%s::int[])",
                        SQL.identifier(label_column),
                        SQL.identifier(Comodel._table),
                        _int_array(missing),
                    )
                )
            )

        def format_record(value):
            if not value:
                return False, [(groupby_spec, "=", False)]
            record_id = value._ids[0]
            label = read[record_id] if record_id in read else cached[record_id]
            return (record_id, label), [(groupby_spec, "=", record_id)]

        return format_record
