"""The customer's credit exposure in the current company: the figures of its Credit tab, read
from its position in ``receivable.facts`` (open, overdue, pending, applied limit, cover), and the
searches of the customer list on them."""

from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.fields import Domain
from odoo.tools import format_amount
from odoo.tools import format_date

COVER_EXPIRY_WARNING_DAYS = 30
# Figures computed from the ledger without ORM dependencies: cleared whenever entries change.
CREDIT_FIGURE_FIELDS = (
    "credit_limit_effective",
    "credit_open_amount",
    "credit_draft_amount",
    "credit_exposure",
    "credit_available",
    "credit_used_percent",
    "credit_over_limit",
    "credit_overdue_amount",
    "credit_oldest_overdue_days",
    "credit_cover_exceeded",
    "credit_cover_expiring",
    "credit_warning",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    # Exposure, in the current company's currency
    credit_limit_effective = fields.Monetary(
        string="Applied Credit Limit",
        currency_field="receivable_currency_id",
        compute="_compute_credit_exposure",
        help="The partner's own limit, else the default limit of its credit policy, else the "
        "company's default limit. Zero means no limit.",
    )
    credit_open_amount = fields.Monetary(
        string="Open Receivables",
        currency_field="receivable_currency_id",
        compute="_compute_credit_exposure",
        help="Posted receivables dated up to today and not paid, net of the credit notes and "
        "unapplied payments.",
    )
    credit_draft_amount = fields.Monetary(
        string="Pending Invoices",
        currency_field="receivable_currency_id",
        compute="_compute_credit_exposure",
        help="Draft customer invoices, and posted invoices dated after today: not owed yet, "
        "but they use credit.",
    )
    credit_exposure = fields.Monetary(
        string="Exposure",
        currency_field="receivable_currency_id",
        compute="_compute_credit_exposure",
        help="Open receivables + pending invoices + amounts still to invoice.",
    )
    credit_available = fields.Monetary(
        string="Available Credit",
        currency_field="receivable_currency_id",
        compute="_compute_credit_exposure",
    )
    credit_used_percent = fields.Float(
        string="Credit Used (%)",
        compute="_compute_credit_exposure",
        search="_search_credit_used_percent",
        digits=(16, 1),
    )
    credit_over_limit = fields.Boolean(
        string="Over Credit Limit",
        compute="_compute_credit_exposure",
        search="_search_credit_over_limit",
    )
    credit_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        currency_field="receivable_currency_id",
        compute="_compute_credit_exposure",
        help="Open receivables past their due date, net of the credit notes and unapplied "
        "payments past due (the aging's overdue columns).",
    )
    credit_oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (days)", compute="_compute_credit_exposure"
    )
    credit_cover_exceeded = fields.Boolean(
        string="Insurance Cover Exceeded",
        compute="_compute_credit_exposure",
        search="_search_credit_cover_exceeded",
    )
    credit_cover_expiring = fields.Boolean(
        string="Insurance Cover Expiring", compute="_compute_credit_exposure"
    )
    credit_warning = fields.Text(string="Credit Warning", compute="_compute_credit_exposure")

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_credit_exposure(self):
        """Every credit figure of the recordset from the customers' positions in the current
        company (``receivable.facts._positions``), read in a fixed number of queries."""
        company = self.env.company
        # Unsaved partners (new ids) have no receivables yet: see _unsaved_credit_position.
        positions = self.env["receivable.facts"]._positions(
            company, [pid for pid in self.commercial_partner_id.ids if pid]
        )
        today = fields.Date.context_today(self)
        for partner in self:
            commercial = partner.commercial_partner_id or partner
            position = positions.get(commercial.id) or commercial._unsaved_credit_position()
            limit = position["credit_limit"]
            oldest_due = position["oldest_due"]
            partner.credit_open_amount = position["open_amount"]
            partner.credit_draft_amount = position["pending_amount"]
            partner.credit_exposure = position["exposure"]
            partner.credit_limit_effective = limit
            partner.credit_available = position["available"]
            partner.credit_used_percent = position["used_percent"]
            partner.credit_over_limit = position["over_limit"]
            partner.credit_overdue_amount = position["overdue_amount"]
            partner.credit_oldest_overdue_days = (today - oldest_due).days if oldest_due else 0
            partner.credit_cover_exceeded = position["cover_exceeded"]
            expiry = commercial.credit_insurance_expiry
            partner.credit_cover_expiring = bool(
                commercial.credit_insurer_id
                and expiry
                and expiry <= today + timedelta(days=COVER_EXPIRY_WARNING_DAYS)
            )
            partner.credit_warning = partner._build_credit_warning()

    def _unsaved_credit_position(self):
        """The position of a partner not saved yet (a form being filled): no receivables, its
        limit and cover by the rules of ``receivable.facts._position_query``."""
        self.ensure_one()
        row = {
            "partner_id": self.id,
            "open_amount": 0.0,
            "overdue_amount": 0.0,
            "oldest_due": None,
            "pending_amount": 0.0,
            "credit_limit": self._get_effective_credit_limit(),
            "cover": self.credit_insured_amount if self.credit_insurer_id else None,
            "on_hold": self.credit_on_hold,
        }
        return self.env["receivable.facts"]._complete_position(row, self)

    @api.model
    def _invalidate_credit_figures(self):
        """Forget the cached exposure: the entries it is computed from have changed."""
        self.env["res.partner"].invalidate_model(list(CREDIT_FIGURE_FIELDS))

    def _get_effective_credit_limit(self):
        """The applied credit limit, Odoo's rule as ``receivable.facts._applied_limit_sql``
        states it: the partner's own limit when it has one (``use_partner_credit_limit``: it
        differs from the company's default), else its policy's default limit, else the
        company's default limit."""
        self.ensure_one()
        if self.use_partner_credit_limit:
            return self.credit_limit
        policy = self.receivable_effective_policy_id
        if policy:
            return policy.default_credit_limit
        return self._fields["credit_limit"].get_company_dependent_fallback(self) or 0.0

    def _build_credit_warning(self):
        self.ensure_one()
        currency = self.receivable_currency_id
        messages = []
        if self.credit_cover_exceeded:
            messages.append(
                self.env._(
                    "Exposure %(exposure)s exceeds the insurance cover of %(cover)s.",
                    exposure=format_amount(self.env, self.credit_exposure, currency),
                    cover=format_amount(
                        self.env, self.commercial_partner_id.credit_insured_amount, currency
                    ),
                )
            )
        if self.credit_cover_expiring:
            messages.append(
                self.env._(
                    "The insurance cover expires on %(date)s.",
                    date=format_date(self.env, self.commercial_partner_id.credit_insurance_expiry),
                )
            )
        return "\n".join(messages)

    # ------------------------------------------------------------------------------------------
    # Search
    # ------------------------------------------------------------------------------------------
    def _search_by_credit_figure(self, predicate):
        """Domain of the partners whose position in the current company satisfies
        ``predicate`` (a function of a position of ``receivable.facts._positions``).

        Only the customers with open items or pending invoices in the company can have an
        exposure: their positions are read in one query and filtered.
        """
        facts = self.env["receivable.facts"]
        rows = self._receivable_position_rows()
        partners = self.with_company(self.env.company).browse([row["partner_id"] for row in rows])
        matching = [
            partner.id
            for row, partner in zip(rows, partners, strict=True)
            if predicate(facts._complete_position(row, partner))
        ]
        return Domain("commercial_partner_id", "in", matching)

    @api.model
    def _get_partners_to_put_on_hold(self):
        """The commercial partners the hold cron would put on hold now in the current company
        if holds were enforced: those with open items or pending invoices, not on hold yet,
        that break a rule of their policy's automatic hold (``_get_auto_hold_breaches``, the
        cron's own test). Their figures are computed for all of them at once
        (``_compute_credit_exposure``), not one customer at a time."""
        rows = self._receivable_position_rows()
        partners = self.with_company(self.env.company).browse(
            [row["partner_id"] for row in rows if not row["on_hold"]]
        )
        return self.browse(
            partners.filtered(
                lambda p: p.receivable_effective_policy_id.auto_hold and p._get_auto_hold_breaches()
            ).ids
        )

    @api.model
    def _receivable_position_rows(self):
        """The stored figures of the customers with open items or pending invoices in the
        current company (``receivable.facts._position_query``), one query."""
        facts = self.env["receivable.facts"]
        return self.env.execute_query_dict(facts._position_query(self.env.company))

    def _search_credit_over_limit(self, operator, value):
        if operator not in ("=", "in") or value not in (True, [True], {True}):
            return NotImplemented
        return self._search_by_credit_figure(lambda position: position["over_limit"])

    def _search_credit_cover_exceeded(self, operator, value):
        if operator not in ("=", "in") or value not in (True, [True], {True}):
            return NotImplemented
        return self._search_by_credit_figure(lambda position: position["cover_exceeded"])

    def _search_credit_used_percent(self, operator, value):
        comparators = {
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
        }
        if operator not in comparators or not isinstance(value, int | float):
            return NotImplemented
        compare = comparators[operator]
        return self._search_by_credit_figure(
            lambda position: position["credit_limit"] and compare(position["used_percent"], value)
        )
