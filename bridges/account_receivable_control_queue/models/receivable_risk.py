from odoo import api
from odoo import models

from odoo.addons.queue_job.delay import group

from .night_jobs import conflicts_retried_later
from .night_jobs import delay_per_company
from .night_jobs import delayable
from .night_jobs import delayables_per_batch


class ReceivableRiskEngine(models.AbstractModel):
    _inherit = "receivable.risk.engine"

    # ------------------------------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------------------------------
    @api.model
    def _cron_recompute_scores(self):
        """Daily, with queue_job: one job per company (``_job_risk_company``)."""
        delay_per_company(
            self,
            self._get_risk_companies(),
            "_job_risk_company",
            self.env._("Risk scoring of %(company)s on %(date)s"),
        )

    # ------------------------------------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------------------------------------
    @api.model
    @conflicts_retried_later
    def _job_risk_company(self, company, date):
        """The scoring of ``company`` on ``date``: one job per batch of the customers not
        scored that day (``_job_risk_batch``), then, once they are all done, one job for the
        expected payment dates, as the cron runs them. Both write the customers' rows: run
        side by side they deadlock, and the loser waits for its retry."""
        rows = self._compute_components(company, date, skip_scored=True)
        batches = delayables_per_batch(
            self,
            "risk",
            [row["partner_id"] for row in rows],
            "_job_risk_batch",
            (company, date),
            self.env._("Risk scoring of %(company)s on %(date)s: %(count)s customers"),
            company=company.name,
            date=date,
        )
        moves = self.env["account.move"]
        description = self.env._(
            "Expected payment dates of %(company)s on %(date)s", company=company.name, date=date
        )
        expected = delayable(moves, description)._job_expected_payment_dates(company, date)
        if batches:
            group(*batches).on_done(expected).delay()
        else:
            expected.delay()

    @api.model
    @conflicts_retried_later
    def _job_risk_batch(self, company, date, partner_ids):
        """Score the customers ``partner_ids`` of ``company`` on ``date`` as the cron does
        (``_recompute_scores``); those scored that day already are skipped."""
        done = self._recompute_scores(company, date, partner_ids=partner_ids, skip_scored=True)
        return self.env._("%s customers scored", done)
