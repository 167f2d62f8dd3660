import logging

from odoo import fields
from odoo import models

_logger = logging.getLogger(__name__)

REMINDER_MODEL = "receivable.reminder"


class MailMail(models.Model):
    """The outgoing queue's side of the payment reminders.

    A reminder is *Sent* in the transaction that creates its ``mail.mail``; the queue
    delivers the mail later. Here its outcome comes back to the reminder:

    - the delivery fails (server down, address refused): the reminder is *Failed* with the
      reason, and the next dunning run sends it again with a new mail;
    - before talking to the mail server, the queue commits ``receivable_delivery_started``
      on the reminder's mail. A mail found still *outgoing* with that mark was being
      delivered by a process that died before recording the outcome: it may or may not
      have reached the customer. It is cancelled, never sent again, and its reminder goes
      back to review (uncertain delivery);
    - a mail that is no longer its reminder's mail (replaced by a retry) is never sent.
    """

    _inherit = "mail.mail"

    # The reminder this email delivers. Not ``model``/``res_id``: a note or a message posted in
    # a reminder's chatter is a mail of that model too, and must go as any other mail.
    receivable_reminder_id = fields.Many2one(
        REMINDER_MODEL,
        string="Payment Reminder Sent",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    receivable_delivery_started = fields.Datetime(
        string="Delivery Started",
        readonly=True,
        copy=False,
        help="Payment reminders: when the outgoing queue started delivering this email. "
        "Still outgoing with this date set means the delivery may have happened.",
    )

    def send(self, auto_commit=False, raise_exception=False, post_send_callback=None):
        # Before Odoo connects to the mail server: with the server down, the whole batch is
        # failed without reaching ``_send``, and an uncertain mail must not count as failed
        # (its reminder would be sent again).
        mails = self
        reminder_mails = self._receivable_reminder_mails()
        if reminder_mails:
            deliverable = reminder_mails._receivable_drop_undeliverable()
            if auto_commit is True:
                self.env.cr.commit()
            mails = (self - reminder_mails) | deliverable
        return super(MailMail, mails).send(
            auto_commit=auto_commit,
            raise_exception=raise_exception,
            post_send_callback=post_send_callback,
        )

    def _send(self, auto_commit=False, raise_exception=False, **kwargs):
        if self.env["ir.mail_server"]._disable_send():
            return super()._send(auto_commit=auto_commit, raise_exception=raise_exception, **kwargs)
        reminder_mails = self._receivable_reminder_mails()
        others = self - reminder_mails
        if others:
            super(MailMail, others)._send(
                auto_commit=auto_commit, raise_exception=raise_exception, **kwargs
            )
        if not reminder_mails:
            return True
        deliverable = reminder_mails._receivable_drop_undeliverable()
        if auto_commit is True:
            self.env.cr.commit()
        for mail in deliverable:
            if not mail._receivable_start_delivery(auto_commit):
                continue
            super(MailMail, mail)._send(
                auto_commit=auto_commit, raise_exception=raise_exception, **kwargs
            )
        return True

    def _receivable_start_delivery(self, auto_commit):
        """Mark the reminder mail as being delivered, before the mail server is contacted, and
        hold it. Return False when another worker holds it (it decides what becomes of it).

        The mark is committed: a process killed from here on leaves it, and the mail is never
        delivered a second time. The row lock taken right after is held until the outcome is
        committed: a worker meeting the mark meanwhile skips a locked mail instead of taking a
        delivery in progress for an uncertain one.
        """
        self.ensure_one()
        self.receivable_delivery_started = fields.Datetime.now()
        if auto_commit is True:
            self.env.cr.commit()
        return bool(self.try_lock_for_update())

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        failed = self.filtered(lambda mail: mail.state == "exception")
        if failed:
            self.env[REMINDER_MODEL]._record_delivery_failures(failed)
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )

    def _receivable_reminder_mails(self):
        """Those of ``self`` that carry a payment reminder."""
        return self.filtered("receivable_reminder_id")

    def _receivable_drop_undeliverable(self):
        """Cancel the reminder mails that must not go: the delivery of which already started
        (uncertain), or replaced on their reminder by a newer mail. Return the others, to
        deliver."""
        outgoing = self.filtered(lambda mail: mail.state == "outgoing")
        started = outgoing.filtered("receivable_delivery_started")
        # A mail another worker is delivering right now is locked by it: not uncertain.
        uncertain = started.try_lock_for_update()
        if uncertain:
            _logger.warning(
                "Payment reminder mails %s: delivery started and never recorded, cancelled "
                "and their reminders put back to review.",
                uncertain.ids,
            )
            self.env[REMINDER_MODEL]._record_uncertain_deliveries(uncertain)
        # sudo: the mail queue runs for every company
        superseded = (outgoing - started).filtered(
            lambda mail: mail.receivable_reminder_id.sudo().mail_id != mail
        )
        if superseded:
            superseded.write(
                {
                    "state": "cancel",
                    "failure_reason": self.env._(
                        "This payment reminder was sent again with another email."
                    ),
                }
            )
        return outgoing - started - superseded
