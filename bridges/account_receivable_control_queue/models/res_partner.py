from odoo import api
from odoo import models

from .night_jobs import conflicts_retried_later
from .night_jobs import delay_per_batch
from .night_jobs import delay_per_company


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------------------------------
    @api.model
    def _cron_refresh_credit_holds(self, batch_size=500):
        """Daily, with queue_job: one job per company enforcing holds
        (``_job_credit_holds_company``); the jobs' batches have their own size
        (``night_jobs.batch_size``)."""
        delay_per_company(
            self,
            self.env["res.company"].search([("receivable_hold_enforcement", "=", True)]),
            "_job_credit_holds_company",
            self.env._("Credit holds of %(company)s on %(date)s"),
        )

    # ------------------------------------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------------------------------------
    @api.model
    @conflicts_retried_later
    def _job_credit_holds_company(self, company, date):
        """One job per batch of the customers of ``company`` whose automatic hold may change
        (``_select_partners_to_refresh``), the night of ``date``."""
        delay_per_batch(
            self,
            "holds",
            self.with_company(company)._select_partners_to_refresh().ids,
            "_job_credit_holds_batch",
            (company,),
            self.env._("Credit holds of %(company)s on %(date)s: %(count)s customers"),
            company=company.name,
            date=date,
        )

    @api.model
    @conflicts_retried_later
    def _job_credit_holds_batch(self, company, partner_ids):
        """Hold or release the customers ``partner_ids`` in ``company`` as the cron does
        (``_refresh_credit_hold``): holding a held customer or releasing a free one does
        nothing."""
        self.with_company(company).browse(partner_ids)._refresh_credit_hold()
        return self.env._("%s customers checked", len(partner_ids))
