from itertools import pairwise

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

# Bounds of the aging buckets: the aging has 7 bucket columns (not due, 5 intervals, > last).
MAX_AGING_BOUNDS = 5


class ResCompany(models.Model):
    _inherit = "res.company"

    receivable_default_policy_id = fields.Many2one(
        "receivable.policy",
        string="Default Credit Policy",
        check_company=True,
        help="Credit policy of the customers that have none of their own.",
    )
    receivable_default_b2c_policy_id = fields.Many2one(
        "receivable.policy",
        string="Default B2C Credit Policy",
        check_company=True,
        help="Credit policy of the private individuals (customers that are not a company) "
        "that have none of their own. Without one, they follow the default credit policy.",
    )
    receivable_hold_enforcement = fields.Boolean(
        string="Enforce Credit Holds",
        # Off on a new install: holding customers is a choice made in the settings, after
        # seeing how many it would hold (existing databases keep their value).
        default=False,
        help="Apply the policies: automatic holds, and warnings or blocks when posting "
        "customer invoices. When off, the credit figures are only shown.",
    )
    receivable_charges_journal_id = fields.Many2one(
        "account.journal",
        string="Journal for Late-Payment Charges",
        check_company=True,
        domain="[('type', '=', 'sale')]",
        help="Sales journal of the invoices that claim late-payment interest and fees.",
    )
    receivable_fee_account_id = fields.Many2one(
        "account.account",
        string="Recovery Fees Account",
        check_company=True,
        help="Income account of the fixed recovery compensation (no VAT).",
    )
    receivable_interest_account_id = fields.Many2one(
        "account.account",
        string="Late Interest Account",
        check_company=True,
        help="Income account of the late-payment interest.",
    )
    receivable_aging_buckets = fields.Char(
        string="Aging Buckets",
        default="30,60,90",
        required=True,
        help="Upper bounds, in days past due, of the overdue buckets of the aged receivables, "
        'separated by commas: "30,60,90" gives Not Due, 1-30, 31-60, 61-90 and > 90. '
        "From 1 to 5 increasing numbers (the aging has at most 7 columns).",
    )

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("receivable_aging_buckets")
    def _check_receivable_aging_buckets(self):
        for company in self:
            company._parse_receivable_aging_buckets(company.receivable_aging_buckets)

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    def cache_invalidation_fields(self):
        # The aged receivables cache the companies' currencies (see receivable.aging).
        return super().cache_invalidation_fields() | {"currency_id"}

    def write(self, vals):
        result = super().write(vals)
        if "receivable_aging_buckets" in vals:
            # The aging rows in cache were bucketed with the former bounds.
            self.env["receivable.aging"].invalidate_model()
        return result

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _get_receivable_default_policy(self, partner):
        """The policy of ``partner`` when it has none of its own: the default B2C policy for a
        private individual (its commercial partner is not a company), else the default."""
        self.ensure_one()
        commercial = partner.commercial_partner_id or partner
        if not commercial.is_company and self.receivable_default_b2c_policy_id:
            return self.receivable_default_b2c_policy_id
        return self.receivable_default_policy_id

    def _get_receivable_aging_bounds(self):
        """Upper bounds (days past due) of the company's overdue aging buckets, e.g. [30, 60, 90].

        The last bucket is "more than the last bound"; "not due" comes before the first.
        """
        self.ensure_one()
        return self._parse_receivable_aging_buckets(self.receivable_aging_buckets or "30,60,90")

    @api.model
    def _parse_receivable_aging_buckets(self, text):
        """Bounds of ``text`` ("30,60,90"); ValidationError unless 1 to 5 increasing positive
        integers (5 bounds: not due, 5 intervals and "more than the last" = the 7 columns of
        ``receivable.aging``)."""
        parts = [part.strip() for part in (text or "").split(",")]
        error = self.env._(
            "The aging buckets must be 1 to 5 whole numbers of days, increasing and above 0, "
            'separated by commas (for example "30,60,90"), not "%(text)s".',
            text=text or "",
        )
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise ValidationError(error)
        bounds = [int(part) for part in parts]
        if not 1 <= len(bounds) <= MAX_AGING_BOUNDS or bounds[0] < 1:
            raise ValidationError(error)
        if any(low >= high for low, high in pairwise(bounds)):
            raise ValidationError(error)
        return bounds
