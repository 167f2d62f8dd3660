"""19.0.1.3.0: the reminder emails link to the customer's account page on the portal
(issue 16): a button "See my account, pay or answer online" to its signed link, in the reminder
templates and in the email of a missed payment-plan instalment. Those templates are noupdate:
an update keeps them without it. The ones nobody edited are reloaded from the files (with
their fr/nl translations); the edited ones are kept, named in a warning and in a To-Do for a
Credit Manager (see receivable.shipped.texts). The letter is a report: it updates by itself."""

from odoo import SUPERUSER_ID
from odoo import api

from odoo.addons.account_receivable_control.models.shipped_texts import edited_by_hand

EDITED_TABLE = "receivable_migrate_1_3_edited"  # filled by pre-migrate.py

# The templates whose body changed since 19.0.1.2.0 (git diff i16 -- data/), with the SHA-256
# of their English body as 19.0.1.2.0 shipped it (read on a database installed with
# 19.0.1.2.0). Another value means someone edited it.
OLD_TEXTS = {
    "mail_template_reminder_friendly": (
        "body_html",
        "db17e51ce79fd83cadf6b17dcb1068aae66426372090ca7b97d3c8c6d311236f",
    ),
    "mail_template_reminder": (
        "body_html",
        "78ebe639bd5b626f4cb1700eaa7979692776cd5c6bc85de8221d0b450eb8269f",
    ),
    "mail_template_reminder_firm": (
        "body_html",
        "433bcd05eba6756470608424e5127373192ab7b1a996849867e7350a71c1868f",
    ),
    "mail_template_formal_notice": (
        "body_html",
        "73acfb2e53335105ae12efccaca187afe25b497fdc66fdb74af5f44df47f2b86",
    ),
    "mail_template_payment_plan_missed": (
        "body_html",
        "ad47ad3724a99d46edf699cf74415e157484c70f3b9ba3f65630fd38baa6f731",
    ),
}


def migrate(cr, version):
    edited = edited_by_hand(cr, EDITED_TABLE)
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["receivable.shipped.texts"]._reset_unedited_shipped_texts(
        OLD_TEXTS, edited, change="portal_link"
    )
