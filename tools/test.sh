#!/usr/bin/env bash
# `make test`: a fresh database, the module installed then updated (no ERROR, no WARNING of
# ours), and the whole suite run inside real Odoo with pytest-odoo, browser tests included.
source "$(dirname "$0")/common.sh"

require_odoo
ensure_postgres

ensure_module_requirements
if ! "${PYTHON}" -c "import pytest_odoo, openpyxl, freezegun, websocket" >/dev/null 2>&1 \
   || ! command -v ruff >/dev/null 2>&1; then
    log "installing the Python test packages"
    "${PYTHON}" -m pip install -q -r "${REPO_DIR}/tools/requirements-test.txt"
fi
if ! command -v chromium >/dev/null 2>&1; then
    apt_install chromium
fi

"$(dirname "$0")/lint.sh"

# queue_job's folder is on the path of both databases; only the queue one installs it.
ADDONS_PATH="$(odoo_addons_path),$(ensure_queue_job)"
DB="${TEST_DB:-arc_test}"
QUEUE_DB="${DB}_queue"
WORK="$(mktemp -d)"
trap 'rm -rf "${WORK}"' EXIT

fresh_database() {
    log "creating the fresh database $1"
    dropdb --if-exists "$1"
    "${PYTHON}" -c "import shutil; from odoo.tools import config; config.parse_config([]); shutil.rmtree(config.filestore('$1'), ignore_errors=True)" 2>/dev/null || true
}

# Install, then update: both must log no ERROR and no WARNING coming from the modules.
install_cleanly() {
    local db="$1" modules="$2" step
    for step in "-i" "-u"; do
        log "odoo -d ${db} ${step} ${modules}"
        odoo_cmd -d "${db}" --addons-path="${ADDONS_PATH}" "${step}" "${modules}" \
            --stop-after-init --log-level=warn --http-interface=127.0.0.1 \
            --logfile="${WORK}/install.log" || { cat "${WORK}/install.log"; exit 1; }
        if grep -E " (ERROR|CRITICAL) |WARNING .*${MODULE}" "${WORK}/install.log"; then
            log "the module logged an error or a warning during 'odoo ${step}'"
            exit 1
        fi
        rm -f "${WORK}/install.log"
    done
}

# The module, then Sales, Inventory and the bridges (the bridges are auto_install: named
# anyway, so a broken dependency fails here instead of leaving them out silently).
fresh_database "${DB}"
install_cleanly "${DB}" "${MODULE},sale,sale_stock,$(IFS=,; echo "${BRIDGE_MODULES[*]}")"
# The queue bridge's database: the module with queue_job, from PyPI (ensure_queue_job).
fresh_database "${QUEUE_DB}"
install_cleanly "${QUEUE_DB}" "${MODULE},queue_job,${QUEUE_BRIDGE}"

log "running the test suite"
# pytest-odoo names the module after the folder holding __manifest__.py: run from outside the
# checkout and address the tests through the link that carries the module's name (the
# bridges' tests too: bridges/ is no Python package, so each bridge is named after its folder).
cd "${WORK}"
TEST_PATHS=("${MODULE_LINK}/tests")
for bridge in "${BRIDGE_MODULES[@]}"; do
    TEST_PATHS+=("${MODULE_LINK}/bridges/${bridge}/tests")
done
run_tests() {
    local db="$1"
    shift
    "${PYTHON}" -m pytest -p no:cacheprovider --rootdir="${MODULE_LINK}" \
        --odoo-database="${db}" --odoo-addons-path="${ADDONS_PATH}" --odoo-http \
        --odoo-log-level=warn -o log_cli=false "$@"
}
status=0
run_tests "${DB}" "${TEST_PATHS[@]}" "$@" || status=$?
log "running the queue bridge's tests in ${QUEUE_DB}"
run_tests "${QUEUE_DB}" "${MODULE_LINK}/bridges/${QUEUE_BRIDGE}/tests" "$@" || status=$?
exit "${status}"
