import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";
import { ReceivableScreen } from "./receivable_screen";

/**
 * "Bad-Debt Provision": the proposed provision of a company at a date, a row per customer
 * with a positive balance (its bucket amounts, credits set off against the oldest), the rate
 * of each bucket, the totals. Read-only end to end: receivable.provision.wizard.
 * get_provision_data (@api.readonly) brings the figures and the window of the aged
 * receivables at the date (a customer's row opens its own); the spreadsheet comes from
 * get_provision_xlsx, read-only too.
 */
export class BadDebtProvision extends ReceivableScreen {
    static template = "account_receivable_control.BadDebtProvision";
    static endpoints = {
        model: "receivable.provision.wizard",
        data: "get_provision_data",
        xlsx: "get_provision_xlsx",
    };

    setup() {
        // The companies the user works in now, as the wizard offered them.
        this.companies = user.activeCompanies;
        super.setup();
    }

    initialState() {
        return { companyId: user.activeCompany.id };
    }

    get params() {
        return { ...super.params, company: this.state.companyId };
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
        this.open({
            ...action,
            name: name || action.name,
            domain: [...(action.domain || []), ["partner_id", "in", lines.map((line) => line.partner_id)]],
        });
    }

    openCustomer(line) {
        this.openAging([line], _t("%(customer)s: aged receivables", { customer: line.partner_name }));
    }
}

registry.category("actions").add("account_receivable_control.bad_debt_provision", BadDebtProvision);
