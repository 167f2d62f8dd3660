from odoo import api
from odoo import fields
from odoo import models

from ..models.input_checks import check_not_future


class ReceivableAgingDate(models.TransientModel):
    """Ask for a date, then open the aged receivables as they stood that day."""

    _name = "receivable.aging.date"
    _description = "Aged Receivables at a Date"

    date = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="The receivables open at the end of this day: payments and reconciliations made "
        "after it are ignored.",
    )

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("date")
    def _check_date(self):
        check_not_future(self, "date")

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_open(self):
        self.ensure_one()
        return self.env["receivable.aging"].action_open_aging(date=self.date)
