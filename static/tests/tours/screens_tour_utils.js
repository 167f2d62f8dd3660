/**
 * Check in the browser's resource timings that the page sent one GET request to ``route``
 * whose query holds each of ``params`` and got the file (status 200): the dialogs of the
 * read-only screens download with XMLHttpRequest, which the timings record.
 */
export function assertDownloaded(route, params) {
    const requests = performance
        .getEntriesByType("resource")
        .filter((entry) => new URL(entry.name).pathname === route);
    if (requests.length !== 1) {
        throw new Error(`${requests.length} requests of ${route} instead of one`);
    }
    const [request] = requests;
    const query = new URL(request.name).searchParams;
    for (const [key, pattern] of Object.entries(params)) {
        if (!pattern.test(query.get(key) || "")) {
            throw new Error(`${route}: ${key}=${query.get(key)} does not match ${pattern}`);
        }
    }
    if (request.initiatorType !== "xmlhttprequest") {
        throw new Error(`${route} was requested by ${request.initiatorType}`);
    }
    // Chromium gives the status since version 109.
    if (request.responseStatus !== undefined && request.responseStatus !== 200) {
        throw new Error(`${route} answered ${request.responseStatus}`);
    }
}
