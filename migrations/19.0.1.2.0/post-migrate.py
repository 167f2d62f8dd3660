"""19.0.1.2.0: truer reminder wording (issue 14). The reminder email templates say "despite our
reminders" only after earlier reminders, "registered letter" only for a letter recorded as posted
by registered mail, and list the customer's credits, the charges explained and a missing rate;
the shipped second-reminder and formal-notice levels lost their "Despite..." sentence. Those
records are noupdate: an update keeps the old, untrue texts. The ones nobody edited are reloaded
from the files (with their fr/nl translations); the edited ones are kept, named in a warning
and in a To-Do for a Credit Manager (see receivable.shipped.texts)."""

from odoo import SUPERUSER_ID
from odoo import api

from odoo.addons.account_receivable_control.models.shipped_texts import edited_by_hand

EDITED_TABLE = "receivable_migrate_1_2_edited"  # filled by pre-migrate.py

# The records whose shipped text changed since 19.0.1.1.0 (git diff 2f00643 -- data/): the
# field whose text changed, and the SHA-256 of its English value as 19.0.1.1.0 shipped it
# (read on a database installed with 19.0.1.1.0). Another value means someone edited it.
SECOND = "52ce1d037aecd347f98f8c19123af1930b706b22f3895f738fe9f50a473a30be"
NOTICE = "0e50322a06f4794dd958f43a0538df215566db4af1616f4f226d7e3387d6e01f"
OLD_TEXTS = {
    "mail_template_reminder_friendly": (
        "body_html",
        "f8ba8147f14abe0c706fd4d5562874dff420e2fdc740256a377204fb882e93df",
    ),
    "mail_template_reminder": (
        "body_html",
        "01b59541017db2427fe825549a0aae52b55e164b4b26394e10d04c66dfa8401d",
    ),
    "mail_template_reminder_firm": (
        "body_html",
        "0e55cba03cf06738a63caa1eea289cdc9e833d00b8c4289e3cc0a735a321b56c",
    ),
    "mail_template_formal_notice": (
        "body_html",
        "50ac62abc077fb8c21466209d6613d3a57debbded8dc95aaf2cb4a304a3d765e",
    ),
    **{
        f"level_{policy}_{rung}": ("letter_text", digest)
        for policy in ("b2b", "strict", "key", "b2c")
        for rung, digest in (("second", SECOND), ("formal_notice", NOTICE))
    },
}


def migrate(cr, version):
    edited = edited_by_hand(cr, EDITED_TABLE)
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["receivable.shipped.texts"]._reset_unedited_shipped_texts(OLD_TEXTS, edited)
