import json
from datetime import date

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount
from odoo.tools import format_date

from .input_checks import check_range
from .receivable_security import check_receivable_group

MANAGER_GROUP = "account_receivable_control.group_credit_manager"


class CreditBreach(tuple):
    """A broken rule of the credit policy: unpacks as ``(code, message)``, the message in the
    current language, and keeps in ``params`` the facts (JSON-safe) the message was written
    from, so that a hold can store them and say them again in each reader's language
    (``res.partner._format_credit_reason``)."""

    def __new__(cls, code, message, params=None):
        breach = super().__new__(cls, (code, message))
        breach.params = dict(params or {})
        return breach


# Company-dependent values that only a Credit Manager sets (a limit through an approved
# request); contacts receive them from their commercial partner.
PROTECTED_CREDIT_FIELDS = (
    "credit_limit",
    "use_partner_credit_limit",
    "receivable_policy_id",
    "credit_on_hold",
    "credit_hold_origin",
    "credit_hold_reason",
    "credit_hold_reason_data",
    "credit_insurer_id",
    "credit_insured_amount",
    "credit_insurance_start",
    "credit_insurance_expiry",
)
# Changes logged in the partner's chatter, with the company they apply to.
LOGGED_CREDIT_FIELDS = (
    "credit_limit",
    "receivable_policy_id",
    "credit_insurer_id",
    "credit_insured_amount",
    "credit_insurance_expiry",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    receivable_policy_id = fields.Many2one(
        "receivable.policy",
        # Not "Credit Policy": OCA account_financial_risk's res.partner.credit_policy has it.
        string="Customer Credit Policy",
        company_dependent=True,
        domain="[('company_id', 'in', allowed_company_ids)]",
        help="Credit policy of this client in the current company. Without one, the company's "
        "default policy applies (its default B2C policy to a private individual).",
    )
    receivable_effective_policy_id = fields.Many2one(
        "receivable.policy",
        string="Applied Credit Policy",
        compute="_compute_receivable_effective_policy_id",
    )
    receivable_currency_id = fields.Many2one(
        "res.currency", compute="_compute_receivable_currency_id"
    )
    receivable_can_manage_credit = fields.Boolean(compute="_compute_receivable_can_manage_credit")

    # Hold
    credit_on_hold = fields.Boolean(string="On Credit Hold", company_dependent=True, copy=False)
    credit_hold_origin = fields.Selection(
        [
            ("manual", "Set by a Credit Manager"),
            ("auto", "Set by the credit policy"),
            ("dunning", "Set by the dunning ladder"),
        ],
        string="Hold Origin",
        company_dependent=True,
        copy=False,
    )
    # The reason as typed by a Credit Manager (kept as typed), or the sentence stored by an
    # earlier version; the automatic holds store their facts in credit_hold_reason_data and
    # are said in the reader's language by credit_hold_reason_display.
    credit_hold_reason = fields.Char(
        string="Hold Reason as Typed", company_dependent=True, copy=False
    )
    credit_hold_reason_data = fields.Char(
        string="Hold Reason Facts",
        company_dependent=True,
        copy=False,
        help="Technical: the rules broken when the hold was set, as JSON [[code, params], ...].",
    )
    credit_hold_reason_display = fields.Text(
        string="Hold Reason", compute="_compute_credit_hold_reason_display"
    )
    credit_hold_date = fields.Datetime(string="On Hold Since", company_dependent=True, copy=False)
    credit_hold_user_id = fields.Many2one(
        "res.users", string="Put on Hold By", company_dependent=True, copy=False
    )
    credit_hold_state = fields.Selection(
        [("none", "No hold"), ("hold", "On hold")],
        string="Hold State",
        compute="_compute_credit_hold_state",
    )

    # Credit insurance
    credit_insurer_id = fields.Many2one(
        "res.partner", string="Credit Insurer", company_dependent=True, copy=False
    )
    credit_insured_amount = fields.Float(
        string="Covered Amount", company_dependent=True, copy=False, digits="Account"
    )
    credit_insurance_start = fields.Date(string="Cover Start", company_dependent=True, copy=False)
    credit_insurance_expiry = fields.Date(string="Cover Expiry", company_dependent=True, copy=False)

    credit_limit_request_ids = fields.One2many(
        "receivable.credit.limit.request", "partner_id", string="Credit Limit Requests"
    )

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends_context("company")
    @api.depends("receivable_policy_id", "commercial_partner_id.is_company")
    def _compute_receivable_effective_policy_id(self):
        company = self.env.company
        for partner in self:
            commercial = partner.commercial_partner_id or partner
            partner.receivable_effective_policy_id = (
                commercial.receivable_policy_id
                or company._get_receivable_default_policy(commercial)
            )

    @api.depends_context("company")
    def _compute_receivable_currency_id(self):
        self.receivable_currency_id = self.env.company.currency_id

    @api.depends_context("uid")
    def _compute_receivable_can_manage_credit(self):
        self.receivable_can_manage_credit = self.env.user.has_group(MANAGER_GROUP)

    @api.depends_context("company")
    @api.depends("credit_on_hold")
    def _compute_credit_hold_state(self):
        for partner in self:
            on_hold = (partner.commercial_partner_id or partner).credit_on_hold
            partner.credit_hold_state = "hold" if on_hold else "none"

    @api.depends_context("company", "lang")
    @api.depends("credit_hold_reason", "credit_hold_reason_data", "commercial_partner_id")
    def _compute_credit_hold_reason_display(self):
        for partner in self:
            commercial = partner.commercial_partner_id or partner
            partner.credit_hold_reason_display = commercial._get_credit_hold_reason_text()

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("credit_limit", "credit_insured_amount")
    def _check_credit_amounts(self):
        check_range(self, ["credit_limit", "credit_insured_amount"], 0)

    @api.constrains("credit_insurance_start", "credit_insurance_expiry")
    def _check_insurance_dates(self):
        for partner in self:
            start, expiry = partner.credit_insurance_start, partner.credit_insurance_expiry
            if start and expiry and expiry < start:
                raise ValidationError(
                    self.env._("The insurance cover of %s expires before it starts.", partner.name)
                )

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model
    def _commercial_fields(self):
        return [*super()._commercial_fields(), "receivable_policy_id", "credit_on_hold"]

    @api.model_create_multi
    def create(self, vals_list):
        self._check_credit_create_access(vals_list)
        partners = super().create(vals_list)
        partners._log_credit_changes(partners._snapshot_created_credit_values(vals_list))
        return partners

    def write(self, vals):
        self._check_credit_write_access(vals)
        old_values = self._snapshot_logged_credit_values(vals)
        result = super().write(vals)
        if set(PROTECTED_CREDIT_FIELDS).intersection(vals):
            self._invalidate_credit_figures()
            self.invalidate_recordset(["use_partner_credit_limit"])
        self._log_credit_changes(old_values)
        return result

    def _check_credit_write_access(self, vals):
        """Only a Credit Manager changes a client's limit, policy, hold or cover.

        Contacts only mirror their commercial partner's values (Odoo syncs them; a contact
        given values of its own would take them along when detached from its company), and the
        superuser applies the policy's automatic holds.
        """
        protected = set(PROTECTED_CREDIT_FIELDS).intersection(vals)
        if not protected or self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        for partner in self.filtered("id"):
            commercial = partner.commercial_partner_id
            changed = [
                name
                for name in protected
                if partner._credit_value_differs(name, vals[name])
                and not (
                    partner != commercial and commercial._credit_value_mirrored(name, vals[name])
                )
            ]
            if changed:
                raise ValidationError(
                    self.env._(
                        "Only a Credit Manager may change %(fields)s of %(partner)s. "
                        "Request a new credit limit instead.",
                        fields=self._credit_field_labels(changed),
                        partner=partner.display_name,
                    )
                )

    @api.model
    def _check_credit_create_access(self, vals_list):
        """Like ``write()``: only a Credit Manager gives a new partner a limit, policy, hold or
        cover. Values equal to the company's fallback (what a partner gets without a value of
        its own) are what the form sends by default and are allowed; so are a contact's
        commercial values equal to its company's (Odoo copies them from the parent).
        Defaults from the context count as given values.
        """
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        for vals in vals_list:
            given = self._credit_values_given(vals)
            parent = self.browse(vals.get("parent_id")).commercial_partner_id
            changed = [
                name
                for name, value in given.items()
                if self._credit_value_differs_from_fallback(name, value)
                and not (parent and parent._credit_value_mirrored(name, value))
            ]
            if changed:
                raise ValidationError(
                    self.env._(
                        "Only a Credit Manager may set %(fields)s of a new partner (%(partner)s). "
                        "Create it without them and request a credit limit instead.",
                        fields=self._credit_field_labels(changed),
                        partner=vals.get("name") or "—",
                    )
                )

    @api.model
    def _credit_values_given(self, vals):
        """The protected values a create gives, from ``vals`` or from ``default_*`` keys."""
        given = {}
        for name in PROTECTED_CREDIT_FIELDS:
            if name in vals:
                given[name] = vals[name]
            elif f"default_{name}" in self.env.context:
                given[name] = self.env.context[f"default_{name}"]
        return given

    @api.model
    def _credit_value_differs_from_fallback(self, name, value):
        field = self._fields[name]
        if field.company_dependent:
            fallback = field.get_company_dependent_fallback(self)
        else:
            fallback = field.convert_to_record(field.convert_to_cache(False, self), self)
        new = field.convert_to_record(field.convert_to_cache(value, self), self)
        return (fallback or False) != (new or False)

    def _snapshot_created_credit_values(self, vals_list):
        """Old values of the logged credit fields a create set: the company's fallback."""
        old_values = {}
        for partner, vals in zip(self, vals_list, strict=True):
            if partner != partner.commercial_partner_id:
                continue
            given = self._credit_values_given(vals)
            old_values[partner] = {
                name: partner._fields[name].get_company_dependent_fallback(partner)
                for name in LOGGED_CREDIT_FIELDS
                if name in given
            }
        return old_values

    def _credit_value_mirrored(self, name, value):
        """Whether ``value`` is this commercial partner's own value of a field Odoo copies to
        its contacts (policy, hold)."""
        self.ensure_one()
        return name in self._commercial_fields() and not self._credit_value_differs(name, value)

    def _credit_field_labels(self, names):
        return ", ".join(self._fields[name].get_description(self.env)["string"] for name in names)

    def _credit_value_differs(self, name, value):
        field = self._fields[name]
        new = field.convert_to_record(field.convert_to_cache(value, self), self)
        return (self[name] or False) != (new or False)

    def _snapshot_logged_credit_values(self, vals):
        logged = [name for name in LOGGED_CREDIT_FIELDS if name in vals]
        if not logged:
            return {}
        partners = self.filtered(lambda p: p.id and p == p.commercial_partner_id)
        return {partner: {name: partner[name] for name in logged} for partner in partners}

    def _log_credit_changes(self, old_values):
        """Post the changed limit, policy or cover, old and new, with its company."""
        for partner, before in old_values.items():
            lines = []
            for name, old in before.items():
                new = partner[name]
                if old == new:
                    continue
                field = partner._fields[name]
                label = field.get_description(self.env)["string"]
                lines.append(
                    (
                        label,
                        partner._format_credit_value(name, old),
                        partner._format_credit_value(name, new),
                    )
                )
            if lines:
                partner._post_credit_message(
                    self.env._("Credit settings changed for %s:", self.env.company.name), lines
                )

    def _format_credit_value(self, name, value):
        if isinstance(value, models.BaseModel):
            return value.display_name or "—"
        if name in ("credit_limit", "credit_insured_amount"):
            return format_amount(self.env, value or 0.0, self.env.company.currency_id)
        if isinstance(value, date):
            return format_date(self.env, value)
        return value or "—"

    def _post_credit_message(self, title, lines=()):
        from markupsafe import Markup

        body = Markup("<p>%s</p>") % title
        if lines:
            body += Markup("<ul>%s</ul>") % Markup().join(
                Markup("<li>%s: %s → %s</li>") % line for line in lines
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _get_credit_breaches(self, extra_amount=0.0):
        """Return the rules of its policy that the partner breaks, as readable sentences.

        :param extra_amount: exposure to add (an invoice about to be created)
        :return: list of (code, message); codes: ``hold``, ``limit``, ``overdue``
        """
        self.ensure_one()
        partner = self.commercial_partner_id
        policy = partner.receivable_effective_policy_id
        currency = partner.receivable_currency_id
        breaches = []
        if partner.credit_on_hold:
            breaches.append(
                CreditBreach(
                    "hold",
                    self.env._(
                        "%(partner)s is on credit hold: %(reason)s",
                        partner=partner.display_name,
                        reason=partner._get_credit_hold_reason_text() or "—",
                    ),
                )
            )
        if not policy:
            return breaches
        limit, exposure, allowed = partner._get_credit_limit_figures(extra_amount)
        if limit and exposure > allowed:
            breaches.append(
                self._credit_breach(
                    "limit",
                    partner=partner.display_name,
                    exposure=exposure,
                    limit=limit,
                    allowed=allowed,
                    currency_id=currency.id,
                )
            )
        days = partner.credit_oldest_overdue_days
        if policy.max_days_overdue and days > policy.max_days_overdue:
            breaches.append(
                self._credit_breach(
                    "overdue",
                    partner=partner.display_name,
                    days=days,
                    amount=partner.credit_overdue_amount,
                    max=policy.max_days_overdue,
                    currency_id=currency.id,
                )
            )
        return breaches

    @api.model
    def _credit_breach(self, code, **params):
        """A ``CreditBreach`` of ``code`` from its facts, said in the current language."""
        return CreditBreach(code, self._format_credit_reason(code, params), params)

    @api.model
    def _format_credit_reason(self, code, params):
        """The sentence of a hold reason ``code`` from its facts, in the current language
        (amounts formatted in it too). Extended by the modules that add reasons; an unknown
        code says its stored ``text``, if any."""
        if code == "limit":
            currency = self.env["res.currency"].browse(params["currency_id"])
            exposure, allowed = params["exposure"], params["allowed"]
            return self.env._(
                "Exposure of %(partner)s, %(exposure)s, exceeds the credit limit of "
                "%(limit)s plus tolerance (%(allowed)s) by %(excess)s.",
                partner=params["partner"],
                exposure=format_amount(self.env, exposure, currency),
                limit=format_amount(self.env, params["limit"], currency),
                allowed=format_amount(self.env, allowed, currency),
                excess=format_amount(self.env, exposure - allowed, currency),
            )
        if code == "overdue":
            currency = self.env["res.currency"].browse(params["currency_id"])
            return self.env._(
                "%(partner)s has an invoice %(days)s days past due (%(amount)s overdue); "
                "the policy allows %(max)s days, %(excess)s days more than allowed.",
                partner=params["partner"],
                days=params["days"],
                amount=format_amount(self.env, params["amount"], currency),
                max=params["max"],
                excess=params["days"] - params["max"],
            )
        if code == "dunning_level":
            level = self.env["receivable.dunning.level"].browse(params["level_id"]).exists()
            return self.env._("Dunning level '%s' reached.", level.name or params["level"])
        return params.get("text") or ""

    def _get_credit_hold_reason_text(self):
        """The reason of the partner's hold in the current language: the stored facts said
        again, else the reason as typed (or as stored by an earlier version)."""
        self.ensure_one()
        data = self.credit_hold_reason_data
        if not data:
            return self.credit_hold_reason or ""
        try:
            reasons = json.loads(data)
        except ValueError:
            return self.credit_hold_reason or data
        return self._format_credit_reasons(reasons)

    @api.model
    def _format_credit_reasons(self, reasons):
        """The sentences of ``reasons`` ([(code, params)]), one a line."""
        return "\n".join(self._format_credit_reason(code, params) for code, params in reasons)

    def _get_credit_limit_figures(self, extra_amount=0.0):
        """Return (limit, exposure, allowed exposure) of the commercial partner under its
        policy, ``extra_amount`` added to the exposure; allowed = limit + tolerance."""
        self.ensure_one()
        partner = self.commercial_partner_id
        policy = partner.receivable_effective_policy_id
        limit = partner.credit_limit_effective
        allowed = policy._get_tolerated_limit(limit) if policy else limit
        return limit, partner.credit_exposure + extra_amount, allowed

    def _refresh_credit_hold(self):
        """Apply the policies' automatic holds: hold on a breach, release when it is gone.

        Manual holds are left alone: only a Credit Manager releases them.
        """
        if not self.env.company.receivable_hold_enforcement:
            return
        partners = self.commercial_partner_id.filtered(
            lambda partner: partner.receivable_effective_policy_id.auto_hold
        )
        # Every partner's breaches before any hold: a hold clears the credit figures of all
        # partners (_invalidate_credit_figures), which the next partner would compute again
        # for the whole batch (a batch of 500 took minutes instead of seconds).
        decisions = [(partner, partner._get_auto_hold_breaches()) for partner in partners]
        for partner, breaches in decisions:
            if breaches and not partner.credit_on_hold:
                partner._put_on_credit_hold(breaches, origin="auto")
            elif not breaches and partner.credit_on_hold and partner.credit_hold_origin == "auto":
                partner._release_credit_hold(self.env._("The cause of the hold is gone."))

    def _get_auto_hold_breaches(self):
        """The rules of its policy the commercial partner breaks, as a policy holding
        automatically (``auto_hold``) applies them: being on hold is not one of them."""
        self.ensure_one()
        return [breach for breach in self._get_credit_breaches() if breach[0] != "hold"]

    def _put_on_credit_hold(self, reason, origin="manual"):
        """Put the partner on hold in the current company.

        :param reason: the text a Credit Manager typed (kept as typed), or the broken rules,
            a list of ``CreditBreach`` (or ``(code, params)``): their facts are stored, and
            said in each reader's language (``credit_hold_reason_display``).
        """
        self.ensure_one()
        if isinstance(reason, str):
            text, data = reason, False
        else:
            facts = [
                (item[0], item.params) if isinstance(item, CreditBreach) else tuple(item)
                for item in reason
            ]
            text, data = False, json.dumps(facts)
            reason = self._format_credit_reasons(facts)
        # sudo: the automatic hold is the policy's decision, applied whoever posted or paid;
        # manual holds reach here only through the Credit Manager's wizard.
        self.sudo().write(
            {
                "credit_on_hold": True,
                "credit_hold_origin": origin,
                "credit_hold_reason": text,
                "credit_hold_reason_data": data,
                "credit_hold_date": fields.Datetime.now(),
                "credit_hold_user_id": self.env.user.id,
            }
        )
        if origin == "dunning":
            title = self.env._(
                "Put on credit hold by the dunning ladder in %s.", self.env.company.name
            )
        elif origin == "auto":
            title = self.env._(
                "Put on credit hold by the credit policy in %s.", self.env.company.name
            )
        else:
            title = self.env._(
                "Put on credit hold by %(user)s in %(company)s.",
                user=self.env.user.name,
                company=self.env.company.name,
            )
        self._post_credit_message(title + " " + reason)

    def _release_credit_hold(self, reason):
        self.ensure_one()
        # sudo: see _put_on_credit_hold
        self.sudo().write(
            {
                "credit_on_hold": False,
                "credit_hold_origin": False,
                "credit_hold_reason": False,
                "credit_hold_reason_data": False,
                "credit_hold_date": False,
                "credit_hold_user_id": False,
            }
        )
        self._post_credit_message(
            self.env._(
                "Credit hold released by %(user)s in %(company)s: %(reason)s",
                user=self.env.user.name,
                company=self.env.company.name,
                reason=reason,
            )
        )

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_open_credit_hold_wizard(self):
        check_receivable_group(self.env)
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Hold"),
            "res_model": "receivable.credit.hold.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": self.commercial_partner_id.id,
                "default_action": "release" if self.credit_on_hold else "hold",
            },
        }

    def action_request_credit_limit(self):
        check_receivable_group(self.env)
        self.ensure_one()
        partner = self.commercial_partner_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request a Credit Limit"),
            "res_model": "receivable.credit.limit.request",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": partner.id},
        }

    def action_view_credit_limit_requests(self):
        check_receivable_group(self.env)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_control.action_receivable_credit_limit_request"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------------------------------
    @api.model
    def _cron_refresh_credit_holds(self, batch_size=500):
        """Daily: hold partners whose invoices went past the allowed days, release the others.

        Works company by company and in committed batches, so a crash resumes where it
        stopped: a batch is idempotent (holding a held partner or releasing a free one does
        nothing).
        """
        companies = self.env["res.company"].search([("receivable_hold_enforcement", "=", True)])
        for index, company in enumerate(companies):
            partners = self.with_company(company)._select_partners_to_refresh()
            for start in range(0, len(partners), batch_size):
                batch = partners[start : start + batch_size]
                batch._refresh_credit_hold()
                # The companies after this one count as remaining work: when the cron's time
                # is up, the whole run stops and the scheduler runs it again.
                remaining = len(partners) - start - len(batch) + len(companies) - index - 1
                if not self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining):
                    return
        self.env["ir.cron"]._commit_progress(remaining=0)

    def _select_partners_to_refresh(self):
        """Commercial partners with open items or pending invoices, or an automatic hold, in
        the company."""
        ids = [row["partner_id"] for row in self._receivable_position_rows()]
        held = self.search([("credit_on_hold", "=", True), ("credit_hold_origin", "=", "auto")])
        return (self.browse(ids) | held).sorted("id")
