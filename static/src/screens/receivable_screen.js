import { Component, onWillStart, useState } from "@odoo/owl";
import { DateTimeInput } from "@web/core/datetime/datetime_input";
import { serializeDate } from "@web/core/l10n/dates";
import { KeepLast } from "@web/core/utils/concurrency";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { downloadXlsx } from "./xlsx_download";

/**
 * A read-only screen at a date: its figures come from one @api.readonly method and its
 * spreadsheet from another (``static endpoints = { model, data, xlsx }``), both run on the
 * replica when there is one; every figure opens its records with a window action (a read too).
 */
export class ReceivableScreen extends Component {
    static components = { DateTimeInput };
    static props = { ...standardActionServiceProps };
    static endpoints = null;

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        // A slow answer for a date the user has since changed never replaces the newer one.
        this.keepLast = new KeepLast();
        this.today = luxon.DateTime.local().startOf("day");
        this.state = useState({ date: this.today, data: null, ...this.initialState() });
        onWillStart(() => this.load());
    }

    initialState() {
        return {};
    }

    /** The arguments of both endpoints. */
    get params() {
        return { date: serializeDate(this.state.date) };
    }

    async load() {
        const { model, data } = this.constructor.endpoints;
        this.state.data = await this.keepLast.add(this.orm.call(model, data, [], this.params));
    }

    async onDateChange(date) {
        if (date) {
            this.state.date = date;
            await this.load();
        }
    }

    open(action) {
        if (action) {
            this.actionService.doAction(action);
        }
    }

    async exportXlsx() {
        const { model, xlsx } = this.constructor.endpoints;
        await downloadXlsx(await this.orm.call(model, xlsx, [], this.params));
    }
}
