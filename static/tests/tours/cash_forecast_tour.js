import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A Credit Controller opens the Cash-in Forecast from the menu, reads the overdue amount,
// moves the forecast back 59 days (the invoice then falls due 14 days later: in week 3) and
// drills down from a figure to the invoice behind it.
registry.category("web_tour.tours").add("account_receivable_control_cash_forecast", {
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "Open the Customers menu of Invoicing",
            trigger: ".o_main_navbar [data-menu-xmlid='account.menu_finance_receivables']",
            run: "click",
        },
        {
            content: "Open the Cash-in Forecast",
            trigger:
                ".dropdown-item[data-menu-xmlid='account_receivable_control.menu_receivable_cash_forecast']",
            run: "click",
        },
        {
            content: "The overdue invoice is in Overdue",
            trigger: ".o_arc_cash_forecast tr[data-key=overdue] .o_arc_amount:contains(1,200.00)",
        },
        {
            content: "Forecast at 59 days ago",
            trigger: ".o_arc_cash_forecast .o_arc_date input",
            run: `edit ${luxon.DateTime.local().minus({ days: 59 }).toFormat("MM/dd/yyyy")} && press Enter`,
        },
        {
            content: "Then the invoice was expected in week 3, nothing was overdue",
            trigger:
                ".o_arc_cash_forecast tr[data-key=week_3] .o_arc_amount:contains(1,200.00)",
        },
        {
            content: "Open the receivable items of week 3",
            trigger: ".o_arc_cash_forecast tr[data-key=week_3]",
            run: "click",
        },
        {
            content: "The invoice is there",
            trigger: ".o_list_view .o_data_row:contains(INV/)",
        },
    ],
});
