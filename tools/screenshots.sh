#!/usr/bin/env bash
# `make screenshots`: the README's screenshots (static/description/screenshots/*.png), taken
# from the demo database with headless Chromium by tools/screenshots.py.
#
# Run `make demo` first (same DEMO_DB). The shots use the Odoo server `make demo` runs on
# DEMO_PORT, or start one there for their time (without crons: nothing is sent).
#
# Environment: DEMO_DB (receivable_demo), DEMO_PORT (8069), SCREENSHOTS_DIR
# (static/description/screenshots).
source "$(dirname "$0")/common.sh"

DB="${DEMO_DB:-receivable_demo}"
PORT="${DEMO_PORT:-8069}"
OUT="${SCREENSHOTS_DIR:-${REPO_DIR}/static/description/screenshots}"

require_odoo
ensure_postgres
ensure_wkhtmltopdf
if ! command -v chromium >/dev/null 2>&1; then
    apt_install chromium
fi
if ! command -v pdftoppm >/dev/null 2>&1; then
    apt_install poppler-utils
fi
if ! "${PYTHON}" -c "import websocket" >/dev/null 2>&1; then
    log "installing the Python package websocket-client (drives Chromium)"
    "${PYTHON}" -m pip install -q -r "${REPO_DIR}/tools/requirements-demo.txt"
fi
if [ "$(psql -X -q -tA -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '${DB}'")" != "1" ]; then
    log "ERROR: no database ${DB}: run \`make demo\` first (with the same DEMO_DB)"
    exit 1
fi

log "screenshots of ${DB} into ${OUT}"
"${PYTHON}" "${REPO_DIR}/tools/screenshots.py" --database "${DB}" --port "${PORT}" \
    --addons-path "$(odoo_addons_path)" --chromium "$(command -v chromium)" --out "${OUT}"
