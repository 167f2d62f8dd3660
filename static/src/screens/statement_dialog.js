import { onWillStart, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { serializeDate, today } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { downloadReadOnly, ReadOnlyScreen, readOnlyUrl } from "./read_only_screen";

export const STATEMENT_ROUTE = "/account_receivable_control/statement.pdf";

/**
 * "Customer Statement": the statement date and, optionally, the period of the account
 * activity, for the customers the screen opens from (the customer's Statement button, or
 * Actions → Customer Statement… on a selection). Print and Preview render the PDF through a
 * read-only route (the read replica when there is one); nothing is saved. Send by Email opens
 * the composer with these options: sending is a write, on the primary.
 */
export class StatementDialog extends ReadOnlyScreen {
    static template = "account_receivable_control.StatementDialog";

    setup() {
        super.setup();
        const now = today();
        this.state = useState({
            partnerIds: [],
            date: now,
            includeActivity: false,
            dateFrom: now.startOf("month").minus({ months: 1 }),
            dateTo: now,
            busy: false,
        });
        onWillStart(() => this.loadCustomers(this.context));
    }

    /** The commercial entities of the customers the screen opens from. */
    async loadCustomers(context) {
        if (context.active_model !== "res.partner" || !context.active_ids?.length) {
            return;
        }
        this.state.partnerIds = await this.commercialPartnerIds(context.active_ids);
    }

    /** Why the statement cannot be printed or sent with these options, or "". */
    get problem() {
        if (!this.state.partnerIds.length) {
            return _t("Choose the customers of the statement.");
        }
        if (
            this.state.includeActivity &&
            (!this.state.dateFrom || !this.state.dateTo || this.state.dateFrom > this.state.dateTo)
        ) {
            return _t("The activity period needs a start date before its end date.");
        }
        return "";
    }

    /** The options of the statement report, as the route and the composer take them. */
    get options() {
        const options = { date: serializeDate(this.state.date) };
        if (this.state.includeActivity) {
            options.date_from = serializeDate(this.state.dateFrom);
            options.date_to = serializeDate(this.state.dateTo);
        }
        return options;
    }

    url(download) {
        return readOnlyUrl(STATEMENT_ROUTE, {
            partner_ids: this.state.partnerIds,
            company_id: user.activeCompany.id,
            ...this.options,
            download: download ? 1 : 0,
        });
    }

    async print() {
        this.state.busy = true;
        try {
            await downloadReadOnly(this.url(true));
        } finally {
            this.state.busy = false;
        }
        this.close();
    }

    /** The PDF in a new tab of the browser. */
    preview() {
        browser.open(this.url(false), "_blank");
    }

    async send() {
        const options = this.options;
        await this.actionService.doActionButton({
            type: "object",
            name: "action_send_statement",
            resModel: "res.partner",
            resIds: this.state.partnerIds,
            context: {
                statement_date: options.date,
                statement_from: options.date_from || false,
                statement_to: options.date_to || false,
            },
        });
    }

    setDate(key, value) {
        if (value) {
            this.state[key] = value;
        }
    }
}

registry.category("actions").add("account_receivable_control.statement", StatementDialog);
