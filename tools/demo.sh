#!/usr/bin/env bash
# `make demo`: a Belgian demo company with 18 months of receivables, served at http://localhost:8069.
#
# First run: creates the database, sets the company in Belgium (EUR), installs account, the
# Belgian chart of accounts (l10n_be) and the module, loads French and Dutch, sets the admin
# password to `admin` and runs tools/demo_data.py. Later runs reuse the database: they update
# the module, generate the data only if a previous run stopped before it was done, and serve.
#
# Environment: DEMO_DB (receivable_demo), DEMO_PORT (8069), DEMO_SEED (42), DEMO_LANGS,
# DEMO_INTERFACE (127.0.0.1; 0.0.0.0 to reach the server from outside a container).
source "$(dirname "$0")/common.sh"

DB="${DEMO_DB:-receivable_demo}"
PORT="${DEMO_PORT:-8069}"
SEED="${DEMO_SEED:-42}"
INTERFACE="${DEMO_INTERFACE:-127.0.0.1}"
# The first language becomes the default language of new partners (a Brussels company).
LANGS="${DEMO_LANGS:-fr_BE,fr_FR,nl_BE}"
# ir.config_parameter keys written once a step is done (the generator writes the second one).
SETUP_MARKER="account_receivable_control.demo_setup_done"
DATA_MARKER="account_receivable_control.demo_data_seed"

require_odoo
ensure_postgres
# account_peppol, auto-installed with l10n_be, declares phonenumbers as an external dependency
# that Odoo's requirements.txt does not list.
if ! "${PYTHON}" -c "import phonenumbers" >/dev/null 2>&1; then
    log "installing the Python package phonenumbers (needed by account_peppol)"
    "${PYTHON}" -m pip install -q phonenumbers
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

    log "installing account, l10n_be and ${MODULE}"
    odoo_setup -i "account,l10n_be,${MODULE}"

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
    UPDATE=(-u "${MODULE}")
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

log "prepared in $((SECONDS - started)) s; serving http://localhost:${PORT} (login admin, password admin)"
exec "${PYTHON}" -m odoo -d "${DB}" --addons-path="${ADDONS_PATH}" "${UPDATE[@]}" \
    --http-interface="${INTERFACE}" --http-port="${PORT}" --db-filter="^${DB}\$"
