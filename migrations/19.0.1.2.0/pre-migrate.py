"""19.0.1.2.0, before the update: which shipped texts a person edited, read while their
``write_uid`` still says so. The update adds a stored computed field to the dunning levels
(letter_registered), whose computation rewrites every level as the superuser; the
post-migration script reads the list kept here."""

EDITED_TABLE = "receivable_migrate_1_2_edited"


def migrate(cr, version):
    cr.execute(f"CREATE TABLE IF NOT EXISTS {EDITED_TABLE} (name varchar PRIMARY KEY)")
    for table, model in (
        ("mail_template", "mail.template"),
        ("receivable_dunning_level", "receivable.dunning.level"),
    ):
        # uid 1 (the superuser) installs and updates the data; anyone else is a person
        cr.execute(
            f"""
            INSERT INTO {EDITED_TABLE} (name)
            SELECT imd.name
              FROM ir_model_data imd
              JOIN {table} rec ON rec.id = imd.res_id
             WHERE imd.module = 'account_receivable_control'
               AND imd.model = %s
               AND rec.write_uid != 1
            ON CONFLICT DO NOTHING
            """,
            [model],
        )
