from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.fields import Domain

from .input_checks import parse_date


class ReportCustomerStatement(models.AbstractModel):
    """Values of the customer statement (relevé de compte), one per commercial partner.

    Options, read from ``data`` first, then from the context (so that a mail template or a
    print from the partner can pass them too):

    - ``statement_date``: the day of the statement; open items are aged at this day
      (default: today);
    - ``statement_from`` / ``statement_to``: when both are given, the account activity of the
      period is added (opening balance, each receivable line, running balance, closing balance).
    """

    _name = "report.account_receivable_control.report_customer_statement"
    _description = "Customer Statement Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        options = self._get_statement_options(data)
        company = self.env.company
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        aging = self.env["receivable.aging"].with_context(
            receivable_aging_date=fields.Date.to_string(options["date"])
        )
        labels = aging._get_bucket_labels()
        statements = self._get_open_items(aging, partners, company, len(labels))
        self._set_reader_labels(aging, partners, statements)
        if options["date_from"] and options["date_to"]:
            activity = self._get_activity(
                partners, company, options["date_from"], options["date_to"]
            )
            for partner_id, values in activity.items():
                statements[partner_id]["activity"] = values
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": company,
            "currency": company.currency_id,
            "statement_date": options["date"],
            "date_from": options["date_from"],
            "date_to": options["date_to"],
            # The printing user's labels; each statement carries its customer's own.
            "bucket_labels": labels,
            "statements": statements,
        }

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    @api.model
    def _get_statement_options(self, data=None):
        data = data or {}
        context = self.env.context

        def option(key):
            return parse_date(self.env, data.get(key) or context.get(key), key) or False

        date = option("statement_date") or fields.Date.context_today(self)
        date_from, date_to = option("statement_from"), option("statement_to")
        if date_from and not date_to:
            date_to = date
        return {"date": date, "date_from": date_from, "date_to": date_to}

    @api.model
    def _set_reader_labels(self, aging, partners, statements):
        """Give each statement the bucket labels in its customer's language.

        The document is rendered in the customer's language (``t-lang`` in the template), but
        labels computed here would be in the printing user's: they are computed once per
        language of the customers printed together.
        """
        labels_by_lang = {}
        for partner in partners:
            lang = self._get_reader_lang(partner)
            if lang not in labels_by_lang:
                labels_by_lang[lang] = aging.with_context(lang=lang)._get_bucket_labels()
            statements[partner.id]["bucket_labels"] = labels_by_lang[lang]

    @api.model
    def _get_reader_lang(self, partner):
        """Language the statement of ``partner`` is rendered in: the template's ``lang``."""
        return partner.lang or self.env.lang

    @api.model
    def _get_open_items(self, aging, partners, company, bucket_count):
        """Open items and aging summary of ``partners``: {partner id: values}."""
        scope = self.env["receivable.facts"]._scope_company_ids(company)
        items = aging.search(
            [("partner_id", "in", partners.ids), ("company_id", "in", scope)],
            order="date_maturity, invoice_date, move_name, id",
        )
        statements = {
            partner.id: {
                "items": aging.browse(),
                "total": 0.0,
                "buckets": [0.0] * bucket_count,
                "activity": False,
            }
            for partner in partners
        }
        bucket_fields = [f"amount_b{index}" for index in range(bucket_count)]
        for item in items:
            statement = statements[item.partner_id.id]
            statement["items"] |= item
            statement["total"] += item.amount_residual
            for index, name in enumerate(bucket_fields):
                statement["buckets"][index] += item[name]
        return statements

    @api.model
    def _get_activity(self, partners, company, date_from, date_to):
        """Account activity of ``partners`` over the period: {partner id: values}.

        From the posted lines of the receivable accounts: the balance before ``date_from``,
        each line of the period with its running balance, and the balance at ``date_to``.
        """
        AccountMoveLine = self.env["account.move.line"]
        domain = Domain(
            [
                ("company_id", "in", self.env["receivable.facts"]._scope_company_ids(company)),
                ("partner_id", "child_of", partners.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        opening = defaultdict(float)
        for partner, balance in AccountMoveLine._read_group(
            domain & Domain("date", "<", date_from), ["partner_id"], ["balance:sum"]
        ):
            opening[partner.commercial_partner_id.id] += balance
        lines = AccountMoveLine.search(
            domain & Domain("date", ">=", date_from) & Domain("date", "<=", date_to),
            order="date, move_name, id",
        )
        lines_by_partner = defaultdict(list)
        for line in lines:
            lines_by_partner[line.partner_id.commercial_partner_id.id].append(line)

        currency = company.currency_id
        activity = {}
        for partner in partners:
            balance = opening[partner.id]
            rows = []
            for line in lines_by_partner[partner.id]:
                balance += line.balance
                rows.append(
                    {
                        "line": line,
                        "date": line.date,
                        "reference": line.move_id.name,
                        "label": self._activity_label(line),
                        "date_maturity": line.date_maturity,
                        "debit": line.debit,
                        "credit": line.credit,
                        "balance": currency.round(balance),
                    }
                )
            activity[partner.id] = {
                "opening": currency.round(opening[partner.id]),
                "lines": rows,
                "debit": currency.round(sum(row["debit"] for row in rows)),
                "credit": currency.round(sum(row["credit"] for row in rows)),
                "closing": currency.round(balance),
            }
        return activity

    @api.model
    def _activity_label(self, line):
        move = line.move_id
        if move.is_invoice(include_receipts=True):
            return move.ref or move.payment_reference or ""
        if move.origin_payment_id:
            return move.origin_payment_id.memo or line.name or ""
        return line.name or move.ref or ""
