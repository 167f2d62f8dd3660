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

# The last release: the most recent version tag (19.0.x.y.z, set on the commit shipped) reachable
# from this checkout and not on it (override with UPGRADE_FROM=<git ref>); empty outside a git
# checkout or without tags.
previous_release() {
    local head
    [ -n "${UPGRADE_FROM:-}" ] && { echo "${UPGRADE_FROM}"; return; }
    head="$(git -C "${REPO_DIR}" rev-parse -q --verify HEAD 2>/dev/null)" || return 0
    git -C "${REPO_DIR}" tag --list '19.0.*' --merged HEAD --sort=-v:refname \
        | while read -r tag; do
            if [ "$(git -C "${REPO_DIR}" rev-parse "${tag}^{commit}")" != "${head}" ]; then
                echo "${tag}"
                break
            fi
        done
}

# A database installed with the last release's code, then updated with this checkout's: the
# update (its migrations, its views checked against what the database holds) must log no
# ERROR and no WARNING of ours, as an installation upgrading in production would.
upgrade_from_previous_release() {
    local db="${DB}_upgrade" ref old
    ref="$(previous_release)"
    if [ -z "${ref}" ]; then
        log "no previous release to upgrade from (no version tag): upgrade check skipped"
        return
    fi
    old="${WORK}/previous"
    mkdir -p "${old}/src" "${old}/addons"
    git -C "${REPO_DIR}" archive "${ref}" | tar -x -C "${old}/src"
    ln -sfn "${old}/src" "${old}/addons/${MODULE}"
    fresh_database "${db}"
    log "odoo -d ${db} -i ${MODULE} at the previous release ${ref}"
    odoo_cmd -d "${db}" --addons-path="${old}/addons,${ADDONS_PATH#*,}" -i "${MODULE}" \
        --stop-after-init --log-level=warn --http-interface=127.0.0.1 \
        --logfile="${WORK}/upgrade.log" || { cat "${WORK}/upgrade.log"; exit 1; }
    rm -f "${WORK}/upgrade.log"
    log "odoo -d ${db} -u ${MODULE} with this checkout"
    odoo_cmd -d "${db}" --addons-path="${ADDONS_PATH}" -u "${MODULE}" \
        --stop-after-init --log-level=warn --http-interface=127.0.0.1 \
        --logfile="${WORK}/upgrade.log" || { cat "${WORK}/upgrade.log"; exit 1; }
    if grep -E " (ERROR|CRITICAL) |WARNING .*${MODULE}" "${WORK}/upgrade.log"; then
        log "the update from the previous release logged an error or a warning"
        exit 1
    fi
    dropdb --if-exists "${db}"
}

# The module, then Sales, Inventory and the bridges (the bridges are auto_install: named
# anyway, so a broken dependency fails here instead of leaving them out silently).
fresh_database "${DB}"
install_cleanly "${DB}" "${MODULE},sale,sale_stock,$(IFS=,; echo "${BRIDGE_MODULES[*]}")"
# The queue bridge's database: the module with queue_job, from PyPI (ensure_queue_job).
fresh_database "${QUEUE_DB}"
install_cleanly "${QUEUE_DB}" "${MODULE},queue_job,${QUEUE_BRIDGE}"

upgrade_from_previous_release

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
