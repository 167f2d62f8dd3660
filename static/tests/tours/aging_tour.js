import { registry } from "@web/core/registry";

// A Credit Controller opens the aged receivables, reads a customer's buckets in the pivot,
// comes back to the list and drills down to the invoice.
registry.category("web_tour.tours").add("account_receivable_control_aging", {
    steps: () => [
        {
            content: "Switch to the pivot",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "One measure per bucket",
            trigger: ".o_pivot th.o_pivot_measure_row:contains(31-60)",
        },
        {
            content: "The customer is a row, its 700.00 in the 31-60 column",
            trigger:
                ".o_pivot tr:has(th.o_pivot_header_cell_closed:contains(Aging Tour Customer)) td.o_pivot_cell_value:contains(700.00)",
        },
        {
            content: "Back to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The list is grouped by customer",
            trigger: ".o_group_header:contains(Aging Tour Customer)",
            run: "click",
        },
        {
            content: "Its open invoice is in the 31-60 column",
            trigger: ".o_data_row:contains(INV/)",
        },
        {
            content: "Open the invoice from the line",
            trigger: ".o_data_row:contains(INV/) td.o_data_cell",
            run: "click",
        },
        {
            content: "The invoice form opens",
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains(Aging Tour Customer)",
        },
    ],
});
