from markupsafe import Markup

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from ..wizards.receivable_hold_override_wizard import override_wizard_action
from .engine_mark import has_engine_mark
from .engine_mark import with_engine_mark
from .receivable_security import check_receivable_group

CONTROLLER_GROUP = "account_receivable_control.group_credit_controller"
# The invoice's dunning record: changed only by the module's actions (dispute, agency) and the
# dunning engine, never written directly by a user.
DUNNING_ENGINE_FIELDS = frozenset(
    {
        "receivable_dunning_level_id",
        "receivable_dunning_date",
        "receivable_dispute",
        "receivable_dispute_user_id",
        "receivable_dispute_date",
        "receivable_dispute_no_followup",
        "receivable_agency_id",
        "receivable_agency_state",
        "receivable_agency_date",
        "receivable_is_legal_charge",
    }
)
# Dunning fields a credit controller edits on the invoice form.
DUNNING_CONTROLLER_FIELDS = frozenset({"receivable_factor_id", "receivable_dispute_reason"})


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------------------------------------
    # Fields: dunning
    # ------------------------------------------------------------------------------------------
    receivable_dunning_level_id = fields.Many2one(
        "receivable.dunning.level",
        string="Dunning Level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Highest dunning level sent for this invoice.",
        check_company=True,
    )
    receivable_dunning_date = fields.Date(string="Last Reminder", copy=False, readonly=True)
    receivable_reminder_line_ids = fields.One2many(
        "receivable.reminder.line", "move_id", string="Reminders", readonly=True
    )
    receivable_dispute = fields.Boolean(
        string="In Dispute", copy=False, tracking=True, help="Disputed invoices get no reminder."
    )
    receivable_dispute_reason = fields.Char(string="Dispute Reason", copy=False, tracking=True)
    receivable_dispute_user_id = fields.Many2one(
        "res.users", string="Dispute Opened By", copy=False, readonly=True
    )
    receivable_dispute_date = fields.Date(string="Dispute Opened On", copy=False, readonly=True)
    # Whether the dispute set Odoo's "No Follow-Up": resolving it clears only that one, not a
    # flag an accountant had set before.
    receivable_dispute_no_followup = fields.Boolean(copy=False, readonly=True)
    receivable_factor_id = fields.Many2one(
        "res.partner",
        string="Assigned to Factor",
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="The factoring company this invoice was assigned to: the factor collects it, so "
        "it gets no reminder from us. It stays in the aging.",
        check_company=True,
    )

    receivable_agency_id = fields.Many2one(
        "res.partner", string="Collection Agency", copy=False, readonly=True, check_company=True
    )
    receivable_agency_state = fields.Selection(
        [
            ("with_agency", "With the agency"),
            ("recovered", "Recovered"),
            ("written_off", "Written off"),
        ],
        string="Agency Status",
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="Claims handed to a collection agency get no more reminders from us.",
    )
    receivable_agency_date = fields.Date(string="Handed Over On", copy=False, readonly=True)
    receivable_is_legal_charge = fields.Boolean(
        string="Late-Payment Charges",
        copy=False,
        readonly=True,
        help="This invoice claims late-payment interest and fees: it is not reminded itself.",
    )
    receivable_legal_charge_ids = fields.One2many(
        "receivable.legal.charge", "origin_move_id", string="Charges Invoiced", readonly=True
    )
    receivable_credit_override_count = fields.Integer(
        string="Credit Overrides",
        compute="_compute_receivable_credit_override_count",
        groups="account.group_account_invoice",
    )

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    def _compute_receivable_credit_override_count(self):
        counts = dict(
            self.env["receivable.credit.override"]._read_group(
                [("move_id", "in", self.ids)], ["move_id"], ["__count"]
            )
        )
        for move in self:
            move.receivable_credit_override_count = counts.get(move._origin, 0)

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("receivable_dispute", "receivable_dispute_reason")
    def _check_dispute_reason(self):
        for move in self:
            if move.receivable_dispute and not (move.receivable_dispute_reason or "").strip():
                raise ValidationError(
                    self.env._("Give the reason of the dispute on %s.", move.display_name)
                )

    def _check_commercial_partner(self, partner):
        """Refuse the invoices that are not ``partner``'s (promises, payment plans)."""
        strangers = self.filtered(
            lambda m: m.commercial_partner_id != partner.commercial_partner_id
        )
        if strangers:
            raise ValidationError(
                self.env._(
                    "%(invoices)s do not belong to %(partner)s.",
                    invoices=", ".join(strangers.mapped("name")),
                    partner=partner.commercial_partner_id.display_name,
                )
            )

    # ------------------------------------------------------------------------------------------
    # Dunning fields: written by the module's actions only
    # ------------------------------------------------------------------------------------------
    def _as_dunning_action(self):
        """The invoices in the environment of the module's dunning actions (dispute, agency):
        their dunning fields may change. Reserved to credit controllers; the engine, already
        marked, and superuser code (the nightly run) pass (see ``engine_mark``)."""
        if not self._is_dunning_controller():
            raise AccessError(
                self.env._("Only a Credit Controller may open or close disputes and agency claims.")
            )
        return with_engine_mark(self)

    def _is_dunning_controller(self):
        return has_engine_mark(self.env) or self.env.su or self.env.user.has_group(CONTROLLER_GROUP)

    def _check_dunning_fields_create(self, vals_list):
        """A new invoice carries no dunning record; only a controller assigns a factor."""
        if has_engine_mark(self.env):
            return
        given = {name for vals in vals_list for name, value in vals.items() if value}
        self._refuse_dunning_fields(given)

    def _check_dunning_fields_write(self, vals):
        """Refuse a direct change of the dunning fields (the same value written back, as a
        form saving all its fields does, changes nothing and passes)."""
        if has_engine_mark(self.env):
            return
        changed = set()
        for name in (DUNNING_ENGINE_FIELDS | DUNNING_CONTROLLER_FIELDS) & vals.keys():
            field = self._fields[name]
            for move in self:
                value = field.convert_to_record(field.convert_to_cache(vals[name], move), move)
                if move[name] != value:
                    changed.add(name)
                    break
        self._refuse_dunning_fields(changed)

    def _refuse_dunning_fields(self, names):
        engine_names = DUNNING_ENGINE_FIELDS & names
        if engine_names:
            raise UserError(
                self.env._(
                    "%(fields)s of an invoice change only through the dunning actions (Open "
                    "Dispute, Resolve Dispute, the collection agency's buttons) and the dunning "
                    "run.",
                    fields=", ".join(self._dunning_field_labels(engine_names)),
                )
            )
        if DUNNING_CONTROLLER_FIELDS & names and not self._is_dunning_controller():
            raise AccessError(
                self.env._(
                    "Only a Credit Controller may change %(fields)s of an invoice.",
                    fields=", ".join(self._dunning_field_labels(DUNNING_CONTROLLER_FIELDS & names)),
                )
            )

    def _dunning_field_labels(self, names):
        return sorted(self._fields[name]._description_string(self.env) for name in names)

    # ------------------------------------------------------------------------------------------
    # Business methods: dunning exclusions
    # ------------------------------------------------------------------------------------------
    def _open_dispute(self, reason, attachments=None):
        """Put the invoices in dispute: no reminder until the dispute is resolved.

        Odoo's own "No Follow-Up" flag on the receivable lines is set too, so other follow-up
        tools (Enterprise follow-ups) respect the dispute. ``attachments`` (the customer's
        proof) are shown with the notes of the invoice and of the customer.
        """

        if not (reason or "").strip():
            raise ValidationError(self.env._("A dispute needs a reason."))
        moves = self._as_dunning_action()
        followed = moves.filtered(lambda move: not move.no_followup)
        moves.write(
            {
                "receivable_dispute": True,
                "receivable_dispute_reason": reason.strip(),
                "receivable_dispute_user_id": self.env.user.id,
                "receivable_dispute_date": fields.Date.context_today(self),
            }
        )
        followed.write({"no_followup": True, "receivable_dispute_no_followup": True})
        notes = self.env["mail.message"]
        for move in self:
            notes |= move.message_post(
                body=self.env._("Dispute opened: %s", reason.strip()),
                subtype_xmlid="mail.mt_note",
            )
            notes |= move.commercial_partner_id.message_post(
                body=Markup("%s %s")
                % (
                    move._get_html_link(),
                    self.env._("is in dispute: %s", reason.strip()),
                ),
                subtype_xmlid="mail.mt_note",
            )
        if attachments:
            # sudo: message_post keeps, for a portal user, only the files uploaded through
            # the composer; the file given here (checked by the caller) is linked to the notes.
            notes.sudo().write({"attachment_ids": [Command.link(a.id) for a in attachments]})

    def action_resolve_dispute(self):
        """Close the dispute: the invoices are reminded again from their current level."""
        check_receivable_group(self.env)
        disputed = self.filtered("receivable_dispute")._as_dunning_action()
        disputed.write({"receivable_dispute": False})
        disputed.filtered("receivable_dispute_no_followup").write(
            {"no_followup": False, "receivable_dispute_no_followup": False}
        )
        for move in disputed:
            move.message_post(
                body=self.env._("Dispute resolved: reminders resume."),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_open_dispute_wizard(self):
        check_receivable_group(self.env)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open a Dispute"),
            "res_model": "receivable.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    def action_agency_recovered(self):
        check_receivable_group(self.env)
        self._set_agency_outcome("recovered", self.env._("Recovered by the collection agency."))

    def action_agency_written_off(self):
        check_receivable_group(self.env)
        self._set_agency_outcome("written_off", self.env._("Written off after the agency."))

    def _set_agency_outcome(self, state, message):
        moves = self.filtered(lambda m: m.receivable_agency_state == "with_agency")
        if moves != self:
            raise UserError(self.env._("Only invoices with a collection agency can be closed."))
        moves._as_dunning_action().write({"receivable_agency_state": state})
        for move in moves:
            move.message_post(body=message, subtype_xmlid="mail.mt_note")
        return True

    def action_view_credit_overrides(self):
        """The credit hold overrides of the invoice (smart button)."""
        return self.env["receivable.credit.override"]._action_view_of_document(self, "move_id")

    def action_promise_to_pay(self):
        check_receivable_group(self.env)
        self.ensure_one()
        return self.commercial_partner_id.with_context(
            default_move_ids=self.ids, default_amount=self.amount_residual
        ).action_promise_to_pay()

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _get_credit_policy_breaches(self):
        """Return {move: (policy, breaches)} for the customer invoices that break a policy.

        The figures are the customer's position (``receivable.facts._positions``): draft
        invoices already count in its exposure (pending), so a saved draft adds nothing; an
        invoice being edited adds the difference with its saved amount.
        """
        # The figures are fresh: every change of entries or reconciliations clears them, so
        # action_post's check and _post's check share one computation.
        result = {}
        invoices = self.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "draft"
                and m.partner_id
                and m.company_id.receivable_hold_enforcement
                # The late-payment charges of a formal notice claim what the law allows on a
                # debt already granted: no new credit, and a hold must not stop the claim.
                and not m.receivable_is_legal_charge
            )
        )
        for company in invoices.company_id:
            company_invoices = invoices.filtered(lambda m, c=company: m.company_id == c)
            partners = company_invoices.commercial_partner_id.with_company(company)
            for move in company_invoices:
                partner = partners.browse(move.commercial_partner_id.id)
                policy = partner.receivable_effective_policy_id
                if not policy and not partner.credit_on_hold:
                    continue
                saved = move._origin.amount_total_signed if move._origin else 0.0
                breaches = partner._get_credit_breaches(move.amount_total_signed - saved)
                if breaches:
                    result[move] = (policy, breaches)
        return result

    @api.model
    def _select_credit_blocks(self, breaches):
        """The part of {move: (policy, breaches)} whose policy blocks posting."""
        return {
            move: (policy, move_breaches)
            for move, (policy, move_breaches) in breaches.items()
            if policy and policy.hold_rule == "block"
        }

    def _get_blocked_by_credit_policy(self):
        """{move: (policy, breaches)} of the invoices whose policy blocks posting and that no
        valid override (``receivable.credit.override``) covers."""
        blocks = self._select_credit_blocks(self._get_credit_policy_breaches())
        covered = self.env["receivable.credit.override"]._find_covering(blocks)
        return {move: value for move, value in blocks.items() if move not in covered}

    def _raise_credit_block(self, blocked):
        lines = []
        for move, (policy, breaches) in blocked.items():
            lines.append(
                self.env._(
                    "%(invoice)s (%(amount)s) is blocked by the credit policy “%(policy)s”:",
                    invoice=move.display_name,
                    amount=format_amount(self.env, move.amount_total, move.currency_id),
                    policy=policy.name,
                )
            )
            lines.extend(f"- {message}" for _code, message in breaches)
        lines.append(self.env._("Ask a Credit Manager to override the hold."))
        raise UserError("\n".join(lines))

    def _apply_credit_holds_after_posting(self, breaches):
        """Put on hold the partners whose newly posted invoice broke an auto-hold policy."""
        for move, (policy, move_breaches) in breaches.items():
            partner = move.commercial_partner_id.with_company(move.company_id)
            if policy and policy.auto_hold and not partner.credit_on_hold:
                reasons = [breach for breach in move_breaches if breach[0] != "hold"]
                if reasons:
                    partner._put_on_credit_hold(reasons, origin="auto")

    def _log_credit_override(self, override, breaches):
        """Trace the posting under an override on the invoice and on the partner: who, how
        much, why."""
        self.ensure_one()
        title = self.env._(
            "Credit hold overridden by %(user)s to post %(invoice)s (%(amount)s): %(reason)s",
            user=override.user_id.name,
            invoice=self.display_name,
            amount=format_amount(self.env, self.amount_total, self.currency_id),
            reason=override.reason,
        )
        override._post_override_trace(self, self.commercial_partner_id, title, breaches)

    # ------------------------------------------------------------------------------------------
    # Overrides
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._check_dunning_fields_create(vals_list)
        moves = super().create(vals_list)
        self.env["res.partner"]._invalidate_credit_figures()
        return moves

    def write(self, vals):
        if not DUNNING_ENGINE_FIELDS.isdisjoint(vals) or not DUNNING_CONTROLLER_FIELDS.isdisjoint(
            vals
        ):
            self._check_dunning_fields_write(vals)
        result = super().write(vals)
        self.env["res.partner"]._invalidate_credit_figures()
        return result

    def unlink(self):
        result = super().unlink()
        self.env["res.partner"]._invalidate_credit_figures()
        return result

    def _post(self, soft=True):
        # Every path that posts comes here: a blocked invoice goes through only with a valid
        # override record, whatever the context or the caller.
        breaches = self._get_credit_policy_breaches()
        blocks = self._select_credit_blocks(breaches)
        covered = self.env["receivable.credit.override"]._find_covering(blocks)
        blocked = {move: value for move, value in blocks.items() if move not in covered}
        if blocked:
            self._raise_credit_block(blocked)
        posted = super()._post(soft=soft)
        posted._apply_credit_holds_after_posting(
            {move: value for move, value in breaches.items() if move in posted}
        )
        posted._refresh_credit_holds_of_payments()
        for move, override in covered.items():
            if move in posted:
                move._log_credit_override(override, blocks[move][1])
        return posted

    def _refresh_credit_holds_of_payments(self):
        """Money received may lift an automatic hold: re-evaluate the partners it concerns."""
        entries = self.filtered(lambda m: m.move_type == "entry" or m.move_type == "out_refund")
        receivable_lines = entries.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and line.partner_id
        )
        for company in receivable_lines.company_id:
            lines = receivable_lines.filtered(lambda line, c=company: line.company_id == c)
            lines.partner_id.with_company(company)._refresh_credit_hold()

    def action_post(self):
        blocked = self._get_blocked_by_credit_policy()
        if blocked:
            policies = self.env["receivable.policy"].union(*(p for p, _b in blocked.values()))
            if all(policy._may_override(self.env.user) for policy in policies):
                return self._action_open_credit_override()
            self._raise_credit_block(blocked)
        return super().action_post()

    def _action_open_credit_override(self):
        wizard = self.env["receivable.hold.override.wizard"].create(
            {"post_move_ids": [Command.set(self.ids)]}
        )
        return override_wizard_action(wizard)

    def _get_alerts(self):
        alerts = super()._get_alerts()
        if self.state == "draft" and self.move_type == "out_invoice":
            breaches = self._get_credit_policy_breaches().get(self)
            if breaches:
                policy, messages = breaches
                blocking = policy and policy.hold_rule == "block"
                lines = [message for _code, message in messages]
                override = blocking and self.env["receivable.credit.override"]._find_covering(
                    {self: breaches}
                ).get(self)
                if override:
                    blocking = False
                    lines.append(
                        self.env._(
                            "Posting allowed by the override of %(user)s: %(reason)s",
                            user=override.user_id.name,
                            reason=override.reason,
                        )
                    )
                alerts["receivable_credit_policy"] = {
                    "level": "danger" if blocking else "warning",
                    "message": "\n".join(lines),
                }
        return alerts
