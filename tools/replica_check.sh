#!/usr/bin/env bash
# The read-replica check: the screens' reads run on a PostgreSQL hot standby, the writes on
# the primary (README.md, "Scaling → read replica").
#
# In a temporary directory, with PostgreSQL's own tools:
#   1. a primary cluster (initdb) on a loopback port, with wal_level=replica and
#      pg_stat_statements, where the database of the check is created, the module installed
#      and a small ledger written (tools/replica_check.py prepare);
#   2. its hot standby: pg_basebackup -R (standby.signal + primary_conninfo), started on a
#      second loopback port, streaming from the primary;
#   3. Odoo on that database with --db_replica_host/--db_replica_port pointing to the standby
#      and no cron thread;
#   4. tools/replica_check.py check: the calls over JSON-RPC as a Credit Controller, each with
#      the server its SQL ran on, read from each server's pg_stat_statements.
# Both clusters are new: the machine's own PostgreSQL is neither reconfigured nor restarted, and
# no other database is copied. Everything started is stopped and the directory removed at exit.
#
# Exit status: 0 when every read ran on the replica and every write on the primary, 1 when a
# read went to the primary or failed on the replica (or a write did not reach the primary),
# 2 when the check could not be set up.
#
# Environment: REPLICA_CHECK_DB (arc_replica_check), REPLICA_CHECK_KEEP=1 (keep the directory
# and its logs), PYTHON (tools/common.sh).
source "$(dirname "$0")/common.sh"

DB="${REPLICA_CHECK_DB:-arc_replica_check}"
DB_USER=odoo  # Odoo refuses to connect as "postgres"

require_odoo
ensure_module_requirements

# PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup), the newest installed version.
pg_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "${dir}/initdb" ] && [ -x "${dir}/pg_basebackup" ]; then
            echo "${dir}"
            return
        fi
    done
    command -v pg_config >/dev/null 2>&1 && pg_config --bindir
}
if [ -z "$(pg_bindir)" ]; then
    apt_install postgresql postgresql-client
fi
PG_BIN="$(pg_bindir)"
if [ ! -e "$("${PG_BIN}/pg_config" --pkglibdir 2>/dev/null || echo /nonexistent)/pg_stat_statements.so" ] \
    && ! ls /usr/lib/postgresql/*/lib/pg_stat_statements.so >/dev/null 2>&1; then
    apt_install postgresql-contrib
fi

# The PostgreSQL servers cannot run as root: as root, they run as the user postgres.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

free_port() {
    "${PYTHON}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

WORK="$(mktemp -d /tmp/arc_replica_check.XXXXXX)"
chmod 755 "${WORK}"
[ "$(id -u)" -eq 0 ] && chown postgres: "${WORK}"
PRIMARY_DIR="${WORK}/primary"
REPLICA_DIR="${WORK}/replica"
ODOO_LOG="${WORK}/odoo.log"
odoo_pid=""

stop_all() {
    local status=$?
    if [ -n "${odoo_pid}" ]; then
        kill "${odoo_pid}" 2>/dev/null || true
        wait "${odoo_pid}" 2>/dev/null || true
    fi
    for dir in "${REPLICA_DIR}" "${PRIMARY_DIR}"; do
        if [ -f "${dir}/postmaster.pid" ]; then
            as_pg "${PG_BIN}/pg_ctl" -D "${dir}" -m fast -w stop >/dev/null 2>&1 || true
        fi
    done
    if [ "${REPLICA_CHECK_KEEP:-}" = "1" ]; then
        log "kept ${WORK} (logs: primary.log, replica.log, odoo.log)"
    else
        rm -rf "${WORK}"
    fi
    exit "${status}"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail_setup() {
    log "ERROR: $*"
    for file in "${WORK}"/*.log; do
        [ -f "${file}" ] && { echo "--- ${file} (end)"; tail -n 20 "${file}"; }
    done
    exit 2
}

PRIMARY_PORT="$(free_port)"
REPLICA_PORT="$(free_port)"
HTTP_PORT="$(free_port)"

# ------------------------------------------------------------------------------------------
# 1. The primary
# ------------------------------------------------------------------------------------------
log "primary: a new cluster on 127.0.0.1:${PRIMARY_PORT} (PostgreSQL $("${PG_BIN}/postgres" -V | awk '{print $3}'))"
as_pg "${PG_BIN}/initdb" -D "${PRIMARY_DIR}" -U "${DB_USER}" --auth=trust --encoding=UTF8 \
    --locale=C --no-sync >"${WORK}/initdb.log" 2>&1 || fail_setup "initdb failed"
# Trust on the loopback and the directory's socket only: a throwaway cluster of this check.
as_pg tee -a "${PRIMARY_DIR}/postgresql.conf" >/dev/null <<CONF
# tools/replica_check.sh
listen_addresses = '127.0.0.1'
port = ${PRIMARY_PORT}
unix_socket_directories = '${WORK}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.max = 10000
pg_stat_statements.track = all
fsync = off
CONF
as_pg "${PG_BIN}/pg_ctl" -D "${PRIMARY_DIR}" -l "${WORK}/primary.log" -w start >/dev/null \
    || fail_setup "the primary did not start"

psql_on() {  # psql_on PORT DATABASE SQL
    psql -X -q -tA -h 127.0.0.1 -p "$1" -U "${DB_USER}" -d "$2" -c "$3"
}
psql_on "${PRIMARY_PORT}" postgres "CREATE EXTENSION pg_stat_statements" \
    || fail_setup "pg_stat_statements is not available"
psql_on "${PRIMARY_PORT}" postgres "CREATE DATABASE ${DB}"

ADDONS_PATH="$(odoo_addons_path)"
DB_ARGS=(--db_host=127.0.0.1 --db_port="${PRIMARY_PORT}" --db_user="${DB_USER}")
log "installing ${MODULE} in ${DB} on the primary"
odoo_cmd -d "${DB}" "${DB_ARGS[@]}" --addons-path="${ADDONS_PATH}" -i "${MODULE}" \
    --stop-after-init --log-level=warn --http-interface=127.0.0.1 \
    --logfile="${WORK}/install.log" || fail_setup "the install failed"
log "writing the check's data: a Credit Controller, customers, invoices, a payment"
"${PYTHON}" "${REPO_DIR}/tools/replica_check.py" prepare -d "${DB}" \
    --addons-path="${ADDONS_PATH}" --db_host=127.0.0.1 --db_port="${PRIMARY_PORT}" \
    --db_user="${DB_USER}" --url "http://127.0.0.1:${HTTP_PORT}" \
    >"${WORK}/data.json" 2>"${WORK}/prepare.log" \
    || fail_setup "preparing the data failed"

# ------------------------------------------------------------------------------------------
# 2. The hot standby
# ------------------------------------------------------------------------------------------
log "replica: pg_basebackup -R of the primary, a hot standby on 127.0.0.1:${REPLICA_PORT}"
as_pg "${PG_BIN}/pg_basebackup" -h 127.0.0.1 -p "${PRIMARY_PORT}" -U "${DB_USER}" \
    -D "${REPLICA_DIR}" -R -X stream -c fast --no-sync >"${WORK}/basebackup.log" 2>&1 \
    || fail_setup "pg_basebackup failed"
# Its configuration is the primary's (copied by the backup): only the port differs.
as_pg tee -a "${REPLICA_DIR}/postgresql.conf" >/dev/null <<CONF
port = ${REPLICA_PORT}
CONF
as_pg "${PG_BIN}/pg_ctl" -D "${REPLICA_DIR}" -l "${WORK}/replica.log" -w start >/dev/null \
    || fail_setup "the replica did not start"
for _ in $(seq 100); do
    [ "$(psql_on "${PRIMARY_PORT}" postgres "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = "1" ] && break
    sleep 0.1
done
# The statements of the install and of the data are not the check's.
psql_on "${PRIMARY_PORT}" postgres "SELECT pg_stat_statements_reset()" >/dev/null

# ------------------------------------------------------------------------------------------
# 3. Odoo, reads on the replica
# ------------------------------------------------------------------------------------------
log "Odoo on 127.0.0.1:${HTTP_PORT}: --db_replica_host=127.0.0.1 --db_replica_port=${REPLICA_PORT}"
# No cron thread: every statement counted during a call is that call's.
# Not odoo_cmd: a function in the background would be a subshell, and $! its pid.
"${PYTHON}" -m odoo -d "${DB}" "${DB_ARGS[@]}" --addons-path="${ADDONS_PATH}" \
    --db_replica_host=127.0.0.1 --db_replica_port="${REPLICA_PORT}" \
    --http-interface=127.0.0.1 --http-port="${HTTP_PORT}" --db-filter="^${DB}\$" \
    --max-cron-threads=0 --log-level=info --logfile="${ODOO_LOG}" &
odoo_pid=$!
ready=""
for _ in $(seq 300); do
    kill -0 "${odoo_pid}" 2>/dev/null || fail_setup "Odoo stopped"
    if "${PYTHON}" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)" \
        "http://127.0.0.1:${HTTP_PORT}/web/login" >/dev/null 2>&1; then
        ready=1
        break
    fi
    sleep 0.5
done
[ -n "${ready}" ] || fail_setup "Odoo did not answer on port ${HTTP_PORT}"

# ------------------------------------------------------------------------------------------
# 4. The calls
# ------------------------------------------------------------------------------------------
log "calls as the Credit Controller: where each one ran"
status=0
"${PYTHON}" "${REPO_DIR}/tools/replica_check.py" check -d "${DB}" \
    --url "http://127.0.0.1:${HTTP_PORT}" \
    --primary "host=127.0.0.1 port=${PRIMARY_PORT} user=${DB_USER} dbname=postgres" \
    --replica "host=127.0.0.1 port=${REPLICA_PORT} user=${DB_USER} dbname=postgres" \
    --odoo-log "${ODOO_LOG}" --data "${WORK}/data.json" || status=$?
if grep -E " (ERROR|CRITICAL) " "${ODOO_LOG}" >/dev/null; then
    log "Odoo logged errors during the check:"
    grep -E -A 5 " (ERROR|CRITICAL) " "${ODOO_LOG}" | head -n 40
fi
exit "${status}"
