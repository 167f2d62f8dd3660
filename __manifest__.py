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
        "views/menus.xml",
    ],
    "installable": True,
    "application": False,
}
