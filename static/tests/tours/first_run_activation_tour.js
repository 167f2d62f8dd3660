import { registry } from "@web/core/registry";

// A Credit Manager opens the first-run preview from the settings, reads who would get which
// reminder the first night, and activates automatic sending.
registry.category("web_tour.tours").add("account_receivable_control_first_run_activation", {
    steps: () => [
        {
            content: "Open the Invoicing settings",
            trigger: ".settings_tab .tab[data-key=account]",
            run: "click",
        },
        {
            content: "Automatic sending is off",
            trigger:
                "#receivable_dunning_auto_send .o_field_widget[name=receivable_dunning_auto_send] input:not(:checked)",
        },
        {
            content: "Preview the first run",
            trigger: "#receivable_dunning_auto_send button[name=action_receivable_preview_first_run]",
            run: "click",
        },
        {
            content: "The preview lists the customer, its level, amount and channels",
            trigger:
                ".modal .o_field_widget[name=line_ids] .o_data_row:has(td[name=partner_id]:contains(Brasserie Dupont)):has(td[name=level_id]:contains(First reminder)):has(td[name=amount]:contains(400.00)):has(td[name=channel_email] input:checked):has(td[name=channel_letter] input:not(:checked))",
        },
        {
            content: "One customer to remind",
            trigger: ".modal .o_field_widget[name=partner_count]:contains(1)",
        },
        {
            content: "Activate",
            trigger: ".modal-footer button[name=action_activate_auto_send]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal:not(:has(.o_form_view)) .modal-footer .btn-primary",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The settings reload: back to the Invoicing ones",
            trigger: ".settings_tab .tab[data-key=account]",
            run: "click",
        },
        {
            content: "The settings show automatic sending on, and who activated it",
            trigger:
                "#receivable_dunning_auto_send:has(.o_field_widget[name=receivable_dunning_auto_send] input:checked) .o_field_widget[name=receivable_auto_send_activated_by]:contains(Credit Manager)",
        },
        {
            content: "The preview is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
