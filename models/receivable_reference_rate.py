from odoo import api
from odoo import fields
from odoo import models
from odoo import tools
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from .input_checks import check_range
from .input_checks import field_label

RATE_ORIGINS = [
    ("shipped", "Shipped"),
    ("ecb", "ECB Fetch"),
    ("manual", "Manual"),
]
# A user's change of these fields makes the row the user's own: the fetch never touches it.
RATE_FIGURES = ("kind", "date_from", "rate")

RATE_KINDS = [
    ("ecb_mro", "ECB main refinancing operations rate"),
    ("fr_legal_individual", "French legal interest rate (creditor is a private individual)"),
    ("fr_legal_other", "French legal interest rate (other cases)"),
]


class ReceivableReferenceRate(models.Model):
    """A reference rate for a half-year: the ECB rate of 1 January / 1 July, or the French
    legal interest rates set each semester by ministerial order."""

    _name = "receivable.reference.rate"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Reference Interest Rate"
    _order = "kind, date_from desc"

    _kind_date_uniq = models.Constraint(
        "UNIQUE(kind, date_from)", "There is already a rate of this kind for this half-year."
    )

    kind = fields.Selection(RATE_KINDS, required=True, tracking=True)
    date_from = fields.Date(
        string="Applies From",
        required=True,
        tracking=True,
        help="1 January or 1 July of the half-year.",
    )
    rate = fields.Float(string="Rate (%)", required=True, digits=(6, 3), tracking=True)
    source = fields.Char(
        tracking=True, help="Where the figure comes from (ECB decision, order in the JORF)."
    )
    # Not required and no field default: rows of databases installed before the field get
    # theirs from ``_set_missing_origins`` (shipped when they carry the module's xmlid).
    origin = fields.Selection(
        RATE_ORIGINS,
        readonly=True,
        tracking=True,
        help="Shipped with the module, fetched from the ECB Data Portal, or entered or changed "
        "by a user (the ECB fetch never changes a row; it only adds the missing half-years).",
    )

    @api.constrains("date_from")
    def _check_half_year(self):
        for rate in self:
            if (rate.date_from.month, rate.date_from.day) not in ((1, 1), (7, 1)):
                raise ValidationError(
                    self.env._("A reference rate applies from 1 January or 1 July.")
                )

    @api.constrains("rate")
    def _check_rate(self):
        # No reference rate of these tables has ever been negative; a sign typed by mistake
        # would lower every interest claimed for the half-year.
        check_range(self, ["rate"], minimum=0.0, maximum=100.0)

    def _check_period_free(self, periods):
        """ValidationError naming the half-year when a rate of the same kind already covers
        one of ``periods`` ({(kind, date_from): record being written or None}).

        Called before the rows are written, so the database's unique index never answers
        with a raw UniqueViolation.
        """
        if not periods:
            return
        periods = {
            (kind, fields.Date.to_date(date_from)): record
            for (kind, date_from), record in periods.items()
        }
        kinds = {kind for kind, __ in periods}
        dates = {date_from for __, date_from in periods}
        # sudo: the tables are public reference data; a duplicate is one whoever can read
        others = self.sudo().search([("kind", "in", list(kinds)), ("date_from", "in", list(dates))])
        for other in others:
            key = (other.kind, other.date_from)
            if key in periods and periods[key] != other:
                self._raise_period_taken(*key)

    def _raise_period_taken(self, kind, date_from):
        raise ValidationError(
            self.env._(
                'There is already a %(kind)s for the half-year from %(date)s ("%(field)s"): '
                "change its rate instead of adding a second one.",
                kind=dict(self._fields["kind"]._description_selection(self.env))[kind],
                date=format_date(self.env, date_from),
                field=field_label(self, "date_from"),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        periods = {}
        for vals in vals_list:
            if vals.get("kind") and vals.get("date_from"):
                key = (vals["kind"], fields.Date.to_date(vals["date_from"]))
                if key in periods:
                    self._raise_period_taken(*key)
                periods[key] = None
        self._check_period_free(periods)
        for vals in vals_list:
            vals.setdefault("origin", "manual")
        self.env.registry.clear_cache()
        rates = super().create(vals_list)
        rates._close_missing_rate_activities()
        return rates

    def write(self, vals):
        if "kind" in vals or "date_from" in vals:
            periods = {}
            for rate in self:
                key = (
                    vals.get("kind", rate.kind),
                    fields.Date.to_date(vals.get("date_from", rate.date_from)),
                )
                if key in periods:
                    self._raise_period_taken(*key)
                periods[key] = rate
            self._check_period_free(periods)
        if "origin" not in vals and any(fname in vals for fname in RATE_FIGURES):
            # A row a user typed in or corrected is the user's: the fetch never overwrites it.
            vals = {**vals, "origin": "manual"}
        self.env.registry.clear_cache()
        result = super().write(vals)
        if "kind" in vals or "date_from" in vals:
            self._close_missing_rate_activities()
        return result

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    def _load_records(self, data_list, update=False):
        """The rows of the module's data files are the shipped ones."""
        for data in data_list:
            data["values"].setdefault("origin", "shipped")
        return super()._load_records(data_list, update=update)

    @api.model
    def _set_missing_origins(self):
        """Rows created before the origin existed: shipped when the module's data file made
        them, manual otherwise. Idempotent (called at every install or update)."""
        # sudo: a maintenance step of the module's update on shared reference data
        rates = self.sudo().with_context(tracking_disable=True).search([("origin", "=", False)])
        shipped = rates.filtered(
            lambda rate: (rate.get_external_id()[rate.id] or "").startswith(
                "account_receivable_control."
            )
        )
        shipped.write({"origin": "shipped"})
        (rates - shipped).write({"origin": "manual"})

    @api.model
    def _get_table(self, kind):
        """{half-year start: rate} of ``kind``, for the pure formulas (cached per registry)."""
        return dict(self._read_table(kind))

    @api.model
    @tools.ormcache("kind")
    def _read_table(self, kind):
        # sudo: the tables are public reference data, read by whoever computes a reminder
        rates = self.sudo().search([("kind", "=", kind)])
        return tuple((rate.date_from, rate.rate) for rate in rates)

    @api.model
    def _rate_lookup(self, kind, missing=None):
        """A function half-year start → rate.

        A missing rate raises an error naming it; with a ``missing`` set, it is recorded there
        as ``(kind, half-year start)`` and the function returns None, so a nightly run goes on
        without it (see ``_missing_rates_warning`` and ``_missing_rates_from``).
        """
        table = self._get_table(kind)
        label = dict(self._fields["kind"]._description_selection(self.env))[kind]

        def rate_for(half_year):
            if half_year not in table and missing is not None:
                # Kept as data: the controller's warning (``_missing_rates_warning``) and the
                # customer's sentence (in the customer's language) are written from it.
                missing.add((kind, half_year))
                return None
            if half_year not in table:
                raise UserError(
                    self.env._(
                        "The %(rate)s of %(date)s is missing: a Credit Manager adds it in "
                        "Configuration → Receivables → Reference Rates.",
                        rate=label,
                        date=format_date(self.env, half_year),
                    )
                )
            return table[half_year]

        return rate_for

    @api.model
    def _missing_rates_warning(self, missing):
        """The controller's warning (env language) for the entries of a ``missing`` set."""
        labels = dict(self._fields["kind"]._description_selection(self.env))
        messages = set()
        for entry in missing:
            if isinstance(entry, str):  # a message added by another check: kept as it is
                messages.add(entry)
                continue
            kind, half_year = entry
            messages.add(
                self.env._(
                    "No interest for the half-year from %(date)s: the %(rate)s is missing "
                    "(Configuration → Receivables → Reference Rates).",
                    rate=labels[kind],
                    date=format_date(self.env, half_year),
                )
            )
        return "\n".join(sorted(messages)) or False

    @api.model
    def _missing_rates_from(self, missing):
        """The first half-year of a ``missing`` set whose interest is not claimed, or False:
        stored on the reminder, which tells the customer in the customer's language."""
        return min((entry[1] for entry in missing if not isinstance(entry, str)), default=False)

    def _close_missing_rate_activities(self):
        """The rate of a half-year is known now: the Credit Managers' To-Dos asking for it are
        done (see ``_schedule_missing_rate_activity``)."""
        for rate in self:
            activities = self.env["mail.activity"].search(
                rate._missing_rate_activity_domain(rate.kind, rate.date_from)
            )
            if activities:
                # sudo: the To-Do may be another Credit Manager's; entering the rate ends it
                origins = dict(self._fields["origin"]._description_selection(self.env))
                activities.sudo().action_feedback(
                    feedback=self.env._(
                        "The rate was entered (%(origin)s).", origin=origins.get(rate.origin, "")
                    )
                )
