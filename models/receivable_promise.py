from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import format_amount
from odoo.tools import format_date

# How far ahead a promise to pay may be dated.
MAX_PROMISE_DAYS = 365


class ReceivablePromise(models.Model):
    """A customer's promise to pay an amount by a date.

    While a promise is open, the partner (or, when invoices are named, those invoices) gets no
    reminder. The day after the promised date the promise is checked: kept when the partner
    paid at least the promised amount since the promise, broken otherwise. A broken promise is
    logged and dunning resumes where it stopped, at the next level.
    """

    _name = "receivable.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread"]
    _order = "promise_date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move",
        "receivable_promise_move_rel",
        "promise_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
        help="Invoices covered by the promise. Empty: the promise covers the whole account.",
    )
    promise_date = fields.Date(string="Promised Payment Date", required=True, tracking=True)
    amount = fields.Monetary(string="Promised Amount", required=True, tracking=True)
    amount_due_at_promise = fields.Monetary(
        string="Due When Promised",
        readonly=True,
        help="What the covered invoices (or the account) still owed when the promise was made.",
    )
    amount_paid = fields.Monetary(string="Paid Since", compute="_compute_amount_paid")
    state = fields.Selection(
        [
            ("open", "Open"),
            ("kept", "Kept"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Recorded By", default=lambda self: self.env.user, readonly=True
    )
    note = fields.Text()

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends("amount_due_at_promise")
    def _compute_amount_paid(self):
        due_now = self._get_amounts_due()
        for promise in self:
            promise.amount_paid = max(promise.amount_due_at_promise - due_now[promise.id], 0.0)

    @api.depends("partner_id", "amount", "promise_date")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(partner)s: %(amount)s by %(date)s",
                partner=promise.partner_id.name or "",
                amount=format_amount(self.env, promise.amount, promise.currency_id),
                date=format_date(self.env, promise.promise_date),
            )

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("amount")
    def _check_amount(self):
        for promise in self:
            if promise.amount <= 0:
                raise ValidationError(self.env._("The promised amount must be positive."))

    @api.constrains("move_ids", "partner_id")
    def _check_moves(self):
        for promise in self:
            promise.move_ids._check_commercial_partner(promise.partner_id)

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_promise_date(vals.get("promise_date"))
        promises = super().create(vals_list)
        for promise in promises:
            promise.partner_id = promise.partner_id.commercial_partner_id
        due = promises._get_amounts_due()
        for promise in promises:
            promise.amount_due_at_promise = due[promise.id]
            promise.partner_id._post_dunning_note(
                self.env._("Promise to pay recorded: %s. Reminders pause until that date.")
                % promise.display_name,
                promise,
            )
        return promises

    def write(self, vals):
        self._check_promise_date(vals.get("promise_date"))
        return super().write(vals)

    @api.model
    def _check_promise_date(self, value):
        """A promised date lies between today and a year ahead: a promise pauses the reminders
        until its date, and one dated years ahead would stop the dunning of the customer."""
        if not value:
            return
        today = fields.Date.context_today(self)
        promised = fields.Date.to_date(value)
        if promised < today:
            raise ValidationError(self.env._("A promise to pay cannot be dated in the past."))
        if promised > today + timedelta(days=MAX_PROMISE_DAYS):
            raise ValidationError(
                self.env._(
                    'The field "%(field)s" must lie within %(days)s days from today: a promise '
                    "pauses the reminders until that date.",
                    field=self._fields["promise_date"]._description_string(self.env),
                    days=MAX_PROMISE_DAYS,
                )
            )

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _get_amounts_due(self):
        """{promise id: what its invoices, or its partner's account, owe now}."""
        result = {}
        whole_account = self.filtered(lambda p: not p.move_ids and p.partner_id)
        for company in whole_account.company_id:
            # One credit computation for all the partners of the company.
            partners = whole_account.filtered(lambda p, c=company: p.company_id == c).partner_id
            credits = {p.id: p.credit for p in partners.commercial_partner_id.with_company(company)}
            for promise in whole_account.filtered(lambda p, c=company: p.company_id == c):
                result[promise.id] = credits[promise.partner_id.commercial_partner_id.id]
        for promise in self - whole_account:
            result[promise.id] = sum(promise.move_ids.mapped("amount_residual_signed"))
        return result

    @api.model
    def _settle_due_promises(self, date, company):
        """Close the open promises of ``company`` whose date has passed: kept or broken."""
        due = self.search(
            [("state", "=", "open"), ("promise_date", "<", date), ("company_id", "=", company.id)]
        )
        for promise in due:
            if promise.currency_id.compare_amounts(promise.amount_paid, promise.amount) >= 0:
                promise.state = "kept"
                promise.partner_id._post_dunning_note(
                    self.env._("Promise to pay kept: %s.") % promise.display_name, promise
                )
            else:
                promise._mark_broken()
        return due

    def _mark_broken(self):
        for promise in self:
            promise.state = "broken"
            promise.partner_id._post_dunning_note(
                self.env._(
                    "Promise to pay broken: %(promise)s; %(paid)s paid. Reminders resume at the "
                    "next level.",
                    promise=promise.display_name,
                    paid=format_amount(self.env, promise.amount_paid, promise.currency_id),
                ),
                promise,
            )

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_cancel(self):
        if self.filtered(lambda p: p.state != "open"):
            raise UserError(self.env._("Only open promises can be cancelled."))
        self.state = "cancelled"
        for promise in self:
            promise.partner_id._post_dunning_note(
                self.env._("Promise to pay cancelled: %s.") % promise.display_name, promise
            )
