import base64
import io

import xlsxwriter

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import format_date

from .input_checks import parse_company
from .input_checks import parse_date
from .receivable_security import check_receivable_company
from .receivable_security import check_receivable_group

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LAYOUTS = ("partner", "detail")

# Rows of both sheets: the title, a line saying the currency, a blank line, then the header.
TITLE_ROW = 0
SUBTITLE_ROW = 1
HEADER_ROW = 3
FIRST_DATA_ROW = HEADER_ROW + 1


class ReceivableAgingXlsx(models.AbstractModel):
    """The aged receivables as a spreadsheet, built from ``receivable.aging``.

    Two layouts: *by partner* (one row per customer, its amount in each bucket and its total)
    and *detailed* (one row per open item). Both have the company and the as-of date in the
    title, a frozen header with an autofilter, and totals written as SUM formulas (with their
    value cached, so that readers which do not compute formulas still see the numbers).

    The by-partner layout is meant for the largest ledgers: one grouped query, the partner
    names in one fetch, and rows streamed with xlsxwriter's ``constant_memory`` mode.
    """

    _name = "receivable.aging.xlsx"
    _description = "Aged Receivables Spreadsheet"

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    @api.model
    @api.readonly
    def get_aging_xlsx(self, date=None, layout="partner", company=None, partner_ids=None):
        """The aged receivables spreadsheet of ``company`` (the current one) at ``date``
        (today), ``layout`` "partner" or "detail", of the customers ``partner_ids`` (a list of
        ids; nothing: every customer), as ``{name, mimetype, content}`` (content in base64).

        Built without storing anything: read-only, it runs on the replica when there is one.
        For Credit Controllers, on a company they work in (anyone else gets an
        ``AccessError``); a parameter that does not parse gives a ``UserError``. The export
        screen downloads the same file from the read-only route
        ``/account_receivable_control/aged_receivables.xlsx`` (controllers/screens.py).
        """
        name, content = self._get_aging_export(date, layout, company, partner_ids)
        return {
            "name": name,
            "mimetype": XLSX_MIMETYPE,
            "content": base64.b64encode(content).decode(),
        }

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    @api.model
    def _get_aging_export(self, date=None, layout="partner", company=None, partner_ids=None):
        """(file name, XLSX bytes) of ``get_aging_xlsx``, after its checks: the user is a
        Credit Controller working in ``company``, every parameter parses (``UserError`` naming
        it otherwise), the customers are readable. Stores nothing."""
        check_receivable_group(self.env)
        company = parse_company(self.env, company, "company")
        check_receivable_company(self.env, company)
        date = parse_date(self.env, date, "date") or fields.Date.context_today(self)
        if layout not in LAYOUTS:
            raise UserError(
                self.env._(
                    "The parameter “layout” must be one of %(layouts)s, not “%(value)s”.",
                    layouts=", ".join(LAYOUTS),
                    value=layout,
                )
            )
        partners = None
        if partner_ids:
            if not isinstance(partner_ids, list) or not all(
                isinstance(pid, int) and not isinstance(pid, bool) for pid in partner_ids
            ):
                raise UserError(
                    self.env._("The parameter “partner_ids” must be a list of customer ids.")
                )
            partners = self.env["res.partner"].browse(partner_ids).exists()
            partners.check_access("read")
        return self._aging_file(company, date, layout, partners)

    @api.model
    def _build_by_partner(self, company, date, partners=None):
        """Return the XLSX (bytes) of the receivables of ``company`` at ``date``, by partner."""
        date = fields.Date.to_date(date)
        aging = self._aging_model(company, date)
        labels = aging._get_bucket_labels()
        bucket_fields = [f"amount_b{index}" for index in range(len(labels))]
        groups = aging._read_group(
            self._aging_domain(company, partners),
            ["partner_id"],
            [f"{name}:sum" for name in bucket_fields],
            order="partner_id",
        )
        # One fetch for the names and VAT numbers of all the partners of the sheet.
        self.env["res.partner"].browse(
            [partner.id for partner, *_amounts in groups if partner]
        ).fetch(["name", "vat"])

        output = io.BytesIO()
        # Rows are written strictly in order, so the workbook can stream them to disk.
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
        styles = self._add_styles(workbook)
        sheet = workbook.add_worksheet(self.env._("By Partner"))
        headers = [self.env._("Partner"), self.env._("VAT"), *labels, self.env._("Total")]
        first_amount, total_column = 2, len(headers) - 1
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 1, 18)
        sheet.set_column(first_amount, total_column, 15, styles["money"])
        self._write_title(sheet, styles, company, date)
        sheet.write_row(HEADER_ROW, 0, headers, styles["header"])

        row = HEADER_ROW
        totals = [0.0] * len(bucket_fields)
        first_letter = xlsxwriter.utility.xl_col_to_name(first_amount)
        last_letter = xlsxwriter.utility.xl_col_to_name(total_column - 1)
        for row, (partner, *amounts) in enumerate(groups, start=FIRST_DATA_ROW):
            sheet.write_string(row, 0, partner.name or "")
            if partner.vat:
                sheet.write_string(row, 1, partner.vat)
            amounts = [amount or 0.0 for amount in amounts]
            for column, amount in enumerate(amounts, start=first_amount):
                sheet.write_number(row, column, amount, styles["money"])
            totals = [total + amount for total, amount in zip(totals, amounts, strict=True)]
            sheet.write_formula(
                row,
                total_column,
                f"=SUM({first_letter}{row + 1}:{last_letter}{row + 1})",
                styles["money"],
                company.currency_id.round(sum(amounts)),
            )
        last_data_row = row
        self._write_totals(
            sheet,
            styles,
            last_data_row,
            {
                **dict(enumerate(totals, start=first_amount)),
                total_column: sum(totals),
            },
            company,
        )
        sheet.freeze_panes(FIRST_DATA_ROW, 1)
        sheet.autofilter(HEADER_ROW, 0, max(last_data_row, FIRST_DATA_ROW), total_column)
        workbook.close()
        return output.getvalue()

    @api.model
    def _build_detail(self, company, date, partners=None):
        """Return the XLSX (bytes) of the open items of ``company`` at ``date``, one a row."""
        date = fields.Date.to_date(date)
        aging = self._aging_model(company, date)
        labels = aging._get_bucket_labels()
        items = aging.search_fetch(
            self._aging_domain(company, partners),
            [
                "partner_id",
                "move_name",
                "invoice_date",
                "date",
                "date_maturity",
                "days_overdue",
                "bucket",
                "currency_id",
                "amount_residual_currency",
                "amount_residual",
            ],
            order="partner_id, date_maturity, move_name, id",
        )

        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
        styles = self._add_styles(workbook)
        sheet = workbook.add_worksheet(self.env._("Detail"))
        headers = [
            self.env._("Partner"),
            self.env._("Document"),
            self.env._("Invoice Date"),
            self.env._("Due Date"),
            self.env._("Days Overdue"),
            self.env._("Bucket"),
            self.env._("Currency"),
            self.env._("Amount in Currency"),
            self.env._("Amount Due (%s)", company.currency_id.name),
        ]
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 1, 20)
        sheet.set_column(2, 3, 12, styles["date"])
        sheet.set_column(4, 4, 12)
        sheet.set_column(5, 6, 10)
        sheet.set_column(7, 8, 16, styles["money"])
        self._write_title(sheet, styles, company, date)
        sheet.write_row(HEADER_ROW, 0, headers, styles["header"])

        row, total = HEADER_ROW, 0.0
        for row, item in enumerate(items, start=FIRST_DATA_ROW):
            sheet.write_string(row, 0, item.partner_id.name or "")
            sheet.write_string(row, 1, item.move_name or "")
            self._write_date(sheet, row, 2, item.invoice_date or item.date, styles)
            self._write_date(sheet, row, 3, item.date_maturity, styles)
            sheet.write_number(row, 4, item.days_overdue or 0)
            sheet.write_string(row, 5, self._bucket_label(item.bucket, labels))
            sheet.write_string(row, 6, item.currency_id.name or "")
            sheet.write_number(row, 7, item.amount_residual_currency or 0.0, styles["money"])
            sheet.write_number(row, 8, item.amount_residual or 0.0, styles["money"])
            total += item.amount_residual or 0.0
        # Document currencies differ: only the company-currency column has a total.
        self._write_totals(sheet, styles, row, {8: total}, company)
        sheet.freeze_panes(FIRST_DATA_ROW, 1)
        sheet.autofilter(HEADER_ROW, 0, max(row, FIRST_DATA_ROW), len(headers) - 1)
        workbook.close()
        return output.getvalue()

    @api.model
    def _aging_file(self, company, date, layout, partners=None):
        """(file name, XLSX bytes) of the aged receivables in ``layout`` ("partner" or
        "detail"): the file of the export screen."""
        if layout == "detail":
            content = self._build_detail(company, date, partners=partners)
            name = self.env._(
                "Aged Receivables (detail) %(company)s %(date)s.xlsx",
                company=company.name,
                date=fields.Date.to_string(date),
            )
        else:
            content = self._build_by_partner(company, date, partners=partners)
            name = self.env._(
                "Aged Receivables %(company)s %(date)s.xlsx",
                company=company.name,
                date=fields.Date.to_string(date),
            )
        return name.replace("/", "-"), content

    @api.model
    def _attach(self, content, name, record=None):
        """Store ``content`` as an attachment (of ``record`` when given) and return it."""
        return self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "mimetype": XLSX_MIMETYPE,
                "res_model": record._name if record else False,
                "res_id": record.id if record else False,
            }
        )

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    @api.model
    def _aging_model(self, company, date):
        """``receivable.aging`` of ``company`` (its buckets) as at ``date``."""
        return (
            self.env["receivable.aging"]
            .with_company(company)
            .with_context(receivable_aging_date=fields.Date.to_string(date))
        )

    @api.model
    def _aging_domain(self, company, partners=None):
        domain = Domain("company_id", "=", company.id)
        if partners:
            domain &= Domain("partner_id", "in", partners.commercial_partner_id.ids)
        return domain

    @api.model
    def _add_styles(self, workbook):
        return {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "subtitle": workbook.add_format({"italic": True, "font_color": "#595959"}),
            "header": workbook.add_format(
                {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True}
            ),
            "money": workbook.add_format({"num_format": "#,##0.00"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "total_label": workbook.add_format({"bold": True, "top": 1}),
            "total": workbook.add_format({"bold": True, "num_format": "#,##0.00", "top": 1}),
        }

    @api.model
    def _write_title(self, sheet, styles, company, date):
        title = self.env._(
            "Aged Receivables — %(company)s — at %(date)s",
            company=company.name,
            date=format_date(self.env, date),
        )
        sheet.write_string(TITLE_ROW, 0, title, styles["title"])
        sheet.write_string(
            SUBTITLE_ROW,
            0,
            self.env._("Amounts in %s", company.currency_id.name),
            styles["subtitle"],
        )

    @api.model
    def _write_totals(self, sheet, styles, last_data_row, totals, company):
        """The totals row under the data: a SUM formula (and its value) per column given."""
        total_row = max(last_data_row, HEADER_ROW) + 1
        sheet.write_string(total_row, 0, self.env._("Total"), styles["total_label"])
        for column, value in sorted(totals.items()):
            letter = xlsxwriter.utility.xl_col_to_name(column)
            if last_data_row < FIRST_DATA_ROW:
                formula = "=0"
            else:
                formula = f"=SUM({letter}{FIRST_DATA_ROW + 1}:{letter}{last_data_row + 1})"
            sheet.write_formula(
                total_row, column, formula, styles["total"], company.currency_id.round(value)
            )
        return total_row

    @api.model
    def _write_date(self, sheet, row, column, value, styles):
        if value:
            sheet.write_datetime(row, column, fields.Datetime.to_datetime(value), styles["date"])
        else:
            sheet.write_blank(row, column, None)

    @api.model
    def _bucket_label(self, bucket, labels):
        if not bucket:
            return ""
        index = int(bucket[1:])
        return labels[index] if index < len(labels) else labels[-1]
