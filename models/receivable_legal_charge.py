from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_date


class ReceivableLegalCharge(models.Model):
    """Interest or fee invoiced for a late invoice over a period: never twice.

    The recovery fee of an invoice is invoiced once; interest is invoiced by periods that
    never overlap (the next period starts the day after the last one invoiced).
    """

    _name = "receivable.legal.charge"
    _description = "Invoiced Late-Payment Charge"
    _order = "origin_move_id, date_to"
    _check_company_auto = True

    _fee_once = models.UniqueIndex(
        "(origin_move_id) WHERE kind = 'fee'",
        "The recovery fee of an invoice is invoiced once.",
    )
    _interest_period_uniq = models.UniqueIndex(
        "(origin_move_id, date_to) WHERE kind = 'interest'",
        "The interest of an invoice is invoiced once per period.",
    )

    origin_move_id = fields.Many2one(
        "account.move",
        string="Late Invoice",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    charge_move_id = fields.Many2one(
        "account.move",
        string="Charges Invoice",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    reminder_id = fields.Many2one("receivable.reminder", string="Formal Notice", check_company=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection([("fee", "Recovery fee"), ("interest", "Late interest")], required=True)
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    amount = fields.Monetary(required=True)

    # ------------------------------------------------------------------------------------------
    # CRUD: what was invoiced is history
    # ------------------------------------------------------------------------------------------
    def write(self, vals):
        # Changing a period or an amount would let the same charge be invoiced twice, or hide
        # one that was; the record follows its charges invoice and nothing else.
        if vals:
            self.check_access("write")
            raise UserError(
                self.env._("An invoiced late-payment charge is history: it cannot be changed.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        raise UserError(
            self.env._("An invoiced late-payment charge is history: it cannot be deleted.")
        )

    # ------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------
    def _invoice_reminder_charges(self, reminder):
        """Post one customer invoice of the interest and fees claimed by ``reminder`` that were
        not invoiced yet. Raise when there is nothing new to invoice."""
        company = reminder.company_id
        if not (
            company.receivable_charges_journal_id
            and company.receivable_fee_account_id
            and company.receivable_interest_account_id
        ):
            raise UserError(
                self.env._(
                    "Set the journal and the accounts of late-payment charges in the settings "
                    "of %s first.",
                    company.name,
                )
            )
        lines, charges = self._prepare_new_charges(reminder)
        if not lines:
            raise UserError(
                self.env._(
                    "The interest and fees of %s were already invoiced for this period.",
                    reminder.name,
                )
            )
        move = (
            self.env["account.move"]
            .sudo()  # sudo: a controller sends the notice; the charges follow the policy
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": reminder.partner_id.id,
                    "journal_id": company.receivable_charges_journal_id.id,
                    "invoice_date": reminder.date,
                    "invoice_date_due": reminder.deadline or reminder.date,
                    "invoice_origin": reminder.name,
                    "receivable_is_legal_charge": True,
                    "invoice_line_ids": lines,
                }
            )
        )
        move.action_post()
        self.sudo().create([{**vals, "charge_move_id": move.id} for vals in charges])
        reminder.message_post(
            body=self.env._("Interest and fees invoiced: %s", move.name),
            subtype_xmlid="mail.mt_note",
        )
        return move

    def _prepare_new_charges(self, reminder):
        """Invoice lines and charge records for what ``reminder`` claims that was not invoiced
        yet, per invoice (an invoice paid in instalments has a reminder line per due date).

        The reminder's charges are computed again at its date against the charges invoiced by
        now: the computation itself leaves out what was invoiced (interest from the day after
        the last period invoiced, the fee once; ``receivable.legal.profile._compute_charges``),
        so a reminder computed before another one's charges were invoiced never bills them
        twice.
        """
        company = reminder.company_id
        current = reminder._compute_legal_charges(
            {line.id: line.amount_residual for line in reminder.line_ids}, missing=set()
        )
        first_days = self._first_interest_days(reminder, current)
        lines, charges = [], []
        for move, reminder_lines in reminder.line_ids.grouped("move_id").items():
            values = [current.get(line.id, {}) for line in reminder_lines]
            fee = sum(value.get("fee_amount", 0.0) for value in values)
            if fee:
                lines.append(
                    self._charge_line(
                        company.receivable_fee_account_id,
                        self.env._("Fixed recovery compensation, invoice %s", move.name),
                        fee,
                    )
                )
                charges.append(
                    self._charge_vals(
                        reminder, move, "fee", min(reminder_lines.mapped("date_due")), fee
                    )
                )
            new_interest = reminder.currency_id.round(
                sum(value.get("interest_amount", 0.0) for value in values)
            )
            if new_interest > 0:
                start = first_days[move.id]
                lines.append(
                    self._charge_line(
                        company.receivable_interest_account_id,
                        self.env._(
                            "Late interest on invoice %(invoice)s from %(start)s to %(end)s "
                            "at %(rate)s %%",
                            invoice=move.name,
                            start=format_date(self.env, start),
                            end=format_date(self.env, reminder.date),
                            rate=max(value.get("interest_rate", 0.0) for value in values),
                        ),
                        new_interest,
                    )
                )
                charges.append(self._charge_vals(reminder, move, "interest", start, new_interest))
        return lines, charges

    def _first_interest_days(self, reminder, current):
        """{invoice id: first day of the interest to invoice} from ``current`` ({reminder line
        id: its charges now}): the earliest of its lines' (the day after the due date, the
        formal notice or the free window per the profile, or after the last period
        invoiced)."""
        first_days = {}
        for line in reminder.line_ids:
            day = current.get(line.id, {}).get("interest_date_from")
            if day:
                first_days[line.move_id.id] = min(first_days.get(line.move_id.id, day), day)
        return first_days

    def _charge_line(self, account, label, amount):
        # No VAT: the recovery compensation and late interest are damages, not a supply.
        return Command.create(
            {
                "name": label,
                "account_id": account.id,
                "quantity": 1,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            }
        )

    def _charge_vals(self, reminder, move, kind, date_from, amount):
        return {
            "origin_move_id": move.id,
            "reminder_id": reminder.id,
            "company_id": reminder.company_id.id,
            "kind": kind,
            "date_from": date_from,
            "date_to": reminder.date,
            "amount": amount,
        }
