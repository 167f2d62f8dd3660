from odoo.tests import TransactionCase
from odoo.tests import tagged

MODULE = "account_receivable_control"

# Labels the OCA credit modules give to fields of the models we extend too (OCA/credit-control:
# account_financial_risk 19.0, account_credit_control 16.0, the newest published). Installed
# beside them, a field of ours with one of these labels makes Odoo log "Two fields ... have the
# same label" at every update.
OCA_LABELS = {
    "res.partner": {
        # account_financial_risk
        "move_line_ids": "Account Moves",
        "risk_invoice_draft_include": "Include Draft Invoices",
        "risk_invoice_draft_limit": "Limit In Draft Invoices",
        "risk_invoice_draft": "Total Draft Invoices",
        "risk_invoice_open_include": "Include Open Invoices/Principal Balance",
        "risk_invoice_open_limit": "Limit In Open Invoices/Principal Balance",
        "risk_invoice_open": "Total Open Invoices/Principal Balance",
        "risk_invoice_unpaid_include": "Include Unpaid Invoices/Principal Balance",
        "risk_invoice_unpaid_limit": "Limit In Unpaid Invoices/Principal Balance",
        "risk_invoice_unpaid": "Total Unpaid Invoices/Principal Balance",
        "risk_account_amount_include": "Include Other Account Open Amount",
        "risk_account_amount_limit": "Limit Other Account Open Amount",
        "risk_account_amount": "Total Other Account Open Amount",
        "risk_account_amount_unpaid_include": "Include Other Account Unpaid Amount",
        "risk_account_amount_unpaid_limit": "Limit Other Account Unpaid Amount",
        "risk_account_amount_unpaid": "Total Other Account Unpaid Amount",
        "risk_total": "Total Risk",
        "risk_exception": "Risk Exception",
        "risk_amount_exceeded": "Risk Over Limit",
        "credit_policy": "Credit Policy",
        "risk_allow_edit": "Risk Allow Edit",
        "credit_currency": "Credit Currency",
        "manual_credit_currency_id": "Manual Credit Currency",
        "risk_currency_id": "Risk Currency",
        "date_credit_limit": "Last Credit Limit Date",
        "risk_remaining_value": "Risk Remaining (Value)",
        "risk_remaining_percentage": "Risk Remaining (Percentage)",
        # account_credit_control
        "credit_policy_id": "Credit Control Policy",
        "credit_control_count": "# of Credit Control Lines",
        "payment_responsible_id": "Follow-up Responsible",
        "payment_note": "Customer Payment Promise",
        "payment_next_action_type": "Next Action Type",
        "payment_next_action": "Next Action",
        "payment_next_action_date": "Next Action Date",
        "manual_followup": "Manual Followup",
        "credit_control_analysis_ids": "Credit Control Levels",
    },
    "account.move": {
        "risk_amount_total_currency": "Risk Amount Total",
        "credit_policy_id": "Credit Control Policy",
        "credit_control_line_ids": "Credit Lines",
    },
    "res.company": {
        "invoice_unpaid_margin": "Maturity Margin",
        "allow_overrisk_invoice_validation": "Allow invoice validation over the risk",
        "credit_control_tolerance": "Credit Control Tolerance",
        "credit_policy_id": "Credit Control Policy",
    },
    "res.config.settings": {
        "invoice_unpaid_margin": "Maturity Margin",
        "allow_overrisk_invoice_validation": "Allow invoice validation over the risk",
        "credit_control_tolerance": "Credit Control Tolerance",
        "credit_policy_id": "Credit Control Policy",
    },
    "account.account": {"credit_control_line_ids": "Credit Lines"},
}
# res.users carries the partner's fields (_inherits): the same labels meet there.
OCA_LABELS["res.users"] = OCA_LABELS["res.partner"]


def _module_of(field):
    """The module that defines ``field`` (through the _inherits link for res.users)."""
    while field.inherited_field:
        field = field.inherited_field
    return field._module


@tagged("post_install", "-at_install")
class TestFieldLabels(TransactionCase):
    """Odoo logs a WARNING when two fields of a model share a label: the user cannot tell
    them apart in filters, exports and the list's optional columns."""

    def _our_models(self):
        return [
            model
            for model in self.env.registry.values()
            if any(_module_of(field) == MODULE for field in model._fields.values())
        ]

    def test_no_two_fields_of_a_model_share_a_label(self):
        duplicates = []
        for model in self._our_models():
            by_label = {}
            for field in model._fields.values():
                other = by_label.setdefault(field.string, field)
                if other is not field and MODULE in (_module_of(field), _module_of(other)):
                    duplicates.append(f"{model._name}: {other.name}, {field.name} {field.string!r}")
        self.assertEqual(duplicates, [], "fields sharing a label")

    def test_no_label_of_the_oca_credit_modules(self):
        self.assertIn("res.users", [model._name for model in self._our_models()])
        collisions = []
        for model_name, labels in OCA_LABELS.items():
            ours = {
                field.string: field.name
                for field in self.env[model_name]._fields.values()
                if _module_of(field) == MODULE
            }
            for oca_name, label in labels.items():
                if label in ours and ours[label] != oca_name:
                    collisions.append(f"{model_name}: {ours[label]} and OCA {oca_name} {label!r}")
        self.assertEqual(collisions, [], "labels the OCA credit modules use")
