import { registry } from "@web/core/registry";

// A Credit Controller opens the Receivables Overview, reads the figures and clicks through
// from a top debtor to its aged receivables.
registry.category("web_tour.tours").add("account_receivable_control_receivables_overview", {
    steps: () => [
        {
            content: "The KPI cards are shown",
            trigger: ".o_receivables_overview .o_arc_kpi[data-kpi=dso]",
        },
        {
            content: "The customer is among the top debtors",
            trigger: ".o_arc_debtors .o_arc_row:contains(Overview Tour Customer)",
            run: "click",
        },
        {
            content: "Its aged receivables open, grouped by customer",
            trigger: ".o_list_view .o_group_header:contains(Overview Tour Customer)",
            run: "click",
        },
        {
            content: "The invoice is there",
            trigger: ".o_list_view .o_data_row:contains(INV/)",
        },
    ],
});
