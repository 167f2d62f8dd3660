"""19.0.1.2.0: automatic sending of reminders became a setting, off until a Credit Manager
activates it after the first-run preview (issue 15). A company whose reminders the nightly run
sent (an active dunning ladder, or reminders already sent) keeps sending automatically: the
upgrade changes nothing for it."""

import logging

from odoo import SUPERUSER_ID
from odoo import api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    companies = env["res.company"].search([])._turn_on_auto_send_where_sending()
    if companies:
        _logger.info(
            "Automatic sending of reminders kept on for the companies already sending: %s",
            ", ".join(companies.mapped("name")),
        )
