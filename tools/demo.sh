#!/usr/bin/env bash
# `make demo`: a Belgian demo company with 18 months of receivables, served at
# http://localhost:${DEMO_PORT}/odoo?db=${DEMO_DB} (printed once Odoo answers there).
#
# First run: creates the database, sets the company in Belgium (EUR), installs account, the
# Belgian chart of accounts (l10n_be), the module, Sales, Inventory and the module's bridges
# (bridges/: credit checks on quotations and deliveries), loads French and Dutch, sets the admin
# password to `admin` and runs tools/demo_data.py. Later runs reuse the database: they update
# the module and its bridges (installing Sales and the bridges on a database made without
# them), generate the data only if a previous run stopped before it was done, and serve.
#
# Every run also starts a local mail catcher (tools/smtp_catcher.py) set as the database's
# outgoing mail server: what Odoo sends is saved as .eml files in DEMO_MAILBOX, never delivered.
#
# Environment: DEMO_DB (receivable_demo), DEMO_PORT (8069), DEMO_SEED (42),
# DEMO_LANGS (fr_BE,fr_FR,nl_BE), DEMO_INTERFACE (127.0.0.1; 0.0.0.0 to reach the server from
# outside a container), DEMO_SMTP_PORT (2525), DEMO_MAILBOX (/tmp/receivable_demo_mail),
# PYTHON (python3, the interpreter that imports Odoo; tools/common.sh).
source "$(dirname "$0")/common.sh"

DB="${DEMO_DB:-receivable_demo}"
PORT="${DEMO_PORT:-8069}"
SEED="${DEMO_SEED:-42}"
INTERFACE="${DEMO_INTERFACE:-127.0.0.1}"
SMTP_PORT="${DEMO_SMTP_PORT:-2525}"
MAILBOX="${DEMO_MAILBOX:-/tmp/receivable_demo_mail}"
# The first language becomes the default language of new partners (a Brussels company).
LANGS="${DEMO_LANGS:-fr_BE,fr_FR,nl_BE}"
# ir.config_parameter keys written once a step is done (the generator writes the second one).
SETUP_MARKER="account_receivable_control.demo_setup_done"
# The module's bridges, and the Odoo apps they extend.
BRIDGES="$(IFS=,; echo "${BRIDGE_MODULES[*]}")"
SALES_MODULES="sale,sale_stock,${BRIDGES}"
DATA_MARKER="account_receivable_control.demo_data_seed"

require_odoo
ensure_postgres
ensure_wkhtmltopdf
ensure_module_requirements
# account_peppol, auto-installed with l10n_be, declares phonenumbers as an external dependency
# that Odoo's requirements.txt does not list.
if ! "${PYTHON}" -c "import phonenumbers" >/dev/null 2>&1; then
    log "installing the Python package phonenumbers (needed by account_peppol)"
    "${PYTHON}" -m pip install -q phonenumbers
fi
if ! "${PYTHON}" -c "import aiosmtpd" >/dev/null 2>&1; then
    log "installing the Python package aiosmtpd (the demo's mail catcher)"
    "${PYTHON}" -m pip install -q -r "${REPO_DIR}/tools/requirements-demo.txt"
fi
ADDONS_PATH="$(odoo_addons_path)"

psql_db() { psql -X -q -tA -d "$1" -c "$2"; }

db_exists() {
    [ "$(psql_db postgres "SELECT 1 FROM pg_database WHERE datname = '${DB}'")" = "1" ]
}

# Value of a system parameter, empty when the table or the key is missing.
param() {
    psql_db "${DB}" "SELECT value FROM ir_config_parameter WHERE key = '$1'" 2>/dev/null || true
}

odoo_setup() {
    odoo_cmd -d "${DB}" --addons-path="${ADDONS_PATH}" --stop-after-init \
        --log-level=warn --http-interface=127.0.0.1 "$@"
}

# Runs python code inside `odoo shell` (which rolls back unless the script commits).
odoo_shell() {
    odoo_cmd shell -d "${DB}" --addons-path="${ADDONS_PATH}" --log-level=warn --no-http
}

setup_database() {
    if ! db_exists; then
        log "creating the database ${DB} (base, languages ${LANGS})"
        odoo_setup -i base --load-language="${LANGS}"
    fi

    # The country must be Belgium before l10n_be is installed: a localisation installed on a
    # company without chart of accounts and in its country loads its chart there (be_comp).
    log "setting the company in Belgium (EUR) and the admin password"
    odoo_shell <<'PY'
eur = env.ref("base.EUR")
eur.active = True
company = env.ref("base.main_company")
vals = {
    "name": "Lumen Office Supplies SRL",
    "street": "Rue de la Loi 42",
    "zip": "1040",
    "city": "Etterbeek",
    "country_id": env.ref("base.be").id,
    "email": "accounting@lumen-office.example.com",
    "phone": "+32 2 555 12 34",
}
if not env["ir.module.module"].search_count([("name", "=", "account"), ("state", "=", "installed")]):
    # The currency of a company with journal items cannot change any more.
    vals["currency_id"] = eur.id
company.write(vals)
admin = env.ref("base.user_admin")
# Creating a database with other languages leaves English inactive: the interface stays in
# English, customers get their own languages (some of them English too).
env["res.lang"]._activate_lang("en_US")
admin.write({"password": "admin", "lang": "en_US", "tz": "Europe/Brussels"})
env.cr.commit()
PY

    log "installing account, l10n_be, ${MODULE}, Sales, Inventory and the bridges"
    odoo_setup -i "account,l10n_be,${MODULE},${SALES_MODULES}"

    log "checking the Belgian chart of accounts"
    odoo_shell <<'PY'
company = env.ref("base.main_company")
if company.chart_template != "be_comp":
    env["account.chart.template"].try_loading("be_comp", company)
    company.invalidate_recordset()
assert company.chart_template == "be_comp", company.chart_template
assert company.currency_id == env.ref("base.EUR"), company.currency_id.name
env["ir.config_parameter"].set_param("account_receivable_control.demo_setup_done", "1")
env.cr.commit()
print(f"chart {company.chart_template}, currency {company.currency_id.name}")
PY
}

started=${SECONDS}
if db_exists && [ "$(param "${SETUP_MARKER}")" = "1" ]; then
    log "reusing the database ${DB}"
    last_bridge="${BRIDGE_MODULES[-1]}"
    if [ "$(psql_db "${DB}" "SELECT state FROM ir_module_module WHERE name = '${last_bridge}'")" != "installed" ]; then
        log "installing Sales, Inventory and the bridges (a database made without them)"
        odoo_setup -i "${SALES_MODULES}"
    fi
    UPDATE=(-u "${MODULE},${BRIDGES}")
else
    setup_database
    UPDATE=()
fi

if [ -z "$(param "${DATA_MARKER}")" ]; then
    log "generating the demo receivables (seed ${SEED})"
    "${PYTHON}" "${REPO_DIR}/tools/demo_data.py" -d "${DB}" --addons-path="${ADDONS_PATH}" \
        --seed "${SEED}"
else
    log "demo receivables already generated (seed $(param "${DATA_MARKER}"))"
fi

# Belgian rules on the shipped policies, the standard B2B policy as the company default and the
# consumer policy on the private individuals, so the nightly dunning run has customers to remind
# (only what is still empty is set: tools/demo_data.py setup_policies, also run by the generator).
log "credit policies: Belgian legal profiles, Standard B2B default, B2C for individuals"
TOOLS_DIR="${REPO_DIR}/tools" odoo_shell <<'PY'
import os
import sys

sys.path.insert(0, os.environ["TOOLS_DIR"])
import demo_data

demo_data.setup_policies(env)
env.cr.commit()
PY

# Two quotations of a customer on credit hold (Sales → Quotations): a salesperson's Confirm is
# refused, a Credit Manager's asks the reason of the override (once: also run by the generator,
# here for a database generated before the bridges).
log "sales: quotations of a customer on credit hold"
TOOLS_DIR="${REPO_DIR}/tools" odoo_shell <<'PY'
import os
import sys

sys.path.insert(0, os.environ["TOOLS_DIR"])
import demo_data

orders = demo_data.create_held_quotations(env)
env.cr.commit()
if orders:
    print(f"created {', '.join(orders.mapped('name'))} for {orders.partner_id.name}")
PY

# ------------------------------------------------------------------------------------------
# Mail catcher: a local SMTP server saving every email as a .eml file, the database's only
# outgoing mail server. Started in the background, stopped when this script exits.
# ------------------------------------------------------------------------------------------
log "outgoing mail server: the catcher on 127.0.0.1:${SMTP_PORT}"
SMTP_PORT="${SMTP_PORT}" odoo_shell <<'PY'
import os

port = int(os.environ["SMTP_PORT"])
vals = {
    "name": "Demo mail catcher",
    "smtp_host": "127.0.0.1",
    "smtp_port": port,
    "smtp_encryption": "none",
    "smtp_authentication": "login",
    "smtp_user": False,
    "smtp_pass": False,
    "from_filter": False,
    "sequence": 1,
    "active": True,
}
servers = env["ir.mail_server"].with_context(active_test=False)
catcher = servers.search([("name", "=", vals["name"])], limit=1)
if catcher:
    catcher.write(vals)
else:
    catcher = servers.create(vals)
# The catcher is the only server: no email of the demo may leave the machine.
(servers.search([]) - catcher).write({"active": False})
env.cr.commit()
PY

catcher_pid=""
odoo_pid=""
stop_demo() {
    if [ -n "${odoo_pid}" ]; then
        # Ctrl-C reached Odoo too: let it shut down by itself before asking it to stop.
        for _ in $(seq 30); do
            kill -0 "${odoo_pid}" 2>/dev/null || break
            sleep 0.1
        done
        kill "${odoo_pid}" 2>/dev/null || true
        wait "${odoo_pid}" 2>/dev/null || true
    fi
    if [ -n "${catcher_pid}" ]; then
        kill "${catcher_pid}" 2>/dev/null || true
        wait "${catcher_pid}" 2>/dev/null || true
    fi
}
trap stop_demo EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if (exec 3<>"/dev/tcp/127.0.0.1/${SMTP_PORT}") 2>/dev/null; then
    log "ERROR: port ${SMTP_PORT} is taken (another make demo?): set DEMO_SMTP_PORT to a free port"
    exit 1
fi
mkdir -p "${MAILBOX}"
"${PYTHON}" -u "${REPO_DIR}/tools/smtp_catcher.py" --host 127.0.0.1 --port "${SMTP_PORT}" \
    --mailbox "${MAILBOX}" &
catcher_pid=$!
for _ in $(seq 50); do
    if ! kill -0 "${catcher_pid}" 2>/dev/null; then
        log "ERROR: the mail catcher did not start on port ${SMTP_PORT} (see its error above)"
        exit 1
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/${SMTP_PORT}") 2>/dev/null && break
    sleep 0.1
done

# The address to open: this machine's name for the interfaces that include the loopback.
case "${INTERFACE}" in
    127.0.0.1 | 0.0.0.0 | localhost | "") HOST=localhost ;;
    *) HOST="${INTERFACE}" ;;
esac
URL="http://${HOST}:${PORT}/odoo?db=${DB}"
if (exec 3<>"/dev/tcp/${HOST}/${PORT}") 2>/dev/null; then
    log "ERROR: port ${PORT} is taken (another Odoo, another make demo?): set DEMO_PORT to a free port"
    exit 1
fi

log "prepared in $((SECONDS - started)) s; starting Odoo on ${INTERFACE}:${PORT}"
# Not exec: this shell stays to stop the catcher with Odoo. Odoo runs in the background so
# that a signal to this shell is handled at once (bash defers traps during a foreground job).
"${PYTHON}" -m odoo -d "${DB}" --addons-path="${ADDONS_PATH}" "${UPDATE[@]}" \
    --http-interface="${INTERFACE}" --http-port="${PORT}" --db-filter="^${DB}\$" &
odoo_pid=$!
# True once Odoo serves its login page (it listens before its registry is loaded and updated).
odoo_ready() {
    (
        exec 3<>"/dev/tcp/${HOST}/${PORT}" || exit 1
        printf 'GET /web/login HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "${HOST}" "${PORT}" >&3
        read -r -t 60 _ status _ <&3 && [ "${status}" = "200" ]
    ) 2>/dev/null
}
# The address once Odoo answers, after its start-up log (the update may take a minute).
while kill -0 "${odoo_pid}" 2>/dev/null; do
    if odoo_ready; then
        log "Odoo is ready: open ${URL}  (login admin, password admin)"
        log "emails sent by Odoo are caught, not delivered: one .eml file each in ${MAILBOX}"
        log "  list them: ls -lt ${MAILBOX}   raw: cat ${MAILBOX}/<file>.eml"
        log "  decoded: ${PYTHON} tools/smtp_catcher.py --show ${MAILBOX}/<file>.eml"
        log "screenshots of the README from this database, in another terminal:"
        log "  DEMO_DB=${DB} DEMO_PORT=${PORT} make screenshots"
        break
    fi
    sleep 0.5
done
wait "${odoo_pid}"
