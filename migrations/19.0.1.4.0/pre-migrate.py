"""19.0.1.4.0: the screens that only read store nothing (issue 17). The wizards behind
*Cash-in Forecast*, *Bad-Debt Provision*, *Export Aged Receivables* and *Customer Statement*
are gone, and with them ``res.partner.action_open_statement_wizard``.

The update validates each view of a model with every view extending it, as stored: the
customer form is checked while our statement extension still holds its old button, whose
method no longer exists, and the update fails before that extension is reloaded. So the
extensions of this module that name what 19.0.1.4.0 removed are emptied first; each is
reloaded from its file right after, as every view of the module is on an update."""

import logging

_logger = logging.getLogger(__name__)

MODULE = "account_receivable_control"
# What 19.0.1.4.0 removed that a stored view of the module may name.
REMOVED = (
    "action_open_statement_wizard",
    "receivable.statement.wizard",
    "receivable.aging.export",
    "receivable.cash.forecast.line",
    "receivable.provision.line",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE ir_ui_view view
           SET arch_db = jsonb_build_object('en_US', '<data/>')
          FROM ir_model_data data
         WHERE data.model = 'ir.ui.view'
           AND data.res_id = view.id
           AND data.module = %s
           AND view.inherit_id IS NOT NULL
           AND view.arch_db::text ~ %s
     RETURNING data.name
        """,
        [MODULE, "|".join(name.replace(".", r"\.") for name in REMOVED)],
    )
    emptied = sorted(row[0] for row in cr.fetchall())
    if emptied:
        _logger.info("Views emptied before their reload (they named removed wizards): %s", emptied)
