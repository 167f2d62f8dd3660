from itertools import pairwise

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from . import legal_formulas as lf
from .input_checks import check_range
from .input_checks import field_label
from .receivable_payment_plan import MAX_INSTALMENTS
from .receivable_promise import MAX_PROMISE_DAYS


class ReceivablePolicy(models.Model):
    """A credit policy: how much credit a client segment gets and what happens beyond it.

    Partners name their policy per company (``res.partner.receivable_policy_id``); a company
    names a default policy for the partners that have none.
    """

    _name = "receivable.policy"
    _description = "Credit Policy"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, name"
    _check_company_auto = True

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    default_credit_limit = fields.Monetary(
        string="Default Credit Limit",
        tracking=True,
        help="Limit of the partners of this policy that have no limit of their own. "
        "Zero means no limit.",
    )
    tolerance_amount = fields.Monetary(
        string="Tolerance (amount)",
        tracking=True,
        help="Exposure allowed above the limit before the hold rule applies.",
    )
    tolerance_percent = fields.Float(
        string="Tolerance (%)",
        tracking=True,
        help="Exposure allowed above the limit, in percent of the limit. "
        "When both tolerances are set, the larger one applies.",
    )
    max_days_overdue = fields.Integer(
        string="Maximum Days Past Due",
        tracking=True,
        help="A partner with an invoice overdue by more than this many days breaks the policy. "
        "Zero disables the rule.",
    )
    hold_rule = fields.Selection(
        [("warn", "Warn only"), ("block", "Block posting")],
        required=True,
        default="warn",
        tracking=True,
        help="What happens when a new customer invoice breaks the policy: a warning on the "
        "invoice, or posting blocked until a Credit Manager overrides it.",
    )
    auto_hold = fields.Boolean(
        string="Put on Hold Automatically",
        default=True,
        tracking=True,
        help="Put partners on credit hold when they exceed their limit or the maximum days past "
        "due, and release them when the cause is gone.",
    )
    override_group_id = fields.Many2one(
        "res.groups",
        string="Override Allowed To",
        required=True,
        default=lambda self: self.env.ref(
            "account_receivable_control.group_credit_manager", raise_if_not_found=False
        ),
        tracking=True,
        help="Members of this group may post a blocked invoice, giving a reason.",
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Suggested Payment Terms",
        check_company=True,
        tracking=True,
    )
    criteria = fields.Html(
        string="Criteria for Granting Credit",
        translate=True,
        help="Who gets this policy and on which conditions (documents, guarantees, insurance).",
    )
    partner_count = fields.Integer(compute="_compute_partner_count")

    # Dunning
    dunning_level_ids = fields.One2many(
        "receivable.dunning.level", "policy_id", string="Dunning Ladder", copy=True
    )
    dunning_active = fields.Boolean(
        string="Send Reminders",
        default=True,
        tracking=True,
        help="Send the reminders of the ladder automatically every night. When off, the "
        "partners of this policy are not reminded.",
    )

    # Legal: interest, fees, formal notice, agency, payment plans
    legal_profile_id = fields.Many2one(
        "receivable.legal.profile",
        string="Legal Profile",
        tracking=True,
        help="The late-payment interest and fees the reminders claim. Private individuals get "
        "the profile's consumer counterpart.",
    )
    contract_interest_rate = fields.Float(
        string="Contract Interest Rate (%)",
        tracking=True,
        digits=(6, 3),
        help="Late-payment rate set by the general terms of sale, instead of the statutory "
        "one. In France it may not be lower than three times the legal interest rate.",
    )
    contract_rate_warning = fields.Char(
        compute="_compute_contract_rate_warning",
        help="A French contract rate below three times the latest known legal interest rate.",
    )
    fee_from_level_id = fields.Many2one(
        "receivable.dunning.level",
        string="Fees from Level",
        tracking=True,
        domain="[('policy_id', '=', id)]",
        help="Recovery fees are claimed from this level of the ladder on; reminders at a lower "
        "level claim none. Empty: from the first level after the due date for businesses. The "
        "legal profile's own rules apply on top (no fee during the Belgian consumer's free "
        "window, none for French consumers).",
    )
    post_legal_charges = fields.Boolean(
        string="Invoice Interest and Fees at Formal Notice",
        tracking=True,
        help="When a formal notice goes out, post the interest and fees it claims as a customer "
        "invoice on the accounts set in the settings. Never twice for an invoice and period.",
    )
    agency_id = fields.Many2one(
        "res.partner",
        string="Collection Agency",
        tracking=True,
        domain="[('is_collection_agency', '=', True)]",
        help="Receives the claims of the ladder's level that hands over to an agency.",
        check_company=True,
    )
    risk_hold_class = fields.Selection(
        [(letter, letter) for letter in "ABCDE"],
        string="Hold from Risk Class",
        tracking=True,
        help="Customers of this policy whose risk class reaches this class (or worse) are put "
        "on credit hold. Empty: the company's setting applies.",
    )
    payment_plan_cancel_on_missed = fields.Boolean(
        string="Cancel Payment Plans on a Missed Instalment",
        default=True,
        tracking=True,
        help="A missed instalment breaks the plan and its invoices return to the ladder.",
    )
    portal_promise_max_days = fields.Integer(
        string="Portal Promise: Maximum Days Ahead",
        default=30,
        tracking=True,
        help="A customer promising on the portal to pay an invoice may give a date at most this "
        "many days from today.",
    )
    portal_plan_max_instalments = fields.Integer(
        string="Portal Payment Plan: Maximum Instalments",
        default=12,
        tracking=True,
        help="A customer asking on the portal to pay its overdue invoices by instalments may ask "
        "for 2 up to this many monthly instalments. A Credit Controller decides.",
    )

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    def _compute_partner_count(self):
        counts = {}
        for company in self.company_id:
            partners = self.env["res.partner"].with_company(company)
            for policy, count in partners._read_group(
                [("receivable_policy_id", "in", self.ids), ("is_company", "=", True)],
                ["receivable_policy_id"],
                ["__count"],
            ):
                counts[policy.id] = count
        for policy in self:
            policy.partner_count = counts.get(policy.id, 0)

    @api.depends_context("lang")
    @api.depends("contract_interest_rate", "legal_profile_id.interest_rule")
    def _compute_contract_rate_warning(self):
        rates = self.env["receivable.reference.rate"]
        for policy in self:
            policy.contract_rate_warning = False
            rate = policy.contract_interest_rate
            if not rate or policy.legal_profile_id.interest_rule != "fr_b2b":
                continue
            table = rates._get_table("fr_legal_other")
            if not table:
                continue
            half_year = max(table)
            floor, raised = lf.fr_contract_rate(rate, table[half_year])
            if raised:
                policy.contract_rate_warning = self.env._(
                    "The contract rate of %(rate)s %% is below the French legal minimum of "
                    "%(floor)s %% (3 x the legal interest rate of %(legal)s %% of the half-year "
                    "from %(date)s): reminders claim that minimum instead for that half-year.",
                    rate=rate,
                    floor=round(floor, 2),
                    legal=table[half_year],
                    date=format_date(self.env, half_year),
                )

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains(
        "default_credit_limit", "tolerance_amount", "tolerance_percent", "max_days_overdue"
    )
    def _check_amounts(self):
        check_range(self, ["default_credit_limit", "tolerance_amount", "max_days_overdue"], 0)
        check_range(self, ["tolerance_percent"], 0.0, 100.0)

    @api.constrains("portal_promise_max_days")
    def _check_portal_promise_max_days(self):
        check_range(self, ["portal_promise_max_days"], 1, MAX_PROMISE_DAYS)

    @api.constrains("portal_plan_max_instalments")
    def _check_portal_plan_max_instalments(self):
        check_range(self, ["portal_plan_max_instalments"], 2, MAX_INSTALMENTS)

    @api.constrains("contract_interest_rate")
    def _check_contract_interest_rate(self):
        # The French floor (3 x the legal rate) is applied per half-year by the computation
        # and shown as a warning on the form: a rate below it is never claimed.
        check_range(self, ["contract_interest_rate"], 0.0, 100.0)

    @api.constrains("fee_from_level_id")
    def _check_fee_from_level(self):
        for policy in self:
            if policy.fee_from_level_id and policy.fee_from_level_id.policy_id != policy:
                raise ValidationError(
                    self.env._(
                        'The "%(field)s" of the policy %(policy)s must be a level of its own '
                        "ladder, not %(level)s.",
                        field=field_label(self, "fee_from_level_id"),
                        policy=policy.name,
                        level=policy.fee_from_level_id.display_name,
                    )
                )

    def _check_dunning_ladder(self):
        """Offsets must grow strictly with the sequence: one level per offset, in order."""
        for policy in self:
            levels = policy.dunning_level_ids.filtered("active").sorted(
                lambda level: (level.sequence, level.offset_days, level.id)
            )
            for previous, level in pairwise(levels):
                if level.offset_days == previous.offset_days:
                    raise ValidationError(
                        self.env._(
                            "The levels '%(a)s' and '%(b)s' of the ladder '%(policy)s' have the "
                            "same offset (%(days)s days): each level needs its own offset.",
                            a=previous.name,
                            b=level.name,
                            policy=policy.name,
                            days=level.offset_days,
                        )
                    )
                if level.offset_days < previous.offset_days:
                    raise ValidationError(
                        self.env._(
                            "In the ladder '%(policy)s', the level '%(b)s' (%(b_days)s days) "
                            "comes after '%(a)s' (%(a_days)s days): the offsets must grow "
                            "with the sequence.",
                            policy=policy.name,
                            a=previous.name,
                            a_days=previous.offset_days,
                            b=level.name,
                            b_days=level.offset_days,
                        )
                    )

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _get_tolerated_limit(self, limit):
        """Return the exposure allowed for ``limit`` under this policy (limit + tolerance)."""
        self.ensure_one()
        if not limit:
            return 0.0
        tolerance = max(self.tolerance_amount, limit * self.tolerance_percent / 100.0)
        return limit + tolerance

    def _get_fee_level(self, profile):
        """The level from which reminders claim recovery fees under ``profile``: the chosen
        one, else for businesses the first level after the due date; empty: any level (the
        profile's own rules decide)."""
        self.ensure_one()
        if self.fee_from_level_id:
            return self.fee_from_level_id
        if profile.customer_kind != "b2b":
            return self.env["receivable.dunning.level"]
        after_due = self.dunning_level_ids.filtered(lambda level: level.offset_days > 0)
        return after_due.sorted(lambda level: (level.offset_days, level.id))[:1]

    def _claims_fees_at(self, level, profile):
        """Whether a reminder at ``level`` claims recovery fees (levels compare by offset)."""
        fee_level = self._get_fee_level(profile)
        return not fee_level or level.offset_days >= fee_level.offset_days

    def _may_override(self, user):
        self.ensure_one()
        return self.override_group_id in user.all_group_ids

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.res_partner_action_customer"
        )
        action["domain"] = [("receivable_policy_id", "=", self.id)]
        action["context"] = {"allowed_company_ids": self.company_id.ids}
        return action
