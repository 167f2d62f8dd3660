"""Charges owed on paid invoices: the interest and the recovery fee a customer owes on the
invoices it paid late, in full, and what of them is still to invoice.

Why transient rows filled by a wizard, not an SQL view (``_auto = False``): interest runs per
half-year at the reference rate of each one, on every part paid late until its payment date,
from a first day that depends on the legal profile and the invoice's reminder history (formal
notice, Belgian free window with its public holidays). That is the legal profiles' Python
(``receivable.legal.profile._compute_charges``), written once for the reminders: an SQL view
would state it a second time. The rows are computed set-based (one query for the paid
invoices, one for their late payments, one for their reminder history, one for the charges
already invoiced) and the list, its grouping per customer, its pivot and its selection are
Odoo's.
"""

from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import format_date

from . import legal_formulas as lf
from .engine_mark import with_engine_mark
from .input_checks import check_not_future
from .input_checks import field_label
from .receivable_security import check_receivable_company
from .receivable_security import check_receivable_group

# How far back the list looks by default: the invoices paid in the last twelve months.
DEFAULT_PAID_SINCE_MONTHS = 12

# The invoice history's charges already invoiced (see ``_get_invoice_history``).
INVOICED_KEYS = ("fee_invoiced", "interest_invoiced_until")


class ReceivableChargesOwedWizard(models.TransientModel):
    """The date and the period of payments of the list *Charges Owed on Paid Invoices*."""

    _name = "receivable.charges.owed.wizard"
    _description = "Charges Owed on Paid Invoices: Parameters"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
        help="The invoices of this company and of its branches.",
    )
    date = fields.Date(
        string="At",
        required=True,
        default=lambda self: fields.Date.context_today(self),
        help="The payments made up to this day, and the charges invoiced up to now.",
    )
    date_since = fields.Date(
        string="Paid Since",
        required=True,
        default=lambda self: (
            fields.Date.context_today(self) - relativedelta(months=DEFAULT_PAID_SINCE_MONTHS)
        ),
        help="The invoices paid in full after this day are listed. Twelve months back by "
        "default: the recent late payers, whom a claim still reaches while the business "
        "relationship is alive, in a list short enough to review. The law allows claims for "
        "longer (five years between businesses in France and Belgium): go further back when "
        "you start claiming these charges.",
    )

    # ------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------
    @api.constrains("date", "date_since")
    def _check_dates(self):
        check_not_future(self, "date")
        for wizard in self:
            if wizard.date_since >= wizard.date:
                raise ValidationError(
                    self.env._(
                        'The field "%(since)s" must be before the field "%(at)s".',
                        since=field_label(self, "date_since"),
                        at=field_label(self, "date"),
                    )
                )

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_compute(self):
        """Compute the charges owed and open the list."""
        self.ensure_one()
        check_receivable_group(self.env)
        check_receivable_company(self.env, self.company_id)
        rows = self.env["receivable.charges.owed"]._create_rows(
            self.company_id, self.date_since, self.date
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_receivable_control.action_receivable_charges_owed"
        )
        action["domain"] = [("id", "in", rows.ids)]
        action["name"] = self.env._(
            "Charges Owed on Paid Invoices at %(date)s", date=format_date(self.env, self.date)
        )
        return action


class ReceivableChargesOwed(models.TransientModel):
    """An invoice paid late in full: the interest and fee it earned, what was invoiced of
    them, what is still to invoice."""

    _name = "receivable.charges.owed"
    _description = "Charges Owed on a Paid Invoice"
    _order = "partner_id, date_due, id"
    _rec_name = "move_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="At", readonly=True)
    date_since = fields.Date(string="Paid Since", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    legal_profile_id = fields.Many2one(
        "receivable.legal.profile", string="Legal Profile", readonly=True
    )
    date_due = fields.Date(string="Due Date", readonly=True)
    pay_date = fields.Date(string="Paid On", readonly=True, help="The day of its last payment.")
    days_late = fields.Integer(string="Days Late", readonly=True, aggregator="max")
    amount_late = fields.Monetary(
        string="Paid Late", readonly=True, help="The parts of the invoice paid after its due date."
    )
    interest = fields.Monetary(
        string="Interest Earned",
        readonly=True,
        help="Each part paid late bears interest from the first day of interest to its payment "
        "date, at the rate of each half-year.",
    )
    fee = fields.Monetary(string="Fee Earned", readonly=True)
    amount_invoiced = fields.Monetary(
        string="Already Invoiced",
        readonly=True,
        help="Interest and fee of this invoice already invoiced (by a formal notice or here).",
    )
    interest_to_invoice = fields.Monetary(readonly=True)
    fee_to_invoice = fields.Monetary(readonly=True)
    amount_to_invoice = fields.Monetary(string="To Invoice", readonly=True)
    interest_from = fields.Date(
        string="Interest From", readonly=True, help="First day of the interest to invoice."
    )
    rates = fields.Char(string="Rates (%)", readonly=True, aggregator=None)
    warning = fields.Char(readonly=True, help="Reference rates missing for some half-years.")

    # ------------------------------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------------------------------
    def action_invoice_charges(self):
        """Invoice the charges of the selected rows: one invoice per customer."""
        # Who invoices a formal notice's charges (Credit Controller) invoices these.
        check_receivable_group(self.env)
        self.check_access("write")
        if not self:
            raise UserError(self.env._("Select the invoices whose charges to invoice."))
        check_receivable_company(self.env, self.company_id)
        moves = with_engine_mark(self.env["receivable.legal.charge"])._invoice_owed_charges(self)
        self._refresh()
        return moves._get_records_action(name=self.env._("Charges Invoices"))

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    @api.model
    def _create_rows(self, company, since, date):
        values = self._compute_owed(company, since, date)
        return self.create(
            [
                {**vals, "company_id": company.id, "date": date, "date_since": since}
                for vals in values
            ]
        )

    def _refresh(self):
        """Recompute the rows (after an invoicing: what they still have to invoice)."""
        for (company, since, date), rows in self.grouped(
            lambda row: (row.company_id, row.date_since, row.date)
        ).items():
            values = {
                vals["move_id"]: vals
                for vals in self._compute_owed(company, since, date, rows.partner_id.ids)
            }
            for row in rows:
                if row.move_id.id in values:
                    row.write(values[row.move_id.id])

    @api.model
    def _compute_owed(self, company, since, date, partner_ids=None):
        """Values of a row per invoice of ``company``'s scope paid late in full in
        (``since``, ``date``] whose customer's legal profile claims something on it."""
        items = self._paid_late_items(company, since, date, partner_ids)
        if not items:
            return []
        payments = self.env["receivable.facts"]._get_late_payments([i["id"] for i in items], date)
        invoiced = self._get_invoiced_charges({item["move_id"] for item in items})
        profiles = self._get_legal_profiles(items)
        groups = defaultdict(list)
        for item in items:
            profile = profiles[item["id"]]
            if profile:
                groups[profile, item["policy_id"]].append(item)
        values = []
        for (profile, policy_id), group_items in groups.items():
            policy = self.env["receivable.policy"].browse(policy_id)
            values += self._owed_by_profile(
                company, profile, policy, group_items, payments, invoiced, date
            )
        return values

    def _owed_by_profile(self, company, profile, policy, items, payments, invoiced, date):
        """Row values of ``items`` (paid lines) of customers of ``profile`` and ``policy``."""
        # The earned charges, gross: what was invoiced is deducted below (earned - invoiced,
        # rounded once), so the history's invoiced charges are left out of the computation.
        history = {
            move_id: {key: value for key, value in data.items() if key not in INVOICED_KEYS}
            for move_id, data in profile._get_invoice_history(
                {item["move_id"] for item in items}
            ).items()
        }
        lines_data = [
            {
                "key": item["id"],
                "move_id": item["move_id"],
                "amount": 0.0,
                "due_date": item["date_maturity"],
                "payments": payments.get(item["id"], []),
                **history.get(item["move_id"], {}),
            }
            for item in items
        ]
        # Missing reference rates: no interest for their half-years, stated per row below.
        charges = profile._compute_charges(lines_data, date, policy, set())
        holidays = profile._public_holidays() if profile.interest_start == "free_window" else set()
        currency = company.currency_id
        by_move = defaultdict(list)
        for item, data in zip(items, lines_data, strict=True):
            by_move[item["move_id"]].append((item, data))
        values = []
        for move_id, move_lines in by_move.items():
            interest = sum(currency.round(charges[data["key"]][0]) for __, data in move_lines)
            fee = sum(charges[data["key"]][1] for __, data in move_lines)
            if currency.is_zero(interest) and currency.is_zero(fee):
                continue
            first_day = min(
                profile._interest_start_date(data, holidays) or data["due_date"] + timedelta(1)
                for __, data in move_lines
            )
            values.append(
                {
                    "move_id": move_id,
                    "partner_id": move_lines[0][0]["partner_id"],
                    "legal_profile_id": profile.id,
                    "date_due": min(data["due_date"] for __, data in move_lines),
                    "days_late": max(item["days_late"] for item, __ in move_lines),
                    "amount_late": sum(
                        amount for __, data in move_lines for __, amount in data["payments"]
                    ),
                    "interest": interest,
                    "fee": fee,
                    **self._to_invoice(
                        profile,
                        policy,
                        currency,
                        interest,
                        fee,
                        first_day,
                        max(item["pay_date"] for item, __ in move_lines),
                        invoiced.get(move_id, {}),
                    ),
                }
            )
        return values

    @api.model
    def _to_invoice(self, profile, policy, currency, interest, fee, first_day, pay_date, done):
        """What is left to invoice of an invoice's ``interest`` (from ``first_day`` to
        ``pay_date``) and ``fee`` once the charges ``done`` (see ``_get_invoiced_charges``)
        are deducted: the fee once, the interest from the day after the last period invoiced.
        """
        interest_to_invoice = 0.0
        if not done.get("interest_to") or done["interest_to"] < pay_date:
            interest_to_invoice = max(currency.round(interest - done.get("interest", 0.0)), 0.0)
        fee_to_invoice = 0.0 if "fee" in done else fee
        missing = set()
        rates = self._rates_label(profile._rate_functions(policy, missing), first_day, pay_date)
        return {
            "pay_date": pay_date,
            "amount_invoiced": done.get("interest", 0.0) + done.get("fee", 0.0),
            "interest_to_invoice": interest_to_invoice,
            "fee_to_invoice": fee_to_invoice,
            "amount_to_invoice": interest_to_invoice + fee_to_invoice,
            "interest_from": done["interest_to"] + timedelta(days=1)
            if done.get("interest_to")
            else first_day,
            "rates": rates,
            "warning": self.env["receivable.reference.rate"]._missing_rates_warning(missing),
        }

    @api.model
    def _rates_label(self, rate_for, first_day, last_day):
        """The rates of the half-years from ``first_day`` to ``last_day``: "10.5, 12"."""
        if not rate_for:
            return False
        rates = []
        for __, __, __, rate in lf.interest_periods(first_day, last_day, rate_for):
            if rate is not None and rate not in rates:
                rates.append(rate)
        return ", ".join(f"{rate:g}" for rate in rates) or False

    @api.model
    def _paid_late_items(self, company, since, date, partner_ids=None):
        """The receivable debit lines paid late, in full, in (``since``, ``date``] of invoices
        with nothing left open, with their customer's policy (partner's or the company's
        default) when it names a legal profile; the charges invoices left out (no interest
        on interest)."""
        facts = self.env["receivable.facts"]
        aml = "account.move.line"
        self.env["receivable.policy"].flush_model(["active", "legal_profile_id"])
        return self.env.execute_query_dict(
            SQL(
                """
                SELECT paid.*, pol.id AS policy_id
                  FROM (%(paid)s) paid
                  JOIN account_move move ON move.id = paid.move_id
                  JOIN res_partner cp ON cp.id = paid.partner_id
                  JOIN receivable_policy pol
                    ON pol.id = %(policy)s AND pol.active
                 WHERE paid.days_late > 0
                   AND pol.legal_profile_id IS NOT NULL
                   AND NOT COALESCE(%(legal_charge)s, FALSE)
                   AND NOT EXISTS (
                       SELECT 1
                         FROM account_move_line open_line
                         JOIN account_account account ON account.id = open_line.account_id
                        WHERE open_line.move_id = paid.move_id
                          AND account.account_type = 'asset_receivable'
                          AND NOT %(open_reconciled)s
                          AND %(open_balance)s > 0
                   )
              ORDER BY paid.partner_id, paid.move_id, paid.date_maturity, paid.id
                """,
                paid=facts._paid_items_query(company, since, date, partner_ids),
                policy=facts._effective_policy_sql(company),
                legal_charge=facts._col("account.move", "move", "receivable_is_legal_charge"),
                open_reconciled=facts._col(aml, "open_line", "reconciled"),
                open_balance=facts._col(aml, "open_line", "balance"),
            )
        )

    @api.model
    def _get_legal_profiles(self, items):
        """{line id: legal profile or None}: the policy's, or its B2C counterpart for a
        customer that is not a company (as the dunning engine's)."""
        partners = self.env["res.partner"].browse({item["partner_id"] for item in items})
        partners.fetch(["is_company", "commercial_partner_id"])
        policies = self.env["receivable.policy"].browse({item["policy_id"] for item in items})
        policies.fetch(["legal_profile_id"])
        result = {}
        for item in items:
            profile = policies.browse(item["policy_id"]).legal_profile_id
            partner = partners.browse(item["partner_id"])
            result[item["id"]] = profile._for_partner(partner) if profile else None
        return result

    @api.model
    def _get_invoiced_charges(self, move_ids):
        """{invoice id: {'interest': amount, 'interest_to': last day, 'fee': amount}} of the
        charges already invoiced, in one grouped read."""
        # sudo: what was invoiced counts whatever the companies the user works in now.
        groups = (
            self.env["receivable.legal.charge"]
            .sudo()
            ._read_group(
                [("origin_move_id", "in", list(move_ids))],
                ["origin_move_id", "kind"],
                ["amount:sum", "date_to:max"],
            )
        )
        invoiced = defaultdict(dict)
        for move, kind, amount, date_to in groups:
            invoiced[move.id][kind] = amount
            if kind == "interest":
                invoiced[move.id]["interest_to"] = date_to
        return invoiced
