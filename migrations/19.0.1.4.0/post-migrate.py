"""19.0.1.4.0: drop the tables of the wizards the read-only screens replaced (issue 17).

Odoo deletes a removed model's ``ir.model`` record at the end of an update, but drops its table
only while the model is still in the registry: the tables of the removed transient models
stay behind, empty. ``receivable.provision.wizard`` is now abstract (its read-only endpoints
keep their name) and has no table either."""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# The removed models' tables and their many2many tables.
LEFT_TABLES = (
    "receivable_aging_export_res_partner_rel",
    "receivable_aging_export",
    "receivable_statement_wizard_res_partner_rel",
    "receivable_statement_wizard",
    "receivable_cash_forecast_line",
    "receivable_provision_line",
    "receivable_provision_wizard",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename IN %s",
        [LEFT_TABLES],
    )
    tables = sorted(row[0] for row in cr.fetchall())
    for table in tables:
        cr.execute(SQL("DROP TABLE %s CASCADE", SQL.identifier(table)))
    if tables:
        _logger.info("Tables of the removed wizards dropped: %s", tables)
