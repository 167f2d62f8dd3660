"""Checks of the figures and dates a user types in.

Every error names the field by the label the user sees on the screen (translated) and the
record it belongs to, so "nothing was saved, and why" is clear from the message alone. Called
from ``@api.constrains`` methods: they run on create and write, from the UI and over RPC.
"""

from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError


def field_label(records, fname):
    """The label of ``fname`` on ``records``' model, as the user sees it."""
    return records._fields[fname]._description_string(records.env)


def check_range(records, fnames, minimum=None, maximum=None):
    """ValidationError naming the field when a value of ``fnames`` lies outside
    [``minimum``, ``maximum``] (a bound left to None is not checked)."""
    for record in records:
        for fname in fnames:
            value = record[fname]
            if (minimum is None or value >= minimum) and (maximum is None or value <= maximum):
                continue
            raise ValidationError(_range_message(record, fname, value, minimum, maximum))


def _range_message(record, fname, value, minimum, maximum):
    env = record.env
    values = {
        "field": field_label(record, fname),
        "record": record.display_name or "",
        "value": value,
        "minimum": minimum,
        "maximum": maximum,
    }
    if maximum is None and minimum == 0:
        return env._(
            'The field "%(field)s" of %(record)s cannot be negative (%(value)s entered).', **values
        )
    if maximum is None:
        return env._(
            'The field "%(field)s" of %(record)s must be at least %(minimum)s (%(value)s entered).',
            **values,
        )
    if minimum is None:
        return env._(
            'The field "%(field)s" of %(record)s must be at most %(maximum)s (%(value)s entered).',
            **values,
        )
    return env._(
        'The field "%(field)s" of %(record)s must lie between %(minimum)s and %(maximum)s '
        "(%(value)s entered).",
        **values,
    )


def check_not_future(records, fname):
    """ValidationError naming the field when the date ``fname`` is after today: an as-of date
    in the future would show today's figures under a date they are not true at."""
    today = fields.Date.context_today(records)
    for record in records:
        date = record[fname]
        if date and date > today:
            raise ValidationError(future_date_message(record.env, field_label(record, fname), date))


def future_date_message(env, label, date):
    """The message refusing ``date``, after today, given for ``label``."""
    return env._(
        'The field "%(field)s" cannot be after today (%(today)s): %(date)s entered.',
        field=label,
        today=fields.Date.to_string(fields.Date.context_today(env.user)),
        date=fields.Date.to_string(date),
    )


def parse_date(env, value, name):
    """``value`` (a date or "YYYY-MM-DD") as a date, or None when empty.

    UserError naming ``name`` (the parameter or context key it comes from) when it does not
    parse, instead of a bare ValueError deep in a query: such values come from actions, links
    and RPC callers.
    """
    if not value:
        return None
    try:
        return fields.Date.to_date(value)
    except (TypeError, ValueError):
        raise UserError(
            env._(
                'The date "%(name)s" must be written YYYY-MM-DD, not "%(value)s".',
                name=name,
                value=value,
            )
        ) from None


def parse_company(env, value, name):
    """``value`` (a ``res.company`` record or id) as a company, or the current company when
    empty. UserError naming ``name`` when it is no existing company (an RPC caller's argument).
    Whether the user may read it is the caller's check (``check_receivable_company``)."""
    if not value:
        return env.company
    if isinstance(value, models.BaseModel) and value._name == "res.company":
        company = value[:1]
    elif isinstance(value, int) and not isinstance(value, bool):
        company = env["res.company"].browse(value).exists()
    else:
        company = None
    if company:
        return company
    raise UserError(
        env._(
            "The parameter “%(name)s” must be a company id, not “%(value)s”.",
            name=name,
            value=value,
        )
    )


def context_date(env, key):
    """The date of the context key ``key``, or None without one (see ``parse_date``)."""
    return parse_date(env, env.context.get(key), key)
