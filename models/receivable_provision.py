import io

import xlsxwriter

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_date

from .input_checks import future_date_message
from .input_checks import parse_company
from .input_checks import parse_date
from .receivable_aging import AGING_DATE_KEY
from .receivable_aging import MAX_BUCKETS
from .receivable_aging_xlsx import FIRST_DATA_ROW
from .receivable_aging_xlsx import HEADER_ROW
from .receivable_aging_xlsx import SUBTITLE_ROW
from .receivable_aging_xlsx import TITLE_ROW
from .receivable_security import check_receivable_company
from .receivable_security import check_receivable_group
from .xlsx_download import xlsx_download

BUCKET_FIELDS = [f"amount_b{index}" for index in range(MAX_BUCKETS)]


class ReceivableProvisionWizard(models.AbstractModel):
    """Proposed bad-debt provision of a company at a date, for the accountant to book.

    The aged receivables at the date (``receivable.aging``, as of that date) are summed per
    customer and bucket; each bucket is provisioned at the company's rate for it
    (``res.company.receivable_provision_rates``, one percentage per aging bucket). Per customer:

    * its credits (open credit notes, unapplied payments: negative amounts, whatever their
      bucket) are first set off against its oldest amounts — the customer owes its net balance,
      and the oldest debts are the ones its credits will settle;
    * only a positive balance is provisioned: a customer in credit gets no provision, and
      credits never reduce the provision of another customer.

    The proposal is not booked: the accountant books it (typically a provision entry on the
    doubtful receivables) from the screen or the spreadsheet. Computed and stored nowhere: the
    *Bad-Debt Provision* screen (``static/src/screens``) reads it with
    ``get_provision_data`` and downloads its spreadsheet with ``get_provision_xlsx``, both
    read-only (they run on the replica when there is one). The model keeps the name of the
    wizard it was, so that JSON-RPC callers of ``get_provision_data`` keep working.
    """

    _name = "receivable.provision.wizard"
    _description = "Bad-Debt Provision Proposal"

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    @api.model
    @api.readonly
    def get_provision_data(self, date=None, company=None):
        """The proposal of ``company`` (the current one) at ``date`` (today), stored nowhere:
        read-only, it runs on the replica when there is one.

        ``{company_id, currency_id, date, buckets: [{label, rate}], lines: [{partner_id,
        partner_name, amounts, amount_total, provision}], amount_receivable, amount_provision,
        action}``, ``amounts`` one per bucket; ``action`` opens the aged receivables of the
        company at the date (the screen adds a customer to its domain to open that customer's).
        For Credit Controllers, on a company they work in (anyone else gets an
        ``AccessError``); a date or a company that does not parse, or a date after today, gives
        a ``UserError``.
        """
        company, date = self._proposal_parameters(date, company)
        rates = company._get_receivable_provision_rates()
        labels = self.env["receivable.aging"].with_company(company)._get_bucket_labels()
        bucket_fields = BUCKET_FIELDS[: len(rates)]
        values = self._provision_values(company, date)
        partners = self.env["res.partner"].browse([row["partner_id"] for row in values])
        currency = company.currency_id
        scope = self.env["receivable.facts"]._scope_company_ids(company)
        action = (
            self.env["receivable.aging"]
            .with_company(company)
            .action_open_aging(date=date, domain=[("company_id", "in", scope)])
        )
        return {
            "company_id": company.id,
            "currency_id": currency.id,
            "date": fields.Date.to_string(date),
            "buckets": [
                {"label": label, "rate": rate} for label, rate in zip(labels, rates, strict=True)
            ],
            "lines": [
                {
                    "partner_id": partner.id,
                    "partner_name": partner.display_name,
                    "amounts": [row[name] for name in bucket_fields],
                    "amount_total": row["amount_total"],
                    "provision": row["provision"],
                }
                for partner, row in zip(partners, values, strict=True)
            ],
            "amount_receivable": currency.round(sum(row["amount_total"] for row in values)),
            "amount_provision": currency.round(sum(row["provision"] for row in values)),
            "action": action,
        }

    @api.model
    @api.readonly
    def get_provision_xlsx(self, date=None, company=None):
        """The proposal of ``company`` (the current one) at ``date`` (today) as a spreadsheet,
        ``{name, mimetype, content}`` (content in base64): a row per customer, the rates, totals
        as formulas. Built without storing anything: read-only, it runs on the replica when
        there is one. Guarded and parsed as ``get_provision_data`` (``AccessError`` for anyone but
        a Credit Controller working in the company)."""
        company, date = self._proposal_parameters(date, company)
        name = self.env._(
            "Bad-Debt Provision %(company)s %(date)s.xlsx",
            company=company.name,
            date=fields.Date.to_string(date),
        )
        return xlsx_download(name, self._build_xlsx(company, date))

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    @api.model
    def _proposal_parameters(self, date, company):
        """(company, date) of a request of the public methods, checked: the caller is a Credit
        Controller working in the company; the date parses and is not after today (a proposal
        at a future date would show today's figures under a date they are not true at)."""
        check_receivable_group(self.env)
        company = parse_company(self.env, company, "company")
        check_receivable_company(self.env, company)
        date = parse_date(self.env, date, "date") or fields.Date.context_today(self)
        if date > fields.Date.context_today(self):
            raise UserError(future_date_message(self.env, "date", date))
        return company, date

    @api.model
    def _provision_values(self, company, date):
        """The provision of each customer of ``company`` with a positive balance at ``date``:
        its bucket amounts (``amount_b<n>``, credits set off), ``amount_total``, ``provision``
        and ``partner_id``. Reads only."""
        rates = company._get_receivable_provision_rates()
        bucket_fields = BUCKET_FIELDS[: len(rates)]
        aging = (
            self.env["receivable.aging"]
            .with_company(company)
            .with_context(**{AGING_DATE_KEY: fields.Date.to_string(date)})
        )
        # The company's open items at the date: its scope (company and branches) as every
        # receivable figure of a company.
        scope = self.env["receivable.facts"]._scope_company_ids(company)
        groups = aging._read_group(
            [("company_id", "in", scope)],
            ["partner_id"],
            [f"{name}:sum" for name in bucket_fields],
            order="partner_id",
        )
        currency = company.currency_id
        values = []
        for partner, *amounts in groups:
            amounts = [amount or 0.0 for amount in amounts]
            balance = sum(amounts)
            if not partner or currency.compare_amounts(balance, 0.0) <= 0:
                continue
            net = self._set_off_credits(amounts)
            provision = sum(amount * rate for amount, rate in zip(net, rates, strict=True))
            values.append(
                {
                    "partner_id": partner.id,
                    **{
                        name: currency.round(amount)
                        for name, amount in zip(bucket_fields, net, strict=True)
                    },
                    "amount_total": currency.round(balance),
                    "provision": currency.round(provision),
                }
            )
        return values

    @api.model
    def _set_off_credits(self, amounts):
        """The bucket amounts (oldest last) after setting the credits (negative amounts) off
        against the positive ones, oldest first. The total is unchanged."""
        credit = -sum(amount for amount in amounts if amount < 0)
        net = [max(amount, 0.0) for amount in amounts]
        for index in reversed(range(len(net))):
            used = min(net[index], credit)
            net[index] -= used
            credit -= used
        return net

    @api.model
    def _build_xlsx(self, company, date):
        """The proposal of ``company`` at ``date`` as a spreadsheet (bytes)."""
        values = self._provision_values(company, date)
        partners = self.env["res.partner"].browse([row["partner_id"] for row in values])
        partners.fetch(["name", "vat"])
        rates = company._get_receivable_provision_rates()
        labels = self.env["receivable.aging"].with_company(company)._get_bucket_labels()
        bucket_fields = BUCKET_FIELDS[: len(rates)]
        aging_xlsx = self.env["receivable.aging.xlsx"]
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        styles = aging_xlsx._add_styles(workbook)
        percent = workbook.add_format({"num_format": "0.00%", "italic": True})
        sheet = workbook.add_worksheet(self.env._("Provision"))
        first_amount = 2
        total_column = first_amount + len(bucket_fields)
        provision_column = total_column + 1
        headers = [
            self.env._("Partner"),
            self.env._("VAT"),
            *labels,
            self.env._("Balance"),
            self.env._("Provision"),
        ]
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 1, 18)
        sheet.set_column(first_amount, provision_column, 15, styles["money"])
        sheet.write_string(
            TITLE_ROW,
            0,
            self.env._(
                "Bad-Debt Provision — %(company)s — at %(date)s",
                company=company.name,
                date=format_date(self.env, date),
            ),
            styles["title"],
        )
        sheet.write_string(
            SUBTITLE_ROW,
            0,
            self.env._(
                "Amounts in %(currency)s; credits set off against the oldest amounts; customers "
                "in credit not provisioned.",
                currency=company.currency_id.name,
            ),
            styles["subtitle"],
        )
        # The rates sit on the line above the header, so the provision formulas can use them.
        rate_row = HEADER_ROW - 1
        sheet.write_string(rate_row, 1, self.env._("Rate"), styles["subtitle"])
        for column, rate in enumerate(rates, start=first_amount):
            sheet.write_number(rate_row, column, rate, percent)
        sheet.write_row(HEADER_ROW, 0, headers, styles["header"])

        first_letter = xlsxwriter.utility.xl_col_to_name(first_amount)
        last_letter = xlsxwriter.utility.xl_col_to_name(total_column - 1)
        rate_range = f"${first_letter}${rate_row + 1}:${last_letter}${rate_row + 1}"
        row = HEADER_ROW
        totals = dict.fromkeys(range(first_amount, provision_column + 1), 0.0)
        lines = zip(partners, values, strict=True)
        for row, (partner, line) in enumerate(lines, start=FIRST_DATA_ROW):
            sheet.write_string(row, 0, partner.name or "")
            if partner.vat:
                sheet.write_string(row, 1, partner.vat)
            for column, name in enumerate(bucket_fields, start=first_amount):
                sheet.write_number(row, column, line[name], styles["money"])
                totals[column] += line[name]
            excel_row = row + 1
            sheet.write_formula(
                row,
                total_column,
                f"=SUM({first_letter}{excel_row}:{last_letter}{excel_row})",
                styles["money"],
                line["amount_total"],
            )
            sheet.write_formula(
                row,
                provision_column,
                f"=ROUND(SUMPRODUCT({first_letter}{excel_row}:{last_letter}{excel_row},"
                f"{rate_range}),2)",
                styles["money"],
                line["provision"],
            )
            totals[total_column] += line["amount_total"]
            totals[provision_column] += line["provision"]
        aging_xlsx._write_totals(sheet, styles, row, totals, company)
        sheet.freeze_panes(FIRST_DATA_ROW, 1)
        workbook.close()
        return output.getvalue()
