"""19.0.1.2.0, before the update: which shipped texts a person edited, read while their
``write_uid`` still says so. The update adds a stored computed field to the dunning levels
(letter_registered), whose computation rewrites every level as the superuser; the
post-migration script reads the list kept here."""

from odoo.addons.account_receivable_control.models.shipped_texts import keep_edited_by_hand

EDITED_TABLE = "receivable_migrate_1_2_edited"


def migrate(cr, version):
    keep_edited_by_hand(
        cr,
        EDITED_TABLE,
        {"mail_template": "mail.template", "receivable_dunning_level": "receivable.dunning.level"},
    )
