from odoo import api
from odoo import models

from .night_jobs import conflicts_retried_later


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model
    @conflicts_retried_later
    def _job_expected_payment_dates(self, company, date):
        """The expected payment dates of ``company`` on ``date``, as the risk cron computes
        them after the scores (``_compute_expected_payment_dates_company``): set-based, one
        job per company; computing them again gives the same dates."""
        invoices = self._compute_expected_payment_dates_company(company, date)
        return self.env._("%s invoices' expected payment dates written", invoices)
