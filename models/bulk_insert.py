"""Records created set-based: one INSERT per table, with the ORM's values and bookkeeping.

The ORM's ``create`` converts, rounds, caches and checks each value of each record in Python:
for the hundred thousand reminder lines of a night, that per-value work was most of the
dunning run. ``insert_rows`` writes the rows ``create`` would write in ONE statement: the
defaults and the log columns added, each column sent as one typed array (one value when it is
the same for every row) and converted as the field's ``convert_to_column`` does (many2one id
or NULL, integer 0 and boolean false rather than NULL, a selection value checked), the
rounding done by PostgreSQL (a float to its digits, a monetary amount by its currency, half
away from zero as Odoo's ``float_round``). ``finish_insert`` then does what ``create`` does
after its INSERT: the fields depending on the new records marked for recomputation (or their
cache dropped), the cached one2many pointing to them dropped, the Python constraints, the
company check (of the batch at once) and the record rules.

Only the field types the dunning run's records hold are handled; any other raises, so a
field added to those models later cannot be written wrong without notice.
"""

from collections import defaultdict
from itertools import chain

from odoo.models import LOG_ACCESS_COLUMNS
from odoo.tools import SQL

from .company_check import company_suspects_in_rows

# The field types handled, by the value ``convert_to_column`` gives.
NONE_IF_EMPTY = {"many2one", "date", "datetime", "char", "text", "selection"}
NUMBERS = {"integer", "float", "monetary"}


def _column_values(field, values):
    """``values`` of ``field`` as ``convert_to_column`` gives them (rounding apart)."""
    if (
        field.type not in NONE_IF_EMPTY | NUMBERS | {"boolean"}
        or getattr(field, "translate", False)
        or field.company_dependent
        or getattr(field, "size", None)
    ):
        raise NotImplementedError(f"{field} cannot be inserted set-based")
    # One list comprehension per type: a hundred thousand values a column.
    if field.type in NONE_IF_EMPTY:
        values = [value or None for value in values]
    elif field.type == "integer":
        values = [int(value or 0) for value in values]
    elif field.type in NUMBERS:
        values = [float(value or 0.0) for value in values]
    else:
        values = [bool(value) for value in values]
    if field.type == "selection":
        for value in set(values) - {None}:
            # The selection's own check (and error) for each distinct value.
            field.convert_to_cache(value, None)
    return values


def _typed_values(model, names, rows, constants):
    """{name: values} of the columns ``names`` of ``rows`` whose values differ (one array
    each); the others go to ``constants`` ({name: value})."""
    arrays = {}
    for name in names:
        field = model._fields[name]
        if not (field.store and field.column_type):
            raise NotImplementedError(f"{field} is not a column")
        values = _column_values(field, [row[name] for row in rows])
        if len(set(values)) == 1:
            constants[name] = values[0]
        else:
            arrays[name] = values
    return arrays


def _column_type(model, name):
    return SQL(model._fields[name].column_type[1])


def _currency(model, field, exprs, joins):
    """SQL of the currency of the monetary ``field``: its currency field among ``exprs``
    ({name: SQL}), or a related one (``company_id.currency_id``) through a join added to
    ``joins``, as ``convert_to_column_insert`` finds it in the values."""
    name = field.get_currency_field(model)
    if name in exprs:
        return exprs[name]
    related = model._fields[name].related
    path = related.split(".") if related else []
    if len(path) == 2 and path[0] in exprs:
        comodel = model.env[model._fields[path[0]].comodel_name]
        if comodel._fields[path[1]].store:
            alias = SQL.identifier(f"link_{len(joins)}")
            joins.append(
                SQL(
                    "LEFT JOIN %s %s ON %s.id = %s",
                    SQL.identifier(comodel._table),
                    alias,
                    alias,
                    exprs[path[0]],
                )
            )
            return SQL("%s.%s", alias, SQL.identifier(path[1]))
    raise NotImplementedError(f"{field}: its currency {name} is not inserted")


def _converted(model, exprs, names):
    """SQL of the columns ``names`` (their ``exprs``) rounded as ``convert_to_column`` does:
    a float to its digits, a monetary amount by its currency (no currency, no rounding; half
    away from zero as Odoo's ``float_round``), and the joins that needs."""
    joins, currencies, selected = [], {}, []
    for name in names:
        field, expr = model._fields[name], exprs[name]
        if field.type == "float" and (digits := field.get_digits(model.env)):
            expr = SQL("ROUND(%s, %s)", expr, digits[1])
        elif field.type == "monetary":
            currency_name = field.get_currency_field(model)
            if currency_name not in currencies:
                currency = _currency(model, field, exprs, joins)
                alias = currencies[currency_name] = SQL.identifier(f"currency_{len(joins)}")
                joins.append(SQL("LEFT JOIN res_currency %s ON %s.id = %s", alias, alias, currency))
            expr = SQL(
                "COALESCE(ROUND(%(value)s / %(cur)s.rounding) * %(cur)s.rounding, %(value)s)",
                value=expr,
                cur=currencies[currency_name],
            )
        selected.append(expr)
    return selected, SQL(" ").join(joins)


def _unnest(model, arrays, count):
    """``unnest(...) WITH ORDINALITY AS v(..., row_number)`` of the typed ``arrays`` ({name:
    values}); ``count`` rows of nothing but their number without arrays."""
    if not arrays:
        return SQL("generate_series(1, %s) AS v(row_number)", count)
    return SQL(
        "unnest(%s) WITH ORDINALITY AS v(%s, row_number)",
        SQL(", ").join(
            SQL("%s::%s[]", values, _column_type(model, name)) for name, values in arrays.items()
        ),
        SQL(", ").join(SQL.identifier(name) for name in arrays),
    )


def _constant_exprs(model, constants):
    return {
        name: SQL("%s::%s", value, _column_type(model, name)) for name, value in constants.items()
    }


def insert_rows(model, rows):
    """Insert ``rows`` (dicts of stored field values as ``create`` takes them) into
    ``model``'s table: one statement per set of fields given (a field left out gets its
    default or NULL, as with ``create``). Return the new ids in the order of ``rows``. Nothing
    else is done: call ``finish_insert`` next.
    """
    if not rows:
        return []
    # As ``create``: the fields given may be reserved to some groups.
    for name in dict.fromkeys(chain.from_iterable(rows)):
        model._check_field_access(model._fields[name], "write")
    groups = defaultdict(list)
    for index, row in enumerate(rows):
        groups[tuple(sorted(row))].append(index)
    ids = [None] * len(rows)
    for names, indexes in groups.items():
        group_ids = _insert_group(model, names, [rows[index] for index in indexes])
        for index, record_id in zip(indexes, group_ids, strict=True):
            ids[index] = record_id
    return ids


def _insert_group(model, names, rows):
    """Insert ``rows`` (the fields ``names`` each); return their ids in order."""
    env = model.env
    # What ``create`` adds: the defaults of the other stored fields and the log columns.
    missing = [
        name
        for name, field in model._fields.items()
        if field.store
        and field.column_type
        and name not in names
        and name not in ("id", *LOG_ACCESS_COLUMNS)
    ]
    constants = {
        name: _column_values(model._fields[name], [value])[0]
        for name, value in model.default_get(missing).items()
    }
    if model._log_access:
        now = env.cr.now()
        constants.update(create_uid=env.uid, create_date=now, write_uid=env.uid, write_date=now)
    arrays = _typed_values(model, names, rows, constants)
    exprs = {name: SQL("v.%s", SQL.identifier(name)) for name in arrays}
    exprs |= _constant_exprs(model, constants)
    selected, joins = _converted(model, exprs, list(exprs))
    # Rows inserted in the order of ``rows``, their ids returned in that order (as Odoo's own
    # ``_create`` reads the ids of its multi-row INSERT).
    return [
        record_id
        for (record_id,) in env.execute_query(
            SQL(
                """
                INSERT INTO %(table)s (%(columns)s)
                SELECT %(selected)s
                  FROM %(unnest)s
                       %(joins)s
              ORDER BY v.row_number
             RETURNING id
                """,
                table=SQL.identifier(model._table),
                columns=SQL(", ").join(SQL.identifier(name) for name in exprs),
                selected=SQL(", ").join(selected),
                unnest=_unnest(model, arrays, len(rows)),
                joins=joins,
            )
        )
    ]


def stored_amounts(currency):
    """A function giving the amounts a monetary column in ``currency`` stores for a list of
    values (floats): the rounding of ``convert_to_column``, Odoo's ``float_round`` skipped for
    the amounts already at the currency's precision (most of them: read from the database),
    whose rounding is exact in both."""
    if not currency:
        return lambda values: [float(value or 0.0) for value in values]
    digits, round_currency = currency.decimal_places, currency.round
    exact = currency.rounding == 10**-digits

    def stored(values):
        amounts = []
        for value in values:
            value = float(value or 0.0)
            if not (exact and round(value, digits) == value):
                value = round_currency(value)
            amounts.append(value)
        return amounts

    return stored


def finish_insert(records, rows, stored_by_caller=()):
    """What ``create`` does after its INSERT, for ``records`` just inserted from ``rows``.

    ``stored_by_caller``: ``(fields, records)`` pairs of computed fields the caller stores
    itself on every record the new ones reach (the totals of their parent): neither marked
    for recomputation nor worth the walk through the dependencies to find them.
    """
    if not records:
        return
    env = records.env
    fnames = list(dict.fromkeys(chain.from_iterable(rows)))
    fnames += LOG_ACCESS_COLUMNS if records._log_access else []
    fields = [records._fields[name] for name in fnames]
    caller_fields = {field for pair_fields, _records in stored_by_caller for field in pair_fields}

    def select(field):
        # ``modified``'s own selection, less the fields the caller stores.
        if field.compute and field.store:
            return field not in caller_fields
        return bool(field._get_all_cache_ids(env))

    if env.registry.get_trigger_tree(fields, select=select):
        with env.protecting(stored_by_caller):
            records.modified(fnames, create=True)
    # ``create`` adds the new records to the cached one2many of the records they point to.
    for field in fields:
        if field.type == "many2one":
            for inverse in env.registry.field_inverses[field]:
                env[inverse.model_name].invalidate_model([inverse.name], flush=False)
    records._validate_fields(fnames)
    if records._check_company_auto:
        suspects = company_suspects_in_rows(records, rows, fnames)
        if suspects:
            # Odoo's own check judges them (and words the error).
            suspects._check_company(fnames)
    records.check_access("create")
