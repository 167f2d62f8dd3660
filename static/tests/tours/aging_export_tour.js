import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { assertDownloaded } from "./screens_tour_utils";

// A Credit Controller opens Export Aged Receivables from the menu, asks for the detailed
// layout of one customer and exports: the dialog downloads the file and closes.
registry.category("web_tour.tours").add("account_receivable_control_aging_export", {
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "Open the Customers menu of Invoicing",
            trigger: ".o_main_navbar [data-menu-xmlid='account.menu_finance_receivables']",
            run: "click",
        },
        {
            content: "Open Export Aged Receivables",
            trigger:
                ".dropdown-item[data-menu-xmlid='account_receivable_control.menu_receivable_aging_export']",
            run: "click",
        },
        {
            content: "The options open in a dialog: choose the detailed layout",
            trigger: ".modal .o_arc_aging_export input#o_arc_export_layout_detail",
            run: "click",
        },
        {
            content: "Look for the customer",
            trigger: ".o_arc_aging_export .o_multi_record_selector input",
            run: "edit Screens Tour",
        },
        {
            content: "Choose it",
            trigger: ".o-autocomplete--dropdown-item:contains(Screens Tour Customer)",
            run: "click",
        },
        {
            content: "The customer is chosen",
            trigger: ".o_arc_aging_export .o_tag:contains(Screens Tour Customer)",
        },
        {
            content: "Export",
            trigger: ".modal-footer button.o_arc_export",
            run: "click",
        },
        {
            content: "The file is downloaded from the read-only route and the dialog closes",
            trigger: "body:not(:has(.o_arc_aging_export))",
            run() {
                assertDownloaded("/account_receivable_control/aged_receivables.xlsx", {
                    layout: /^detail$/,
                    partner_ids: /^\d+$/,
                    company_id: /^\d+$/,
                    date: /^\d{4}-\d{2}-\d{2}$/,
                });
            },
        },
    ],
});
