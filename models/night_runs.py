"""The nightly runs' common machinery (dunning, risk scores and predictions, credit holds):
one time budget for the whole run across companies, batches retried whole when PostgreSQL
reports a conflict, and the night hours the crons are scheduled at."""

import logging
import random
import time
from datetime import datetime
from datetime import timedelta

import pytz
from psycopg2 import errors as pg_errors

_logger = logging.getLogger(__name__)

# Errors that say "another transaction got there first", not "this record is wrong": they
# never fail a reminder; the batch is rolled back and retried.
CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
)
# A batch hit by a serialization failure or a deadlock is rolled back and tried again.
BATCH_ATTEMPTS = 4
# Local hour of each nightly cron: one after the other, so they never write the same rows at
# the same time (holds, then scores and predictions, then plans, then reminders).
NIGHT_SCHEDULE = {
    "account_receivable_control.ir_cron_refresh_credit_holds": 1,
    "account_receivable_control.ir_cron_receivable_risk": 2,
    "account_receivable_control.ir_cron_check_payment_plans": 3,
    "account_receivable_control.ir_cron_run_dunning": 5,
}


class RunOutOfTime(Exception):
    """The cron's time is up: the whole run stops (every company), the cron resumes it."""


def retry_on_conflict(env, work, commit, what):
    """Run ``work()`` (a batch ending in a commit); on a serialization failure or a deadlock,
    roll the batch back and run it again, a few times. Without ``commit`` (a single
    transaction: tests, a user's action) the error goes up: nothing may be rolled back here.
    Return ``work()``'s result, or None when every attempt conflicted (the batch is left for
    the next run, untouched)."""
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            return work()
        except CONCURRENCY_ERRORS as error:
            if not commit:
                raise
            env.cr.rollback()
            env.invalidate_all()
            _logger.info("%s: %s, attempt %s rolled back", what, type(error).__name__, attempt)
            time.sleep(random.uniform(0.05, 0.3) * attempt)
    _logger.warning("%s: still conflicting after %s attempts, left for the next run", what, attempt)
    return None


def run_per_company(records, companies, work, what):
    """The nightly runs' loop: ``work(records_of_company, company)`` for each company, under
    ONE time budget for the whole run. Each batch counts the companies after its own as
    remaining work (``commit_run_progress``): when the cron's time is up, the run stops at
    once (``RunOutOfTime``) and the scheduler resumes it. Return False when it stopped."""
    for index, company in enumerate(companies):
        company_records = records.with_company(company).with_context(
            allowed_company_ids=company.ids,
            receivable_companies_left=len(companies) - index - 1,
        )
        try:
            work(company_records, company)
        except RunOutOfTime:
            _logger.info("%s: time is up at %s, the cron resumes it", what, company.name)
            return False
    # Every company done: nothing remains (the last batch counted the companies after it).
    records.env["ir.cron"]._commit_progress(remaining=0)
    return True


def commit_run_progress(env, processed, remaining):
    """Commit a batch with the cron's progress. The remaining work counts the companies still
    to run, and the cron's time is shared by the whole run: when it is up, the run stops for
    every company (``RunOutOfTime``) and the cron resumes it."""
    remaining += env.context.get("receivable_companies_left", 0)
    if not env["ir.cron"]._commit_progress(processed, remaining=remaining):
        raise RunOutOfTime()


def schedule_crons_at_night(env):
    """Put the module's crons at their night hour (``NIGHT_SCHEDULE``) in the company's time
    zone (else the administrator's, else UTC)."""
    tz_name = (
        env.company.partner_id.tz
        or env.ref("base.user_admin", raise_if_not_found=False).tz
        or "UTC"
    )
    tz = pytz.timezone(tz_name)
    now = datetime.now(pytz.utc).astimezone(tz)
    for xmlid, hour in NIGHT_SCHEDULE.items():
        cron = env.ref(xmlid, raise_if_not_found=False)
        if not cron:
            continue
        day = now.date() if now.hour < hour else now.date() + timedelta(days=1)
        local = tz.localize(datetime.combine(day, datetime.min.time()).replace(hour=hour))
        # sudo: scheduling is an administrator's right; this runs at install
        cron.sudo().nextcall = local.astimezone(pytz.utc).replace(tzinfo=None)
