from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ReceivableCommon


@tagged("post_install", "-at_install")
class TestCreditValidation(ReceivableCommon):
    def test_policy_bad_values(self):
        for values in (
            {"default_credit_limit": -1.0},
            {"tolerance_percent": 101.0},
            {"tolerance_percent": -1.0},
            {"tolerance_amount": -10.0},
            {"max_days_overdue": -3},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.policy.with_user(self.manager).write(values)
        self.assertRecordValues(
            self.policy,
            [
                {
                    "default_credit_limit": 1000.0,
                    "tolerance_percent": 10.0,
                    "tolerance_amount": 0.0,
                    "max_days_overdue": 30,
                }
            ],
        )

    def test_negative_partner_limit(self):
        with self.assertRaises(ValidationError):
            self.customer.with_user(self.manager).write(
                {"use_partner_credit_limit": True, "credit_limit": -100.0}
            )
        self.assertFalse(self.customer.use_partner_credit_limit)

    def test_cover_expiry_before_start(self):
        with self.assertRaises(ValidationError):
            self.customer.with_user(self.manager).write(
                {"credit_insurance_start": "2026-06-01", "credit_insurance_expiry": "2026-05-01"}
            )
        self.assertFalse(self.customer.credit_insurance_expiry)

    def test_controller_cannot_write_credit_settings(self):
        partner = self.customer.with_user(self.controller)
        for values in (
            {"credit_limit": 50000.0},
            {"use_partner_credit_limit": True},
            {"receivable_policy_id": False},
            {"credit_on_hold": True},
            {"credit_insured_amount": 1.0},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError) as error:
                partner.write(values)
            self.assertIn("Only a Credit Manager", str(error.exception))
        self.assertEqual(self.customer.credit_limit_effective, 1000.0)
        self.assertEqual(self.customer.receivable_policy_id, self.policy)
        self.assertFalse(self.customer.credit_on_hold)
        # Other fields stay editable for the controller.
        partner.write({"phone": "+32 2 555 00 00"})
        self.assertEqual(self.customer.phone, "+32 2 555 00 00")

    def test_override_without_reason_changes_nothing(self):
        self.policy.hold_rule = "block"
        draft = self._invoice(2000.0, post=False)
        wizard = self.env["receivable.hold.override.wizard"].create(
            {"post_move_ids": draft.ids, "reason": ""}
        )
        with self.assertRaises(ValidationError):
            wizard.with_user(self.manager).action_confirm()
        self.assertEqual(draft.state, "draft")
        self.assertFalse(draft.message_ids.filtered(lambda m: "overridden" in (m.body or "")))
        self.assertFalse(
            self.env["receivable.credit.override"].search([("move_id", "=", draft.id)])
        )

    def test_controller_cannot_create_a_partner_with_credit_settings(self):
        Partner = self.env["res.partner"].with_user(self.controller)
        for values, label in (
            ({"credit_limit": 50000.0}, "Credit Limit"),
            ({"use_partner_credit_limit": True, "credit_limit": 50000.0}, "Partner Limit"),
            ({"receivable_policy_id": self.policy.id}, "Credit Policy"),
            ({"credit_on_hold": True}, "On Credit Hold"),
            ({"credit_insured_amount": 1.0}, "Covered Amount"),
        ):
            with self.subTest(values=values), self.assertRefused(ValidationError, label):
                Partner.create({"name": "Wholesale Ltd", "is_company": True, **values})
        with self.assertRefused(ValidationError, "Credit Limit"):
            Partner.with_context(default_credit_limit=50000.0).create({"name": "Wholesale Ltd"})
        with self.assertRefused(ValidationError, "Credit Limit"):
            Partner.create({"name": "Joe", "parent_id": self.customer.id, "credit_limit": 9999.0})
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Wholesale Ltd")]))

        # What the form sends by default is fine, and so are the values a contact gets from
        # its company.
        partner = Partner.create(
            {
                "name": "Wholesale Ltd",
                "is_company": True,
                "credit_limit": 0.0,
                "use_partner_credit_limit": False,
                "receivable_policy_id": False,
                "credit_on_hold": False,
            }
        )
        self.assertFalse(partner.use_partner_credit_limit)
        contact = Partner.create(
            {
                "name": "Joe",
                "parent_id": self.customer.id,
                "receivable_policy_id": self.policy.id,
            }
        )
        self.assertEqual(contact.receivable_policy_id, self.policy)

    def test_controller_cannot_give_a_contact_its_own_limit(self):
        with self.assertRefused(ValidationError, "Credit Limit"):
            self.contact.with_user(self.controller).write({"credit_limit": 9999.0})
        self.contact.with_user(self.controller).write({"phone": "+32 2 555 00 01"})
        self.assertEqual(self.contact.credit_limit, 0.0)

    def test_manager_creates_a_partner_with_credit_settings_logged(self):
        partner = (
            self.env["res.partner"]
            .with_user(self.manager)
            .create(
                {
                    "name": "Wholesale Ltd",
                    "is_company": True,
                    "credit_limit": 5000.0,
                    "receivable_policy_id": self.policy.id,
                }
            )
        )
        self.assertTrue(partner.use_partner_credit_limit)
        self.assertEqual(partner.credit_limit_effective, 5000.0)
        message = self._last_message(partner)
        self.assertIn("Credit settings changed", message)
        self.assertIn("5,000.00", message)
        self.assertIn("Test B2B", message)
