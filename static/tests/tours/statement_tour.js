import { registry } from "@web/core/registry";

// A Credit Controller opens a customer, clicks Statement, adds the account activity of the
// default period and prints: the dialog downloads the statement and closes.
registry.category("web_tour.tours").add("account_receivable_control_statement", {
    steps: () => [
        {
            content: "Open the customer's statement",
            trigger: ".o_form_view .oe_stat_button:has(.fa-file-text-o)",
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
            content: "The statement is downloaded and the dialog closes",
            trigger: "body:not(:has(.o_arc_statement))",
        },
    ],
});
