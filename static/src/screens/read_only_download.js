import { download } from "@web/core/network/download";

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
