"""19.0.1.3.0, before the update: which shipped email templates a person edited, read while
their ``write_uid`` still says so, as 19.0.1.2.0 does (see its pre-migrate.py); the
post-migration script reads the list kept here."""

from odoo.addons.account_receivable_control.models.shipped_texts import keep_edited_by_hand

EDITED_TABLE = "receivable_migrate_1_3_edited"


def migrate(cr, version):
    keep_edited_by_hand(cr, EDITED_TABLE, {"mail_template": "mail.template"})
