import { downloadFile } from "@web/core/network/download";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A Credit Controller opens the Bad-Debt Provision from the menu, reads a customer's
// provision, downloads the spreadsheet and drills down to the customer's aged receivables.
registry.category("web_tour.tours").add("account_receivable_control_provision", {
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "Open the Customers menu of Invoicing",
            trigger: ".o_main_navbar [data-menu-xmlid='account.menu_finance_receivables']",
            run: "click",
        },
        {
            content: "Open the Bad-Debt Provision",
            trigger:
                ".dropdown-item[data-menu-xmlid='account_receivable_control.menu_receivable_provision']",
            run: "click",
        },
        {
            content: "The customer's invoice over 90 days late is provisioned at 50 %",
            trigger:
                ".o_arc_provision tr:has(.o_arc_customer:contains(Provision Tour Customer)) .o_arc_provision_amount:contains(500.00)",
        },
        {
            content: "Download the spreadsheet (the browser's download is recorded instead)",
            trigger: ".o_arc_provision .o_arc_export",
            run() {
                downloadFile._download = (data, filename) => {
                    document.body.dataset.arcDownload = `${filename} ${data.size}`;
                    return Promise.resolve();
                };
                this.anchor.click();
            },
        },
        {
            content: "The spreadsheet was built",
            trigger: "body[data-arc-download*='Bad-Debt Provision']",
        },
        {
            content: "Open the customer's aged receivables",
            trigger: ".o_arc_provision .o_arc_customer:contains(Provision Tour Customer)",
            run: "click",
        },
        {
            content: "They open, grouped by customer",
            trigger: ".o_list_view .o_group_header:contains(Provision Tour Customer)",
            run: "click",
        },
        {
            content: "The invoice is there",
            trigger: ".o_list_view .o_data_row:contains(INV/)",
        },
    ],
});
