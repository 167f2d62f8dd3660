#!/usr/bin/env bash
# Shared helpers of the developer scripts: find Odoo, prepare PostgreSQL, build the addons path.
# Sourced by tools/test.sh and tools/demo.sh; never installs Odoo itself.
set -euo pipefail

MODULE=account_receivable_control
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Odoo loads the module under its technical name: a folder holding a link of that name.
ADDONS_LINK_DIR="${REPO_DIR}/.addons"
MODULE_LINK="${ADDONS_LINK_DIR}/${MODULE}"
# The bridge modules (sales, deliveries, online payment): an addons folder of the repository.
BRIDGES_DIR="${REPO_DIR}/bridges"
BRIDGE_MODULES=(
    account_receivable_control_sale
    account_receivable_control_sale_stock
    account_receivable_control_payment
)
PYTHON="${PYTHON:-python3}"

log() { printf '\033[1m[%s]\033[0m %s\n' "${MODULE}" "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

require_odoo() {
    if ! "${PYTHON}" -c "import odoo.release as r; assert r.version_info[0] == 19" >/dev/null 2>&1; then
        cat >&2 <<'MSG'
ERROR: Odoo 19.0 is required: `python3 -c "import odoo"` must find Odoo 19.0.
Install Odoo 19.0 from source as the upstream documentation explains
(https://www.odoo.com/documentation/19.0/administration/on_premise/source.html):
  git clone --depth 1 --branch 19.0 https://github.com/odoo/odoo.git
  pip install -r odoo/requirements.txt && pip install -e ./odoo
then run this command again.
MSG
        exit 2
    fi
}

# Odoo's standard addons: the `addons` folder beside the `odoo` package of a source
# install; packaged installs keep them inside odoo/addons, which Odoo always adds itself.
odoo_addons_path() {
    local core
    core="$("${PYTHON}" - <<'PY'
import os, odoo
root = os.path.dirname(list(odoo.__path__)[0])
path = os.path.join(root, "addons")
print(path if os.path.isdir(os.path.join(path, "account")) else "")
PY
)"
    mkdir -p "${ADDONS_LINK_DIR}"
    ln -sfn "${REPO_DIR}" "${MODULE_LINK}"
    if [ -n "${core}" ]; then
        echo "${ADDONS_LINK_DIR},${BRIDGES_DIR},${core}"
    else
        echo "${ADDONS_LINK_DIR},${BRIDGES_DIR}"
    fi
}

# The queue_job bridge, tested in a database of its own with OCA's queue_job: there the crons
# enqueue jobs, where the module's own tests expect them to do the night's work themselves.
QUEUE_BRIDGE=account_receivable_control_queue
# OCA's queue_job (PyPI wheel odoo-addon-queue_job), which the queue bridge depends on: unpacked
# in a cache folder of its own, never in site-packages (its odoo/addons folder would shadow the
# Odoo source install); prints the addons folder to add to the addons path.
QUEUE_JOB_REQUIREMENT="odoo-addon-queue_job==19.0.*"
QUEUE_JOB_DIR="${XDG_CACHE_HOME:-${HOME}/.cache}/${MODULE}/oca"
ensure_queue_job() {
    if [ ! -f "${QUEUE_JOB_DIR}/odoo/addons/queue_job/__manifest__.py" ]; then
        log "fetching queue_job (${QUEUE_JOB_REQUIREMENT}) into ${QUEUE_JOB_DIR}" >&2
        # Unpacked aside then moved: a run at the same time never sees half a folder.
        local unpacked="${QUEUE_JOB_DIR}.$$"
        rm -rf "${unpacked}"
        "${PYTHON}" -m pip install -q --no-deps --target "${unpacked}" \
            "${QUEUE_JOB_REQUIREMENT}" >&2
        rm -rf "${QUEUE_JOB_DIR}"
        mv "${unpacked}" "${QUEUE_JOB_DIR}"
    fi
    # Its Python dependencies (manifest external_dependencies), installed as usual.
    if ! "${PYTHON}" -c "import openupgradelib, requests" >/dev/null 2>&1; then
        log "installing queue_job's Python requirements" >&2
        "${PYTHON}" -m pip install -q openupgradelib requests >&2
    fi
    echo "${QUEUE_JOB_DIR}/odoo/addons"
}

apt_install() {
    log "installing Debian packages: $*"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# PostgreSQL from Debian, started, with a superuser role for the current user.
ensure_postgres() {
    if ! command -v pg_lsclusters >/dev/null 2>&1; then
        apt_install postgresql postgresql-client
    fi
    local version cluster status
    if [ -z "$(pg_lsclusters -h)" ]; then
        version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
        as_root pg_createcluster "${version}" main >/dev/null
    fi
    read -r version cluster _ status _ <<<"$(pg_lsclusters -h | head -1)"
    if [ "${status}" != "online" ]; then
        log "starting PostgreSQL ${version}/${cluster}"
        as_root pg_ctlcluster "${version}" "${cluster}" start
    fi
    local me
    me="$(id -un)"
    if ! as_root su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='${me}'\"" | grep -q 1; then
        as_root su postgres -c "createuser --superuser '${me}'"
    fi
}

# wkhtmltopdf renders the PDF reports (the dunning letters); without it Odoo falls back to HTML.
ensure_wkhtmltopdf() {
    if ! command -v wkhtmltopdf >/dev/null 2>&1; then
        apt_install wkhtmltopdf
    fi
}

# The module's own Python dependencies (manifest external_dependencies), from requirements.txt.
ensure_module_requirements() {
    if ! "${PYTHON}" -c "import holidays, xlsxwriter" >/dev/null 2>&1; then
        log "installing the module's Python requirements"
        "${PYTHON}" -m pip install -q -r "${REPO_DIR}/requirements.txt"
    fi
}

odoo_cmd() {
    "${PYTHON}" -m odoo "$@"
}
