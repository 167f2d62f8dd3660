import { registry } from "@web/core/registry";

// A Credit Controller asks for a new limit from the list of requests.
registry.category("web_tour.tours").add("account_receivable_control_credit_limit_request", {
    steps: () => [
        {
            content: "Create a request",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Choose the customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Customer",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Customer)",
            run: "click",
        },
        {
            content: "Ask for 9,000",
            trigger: ".o_field_widget[name=requested_limit] input",
            run: "edit 9000",
        },
        {
            content: "Explain why",
            trigger: ".o_field_widget[name=justification] textarea",
            run: "edit New framework agreement",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The request waits for a Credit Manager",
            trigger: ".o_form_saved .o_statusbar_status button.o_arrow_button_current:contains(To Approve)",
        },
    ],
});
