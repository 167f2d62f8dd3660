import { deserializeDate, formatDate } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { formatMonetary } from "@web/views/fields/formatters";
import { ReceivableScreen } from "./receivable_screen";

/**
 * "Cash-in Forecast": the expected cash-in of the current company at a date, Overdue apart,
 * the 13 weeks with their cumulative, then Later. Read-only end to end: one call to
 * receivable.cash.forecast.get_forecast_data (@api.readonly) brings each period with the
 * window action of its receivable items (a click opens them); the spreadsheet comes from
 * get_forecast_xlsx, read-only too.
 */
export class CashForecast extends ReceivableScreen {
    static template = "account_receivable_control.CashForecast";
    static endpoints = {
        model: "receivable.cash.forecast",
        data: "get_forecast_data",
        xlsx: "get_forecast_xlsx",
    };

    setup() {
        super.setup();
        this.company = user.activeCompany;
    }

    /** The periods with the cumulative of the weeks (the overdue and Later are apart). */
    get rows() {
        let cumulative = 0;
        return this.state.data.map((slot) => {
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
        return this.state.data.reduce((total, slot) => total + slot.amount, 0);
    }

    /** Width in % of the largest amount, for the bars. */
    barWidth(amount) {
        const max = Math.max(0, ...this.state.data.map((slot) => Math.abs(slot.amount)));
        return max ? Math.max(1, (Math.abs(amount) / max) * 100) : 0;
    }

    money(value) {
        return formatMonetary(value || 0, { currencyId: this.company.currency_id });
    }

    day(value) {
        return value ? formatDate(deserializeDate(value)) : "";
    }
}

registry.category("actions").add("account_receivable_control.cash_forecast", CashForecast);
