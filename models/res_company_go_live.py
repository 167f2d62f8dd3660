"""Safe go-live: the nightly dunning run sends nothing until a Credit Manager activates
automatic sending, after the first-run preview (``receivable.dunning.run`` in its first-run
mode). Until then it prepares the reminders to review."""

from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import format_datetime

from .receivable_security import MANAGER_GROUP
from .receivable_security import check_receivable_group


class ResCompany(models.Model):
    _inherit = "res.company"

    receivable_dunning_auto_send = fields.Boolean(
        string="Send Reminders Automatically",
        default=False,
        readonly=True,
        help="On: the nightly run sends the reminders whose level needs no approval. Off (a "
        "new install): it prepares them to review and sends nothing. A Credit Manager turns "
        "it on after the first-run preview.",
    )
    receivable_auto_send_activated_by = fields.Many2one(
        "res.users", string="Automatic Sending Activated By", readonly=True
    )
    receivable_auto_send_activated_on = fields.Datetime(
        string="Automatic Sending Activated On", readonly=True
    )

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_auto_send_turned_on(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_auto_send_turned_on(vals)
        return super().write(vals)

    def _check_auto_send_turned_on(self, vals):
        if vals.get("receivable_dunning_auto_send") and not self.env.su:
            # Only the activation (after the first-run preview) turns the sending on.
            raise UserError(
                self.env._(
                    "Send Reminders Automatically is turned on by a Credit Manager with "
                    "Activate Automatic Sending, after the first-run preview in the settings."
                )
            )

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _activate_dunning_auto_send(self):
        """Turn automatic sending on (Credit Managers only), record who and when, and
        release the reminders the nightly run prepared to review only because sending was
        off: the next night sends them."""
        check_receivable_group(self.env, MANAGER_GROUP)
        companies = self.filtered(lambda company: not company.receivable_dunning_auto_send)
        if not companies:
            return
        now = fields.Datetime.now()
        # sudo: a Credit Manager may not write companies; the group is checked above and the
        # caller checked the companies against the user's.
        companies.sudo().write(
            {
                "receivable_dunning_auto_send": True,
                "receivable_auto_send_activated_by": self.env.uid,
                "receivable_auto_send_activated_on": now,
            }
        )
        awaiting = self.env["receivable.reminder"].search(
            [
                ("company_id", "in", companies.ids),
                ("state", "=", "draft"),
                ("awaiting_activation", "=", True),
            ]
        )
        awaiting._as_engine().write({"state": "to_send", "awaiting_activation": False})
        for company in companies:
            company._log_auto_send(
                self.env._(
                    "Automatic sending of payment reminders activated by %(user)s on "
                    "%(date)s; %(count)s reminders prepared for review released to the "
                    "nightly run.",
                    user=self.env.user.name,
                    date=format_datetime(self.env, now),
                    count=len(awaiting.filtered(lambda r, c=company: r.company_id == c)),
                )
            )

    def _deactivate_dunning_auto_send(self):
        """Turn automatic sending off: the nightly run prepares reminders to review again."""
        check_receivable_group(self.env, MANAGER_GROUP)
        companies = self.filtered("receivable_dunning_auto_send")
        # sudo: as in _activate_dunning_auto_send
        companies.sudo().write({"receivable_dunning_auto_send": False})
        for company in companies:
            company._log_auto_send(
                self.env._(
                    "Automatic sending of payment reminders turned off by %(user)s on %(date)s.",
                    user=self.env.user.name,
                    date=format_datetime(self.env, fields.Datetime.now()),
                )
            )

    def _log_auto_send(self, text):
        """The trace of the activation on the company's partner (its chatter)."""
        self.ensure_one()
        # sudo: the company's partner may be outside the Credit Manager's rights.
        self.partner_id.sudo().message_post(body=Markup("<p>%s</p>") % text)

    def _turn_on_auto_send_where_sending(self):
        """The companies of ``self`` whose reminders went out automatically before the setting
        existed keep sending (the 19.0.1.2.0 migration; an upgrade changes nothing for them):
        those the nightly run covered (an active dunning ladder) and those that already sent
        reminders. Return those turned on."""
        self.env["receivable.reminder"].flush_model(["company_id", "state"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT company_id FROM receivable_reminder
                 WHERE state = 'sent' AND company_id = ANY(%s)
                """,
                self.ids,
            )
        )
        sending = self.env["receivable.dunning.engine"]._get_dunning_companies()
        companies = (self & (sending | self.browse([row[0] for row in rows]))).filtered(
            lambda company: not company.receivable_dunning_auto_send
        )
        # sudo: a migration step, as the superuser would.
        companies.sudo().write({"receivable_dunning_auto_send": True})
        return companies
