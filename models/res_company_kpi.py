from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from .input_checks import check_range

MAX_KPI_PERIOD_DAYS = 730
MAX_UNPAID_DAYS = 3650


class ResCompany(models.Model):
    """Conventions of the collection KPIs (``receivable.kpi``), per company."""

    _inherit = "res.company"

    receivable_dso_method = fields.Selection(
        [("countback", "Countback"), ("simple", "Simple (period average)")],
        string="DSO Method",
        default="countback",
        required=True,
        help="Countback: the receivables are matched against the credit sales of each month, "
        "going back from the latest, and the DSO is the number of days covered. Simple: "
        "receivables ÷ credit sales of the KPI period x its number of days. The best "
        "possible DSO uses the same method on the receivables not yet due.",
    )
    receivable_kpi_period_days = fields.Integer(
        string="KPI Period (Days)",
        default=90,
        required=True,
        help="Length of the period the KPIs look back on: the credit sales of the simple DSO, "
        "the collections of the CEI and the payments of the average payment delay. 90 days "
        "(the last quarter) by default; every point of the 12-month trend uses the period "
        "ending at that month end.",
    )
    receivable_unpaid_days = fields.Integer(
        string="Unpaid After (Days)",
        default=90,
        required=True,
        help="Days past due after which an invoice counts as unpaid in the unpaid rate.",
    )

    @api.constrains("receivable_kpi_period_days", "receivable_unpaid_days")
    def _check_receivable_kpi_days(self):
        for company in self:
            if company.receivable_kpi_period_days < 1 or company.receivable_unpaid_days < 1:
                raise ValidationError(
                    self.env._("The KPI period and the unpaid threshold must be at least 1 day.")
                )
            # Beyond two years a DSO says nothing of today's collection; beyond ten years
            # nothing would ever count as unpaid.
            check_range(company, ["receivable_kpi_period_days"], maximum=MAX_KPI_PERIOD_DAYS)
            check_range(company, ["receivable_unpaid_days"], maximum=MAX_UNPAID_DAYS)
