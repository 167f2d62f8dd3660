import { registry } from "@web/core/registry";

// A Credit Controller opens the aged receivables, reads a customer's buckets, switches to the
// pivot and drills down to the invoice.
registry.category("web_tour.tours").add("account_receivable_control_aging", {
    steps: () => [
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
