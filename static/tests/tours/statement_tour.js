import { registry } from "@web/core/registry";
import { assertDownloaded } from "./screens_tour_utils";

const STATEMENT_BUTTON = ".oe_stat_button:has(.fa-file-text-o)";

// A Credit Controller opens a customer, clicks Statement, adds the account activity of the
// default period and prints: the dialog downloads the statement and closes.
registry.category("web_tour.tours").add("account_receivable_control_statement", {
    steps: () => [
        {
            content: "The customer's buttons: open More when the box is full",
            trigger: ".o_form_view .o-form-buttonbox",
            run() {
                if (!document.querySelector(STATEMENT_BUTTON)) {
                    document.querySelector(".o_form_view .o_button_more").click();
                }
            },
        },
        {
            content: "Open the customer's statement",
            trigger: STATEMENT_BUTTON,
            run: "click",
        },
        {
            content: "The dialog is for this customer",
            trigger: ".modal .o_arc_statement .o_tag:contains(Screens Tour Customer)",
        },
        {
            content: "Include the account activity",
            trigger: ".o_arc_statement input#o_arc_statement_activity",
            run: "click",
        },
        {
            content: "The period is shown",
            trigger: ".o_arc_statement .o_arc_statement_period input#o_arc_statement_from",
        },
        {
            content: "Print",
            trigger: ".modal-footer button.o_arc_statement_print:enabled",
            run: "click",
        },
        {
            content: "The statement is downloaded from the read-only route and the dialog closes",
            trigger: "body:not(:has(.o_arc_statement))",
            run() {
                assertDownloaded("/account_receivable_control/statement.pdf", {
                    partner_ids: /^\d+$/,
                    date_from: /^\d{4}-\d{2}-01$/,
                    date_to: /^\d{4}-\d{2}-\d{2}$/,
                    download: /^1$/,
                });
            },
        },
    ],
});
