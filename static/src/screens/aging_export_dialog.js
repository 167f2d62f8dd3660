import { onWillStart, useState } from "@odoo/owl";
import { serializeDate, today } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { downloadReadOnly, ReadOnlyScreen, readOnlyUrl } from "./read_only_screen";

const { DateTime } = luxon;

export const AGED_RECEIVABLES_ROUTE = "/account_receivable_control/aged_receivables.xlsx";

/**
 * "Export Aged Receivables": the options of the spreadsheet (as of, layout, company,
 * customers) in a dialog whose Export downloads the file from a read-only route. Nothing is
 * saved: the screen runs on the read replica when there is one. Opened from the menu, from the
 * aged receivables' list (the customers of the selected lines) and from its Actions menu.
 */
export class AgingExportDialog extends ReadOnlyScreen {
    static template = "account_receivable_control.AgingExportDialog";

    setup() {
        super.setup();
        const context = this.context;
        this.companies = user.activeCompanies;
        this.today = today();
        const asOf = context.receivable_aging_date
            ? DateTime.fromISO(context.receivable_aging_date)
            : this.today;
        this.state = useState({
            date: asOf.isValid ? asOf : this.today,
            layout: "partner",
            companyId: user.activeCompany.id,
            partnerIds: [],
            exporting: false,
        });
        onWillStart(() => this.loadSelectedCustomers(context));
    }

    /** The customers of the aging lines selected when the screen opens from the list. */
    async loadSelectedCustomers(context) {
        if (context.active_model !== "receivable.aging" || !context.active_ids?.length) {
            return;
        }
        const lines = await this.orm.read("receivable.aging", context.active_ids, ["partner_id"], {
            context,
        });
        const partnerIds = lines.filter((line) => line.partner_id).map((line) => line.partner_id[0]);
        this.state.partnerIds = await this.commercialPartnerIds([...new Set(partnerIds)]);
    }

    get layouts() {
        return [
            {
                value: "partner",
                label: _t("By partner"),
                help: _t("One row per customer with its amount in each aging bucket."),
            },
            {
                value: "detail",
                label: _t("Detailed"),
                help: _t("One row per open invoice, credit note or payment."),
            },
        ];
    }

    get url() {
        return readOnlyUrl(AGED_RECEIVABLES_ROUTE, {
            date: serializeDate(this.state.date),
            layout: this.state.layout,
            company_id: this.state.companyId,
            partner_ids: this.state.partnerIds,
        });
    }

    onDateChange(date) {
        if (date) {
            this.state.date = date;
        }
    }

    onCompanyChange(ev) {
        this.state.companyId = parseInt(ev.target.value);
    }

    async export() {
        this.state.exporting = true;
        try {
            await downloadReadOnly(this.url);
        } finally {
            this.state.exporting = false;
        }
        this.close();
    }
}

registry.category("actions").add("account_receivable_control.aging_export", AgingExportDialog);
