from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from .input_checks import check_range
from .res_partner import MANAGER_GROUP

# Set by the decision only (action_approve / action_refuse), never at create.
DECISION_FIELDS = ("state", "decided_by_id", "decision_date")


class ReceivableCreditLimitRequest(models.Model):
    """A Credit Controller asks for a new limit; a Credit Manager approves or refuses it.

    The partner's limit changes only on approval, in the request's company.
    """

    _name = "receivable.credit.limit.request"
    _description = "Credit Limit Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_order, create_date desc, id desc"
    _check_company_auto = True
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    current_limit = fields.Monetary(
        string="Current Limit",
        compute="_compute_current_limit",
        store=True,
        readonly=True,
        help="The partner's applied limit when the request was made.",
    )
    current_exposure = fields.Monetary(string="Current Exposure", compute="_compute_exposure")
    requested_limit = fields.Monetary(string="Requested Limit", required=True, tracking=True)
    justification = fields.Text(required=True, tracking=True)
    state = fields.Selection(
        [("pending", "To Approve"), ("approved", "Approved"), ("refused", "Refused")],
        default="pending",
        required=True,
        tracking=True,
        copy=False,
    )
    state_order = fields.Integer(compute="_compute_state_order", store=True)
    requested_by_id = fields.Many2one(
        "res.users", string="Requested By", default=lambda self: self.env.user, readonly=True
    )
    decided_by_id = fields.Many2one("res.users", string="Decided By", readonly=True, copy=False)
    decision_date = fields.Datetime(readonly=True, copy=False)
    decision_note = fields.Text(string="Decision Note", tracking=True, copy=False)

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends("partner_id", "company_id")
    def _compute_current_limit(self):
        for request in self:
            partner = request.partner_id.commercial_partner_id.with_company(request.company_id)
            request.current_limit = partner.credit_limit_effective if partner else 0.0

    @api.depends("partner_id", "company_id")
    def _compute_exposure(self):
        for company in self.company_id:
            requests = self.filtered(lambda r, c=company: r.company_id == c)
            partners = requests.partner_id.commercial_partner_id.with_company(company)
            for request in requests:
                request.current_exposure = partners.browse(
                    request.partner_id.commercial_partner_id.id
                ).credit_exposure
        (self - self.filtered("company_id")).current_exposure = 0.0

    @api.depends("state")
    def _compute_state_order(self):
        order = {"pending": 0, "approved": 1, "refused": 2}
        for request in self:
            request.state_order = order.get(request.state, 3)

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("requested_limit", "justification")
    def _check_request(self):
        check_range(self, ["requested_limit"], 0)
        for request in self:
            if not (request.justification or "").strip():
                raise ValidationError(self.env._("Explain why the customer needs this limit."))

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._check_create_values(vals_list)
        requests = super().create(vals_list)
        for request in requests:
            request._notify_partner(
                self.env._(
                    "Credit limit of %(amount)s requested by %(user)s: %(why)s",
                    amount=format_amount(self.env, request.requested_limit, request.currency_id),
                    user=request.requested_by_id.name,
                    why=request.justification,
                )
            )
        return requests

    def write(self, vals):
        decided = [name for name in DECISION_FIELDS if name in vals]
        if decided and not self.env.su:
            raise UserError(
                self.env._(
                    "%(fields)s of a credit limit request change only through its Approve and "
                    "Refuse buttons.",
                    fields=self._field_labels(decided),
                )
            )
        return super().write(vals)

    @api.model
    def _check_create_values(self, vals_list):
        """A request is born pending, asked by its creator: no decision at create, whoever
        creates it (approval goes through ``action_approve``, by a Credit Manager)."""
        for vals in vals_list:
            decided = [
                name
                for name in DECISION_FIELDS
                if name != "state" and (vals.get(name) or self.env.context.get(f"default_{name}"))
            ]
            state = vals.get("state") or self.env.context.get("default_state") or "pending"
            if state != "pending":
                decided.append("state")
            if decided:
                raise UserError(
                    self.env._(
                        "A credit limit request is created To Approve, without decision: "
                        "%(fields)s cannot be set.",
                        fields=self._field_labels(decided),
                    )
                )
            if not self.env.su:
                vals["requested_by_id"] = self.env.uid

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_approve(self):
        self._check_manager()
        self._check_pending()
        for request in self:
            partner = request.partner_id.commercial_partner_id.with_company(request.company_id)
            partner.write(
                {"use_partner_credit_limit": True, "credit_limit": request.requested_limit}
            )
            # sudo: the decision fields change only here and in action_refuse, once the
            # Credit Manager is checked (write() refuses them otherwise).
            request.sudo().write(
                {
                    "state": "approved",
                    "decided_by_id": self.env.user.id,
                    "decision_date": fields.Datetime.now(),
                }
            )
            request._notify_partner(
                self.env._(
                    "Credit limit request approved by %(user)s: new limit %(amount)s.",
                    user=self.env.user.name,
                    amount=format_amount(self.env, request.requested_limit, request.currency_id),
                )
            )
            partner._refresh_credit_hold()
        return True

    def action_refuse(self):
        self._check_manager()
        self._check_pending()
        for request in self:
            # sudo: see action_approve
            request.sudo().write(
                {
                    "state": "refused",
                    "decided_by_id": self.env.user.id,
                    "decision_date": fields.Datetime.now(),
                }
            )
            request._notify_partner(
                self.env._(
                    "Credit limit request of %(amount)s refused by %(user)s. %(note)s",
                    amount=format_amount(self.env, request.requested_limit, request.currency_id),
                    user=self.env.user.name,
                    note=request.decision_note or "",
                )
            )
        return True

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    def _check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager may approve or refuse a request."))

    def _field_labels(self, names):
        return ", ".join(self._fields[name].get_description(self.env)["string"] for name in names)

    def _check_pending(self):
        if self.filtered(lambda r: r.state != "pending"):
            raise UserError(self.env._("This request has already been decided."))

    def _notify_partner(self, text):
        self.ensure_one()
        self.message_post(body=text, subtype_xmlid="mail.mt_note")
        self.partner_id.commercial_partner_id.with_company(self.company_id).message_post(
            body=text, subtype_xmlid="mail.mt_note"
        )
