import { registry } from "@web/core/registry";

// How many days ahead the customer promises to pay (the test checks the promise's date).
const PROMISE_DAYS = 10;

// The overdue invoice's row on the customer's account page.
const OVERDUE_ROW = ".o_receivable_portal_items tr:has(.badge:contains(Overdue))";

// A customer, not logged in, opens the link of a reminder email: its account page. On the
// overdue invoice, it promises to pay part of it in ten days, and reads the confirmation.
registry.category("web_tour.tours").add("account_receivable_control_portal_promise", {
    steps: () => [
        {
            content: "The account page opens on the customer's open items",
            trigger: ".o_receivable_portal h4:contains(Open items)",
        },
        {
            content: "Open the promise and dispute forms of the overdue invoice",
            trigger: `${OVERDUE_ROW} details.o_receivable_portal_actions summary`,
            run: "click",
        },
        {
            content: "Promise 250",
            trigger: `${OVERDUE_ROW} form.o_receivable_portal_promise input[name=amount]`,
            run: "edit 250",
        },
        {
            content: "Promise to pay in ten days",
            trigger: `${OVERDUE_ROW} form.o_receivable_portal_promise input[name=promise_date]`,
            run() {
                // A date input takes no typed keys: its value is set as a date picker does.
                const date = new Date();
                date.setDate(date.getDate() + PROMISE_DAYS);
                const pad = (number) => String(number).padStart(2, "0");
                this.anchor.value = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(
                    date.getDate()
                )}`;
                this.anchor.dispatchEvent(new Event("input", { bubbles: true }));
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Send the promise",
            trigger: `${OVERDUE_ROW} form.o_receivable_portal_promise button[type=submit]`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page confirms the promise",
            trigger:
                ".o_receivable_portal_message.alert-success:contains(your promise to pay is recorded)",
        },
        {
            content: "The invoice now shows the payment promised",
            trigger: ".o_receivable_portal_items .o_receivable_portal_state:contains(Payment promised)",
        },
    ],
});
