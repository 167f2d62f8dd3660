# Part of account_receivable_control. See LICENSE file for full copyright and licensing details.
{
    "name": "Receivable Control - Sales",
    "summary": "Credit policies and holds checked when a quotation is confirmed",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Receivable Control Team",
    "website": "https://github.com/account-receivable-control/account_receivable_control",
    "license": "LGPL-3",
    "depends": ["account_receivable_control", "sale"],
    "data": [
        "security/ir.model.access.csv",
        "security/record_rules.xml",
        "wizards/receivable_document_override_wizard_views.xml",
        "views/sale_order_views.xml",
        "views/res_partner_views.xml",
        "views/receivable_credit_override_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "account_receivable_control_sale/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "auto_install": True,
}
