import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

/**
 * "Receivables Overview": the collection KPIs with their 12-month trend, the aging by bucket,
 * the top debtors, the amounts by dunning level and the cash-in forecast of the current
 * company. One RPC (receivable.kpi.get_dashboard_data) brings every figure with the window
 * action of its records: a click on any figure opens them.
 */
export class ReceivablesOverview extends Component {
    static template = "account_receivable_control.ReceivablesOverview";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({ data: null });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call("receivable.kpi", "get_dashboard_data", []);
    }

    get data() {
        return this.state.data;
    }

    open(action) {
        if (action) {
            this.actionService.doAction(action);
        }
    }

    money(value) {
        return formatMonetary(value || 0, { currencyId: this.data.currency_id });
    }

    formatKpi(value, unit) {
        if (value === null || value === undefined) {
            return "—";
        }
        switch (unit) {
            case "days":
                return _t("%s d", formatFloat(value, { digits: [false, 1] }));
            case "percent":
                return `${formatFloat(value, { digits: [false, 1] })} %`;
            case "ratio":
                return `${formatFloat(value * 100, { digits: [false, 1] })} %`;
            default:
                return this.money(value);
        }
    }

    /** Bars of a sparkline: height in % of the largest absolute value (null: no bar). */
    sparkline(kpi) {
        const values = kpi.trend || [];
        const max = Math.max(0, ...values.map((value) => Math.abs(value || 0)));
        return values.map((value, index) => ({
            index,
            month: this.data.months[index],
            value,
            height: max && value !== null ? Math.max(4, (Math.abs(value) / max) * 100) : 0,
            title: `${this.data.months[index].label}: ${this.formatKpi(value, kpi.unit)}`,
        }));
    }

    /** Width in % of the largest amount of ``rows``, for the horizontal bars. */
    barWidth(rows, amount) {
        const max = Math.max(0, ...rows.map((row) => Math.abs(row.amount || 0)));
        return max ? Math.max(1, (Math.abs(amount || 0) / max) * 100) : 0;
    }

    get forecastRows() {
        const forecast = this.data.forecast;
        return [
            { key: "overdue", label: _t("Overdue"), ...forecast.overdue, overdue: true },
            ...forecast.weeks.map((week) => ({ key: week.date, ...week })),
        ];
    }
}

registry.category("actions").add("account_receivable_control.receivables_overview", ReceivablesOverview);
