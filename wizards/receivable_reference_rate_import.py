import base64
import binascii
import csv
import io

from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..models.receivable_reference_rate import RATE_KINDS
from ..models.receivable_security import MANAGER_GROUP
from ..models.receivable_security import check_receivable_group

REQUIRED_COLUMNS = ("kind", "date_from", "rate")
OPTIONAL_COLUMNS = ("source",)


class ReceivableReferenceRateImport(models.TransientModel):
    """'Import Rates' on the rate list: a CSV file with a header line and the columns
    ``kind,date_from,rate,source`` (``source`` may be left out), dates as YYYY-MM-DD, rates in
    percent with a dot (``3.15``).

    A row of the same kind and half-year already in the table is updated (it becomes a manual
    row, which the ECB fetch never changes); the others are added. Every line is checked
    before anything is written: one bad line and nothing is imported, the error names it.
    """

    _name = "receivable.reference.rate.import"
    _description = "Import Reference Rates"

    file = fields.Binary(string="CSV File", required=True)
    filename = fields.Char()

    def action_import(self):
        check_receivable_group(self.env, MANAGER_GROUP)
        self.ensure_one()
        rows = self._read_rows()
        rates = self.env["receivable.reference.rate"]
        existing = {
            (rate.kind, rate.date_from): rate
            for rate in rates.search(
                [
                    ("kind", "in", list({row["kind"] for row in rows})),
                    ("date_from", "in", list({row["date_from"] for row in rows})),
                ]
            )
        }
        to_create = []
        updated = rates
        for row in rows:
            vals = {"rate": row["rate"], "origin": "manual"}
            if row.get("source") is not None:
                vals["source"] = row["source"]
            rate = existing.get((row["kind"], row["date_from"]))
            if rate:
                if rate.rate != row["rate"] or ("source" in vals and rate.source != vals["source"]):
                    rate.write(vals)
                    updated |= rate
            else:
                to_create.append({**vals, "kind": row["kind"], "date_from": row["date_from"]})
        created = rates.create(to_create)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Import Rates"),
                "message": self.env._(
                    "%(created)s rate(s) added, %(updated)s updated, %(unchanged)s unchanged.",
                    created=len(created),
                    updated=len(updated),
                    unchanged=len(rows) - len(created) - len(updated),
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _read_rows(self):
        """The file's lines as dicts (kind, date_from, rate[, source]), all checked."""
        try:
            text = base64.b64decode(self.file or b"").decode("utf-8-sig")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise UserError(
                self.env._("The file is not a CSV file in UTF-8 (%(error)s).", error=error)
            ) from error
        reader = csv.DictReader(io.StringIO(text))
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        if missing or unknown:
            raise ValidationError(
                self.env._(
                    "Line 1 must be the header kind,date_from,rate,source (source is optional); "
                    "found: %(header)s.",
                    header=",".join(header) or self.env._("nothing"),
                )
            )
        reader.fieldnames = header
        rows = []
        seen = set()
        for number, raw in enumerate(reader, start=2):
            if not any((value or "").strip() for value in raw.values()):
                continue  # a blank line
            row = self._check_row(number, raw)
            key = (row["kind"], row["date_from"])
            if key in seen:
                raise ValidationError(
                    self.env._(
                        "Line %(line)s: the same kind and half-year appear twice in the file.",
                        line=number,
                    )
                )
            seen.add(key)
            rows.append(row)
        if not rows:
            raise ValidationError(self.env._("The file holds no rate below its header."))
        return rows

    def _check_row(self, number, raw):
        if None in raw or None in raw.values():
            # More or fewer values than columns: a comma in a number or in a source shifts
            # every value after it.
            raise ValidationError(
                self.env._(
                    "Line %(line)s does not have one value per column of the header (write "
                    "decimals with a dot, and put a source holding a comma in double quotes).",
                    line=number,
                )
            )
        kinds = dict(RATE_KINDS)
        kind = (raw.get("kind") or "").strip()
        if kind not in kinds:
            raise ValidationError(
                self.env._(
                    'Line %(line)s: unknown kind "%(kind)s" (expected one of %(kinds)s).',
                    line=number,
                    kind=kind,
                    kinds=", ".join(kinds),
                )
            )
        try:
            date_from = fields.Date.to_date((raw.get("date_from") or "").strip())
        except ValueError:
            date_from = None
        if not date_from or (date_from.month, date_from.day) not in ((1, 1), (7, 1)):
            raise ValidationError(
                self.env._(
                    'Line %(line)s: the date "%(date)s" must be 1 January or 1 July, written '
                    "YYYY-MM-DD.",
                    line=number,
                    date=raw.get("date_from") or "",
                )
            )
        try:
            rate = float((raw.get("rate") or "").strip())
        except ValueError:
            rate = None
        if rate is None or not 0.0 <= rate <= 100.0:
            raise ValidationError(
                self.env._(
                    'Line %(line)s: the rate "%(rate)s" must be a number of percent between 0 '
                    "and 100, with a dot (3.15).",
                    line=number,
                    rate=raw.get("rate") or "",
                )
            )
        row = {"kind": kind, "date_from": date_from, "rate": rate}
        if "source" in raw:
            row["source"] = (raw["source"] or "").strip() or False
        return row
