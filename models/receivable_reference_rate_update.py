"""Keeping the reference rates current: the ECB rate fetched from the ECB Data Portal, and a
Credit Manager's To-Do for every rate nobody can fetch (the French legal rates, set by decree
each half-year) or that the fetch could not get.

The ECB rate comes from the public SDMX API of the ECB Data Portal, series
``FM.D.U2.EUR.4F.KR.MRR_FR.LEV`` (main refinancing operations, fixed rate, level, daily
frequency: one observation on each date the rate changed). The rate in force on 1 January /
1 July is the last observation on or before that day. The ``csvdata`` format is read: one
line per observation with named ``TIME_PERIOD`` and ``OBS_VALUE`` columns, parsed with the
standard ``csv`` module and robust to the API adding columns; ``jsondata`` (SDMX-JSON) nests
observations under positional indexes resolved through the structure part, more code for the
same two values.
"""

import csv
import io
import logging
from datetime import date
from datetime import timedelta

import requests

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import format_date

from . import legal_formulas as lf
from .receivable_security import MANAGER_GROUP
from .receivable_security import check_receivable_group

_logger = logging.getLogger(__name__)

ECB_SERIES_URL = "https://data-api.ecb.europa.eu/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV"
ECB_TIMEOUT = 10  # seconds; one attempt per run, the next run tries again
# The French legal rates are published by ministerial order in the weeks before the
# half-year: the Credit Managers are asked for them 30 days before, and again on its first day.
ACTIVITY_NOTICE_DAYS = 30
FETCHED_KINDS = ("ecb_mro",)
DECREED_KINDS = ("fr_legal_individual", "fr_legal_other")


class ReceivableReferenceRate(models.Model):
    _inherit = "receivable.reference.rate"

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    @api.model
    def action_fetch_ecb_rates(self):
        """'Fetch ECB Rates Now' on the rate list (Credit Managers)."""
        check_receivable_group(self.env, MANAGER_GROUP)
        # sudo: the rows are shared reference data the Credit Manager may write anyway; the
        # fetch writes only the half-years that have none (origin "ECB Fetch")
        created, error = self.sudo()._fetch_ecb_rates(fields.Date.context_today(self))
        if error:
            message = self.env._(
                "The ECB Data Portal could not be reached or answered unexpectedly: %(error)s",
                error=error,
            )
            kind = "warning"
        elif created:
            message = self.env._(
                "Added: %(rates)s.",
                rates=", ".join(
                    f"{format_date(self.env, rate.date_from)} {rate.rate:g} %" for rate in created
                ),
            )
            kind = "success"
        else:
            message = self.env._("The ECB rate table is up to date.")
            kind = "info"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("ECB Rates"),
                "message": message,
                "type": kind,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------------------------------
    @api.model
    def _cron_fetch_ecb_rates(self):
        """Monthly: add the ECB half-years missing up to today's; a To-Do for any it could
        not get. Never raises: an unreachable API is a warning in the log and a To-Do."""
        today = fields.Date.context_today(self)
        created, __ = self._fetch_ecb_rates(today)
        self.env["ir.cron"]._commit_progress(len(created))
        for kind in FETCHED_KINDS:
            for half_year in self._missing_half_years(kind, today):
                self._schedule_missing_rate_activity(kind, half_year)
        self.env["ir.cron"]._commit_progress(remaining=0)

    @api.model
    def _cron_check_missing_rates(self):
        """Daily: a Credit Manager's To-Do for a French legal rate still missing 30 days before
        its half-year starts, and again on its first day (no second one while one is open)."""
        today = fields.Date.context_today(self)
        next_start = lf.next_half_year_start(today)
        due = [lf.half_year_start(today)]
        if today >= next_start - timedelta(days=ACTIVITY_NOTICE_DAYS):
            due.append(next_start)
        scheduled = 0
        for kind in DECREED_KINDS:
            table = self._get_table(kind)
            for half_year in due:
                if half_year not in table and self._is_reminder_day(half_year, today):
                    scheduled += bool(self._schedule_missing_rate_activity(kind, half_year))
        self.env["ir.cron"]._commit_progress(scheduled, remaining=0)

    # ------------------------------------------------------------------------------------------
    # ECB fetch
    # ------------------------------------------------------------------------------------------
    @api.model
    def _fetch_ecb_rates(self, today):
        """Add the ECB rows of the half-years after the last known one, up to ``today``'s
        (never a future one, never a change to an existing row). Return (created rows,
        error message or None)."""
        wanted = self._missing_half_years("ecb_mro", today)
        if not wanted:
            return self.browse(), None
        try:
            observations = self._parse_ecb_csv(self._ecb_fetch_payload(wanted[-1]))
        except (requests.RequestException, ValueError) as error:
            _logger.warning("ECB rate fetch failed (offline?): %s", error)
            return self.browse(), str(error)
        vals_list = []
        for half_year in wanted:
            known = [day for day in observations if day <= half_year]
            if not known:
                continue
            last = max(known)
            vals_list.append(
                {
                    "kind": "ecb_mro",
                    "date_from": half_year,
                    "rate": observations[last],
                    "origin": "ecb",
                    "source": self.env._(
                        "ECB Data Portal, series FM.D.U2.EUR.4F.KR.MRR_FR.LEV (rate set on "
                        "%(date)s)",
                        date=last.isoformat(),
                    ),
                }
            )
        created = self.create(vals_list)
        if created:
            _logger.info("ECB rates added: %s", ", ".join(map(str, created.mapped("date_from"))))
        return created, None

    @api.model
    def _ecb_fetch_payload(self, end):
        """The ECB series up to ``end`` (``csvdata``), the API's text: the only HTTP call.

        The whole history is asked for (about a hundred lines: one per rate change since
        1999): the rate in force on a day may have been set years before it."""
        response = requests.get(
            ECB_SERIES_URL,
            params={"endPeriod": end.isoformat(), "format": "csvdata"},
            headers={"Accept": "text/csv"},
            timeout=ECB_TIMEOUT,
        )
        response.raise_for_status()
        return response.text

    @api.model
    def _parse_ecb_csv(self, payload):
        """{observation date: rate} of an ECB ``csvdata`` answer; ValueError when it is not one."""
        reader = csv.DictReader(io.StringIO(payload or ""))
        if not reader.fieldnames or not {"TIME_PERIOD", "OBS_VALUE"} <= set(reader.fieldnames):
            raise ValueError(f"not an ECB csvdata answer: {(payload or '')[:80]!r}")
        observations = {}
        for row in reader:
            if not row["OBS_VALUE"]:
                continue  # a period without a value (NaN in the series): no rate set that day
            observations[date.fromisoformat(row["TIME_PERIOD"])] = float(row["OBS_VALUE"])
        if not observations:
            raise ValueError("the ECB answer holds no observation")
        return observations

    @api.model
    def _missing_half_years(self, kind, today):
        """Half-year starts after the last row of ``kind``, up to ``today``'s half-year."""
        table = self._get_table(kind)
        current = lf.half_year_start(today)
        start = lf.next_half_year_start(max(table)) if table else current
        missing = []
        while start <= current:
            missing.append(start)
            start = lf.next_half_year_start(start)
        return missing

    # ------------------------------------------------------------------------------------------
    # Activities for missing rates
    # ------------------------------------------------------------------------------------------
    @api.model
    def _is_reminder_day(self, half_year, today):
        """The two days a missing decreed rate is asked for: 30 days before the half-year and
        its first day. Exact days, so that a To-Do marked done is not created again the next
        morning; the daily cron must run on those days (Odoo runs a missed cron when the
        server is back, the same day in practice)."""
        return today in (half_year - timedelta(days=ACTIVITY_NOTICE_DAYS), half_year)

    @api.model
    def _missing_rate_activity_domain(self, kind, half_year):
        """The open To-Dos asking for the rate of ``kind`` for ``half_year``: the rows of the
        kind carry them, due on the half-year's first day."""
        # sudo: the rows are shared reference data, whoever reads them
        rows = self.sudo().search([("kind", "=", kind)])
        return [
            ("res_model", "=", self._name),
            ("res_id", "in", rows.ids),
            ("activity_type_id", "=", self.env.ref("mail.mail_activity_data_todo").id),
            ("date_deadline", "=", half_year),
        ]

    @api.model
    def _schedule_missing_rate_activity(self, kind, half_year):
        """A To-Do for a Credit Manager to enter the rate of ``kind`` for ``half_year``, on the
        latest row of that kind (where the table of the kind is kept), due on the half-year's
        first day. None when one is already open, or when no row or no Credit Manager can
        carry it."""
        # sudo: crons and the Credit Managers' button schedule To-Dos for other users
        rates = self.sudo()
        if (
            self.env["mail.activity"]
            .sudo()
            .search_count(self._missing_rate_activity_domain(kind, half_year), limit=1)
        ):
            return None
        row = rates.search([("kind", "=", kind)], order="date_from desc", limit=1)
        manager = self._rate_keeper()
        if not row or not manager:
            _logger.warning("No Credit Manager to ask for the rate %s of %s", kind, half_year)
            return None
        label = dict(self._fields["kind"]._description_selection(self.env))[kind]
        if kind in FETCHED_KINDS:
            note = self.env._(
                "The ECB Data Portal did not give this rate (offline, or not published yet). "
                "Enter it from the ECB's decisions, or click Fetch ECB Rates Now later."
            )
        else:
            note = self.env._(
                "This rate is set by ministerial order published in the Journal officiel "
                "before the half-year. Enter it, or import it (Import Rates)."
            )
        return row.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=half_year,
            summary=self.env._(
                "Enter the %(rate)s of %(date)s",
                rate=label,
                date=format_date(self.env, half_year),
            ),
            note=note,
            user_id=manager.id,
        )

    @api.model
    def _rate_keeper(self):
        """The Credit Manager who receives the To-Dos: the first active internal user of the
        group (the tables are shared by every company)."""
        # sudo: the group's members, read by a cron
        users = (
            self.env.ref(MANAGER_GROUP)
            .sudo()
            .all_user_ids.filtered(
                lambda user: user.active and not user.share and user.id != api.SUPERUSER_ID
            )
        )
        return users.sorted("id")[:1]
