from odoo.tests import tagged

from .common import CONTROLLER
from .common import MANAGER
from .common import ReceivableCommon


@tagged("post_install", "-at_install")
class TestSecurityGroups(ReceivableCommon):
    def test_groups_belong_to_the_receivable_control_privilege(self):
        controller = self.env.ref(CONTROLLER)
        manager = self.env.ref(MANAGER)
        privilege = self.env.ref(
            "account_receivable_control.res_groups_privilege_receivable_control"
        )
        self.assertEqual(privilege.name, "Receivable Control")
        self.assertEqual(privilege.category_id, self.env.ref("base.module_category_accounting"))
        self.assertEqual((controller | manager).privilege_id, privilege)

    def test_implications(self):
        controller = self.env.ref(CONTROLLER)
        manager = self.env.ref(MANAGER)
        self.assertIn(self.env.ref("account.group_account_invoice"), controller.implied_ids)
        self.assertIn(controller, manager.implied_ids)
        self.assertIn(manager, self.env.ref("account.group_account_manager").all_implied_ids)

    def test_roles_of_users(self):
        self.assertFalse(self.invoicing_user.has_group(CONTROLLER))
        self.assertFalse(self.invoicing_user.has_group(MANAGER))
        self.assertTrue(self.controller.has_group(CONTROLLER))
        self.assertTrue(self.controller.has_group("account.group_account_invoice"))
        self.assertFalse(self.controller.has_group(MANAGER))
        self.assertTrue(self.manager.has_group(CONTROLLER))
        self.assertTrue(self.env.ref("base.user_admin").has_group(MANAGER))
