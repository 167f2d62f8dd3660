import functools
from collections import defaultdict
from datetime import timedelta

import holidays

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from . import legal_formulas as lf
from .input_checks import check_range
from .input_checks import field_label


@functools.cache
def _country_holidays(country):
    # One object per country and process: it adds the years it is asked about (expand=True).
    return holidays.country_holidays(country)


class ReceivableLegalProfile(models.Model):
    """What the law lets a creditor claim on a late invoice: interest and fixed fees.

    Shipped as data (FR-B2B, FR-B2C, BE-B2B, BE-B2C, none) and editable. A credit policy names
    its profile; a private individual of a B2B policy gets the profile's B2C counterpart.
    """

    _name = "receivable.legal.profile"
    _description = "Legal Profile for Late Payments"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    country_id = fields.Many2one("res.country")
    customer_kind = fields.Selection([("b2b", "Businesses"), ("b2c", "Consumers")], default="b2b")
    interest_rule = fields.Selection(
        [
            ("none", "No interest"),
            ("fr_b2b", "ECB rate + 10 points (France, B2B)"),
            ("be_b2b", "ECB rate + 8 points rounded up to the half point (Belgium, B2B)"),
            ("fr_legal_individual", "Legal rate for private individuals (France)"),
        ],
        required=True,
        default="none",
    )
    interest_start = fields.Selection(
        [
            ("due_date", "Day after the due date"),
            ("formal_notice", "Formal notice"),
            ("free_window", "End of the free payment window (Belgium, B2C)"),
        ],
        required=True,
        default="due_date",
    )
    fee_rule = fields.Selection(
        [
            ("none", "No fee"),
            ("fixed", "Fixed compensation per late invoice"),
            ("be_b2c_scale", "Belgian B2C lump sum (capped scale)"),
        ],
        required=True,
        default="none",
    )
    fixed_fee = fields.Float(string="Fixed Compensation", default=lf.RECOVERY_COMPENSATION)
    b2c_profile_id = fields.Many2one(
        "receivable.legal.profile",
        string="Profile for Private Individuals",
        help="Applies instead of this one to customers that are not companies.",
    )
    legal_mention = fields.Html(
        string="Legal Mention",
        translate=True,
        help="Printed on the formal notice: the legal basis of the interest and fees claimed.",
    )

    _code_uniq = models.Constraint("UNIQUE(code)", "The code of a legal profile must be unique.")

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("fixed_fee")
    def _check_fixed_fee(self):
        check_range(self, ["fixed_fee"], minimum=0.0)

    def _check_code_free(self, codes):
        """ValidationError naming the code when another profile has one of ``codes``, before
        the rows are written (the unique index would answer with a raw UniqueViolation)."""
        if not codes:
            return
        if len(codes) != len(set(codes)):
            self._raise_code_taken(next(code for code in codes if codes.count(code) > 1))
        # active_test off: an archived profile keeps its code
        taken = self.with_context(active_test=False).search(
            [("code", "in", codes), ("id", "not in", self.ids)], limit=1
        )
        if taken:
            self._raise_code_taken(taken.code)

    def _raise_code_taken(self, code):
        raise ValidationError(
            self.env._(
                'The "%(field)s" %(code)s is already used by another legal profile: each profile '
                "needs its own.",
                field=field_label(self, "code"),
                code=code,
            )
        )

    # ------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._check_code_free([vals["code"] for vals in vals_list if vals.get("code")])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("code"):
            self._check_code_free([vals["code"]] * len(self))
        return super().write(vals)

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _for_partner(self, partner):
        """The profile that applies to ``partner``: private individuals get the B2C one."""
        self.ensure_one()
        if not partner.commercial_partner_id.is_company and self.b2c_profile_id:
            return self.b2c_profile_id
        return self

    def _rate_functions(self, policy, missing=None):
        """Function half-year start → late-payment rate of this profile (None: unknown)."""
        self.ensure_one()
        rates = self.env["receivable.reference.rate"]
        if self.interest_rule == "none":
            return None
        if self.interest_rule == "fr_legal_individual":
            return rates._rate_lookup("fr_legal_individual", missing)
        ecb = rates._rate_lookup("ecb_mro", missing)
        if self.interest_rule == "fr_b2b":
            contract = policy.contract_interest_rate if policy else 0.0
            if contract:
                return lambda half: contract
            return lambda half: None if (rate := ecb(half)) is None else lf.fr_b2b_rate(rate)
        return lambda half: None if (rate := ecb(half)) is None else lf.be_b2b_rate(rate)

    def _compute_charges(self, lines_data, until, policy, missing=None):
        """Interest and fees claimed per invoice at ``until``.

        ``lines_data``: dicts with ``key``, ``move_id``, ``amount`` (due at ``until``),
        ``due_date``, optionally ``payments`` (``(date, amount)`` of the parts paid after the
        due date: see ``receivable.facts._get_late_payments``) and the invoice's history:
        ``notice_date`` (first formal notice sent), ``first_reminder`` (date, by letter) of its
        first reminder after the due date. Return {key: (interest, fee, rate)} where rate is
        the rate of ``until``'s half-year (for display). Missing reference rates are collected
        in ``missing`` (see ``_rate_lookup``).

        Interest runs per line (an invoice paid in instalments has one per due date), on the
        amount still due and on every part paid late, each until its payment. The fee is due
        once per invoice, on all it still owes (on what was paid late when nothing is owed any
        more), and goes on its first line.
        """
        self.ensure_one()
        rate_for = self._rate_functions(policy, missing)
        holidays = self._public_holidays() if self.interest_start == "free_window" else set()
        result = {}
        charged = defaultdict(list)  # invoice: its lines that bear charges
        for data in lines_data:
            start = self._interest_start_date(data, holidays)
            late_paid = [
                (day, amount) for day, amount in data.get("payments", ()) if start and day >= start
            ]
            if start is None or until < start or (data["amount"] <= 0 and not late_paid):
                result[data["key"]] = (0.0, 0.0, 0.0)
                continue
            interest = 0.0
            rate = 0.0
            if rate_for:
                interest, _spans = lf.late_interest_on_parts(
                    max(data["amount"], 0.0), late_paid, data["due_date"], until, rate_for, start
                )
                rate = rate_for(lf.half_year_start(until)) or 0.0
            result[data["key"]] = (interest, 0.0, rate)
            charged[data["move_id"]].append((data, late_paid))
        for invoice_lines in charged.values():
            first = invoice_lines[0][0]["key"]
            owed = sum(max(data["amount"], 0.0) for data, __ in invoice_lines)
            if not owed:
                owed = sum(amount for __, paid in invoice_lines for __, amount in paid)
            interest, __, rate = result[first]
            result[first] = (interest, self._fee_for(owed), rate)
        return result

    def _interest_start_date(self, data, holidays):
        """First day of interest and fees for an invoice, or None when none is due yet."""
        if self.interest_start == "due_date":
            return data["due_date"] + timedelta(days=1)
        if self.interest_start == "formal_notice":
            notice = data.get("notice_date")
            return notice + timedelta(days=1) if notice else None
        first = data.get("first_reminder")
        if not first:
            return None
        _start, last_free_day = lf.be_b2c_window(first[0], first[1], holidays)
        return last_free_day + timedelta(days=1)

    def _fee_for(self, amount):
        if self.fee_rule == "fixed":
            return self.fixed_fee
        if self.fee_rule == "be_b2c_scale":
            return lf.be_b2c_lump_sum(amount)
        return 0.0

    def _public_holidays(self):
        """The profile country's public holidays (the `holidays` package): every year a date
        is looked up in is added, whatever the year of the first reminder."""
        return _country_holidays((self.country_id.code or "BE").upper())

    # ------------------------------------------------------------------------------------------
    # Invoice history
    # ------------------------------------------------------------------------------------------
    @api.model
    def _get_invoice_history(self, move_ids):
        """{move id: {'notice_date': date, 'first_reminder': (date, by_letter)}} in one query."""
        if not move_ids:
            return {}
        self.env["receivable.reminder.line"].flush_model(["move_id", "days_late", "reminder_id"])
        self.env["receivable.reminder"].flush_model(
            ["date", "state", "level_id", "channel_letter", "channel_email"]
        )
        self.env["receivable.dunning.level"].flush_model(["formal_notice"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT line.move_id,
                       MIN(reminder.date) FILTER (WHERE level.formal_notice),
                       (ARRAY_AGG(reminder.date ORDER BY reminder.date, reminder.id)
                            FILTER (WHERE line.days_late > 0))[1],
                       (ARRAY_AGG(reminder.channel_letter AND NOT reminder.channel_email
                                  ORDER BY reminder.date, reminder.id)
                            FILTER (WHERE line.days_late > 0))[1]
                  FROM receivable_reminder_line line
                  JOIN receivable_reminder reminder ON reminder.id = line.reminder_id
                  JOIN receivable_dunning_level level ON level.id = reminder.level_id
                 WHERE reminder.state = 'sent' AND line.move_id = ANY(%s)
              GROUP BY line.move_id
                """,
                list(move_ids),
            )
        )
        history = defaultdict(dict)
        for move_id, notice, first_date, by_letter in rows:
            history[move_id]["notice_date"] = notice
            if first_date:
                history[move_id]["first_reminder"] = (first_date, bool(by_letter))
        return history
