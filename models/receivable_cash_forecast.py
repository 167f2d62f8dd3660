import io
from datetime import timedelta

import xlsxwriter

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools import format_date

from .input_checks import parse_company
from .receivable_aging_xlsx import FIRST_DATA_ROW
from .receivable_aging_xlsx import HEADER_ROW
from .receivable_aging_xlsx import SUBTITLE_ROW
from .receivable_aging_xlsx import TITLE_ROW
from .receivable_security import check_receivable_company
from .receivable_security import check_receivable_group
from .xlsx_download import xlsx_download

FORECAST_WEEKS = 13
# Slots of the forecast: the overdue amounts, the 13 weeks (0-12), what comes later.
OVERDUE_SLOT = -1
LATER_SLOT = FORECAST_WEEKS
EXPECTED_DATE_FIELD = "receivable_expected_payment_date"


class ReceivableCashForecast(models.AbstractModel):
    """Expected cash-in from the open receivables, week by week for 13 weeks.

    Each open receivable item (posted, unreconciled, company currency ``amount_residual``) is
    expected on the predicted payment date of its invoice
    (``account.move.receivable_expected_payment_date``, from the risk scoring) or, without one,
    on its due date.

    The weeks start on Monday in every language (never on the language's first day of the
    week): *Week 1* runs from the forecast date to the coming Sunday (a partial week, the
    forecast date itself when it is a Sunday), *Week 2* from the next Monday to its Sunday, and
    so on up to *Week 13*; *Later* starts on the Monday after. Each week is labelled with the
    day it starts (Week 1: the forecast date). Then:

    * an item past due at the forecast date whose predicted date is not after that date (or
      that has none) is shown apart, in *Overdue*: when it will come in is not known (the
      prediction never gives a date before the day it is computed, so a prediction that is not
      later than the forecast date says nothing more than "overdue");
    * any other item goes to the week of its predicted date (of the forecast date when that
      prediction is already past), or to *Later* after the 13 weeks.

    Credit notes and unapplied payments count negatively (they settle invoices without bringing
    cash). Computed with one grouped query.
    """

    _name = "receivable.cash.forecast"
    _description = "Cash-in Forecast"

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    @api.model
    def _compute_forecast(self, company, date):
        """The forecast of ``company`` at ``date``: a list of slots, in order — Overdue, the
        13 weeks, Later — each ``{key, label, date_from, date_to, amount}`` (``date_from`` /
        ``date_to`` None where open-ended)."""
        date = fields.Date.to_date(date)
        # The Monday of the forecast date's week (``weekday()`` is 0 on Monday whatever the
        # language): the weeks are counted from it, the first one starts at ``date``.
        start = date - timedelta(days=date.weekday())
        rows = self.env.execute_query(self._forecast_query(company, date, start))
        amounts = dict(rows)
        currency = company.currency_id
        slots = [
            {
                "key": "overdue",
                "label": self.env._("Overdue"),
                "date_from": None,
                "date_to": date - timedelta(days=1),
                "amount": currency.round(amounts.get(OVERDUE_SLOT) or 0.0),
            }
        ]
        for week in range(FORECAST_WEEKS):
            week_start = start + timedelta(weeks=week)
            # The first week starts at the forecast date: before it is overdue.
            date_from = max(week_start, date)
            slots.append(
                {
                    "key": f"week_{week + 1}",
                    "label": self.env._(
                        "Week %(number)s (%(date)s)",
                        number=week + 1,
                        date=format_date(self.env, date_from),
                    ),
                    "date_from": date_from,
                    "date_to": week_start + timedelta(days=6),
                    "amount": currency.round(amounts.get(week) or 0.0),
                }
            )
        slots.append(
            {
                "key": "later",
                "label": self.env._("Later"),
                "date_from": start + timedelta(weeks=FORECAST_WEEKS),
                "date_to": None,
                "amount": currency.round(amounts.get(LATER_SLOT) or 0.0),
            }
        )
        return slots

    @api.model
    @api.readonly
    def get_forecast_data(self, date=None, company=None):
        """The forecast of the current company (or ``company``) at ``date`` (today), for the
        dashboards and the *Cash-in Forecast* screen: ``[{key, label, date_from, date_to,
        amount, domain, action}]`` where ``domain`` selects the ``account.move.line`` items of
        the slot and ``action`` is the window that opens them (dates as strings).

        Called over JSON-RPC by the dashboards: for Credit Controllers, on a company they work
        in (``company`` a record or an id); anyone else gets an ``AccessError``, a date or a
        company that does not parse a ``UserError``. Read-only: runs on the replica when there
        is one."""
        check_receivable_group(self.env)
        company = self._forecast_company(company)
        check_receivable_company(self.env, company)
        date = self._forecast_date(date)
        result = []
        for slot in self._compute_forecast(company, date):
            action = self._slot_action(
                company, date, slot["date_from"], slot["date_to"], slot["label"]
            )
            result.append(
                {
                    **slot,
                    "date_from": fields.Date.to_string(slot["date_from"]) or False,
                    "date_to": fields.Date.to_string(slot["date_to"]) or False,
                    "domain": action["domain"],
                    "action": action,
                }
            )
        return result

    @api.model
    @api.readonly
    def get_forecast_xlsx(self, date=None, company=None):
        """The forecast of the current company (or ``company``) at ``date`` (today) as a
        spreadsheet, ``{name, mimetype, content}`` (content in base64), built without storing
        anything: read-only, it runs on the replica when there is one. The *Cash-in Forecast*
        screen downloads it. Guarded and parsed as ``get_forecast_data`` (``AccessError`` for
        anyone but a Credit Controller working in the company)."""
        check_receivable_group(self.env)
        company = self._forecast_company(company)
        check_receivable_company(self.env, company)
        date = self._forecast_date(date)
        name = self.env._(
            "Cash-in Forecast %(company)s %(date)s.xlsx",
            company=company.name,
            date=fields.Date.to_string(date),
        )
        return xlsx_download(name, self._build_xlsx(company, date))

    @api.model
    def _build_xlsx(self, company, date):
        """The forecast as a spreadsheet (bytes): Overdue apart, the 13 weeks with their
        cumulative, Later, and the total as a formula."""
        date = fields.Date.to_date(date)
        slots = self._compute_forecast(company, date)
        aging_xlsx = self.env["receivable.aging.xlsx"]
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        styles = aging_xlsx._add_styles(workbook)
        sheet = workbook.add_worksheet(self.env._("Cash-in Forecast"))
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 2, 12, styles["date"])
        sheet.set_column(3, 4, 16, styles["money"])
        sheet.write_string(
            TITLE_ROW,
            0,
            self.env._(
                "Cash-in Forecast — %(company)s — at %(date)s",
                company=company.name,
                date=format_date(self.env, date),
            ),
            styles["title"],
        )
        sheet.write_string(
            SUBTITLE_ROW,
            0,
            self.env._(
                "Amounts in %(currency)s, expected on the predicted payment dates (else the "
                "due dates); weeks from Monday.",
                currency=company.currency_id.name,
            ),
            styles["subtitle"],
        )
        headers = [
            self.env._("Period"),
            self.env._("From"),
            self.env._("To"),
            self.env._("Expected"),
            self.env._("Cumulative"),
        ]
        sheet.write_row(HEADER_ROW, 0, headers, styles["header"])
        cumulative = 0.0
        row = HEADER_ROW
        for row, slot in enumerate(slots, start=FIRST_DATA_ROW):
            sheet.write_string(row, 0, slot["label"])
            aging_xlsx._write_date(sheet, row, 1, slot["date_from"], styles)
            aging_xlsx._write_date(sheet, row, 2, slot["date_to"], styles)
            sheet.write_number(row, 3, slot["amount"], styles["money"])
            if slot["key"].startswith("week_"):
                # The cumulative runs over the weeks only: the overdue is shown apart.
                cumulative += slot["amount"]
                previous = f"E{row}+" if slot["key"] != "week_1" else ""
                sheet.write_formula(
                    row,
                    4,
                    f"={previous}D{row + 1}",
                    styles["money"],
                    company.currency_id.round(cumulative),
                )
        aging_xlsx._write_totals(
            sheet, styles, row, {3: sum(slot["amount"] for slot in slots)}, company
        )
        sheet.freeze_panes(FIRST_DATA_ROW, 1)
        workbook.close()
        return output.getvalue()

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    @api.model
    def _forecast_company(self, company):
        """The company of a forecast request: a record, an id or nothing (the current one)."""
        return parse_company(self.env, company, "company")

    @api.model
    def _forecast_date(self, date):
        """The date of a forecast request (a date or an ISO string; nothing: today)."""
        if not date:
            return fields.Date.context_today(self)
        try:
            return fields.Date.to_date(date)
        except (TypeError, ValueError):
            raise UserError(
                self.env._(
                    "The parameter “date” of the forecast must be a date (YYYY-MM-DD), not "
                    "%(value)r.",
                    value=date,
                )
            ) from None

    @api.model
    def _forecast_query(self, company, date, start):
        """(slot, amount) of the open receivable items of ``company``: one grouped query."""
        # The open items of the facts (at a past date: as they were then), each expected on
        # its invoice's predicted date, else its due date.
        items = self.env["receivable.facts"]._open_items_query(date, company)
        due = SQL("items.date_maturity")
        expected = SQL("COALESCE(items.expected_date, items.date_maturity)")
        return SQL(
            """
            SELECT CASE WHEN lines.due < %(date)s AND lines.expected <= %(date)s
                        THEN %(overdue)s
                        WHEN lines.expected >= %(end)s THEN %(later)s
                        ELSE (GREATEST(lines.expected, %(date)s) - %(start)s) / 7
                   END AS slot,
                   SUM(lines.amount_residual)
              FROM (
                   SELECT %(due)s AS due, %(expected)s AS expected, items.amount_residual
                     FROM (%(items)s) items
                   ) lines
          GROUP BY 1
            """,
            due=due,
            expected=expected,
            date=date,
            start=start,
            end=start + timedelta(weeks=FORECAST_WEEKS),
            overdue=OVERDUE_SLOT,
            later=LATER_SLOT,
            items=items,
        )

    @api.model
    def _slot_action(self, company, date, date_from, date_to, name):
        """The window of the receivable items of a slot (see ``_slot_domain``)."""
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "account.move.line",
            "view_mode": "list",
            "views": [(False, "list")],
            "domain": list(self._slot_domain(company, date, date_from, date_to)),
            "context": {"create": False},
        }

    @api.model
    def _slot_domain(self, company, date, date_from, date_to):
        """The ``account.move.line`` items of the slot from ``date_from`` to ``date_to``
        (inclusive; None: open-ended) of the forecast at ``date``, as the forecast query places
        them (``date_from`` None: the overdue slot)."""
        domain = self.env["receivable.facts"]._open_items_domain(company)
        date = fields.Date.to_date(date)
        day = fields.Date.to_string(date)

        def expected_between(low, high):
            """Expected (predicted date, else due date) from ``low`` to ``high``."""

            def between(field):
                bounds = Domain.TRUE
                if low:
                    bounds &= Domain(field, ">=", fields.Date.to_string(low))
                if high:
                    bounds &= Domain(field, "<=", fields.Date.to_string(high))
                return bounds

            expected = f"move_id.{EXPECTED_DATE_FIELD}"
            return (Domain(expected, "!=", False) & between(expected)) | (
                Domain(expected, "=", False) & between("date_maturity")
            )

        overdue = Domain("date_maturity", "<", day) & expected_between(None, date)
        if date_from is None:
            return domain & overdue
        # The first week also holds the predictions already past of the items not overdue.
        low = None if date_from <= date else date_from
        return domain & ~overdue & expected_between(low, date_to)
