from odoo import SUPERUSER_ID

from odoo.addons.account_receivable_control_queue.models.night_jobs import BATCH_SIZE_PARAM
from odoo.addons.queue_job.tests.common import trap_jobs


class NightJobsMixin:
    """Running the nightly jobs in a test: trapped as queue_job's tests trap them (never
    stored), performed on the test's transaction."""

    def _scheduled(self, model):
        """``model`` as the scheduler runs the crons (and so their jobs): the superuser, every
        company (``ir.actions.server.run`` works in sudo)."""
        return self.env(user=SUPERUSER_ID, su=True)[model]

    def _set_batch_size(self, run, size):
        self.env["ir.config_parameter"].set_param(BATCH_SIZE_PARAM.format(run=run), size)

    def _perform_all(self, trap):
        """Perform the trapped jobs and the jobs they enqueue, until none is left."""
        while trap.enqueued_jobs:
            trap.perform_enqueued_jobs()

    def _night_through_the_queue(self, cron_method):
        """``cron_method()`` (a cron of the module), then every job it enqueues; return the
        trapped jobs' calls (``JobCall``: method, args, kwargs, properties)."""
        with trap_jobs() as trap:
            cron_method()
            self._perform_all(trap)
        return trap.calls

    def _mails_to(self, partner):
        """The emails the gateway sent to ``partner`` (``MockEmail``)."""
        return [mail for mail in self._mails if any(partner.email in to for to in mail["email_to"])]
