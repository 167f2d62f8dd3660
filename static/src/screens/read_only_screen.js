import { Component } from "@odoo/owl";
import { DateTimeInput } from "@web/core/datetime/datetime_input";
import { download } from "@web/core/network/download";
import { MultiRecordSelector } from "@web/core/record_selectors/multi_record_selector";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

/**
 * The URL of a read-only route of the module with ``params`` in its query string (empty
 * values left out, lists written with commas).
 */
export function readOnlyUrl(path, params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
        const text = Array.isArray(value) ? value.join(",") : value;
        if (text !== undefined && text !== null && text !== false && text !== "") {
            query.set(key, String(text));
        }
    }
    const search = query.toString();
    return search ? `${path}?${search}` : path;
}

/**
 * Download the file of ``url`` with a GET request. The screens' files come from read-only GET
 * routes (served by the read replica when there is one, controllers/screens.py); Odoo's
 * ``download`` posts unless it is given a form, whose method it uses. A refused request
 * rejects the promise with the server's error (shown by the error dialog).
 */
export function downloadReadOnly(url) {
    const form = document.createElement("form");
    form.method = "GET";
    form.action = url;
    return download({ form, url });
}

/**
 * A screen that only reads: a client action opened in a dialog (target "new"), with the
 * options of a file downloaded from a read-only route. Its context is the action's (the
 * records it opens from: ``active_model``, ``active_ids``).
 */
export class ReadOnlyScreen extends Component {
    static components = { DateTimeInput, MultiRecordSelector };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.context = this.props.action.context || {};
    }

    /** The commercial entities of the customers ``partnerIds``, without duplicates. */
    async commercialPartnerIds(partnerIds) {
        if (!partnerIds.length) {
            return [];
        }
        const partners = await this.orm.read("res.partner", partnerIds, ["commercial_partner_id"]);
        return [...new Set(partners.map((partner) => partner.commercial_partner_id[0]))];
    }

    close() {
        this.actionService.doAction({ type: "ir.actions.act_window_close" });
    }
}
