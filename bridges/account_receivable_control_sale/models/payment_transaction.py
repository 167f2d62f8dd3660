from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        """A quotation paid online is confirmed by the payment's post-processing (run by the
        public user in sudo, or by the cron). A quotation the customer's credit policy stops
        stays a quotation there: it is logged on the order for a Credit Manager, never raised
        (an error would undo the post-processing of a payment received, retried for days).

        A quotation paid in full is never stopped: it gives no credit
        (``sale.order._get_credit_policy_breaches``).
        """
        held = self.browse()
        for tx in self:
            # The quotations sale confirms: exactly one per transaction, amount reached.
            if len(tx.sale_order_ids) != 1:
                continue
            quotation = tx.sale_order_ids.filtered(lambda so: so.state in ("draft", "sent"))
            if not quotation or not quotation._is_confirmation_amount_reached():
                continue
            blocked = quotation._get_blocked_by_credit_policy()
            if quotation in blocked:
                quotation._hold_paid_quotation(tx, blocked[quotation][1])
                held |= tx
        return super(PaymentTransaction, self - held)._check_amount_and_confirm_order()
