from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import CONTROLLER
from .common import MANAGER
from .common import ReceivableCommon


@tagged("post_install", "-at_install")
class TestMenus(ReceivableCommon):
    def _visible(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_menus_visible_to_our_groups_only(self):
        receivables = self.env.ref("account_receivable_control.menu_receivables")
        requests = self.env.ref("account_receivable_control.menu_receivable_credit_limit_request")
        config = self.env.ref("account_receivable_control.menu_receivables_config")
        policies = self.env.ref("account_receivable_control.menu_receivable_policy")

        invoicing = self._visible(self.invoicing_user)
        self.assertFalse({receivables.id, requests.id, config.id, policies.id} & invoicing)

        controller = self._visible(self.controller)
        self.assertTrue({receivables.id, requests.id} <= controller)
        self.assertFalse({config.id, policies.id} & controller)

        manager = self._visible(self.manager)
        self.assertTrue({receivables.id, requests.id, config.id, policies.id} <= manager)
        finance_config = self.env.ref("account.menu_finance_configuration")
        self.assertIn(finance_config.id, manager, "a Credit Manager reaches the configuration")


@tagged("post_install", "-at_install")
class TestCreditLimitRequestTour(HttpCase):
    def test_controller_requests_a_limit_in_the_browser(self):
        controller = new_test_user(self.env, login="arc_tour_controller", groups=CONTROLLER)
        new_test_user(self.env, login="arc_tour_manager", groups=MANAGER)
        customer = self.env["res.partner"].create({"name": "Tour Customer", "is_company": True})
        self.start_tour(
            "/odoo/action-account_receivable_control.action_receivable_credit_limit_request",
            "account_receivable_control_credit_limit_request",
            login=controller.login,
        )
        request = self.env["receivable.credit.limit.request"].search(
            [("partner_id", "=", customer.id)]
        )
        self.assertRecordValues(
            request,
            [
                {
                    "requested_limit": 9000.0,
                    "state": "pending",
                    "requested_by_id": controller.id,
                    "justification": "New framework agreement",
                }
            ],
        )
