import { Component, onWillStart, useState } from "@odoo/owl";
import { DateTimeInput } from "@web/core/datetime/datetime_input";
import { deserializeDate, formatDate, serializeDate } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { KeepLast } from "@web/core/utils/concurrency";
import { useService } from "@web/core/utils/hooks";
import { formatMonetary } from "@web/views/fields/formatters";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { downloadXlsx } from "./xlsx_download";

/**
 * "Cash-in Forecast": the expected cash-in of the current company at a date, Overdue apart,
 * the 13 weeks with their cumulative, then Later. Read-only end to end: one call to
 * receivable.cash.forecast.get_forecast_data (@api.readonly, on the replica when there is one)
 * brings each period with the window action of its receivable items (a click opens them), and
 * the spreadsheet comes from get_forecast_xlsx, read-only too.
 */
export class CashForecast extends Component {
    static template = "account_receivable_control.CashForecast";
    static components = { DateTimeInput };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.keepLast = new KeepLast();
        this.company = user.activeCompany;
        this.state = useState({ date: luxon.DateTime.local().startOf("day"), slots: null });
        onWillStart(() => this.load());
    }

    get params() {
        return { date: serializeDate(this.state.date) };
    }

    async load() {
        this.state.slots = await this.keepLast.add(
            this.orm.call("receivable.cash.forecast", "get_forecast_data", [], this.params)
        );
    }

    async onDateChange(date) {
        if (date) {
            this.state.date = date;
            await this.load();
        }
    }

    /** The periods with the cumulative of the weeks (the overdue and Later are apart). */
    get rows() {
        let cumulative = 0;
        return this.state.slots.map((slot) => {
            const isWeek = slot.key.startsWith("week_");
            cumulative += isWeek ? slot.amount : 0;
            return {
                ...slot,
                overdue: slot.key === "overdue",
                later: slot.key === "later",
                cumulative: isWeek ? cumulative : null,
            };
        });
    }

    get total() {
        return this.state.slots.reduce((total, slot) => total + slot.amount, 0);
    }

    /** Width in % of the largest amount, for the bars. */
    barWidth(amount) {
        const max = Math.max(0, ...this.state.slots.map((slot) => Math.abs(slot.amount)));
        return max ? Math.max(1, (Math.abs(amount) / max) * 100) : 0;
    }

    money(value) {
        return formatMonetary(value || 0, { currencyId: this.company.currency_id });
    }

    day(value) {
        return value ? formatDate(deserializeDate(value)) : "";
    }

    open(action) {
        if (action) {
            this.actionService.doAction(action);
        }
    }

    async exportXlsx() {
        const file = await this.orm.call(
            "receivable.cash.forecast",
            "get_forecast_xlsx",
            [],
            this.params
        );
        await downloadXlsx(file);
    }
}

registry.category("actions").add("account_receivable_control.cash_forecast", CashForecast);
