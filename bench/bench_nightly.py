#!/usr/bin/env python3
"""Benchmark of one nightly window: holds, risk, prediction, payment plans and dunning.

    python3 bench/bench_nightly.py --db arc_bench_night --partners 50000 --invoices 1000000

Data: the data set of bench_aging.py (``<db>_template``, then ``<db>``: ``--invoices`` open
invoices over ``--partners`` customers, 29 days before due to 210 days past due, 5 % of them
partially paid and 5 % more fully paid: the payment history), bench_risk.py's disputes (1 %
of the open invoices) and broken promises (2 % of the customers), and, once (marker
``arc_bench_night.setup``): credit holds enforced by the company, the default policy holding
customers with an invoice more than ``--hold-days`` days past due, and ``--plans`` active
payment plans made by the ORM (each on two open invoices of its customer, three monthly
instalments; a third have their instalments all to come, a third missed one, a third two;
every other plan breaks on a missed instalment, the others go on); then the expected payment
dates of the invoices as posting sets them (marker ``arc_bench_night.dates``: the SQL clones
carry the template invoice's, which the first night would rewrite on every invoice).

Sequential (``<db>_seq``, a copy of ``<db>``): each cron method called as the scheduler calls
it (superuser environment, committed batches), in a fresh process per step, in the night's
order: ``res.partner._cron_refresh_credit_holds``, ``receivable.risk.engine.
_cron_recompute_scores`` split in two steps (the scores with the expected payment dates left
out, then the expected payment dates with the scores left out), ``receivable.payment.plan.
_cron_check_payment_plans`` and ``receivable.dunning.engine._cron_run_dunning`` (promises,
evaluation and reminder creation: the reminders wait for review, as long as automatic sending
is not activated). For each step: the wall time, the rows written (inserted, updated, deleted:
the database's ``pg_stat_user_tables`` counters before and after the process, per table), and
the process's peak RSS (``getrusage``). The whole night is run twice: the second run, the same
day, should write nothing. ``--check-unchanged`` also copies the tables a step may update
before it and counts, after it, the rows it rewrote with the same values (new row version,
same content but ``write_date``/``write_uid``). Then a sample of ``--send`` reminders is sent
as the cron sends them (letters rendered, emails queued, committed one by one) and the outgoing
queue delivers them to tools/smtp_catcher.py.

Queue (``<db>_queue``: a copy of ``<db>`` with OCA's queue_job and the bridge
account_receivable_control_queue installed; ``tools/common.sh ensure_queue_job`` fetches
queue_job): for each ``--workers`` N, a fresh copy ``<db>_q`` and an Odoo server
``--workers=N --load=base,rpc,web,queue_job --max-cron-threads=0`` with the channels
``root:N,root.receivable:N``; each cron method is called (it enqueues one job per company,
which enqueues the batches), the step ends when no job is waiting or running; its time runs
from the call to the last job's ``date_done``. Peak RSS of the server's processes read from
/proc (``VmHWM``). Speed-up: the night with 1 worker / the night with N.

See bench/README.md.
"""

import argparse
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from datetime import UTC
from datetime import date as Date
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import bench_aging as ba  # noqa: E402
import bench_dunning as bd  # noqa: E402
import bench_risk as br  # noqa: E402

REPO_DIR = bd.REPO_DIR
NIGHT_KEY = "arc_bench_night.setup"
NIGHT_VERSION = "1"
DATES_KEY = "arc_bench_night.dates"
QUEUE_KEY = "arc_bench_night.queue"
QUEUE_BRIDGE = "account_receivable_control_queue"
# The night's steps, in the order of night_runs.NIGHT_SCHEDULE: (name, model, cron method,
# what is left out of the call). The risk cron scores, then stores the expected payment
# dates: two steps here, each the cron with the other half left out.
STEPS = [
    ("holds", "res.partner", "_cron_refresh_credit_holds", None),
    ("risk", "receivable.risk.engine", "_cron_recompute_scores", "prediction"),
    ("prediction", "receivable.risk.engine", "_cron_recompute_scores", "scores"),
    ("plans", "receivable.payment.plan", "_cron_check_payment_plans", None),
    ("dunning", "receivable.dunning.engine", "_cron_run_dunning", None),
]
# With queue_job the risk cron enqueues the scores' batches and the expected dates' job at once.
QUEUE_STEPS = [
    ("holds", "res.partner", "_cron_refresh_credit_holds"),
    ("risk + prediction", "receivable.risk.engine", "_cron_recompute_scores"),
    ("plans", "receivable.payment.plan", "_cron_check_payment_plans"),
    ("dunning", "receivable.dunning.engine", "_cron_run_dunning"),
]
# Tables copied before a step with --check-unchanged (those the night updates).
CHECK_TABLES = (
    "res_partner",
    "account_move",
    "account_move_line",
    "receivable_payment_plan",
    "receivable_payment_plan_line",
    "receivable_reminder",
    "receivable_promise",
    "mail_activity",
)
# Columns any ORM write sets: a row rewritten with only these changed did not change.
WRITE_COLUMNS = ("write_date", "write_uid", "bench_xmin")
ACTIVE_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")
# Acceptance (issue 17).
TARGET_NIGHT_SECONDS = 600
TARGET_RSS_MIB = 1024
TARGET_SPEEDUP = 1.6
log = bd.log


def child(phase, args, db, addons_path=None, **extra):
    """Run a phase of this script in a fresh Python process; return the JSON it wrote."""
    options = {"date": args.date, **extra}
    return bd.run_phase(__file__, phase, db, addons_path or args.addons_path, options)


def mib(kib):
    return round(kib / 1024, 1)


# ----------------------------------------------------------------------------------------------
# Phases run inside Odoo (one fresh process each)
# ----------------------------------------------------------------------------------------------
def _env(cr):
    from odoo import api
    from odoo.api import SUPERUSER_ID

    return api.Environment(cr, SUPERUSER_ID, {})


def _company_env(cr):
    """The superuser's environment in the data set's company, and the company."""
    env = _env(cr)
    company_id = int(env["ir.config_parameter"].get_param("arc_bench.company_id"))
    env = env(context={"allowed_company_ids": [company_id]})
    return env, env["res.company"].browse(company_id)


def phase_setup_night(args):
    """Holds enforced, the hold rule on the default policy, the payment plans."""
    from odoo import fields

    registry = bd.odoo_registry(args.db, args.addons_path)
    with registry.cursor() as cr:
        env, company = _company_env(cr)
        today = fields.Date.context_today(env["res.partner"])
        company.receivable_hold_enforcement = True
        policy = company.receivable_default_policy_id
        policy.write({"auto_hold": True, "max_days_overdue": args.hold_days})
        # The customers of the plans: spread over the data set, each with two invoices open
        # and not paid at all (the oldest two), none disputed.
        cr.execute(
            """
            WITH customers AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS k
                  FROM res_partner
                 WHERE name LIKE 'Bench Customer %%' AND id = commercial_partner_id
            ), picked AS (
                SELECT id, k FROM customers
                 WHERE k %% GREATEST((SELECT COUNT(*) FROM customers) / %s, 1) = 0
                 ORDER BY k LIMIT %s
            )
            SELECT p.id, p.k, (SELECT array_agg(m.id ORDER BY m.invoice_date_due, m.id)
                                 FROM (SELECT id, invoice_date_due FROM account_move m
                                        WHERE m.commercial_partner_id = p.id
                                          AND m.move_type = 'out_invoice'
                                          AND m.state = 'posted'
                                          AND m.payment_state = 'not_paid'
                                          AND m.receivable_dispute IS NOT TRUE
                                     ORDER BY m.invoice_date_due, m.id LIMIT 2) m)
              FROM picked p ORDER BY p.k
            """,
            [args.plans, args.plans],
        )
        rows = [row for row in cr.fetchall() if row[2] and len(row[2]) == 2]
        assert len(rows) >= args.plans * 0.9, f"{len(rows)} customers for {args.plans} plans"
        Plan = env["receivable.payment.plan"].with_company(company)
        started = time.perf_counter()
        plans = Plan.create(
            [
                {
                    "partner_id": partner_id,
                    "company_id": company.id,
                    "move_ids": [(6, 0, move_ids)],
                    "instalment_count": 3,
                    "first_date": today,
                }
                for partner_id, _k, move_ids in rows
            ]
        )
        for plan in plans:
            plan.action_split_equally()
        plans.action_confirm()
        created = time.perf_counter() - started
        # Then as if agreed a while ago (dates are checked at confirmation only): plan i has
        # i % 3 instalments past and unpaid; every other plan breaks on a missed instalment.
        cr.execute(
            """
            WITH p AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i
                         FROM receivable_payment_plan WHERE id = ANY(%s))
            UPDATE receivable_payment_plan_line l
               SET date = l.date + (CASE p.i %% 3 WHEN 0 THEN 10 WHEN 1 THEN -20 ELSE -50 END)
              FROM p WHERE l.plan_id = p.id
            """,
            [plans.ids],
        )
        cr.execute(
            """
            WITH p AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i
                         FROM receivable_payment_plan WHERE id = ANY(%s))
            UPDATE receivable_payment_plan plan
               SET cancel_on_missed = p.i %% 2 = 0,
                   next_date = (SELECT MIN(date) FROM receivable_payment_plan_line
                                 WHERE plan_id = plan.id)
              FROM p WHERE plan.id = p.id
            """,
            [plans.ids],
        )
        env["ir.config_parameter"].set_param(NIGHT_KEY, args.spec)
        cr.commit()
        env.invalidate_all()
    with registry.cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE")
    return {"plans": len(plans), "plans_seconds": round(created, 1), "hold_days": args.hold_days}


def phase_fill_dates(args):
    """The expected payment dates as posting sets them (the clones carry the template
    invoice's): the nightly run then rewrites only those whose customer's delay moved."""
    registry = bd.odoo_registry(args.db, args.addons_path)
    with registry.cursor() as cr:
        env, company = _company_env(cr)
        started = time.perf_counter()
        invoices = env["account.move"]._compute_expected_payment_dates_company(company)
        env["ir.config_parameter"].set_param(DATES_KEY, args.spec)
        cr.commit()
    return {"invoices": invoices, "seconds": round(time.perf_counter() - started, 1)}


def _leave_out(env, part):
    """The risk cron with one of its halves left out (``STEPS``)."""
    if part == "prediction":
        type(env["account.move"])._compute_expected_payment_dates_company = (
            lambda self, company, date=None: 0
        )
    elif part == "scores":
        type(env["receivable.risk.engine"])._recompute_scores = lambda self, *a, **kw: 0


def phase_step(args):
    """One cron method, called as the scheduler calls it, in this fresh process."""
    registry = bd.odoo_registry(args.db, args.addons_path)
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds = 0.0
    with registry.cursor() as cr:
        env = _env(cr)
        if args.step != "noop":
            _name, model, method, left_out = next(s for s in STEPS if s[0] == args.step)
            _leave_out(env, left_out)
            started = time.perf_counter()
            getattr(env[model], method)()
            env.flush_all()
            cr.commit()
            seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rss_loaded_mib": mib(rss_loaded),
        "rss_peak_mib": mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
    }


def phase_send(args):
    """Send ``--sample`` of the reminders waiting for review as the cron sends them
    (``_send_pending_reminders``: letter, email queued, committed one by one), then deliver
    their emails through the outgoing queue to the SMTP catcher on ``--smtp-port``."""
    from odoo.tools import SQL

    registry = bd.odoo_registry(args.db, args.addons_path)
    with registry.cursor() as cr:
        env, company = _company_env(cr)
        env["ir.mail_server"].search([]).active = False
        env["ir.mail_server"].create(
            {
                "name": "Bench SMTP catcher",
                "smtp_host": "127.0.0.1",
                "smtp_port": args.smtp_port,
                "smtp_encryption": "none",
            }
        )
        Reminder = env["receivable.reminder"]
        drafts = Reminder.search([("company_id", "=", company.id), ("state", "=", "draft")])
        step = max(len(drafts) // args.sample, 1)
        sample = drafts[::step][: args.sample]
        sample._write_engine({"state": "to_send", "awaiting_activation": False})
        cr.commit()
        levels = {
            level.name: len(sample.filtered(lambda r, level=level: r.level_id == level))
            for level in sample.level_id
        }
        engine = env["receivable.dunning.engine"].with_company(company)
        started = time.perf_counter()
        sent = engine._send_pending_reminders(company, commit=True)
        send_seconds = time.perf_counter() - started
        rss_send = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        mails = sent.mail_id
        started = time.perf_counter()
        # The outgoing queue's cron, limited to these mails (others may wait in the data set).
        mails.send()
        deliver_seconds = time.perf_counter() - started
        cr.commit()
        states = dict(
            env.execute_query(
                SQL(
                    "SELECT state, COUNT(*) FROM mail_mail WHERE id = ANY(%s) GROUP BY state",
                    mails.ids,
                )
            )
        )
        letters = len(sent.filtered("letter_attachment_id"))
    return {
        "sample": len(sample),
        "levels": levels,
        "sent": len(sent),
        "letters": letters,
        "mails": len(mails),
        "mail_states": states,
        "send_seconds": send_seconds,
        "deliver_seconds": deliver_seconds,
        "rss_send_mib": mib(rss_send),
        "rss_peak_mib": mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "rss_children_mib": mib(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
    }


def phase_enqueue(args):
    """Queue mode: call the cron method (the bridge's: it enqueues); return when it started."""
    registry = bd.odoo_registry(args.db, args.addons_path)
    with registry.cursor() as cr:
        env = _env(cr)
        model, method = args.model, args.method
        started = datetime.now(UTC).replace(tzinfo=None)
        getattr(env[model], method)()
        cr.commit()
    return {"started": started.isoformat()}


PHASES = {
    "setup_night": phase_setup_night,
    "fill_dates": phase_fill_dates,
    "step": phase_step,
    "send": phase_send,
    "enqueue": phase_enqueue,
}


# ----------------------------------------------------------------------------------------------
# Database counters (orchestrating process)
# ----------------------------------------------------------------------------------------------
def wait_idle(db, timeout=60):
    """Wait until no other session is connected to ``db``: a backend reports its counters
    when it ends (or when idle, after at most 10 s: see ``settle``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        others = bd.psql(
            "postgres",
            f"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '{db}' "
            "AND pid != pg_backend_pid()",
        )
        if others == "0":
            return
        time.sleep(0.2)


def table_counters(db):
    """{table: (inserted, updated, deleted)} of ``db`` since the statistics were reset."""
    out = bd.psql(
        db,
        "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables "
        "WHERE relname NOT LIKE 'bench\\_%'",
    )
    counters = {}
    for line in out.splitlines():
        name, ins, upd, dele = line.split("|")
        counters[name] = (int(ins), int(upd), int(dele))
    return counters


def counter_delta(before, after):
    """Per table (inserted, updated, deleted) written between two ``table_counters``."""
    delta = {}
    for name, values in after.items():
        old = before.get(name, (0, 0, 0))
        diff = tuple(new - was for new, was in zip(values, old, strict=True))
        if any(diff):
            delta[name] = diff
    return delta


def rows_total(delta, exclude=()):
    return sum(sum(values) for name, values in delta.items() if name not in exclude)


def copy_tables(db, tables):
    """Copy ``tables`` (with each row's version, xmin) before a step (--check-unchanged)."""
    sql = []
    for table in tables:
        sql.append(f"DROP TABLE IF EXISTS bench_before_{table}")
        sql.append(
            f"CREATE UNLOGGED TABLE bench_before_{table} AS "
            f"SELECT t.*, t.xmin::text::bigint AS bench_xmin FROM {table} t"
        )
        sql.append(f"CREATE UNIQUE INDEX ON bench_before_{table} (id)")
    bd.psql(db, "; ".join(sql))


def unchanged_rewrites(db, tables):
    """Per table: the rows rewritten (new version) whose content did not change."""
    result = {}
    for table in tables:
        minus = " - ".join(f"'{column}'" for column in WRITE_COLUMNS)
        count = bd.psql(
            db,
            f"""
            SELECT COUNT(*) FILTER (WHERE (to_jsonb(t) - {minus}) = (to_jsonb(b) - {minus})),
                   COUNT(*)
              FROM {table} t JOIN bench_before_{table} b ON b.id = t.id
             WHERE t.xmin::text::bigint != b.bench_xmin
            """,
        )
        same, rewritten = (int(value) for value in count.split("|"))
        if rewritten:
            result[table] = {"rewritten": rewritten, "unchanged": same}
    bd.psql(db, "; ".join(f"DROP TABLE IF EXISTS bench_before_{table}" for table in tables))
    return result


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------
def night_spec(args):
    return f"{ba.data_spec(args)};plans={args.plans};hold_days={args.hold_days};v={NIGHT_VERSION}"


def ensure_night_data(args):
    """bench_aging's data set, bench_risk's disputes and promises, then the night's setup."""
    args.runs = 1
    ba.ensure_aging_data(args)
    if bd.get_param(args.db, br.EXTRA_KEY) != br.EXTRA_VERSION:
        extra = bd.run_phase(br.__file__, "extra", args.db, args.addons_path, {"date": args.date})
        log(f"disputes and broken promises: {extra}")
    spec = night_spec(args)
    if bd.get_param(args.db, NIGHT_KEY) != spec:
        log(f"night setup of {args.db}: holds enforced, {args.plans} payment plans")
        result = child(
            "setup_night", args, args.db, spec=spec, plans=args.plans, hold_days=args.hold_days
        )
        log(f"night setup: {result}")
    if bd.get_param(args.db, DATES_KEY) != spec:
        log(f"expected payment dates of {args.db} as posting sets them")
        log(f"expected payment dates: {child('fill_dates', args, args.db, spec=spec)}")
    counts = bd.psql(
        args.db,
        """
        SELECT (SELECT COUNT(*) FROM account_move_line aml
                  JOIN account_account a ON a.id = aml.account_id
                 WHERE a.account_type = 'asset_receivable' AND NOT aml.reconciled
                   AND aml.parent_state = 'posted'),
               (SELECT COUNT(DISTINCT commercial_partner_id) FROM account_move
                 WHERE move_type = 'out_invoice' AND state = 'posted'),
               (SELECT COUNT(*) FROM receivable_payment_plan WHERE state = 'active'),
               pg_size_pretty(pg_database_size(current_database()))
        """,
    ).split("|")
    return {
        "open_lines": int(counts[0]),
        "customers": int(counts[1]),
        "active_plans": int(counts[2]),
        "size": counts[3],
    }


def queue_addons_path(args):
    """The data's addons path, the bridges and OCA's queue_job (tools/common.sh fetches it)."""
    out = subprocess.run(
        ["bash", "-c", f"source '{REPO_DIR}/tools/common.sh' && ensure_queue_job"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return ",".join([args.addons_path, str(REPO_DIR / "bridges"), out.splitlines()[-1]])


def ensure_queue_template(args, addons_path):
    template = f"{args.db}_queue"
    # A copy of the data set as ensure_night_data left it (its expected payment dates too).
    spec = f"{night_spec(args)};dates"
    queue_args = argparse.Namespace(addons_path=addons_path)
    if bd.db_exists(template) and bd.get_param(template, QUEUE_KEY) == spec:
        log(f"reusing {template}")
        if args.update:
            log(f"updating {bd.MODULE} and {QUEUE_BRIDGE} in {template}")
            bd.run_odoo(queue_args, template, "-u", f"{bd.MODULE},{QUEUE_BRIDGE}")
        return template
    log(f"building {template}: copy of {args.db}, then queue_job and {QUEUE_BRIDGE}")
    bd.copy_db(args.db, template)
    bd.run_odoo(queue_args, template, "-i", f"queue_job,{QUEUE_BRIDGE}")
    bd.psql(
        template,
        f"INSERT INTO ir_config_parameter (key, value) VALUES ('{QUEUE_KEY}', '{spec}') "
        f"ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    )
    return template


# ----------------------------------------------------------------------------------------------
# Sequential night
# ----------------------------------------------------------------------------------------------
def run_step(args, db, step, check):
    """One step in a fresh process; its time, rows written per table and peak RSS."""
    if check:
        copy_tables(db, CHECK_TABLES)
    wait_idle(db)
    before = table_counters(db)
    result = child("step", args, db, step=step)
    wait_idle(db)
    result["rows"] = counter_delta(before, table_counters(db))
    if check:
        result["unchanged"] = unchanged_rewrites(db, CHECK_TABLES)
    return result


def run_sequential(args):
    db = f"{args.db}_seq"
    log(f"sequential night on {db} (copy of {args.db})")
    bd.copy_db(args.db, db)
    baseline = run_step(args, db, "noop", False)
    log(f"loading Odoo alone: {rows_total(baseline['rows'])} rows written {baseline['rows']}")
    passes = []
    for run in (1, 2):
        steps = []
        for name, *_ in STEPS:
            result = run_step(args, db, name, args.check_unchanged)
            result["step"] = name
            log(
                f"run {run} {name}: {result['seconds']:.1f} s, "
                f"{rows_total(result['rows']):,} rows written, "
                f"peak RSS {result['rss_peak_mib']:.0f} MiB  {result['rows']}"
                + (f"  unchanged rewrites {result['unchanged']}" if "unchanged" in result else "")
            )
            steps.append(result)
        passes.append(steps)
    send = run_send(args, db) if args.send else None
    if not args.keep:
        bd.drop_db(db)
    return {"baseline": baseline, "passes": passes, "send": send}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_send(args, db):
    mailbox = Path(tempfile.mkdtemp(prefix="bench_night_mail_"))
    port = free_port()
    catcher = subprocess.Popen(
        [
            sys.executable,
            str(REPO_DIR / "tools" / "smtp_catcher.py"),
            "--port",
            str(port),
            "--mailbox",
            str(mailbox),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        wait_idle(db)
        before = table_counters(db)
        result = child("send", args, db, sample=args.send, smtp_port=port)
        wait_idle(db)
        result["rows"] = counter_delta(before, table_counters(db))
        result["caught"] = len(list(mailbox.glob("*.eml")))
    finally:
        catcher.terminate()
        catcher.wait(timeout=30)
    log(
        f"sending {result['sent']} of a sample of {result['sample']} ({result['levels']}): "
        f"{result['send_seconds']:.1f} s to prepare ({result['letters']} letters), "
        f"{result['deliver_seconds']:.1f} s to deliver {result['mails']} mails "
        f"({result['caught']} caught), peak RSS {result['rss_peak_mib']:.0f} MiB"
    )
    return result


# ----------------------------------------------------------------------------------------------
# Night with queue_job
# ----------------------------------------------------------------------------------------------
class RssPoller(threading.Thread):
    """Peak RSS (VmHWM) of a process and its descendants, read from /proc twice a second."""

    def __init__(self, root_pid):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.peak = {}  # pid -> (KiB, role)
        self.stop_event = threading.Event()

    def descendants(self):
        children = defaultdict(list)
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children[ppid].append(int(entry))
        found, todo = [], [self.root_pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += children.get(pid, [])
        return found

    def run(self):
        while not self.stop_event.wait(0.5):
            for pid in self.descendants():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                match = re.search(r"VmHWM:\s+(\d+) kB", status)
                if not match:
                    continue
                role = "wkhtmltopdf" if b"wkhtmltopdf" in cmdline else "odoo"
                if pid == self.root_pid:
                    role = "main"
                kib = int(match.group(1))
                if kib > self.peak.get(pid, (0, ""))[0]:
                    self.peak[pid] = (kib, role)

    def stop(self):
        self.stop_event.set()
        self.join()


# The Odoo server of the queue runs, without its websocket process: prefork starts it as
# ``python <argv[0]> gevent``, which cannot start from ``python -m odoo`` (argv[0] is the
# package's __main__.py) and is of no use to the jobs.
SERVER_LAUNCHER = """
from odoo.cli.command import main
from odoo.service import server
server.PreforkServer.long_polling_spawn = lambda self: None
main()
"""


def start_server(args, db, addons_path, workers, logfile):
    port = free_port()
    env = dict(
        os.environ,
        ODOO_QUEUE_JOB_CHANNELS=f"root:{workers},root.receivable:{workers}",
        ODOO_QUEUE_JOB_PORT=str(port),
        ODOO_QUEUE_JOB_HOST="127.0.0.1",
    )
    command = [
        sys.executable,
        "-c",
        SERVER_LAUNCHER,
        "-d",
        db,
        f"--addons-path={addons_path}",
        "--load=base,rpc,web,queue_job",
        f"--workers={workers}",
        "--max-cron-threads=0",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        f"--limit-time-real={args.limit_time_real}",
        f"--limit-time-cpu={args.limit_time_real}",
        "--log-level=warn",
        "--log-handler=odoo.addons.queue_job.jobrunner:INFO",
        f"--logfile={logfile}",
    ]
    # A session of its own: stopped as a whole (workers, job runner) by its process group.
    server = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"the Odoo server stopped: see {logfile}") from None
            time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"the Odoo server did not answer: see {logfile}")


def stop_server(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def job_states(db):
    out = bd.psql(db, "SELECT state, COUNT(*) FROM queue_job GROUP BY state")
    return {line.split("|")[0]: int(line.split("|")[1]) for line in out.splitlines()}


def wait_for_jobs(db, server, timeout):
    """Wait until no job waits or runs; return the states' counts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = job_states(db)
        if not any(states.get(state) for state in ACTIVE_JOB_STATES):
            return states
        if server.poll() is not None:
            raise RuntimeError("the Odoo server stopped while jobs were waiting")
        time.sleep(0.5)
    raise RuntimeError(f"jobs still waiting after {timeout} s: {job_states(db)}")


def step_jobs(db, started):
    """The jobs of a step (created since ``started``): per method, and the step's end."""
    out = bd.psql(
        db,
        f"""
        SELECT method_name, COUNT(*), COUNT(*) FILTER (WHERE state = 'failed'),
               COALESCE(SUM(GREATEST(retry - 1, 0)), 0),
               COALESCE(SUM(exec_time), 0), COALESCE(MAX(exec_time), 0)
          FROM queue_job WHERE date_created >= '{started}'
      GROUP BY method_name ORDER BY MIN(id)
        """,
    )
    methods = {}
    for line in out.splitlines():
        name, count, failed, retries, busy, longest = line.split("|")
        methods[name] = {
            "jobs": int(count),
            "failed": int(failed),
            "retries": int(retries),
            "busy_seconds": round(float(busy), 1),
            "longest_seconds": round(float(longest), 1),
        }
    done = bd.psql(db, f"SELECT MAX(date_done) FROM queue_job WHERE date_created >= '{started}'")
    return methods, done


def run_queue(args, workers, template, addons_path):
    db = f"{args.db}_q"
    log(f"night with queue_job, {workers} worker(s), on {db} (copy of {template})")
    bd.copy_db(template, db)
    logfile = Path(tempfile.gettempdir()) / f"bench_nightly_{db}_w{workers}.log"
    server = start_server(args, db, addons_path, workers, logfile)
    poller = RssPoller(server.pid)
    poller.start()
    steps = []
    try:
        for name, model, method in QUEUE_STEPS:
            before = table_counters(db)
            enqueued = child("enqueue", args, db, addons_path, model=model, method=method)
            states = wait_for_jobs(db, server, args.queue_timeout)
            methods, done = step_jobs(db, enqueued["started"])
            started = datetime.fromisoformat(enqueued["started"])
            seconds = (datetime.fromisoformat(done) - started).total_seconds() if done else 0.0
            # The workers report their counters when idle, within 10 s.
            time.sleep(args.settle)
            rows = counter_delta(before, table_counters(db))
            step = {
                "step": name,
                "seconds": seconds,
                "jobs": methods,
                "states": states,
                "rows": rows,
            }
            log(
                f"{workers} worker(s) {name}: {seconds:.1f} s, "
                f"{sum(m['jobs'] for m in methods.values())} jobs {methods}, "
                f"{rows_total(rows, ('queue_job',)):,} rows written (queue_job aside)"
            )
            steps.append(step)
    finally:
        poller.stop()
        stop_server(server)
    peaks = sorted(poller.peak.values(), reverse=True)
    result = {
        "workers": workers,
        "steps": steps,
        "seconds": sum(step["seconds"] for step in steps),
        "rss_peaks_mib": [(mib(kib), role) for kib, role in peaks],
        "logfile": str(logfile),
    }
    if not args.keep:
        bd.drop_db(db)
    return result


# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------
def top_tables(rows, count=4):
    ranked = sorted(rows.items(), key=lambda item: -sum(item[1]))[:count]
    return ", ".join(f"{name} {'/'.join(f'{v:,}' for v in values)}" for name, values in ranked)


def report(result):
    data = result["data"]
    print()
    print(
        f"data: {data['open_lines']:,} open receivable lines, {data['customers']:,} customers, "
        f"{data['active_plans']} active plans, database {data['size']}; date {result['date']}; "
        f"load average before: {result['load_before']}"
    )
    verdicts = []
    seq = result.get("sequential")
    if seq:
        print()
        print("Sequential night (one fresh process per step; rows: inserted/updated/deleted)")
        header = (
            f"{'step':<12} {'run 1 s':>8} {'rows':>10} {'peak RSS':>9}  "
            f"{'run 2 s':>8} {'rows':>7}  tables written (run 1)"
        )
        print(header)
        print("-" * len(header))
        first, second = seq["passes"]
        for one, two in zip(first, second, strict=True):
            print(
                f"{one['step']:<12} {one['seconds']:>8.1f} {rows_total(one['rows']):>10,} "
                f"{one['rss_peak_mib']:>6.0f} MiB  {two['seconds']:>8.1f} "
                f"{rows_total(two['rows']):>7,}  {top_tables(one['rows'])}"
            )
        night = sum(step["seconds"] for step in first)
        again = sum(step["seconds"] for step in second)
        rss = max(step["rss_peak_mib"] for step in first + second)
        rewritten = {step["step"]: step["rows"] for step in second if rows_total(step["rows"])}
        print(f"{'night':<12} {night:>8.1f} {'':>10} {rss:>6.0f} MiB  {again:>8.1f}")
        for run, steps in enumerate(seq["passes"], 1):
            for step in steps:
                if step.get("unchanged"):
                    print(f"run {run} {step['step']}: rows rewritten {step['unchanged']}")
        verdicts.append(
            (f"night within {TARGET_NIGHT_SECONDS} s (sequential)", night <= TARGET_NIGHT_SECONDS)
        )
        unchanged = sum(
            values["unchanged"]
            for steps in seq["passes"]
            for step in steps
            for values in step.get("unchanged", {}).values()
        )
        verdicts.append(
            (
                "second run writes no row"
                + (f" (writes: {rewritten})" if rewritten else "")
                + (f"; rows rewritten unchanged: {unchanged}" if unchanged else ""),
                not rewritten and not unchanged,
            )
        )
        verdicts.append((f"peak RSS <= {TARGET_RSS_MIB} MiB (sequential)", rss <= TARGET_RSS_MIB))
        send = seq.get("send")
        if send:
            print(
                f"sending a sample: {send['sent']}/{send['sample']} reminders {send['levels']} in "
                f"{send['send_seconds']:.1f} s ({send['letters']} letters rendered, "
                f"{send['sent'] / max(send['send_seconds'], 1e-9):.1f}/s), "
                f"{send['mails']} emails delivered in {send['deliver_seconds']:.1f} s "
                f"({send['caught']} caught, states {send['mail_states']}), peak RSS "
                f"{send['rss_peak_mib']:.0f} MiB (its child processes "
                f"{send['rss_children_mib']:.0f} MiB)"
            )
    queue = result.get("queue") or []
    if queue:
        print()
        print("Night with queue_job (seconds from the cron's call to the last job done)")
        names = [step["step"] for step in queue[0]["steps"]]
        # The speed-up: the fewest workers' time / the most workers', in whichever order they ran.
        fewest = min(range(len(queue)), key=lambda i: queue[i]["workers"])
        most = max(range(len(queue)), key=lambda i: queue[i]["workers"])
        header = f"{'step':<18}" + "".join(f" {q['workers']:>3} worker(s)" for q in queue)
        header += "  speed-up" if len(queue) > 1 else ""
        print(header)
        print("-" * len(header))
        for index, name in enumerate(names):
            times = [q["steps"][index]["seconds"] for q in queue]
            line = f"{name:<18}" + "".join(f" {t:>13.1f}" for t in times)
            if len(queue) > 1 and times[most]:
                line += f"  {times[fewest] / times[most]:>8.2f}"
            print(line)
        totals = [q["seconds"] for q in queue]
        line = f"{'night':<18}" + "".join(f" {t:>13.1f}" for t in totals)
        if len(queue) > 1:
            line += f"  {totals[fewest] / totals[most]:>8.2f}"
        print(line)
        for q in queue:
            peaks = q["rss_peaks_mib"]
            odoo = [value for value, role in peaks if role in ("odoo", "main")]
            print(
                f"{q['workers']} worker(s): peak RSS per process (MiB) "
                + ", ".join(f"{value:.0f} {role}" for value, role in peaks[:6])
            )
            for step in q["steps"]:
                failed = sum(m["failed"] for m in step["jobs"].values())
                retries = sum(m["retries"] for m in step["jobs"].values())
                longest = max((m["longest_seconds"] for m in step["jobs"].values()), default=0)
                print(
                    f"   {step['step']}: {sum(m['jobs'] for m in step['jobs'].values())} jobs, "
                    f"{failed} failed, {retries} retries, longest {longest:.1f} s; rows "
                    f"{rows_total(step['rows'], ('queue_job',)):,}: {top_tables(step['rows'])}"
                )
            verdicts.append(
                (
                    f"peak RSS <= {TARGET_RSS_MIB} MiB per process ({q['workers']} worker(s))",
                    max(odoo, default=0) <= TARGET_RSS_MIB,
                )
            )
        if len(queue) > 1:
            speedup = totals[fewest] / totals[most]
            verdicts.append(
                (
                    f">= {TARGET_SPEEDUP}x faster with {queue[most]['workers']} workers than "
                    f"with {queue[fewest]['workers']} ({speedup:.2f}x)",
                    speedup >= TARGET_SPEEDUP,
                )
            )
        verdicts.append(
            (
                f"night within {TARGET_NIGHT_SECONDS} s ({queue[most]['workers']} worker(s))",
                totals[most] <= TARGET_NIGHT_SECONDS,
            )
        )
    print()
    for text, ok in verdicts:
        print(f"{'ok  ' if ok else 'MISS'} {text}")
    print(f"load average after: {result['load_after']}")
    print("JSON " + json.dumps(result, default=str))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", default="arc_bench_night")
    parser.add_argument("--partners", type=int, default=50000)
    parser.add_argument("--invoices", type=int, default=1000000, help="open invoices")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--date",
        default=Date.today().isoformat(),
        help="date of the data (default today: the crons run at today's date)",
    )
    parser.add_argument("--plans", type=int, default=500, help="active payment plans")
    parser.add_argument(
        "--hold-days", type=int, default=200, help="the policy's maximum days past due"
    )
    parser.add_argument(
        "--send", type=int, default=200, help="reminders of the sending sample (0: none)"
    )
    parser.add_argument(
        "--workers", default="1,2", help="queue_job worker counts, comma separated (empty: none)"
    )
    parser.add_argument("--skip-sequential", action="store_true")
    parser.add_argument(
        "--check-unchanged",
        action="store_true",
        help="count the rows each step rewrites with the same values (copies tables first)",
    )
    parser.add_argument("--limit-time-real", type=int, default=1800, help="of the job workers")
    parser.add_argument("--queue-timeout", type=int, default=3600, help="per step, seconds")
    parser.add_argument(
        "--settle", type=float, default=11.0, help="seconds before reading the workers' counters"
    )
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data set")
    parser.add_argument("--update", action="store_true", help="-u the module on reused DBs")
    parser.add_argument("--keep", action="store_true", help="keep the databases of the runs")
    parser.add_argument("--addons-path", default=None)
    # Internal: a phase run in a child process.
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--sample", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--smtp-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.addons_path = args.addons_path or bd.default_addons_path()

    if args.phase:
        return bd.answer_phase(args, PHASES)

    started = time.perf_counter()
    result = {"date": args.date, "load_before": os.getloadavg()}
    result["data"] = ensure_night_data(args)
    log(f"data: {result['data']}")
    if not args.skip_sequential:
        result["sequential"] = run_sequential(args)
    workers = [int(n) for n in args.workers.split(",") if n.strip()]
    if workers:
        addons_path = queue_addons_path(args)
        template = ensure_queue_template(args, addons_path)
        result["queue"] = [run_queue(args, n, template, addons_path) for n in workers]
    result["load_after"] = os.getloadavg()
    report(result)
    log(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
