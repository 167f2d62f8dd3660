from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from . import risk_formulas
from .input_checks import check_range

RISK_CLASS_SELECTION = [(letter, letter) for letter in risk_formulas.CLASSES]
# Company field of each component's weight.
WEIGHT_FIELDS = {name: f"receivable_risk_weight_{name}" for name in risk_formulas.COMPONENTS}
MAX_RISK_WINDOW_MONTHS = 120


class ResCompany(models.Model):
    _inherit = "res.company"

    receivable_risk_window_months = fields.Integer(
        string="Risk Window (months)",
        default=12,
        help="Payment behaviour read by the risk score: invoices paid in the last N months "
        "(the trend compares them with the N months before).",
    )
    receivable_average_payment_delay = fields.Float(
        string="Average Payment Delay (days)",
        readonly=True,
        digits=(16, 2),
        help="Amount-weighted average of (payment date - due date) of the customer invoices "
        "paid over the risk window, stored by the nightly run: the expected payment date of "
        "the invoices of customers without their own history.",
    )
    receivable_risk_class_bounds = fields.Char(
        string="Risk Class Bounds",
        default=risk_formulas.DEFAULT_BOUNDS,
        help='Scores separating the classes A to E: "20,40,60,80" gives A below 20, B from '
        "20 to below 40, ... E from 80.",
    )
    receivable_risk_hold_class = fields.Selection(
        RISK_CLASS_SELECTION,
        string="Hold from Risk Class",
        help="A customer whose risk class reaches this class (or worse) is put on credit hold "
        "automatically. Empty: the risk class never holds.",
    )
    receivable_risk_activity = fields.Boolean(
        string="Alert on Worse Risk Class",
        default=True,
        help="When a customer's risk class gets worse, schedule an activity for the risk manager.",
    )
    receivable_risk_user_id = fields.Many2one(
        "res.users",
        string="Risk Manager",
        help="Who gets the risk alerts; empty: the first Credit Manager of the company.",
    )
    receivable_risk_weight_avg_late = fields.Integer(
        string="Weight: Average Days Late", default=risk_formulas.DEFAULT_WEIGHTS["avg_late"]
    )
    receivable_risk_weight_late_share = fields.Integer(
        string="Weight: Share Paid Late", default=risk_formulas.DEFAULT_WEIGHTS["late_share"]
    )
    receivable_risk_weight_overdue_ratio = fields.Integer(
        string="Weight: Overdue vs Limit",
        default=risk_formulas.DEFAULT_WEIGHTS["overdue_ratio"],
    )
    receivable_risk_weight_oldest_overdue = fields.Integer(
        string="Weight: Oldest Overdue",
        default=risk_formulas.DEFAULT_WEIGHTS["oldest_overdue"],
    )
    receivable_risk_weight_dunning = fields.Integer(
        string="Weight: Dunning Level", default=risk_formulas.DEFAULT_WEIGHTS["dunning"]
    )
    receivable_risk_weight_incidents = fields.Integer(
        string="Weight: Disputes and Broken Promises",
        default=risk_formulas.DEFAULT_WEIGHTS["incidents"],
    )
    receivable_risk_weight_trend = fields.Integer(
        string="Weight: Trend", default=risk_formulas.DEFAULT_WEIGHTS["trend"]
    )
    receivable_risk_weight_new_customer = fields.Integer(
        string="Weight: Customer Age", default=risk_formulas.DEFAULT_WEIGHTS["new_customer"]
    )

    @api.constrains("receivable_risk_class_bounds")
    def _check_receivable_risk_class_bounds(self):
        for company in self:
            company._get_receivable_risk_bounds()

    @api.constrains("receivable_risk_window_months", *WEIGHT_FIELDS.values())
    def _check_receivable_risk_weights(self):
        for company in self:
            if company.receivable_risk_window_months < 1:
                raise ValidationError(self.env._("The risk window is at least one month."))
            # Ten years of history at most: older payments say nothing of today's risk.
            check_range(company, ["receivable_risk_window_months"], maximum=MAX_RISK_WINDOW_MONTHS)
            weights = company._get_receivable_risk_weights()
            if any(weight < 0 for weight in weights.values()) or not sum(weights.values()):
                raise ValidationError(
                    self.env._("The risk weights must be positive or zero, and not all zero.")
                )

    def _get_receivable_risk_weights(self):
        """{component: weight} of the company."""
        self.ensure_one()
        return {name: self[field] or 0 for name, field in WEIGHT_FIELDS.items()}

    def _get_receivable_risk_bounds(self):
        """[b1, b2, b3, b4] of the class bounds; ValidationError when they do not parse."""
        self.ensure_one()
        try:
            return risk_formulas.parse_bounds(self.receivable_risk_class_bounds)
        except ValueError:
            raise ValidationError(
                self.env._(
                    "The risk class bounds are 4 increasing scores between 0 and 100, "
                    'separated by commas (for example "20,40,60,80"), not "%s".',
                    self.receivable_risk_class_bounds,
                )
            ) from None
