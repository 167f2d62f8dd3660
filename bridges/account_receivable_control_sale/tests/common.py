from odoo import Command

from odoo.addons.account_receivable_control.tests.common import MANAGER
from odoo.addons.account_receivable_control.tests.common import ReceivableCommon

SALESMAN = "sales_team.group_sale_salesman"
ALL_SALES = "sales_team.group_sale_salesman_all_leads"


class SaleCreditCommon(ReceivableCommon):
    """A salesperson, a Credit Manager who may also sell, and one-line quotations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls._create_user("arc_salesman", SALESMAN)
        cls.sale_manager = cls._create_user(
            "arc_credit_sales_manager", f"{MANAGER},{ALL_SALES},account.group_account_invoice"
        )

    @classmethod
    def _quotation(cls, amount, partner=None, user=None):
        """A quotation of one line of ``amount`` without tax, ordered quantity 1, made by
        ``user`` (the salesperson by default)."""
        return cls.env(user=user or cls.salesman)["sale.order"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "company_id": cls.company.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product_a.id,
                            "product_uom_qty": 1.0,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
