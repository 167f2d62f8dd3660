import { registry } from "@web/core/registry";

// A collector selects every payment reminder, some already sent, and sends them: the sent
// ones are skipped and the notification says which and why.
registry.category("web_tour.tours").add("account_receivable_control_batch_send", {
    steps: () => [
        {
            content: "Three reminders are listed",
            trigger: ".o_list_view .o_data_row:eq(2)",
        },
        {
            content: "Select them all",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Send the selection",
            trigger: ".o_selection_container button[name=action_send]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The report: two sent, the one already sent skipped and why",
            trigger:
                ".o_notification:has(.o_notification_bar.bg-warning) .o_notification_content:contains(2 sent, 1 skipped: already sent)",
        },
        {
            content: "The list shows the three reminders sent",
            trigger: ".o_list_view .o_data_row td[name=state]:contains(Sent):eq(2)",
        },
    ],
});
