# Part of account_receivable_control. See LICENSE file for full copyright and licensing details.
{
    "name": "Receivable Control - Online Payment",
    "summary": "Pay all overdue invoices at once from the customer's account page",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Receivable Control Team",
    "website": "https://github.com/account-receivable-control/account_receivable_control",
    "license": "LGPL-3",
    "depends": ["account_receivable_control", "account_payment"],
    "data": [
        "views/portal_templates.xml",
    ],
    "installable": True,
    "auto_install": True,
}
