"""A customer's request, made on the portal, to pay its overdue invoices by instalments.

States::

    requested ──approve (Credit Controller)──► approved: a draft payment plan, prefilled
        │
        └──────refuse (with a reason)────────► refused

The customer asks; a Credit Controller decides. Approving drafts the module's own payment plan
(``receivable.payment.plan``: the invoices, the instalments asked split monthly, the customer's
note) for the controller to check and confirm: no plan ever starts from the customer's word
alone. One request at a time is in progress per customer (waiting, or approved
and its plan not confirmed yet).

While a request waits, the dunning goes on: a request is not a dispute, and pausing on it would
let any customer stop its reminders at will. The collector gets an activity to decide quickly.
"""

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import format_amount
from odoo.tools import format_date

from .receivable_security import MANAGER_GROUP
from .receivable_security import check_receivable_group

# The least a plan splits into: one instalment is a promise to pay, not a plan.
MIN_PORTAL_INSTALMENTS = 2
# A customer's note longer than this is cut: it is a note for the collector, not a letter.
MAX_NOTE_LENGTH = 1000
# Written by the decision only (action_approve, the refusal wizard), never by hand.
DECISION_FIELDS = ("state", "decided_by_id", "decision_date", "refusal_reason", "plan_id")
# What the customer asked: kept as asked.
REQUEST_FIELDS = (
    "partner_id",
    "requested_by_id",
    "company_id",
    "move_ids",
    "amount",
    "instalment_count",
    "note",
)


class ReceivablePaymentPlanRequest(models.Model):
    _name = "receivable.payment.plan.request"
    _description = "Payment Plan Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    _one_pending_request = models.UniqueIndex(
        "(partner_id, company_id) WHERE state = 'requested'",
        "A customer has at most one payment plan request waiting for a decision.",
    )

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    requested_by_id = fields.Many2one(
        "res.partner",
        string="Asked By",
        readonly=True,
        help="The customer's contact logged in on the portal, or the customer when the request "
        "came through the link of a reminder.",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move",
        "receivable_payment_plan_request_move_rel",
        "request_id",
        "move_id",
        string="Invoices",
        readonly=True,
        check_company=True,
    )
    amount = fields.Monetary(
        string="Amount Due", readonly=True, help="What the invoices owed when the customer asked."
    )
    instalment_count = fields.Integer(string="Instalments Asked", readonly=True)
    note = fields.Text(string="Customer's Note", readonly=True)
    state = fields.Selection(
        [("requested", "Requested"), ("approved", "Approved"), ("refused", "Refused")],
        default="requested",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    decided_by_id = fields.Many2one("res.users", string="Decided By", readonly=True, copy=False)
    decision_date = fields.Datetime(readonly=True, copy=False)
    refusal_reason = fields.Text(
        readonly=True, copy=False, tracking=True, help="Shown to the customer on the portal."
    )
    plan_id = fields.Many2one(
        "receivable.payment.plan",
        string="Payment Plan",
        readonly=True,
        copy=False,
        check_company=True,
        help="The draft plan the approval prepared, to confirm once checked.",
    )

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends("partner_id", "create_date")
    def _compute_display_name(self):
        for request in self:
            request.display_name = self.env._(
                "Payment plan request of %(partner)s (%(date)s)",
                partner=request.partner_id.name or "",
                date=format_date(self.env, request.create_date) if request.create_date else "",
            )

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("move_ids", "partner_id")
    def _check_moves_partner(self):
        for request in self:
            request.move_ids._check_commercial_partner(request.partner_id)

    # ------------------------------------------------------------------------------------------
    # CRUD: the portal creates, the decision writes (both as the superuser, after their checks)
    # ------------------------------------------------------------------------------------------
    def write(self, vals):
        names = set(vals) - set(self.env["mail.thread"]._fields)
        names -= set(self.env["mail.activity.mixin"]._fields)
        if names & {*DECISION_FIELDS, *REQUEST_FIELDS} and not self.env.su:
            raise UserError(
                self.env._(
                    "A payment plan request is kept as the customer asked it and changes only "
                    "through its Approve and Refuse buttons."
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------------------------------
    # Business methods: the customer's request (portal)
    # ------------------------------------------------------------------------------------------
    @api.model
    def _get_portal_max_instalments(self, partner):
        """How many instalments the customer may ask for: its policy's setting (12 without)."""
        policy = partner.receivable_effective_policy_id
        return max(policy.portal_plan_max_instalments or 12, MIN_PORTAL_INSTALMENTS)

    @api.model
    def _in_progress_domain(self, partner):
        """The customer's request in progress: waiting for a decision, or approved and its
        plan not confirmed yet (the customer asks again once it is confirmed or cancelled)."""
        return Domain("partner_id", "=", partner.commercial_partner_id.id) & (
            Domain("state", "=", "requested")
            | (Domain("state", "=", "approved") & Domain("plan_id.state", "=", "draft"))
        )

    @api.model
    def _request_from_portal(self, partner, plannable, move_ids, instalment_count, note, asker):
        """Record the customer's request to pay ``move_ids`` (ids the customer chose among its
        ``plannable`` invoices) in ``instalment_count`` instalments; a UserError saying what is
        wrong, and nothing recorded, otherwise. One request per company of the invoices.

        Called as the superuser by the portal, for the customer the controller checked."""
        partner = partner.commercial_partner_id
        pending = self.search(self._in_progress_domain(partner), limit=1)
        if pending:
            raise UserError(
                self.env._(
                    "Your payment plan request of %s is being handled: we will get back to you "
                    "soon.",
                    format_date(self.env, pending.create_date),
                )
            )
        if not plannable:
            raise UserError(self.env._("You have no overdue invoice to pay by instalments."))
        try:
            wanted = {int(move_id) for move_id in move_ids or ()}
        except (TypeError, ValueError):
            wanted = {0}
        if not wanted:
            raise UserError(self.env._("Please choose the overdue invoices to pay by instalments."))
        moves = plannable.filtered(lambda move: move.id in wanted)
        if len(moves) != len(wanted):
            raise UserError(self.env._("Only your overdue invoices can be paid by instalments."))
        maximum = self._get_portal_max_instalments(partner)
        try:
            instalment_count = int(instalment_count)
        except (TypeError, ValueError):
            instalment_count = 0
        if not MIN_PORTAL_INSTALMENTS <= instalment_count <= maximum:
            raise UserError(
                self.env._(
                    "Please choose between %(minimum)s and %(maximum)s instalments.",
                    minimum=MIN_PORTAL_INSTALMENTS,
                    maximum=maximum,
                )
            )
        note = (note or "").strip()[:MAX_NOTE_LENGTH]
        requests = self.create(
            [
                {
                    "partner_id": partner.id,
                    "requested_by_id": asker.id,
                    "company_id": company.id,
                    "move_ids": [Command.set(company_moves.ids)],
                    "amount": sum(company_moves.mapped("amount_residual_signed")),
                    "instalment_count": instalment_count,
                    "note": note,
                }
                for company, company_moves in moves.grouped("company_id").items()
            ]
        )
        for request in requests:
            request._announce()
        return requests

    def _announce(self):
        """Tell the back office: a note in the customer's chatter and the decision as an
        activity of the customer's collector (or of a Credit Manager)."""
        self.ensure_one()
        text = self.env._(
            "Payment plan asked on the portal: %(amount)s in %(count)s instalments for "
            "%(invoices)s.",
            amount=format_amount(self.env, self.amount, self.currency_id),
            count=self.instalment_count,
            invoices=", ".join(self.move_ids.mapped("name")),
        )
        details = Markup("<p>%s</p>") % self.note if self.note else None
        self.message_post(
            body=Markup("<p>%s</p>") % text + (details or ""), author_id=self.requested_by_id.id
        )
        self.partner_id._post_dunning_note(text, self, details)
        decider = self._get_decider()
        if decider:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Payment plan asked by %s", self.partner_id.name),
                note=Markup("<p>%s</p>") % text,
                user_id=decider.id,
            )

    def _get_decider(self):
        """Who decides: the customer's collector or salesperson in the request's company,
        else its first Credit Manager (none: the request waits in the list)."""
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        users = (partner.receivable_collector_id or partner.user_id).filtered(
            lambda user: user.active and not user.share and self.company_id in user.company_ids
        )
        return users[:1] or self.env["res.users"].search(
            [
                ("all_group_ids", "in", self.env.ref(MANAGER_GROUP).ids),
                ("share", "=", False),
                ("company_ids", "in", self.company_id.ids),
            ],
            order="id",
            limit=1,
        )

    # ------------------------------------------------------------------------------------------
    # Business methods: the decision
    # ------------------------------------------------------------------------------------------
    def _check_requested(self):
        check_receivable_group(self.env)
        self.check_access("write")
        if self.filtered(lambda request: request.state != "requested"):
            raise UserError(self.env._("This payment plan request has already been decided."))

    def _decide(self, vals, text):
        """Record the decision (``vals``) and tell the customer's chatter and the request's."""
        self.ensure_one()
        # sudo: the decision fields change only here, once the Credit Controller and the
        # pending state are checked (write() refuses them otherwise).
        self.sudo().write(
            {**vals, "decided_by_id": self.env.user.id, "decision_date": fields.Datetime.now()}
        )
        self.activity_ids.action_feedback(feedback=text)
        self.message_post(body=text, subtype_xmlid="mail.mt_note")
        self.partner_id._post_dunning_note(text, self)

    def _prepare_plan(self):
        """The draft payment plan of the request: its invoices still open, the instalments
        asked split monthly from next month, the customer's note. The controller checks it and
        confirms it (``receivable.payment.plan.action_confirm``)."""
        self.ensure_one()
        moves = self.move_ids.filtered(
            lambda move: (
                move.state == "posted"
                and move.payment_state in ("not_paid", "partial")
                and not move.currency_id.is_zero(move.amount_residual)
            )
        )
        if not moves:
            raise UserError(
                self.env._(
                    "The invoices of this request are paid or no longer open: refuse it with "
                    "that reason."
                )
            )
        note = self.env._("Asked by the customer on the portal.")
        if self.note:
            note = f"{note}\n{self.note}"
        plan = (
            self.env["receivable.payment.plan"]
            .with_company(self.company_id)
            .create(
                {
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "move_ids": [Command.set(moves.ids)],
                    "instalment_count": self.instalment_count,
                    "first_date": fields.Date.context_today(self) + relativedelta(months=1),
                    "note": note,
                }
            )
        )
        plan.action_split_equally()
        return plan

    def _refuse(self, reason):
        """Refuse with ``reason``, which the customer reads on the portal."""
        self._check_requested()
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(
                self.env._("Give the reason of the refusal: the customer reads it.")
            )
        for request in self:
            request._decide(
                {"state": "refused", "refusal_reason": reason},
                self.env._("Payment plan request refused: %s", reason),
            )

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_approve(self):
        """Approve: draft the payment plan asked for and open it, to check and confirm."""
        self._check_requested()
        plans = self.env["receivable.payment.plan"]
        for request in self:
            plan = request._prepare_plan()
            request._decide(
                {"state": "approved", "plan_id": plan.id},
                self.env._(
                    "Payment plan request approved: draft plan %s prepared, to confirm.",
                    plan.name,
                ),
            )
            plans |= plan
        return plans._get_records_action() if plans else True

    def action_refuse(self):
        """Ask the reason of the refusal (shown to the customer)."""
        self._check_requested()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refuse the Payment Plan Request"),
            "res_model": "receivable.payment.plan.request.refuse",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_ids": [Command.set(self.ids)]},
        }
