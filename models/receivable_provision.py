import io

import xlsxwriter

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import format_date

from .input_checks import check_not_future
from .input_checks import parse_company
from .input_checks import parse_date
from .receivable_aging import AGING_DATE_KEY
from .receivable_aging import BUCKET_COUNT_KEY
from .receivable_aging import MAX_BUCKETS
from .receivable_aging_xlsx import FIRST_DATA_ROW
from .receivable_aging_xlsx import HEADER_ROW
from .receivable_aging_xlsx import SUBTITLE_ROW
from .receivable_aging_xlsx import TITLE_ROW
from .receivable_security import check_receivable_company
from .receivable_security import check_receivable_group

BUCKET_FIELDS = [f"amount_b{index}" for index in range(MAX_BUCKETS)]


class ReceivableProvisionWizard(models.TransientModel):
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
    doubtful receivables) from the list or the spreadsheet.
    """

    _name = "receivable.provision.wizard"
    _description = "Bad-Debt Provision Proposal"

    date = fields.Date(
        string="At",
        required=True,
        default=lambda self: fields.Date.context_today(self),
        help="The receivables open at the end of this day, aged at this day.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    rates = fields.Char(
        string="Rates (%)",
        related="company_id.receivable_provision_rates",
        help="Provision rate of each aging bucket, from Not Due to the oldest (Settings).",
    )
    line_ids = fields.One2many(
        "receivable.provision.line", "wizard_id", string="Provision per Customer"
    )
    amount_receivable = fields.Monetary(string="Receivables Provisioned", compute="_compute_totals")
    amount_provision = fields.Monetary(string="Total Provision", compute="_compute_totals")
    bucket_count = fields.Integer(compute="_compute_bucket_count")
    computed = fields.Boolean(readonly=True)

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends("line_ids.amount_total", "line_ids.provision")
    def _compute_totals(self):
        for wizard in self:
            wizard.amount_receivable = sum(wizard.line_ids.mapped("amount_total"))
            wizard.amount_provision = sum(wizard.line_ids.mapped("provision"))

    @api.depends("company_id.receivable_aging_buckets")
    def _compute_bucket_count(self):
        for wizard in self:
            wizard.bucket_count = len(wizard.company_id._get_receivable_aging_bounds()) + 2

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("date")
    def _check_date(self):
        check_not_future(self, "date")

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_compute(self):
        """Compute the proposal and show it."""
        self.ensure_one()
        self.line_ids.unlink()
        self.env["receivable.provision.line"].create(self._prepare_lines())
        self.computed = True
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Bad-Debt Provision at %(date)s", date=format_date(self.env, self.date)
            ),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            # Wide enough for the customers' names beside the bucket columns.
            "context": {BUCKET_COUNT_KEY: self.bucket_count, "dialog_size": "extra-large"},
        }

    @api.model
    @api.readonly
    def get_provision_data(self, date=None, company=None):
        """The proposal of ``company`` (the current one) at ``date`` (today), computed as the
        wizard does but stored nowhere: read-only, it runs on the replica when there is one.

        ``{company_id, currency_id, date, buckets: [{label, rate}], lines: [{partner_id,
        partner_name, amounts, amount_total, provision}], amount_receivable,
        amount_provision}``, ``amounts`` one per bucket. For Credit Controllers, on a company
        they work in; a date or a company that does not parse gives a ``UserError``.
        """
        check_receivable_group(self.env)
        company = parse_company(self.env, company, "company")
        check_receivable_company(self.env, company)
        date = parse_date(self.env, date, "date") or fields.Date.context_today(self)
        rates = company._get_receivable_provision_rates()
        labels = self.env["receivable.aging"].with_company(company)._get_bucket_labels()
        bucket_fields = BUCKET_FIELDS[: len(rates)]
        values = self._provision_values(company, date)
        partners = self.env["res.partner"].browse([row["partner_id"] for row in values])
        currency = company.currency_id
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
        }

    def action_export_xlsx(self):
        """The proposal as a spreadsheet: a row per customer, the rates, totals as formulas."""
        self.ensure_one()
        if not self.computed:
            self.action_compute()
        content = self._build_xlsx()
        name = self.env._(
            "Bad-Debt Provision %(company)s %(date)s.xlsx",
            company=self.company_id.name,
            date=fields.Date.to_string(self.date),
        )
        attachment = self.env["receivable.aging.xlsx"]._attach(
            content, name.replace("/", "-"), record=self
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _prepare_lines(self):
        """Values of the provision lines: one per customer with a positive balance."""
        self.ensure_one()
        return [
            {"wizard_id": self.id, **values}
            for values in self._provision_values(self.company_id, self.date)
        ]

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

    def _build_xlsx(self):
        self.ensure_one()
        company = self.company_id
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
                date=format_date(self.env, self.date),
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
        for row, line in enumerate(self.line_ids, start=FIRST_DATA_ROW):
            sheet.write_string(row, 0, line.partner_id.name or "")
            if line.partner_id.vat:
                sheet.write_string(row, 1, line.partner_id.vat)
            for column, name in enumerate(bucket_fields, start=first_amount):
                sheet.write_number(row, column, line[name], styles["money"])
                totals[column] += line[name]
            excel_row = row + 1
            sheet.write_formula(
                row,
                total_column,
                f"=SUM({first_letter}{excel_row}:{last_letter}{excel_row})",
                styles["money"],
                line.amount_total,
            )
            sheet.write_formula(
                row,
                provision_column,
                f"=ROUND(SUMPRODUCT({first_letter}{excel_row}:{last_letter}{excel_row},"
                f"{rate_range}),2)",
                styles["money"],
                line.provision,
            )
            totals[total_column] += line.amount_total
            totals[provision_column] += line.provision
        aging_xlsx._write_totals(sheet, styles, row, totals, company)
        sheet.freeze_panes(FIRST_DATA_ROW, 1)
        workbook.close()
        return output.getvalue()


class ReceivableProvisionLine(models.TransientModel):
    """A customer's proposed provision: its bucket amounts (credits set off) and provision."""

    _name = "receivable.provision.line"
    _description = "Bad-Debt Provision Line"
    _order = "partner_id, id"

    wizard_id = fields.Many2one("receivable.provision.wizard", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="wizard_id.company_id")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    amount_b0 = fields.Monetary(string="Not Due", readonly=True)
    amount_b1 = fields.Monetary(string="1-30", readonly=True)
    amount_b2 = fields.Monetary(string="31-60", readonly=True)
    amount_b3 = fields.Monetary(string="61-90", readonly=True)
    amount_b4 = fields.Monetary(string="> 90", readonly=True)
    amount_b5 = fields.Monetary(string="Bucket 6", readonly=True)
    amount_b6 = fields.Monetary(string="Bucket 7", readonly=True)
    amount_total = fields.Monetary(string="Balance", readonly=True)
    provision = fields.Monetary(string="Provision", readonly=True)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """Label the bucket columns after the current company's aging buckets."""
        result = super().fields_get(allfields, attributes)
        labels = self.env["receivable.aging"]._get_bucket_labels()
        for index in range(MAX_BUCKETS):
            description = result.get(f"amount_b{index}")
            if description is not None and "string" in description:
                description["string"] = labels[index] if index < len(labels) else "—"
        return result

    def action_open_aging(self):
        """The customer's aged receivables at the proposal's date."""
        self.ensure_one()
        return self.env["receivable.aging"].action_open_aging(
            date=self.wizard_id.date, domain=[("partner_id", "=", self.partner_id.id)]
        )
