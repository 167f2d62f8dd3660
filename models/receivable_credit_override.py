from collections import defaultdict

from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError


class ReceivableCreditOverride(models.Model):
    """A Credit Manager's permission to post one invoice that a credit policy blocks.

    The override is what posting checks (``account.move._post``), not a flag: an invoice
    blocked by its policy is posted only when an override of the same invoice and company,
    granted for at least its current amount by a user who may override the policy, exists.
    Overrides are history: nobody edits or deletes them through the ORM.
    """

    _name = "receivable.credit.override"
    _description = "Credit Hold Override"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "move_id"

    # ------------------------------------------------------------------------------------------
    # Fields (all set by create() from the invoice, except the reason)
    # ------------------------------------------------------------------------------------------
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, ondelete="restrict"
    )
    user_id = fields.Many2one(
        "res.users", string="Overridden By", required=True, readonly=True, ondelete="restrict"
    )
    date = fields.Datetime(string="Overridden On", required=True, readonly=True)
    reason = fields.Text(required=True, readonly=True)
    policy_id = fields.Many2one(
        "receivable.policy",
        string="Credit Policy",
        required=True,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    amount_granted = fields.Monetary(
        string="Granted for Amount",
        readonly=True,
        help="The invoice's total (in company currency) when it was overridden. The override "
        "covers the invoice only as long as its total does not exceed this amount: an invoice "
        "raised afterwards is blocked again.",
    )
    amount_over = fields.Monetary(
        string="Amount Over",
        readonly=True,
        help="How far the invoice takes the customer beyond its policy, in company currency. "
        "When the credit limit is broken: the exposure (this invoice included) above the limit "
        "plus tolerance. Otherwise (customer on hold, invoices too late): the whole invoice "
        "total, all of it granted against the policy.",
    )
    breaches = fields.Text(string="Why It Was Blocked", readonly=True)

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        """Record overrides of invoices blocked right now, by a user who may override.

        Only the invoice and the reason come from the caller; the rest is read from the
        invoice and the policy, so an override cannot be forged for another user, amount or
        company. Re-checked here whatever the access rights or ``sudo()`` of the caller.
        """
        self.check_access("create")
        return super().create(self._prepare_override_vals_list(vals_list))

    def write(self, vals):
        if vals:
            raise UserError(self.env._("A credit override is history: it cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("A credit override is history: it cannot be deleted."))

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------
    @api.model
    def _prepare_override_vals_list(self, vals_list):
        """The values of the overrides of ``vals_list`` (invoice and reason given), read from
        the blocked invoices. Extension point of the modules that override other documents
        (sales orders, deliveries): they take their own values and leave the rest here."""
        moves = self.env["account.move"].browse(
            self._get_override_move_id(vals) for vals in vals_list
        )
        # The real user must see the invoices (their company included), sudo or not.
        moves.sudo(False).check_access("read")
        blocked = moves._get_blocked_by_credit_policy()
        clean_vals_list = []
        for vals in vals_list:
            move = moves.browse(vals["move_id"])
            policy, breaches, reason = self._check_override_request(move, blocked, vals)
            clean_vals_list.append(self._prepare_override_values(move, policy, breaches, reason))
        return clean_vals_list

    @api.model
    def _check_override_request(self, document, blocked, vals):
        """Return (policy, breaches, reason) of the override of ``document`` asked by
        ``vals``: the document is blocked now (``blocked``: {document: (policy, breaches)}),
        the user may override its policy, a reason is given."""
        if document not in blocked:
            raise UserError(
                self.env._(
                    "%s is not blocked by a credit policy: there is nothing to override.",
                    document.display_name,
                )
            )
        policy, breaches = blocked[document]
        self._check_may_override(policy)
        reason = (vals.get("reason") or "").strip()
        if not reason:
            raise ValidationError(
                self.env._(
                    "Give the reason for overriding the credit hold of %s.", document.display_name
                )
            )
        return policy, breaches, reason

    @api.model
    def _action_view_of_document(self, document, field_name):
        """The overrides of ``document`` (its ``field_name``), for a user who may read both."""
        document.ensure_one()
        document.check_access("read")
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Hold Overrides"),
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": [(field_name, "=", document.id)],
        }

    @api.model
    def _post_override_trace(self, document, partner, title, breaches):
        """Trace a document let through by an override on the document and on the customer:
        ``title`` (who, what, why) and the broken rules."""
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            title,
            Markup().join(Markup("<li>%s</li>") % message for _code, message in breaches),
        )
        document.message_post(body=body, subtype_xmlid="mail.mt_note")
        # sudo: the trace on the customer is written whoever goes on under the override.
        partner.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    @api.model
    def _get_override_move_id(self, vals):
        if not vals.get("move_id"):
            raise ValidationError(self.env._("Choose the invoice whose credit hold to override."))
        return vals["move_id"]

    @api.model
    def _check_may_override(self, policy):
        if not policy._may_override(self.env.user):
            raise AccessError(
                self.env._(
                    "You may not override the credit policy “%(policy)s”: only the members of "
                    "“%(group)s” may.",
                    policy=policy.name,
                    group=policy.override_group_id.name,
                )
            )

    @api.model
    def _prepare_override_values(self, move, policy, breaches, reason):
        # A draft invoice is already in the exposure (pending): nothing to add.
        return self._override_record_values(
            "move_id",
            move,
            move.commercial_partner_id,
            move.amount_total_signed,
            0.0,
            policy,
            breaches,
            reason,
        )

    @api.model
    def _override_record_values(
        self, field_name, document, partner, amount, added_exposure, policy, breaches, reason
    ):
        """The values of the override of ``document`` (stored in ``field_name``): what it
        grants (``amount``) and by how much the exposure, with ``added_exposure`` when the
        document is not counted in it yet, passes the allowed credit."""
        if any(code == "limit" for code, _message in breaches):
            _limit, exposure, allowed = partner.with_company(
                document.company_id
            )._get_credit_limit_figures(added_exposure)
            amount_over = exposure - allowed
        else:
            amount_over = amount
        return {
            field_name: document.id,
            "company_id": document.company_id.id,
            "partner_id": partner.id,
            "user_id": self.env.uid,
            "date": fields.Datetime.now(),
            "reason": reason,
            "policy_id": policy.id,
            "amount_granted": amount,
            "amount_over": amount_over,
            "breaches": "\n".join(message for _code, message in breaches),
        }

    def _covers(self, move, policy):
        """Whether this override still lets ``move`` be posted under ``policy``."""
        self.ensure_one()
        return (
            self.move_id == move._origin
            and self.company_id == move.company_id
            and move.company_currency_id.compare_amounts(
                move.amount_total_signed, self.amount_granted
            )
            <= 0
            and policy._may_override(self.user_id)
        )

    @api.model
    def _find_covering(self, blocked):
        """Return {move: override} for the blocked invoices a valid override covers.

        :param blocked: {move: (policy, breaches)}
        """
        move_ids = [move._origin.id for move in blocked if move._origin.id]
        if not move_ids:
            return {}
        # sudo: posting must see the overrides whoever posts (a Billing user posting an invoice
        # a Credit Manager overrode); only the covered invoices are returned.
        overrides = self.sudo().search([("move_id", "in", move_ids)], order="id desc")
        by_move = defaultdict(list)
        for override in overrides:
            by_move[override.move_id.id].append(override)
        covered = {}
        for move, (policy, _breaches) in blocked.items():
            override = next((o for o in by_move[move._origin.id] if o._covers(move, policy)), None)
            if override:
                covered[move] = override
        return covered
