# Part of account_receivable_control. See LICENSE file for full copyright and licensing details.
{
    "name": "Receivable Control - Job Queue",
    "summary": "The nightly runs as queue_job jobs, per company and per batch of customers",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Receivable Control Team",
    "website": "https://github.com/account-receivable-control/account_receivable_control",
    "license": "LGPL-3",
    "depends": ["account_receivable_control", "queue_job"],
    "data": [
        "data/queue_job_data.xml",
    ],
    "installable": True,
    "auto_install": True,
}
