from odoo import api
from odoo import models

from .night_jobs import conflicts_retried_later
from .night_jobs import delay_per_batch
from .night_jobs import delay_per_company


class ReceivablePaymentPlan(models.Model):
    _inherit = "receivable.payment.plan"

    # ------------------------------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------------------------------
    @api.model
    def _cron_check_payment_plans(self):
        """Daily, with queue_job: one job per company with an active plan
        (``_job_payment_plans_company``)."""
        delay_per_company(
            self,
            self._get_plan_companies(),
            "_job_payment_plans_company",
            self.env._("Payment plans of %(company)s on %(date)s"),
        )

    # ------------------------------------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------------------------------------
    @api.model
    @conflicts_retried_later
    def _job_payment_plans_company(self, company, date):
        """One job per batch of the active plans of ``company`` (``_job_payment_plans_batch``)."""
        plans = self.search([("state", "=", "active"), ("company_id", "=", company.id)], order="id")
        delay_per_batch(
            self,
            "plans",
            plans.ids,
            "_job_payment_plans_batch",
            (company, date),
            self.env._("Payment plans of %(company)s on %(date)s: %(count)s plans"),
            company=company.name,
            date=date,
        )

    @api.model
    @conflicts_retried_later
    def _job_payment_plans_batch(self, company, date, plan_ids):
        """Check the plans ``plan_ids`` of ``company`` on ``date`` as the cron does
        (``_check_instalments``): an instalment is reported missed once, a plan no longer
        active is left alone."""
        self.with_company(company).browse(plan_ids)._check_instalments(date)
        return self.env._("%s plans checked", len(plan_ids))
