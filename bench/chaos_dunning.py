#!/usr/bin/env python3
"""Chaos test of the nightly dunning: killed workers, two workers at once, a mail server down.

    python3 bench/chaos_dunning.py --db arc_chaos --partners 2000

On a copy of bench_dunning's template database filled with ``--partners`` overdue customers
(bench/scale_data.py, 1 to 14 days late: one email reminder each), with the demo mail catcher
(tools/smtp_catcher.py, on a loopback port) as the database's outgoing mail server, it runs in
child processes:

1. the dunning cron, killed with SIGKILL in the middle of the sending;
2. the dunning cron again, as two workers at once;
3. Odoo's mail queue, killed with SIGKILL right after the mail server accepted an email and
   before its outcome was committed (the customer has it, the database does not know);
4. the mail queue with the mail server stopped (every delivery fails);
5. the dunning cron (it sends the failed reminders again) and the mail queue, server back;
6. the dunning cron and the mail queue once more (nothing left to do).

Then it counts the emails the catcher received per reminder: every reminder sent is received
exactly once, none twice; those whose delivery is uncertain (the queue was killed while
talking to the server) are listed, back in review. Exit status 1 when an email was received
twice or a sent reminder was never received. See bench/README.md.
"""

import argparse
import collections
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date as Date
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import bench_dunning as bd  # noqa: E402

DATA_KEY = "arc_chaos.data"
SUBJECT_PREFIX = "Payment reminder "


def log(message):
    print(f"[chaos] {message}", flush=True)


# ----------------------------------------------------------------------------------------------
# Phases run inside Odoo (one fresh process each)
# ----------------------------------------------------------------------------------------------
def _env(args):
    from odoo import api
    from odoo.api import SUPERUSER_ID

    registry = bd.odoo_registry(args.db, args.addons_path)
    cr = registry.cursor()
    return api.Environment(cr, SUPERUSER_ID, {})


def phase_generate(args):
    import scale_data

    env = _env(args)
    result = scale_data.generate(
        env,
        partners=args.partners,
        invoices=args.partners,
        as_of=Date.fromisoformat(args.date),
        seed=args.seed,
        late_days=(1, 14),
    )
    env["ir.config_parameter"].set_param(DATA_KEY, args.spec)
    env.cr.commit()
    env.cr.close()
    return result


def phase_configure(args):
    """The catcher as the only outgoing mail server; a sender on the reminders' template."""
    env = _env(args)
    env["ir.mail_server"].search([]).unlink()
    env["ir.mail_server"].create(
        {
            "name": "Chaos catcher",
            "smtp_host": "127.0.0.1",
            "smtp_port": args.port,
            "smtp_encryption": "none",
        }
    )
    env["mail.template"].search(
        [("name", "=", "Bench: payment reminder")]
    ).email_from = "billing@bench.example.com"
    env.cr.commit()
    env.cr.close()
    return {}


def phase_dunning(args):
    env = _env(args)
    env["receivable.dunning.engine"]._cron_run_dunning()
    env.cr.commit()
    env.cr.close()
    return {}


def phase_queue(args):
    """Odoo's mail queue until nothing is left to deliver (batches of 1,000, committed per
    mail as the queue does). With ``--die-after N`` the process kills itself with SIGKILL
    right after the mail server accepted its N-th email, before the outcome is committed:
    the worst moment for a crash (the customer has the email, the database does not know)."""
    env = _env(args)
    if args.die_after:
        server_class = type(env["ir.mail_server"])
        send_email = server_class.send_email
        accepted = []

        def send_email_then_die(server, *send_args, **send_kwargs):
            result = send_email(server, *send_args, **send_kwargs)
            accepted.append(result)
            if len(accepted) >= args.die_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        server_class.send_email = send_email_then_die
    mails = env["mail.mail"]
    while True:
        before = mails.search_count([("state", "=", "outgoing")])
        if not before:
            break
        mails.process_email_queue()
        env.cr.commit()
        env.invalidate_all()
        if mails.search_count([("state", "=", "outgoing")]) == before:
            break
    env.cr.close()
    return {}


PHASES = {
    "generate": phase_generate,
    "configure": phase_configure,
    "dunning": phase_dunning,
    "queue": phase_queue,
}


# ----------------------------------------------------------------------------------------------
# Orchestration
# ----------------------------------------------------------------------------------------------
def phase_command(args, phase, die_after=0):
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        phase,
        "--db",
        args.db,
        "--addons-path",
        args.addons_path,
        "--port",
        str(args.port),
        "--date",
        args.date,
        "--result-file",
        os.devnull,
        "--die-after",
        str(die_after),
    ]


def run(args, phase):
    started = time.perf_counter()
    subprocess.run(phase_command(args, phase), check=True)
    return time.perf_counter() - started


def start(args, phase, die_after=0):
    return subprocess.Popen(phase_command(args, phase, die_after))


def count(args, sql):
    return int(bd.psql(args.db, sql) or 0)


def kill_when(args, process, sql, threshold, what):
    """SIGKILL ``process`` once ``sql`` counts ``threshold``; return the count then."""
    while process.poll() is None:
        value = count(args, sql)
        if value >= threshold:
            process.send_signal(signal.SIGKILL)
            process.wait()
            log(f"{what}: killed with SIGKILL at {value:,}")
            return value
        time.sleep(0.05)
    log(f"{what}: ended before the kill (exit {process.returncode})")
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_catcher(args):
    process = subprocess.Popen(
        [
            sys.executable,
            str(REPO_DIR / "tools" / "smtp_catcher.py"),
            "--port",
            str(args.port),
            "--mailbox",
            args.mailbox,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _attempt in range(50):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", args.port)) == 0:
                return process
        time.sleep(0.1)
    raise RuntimeError("the mail catcher did not start")


def stop_catcher(process):
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)


def received_per_reminder(mailbox):
    counts = collections.Counter()
    for path in Path(mailbox).glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        subject = str(message.get("Subject", ""))
        if subject.startswith(SUBJECT_PREFIX):
            counts[subject[len(SUBJECT_PREFIX) :].strip()] += 1
    return counts


def ensure_data(args):
    template = bd.ensure_template(args)
    spec = f"partners={args.partners};seed={args.seed};date={args.date};late=1-14"
    if bd.db_exists(args.db) and bd.get_param(args.db, DATA_KEY) == spec and not args.rebuild:
        log(f"reusing {args.db}: reminders and mails of the previous chaos run removed")
        bd.psql(
            args.db,
            """
            DELETE FROM receivable_reminder_line;
            DELETE FROM receivable_reminder;
            DELETE FROM mail_message WHERE model = 'receivable.reminder';  -- and their mails
            DELETE FROM mail_activity WHERE res_model = 'receivable.reminder';
            UPDATE account_move SET receivable_dunning_level_id = NULL,
                                    receivable_dunning_date = NULL;
            """,
        )
        if args.update:
            bd.update_module(args, args.db)
        return
    log(f"building {args.db}: copy of {template}, {args.partners:,} overdue customers")
    bd.copy_db(template, args.db)
    if args.update:
        bd.update_module(args, args.db)
    bd.run_phase(
        __file__,
        "generate",
        args.db,
        args.addons_path,
        {"partners": args.partners, "seed": args.seed, "date": args.date, "spec": spec},
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", default="arc_chaos")
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--date", default=Date.today().isoformat(), help=argparse.SUPPRESS)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data")
    parser.add_argument(
        "--update", action="store_true", help="update the module in reused databases first"
    )
    parser.add_argument("--addons-path", default=None)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--die-after", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.addons_path = args.addons_path or bd.default_addons_path()
    if args.phase:
        return bd.answer_phase(args, PHASES)

    started = time.perf_counter()
    # bench_dunning's template (its date only dates the template invoice).
    args.keep = False
    ensure_data(args)
    args.port = free_port()
    with tempfile.TemporaryDirectory(prefix="arc_chaos_mail_") as mailbox:
        args.mailbox = mailbox
        catcher = start_catcher(args)
        try:
            run(args, "configure")
            total = count(
                args,
                "SELECT COUNT(DISTINCT partner_id) FROM account_move"
                " WHERE move_type = 'out_invoice' AND state = 'posted'",
            )
            log(f"{total:,} overdue customers; mail catcher on 127.0.0.1:{args.port}")
            sent_sql = "SELECT COUNT(*) FROM receivable_reminder WHERE state = 'sent'"

            log("1. dunning cron, killed in the middle of the sending")
            kill_when(args, start(args, "dunning"), sent_sql, total // 3, "dunning")

            log("2. dunning cron again, two workers at once")
            workers = [start(args, "dunning"), start(args, "dunning")]
            codes = [worker.wait() for worker in workers]
            log(f"two workers ended with exit codes {codes}")

            log("3. mail queue, killed right after the mail server accepted an email")
            queue = start(args, "queue", die_after=total // 3)
            queue.wait()
            log(f"mail queue: ended with {queue.returncode} (-9: SIGKILL)")

            log("4. mail queue with the mail server stopped")
            stop_catcher(catcher)
            run(args, "queue")
            failed = count(args, "SELECT COUNT(*) FROM receivable_reminder WHERE state = 'failed'")
            log(f"reminders failed by the queue: {failed:,}")
            catcher = start_catcher(args)

            log("5. dunning cron (sends the failed ones again), mail queue with the server back")
            run(args, "dunning")
            run(args, "queue")

            log("6. dunning cron and mail queue once more")
            run(args, "dunning")
            run(args, "queue")
        finally:
            stop_catcher(catcher)
        received = received_per_reminder(mailbox)

    states = dict(
        line.split("|")
        for line in bd.psql(
            args.db, "SELECT state, COUNT(*) FROM receivable_reminder GROUP BY state ORDER BY 1"
        ).splitlines()
    )
    uncertain = bd.psql(
        args.db,
        "SELECT name FROM receivable_reminder WHERE failure_reason LIKE 'Uncertain delivery%'"
        " ORDER BY name",
    ).split()
    sent = bd.psql(
        args.db, "SELECT name FROM receivable_reminder WHERE state = 'sent' ORDER BY name"
    ).split()
    review = bd.psql(
        args.db,
        "SELECT name || ': ' || failure_reason FROM receivable_reminder"
        " WHERE state IN ('draft', 'failed')"
        " AND failure_reason NOT LIKE 'Uncertain delivery%' ORDER BY name",
    ).splitlines()
    reminders = sum(int(value) for value in states.values())
    twice = {name: n for name, n in received.items() if n > 1}
    never = [name for name in sent if not received.get(name)]
    histogram = collections.Counter(received.get(name, 0) for name in sent)
    print()
    print(f"overdue customers            {total:,}")
    print(f"reminders                    {reminders:,}  ({states})")
    print(f"emails received              {sum(received.values()):,}")
    print(f"reminders received once      {sum(1 for n in received.values() if n == 1):,}")
    print(f"sent reminders by emails received: {dict(sorted(histogram.items()))}")
    print(f"received twice or more       {len(twice)} {twice or ''}")
    print(f"sent but never received      {len(never)} {never[:10] or ''}")
    print(
        f"uncertain (in review)        {len(uncertain)}"
        + "".join(f"\n    {name}: received {received.get(name, 0)} time(s)" for name in uncertain)
    )
    others = "".join(f"\n    {line}" for line in review[:5])
    print(f"failed or in review otherwise {len(review)}{others}")
    print(f"total time                   {time.perf_counter() - started:.0f} s")
    return 1 if twice or never else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
