from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from .input_checks import check_range

# Aging columns of ``receivable.aging``: "not due" + up to 6 overdue buckets.
MAX_PROVISION_RATES = 7

WORKLIST_RULES = [
    ("risk_amount_days", "Risk x amount overdue x days late"),
    ("amount_days", "Amount overdue x days late"),
    ("amount", "Amount overdue"),
]


class ResCompany(models.Model):
    """Collection settings: the worklist ranking, the dispute follow-up, the provision rates."""

    _inherit = "res.company"

    receivable_worklist_rule = fields.Selection(
        WORKLIST_RULES,
        string="Worklist Priority",
        default="risk_amount_days",
        required=True,
        help="How the collector worklist ranks the actions of the day (highest first):\n"
        "- Risk x amount overdue x days late: risk score / 100 x overdue amount x "
        "(1 + days late of the oldest overdue item / 30);\n"
        "- Amount overdue x days late: overdue amount x (1 + days late / 30);\n"
        "- Amount overdue: the overdue amount only.",
    )
    receivable_dispute_followup_days = fields.Integer(
        string="Follow Up Disputes After (Days)",
        default=14,
        help="An invoice in dispute for this many days comes back on the collector worklist.",
    )
    receivable_dunning_max_failures = fields.Integer(
        string="Reminder Failures Before Review",
        default=3,
        help="A reminder that fails to be sent this many times in a row (rendering, address, "
        "undelivered email) goes back to review, with an activity for the Credit Manager.",
    )
    receivable_provision_rates = fields.Char(
        string="Bad-Debt Provision Rates",
        default="0,0,10,25,50",
        required=True,
        help="Percentage of the receivable to provision in each aging bucket, from "
        '"Not Due" to the oldest bucket, separated by commas: "0,0,10,25,50" provisions '
        "10% of 31-60, 25% of 61-90 and 50% of > 90 with the default buckets. One rate "
        "per aging bucket, each from 0 to 100.",
    )

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("receivable_provision_rates")
    def _check_receivable_provision_rates(self):
        # The count against the buckets is checked where both are edited together (the
        # settings) and when the rates are used: the buckets may be changed alone.
        for company in self:
            company._parse_receivable_provision_rates(company.receivable_provision_rates)

    @api.constrains("receivable_dispute_followup_days")
    def _check_receivable_dispute_followup_days(self):
        check_range(self, ["receivable_dispute_followup_days"], 0)

    @api.constrains("receivable_dunning_max_failures")
    def _check_receivable_dunning_max_failures(self):
        for company in self:
            if company.receivable_dunning_max_failures < 1:
                raise ValidationError(
                    self.env._(
                        "Reminder Failures Before Review must be at least 1, not %s.",
                        company.receivable_dunning_max_failures,
                    )
                )

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _get_receivable_provision_rates(self):
        """The provision rates of the company as fractions (0.1 for 10 %), one per aging bucket.

        UserError when their number differs from the company's aging buckets (the buckets were
        changed after the rates).
        """
        self.ensure_one()
        rates = self._parse_receivable_provision_rates(self.receivable_provision_rates)
        bucket_count = len(self._get_receivable_aging_bounds()) + 2
        if len(rates) != bucket_count:
            raise UserError(
                self.env._(
                    "%(company)s has %(buckets)s aging buckets but %(rates)s bad-debt provision "
                    "rates (%(text)s): set one rate per bucket in the settings.",
                    company=self.name,
                    buckets=bucket_count,
                    rates=len(rates),
                    text=self.receivable_provision_rates,
                )
            )
        return [rate / 100.0 for rate in rates]

    @api.model
    def _parse_receivable_provision_rates(self, text, bucket_count=None):
        """Rates (percent) of ``text`` ("0,0,10,25,50"); ValidationError unless 1 to 7 numbers
        from 0 to 100 (and ``bucket_count`` of them when given)."""
        error = self.env._(
            "The bad-debt provision rates must be one percentage from 0 to 100 per aging "
            'bucket, separated by commas (for example "0,0,10,25,50"), not "%(text)s".',
            text=text or "",
        )
        try:
            rates = [float(part.strip()) for part in (text or "").split(",")]
        except ValueError:
            raise ValidationError(error) from None
        if not 1 <= len(rates) <= MAX_PROVISION_RATES:
            raise ValidationError(error)
        if any(not 0.0 <= rate <= 100.0 for rate in rates):
            raise ValidationError(error)
        if bucket_count is not None and len(rates) != bucket_count:
            raise ValidationError(
                self.env._(
                    'Set one bad-debt provision rate per aging bucket ("Not Due" and each '
                    'overdue bucket): %(count)s rates, not "%(text)s".',
                    count=bucket_count,
                    text=text,
                )
            )
        return rates
