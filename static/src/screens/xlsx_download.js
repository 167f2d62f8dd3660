import { downloadFile } from "@web/core/network/download";

/**
 * Save a spreadsheet as the module's read-only endpoints return it ({name, mimetype, content}
 * with the content in base64): built on the replica when there is one, stored nowhere.
 */
export function downloadXlsx({ name, mimetype, content }) {
    const bytes = Uint8Array.from(atob(content), (char) => char.charCodeAt(0));
    return downloadFile(new Blob([bytes], { type: mimetype }), name, mimetype);
}
