from odoo import fields
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    receivable_default_policy_id = fields.Many2one(
        "receivable.policy",
        string="Default Credit Policy",
        check_company=True,
        help="Credit policy of the customers that have none of their own.",
    )
    receivable_hold_enforcement = fields.Boolean(
        string="Enforce Credit Holds",
        default=True,
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
