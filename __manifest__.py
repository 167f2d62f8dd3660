# Part of account_receivable_control. See LICENSE file for full copyright and licensing details.
{
    "name": "Receivable Control",
    "summary": "Credit limits and policies, risk scores, multi-level dunning, "
    "aging, exports and collection KPIs for customer receivables",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Receivable Control Team",
    "website": "https://github.com/account-receivable-control/account_receivable_control",
    "license": "LGPL-3",
    "depends": ["account", "mail"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/groups.xml",
        "security/ir.model.access.csv",
        "security/record_rules.xml",
        "data/receivable_policy_data.xml",
        "data/ir_cron.xml",
        "views/receivable_policy_views.xml",
        "views/receivable_credit_limit_request_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/receivable_credit_hold_wizard_views.xml",
        "wizards/receivable_hold_override_wizard_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "account_receivable_control/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
