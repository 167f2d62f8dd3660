from odoo import api
from odoo import models

from .night_jobs import conflicts_retried_later
from .night_jobs import delay
from .night_jobs import delay_per_batch
from .night_jobs import delay_per_company


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
        scored that day (``_job_risk_batch``), and one job for the expected payment dates."""
        rows = self._compute_components(company, date, skip_scored=True)
        delay_per_batch(
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
        delay(moves, description)._job_expected_payment_dates(company, date)

    @api.model
    @conflicts_retried_later
    def _job_risk_batch(self, company, date, partner_ids):
        """Score the customers ``partner_ids`` of ``company`` on ``date`` as the cron does
        (``_recompute_scores``); those scored that day already are skipped."""
        done = self._recompute_scores(company, date, partner_ids=partner_ids, skip_scored=True)
        return self.env._("%s customers scored", done)
