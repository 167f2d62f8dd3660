import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A collector opens My Collection Worklist from the menu, opens the follow-up cockpit of an
// overdue customer from its row, rewrites the email of the next reminder and sends it.
registry.category("web_tour.tours").add("account_receivable_control_collector_followup", {
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "Open the Customers menu of Invoicing",
            trigger: ".o_main_navbar [data-menu-xmlid='account.menu_finance_receivables']",
            run: "click",
        },
        {
            content: "Open My Collection Worklist",
            trigger:
                ".dropdown-item[data-menu-xmlid='account_receivable_control.menu_receivable_worklist']",
            run: "click",
        },
        {
            content: "The overdue customer is on the worklist: open its row",
            trigger: ".o_list_view .o_data_row td[name=partner_id]:contains(Brasserie Dupont)",
            run: "click",
        },
        {
            content: "Its follow-up cockpit opens",
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains(Brasserie Dupont)",
        },
        {
            content: "Its overdue invoice is listed",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(INV/)",
        },
        {
            content: "Open the next reminder",
            trigger: ".o_notebook a.nav-link[name=next_reminder]",
            run: "click",
        },
        {
            content: "The next reminder goes by email",
            trigger: ".o_field_widget[name=level_id]:contains(First reminder)",
        },
        {
            content: "Rewrite the first paragraph of the email",
            trigger: ".o_field_widget[name=body_html] .odoo-editor-editable p:first",
            run: "editor As agreed on the phone today, please pay by Friday.",
        },
        {
            content: "The edit is in the email",
            trigger:
                ".o_field_widget[name=body_html] .odoo-editor-editable:contains(As agreed on the phone today)",
        },
        {
            content: "Send it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_send_and_print]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The cockpit stays on the reminder, now sent",
            trigger: ".o_notebook a.nav-link.active[name=next_reminder]",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=sent_reminder_id] a",
        },
        {
            content: "Send & Print is gone: the reminder cannot go twice",
            trigger:
                ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_send_and_print]))",
        },
        {
            content: "The breadcrumb names the customer, once, after the worklist",
            trigger:
                ".o_breadcrumb:has(.o_last_breadcrumb_item:contains(Brasserie Dupont)):not(:has(.breadcrumb-item:contains(Brasserie Dupont)))",
        },
        {
            content: "Open the customer's history",
            trigger: ".o_notebook a.nav-link[name=history]",
            run: "click",
        },
        {
            content: "The reminder is in its history, sent",
            trigger:
                ".o_field_widget[name=reminder_history_ids] .o_data_row:contains(First reminder) td[name=state]:contains(Sent)",
        },
        {
            content: "With the trace of its sending among the calls and notes",
            trigger: ".o_field_widget[name=note_ids] .o_data_row:contains(First reminder sent on)",
        },
    ],
});
