import io

import xlsxwriter

from odoo import api
from odoo import models
from odoo.tools import format_date


class ReceivableClaimFile(models.AbstractModel):
    """The claim file handed to a collection agency: debtor, invoices, reminders sent."""

    _name = "receivable.claim.file"
    _description = "Collection Agency Claim File"

    @api.model
    def _attach_claim_file(self, reminder):
        # The file is read by the agency: written in its language (labels, dates, level
        # names, channels), not in the language of the user or the cron that hands over.
        lang = reminder.policy_id.agency_id.lang or self.env.lang
        claim_files = self.with_context(lang=lang)
        content = claim_files._build_claim_file(reminder.with_context(lang=lang))
        return self.env["ir.attachment"].create(
            {
                "name": claim_files.env._("Claim %s.xlsx", reminder.name.replace("/", "-")),
                "raw": content,
                "res_model": reminder._name,
                "res_id": reminder.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )

    @api.model
    def _build_claim_file(self, reminder):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        styles = {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
            "money": workbook.add_format({"num_format": "#,##0.00"}),
            "total": workbook.add_format({"bold": True, "num_format": "#,##0.00", "top": 1}),
        }
        self._write_debtor_sheet(workbook, styles, reminder)
        self._write_invoice_sheet(workbook, styles, reminder)
        self._write_history_sheet(workbook, styles, reminder)
        workbook.close()
        return output.getvalue()

    def _write_debtor_sheet(self, workbook, styles, reminder):
        partner = reminder.partner_id
        sheet = workbook.add_worksheet(self.env._("Debtor"))
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 1, 60)
        sheet.write(
            0,
            0,
            self.env._(
                "Claim of %(company)s handed over on %(date)s",
                company=reminder.company_id.name,
                date=format_date(self.env, reminder.date),
            ),
            styles["title"],
        )
        rows = [
            (self.env._("Debtor"), partner.name),
            (self.env._("VAT"), partner.vat or ""),
            (self.env._("Address"), partner._display_address(without_company=True) or ""),
            (self.env._("Email"), partner.email or ""),
            (self.env._("Phone"), partner.phone or ""),
            (self.env._("Reference"), partner.ref or ""),
            (self.env._("Agency"), reminder.policy_id.agency_id.name or ""),
        ]
        for index, (label, value) in enumerate(rows, start=2):
            sheet.write(index, 0, label, styles["header"])
            sheet.write(index, 1, value)

    def _write_invoice_sheet(self, workbook, styles, reminder):
        sheet = workbook.add_worksheet(self.env._("Invoices"))
        headers = [
            self.env._("Invoice"),
            self.env._("Invoice Date"),
            self.env._("Due Date"),
            self.env._("Days Late"),
            self.env._("Invoice Total"),
            self.env._("Amount Due"),
            self.env._("Late Interest"),
            self.env._("Recovery Fee"),
        ]
        sheet.set_column(0, 0, 20)
        sheet.set_column(1, 7, 14)
        sheet.write_row(0, 0, headers, styles["header"])
        sheet.freeze_panes(1, 0)
        row = 0
        for row, line in enumerate(reminder.line_ids, start=1):
            sheet.write(row, 0, line.move_id.name)
            sheet.write(row, 1, format_date(self.env, line.move_id.invoice_date))
            sheet.write(row, 2, format_date(self.env, line.date_due))
            sheet.write(row, 3, line.days_late)
            sheet.write(row, 4, line.amount_total, styles["money"])
            sheet.write(row, 5, line.amount_residual, styles["money"])
            sheet.write(row, 6, line.interest_amount, styles["money"])
            sheet.write(row, 7, line.fee_amount, styles["money"])
        total_row = row + 1
        sheet.write(total_row, 0, self.env._("Total"), styles["header"])
        for column in range(4, 8):
            letter = chr(ord("A") + column)
            sheet.write_formula(
                total_row, column, f"=SUM({letter}2:{letter}{total_row})", styles["total"]
            )
        sheet.autofilter(0, 0, max(total_row - 1, 1), len(headers) - 1)

    def _write_history_sheet(self, workbook, styles, reminder):
        sheet = workbook.add_worksheet(self.env._("Reminders"))
        headers = [
            self.env._("Date"),
            self.env._("Reference"),
            self.env._("Level"),
            self.env._("Channels"),
            self.env._("Amount Due"),
        ]
        sheet.set_column(0, 4, 22)
        sheet.write_row(0, 0, headers, styles["header"])
        history = self.env["receivable.reminder"].search(
            [
                ("partner_id", "=", reminder.partner_id.id),
                ("company_id", "=", reminder.company_id.id),
                ("state", "=", "sent"),
            ],
            order="date, id",
        )
        for row, sent in enumerate(history, start=1):
            sheet.write(row, 0, format_date(self.env, sent.date))
            sheet.write(row, 1, sent.name)
            sheet.write(row, 2, sent.level_id.name)
            sheet.write(row, 3, sent._get_channel_labels())
            sheet.write(row, 4, sent.amount_total, styles["money"])
