"""19.0.1.1.0: the module's crons run at night, one after the other (holds 01:00, risk 02:00,
payment plans 03:00, dunning 05:00, in the company's time zone). Databases installed before
had them all at the install time, where the dunning and the risk runs met every day."""

from odoo import SUPERUSER_ID
from odoo import api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["receivable.dunning.engine"]._schedule_crons_at_night()
