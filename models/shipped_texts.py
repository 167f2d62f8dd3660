"""The texts the module ships in noupdate data (email templates, dunning levels), brought up to
date on databases installed with an older version.

Odoo never rewrites noupdate records at an update, so a database keeps the wording it was
installed with even when a new version corrects it. A migration script names the records whose
shipped text changed and calls ``_reset_unedited_shipped_texts``: the records nobody edited are
reloaded from their file (fields and fr/nl translations), the ones a person edited are kept and
reported, with a To-Do for a Credit Manager. Its pre-migration script keeps first, with
``keep_edited_by_hand``, the records a person wrote last (``edited_by_hand`` reads them back).
"""

import hashlib
import logging

from lxml import etree
from markupsafe import Markup

from odoo import SUPERUSER_ID
from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools.convert import xml_import
from odoo.tools.misc import file_path
from odoo.tools.sql import table_exists
from odoo.tools.translate import TranslationImporter
from odoo.tools.translate import get_po_paths

_logger = logging.getLogger(__name__)

MODULE = "account_receivable_control"
# The file each model's shipped records come from. Email templates know theirs (template_fs).
SHIPPED_FILES = {
    "receivable.dunning.level": f"{MODULE}/data/receivable_dunning_data.xml",
}


def keep_edited_by_hand(cr, table, models):
    """For a pre-migration script: keep in the new table ``table`` the xmlids of the module's
    records of ``models`` (``{table name: model name}``) that a person wrote last, read before
    the update can rewrite their ``write_uid`` (a stored computed field added to a model
    rewrites its records as the superuser). The post-migration script reads them back with
    ``edited_by_hand``."""
    cr.execute(
        SQL("CREATE TABLE IF NOT EXISTS %s (name varchar PRIMARY KEY)", SQL.identifier(table))
    )
    for record_table, model in models.items():
        # uid 1 (the superuser) installs and updates the data; anyone else is a person
        cr.execute(
            SQL(
                """
                INSERT INTO %s (name)
                SELECT imd.name
                  FROM ir_model_data imd
                  JOIN %s rec ON rec.id = imd.res_id
                 WHERE imd.module = %s
                   AND imd.model = %s
                   AND rec.write_uid != %s
                ON CONFLICT DO NOTHING
                """,
                SQL.identifier(table),
                SQL.identifier(record_table),
                MODULE,
                model,
                SUPERUSER_ID,
            )
        )


def edited_by_hand(cr, table):
    """For a post-migration script: the xmlids ``keep_edited_by_hand`` kept in ``table`` (an
    empty set without the table); the table is dropped."""
    if not table_exists(cr, table):
        return set()
    cr.execute(SQL("SELECT name FROM %s", SQL.identifier(table)))
    edited = {name for (name,) in cr.fetchall()}
    cr.execute(SQL("DROP TABLE %s", SQL.identifier(table)))
    return edited


class _TrialLoad(Exception):
    """Rolls back the savepoint of a trial load."""


class CurrentSourceImporter(TranslationImporter):
    """Odoo's translation importer, keeping only the translations made from the text a record
    holds now. A .po file not yet translated for a new text still carries the translation of
    the old one under the record's name: loaded, it would put the old wording back in French or
    Dutch. Without a translation of the new text, the reader gets the new English."""

    def _load(self, reader, lang, xmlids=None):
        wanted = set(xmlids or ())
        rows = (
            row
            for row in reader
            if not wanted or f"{row.get('module')}.{row.get('imd_name')}" in wanted
        )
        return super()._load(filter(self._made_from_current_text, rows), lang, xmlids)

    def _made_from_current_text(self, row):
        if row.get("type") != "model" or row.get("imd_model") not in self.env:
            return True  # term translations are matched on their source by Odoo already
        record = self.env.ref(f"{row['module']}.{row['imd_name']}", raise_if_not_found=False)
        field_name = row["name"].split(",")[1]
        if not record or field_name not in record._fields:
            return True
        return row["src"] == record.with_context(lang="en_US")[field_name]


class ReceivableShippedTexts(models.AbstractModel):
    _name = "receivable.shipped.texts"
    _description = "Receivable Control: shipped texts brought up to date"

    @api.model
    def _reset_unedited_shipped_texts(self, old_texts, edited_xmlids=(), change="wording"):
        """Reload from the module's files the records of ``old_texts`` that nobody edited; keep
        the edited ones, log one warning naming them and ask a Credit Manager to review them.

        :param old_texts: ``{xmlid: (field name, SHA-256 of its English value as the previous
            version shipped it)}``, xmlids of this module
        :param edited_xmlids: xmlids known as edited by hand (a pre-migration script reads the
            ``write_uid`` before the update rewrites it)
        :param change: what the new version changed in the texts, a key of
            ``_get_change_notes``: the Credit Manager's To-Do says it
        :return: ``(reset, edited)``, two lists of records
        """
        reset, edited = [], []
        for xmlid, (field_name, old_digest) in old_texts.items():
            record = self.env.ref(f"{MODULE}.{xmlid}", raise_if_not_found=False)
            if not record or self._holds_shipped_text(record, field_name):
                continue  # already the current wording (installed with it): nothing to do
            if xmlid in edited_xmlids or self._edited_by_hand(record, field_name, old_digest):
                edited.append(record)
            else:
                reset.append(record)
        for record in reset:
            self._reload_from_file(record)
        if edited:
            names = ", ".join(f"{record._description} '{record.display_name}'" for record in edited)
            _logger.warning(
                "Receivable Control: texts kept with their old wording, edited by hand: reset "
                "them from Email Templates → Reset Template, or review the wording (dunning "
                "levels: on their policy): %s",
                names,
            )
            self._ask_review(edited, change)
        return reset, edited

    @api.model
    def _edited_by_hand(self, record, field_name, old_digest):
        """Whether a person changed the record since it was loaded. Two tests, both needed:

        - its English text is no longer the one the previous version shipped (its SHA-256
          differs): an edit, whoever made it;
        - it was last written by a user other than the superuser: installs and updates load
          data as uid 1, a person editing in the interface writes as themself (an edit of a
          translation only counts too). Alone this test is not enough: an update that adds a
          stored computed field to the model rewrites every record as uid 1 (19.0.1.2.0 does
          so on the levels, hence the pre-migration script that reads it first).
        """
        return self._digest(record, field_name) != old_digest or record.write_uid.id != SUPERUSER_ID

    @api.model
    def _holds_shipped_text(self, record, field_name):
        """Whether the record's English text is the one its file ships now: the file is loaded
        on trial in a savepoint rolled back, so that no rendering of the file's XML is guessed."""
        current = self._digest(record, field_name)
        try:
            with self.env.cr.savepoint():
                self._reload_from_file(record)
                shipped = self._digest(record, field_name)
                raise _TrialLoad
        except _TrialLoad:
            pass
        finally:
            self.env.invalidate_all()
        return current == shipped

    @api.model
    def _digest(self, record, field_name):
        english = record.with_context(lang="en_US")[field_name] or ""
        return hashlib.sha256(str(english).encode()).hexdigest()

    @api.model
    def _reload_from_file(self, record):
        """Load ``record`` again from its shipped file, as Odoo's Reset Template does for email
        templates (mail/models/template_reset_mixin.py): the fields the file gives, then the
        translations of the installed languages from the module's .po files, those made from
        the new texts only."""
        module, name = record.get_external_id()[record.id].split(".")
        if record._name == "mail.template":
            record.reset_template()  # Odoo's own, with the fields the file leaves out emptied
        else:
            self._load_record_from_file(record, module, name)
        self._clear_translations(record)
        importer = CurrentSourceImporter(self.env.cr)
        for lang, _name in self.env["res.lang"].get_installed():
            for po_path in get_po_paths(module, lang):
                importer.load_file(po_path, lang, xmlids=[name, f"{module}.{name}"])
        importer.save(overwrite=True, force_overwrite=True)

    @api.model
    def _load_record_from_file(self, record, module, name):
        document = etree.parse(file_path(SHIPPED_FILES[record._name]))
        for node in document.xpath(
            "//record[@id = $name or @id = $xmlid]", name=name, xmlid=f"{module}.{name}"
        ):
            importer = xml_import(self.env, module, {}, mode="init", noupdate=True)
            importer._tag_record(node)

    @api.model
    def _clear_translations(self, record):
        """The record's translated fields hold their English value in every language, stored:
        the translations of the module that the update loads after the migration fill only
        the languages a record lacks, and would put back the old wording there."""
        english = record.with_context(lang="en_US")
        langs = [code for code, _name in self.env["res.lang"].get_installed() if code != "en_US"]
        for field_name, field in record._fields.items():
            if field.translate is True and field.store and english[field_name]:
                record.update_field_translations(
                    field_name, dict.fromkeys(langs, english[field_name])
                )

    @api.model
    def _get_change_notes(self):
        """What each version changed in the shipped texts, as the review To-Do says it."""
        return {
            # 19.0.1.2.0
            "wording": self.env._(
                "This version of Receivable Control corrects the wording of its "
                "reminders (no 'despite our reminders' on a first contact, no "
                "'registered letter' unless one was posted; credits, charges and "
                "missing rates stated). These texts were edited by hand and were kept: "
                "reset them (Email Templates → Reset Template) or review their wording."
            ),
            # 19.0.1.3.0
            "portal_link": self.env._(
                "This version of Receivable Control adds to its reminder emails a button "
                "to the customer's account page on the portal, where the customer sees the "
                "open invoices, pays, promises to pay or disputes an invoice. These texts "
                "were edited by hand and were kept: reset them (Email Templates → Reset "
                "Template) or add the button yourself."
            ),
        }

    @api.model
    def _ask_review(self, records, change="wording"):
        """One To-Do for a Credit Manager listing the records to review and saying what the
        version changed (``change``, see ``_get_change_notes``). Templates and levels carry
        no activities of their own: the To-Do stands alone in the manager's list."""
        manager = self.env["receivable.reference.rate"]._rate_keeper()
        if not manager:
            return self.env["mail.activity"]
        items = Markup().join(
            Markup("<li>%s: %s</li>") % (record._description, record.display_name)
            for record in records
        )
        return self.env["mail.activity"].create(
            {
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                "user_id": manager.id,
                "date_deadline": fields.Date.context_today(self),
                "summary": self.env._("Review the reminder texts edited by hand"),
                "note": Markup("<p>%s</p><ul>%s</ul>") % (self._get_change_notes()[change], items),
            }
        )
