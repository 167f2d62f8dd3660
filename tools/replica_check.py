#!/usr/bin/env python3
"""The read-replica check of account_receivable_control (run by tools/replica_check.sh).

``prepare``: in the database of the primary, a Credit Controller and a small ledger (customers,
posted invoices overdue and not yet due, a partial payment, a credit note, a call to make, the
risk scores), written with the ORM. Prints the check's data as JSON.

``check``: logs in as the Credit Controller over HTTP and calls, over JSON-RPC, every method
the screens call only to read, downloads the files of the screens from their read-only routes
(GET, in the same session), then the write paths (sending a reminder, creating and posting
an invoice). For each call it tells on which server its SQL ran, from the statistics of each
PostgreSQL server: ``pg_stat_statements`` counts every statement a server executes, per
database, as soon as it ends (the cumulative statistics of ``pg_stat_database`` are flushed
by the backends up to seconds later). The calls run one at a time against an Odoo without
cron threads, so the statements a server counted in the database during a call are that
call's. The counts are read over connections to the ``postgres`` database, which are not
counted in the checked database.

A read passes when its statements ran on the replica and none on the primary, and Odoo did
not log "retrying with a read/write cursor" (a write in a read-only request fails on the
replica; Odoo then runs the whole request again on the primary). A write passes when its
statements ran on the primary (every request also reads the registry's signals on the
replica first). Exit status 1 when a call does not pass.
"""

import argparse
import http.cookiejar
import json
import re
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from datetime import timedelta

RETRY_MARK = "retrying with a read/write cursor"
REPLICA_FAILED_MARK = "Failed to open a readonly cursor"
CONTROLLER_LOGIN = "replica.controller@example.com"
WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "SELECT NEXTVAL")
STATEMENT_REPORT = "account_receivable_control.report_customer_statement"
# The read-only routes of the screens Export Aged Receivables and Customer Statement
# (controllers/screens.py).
AGED_RECEIVABLES_ROUTE = "/account_receivable_control/aged_receivables.xlsx"
STATEMENT_ROUTE = "/account_receivable_control/statement.pdf"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ------------------------------------------------------------------------------------------
# prepare
# ------------------------------------------------------------------------------------------
def prepare(args):
    from odoo import api
    from odoo.fields import Command
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(
        [
            f"--database={args.database}",
            f"--addons-path={args.addons_path}",
            f"--db_host={args.db_host}",
            f"--db_port={args.db_port}",
            f"--db_user={args.db_user}",
            "--log-level=warn",
            "--http-interface=127.0.0.1",
        ],
        setup_logging=True,
    )
    today = date.today()
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        company = env.company
        company.write(
            {
                "email": "accounting@example.com",
                "receivable_default_policy_id": env.ref(
                    "account_receivable_control.policy_standard_b2b"
                ).id,
            }
        )
        password = secrets.token_urlsafe(16)
        controller = env["res.users"].create(
            {
                "name": "Carla Controller",
                "login": CONTROLLER_LOGIN,
                "email": CONTROLLER_LOGIN,
                "password": password,
                "group_ids": [
                    Command.link(env.ref("account_receivable_control.group_credit_controller").id)
                ],
            }
        )
        customers = env["res.partner"].create(
            [
                {"name": name, "is_company": True, "email": f"ap@{slug}.example.com"}
                for name, slug in (
                    ("Brasserie Dupont", "dupont"),
                    ("Imprimerie Lambotte", "lambotte"),
                    ("Transports Gilson", "gilson"),
                )
            ]
        )
        product = env["product.product"].create({"name": "Copy paper", "list_price": 100.0})

        def invoice(partner, amount, due_in_days, move_type="out_invoice"):
            return {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": today + timedelta(days=due_in_days - 30),
                "invoice_date_due": today + timedelta(days=due_in_days),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }

        dupont, lambotte, gilson = customers
        moves = env["account.move"].create(
            [
                invoice(dupont, 1200.0, -45),
                invoice(dupont, 800.0, -100),
                invoice(dupont, 450.0, 15),
                invoice(lambotte, 2300.0, -20),
                invoice(lambotte, 150.0, -5, move_type="out_refund"),
                invoice(gilson, 640.0, 25),
                invoice(gilson, 990.0, -70),
            ]
        )
        moves.action_post()
        # A partial payment of Gilson's overdue invoice.
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=moves[-1].ids
        ).create({"amount": 400.0, "payment_date": today - timedelta(days=3)})._create_payments()
        lambotte.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=today,
            summary="Collection call",
            user_id=controller.id,
        )
        env["receivable.risk.engine"]._recompute_scores(company, today)
        if args.url:
            # wkhtmltopdf reads the styles of a PDF report from the Odoo server of the check.
            env["ir.config_parameter"].set_param("report.url", args.url)
        cr.commit()
        data = {
            "login": CONTROLLER_LOGIN,
            "password": password,
            "company_id": company.id,
            "customer_ids": customers.ids,
            "product_id": product.id,
        }
    print(json.dumps(data))


# ------------------------------------------------------------------------------------------
# check
# ------------------------------------------------------------------------------------------
class RpcError(Exception):
    pass


class Odoo:
    """A logged-in web session: JSON-RPC calls as the web client makes them."""

    def __init__(self, url):
        self.url = url.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def jsonrpc(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
        request = urllib.request.Request(
            self.url + path, body.encode(), {"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=300) as response:
            reply = json.load(response)
        if reply.get("error"):
            error = reply["error"].get("data") or reply["error"]
            raise RpcError(error.get("message") or error)
        return reply["result"]

    def call(self, model, method, *args, button=False, **kwargs):
        route = "call_button" if button else "call_kw"
        return self.jsonrpc(
            f"/web/dataset/{route}/{model}.{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def get(self, path):
        with self.opener.open(self.url + path, timeout=300) as response:
            return response.read().decode()

    def download(self, path, params):
        """GET ``path`` with ``params`` in the session: (Content-Type, Content-Disposition,
        body). An error status raises RpcError with the page's message."""
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        try:
            with self.opener.open(url, timeout=300) as response:
                headers = response.headers
                body = response.read()
                return headers.get("Content-Type"), headers.get("Content-Disposition"), body
        except urllib.error.HTTPError as error:
            page = error.read().decode(errors="replace")
            message = re.search(r"<p>(.*?)</p>", page, re.S)
            raise RpcError(f"HTTP {error.code}: {message[1] if message else page[:100]}") from None


class Server:
    """A PostgreSQL server seen through its own statistics."""

    def __init__(self, name, dsn, database):
        import psycopg2

        self.name = name
        self.database = database
        self.cnx = psycopg2.connect(dsn)
        self.cnx.autocommit = True

    def query(self, sql, *params):
        with self.cnx.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall()

    def statements(self):
        """{statement: times executed} in the checked database since the statistics began."""
        return dict(
            self.query(
                """SELECT s.query, SUM(s.calls)::bigint
                     FROM pg_stat_statements s
                     JOIN pg_database d ON d.oid = s.dbid
                    WHERE d.datname = %s
                 GROUP BY s.query""",
                self.database,
            )
        )

    def deallocations(self):
        [(count,)] = self.query("SELECT dealloc FROM pg_stat_statements_info")
        return count


class OdooLog:
    def __init__(self, path):
        self.path = path
        self.offset = self._size()

    def _size(self):
        with open(self.path, "rb") as log:
            return log.seek(0, 2)

    def since_last(self):
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            text = log.read().decode(errors="replace")
        self.offset += len(text.encode())
        return text


class Check:
    def __init__(self, odoo, primary, replica, log):
        self.odoo, self.primary, self.replica, self.log = odoo, primary, replica, log
        self.failures = 0
        self.rows = []

    def wait_for_replay(self, timeout=60):
        """Until the replica has replayed everything the primary wrote so far."""
        [(lsn,)] = self.primary.query("SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            [(done,)] = self.replica.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", lsn)
            if done:
                return
            time.sleep(0.1)
        raise SystemExit(f"the replica did not replay the primary's WAL up to {lsn}")

    def run(self, kind, label, call, verify=None):
        self.log.since_last()
        before = self.primary.statements(), self.replica.statements()
        error = None
        try:
            result = call()
            if verify:
                verify(result)
        except (RpcError, AssertionError, OSError) as exc:
            error = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        on_primary = _executed(before[0], self.primary.statements())
        primary = sum(on_primary.values())
        replica = sum(_executed(before[1], self.replica.statements()).values())
        log = self.log.since_last()
        retried = RETRY_MARK in log or REPLICA_FAILED_MARK in log
        # Odoo's own account: the cursor mode closing its access log line (ro, rw, ro->rw).
        modes = [line.split()[-1] for line in log.splitlines() if " werkzeug: " in line]
        mode = modes[-1] if modes else "?"
        ran_on = "primary" if primary else "replica" if replica else "nowhere"
        if kind == "read":
            ok = not error and not retried and not primary and replica > 0
            if retried:
                ran_on, error = "both", "a write failed on the replica, run again on the primary"
        else:
            ok = not error and primary > 0
        self.failures += not ok
        status = "OK" if ok else f"FAILED{': ' + error if error else ''}"
        print(
            f"  {kind:<5}  {label:<68} {ran_on:<8} {primary:>5} / {replica:<5} {mode:<6} {status}",
            flush=True,
        )
        if kind == "read" and primary:
            for query, count in sorted(on_primary.items(), key=_writes_first)[:5]:
                print(f"         on the primary ({count}x): {' '.join(query.split())[:150]}")


def _writes_first(item):
    """Sort key of (statement, count): the writes first (they are why a read request leaves
    the replica), then the most executed."""
    query, count = item
    return (not query.lstrip().upper().startswith(WRITES), -count)


def _executed(before, after):
    """{statement: times executed between the two counts}."""
    counts = {query: calls - before.get(query, 0) for query, calls in after.items()}
    return {query: count for query, count in counts.items() if count > 0}


def check(args):
    with open(args.data) as data_file:
        data = json.load(data_file)
    primary = Server("primary", args.primary, args.database)
    replica = Server("replica", args.replica, args.database)
    [(in_recovery,)] = replica.query("SELECT pg_is_in_recovery()")
    streaming = primary.query("SELECT application_name, state, sync_state FROM pg_stat_replication")
    print(
        f"replica in recovery (hot standby): {'yes' if in_recovery else 'NO'}; "
        f"primary's standbys: {', '.join('/'.join(row) for row in streaming) or 'none'}"
    )
    if not in_recovery or not streaming:
        print("the replica is not a streaming hot standby of the primary")
        return 1

    odoo = Odoo(args.url)
    session = odoo.jsonrpc(
        "/web/session/authenticate",
        {"db": args.database, "login": data["login"], "password": data["password"]},
    )
    print(f"logged in as {session.get('name')} ({data['login']})")
    # Odoo writes the device log of a session on the primary at the session's first request
    # (then at most once an hour), whatever the request: done here, before the measured calls.
    odoo.jsonrpc("/web/session/get_session_info", {})
    # The first PDF of a deployed server stores the bundle of the reports' styles, which
    # wkhtmltopdf fetches from Odoo (a write, on the primary, once): done here too.
    odoo.download(STATEMENT_ROUTE, {"partner_ids": data["customer_ids"][0]})
    log = OdooLog(args.odoo_log)
    run = Check(odoo, primary, replica, log)
    # Everything written so far (the data, the login) is on the replica before the reads.
    run.wait_for_replay()
    deallocations = primary.deallocations(), replica.deallocations()

    customers = data["customer_ids"]
    today = date.today()
    past = (today - timedelta(days=30)).isoformat()
    print(
        f"  {'kind':<5}  {'method':<68} {'ran on':<8} statements     odoo"
        f"\n  {'':<5}  {'':<68} {'':<8} primary/replica cursor"
    )

    def has(*keys):
        def verify(result):
            missing = [key for key in keys if key not in result]
            assert not missing, f"missing {missing} in the result"

        return verify

    def non_empty(result):
        assert result, "empty result"

    worklist_fields = {
        "kind": {},
        "partner_id": {"fields": {"display_name": {}}},
        "amount_overdue": {},
        "priority": {},
    }
    bucket_sums = ["amount_residual:sum", "amount_b0:sum", "amount_b1:sum"]
    pivot_sets = [["partner_id"], ["partner_id", "bucket"], []]
    at_past_date = {"context": {"receivable_aging_date": past}}
    period = {"date_from": past, "date_to": today.isoformat()}
    risk_fields = {"receivable_risk_explanation": {}, "receivable_risk_score": {}}
    # (label, model, method, args, kwargs, check of the result)
    reads = [
        ("", "receivable.kpi", "get_dashboard_data", [], {}, has("kpis", "aging")),
        ("", "receivable.cash.forecast", "get_forecast_data", [], {}, non_empty),
        ("", "receivable.cash.forecast", "get_forecast_xlsx", [], {}, has("content")),
        ("worklist rows", "receivable.worklist", "web_search_read", [[], worklist_fields], {},
         has("records")),
        ("", "receivable.worklist", "get_empty_list_help", [""], {}, non_empty),
        ("by customer", "receivable.aging", "web_read_group", [[], ["partner_id"], bucket_sums],
         {"limit": 80}, has("groups")),
        ("at a past date", "receivable.aging", "web_read_group",
         [[], ["bucket"], ["amount_residual:sum"]], at_past_date, has("groups")),
        ("pivot", "receivable.aging", "formatted_read_grouping_sets",
         [[], pivot_sets, ["amount_residual:sum"]], {}, non_empty),
        ("by customer", "receivable.aging.xlsx", "get_aging_xlsx", [], {}, has("content")),
        ("detailed, at a past date", "receivable.aging.xlsx", "get_aging_xlsx", [],
         {"date": past, "layout": "detail"}, has("content")),
        ("", "res.partner", "get_statement_preview", [customers[:1]], period, non_empty),
        ("risk explanation", "res.partner", "web_read", [customers, risk_fields], {}, non_empty),
        ("", "receivable.provision.wizard", "get_provision_data", [], {}, has("lines")),
        ("", "receivable.provision.wizard", "get_provision_xlsx", [], {}, has("content")),
    ]  # fmt: skip
    for note, model, method, call_args, kwargs, verify in reads:
        label = f"{model}.{method}" + (f" ({note})" if note else "")
        run.run(
            "read",
            label,
            lambda m=model, f=method, a=call_args, k=kwargs: odoo.call(m, f, *a, **k),
            verify,
        )
    # The statement as the browser shows it: Odoo's report page, a read-only route.
    report_page = f"/report/html/{STATEMENT_REPORT}/{customers[0]}"
    label = f"GET /report/html/<customer statement>/{customers[0]}"
    run.run("read", label, lambda: odoo.get(report_page), non_empty)

    def file_of(*mimetypes):
        def verify(result):
            content_type, disposition, body = result
            assert (content_type or "").split(";")[0] in mimetypes, f"Content-Type {content_type}"
            assert disposition and disposition.startswith("attachment;"), "not a download"
            assert body, "empty file"

        return verify

    # The screens' downloads: GET requests of read-only routes, in the same session.
    pdf = ("application/pdf", "text/html")  # HTML when wkhtmltopdf is not installed
    routes = [
        ("by customer", AGED_RECEIVABLES_ROUTE,
         {"company_id": data["company_id"]}, file_of(XLSX_MIMETYPE)),
        ("detail, 2 customers, past date", AGED_RECEIVABLES_ROUTE,
         {"date": past, "layout": "detail", "partner_ids": ",".join(map(str, customers[:2]))},
         file_of(XLSX_MIMETYPE)),
        ("with a period", STATEMENT_ROUTE,
         {"partner_ids": customers[0], "download": 1, **period}, file_of(*pdf)),
        ("at a past date", STATEMENT_ROUTE,
         {"partner_ids": customers[1], "date": past, "download": 1}, file_of(*pdf)),
    ]  # fmt: skip
    for note, path, params, verify in routes:
        run.run(
            "read",
            f"GET {path} ({note})",
            lambda p=path, q=params: odoo.download(p, q),
            verify,
        )

    created = {}

    def create_invoice():
        line = {"product_id": data["product_id"], "price_unit": 250.0, "tax_ids": []}
        values = {
            "move_type": "out_invoice",
            "partner_id": customers[1],
            "invoice_date": today.isoformat(),
            "invoice_line_ids": [[0, 0, line]],
        }
        created["id"] = odoo.call("account.move", "create", values)

    writes = [
        ("res.partner.action_send_reminder_now (send a reminder)",
         lambda: odoo.call("res.partner", "action_send_reminder_now", customers[:1], button=True)),
        ("account.move.create (a draft invoice)", create_invoice),
        ("account.move.action_post (post the invoice)",
         lambda: odoo.call("account.move", "action_post", [created["id"]], button=True)),
    ]  # fmt: skip
    for label, call in writes:
        run.run("write", label, call)

    if (primary.deallocations(), replica.deallocations()) != deallocations:
        print("pg_stat_statements dropped entries during the check: the counts are not reliable")
        run.failures += 1
    if run.failures:
        print(f"FAILED: {run.failures} call(s) did not run where they should")
        return 1
    count = len(reads) + 1 + len(routes)
    print(f"OK: the {count} reads ran on the replica, the writes on the primary")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prep = commands.add_parser("prepare", help="create the check's data (prints it as JSON)")
    prep.add_argument("-d", "--database", required=True)
    prep.add_argument("--addons-path", required=True)
    prep.add_argument("--db_host", required=True)
    prep.add_argument("--db_port", required=True)
    prep.add_argument("--db_user", required=True)
    prep.add_argument("--url", help="the Odoo server of the check, for the PDF reports' styles")
    chk = commands.add_parser("check", help="call the methods and tell where they ran")
    chk.add_argument("-d", "--database", required=True)
    chk.add_argument("--url", required=True, help="the Odoo server, e.g. http://127.0.0.1:8069")
    chk.add_argument("--primary", required=True, help="libpq DSN of the primary")
    chk.add_argument("--replica", required=True, help="libpq DSN of the replica")
    chk.add_argument("--odoo-log", required=True, help="the log file of that Odoo server")
    chk.add_argument("--data", required=True, help="the JSON printed by prepare")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args)
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
