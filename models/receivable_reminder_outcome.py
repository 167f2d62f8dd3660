"""What a sending leaves behind: the reminder marked sent (levels, trace, charges, agency,
hold) or failed (retried, or back to review), and the outcome of its email coming back from
the outgoing queue (``mail.mail``)."""

import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_amount
from odoo.tools import format_date

from .receivable_reminder import OPEN_STATES

_logger = logging.getLogger(__name__)


class ReceivableReminder(models.Model):
    _inherit = "receivable.reminder"

    def _mark_failed(self, reason):
        """Record a failed sending: ``failed`` (retried by the next run), or back to review
        with an activity for the Credit Manager after the company's failures in a row."""
        self.ensure_one()
        failures = self.failure_count + 1
        limit = max(self.company_id.receivable_dunning_max_failures, 1)
        vals = {
            "state": "failed",
            "failure_reason": reason,
            "attempt_count": self.attempt_count + 1,
            "failure_count": failures,
        }
        if failures >= limit:
            vals.update(state="draft", failure_count=0)
        self._write_engine(vals)
        if failures >= limit:
            self._ask_review(
                self.env._(
                    "Sending failed %(count)s times in a row, last: %(reason)s",
                    count=failures,
                    reason=reason,
                )
            )
        else:
            self.message_post(
                body=self.env._("Sending failed, it will be retried: %s", reason),
                subtype_xmlid="mail.mt_note",
            )
        _logger.info("Reminder %s failed: %s", self.name, reason)
        return False

    def _ask_review(self, reason):
        """A note and a to-do for the Credit Manager on a reminder back in review."""
        self.ensure_one()
        self.message_post(
            body=self.env._("Back to review: %s", reason), subtype_xmlid="mail.mt_note"
        )
        user = self.env["receivable.risk.engine"]._get_risk_user(self.company_id)
        if not user:
            return
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        # sudo: the nightly run (or the mail queue) creates the to-do for the manager
        self.env["mail.activity"].sudo().create(
            {
                "res_model_id": self.env["ir.model"]._get_id(self._name),
                "res_id": self.id,
                "activity_type_id": activity_type.id if activity_type else False,
                "user_id": user.id,
                "date_deadline": fields.Date.context_today(self),
                "summary": self.env._("Review the reminder %s", self.name),
                "note": Markup("<p>%s</p>") % reason,
            }
        )

    def _record_delivery_failures(self, mails):
        """The outgoing queue failed to deliver ``mails``: their sent reminders fail (the next
        run sends a new mail). One search for the whole set."""
        # sudo: the mail queue runs for every company
        reminders = self.sudo().search([("mail_id", "in", mails.ids), ("state", "=", "sent")])
        succeeded = reminders._with_other_open_reminder()
        for reminder in reminders:
            reason = reminder.mail_id.failure_reason or self.env._("The email was not delivered.")
            if reminder in succeeded:
                # Its successor already claims the invoices: no second open reminder.
                reminder._write_engine({"failure_reason": reason})
                reminder.message_post(
                    body=self.env._("The email was not delivered: %s", reason),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            reminder._mark_failed(self.env._("The email was not delivered: %s", reason))

    def _record_uncertain_deliveries(self, mails):
        """The delivery of ``mails`` started and never ended (a process killed while talking
        to the mail server): the customer may have it or not. The mail is cancelled, never
        sent again, and its reminder goes back to review."""
        reason = self.env._(
            "Uncertain delivery: the email server was contacted but the outcome was never "
            "recorded (the process stopped). Check with the customer before sending again."
        )
        mails.write({"state": "cancel", "failure_reason": reason})
        # sudo: the mail queue runs for every company
        reminders = self.sudo().search([("mail_id", "in", mails.ids), ("state", "=", "sent")])
        succeeded = reminders._with_other_open_reminder()
        for reminder in reminders:
            vals = {"failure_reason": reason}
            if reminder not in succeeded:
                vals.update(state="draft", failure_count=0)
            reminder._write_engine(vals)
            reminder._ask_review(reason)
        return reminders

    def _with_other_open_reminder(self):
        """Those of ``self`` whose customer already has another reminder still to go in the
        company (one grouped query): they may not become open again (``one_open_reminder``)."""
        if not self:
            return self
        groups = self._read_group(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("company_id", "in", self.company_id.ids),
                ("state", "in", OPEN_STATES),
                ("id", "not in", self.ids),
            ],
            ["partner_id", "company_id"],
        )
        taken = {(partner.id, company.id) for partner, company in groups}
        return self.filtered(lambda r: (r.partner_id.id, r.company_id.id) in taken)

    def _mark_sent(self, mail=None):
        """Record the sending on the reminder, the invoices and the partner.

        A reminder sent again (its mail was not delivered, or after a review) only records
        the new mail: its levels, trace, charges and hold were done the first time.
        """
        self.ensure_one()
        first_time = not self.sent_date
        vals = {
            "state": "sent",
            "sent_date": fields.Datetime.now(),
            "sent_by_id": self.env.user.id,
            "attempt_count": self.attempt_count + 1,
            "failure_reason": False,
            "failure_count": 0,
        }
        if mail:
            vals["mail_id"] = mail.id
        self._write_engine(vals)
        if not first_time:
            self.message_post(
                body=self.env._("Sent again (%s).", self._get_channel_labels()),
                subtype_xmlid="mail.mt_note",
            )
            return
        self._advance_invoice_levels()
        self._log_sending()
        if self.level_id.formal_notice and self.policy_id.post_legal_charges:
            self._invoice_charges_if_any()
        if self.level_id.hand_to_agency:
            self._hand_over_to_agency()
        if self.level_id.put_on_hold:
            partner = self.partner_id.with_company(self.company_id)
            if not partner.credit_on_hold:
                partner._put_on_credit_hold(
                    [
                        (
                            "dunning_level",
                            {"level_id": self.level_id.id, "level": self.level_id.name},
                        )
                    ],
                    origin="dunning",
                )

    def _invoice_charges_if_any(self):
        """At a formal notice, invoice the interest and fees claimed (per the policy).

        A missing configuration or nothing new to invoice does not stop the notice: it is
        noted on the reminder for the controller.
        """
        if not (self.amount_interest or self.amount_fees):
            return
        try:
            with self.env.cr.savepoint():
                self.env["receivable.legal.charge"]._invoice_reminder_charges(self)
        except UserError as error:
            self.message_post(
                body=self.env._("Interest and fees not invoiced: %s", error.args[0]),
                subtype_xmlid="mail.mt_note",
            )

    def _hand_over_to_agency(self):
        """Assign the reminder's invoices to the policy's collection agency.

        Dunning stops for them; the claim file (debtor, invoices, amounts, reminders sent) is
        kept on the reminder for the agency.
        """
        agency = self.policy_id.agency_id
        if not agency:
            self.message_post(
                body=self.env._(
                    "No collection agency on the policy %s: the claim was not handed over.",
                    self.policy_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            return
        self.line_ids.move_id.sudo().write(  # sudo: posted invoices are locked for writers
            {
                "receivable_agency_id": agency.id,
                "receivable_agency_state": "with_agency",
                "receivable_agency_date": self.date,
            }
        )
        self.claim_attachment_id = self.env["receivable.claim.file"]._attach_claim_file(self)
        self.partner_id._post_dunning_note(
            self.env._("Claim handed over to the collection agency %s.", agency.name), self
        )

    def _advance_invoice_levels(self):
        """Date every listed invoice and raise those that reached a higher level, one write per
        level."""
        moves_by_level = defaultdict(lambda: self.env["account.move"])
        for line in self.line_ids:
            current = line.move_id.receivable_dunning_level_id
            if line.level_id and (not current or line.level_id.offset_days > current.offset_days):
                moves_by_level[line.level_id] |= line.move_id
        # sudo: the invoice is locked for its writers once posted
        self.line_ids.move_id.sudo().write({"receivable_dunning_date": self.date})
        for level, moves in moves_by_level.items():
            moves.sudo().write({"receivable_dunning_level_id": level.id})

    def _get_channel_labels(self):
        self.ensure_one()
        labels = []
        if self.channel_email:
            labels.append(self.env._("email to %s", self.recipient_id.email or ""))
        if self.channel_letter:
            labels.append(self.env._("letter"))
        if self.channel_call:
            labels.append(self.env._("phone call scheduled"))
        return ", ".join(labels)

    def _log_sending(self):
        """The trace of the communication in the partner's and each invoice's chatter."""
        self.ensure_one()
        channels = self._get_channel_labels()
        summary = self.env._(
            "%(level)s sent on %(date)s (%(channels)s): %(amount)s due.",
            level=self.level_id.name,
            date=format_date(self.env, self.date),
            channels=channels,
            amount=format_amount(self.env, self._net_due(), self.currency_id),
        )
        items = Markup().join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(invoice)s due %(due)s: %(amount)s (%(days)s days late)",
                invoice=line.move_id.name,
                due=format_date(self.env, line.date_due),
                amount=format_amount(self.env, line.amount_residual, self.currency_id),
                days=line.days_late,
            )
            for line in self.line_ids
        )
        self.partner_id._post_dunning_note(summary, self, Markup("<ul>%s</ul>") % items)
        bodies = {
            move.id: Markup("%s %s") % (self._get_html_link(), summary)
            for move in self.line_ids.move_id
        }
        self.line_ids.move_id._message_log_batch(bodies=bodies)
        self.message_post(body=summary, subtype_xmlid="mail.mt_note")
