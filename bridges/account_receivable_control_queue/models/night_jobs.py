"""The nightly runs as queue_job jobs, on the ``root.receivable`` channel.

Each cron enqueues one job per company. That job does what the cron does for the company
before its batches (select the customers, settle the promises...) and enqueues one job per
batch of customers (or of plans), which calls the same per-batch method as the cron, with the
same locks and the same checks: N workers, on one server or several, share the night.

A job is one transaction, committed by queue_job when it is done (a job may not commit
itself). A job hit by another transaction (serialization failure, deadlock, lock not
available) is rolled back whole and retried later, along its job function's retry pattern
(``conflicts_retried_later``); a job that fails otherwise, or still conflicts after its last
try, is left failed, its exception shown in queue_job's screens, and its customers are taken
up again by the next night. Retrying a job repeats nothing: like the cron's batches, a batch
skips the customers reminded already (open reminder), the reminders sent already, the
customers scored already that day, and the holds and instalments already in their state.
"""

import functools
import logging

from odoo import fields

from odoo.addons.account_receivable_control.models.night_runs import CONCURRENCY_ERRORS
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

_logger = logging.getLogger(__name__)

# Customers (plans) per job. A job runs in an HTTP worker of the job runner, within its time
# limit (limit_time_real): a dunning batch renders and queues the batch's emails and letters.
BATCH_SIZES = {"dunning": 100, "holds": 200, "plans": 100, "risk": 1000}
BATCH_SIZE_PARAM = "account_receivable_control_queue.batch_size_{run}"


def batch_size(env, run):
    """Customers per job of ``run`` (a key of ``BATCH_SIZES``): the system parameter
    ``account_receivable_control_queue.batch_size_<run>`` when it is a positive number."""
    # sudo: system parameters are reserved to administrators; the crons' user reads this one
    value = env["ir.config_parameter"].sudo().get_param(BATCH_SIZE_PARAM.format(run=run))
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = 0
    return size if size > 0 else BATCH_SIZES[run]


def delay(records, description):
    """``records.with_delay()``: the job waits on the channel of its job function
    (``data/queue_job_data.xml``), and is not enqueued again while the same one (same method,
    records and arguments) waits to run."""
    return records.with_delay(description=description, identity_key=identity_exact)


def delayable(records, description):
    """``records.delayable()`` as ``delay`` prepares it: a job of a graph (``group``,
    ``on_done``), enqueued with the graph."""
    return records.delayable(description=description, identity_key=identity_exact)


def job_name(description, **values):
    """``description % values``; a translation whose placeholders are wrong is logged and
    gives the values after the text, never stops the night."""
    try:
        return description % values
    except (TypeError, ValueError, KeyError):
        _logger.warning("Job name %r does not take the values %s", description, values)
        return f"{description} {values}"


def delay_per_company(records, companies, method, description):
    """Tonight's ``method(company, date)`` as one job per company of ``companies``, in the
    environment of that company only (as the cron runs it). ``description``: the jobs' name,
    a translated text with the placeholders ``%(company)s`` and ``%(date)s``."""
    today = fields.Date.context_today(records)
    for company in companies:
        company_records = records.with_company(company).with_context(
            allowed_company_ids=company.ids
        )
        name = job_name(description, company=company.name, date=today)
        getattr(delay(company_records, name), method)(company, today)


def delay_per_batch(records, run, ids, method, args, description, **values):
    """``method(*args, batch)`` as one job per batch of ``ids`` (``batch_size(run)`` ids), in
    the environment of ``records``. ``description``: the jobs' name, a translated text with
    the placeholders of ``values`` and ``%(count)s`` (the batch's size)."""
    for job in delayables_per_batch(records, run, ids, method, args, description, **values):
        job.delay()


def delayables_per_batch(records, run, ids, method, args, description, **values):
    """The jobs of ``delay_per_batch``, prepared (``delayable``), not enqueued yet."""
    size = batch_size(records.env, run)
    jobs = []
    for start in range(0, len(ids), size):
        batch = list(ids[start : start + size])
        name = job_name(description, **values, count=len(batch))
        jobs.append(getattr(delayable(records, name), method)(*args, batch))
    return jobs


def conflicts_retried_later(method):
    """Decorate a job method: a conflict with another transaction is no fault of the job, it
    is retried along the retry pattern of its job function (queue_job rolls the job back)."""

    @functools.wraps(method)
    def job(self, *args, **kwargs):
        try:
            result = method(self, *args, **kwargs)
            # Written now: a conflict at the final flush is retried the same way.
            self.env.flush_all()
        except CONCURRENCY_ERRORS as error:
            raise RetryableJobError(f"{type(error).__name__}: {error}") from error
        return result

    return job
