from collections import defaultdict
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import format_date

from .receivable_reminder import OPEN_STATES
from .receivable_security import check_receivable_group


class ResPartner(models.Model):
    """Dunning on the customer: who collects, exclusions, reminders and promises."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    receivable_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        help="Credit controller in charge of this customer: phone-call reminders are "
        "scheduled for them. Without one, the salesperson, then the run's user.",
    )
    dunning_excluded = fields.Boolean(
        string="Never Remind",
        company_dependent=True,
        help="This customer never gets a payment reminder in this company.",
    )
    dunning_paused_until = fields.Date(
        string="Reminders Paused Until",
        company_dependent=True,
        help="No reminder until this date included.",
    )
    dunning_pause_reason = fields.Char(string="Pause Reason", company_dependent=True)
    is_collection_agency = fields.Boolean(
        string="Collection Agency",
        help="This partner recovers unpaid claims for us (recouvrement / incasso).",
    )
    receivable_reminder_ids = fields.One2many(
        "receivable.reminder", "partner_id", string="Payment Reminders"
    )
    receivable_reminder_count = fields.Integer(
        string="Reminders",
        compute="_compute_receivable_reminder_stats",
        help="The reminders sent and those pending (to review, to send, failed).",
    )
    receivable_reminder_pending_count = fields.Integer(
        string="Pending Reminders",
        compute="_compute_receivable_reminder_stats",
        help="Reminders to review, to send or failed (to retry).",
    )
    dunning_last_date = fields.Date(
        string="Last Reminder", compute="_compute_receivable_reminder_stats"
    )
    dunning_last_level_id = fields.Many2one(
        "receivable.dunning.level",
        string="Last Level",
        compute="_compute_receivable_reminder_stats",
    )
    receivable_promise_ids = fields.One2many(
        "receivable.promise", "partner_id", string="Promises to Pay"
    )
    receivable_open_promise_count = fields.Integer(
        string="Open Promises", compute="_compute_receivable_reminder_stats"
    )
    dunning_status = fields.Char(string="Dunning Status", compute="_compute_dunning_status")

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends_context("company")
    @api.depends("receivable_reminder_ids.state", "receivable_promise_ids.state")
    def _compute_receivable_reminder_stats(self):
        company = self.env.company
        partners = self.commercial_partner_id
        # One read of the sent and pending reminders, latest first: the counts, the last
        # date and level sent.
        stats, pending, last_levels = {}, defaultdict(int), {}
        for reminder in self.env["receivable.reminder"].search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("state", "in", ("sent", *OPEN_STATES)),
            ],
            order="date desc, id desc",
        ):
            if reminder.state != "sent":
                pending[reminder.partner_id] += 1
                continue
            count, date = stats.get(reminder.partner_id, (0, reminder.date))
            stats[reminder.partner_id] = (count + 1, date)
            last_levels.setdefault(reminder.partner_id, reminder.level_id)
        promises = dict(
            self.env["receivable.promise"]._read_group(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "=", company.id),
                    ("state", "=", "open"),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            commercial = partner.commercial_partner_id
            count, date = stats.get(commercial, (0, False))
            partner.receivable_reminder_count = count + pending[commercial]
            partner.receivable_reminder_pending_count = pending[commercial]
            partner.dunning_last_date = date
            partner.dunning_last_level_id = last_levels.get(commercial, False)
            partner.receivable_open_promise_count = promises.get(commercial, 0)

    @api.depends_context("company")
    @api.depends(
        "dunning_excluded",
        "dunning_paused_until",
        "receivable_remind_again_on",
        "receivable_promise_ids.state",
    )
    def _compute_dunning_status(self):
        today = fields.Date.context_today(self)
        blockers = self._get_dunning_blockers(today)
        for partner in self:
            partner.dunning_status = blockers[partner.commercial_partner_id.id] or self.env._(
                "Reminded by the ladder of its credit policy."
            )

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model
    def _commercial_fields(self):
        return [
            *super()._commercial_fields(),
            "receivable_collector_id",
            "dunning_excluded",
            "dunning_paused_until",
            "dunning_pause_reason",
        ]

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _get_dunning_blocker(self, date):
        """Why this customer gets no reminder at ``date`` in the current company, or None."""
        self.ensure_one()
        return self._get_dunning_blockers(date)[self.commercial_partner_id.id]

    def _get_dunning_blockers(self, date):
        """``{commercial partner id: why it gets no reminder at date, or None}`` in the current
        company, from the dunning rule itself (``receivable.dunning.engine``'s exclusions):
        the customer-level exclusion that holds it, else a policy without reminders, else the
        exclusions holding every invoice it owes. Read from the database: a change is
        explained once saved."""
        company = self.env.company
        partners = self.commercial_partner_id
        engine = self.env["receivable.dunning.engine"]
        ids = partners._origin.ids
        customer_reasons = engine._customer_exclusion_reasons(company, date, ids)
        item_reasons = engine._exclusion_reasons(company, date, ids)
        blockers = {}
        for partner in partners:
            reason = customer_reasons.get(partner._origin.id)
            if reason == "excluded":
                blockers[partner.id] = self.env._("Never reminded (excluded from dunning).")
            elif reason == "paused":
                blockers[partner.id] = self.env._(
                    "Reminders paused until %(date)s%(reason)s.",
                    date=format_date(self.env, partner.dunning_paused_until),
                    reason=f": {partner.dunning_pause_reason}"
                    if partner.dunning_pause_reason
                    else "",
                )
            elif reason == "remind_again":
                blockers[partner.id] = self.env._(
                    "No reminder before %(date)s: a collector will look at it again then.",
                    date=format_date(self.env, partner.receivable_remind_again_on),
                )
            elif not partner._has_dunning_ladder():
                blockers[partner.id] = self.env._("Its credit policy sends no reminders.")
            elif reason == "credits":
                blockers[partner.id] = self.env._(
                    "Not reminded: its credits (unapplied payments, credit notes) cover the "
                    "overdue amount. Allocate them to its invoices."
                )
            else:
                reasons = item_reasons.get(partner._origin.id, {})
                blockers[partner.id] = partner._held_items_blocker(reasons, date)
        return blockers

    def _has_dunning_ladder(self):
        policy = self.receivable_effective_policy_id
        return bool(policy and policy.dunning_active and policy.dunning_level_ids)

    def _held_items_blocker(self, reasons, date):
        """Why none of the customer's invoices may be reminded, from ``reasons`` ({exclusion:
        number of its open invoices it holds}, None: not held), or None."""
        if not reasons or None in reasons:
            return None
        if set(reasons) == {"promise"}:
            promises = self.env["receivable.promise"].search(
                [
                    ("partner_id", "=", self._origin.id),
                    ("company_id", "=", self.env.company.id),
                    ("state", "=", "open"),
                    ("promise_date", ">=", date),
                ]
            )
            return self.env._("Promised to pay: %s.", ", ".join(promises.mapped("display_name")))
        labels = {
            "dispute": self.env._("disputed"),
            "factor": self.env._("sold to a factor"),
            "agency": self.env._("with a collection agency"),
            "plan": self.env._("in a payment plan"),
            "promise": self.env._("promised to pay"),
            "legal_charge": self.env._("late-payment charges"),
            "no_followup": self.env._("set to No Follow-Up"),
            "credits": self.env._("covered by its credits"),
        }
        held = ", ".join(
            f"{labels.get(reason, reason)} ({count})" for reason, count in sorted(reasons.items())
        )
        return self.env._("No open invoice may be reminded: %s.", held)

    def _get_collector(self):
        """Who calls this customer: its collector, its salesperson, or the current user."""
        self.ensure_one()
        partner = self.commercial_partner_id
        return partner.receivable_collector_id or partner.user_id or self.env.user

    def _get_receivable_portal_link(self, lang=None):
        """The signed link to the customer's account page (``_get_receivable_portal_url``)
        that the reminders print, opening the page in the reader's language ``lang``: with
        several languages active, its URL code leads the path (``/fr/my/receivables``), as in
        Odoo's multilingual links, so that a visitor without a session reads the page in it."""
        self.ensure_one()
        url = self._get_receivable_portal_url()
        langs = self.env["res.lang"]._get_frontend()
        if len(langs) < 2 or lang not in langs:
            return url
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path=f"/{langs[lang].url_code}{parts.path}"))

    def _post_dunning_note(self, text, record=None, details=None):
        """Log a dunning event in the customer's chatter, with a link to ``record``."""
        self.ensure_one()
        body = Markup("<p>%s</p>") % text
        if record:
            body = Markup("<p>%s %s</p>") % (record._get_html_link(), text)
        if details:
            body += details
        # sudo: the trace is written whoever triggered it (the nightly run, a payment)
        self.commercial_partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_send_reminder_now(self):
        check_receivable_group(self.env)
        self.ensure_one()
        partner = self.commercial_partner_id
        today = fields.Date.context_today(self)
        reminder = self.env["receivable.dunning.engine"]._remind_partner_now(partner, today)
        return reminder._get_records_action(name=self.env._("Reminder"))

    def action_view_reminders(self):
        check_receivable_group(self.env)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_control.action_receivable_reminder"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_group_by_state": False}
        return action

    def action_view_promises(self):
        check_receivable_group(self.env)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_control.action_receivable_promise"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_promise_to_pay(self):
        check_receivable_group(self.env)
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promise to Pay"),
            "res_model": "receivable.promise",
            "view_mode": "form",
            "target": "new",
            "context": {
                **self.env.context,
                "default_partner_id": self.commercial_partner_id.id,
            },
        }
