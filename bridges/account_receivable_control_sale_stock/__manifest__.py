# Part of account_receivable_control. See LICENSE file for full copyright and licensing details.
{
    "name": "Receivable Control - Deliveries",
    "summary": "Deliveries of customers on credit hold wait for a Credit Manager's override",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Receivable Control Team",
    "website": "https://github.com/account-receivable-control/account_receivable_control",
    "license": "LGPL-3",
    "depends": ["account_receivable_control_sale", "sale_stock"],
    "data": [
        "views/receivable_policy_views.xml",
        "views/receivable_credit_override_views.xml",
        "views/receivable_document_override_wizard_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
