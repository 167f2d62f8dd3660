import { Component, onWillStart, useState } from "@odoo/owl";
import { serializeDate, today } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { DateTimeInput } from "@web/core/datetime/datetime_input";
import { MultiRecordSelector } from "@web/core/record_selectors/multi_record_selector";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { browser } from "@web/core/browser/browser";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { downloadReadOnly, readOnlyUrl } from "./read_only_download";

export const STATEMENT_ROUTE = "/account_receivable_control/statement.pdf";

/**
 * "Customer Statement": the statement date and, optionally, the period of the account
 * activity, for the customers the screen opens from (the customer's Statement button, or
 * Actions → Customer Statement… on a selection). Print and Preview render the PDF through a
 * read-only route (the read replica when there is one); nothing is saved. Send by Email opens
 * the composer with these options: sending is a write, on the primary.
 */
export class StatementDialog extends Component {
    static template = "account_receivable_control.StatementDialog";
    static components = { DateTimeInput, MultiRecordSelector };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        const context = this.props.action.context || {};
        const now = today();
        this.state = useState({
            partnerIds: [],
            date: now,
            includeActivity: false,
            dateFrom: now.startOf("month").minus({ months: 1 }),
            dateTo: now,
            busy: false,
        });
        onWillStart(() => this.loadCustomers(context));
    }

    /** The commercial entities of the customers the screen opens from. */
    async loadCustomers(context) {
        if (context.active_model !== "res.partner" || !context.active_ids?.length) {
            return;
        }
        const partners = await this.orm.read("res.partner", context.active_ids, [
            "commercial_partner_id",
        ]);
        this.state.partnerIds = [
            ...new Set(partners.map((partner) => partner.commercial_partner_id[0])),
        ];
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

    close() {
        this.actionService.doAction({ type: "ir.actions.act_window_close" });
    }
}

registry.category("actions").add("account_receivable_control.statement", StatementDialog);
