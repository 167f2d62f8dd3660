from odoo import api
from odoo import models
from odoo.tools import SQL

from .night_jobs import conflicts_retried_later
from .night_jobs import delay_per_batch
from .night_jobs import delay_per_company


class ReceivableDunningEngine(models.AbstractModel):
    _inherit = "receivable.dunning.engine"

    # ------------------------------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------------------------------
    @api.model
    def _cron_run_dunning(self):
        """Daily, with queue_job: one job per company with a ladder (``_job_dunning_company``)."""
        delay_per_company(
            self,
            self._get_dunning_companies(),
            "_job_dunning_company",
            self.env._("Dunning run of %(company)s on %(date)s"),
        )

    # ------------------------------------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------------------------------------
    @api.model
    @conflicts_retried_later
    def _job_dunning_company(self, company, date):
        """The dunning run of ``company`` on ``date``, as ``_run_company`` does it: the due
        promises settled, then one job per batch of the customers with open items
        (``_job_dunning_batch``: each selects those of its customers to remind) and, when the
        company sends automatically, one job per batch of the reminders waiting to go
        (``_job_send_reminders``)."""
        self.env["receivable.promise"].with_company(company)._settle_due_promises(date, company)
        engine = self._in_company_scope(company)
        if company.receivable_dunning_auto_send:
            engine._review_uncertain_deliveries(company)
            pending = self.env["receivable.reminder"].search(
                [("company_id", "=", company.id), ("state", "in", ("to_send", "failed"))],
                order="id",
            )
            delay_per_batch(
                self,
                "dunning",
                pending.ids,
                "_job_send_reminders",
                (company,),
                self.env._("Sending of %(count)s reminders of %(company)s"),
                company=company.name,
            )
        delay_per_batch(
            self,
            "dunning",
            engine._customers_with_open_items(company, date),
            "_job_dunning_batch",
            (company, date),
            self.env._("Dunning run of %(company)s on %(date)s: %(count)s customers"),
            company=company.name,
            date=date,
        )

    @api.model
    def _customers_with_open_items(self, company, date):
        """Ids of the commercial partners with an open receivable line in ``company``'s scope
        on ``date``: the customers the batches may remind. Each batch then selects and
        evaluates its own customers (``_generate_reminders``); selecting them all here first,
        as the cron does, would keep the workers waiting for one job (16 s at a million open
        lines, against about 1 s for this query)."""
        Line = self.env["account.move.line"]
        Line.flush_model(
            [
                "account_id",
                "parent_state",
                "reconciled",
                "amount_residual",
                "amount_residual_currency",
                "company_id",
                "date",
                "partner_id",
            ]
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT partner.commercial_partner_id
                  FROM account_move_line line
                  JOIN account_account account ON account.id = line.account_id
                  JOIN res_partner partner ON partner.id = line.partner_id
                 WHERE account.account_type = 'asset_receivable'
                   AND line.parent_state = 'posted'
                   AND NOT line.reconciled
                   AND (line.amount_residual != 0 OR line.amount_residual_currency != 0)
                   AND line.company_id IN %s
                   AND line.date <= %s
              ORDER BY partner.commercial_partner_id
                """,
                tuple(self.env.companies.ids),
                date,
            )
        )
        return [row[0] for row in rows]

    @api.model
    @conflicts_retried_later
    def _job_dunning_batch(self, company, date, partner_ids):
        """The reminders of the customers ``partner_ids`` of ``company`` on ``date``, created
        as the cron's batches create them (``_generate_reminders``: customers another worker
        holds or reminded already are skipped), then sent in the same transaction when the
        company sends automatically, else left to review."""
        engine = self._in_company_scope(company)
        sending = company.receivable_dunning_auto_send
        reminders = engine._generate_reminders(
            company, date, partner_ids=partner_ids, commit=False, to_review=not sending
        )
        sent = reminders.with_company(company)._send_reminders() if sending else reminders[:0]
        return self.env._(
            "%(created)s reminders created, %(sent)s sent", created=len(reminders), sent=len(sent)
        )

    @api.model
    @conflicts_retried_later
    def _job_send_reminders(self, company, reminder_ids):
        """Send those of the reminders ``reminder_ids`` of ``company`` still waiting to go
        (``_send_reminders``: those sent meanwhile or held by another worker are skipped)."""
        engine = self._in_company_scope(company)
        reminders = engine.env["receivable.reminder"].browse(reminder_ids)
        sent = reminders.with_company(company)._send_reminders()
        return self.env._("%s reminders sent", len(sent))
