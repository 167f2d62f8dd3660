from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from .input_checks import check_range

# A friendly reminder goes at most a year before the due date; a claim older than ten years is
# time-barred in France and Belgium: offsets outside these bounds are typing mistakes.
MIN_OFFSET_DAYS = -365
MAX_OFFSET_DAYS = 3650
# Delays counted in days from a reminder: more than a year means nothing for a reminder.
MAX_REMINDER_DAYS = 365


class ReceivableDunningLevel(models.Model):
    """One rung of a policy's dunning ladder.

    An open invoice reaches a level once it is ``offset_days`` past its due date (a negative
    offset is a friendly reminder before the due date), and only after the level under it
    on the ladder, unless the level ``may_be_first_contact``. Levels of one ladder are
    ordered by sequence and their offsets must grow with it, so "the next level" is never
    ambiguous.
    """

    _name = "receivable.dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, sequence, offset_days, id"
    _check_company_auto = True
    # A branch's invoice reaches a level of its company's ladder.
    _check_company_domain = models.check_company_domain_parent_of

    # ------------------------------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------------------------------
    policy_id = fields.Many2one(
        "receivable.policy",
        string="Credit Policy",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="policy_id.currency_id")
    sequence = fields.Integer(
        help="Order in the ladder. A new level without one goes to the end of its ladder."
    )
    active = fields.Boolean(default=True)
    name = fields.Char(required=True, translate=True)
    offset_days = fields.Integer(
        string="Days from Due Date",
        required=True,
        help="The level is reached this many days after the due date. A negative number "
        "sends a friendly reminder before the due date.",
    )
    min_amount = fields.Monetary(
        string="Minimum Amount",
        help="No reminder of this level when the partner owes less than this amount.",
    )
    min_days_since_previous = fields.Integer(
        string="Minimum Days Since Previous Reminder",
        default=7,
        help="Leave the partner at least this many days after its last reminder.",
    )
    payment_delay_days = fields.Integer(
        string="Payment Deadline (days)",
        default=8,
        help="The reminder asks for payment within this many days of its date.",
    )
    channel_email = fields.Boolean(string="Email", default=True)
    channel_letter = fields.Boolean(string="Letter")
    channel_call = fields.Boolean(string="Phone Call")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "receivable.reminder")],
    )
    attach_invoices = fields.Boolean(
        string="Attach the Invoices",
        help="Attach the PDF of every listed invoice to the email.",
    )
    letter_text = fields.Html(
        string="Letter Text",
        translate=True,
        help="Opening text of the letter and of the email, above the list of invoices.",
    )
    call_script = fields.Text(
        string="Call Script",
        translate=True,
        help="What the collector says when calling: shown on the phone-call activity.",
    )
    may_be_first_contact = fields.Boolean(
        string="May Be the First Contact",
        compute="_compute_may_be_first_contact",
        store=True,
        readonly=False,
        help="An invoice may get this level as its first reminder. Otherwise an invoice gets "
        "it only after the level under it on the ladder (an inactive level is skipped), one "
        "level per run: a customer 60 days late on a new ladder gets the first reminder, not "
        "the formal notice. On by default for the levels before the due date and the "
        "ladder's first level after it.",
    )
    needs_approval = fields.Boolean(
        string="Needs Approval",
        compute="_compute_needs_approval",
        store=True,
        readonly=False,
        help="Reminders of this level wait in 'Reminders to Review' until a Credit Controller "
        "sends them. On by default for a formal notice.",
    )
    put_on_hold = fields.Boolean(
        string="Put Partner on Hold",
        help="Sending a reminder of this level puts the partner on credit hold.",
    )
    formal_notice = fields.Boolean(
        string="Formal Notice",
        help="This level is a formal notice (mise en demeure / ingebrekestelling).",
    )
    letter_registered = fields.Boolean(
        string="Letter by Registered Mail",
        compute="_compute_letter_registered",
        store=True,
        readonly=False,
        help="The letters of this level are meant to go by registered mail: Mark Posted "
        "proposes it. A letter says it is registered only once recorded as posted so.",
    )
    hand_to_agency = fields.Boolean(
        string="Hand Over to the Collection Agency",
        help="Sending a reminder of this level assigns its invoices to the policy's collection "
        "agency: no more reminders for them, and the claim file is exported for the agency.",
    )
    is_pre_due = fields.Boolean(string="Before Due Date", compute="_compute_is_pre_due")

    # ------------------------------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------------------------------
    @api.depends("offset_days")
    def _compute_is_pre_due(self):
        for level in self:
            level.is_pre_due = level.offset_days < 0

    @api.depends("offset_days", "policy_id")
    def _compute_may_be_first_contact(self):
        # The levels before the due date and the ladder's first one after it: a first contact
        # that is neither a formal notice nor a jump over the ladder's reminders.
        for level in self:
            ladder = level.policy_id.dunning_level_ids.filtered(
                lambda other, level=level: other.active and other.id != level.id
            )
            level.may_be_first_contact = level.offset_days < 0 or not any(
                0 <= other.offset_days < level.offset_days for other in ladder
            )

    @api.depends("formal_notice")
    def _compute_needs_approval(self):
        # A formal notice commits the company (it starts legal interest, usually precedes a
        # claim): a person checks it before it goes, unless the manager decides otherwise.
        for level in self:
            level.needs_approval = level.formal_notice

    @api.depends("formal_notice")
    def _compute_letter_registered(self):
        # A formal notice is usually sent by registered letter (it proves the notice's date).
        for level in self:
            level.letter_registered = level.formal_notice

    @api.depends("name", "offset_days")
    def _compute_display_name(self):
        for level in self:
            level.display_name = self.env._(
                "%(name)s (%(offset)+d days)", name=level.name or "", offset=level.offset_days
            )

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        last = {}
        for vals in vals_list:
            if not vals.get("sequence") and vals.get("policy_id"):
                policy_id = vals["policy_id"]
                if policy_id not in last:
                    levels = self.search([("policy_id", "=", policy_id)], order="sequence desc")
                    last[policy_id] = levels[:1].sequence
                last[policy_id] += 10
                vals["sequence"] = last[policy_id]
        return super().create(vals_list)

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("channel_email", "channel_letter", "channel_call", "mail_template_id")
    def _check_channels(self):
        for level in self:
            if not (level.channel_email or level.channel_letter or level.channel_call):
                raise ValidationError(
                    self.env._("The level '%s' needs at least one channel.", level.name)
                )
            if level.channel_email and not level.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "The level '%s' sends emails: choose its email template.", level.name
                    )
                )

    @api.constrains("min_amount", "min_days_since_previous", "payment_delay_days")
    def _check_figures(self):
        check_range(self, ["min_amount"], 0)
        check_range(self, ["min_days_since_previous", "payment_delay_days"], 0, MAX_REMINDER_DAYS)

    @api.constrains("offset_days", "sequence", "policy_id", "active")
    def _check_ladder_order(self):
        check_range(self, ["offset_days"], MIN_OFFSET_DAYS, MAX_OFFSET_DAYS)
        for policy in self.policy_id:
            policy._check_dunning_ladder()
