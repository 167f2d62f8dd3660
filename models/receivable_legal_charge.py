from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import LockError
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
    # Empty for the charges owed on invoices paid in full (no reminder claimed them).
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
        self._check_charge_settings(company)
        lines, charges = self._prepare_new_charges(reminder)
        if not lines:
            raise UserError(
                self.env._(
                    "The interest and fees of %s were already invoiced for this period.",
                    reminder.name,
                )
            )
        move = self._post_charges_invoice(
            company,
            reminder.partner_id,
            reminder.date,
            reminder.deadline or reminder.date,
            reminder.name,
            lines,
            charges,
        )
        reminder.message_post(
            body=self.env._("Interest and fees invoiced: %s", move.name),
            subtype_xmlid="mail.mt_note",
        )
        return move

    def _invoice_owed_charges(self, rows):
        """Post the charges still owed on the invoices of ``rows`` (``receivable.charges.owed``,
        paid late in full): one invoice per customer, a fee line and an interest line per
        invoice. Nothing is invoiced when one of them has nothing left to invoice.

        Two users at once: the invoices are locked first (the second user is told to try
        again); one whose transaction read the charges before the first committed is stopped
        by the unique indexes (fee once per invoice, interest once per period)."""
        company = rows.company_id
        if len(company) != 1 or len(set(rows.mapped("date"))) != 1:
            raise UserError(
                self.env._("Invoice the charges of one company and one date at a time.")
            )
        self._check_charge_settings(company)
        self._lock_origin_invoices(rows.move_id)
        date = rows[0].date
        owed = {
            vals["move_id"]: vals
            for vals in rows._compute_owed(
                company, min(rows.mapped("date_since")), date, rows.partner_id.ids
            )
        }
        done = rows.move_id.filtered(
            lambda move: company.currency_id.is_zero(
                owed.get(move.id, {}).get("amount_to_invoice", 0.0)
            )
        )
        if done:
            raise UserError(
                self.env._(
                    "Nothing is left to invoice on %(invoices)s: their charges were invoiced "
                    "already. Leave them out of the selection.",
                    invoices=", ".join(done.mapped("name")),
                )
            )
        moves = self.env["account.move"]
        for partner, partner_rows in rows.grouped("partner_id").items():
            lines, charges = [], []
            for move in partner_rows.move_id:
                vals = owed[move.id]
                if vals["fee_to_invoice"]:
                    lines.append(self._fee_line(company, move, vals["fee_to_invoice"]))
                    charges.append(
                        self._charge_vals(
                            company,
                            move,
                            "fee",
                            vals["date_due"],
                            vals["pay_date"],
                            vals["fee_to_invoice"],
                        )
                    )
                if vals["interest_to_invoice"]:
                    lines.append(
                        self._interest_line(
                            company,
                            move,
                            vals["interest_from"],
                            vals["pay_date"],
                            vals["rates"],
                            vals["interest_to_invoice"],
                        )
                    )
                    charges.append(
                        self._charge_vals(
                            company,
                            move,
                            "interest",
                            vals["interest_from"],
                            vals["pay_date"],
                            vals["interest_to_invoice"],
                        )
                    )
            moves |= self._post_charges_invoice(
                company,
                partner,
                date,
                date,
                ", ".join(partner_rows.move_id.mapped("name")),
                lines,
                charges,
            )
        return moves

    def _lock_origin_invoices(self, moves):
        """Hold ``moves`` until the end of the transaction (the charges records reference
        them: a lock that lets references through)."""
        try:
            # sudo: a lock, no data read or written
            moves.sudo().lock_for_update(allow_referencing=True)
        except LockError:
            raise UserError(
                self.env._(
                    "Another user is invoicing the charges of these invoices right now: try "
                    "again in a moment."
                )
            ) from None

    def _check_charge_settings(self, company):
        """UserError unless ``company`` has the journal and accounts of the charges."""
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

    def _post_charges_invoice(self, company, partner, date, date_due, origin, lines, charges):
        """Post the customer invoice of ``partner`` made of the charge ``lines`` (see
        ``_charge_line``) in ``company``'s charges journal and record its ``charges`` (values
        of ``_charge_vals``): the unique indexes refuse a charge invoiced twice."""
        move = (
            self.env["account.move"]
            .sudo()  # sudo: a controller sends the notice; the charges follow the policy
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "journal_id": company.receivable_charges_journal_id.id,
                    "invoice_date": date,
                    "invoice_date_due": date_due,
                    "invoice_origin": origin,
                    "receivable_is_legal_charge": True,
                    "invoice_line_ids": lines,
                }
            )
        )
        move.action_post()
        self.sudo().create([{**vals, "charge_move_id": move.id} for vals in charges])
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
        first_days = self._reminder_interest_days(reminder, current)
        lines, charges = [], []
        for move, reminder_lines in reminder.line_ids.grouped("move_id").items():
            values = [current.get(line.id, {}) for line in reminder_lines]
            fee = sum(value.get("fee_amount", 0.0) for value in values)
            if fee:
                lines.append(self._fee_line(company, move, fee))
                charges.append(
                    self._charge_vals(
                        company,
                        move,
                        "fee",
                        min(reminder_lines.mapped("date_due")),
                        reminder.date,
                        fee,
                        reminder,
                    )
                )
            new_interest = reminder.currency_id.round(
                sum(value.get("interest_amount", 0.0) for value in values)
            )
            if new_interest > 0:
                start = first_days[move.id]
                rate = max(value.get("interest_rate", 0.0) for value in values)
                lines.append(
                    self._interest_line(company, move, start, reminder.date, rate, new_interest)
                )
                charges.append(
                    self._charge_vals(
                        company, move, "interest", start, reminder.date, new_interest, reminder
                    )
                )
        return lines, charges

    def _reminder_interest_days(self, reminder, current):
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

    def _fee_line(self, company, move, amount):
        return self._charge_line(
            company.receivable_fee_account_id,
            self.env._("Fixed recovery compensation, invoice %s", move.name),
            amount,
        )

    def _interest_line(self, company, move, start, end, rate, amount):
        return self._charge_line(
            company.receivable_interest_account_id,
            self.env._(
                "Late interest on invoice %(invoice)s from %(start)s to %(end)s at %(rate)s %%",
                invoice=move.name,
                start=format_date(self.env, start),
                end=format_date(self.env, end),
                rate=rate,
            ),
            amount,
        )

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

    def _charge_vals(self, company, move, kind, date_from, date_to, amount, reminder=None):
        return {
            "origin_move_id": move.id,
            "reminder_id": reminder.id if reminder else False,
            "company_id": company.id,
            "kind": kind,
            "date_from": date_from,
            "date_to": date_to,
            "amount": amount,
        }
