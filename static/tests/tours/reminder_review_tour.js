import { registry } from "@web/core/registry";

// A Credit Controller reviews a formal notice waiting in "Reminders to Review" and sends it.
registry.category("web_tour.tours").add("account_receivable_control_reminder_review", {
    steps: () => [
        {
            content: "Open the reminder waiting for review",
            trigger: ".o_data_row td:contains(Tour Debtor)",
            run: "click",
        },
        {
            content: "It lists the overdue invoice",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(INV/)",
        },
        {
            content: "Send it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_send]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The reminder is sent",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Sent)",
        },
    ],
});
