import { registry } from "@web/core/registry";

// A salesperson confirms the quotation of a customer on credit hold: refused, with the reason.
registry.category("web_tour.tours").add("account_receivable_control_sale_hold_refused", {
    steps: () => [
        {
            content: "The quotation shows the customer's hold and its reason",
            trigger: ".o_form_view .o_field_widget[name=receivable_credit_hold_reason]:contains(Cheque bounced)",
        },
        {
            content: "The banner says confirming is blocked",
            trigger: ".o_form_view .alert-danger[name=receivable_credit_blocking]:contains(on credit hold)",
        },
        {
            content: "Confirm",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Refused: the customer is on hold, and why",
            trigger: ".modal .o_error_dialog:contains(is blocked by the credit policy):contains(on credit hold: Cheque bounced):contains(Ask a Credit Manager to override the hold)",
        },
        {
            content: "Close the message",
            trigger: ".modal .o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The quotation is not confirmed",
            trigger: "body:not(:has(.modal)) .o_statusbar_status button.o_arrow_button_current:contains(Quotation)",
        },
    ],
});

// A Credit Manager confirms the same quotation: the override wizard asks the reason first.
registry.category("web_tour.tours").add("account_receivable_control_sale_hold_override", {
    steps: () => [
        {
            content: "Confirm",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The override wizard says why the quotation is blocked",
            trigger: ".modal .o_field_widget[name=breach_summary]:contains(on credit hold: Cheque bounced)",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Paid by bank transfer this morning",
        },
        {
            content: "Override and confirm",
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: "body:not(:has(.modal)) .o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
        {
            content: "The chatter logs the override and its reason",
            trigger: ".o-mail-Message:contains(Credit hold overridden by):contains(Paid by bank transfer this morning)",
        },
    ],
});
