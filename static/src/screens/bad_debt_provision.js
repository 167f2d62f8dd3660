import { Component, onWillStart, useState } from "@odoo/owl";
import { DateTimeInput } from "@web/core/datetime/datetime_input";
import { serializeDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { KeepLast } from "@web/core/utils/concurrency";
import { useService } from "@web/core/utils/hooks";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { downloadXlsx } from "./xlsx_download";

/**
 * "Bad-Debt Provision": the proposed provision of a company at a date, a row per customer
 * with a positive balance (its bucket amounts, credits set off against the oldest), the rate
 * of each bucket, the totals. Read-only end to end: receivable.provision.wizard.
 * get_provision_data (@api.readonly, on the replica when there is one) brings the figures and
 * the window of the aged receivables at the date (a customer's row opens its own), and the
 * spreadsheet comes from get_provision_xlsx, read-only too.
 */
export class BadDebtProvision extends Component {
    static template = "account_receivable_control.BadDebtProvision";
    static components = { DateTimeInput };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.keepLast = new KeepLast();
        // The companies the user works in now, as the wizard offered them.
        this.companies = user.activeCompanies;
        this.today = luxon.DateTime.local().startOf("day");
        this.state = useState({ date: this.today, companyId: user.activeCompany.id, data: null });
        onWillStart(() => this.load());
    }

    get params() {
        return { date: serializeDate(this.state.date), company: this.state.companyId };
    }

    async load() {
        this.state.data = await this.keepLast.add(
            this.orm.call("receivable.provision.wizard", "get_provision_data", [], this.params)
        );
    }

    async onDateChange(date) {
        if (date) {
            this.state.date = date;
            await this.load();
        }
    }

    async onCompanyChange(event) {
        this.state.companyId = parseInt(event.target.value);
        await this.load();
    }

    /** The total of each bucket column. */
    get bucketTotals() {
        const { buckets, lines } = this.state.data;
        return buckets.map((bucket, index) =>
            lines.reduce((total, line) => total + line.amounts[index], 0)
        );
    }

    money(value) {
        return formatMonetary(value || 0, { currencyId: this.state.data.currency_id });
    }

    rate(value) {
        return `${formatFloat(value * 100, { digits: [false, 2] })} %`;
    }

    /** The aged receivables at the date of ``lines``' customers (the provisioned ones: their
     * total is the balance shown). */
    openAging(lines, name) {
        const action = this.state.data.action;
        const partnerIds = lines.map((line) => line.partner_id);
        this.actionService.doAction({
            ...action,
            name: name || action.name,
            domain: [...(action.domain || []), ["partner_id", "in", partnerIds]],
        });
    }

    openCustomer(line) {
        this.openAging([line], _t("%(customer)s: aged receivables", { customer: line.partner_name }));
    }

    async exportXlsx() {
        const file = await this.orm.call(
            "receivable.provision.wizard",
            "get_provision_xlsx",
            [],
            this.params
        );
        await downloadXlsx(file);
    }
}

registry.category("actions").add("account_receivable_control.bad_debt_provision", BadDebtProvision);
