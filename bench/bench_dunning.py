#!/usr/bin/env python3
"""Benchmark of the dunning engine: evaluation and reminder creation at scale.

    python3 bench/bench_dunning.py --db arc_bench --partners 20000 --invoices 100000
    python3 bench/bench_dunning.py --db arc_bench --partners 20000 --invoices 100000 --scale 10

Builds (once) a template database with account and the module installed, the generic chart of
accounts, a credit policy with a 4-level dunning ladder and one real posted invoice. Each data
set is a copy of the template filled by bench/scale_data.py: the invoice cloned in SQL, so
that 1,000,000 invoices take minutes. Then, in a fresh Odoo process per run, it times
``receivable.dunning.engine._generate_reminders(company, date, commit=True)`` and reads the
process's peak memory. Reminders created by a run are deleted before the next one, so the
benchmark can be run again on the same data.

With ``--scale K`` a second data set K times larger (database ``<db>_x<K>``) is measured in
the same run and the ratio time(Kx)/time(1x) is printed.

With ``--peer`` OCA's ``account_credit_control`` (19.0, from PyPI, unpacked into
``bench/out/oca``, never into site-packages) is installed in each data set too, given a
3-level policy, and its run (``credit.control.run.generate_credit_lines``, the "Compute
credit lines" button) is timed on the same invoices, alternating with ours; the ratio is
printed. See bench/README.md.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date as Date
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
MODULE = "account_receivable_control"
# ir.config_parameter keys marking what a database holds.
SETUP_KEY = "arc_bench.setup"
DATA_KEY = "arc_bench.data"
SETUP_VERSION = "1"
# The peer: OCA's credit control, installed in the data sets with --peer.
PEER_MODULE = "account_credit_control"
PEER_REQUIREMENT = "odoo-addon-account_credit_control>=19.0,<19.1"
PEER_KEY = "arc_bench.peer"
PEER_VERSION = "1"
# Its policy: three levels, offsets as the first three of our ladder (scale_data.LADDER).
PEER_LEVELS = [
    # level, delay (days after the due date), name
    (1, 1, "Friendly reminder"),
    (2, 15, "Second reminder"),
    (3, 30, "Last reminder"),
]

sys.path.insert(0, str(BENCH_DIR))


def log(message):
    print(f"[bench] {message}", flush=True)


# ----------------------------------------------------------------------------------------------
# Helpers of the orchestrating process (no Odoo import)
# ----------------------------------------------------------------------------------------------
def default_addons_path():
    """The module's link folder, then Odoo's standard addons (as tools/common.sh does)."""
    link_dir = REPO_DIR / ".addons"
    link_dir.mkdir(exist_ok=True)
    link = link_dir / MODULE
    if not link.exists():
        link.symlink_to(REPO_DIR)
    code = (
        "import os, odoo; root = os.path.dirname(list(odoo.__path__)[0]); "
        "p = os.path.join(root, 'addons'); "
        "print(p if os.path.isdir(os.path.join(p, 'account')) else '')"
    )
    core = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    return ",".join(filter(None, [str(link_dir), core]))


def psql(db, sql):
    result = subprocess.run(
        ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def db_exists(db):
    return psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"


def get_param(db, key):
    try:
        return psql(db, f"SELECT value FROM ir_config_parameter WHERE key = '{key}'")
    except subprocess.CalledProcessError:
        return ""


def filestore(db):
    code = (
        "from odoo.tools import config; config.parse_config([], setup_logging=False); "
        f"print(config.filestore({db!r}))"
    )
    return Path(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
    )


def drop_db(db):
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    shutil.rmtree(filestore(db), ignore_errors=True)


def copy_db(template, db):
    drop_db(db)
    subprocess.run(["createdb", "-T", template, db], check=True)
    source = filestore(template)
    if source.is_dir():
        shutil.copytree(source, filestore(db))


def run_phase(script, phase, db, addons_path, options):
    """Run ``phase`` of the bench ``script`` in a fresh Python process; return its JSON."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable,
            str(Path(script).resolve()),
            "--phase",
            phase,
            "--db",
            db,
            "--addons-path",
            addons_path,
            "--result-file",
            out.name,
        ]
        for key, value in options.items():
            command += [f"--{key.replace('_', '-')}", str(value)]
        subprocess.run(command, check=True)
        text = Path(out.name).read_text()
        return json.loads(text) if text else {}


def answer_phase(args, phases):
    """In a child process: run the phase asked for and write its JSON for the parent."""
    result = phases[args.phase](args)
    Path(args.result_file).write_text(json.dumps(result, default=str))
    return 0


def child(phase, args, db, **extra):
    """Run a phase of this script in a fresh Python process; return the JSON it wrote."""
    options = {"date": args.date, "seed": args.seed, **extra}
    return run_phase(__file__, phase, db, args.addons_path, options)


# ----------------------------------------------------------------------------------------------
# Phases run inside Odoo (one fresh process each)
# ----------------------------------------------------------------------------------------------
def odoo_registry(db, addons_path):
    from odoo.tools import config

    config.parse_config(
        [
            "-d",
            db,
            f"--addons-path={addons_path}",
            "--log-level=warn",
            "--http-interface=127.0.0.1",
        ],
        setup_logging=True,
    )
    from odoo.modules.registry import Registry

    return Registry(db)


def phase_setup(args):
    """Template database: company, generic chart, policy with its ladder, one real invoice."""
    import scale_data

    from odoo import api
    from odoo.api import SUPERUSER_ID

    registry = odoo_registry(args.db, args.addons_path)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        result = scale_data.setup(env, Date.fromisoformat(args.date))
        env["ir.config_parameter"].set_param(SETUP_KEY, SETUP_VERSION)
        cr.commit()
    return result


def phase_generate(args):
    import scale_data

    from odoo import api
    from odoo.api import SUPERUSER_ID

    registry = odoo_registry(args.db, args.addons_path)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        started = time.perf_counter()
        result = scale_data.generate(
            env,
            partners=args.partners,
            invoices=args.invoices,
            as_of=Date.fromisoformat(args.date),
            seed=args.seed,
        )
        env["ir.config_parameter"].set_param(DATA_KEY, args.spec)
        cr.commit()
        result["seconds"] = round(time.perf_counter() - started, 1)
    # VACUUM cannot run in a transaction: ANALYZE and the visibility map for index-only scans.
    with registry.cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE res_partner, account_move, account_move_line")
    return result


def _timed(cls, name, timings):
    """Wrap ``cls.name`` to add its wall time to ``timings[name]`` (the measurement's split)."""
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started

    setattr(cls, name, wrapper)


def phase_measure(args):
    """Time one ``_generate_reminders`` in this fresh process; read its peak memory."""
    from odoo import api
    from odoo.api import SUPERUSER_ID
    from odoo.tools import SQL

    registry = odoo_registry(args.db, args.addons_path)
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company_id = env["ir.config_parameter"].get_param("arc_bench.company_id")
        company = env["res.company"].browse(int(company_id))
        engine = env["receivable.dunning.engine"]
        timings = {}
        for name in ("_select_partners_to_remind", "_evaluate", "_create_reminders"):
            _timed(type(engine), name, timings)
        cron = env["ir.cron"]
        _timed(type(cron), "_commit_progress", timings)
        as_of = Date.fromisoformat(args.date)
        started = time.perf_counter()
        reminders = engine._generate_reminders(company, as_of, commit=True)
        seconds = time.perf_counter() - started
        created = len(reminders)
        cr.commit()
        counts = env.execute_query_dict(
            SQL(
                """
                SELECT (SELECT COUNT(*) FROM receivable_reminder WHERE company_id = %(c)s)
                           AS reminders,
                       (SELECT COUNT(*) FROM receivable_reminder_line WHERE company_id = %(c)s)
                           AS lines,
                       (SELECT COUNT(DISTINCT partner_id) FROM account_move
                         WHERE company_id = %(c)s AND move_type = 'out_invoice'
                           AND state = 'posted') AS partners
                """,
                c=company.id,
            )
        )[0]
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "returned": created,
        "reminders": counts["reminders"],
        "lines": counts["lines"],
        "partners": counts["partners"],
        "rss_loaded_mib": rss_loaded,
        "rss_peak_mib": rss_peak,
        "split": timings,
    }


def phase_peer_setup(args):
    """OCA's policy in a data set: three levels by days after the due date, the company's
    receivable accounts, the company's default policy (as its settings do)."""
    from odoo import api
    from odoo.api import SUPERUSER_ID

    registry = odoo_registry(args.db, args.addons_path)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        params = env["ir.config_parameter"]
        company = env["res.company"].browse(int(params.get_param("arc_bench.company_id")))
        accounts = env["account.account"].search(
            [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)]
        )
        template = env.ref("account_credit_control.email_template_credit_control_base")
        policy = env["credit.control.policy"].create(
            {
                "name": "Bench: 3 levels",
                "company_id": company.id,
                "account_ids": [(6, 0, accounts.ids)],
                "level_ids": [
                    (
                        0,
                        0,
                        {
                            "name": name,
                            "level": level,
                            "computation_mode": "net_days",
                            "delay_days": delay,
                            "email_template_id": template.id,
                            "channel": "email",
                            "custom_text": name,
                            "custom_mail_text": f"<p>{name}</p>",
                        },
                    )
                    for level, delay, name in PEER_LEVELS
                ],
            }
        )
        company.credit_policy_id = policy
        params.set_param("arc_bench.peer_policy_id", policy.id)
        params.set_param(PEER_KEY, PEER_VERSION)
        cr.commit()
        return {"policy": policy.id, "levels": len(policy.level_ids), "accounts": accounts.ids}


def phase_measure_peer(args):
    """Time OCA's run in this fresh process, as its "Compute credit lines" button: a
    ``credit.control.run`` on the evaluation date with the policy, ``generate_credit_lines``
    and the commit; read the peak memory."""
    from odoo import api
    from odoo.api import SUPERUSER_ID
    from odoo.tools import SQL

    registry = odoo_registry(args.db, args.addons_path)
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        params = env["ir.config_parameter"]
        company = env["res.company"].browse(int(params.get_param("arc_bench.company_id")))
        policy = env["credit.control.policy"].browse(
            int(params.get_param("arc_bench.peer_policy_id"))
        )
        run = (
            env["credit.control.run"]
            .with_company(company)
            .create(
                {
                    "date": Date.fromisoformat(args.date),
                    "policy_ids": [(6, 0, policy.ids)],
                    "company_id": company.id,
                }
            )
        )
        cr.commit()
        started = time.perf_counter()
        run.generate_credit_lines()
        cr.commit()
        seconds = time.perf_counter() - started
        counts = env.execute_query_dict(
            SQL(
                """
                SELECT COUNT(*) AS lines, COUNT(DISTINCT partner_id) AS partners,
                       COUNT(DISTINCT policy_level_id) AS levels
                  FROM credit_control_line WHERE run_id = %s
                """,
                run.id,
            )
        )[0]
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "lines": counts["lines"],
        "partners": counts["partners"],
        "levels": counts["levels"],
        "rss_loaded_mib": rss_loaded,
        "rss_peak_mib": rss_peak,
    }


PHASES = {
    "setup": phase_setup,
    "generate": phase_generate,
    "measure": phase_measure,
    "peer_setup": phase_peer_setup,
    "measure_peer": phase_measure_peer,
}


# ----------------------------------------------------------------------------------------------
# Orchestration
# ----------------------------------------------------------------------------------------------
def ensure_template(args):
    template = getattr(args, "template", None) or f"{args.db}_template"
    if db_exists(template) and get_param(template, SETUP_KEY) == SETUP_VERSION:
        log(f"reusing the template database {template}")
        if args.update:
            update_module(args, template)
        return template
    drop_db(template)
    log(f"creating the template database {template} (account + {MODULE})")
    run_odoo(args, template, "-i", f"account,{MODULE}")
    result = child("setup", args, template)
    log(f"template ready: {result}")
    return template


def ensure_data(args, template, db, partners, invoices):
    spec = f"partners={partners};invoices={invoices};seed={args.seed};date={args.date}"
    if not args.rebuild and db_exists(db) and get_param(db, DATA_KEY) == spec:
        log(f"reusing {db} ({spec})")
        if args.update:
            update_module(args, db)
        return
    log(f"building {db}: copy of {template}, then {partners:,} partners / {invoices:,} invoices")
    copy_db(template, db)
    result = child("generate", args, db, partners=partners, invoices=invoices, spec=spec)
    log(f"generated in {result['seconds']} s: {result}")


def run_odoo(args, db, *options):
    """``odoo -d db`` with the benchmark's addons path and ``options``, stopped after init."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db,
            f"--addons-path={args.addons_path}",
            *options,
            "--stop-after-init",
            "--log-level=warn",
            "--http-interface=127.0.0.1",
        ],
        check=True,
    )


def update_module(args, db):
    """Bring a reused database to the module's current code (new fields, data)."""
    log(f"updating {MODULE} in {db}")
    run_odoo(args, db, "-u", MODULE)


def ensure_peer_addons(args):
    """The folder holding OCA's module (``<peer-dir>/site/odoo/addons``): its wheel downloaded
    with pip (no dependencies: Odoo is there) and unpacked there, not installed, so that no
    ``odoo`` package shadows the one in use."""
    root = Path(args.peer_dir).resolve()
    addons = root / "site" / "odoo" / "addons"
    if (addons / PEER_MODULE / "__manifest__.py").is_file():
        return addons
    wheels = root / "wheels"
    wheel = args.peer_wheel
    if not wheel:
        log(f"downloading {PEER_REQUIREMENT} into {wheels}")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--dest",
                str(wheels),
                PEER_REQUIREMENT,
            ],
            check=True,
        )
        wheel = max(wheels.glob("odoo_addon_account_credit_control-*.whl"))
    log(f"unpacking {wheel} into {root / 'site'}")
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist() if name.startswith("odoo/addons/")]
        archive.extractall(root / "site", members)
    return addons


def ensure_peer(args, db):
    """OCA's module and its policy in the data set ``db`` (once)."""
    if get_param(db, PEER_KEY) == PEER_VERSION:
        return
    log(f"installing {PEER_MODULE} in {db}")
    run_odoo(args, db, "-i", PEER_MODULE)
    log(f"peer policy: {child('peer_setup', args, db)}")


def _delete(db, statements, tables):
    psql(db, statements)
    psql(db, f"VACUUM ANALYZE {', '.join(tables)}")


def delete_peer_lines(db):
    """Remove what a previous OCA run created (its lines, their messages and the run)."""
    _delete(
        db,
        """
        DELETE FROM mail_message WHERE model = 'credit.control.line';
        DELETE FROM mail_followers WHERE res_model = 'credit.control.line';
        DELETE FROM credit_control_line;
        DELETE FROM credit_control_run;
        """,
        ["credit_control_line", "mail_message", "mail_followers"],
    )


def delete_reminders(db):
    """Remove what a previous run created, so every run starts from the same state."""
    _delete(
        db,
        """
        DELETE FROM receivable_reminder_line;
        DELETE FROM receivable_reminder;
        DELETE FROM mail_followers WHERE res_model = 'receivable.reminder';
        DELETE FROM mail_message WHERE model = 'receivable.reminder';
        """,
        ["receivable_reminder", "receivable_reminder_line", "mail_followers"],
    )


def measure(args, db, phase="measure", delete=delete_reminders):
    """The timed ``phase`` in a fresh process, from (and back to) a data set without what a
    run creates (``delete``)."""
    delete(db)
    result = child(phase, args, db)
    result["db"] = db
    result["partners_per_min"] = result["partners"] / result["seconds"] * 60
    if not args.keep:
        delete(db)
    return result


def report(results, ratio_scale):
    log("results")
    header = (
        f"{'database':<18} {'partners':>9} {'reminders':>9} {'lines':>9} {'seconds':>8} "
        f"{'partners/min':>12} {'RSS loaded':>10} {'RSS peak':>9}"
    )
    print(header)
    for r in results:
        print(
            f"{r['db']:<18} {r['partners']:>9,} {r['reminders']:>9,} {r['lines']:>9,} "
            f"{r['seconds']:>8.1f} {r['partners_per_min']:>12,.0f} "
            f"{r['rss_loaded_mib']:>7.0f} MiB {r['rss_peak_mib']:>5.0f} MiB"
        )
        split = ", ".join(f"{k} {v:.1f} s" for k, v in r["split"].items())
        print(f"{'':<18} split: {split}")
    if ratio_scale:
        base = [r for r in results if r["scale"] == 1]
        big = [r for r in results if r["scale"] == ratio_scale]
        if base and big:
            ratio = min(r["seconds"] for r in big) / min(r["seconds"] for r in base)
            print(f"time({ratio_scale}x) / time(1x) = {ratio:.2f}")
    print("JSON " + json.dumps(results))


def report_peer(pairs):
    """Ours and OCA's run on the same data set, side by side, and the ratio of their times."""
    log("ours and OCA's account_credit_control on the same invoices")
    print(
        f"{'database':<18} {'customers':>9} {'lines':>9} {'ours':>7} {'OCA':>7} {'OCA/ours':>8} "
        f"{'ours/min':>9} {'OCA/min':>8} {'ours RSS':>8} {'OCA RSS':>8}"
    )
    for ours, peer in pairs:
        print(
            f"{ours['db']:<18} {ours['partners']:>9,} {ours['lines']:>9,} "
            f"{ours['seconds']:>6.1f}s {peer['seconds']:>6.1f}s "
            f"{peer['seconds'] / ours['seconds']:>7.1f}x "
            f"{ours['partners_per_min']:>9,.0f} {peer['partners_per_min']:>8,.0f} "
            f"{ours['rss_peak_mib']:>4.0f} MiB {peer['rss_peak_mib']:>4.0f} MiB"
        )
    print("PEER " + json.dumps(pairs))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", default="arc_bench", help="database of the 1x data set")
    parser.add_argument("--partners", type=int, default=20000)
    parser.add_argument("--invoices", type=int, default=100000)
    parser.add_argument(
        "--scale", type=int, default=1, help="also measure a data set this many times larger"
    )
    parser.add_argument("--runs", type=int, default=1, help="measurements per data set")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--date", default="2026-06-30", help="evaluation date; invoices are 1-120 days late"
    )
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data sets")
    parser.add_argument(
        "--update", action="store_true", help="update the module in reused databases first"
    )
    parser.add_argument("--keep", action="store_true", help="keep the last run's reminders")
    parser.add_argument(
        "--only-scaled", action="store_true", help="with --scale, measure the large set only"
    )
    parser.add_argument(
        "--template", help="template database to copy (default <db>_template), shared by sizes"
    )
    parser.add_argument(
        "--peer",
        action="store_true",
        help="also time OCA's account_credit_control on the same invoices (installed in them)",
    )
    parser.add_argument(
        "--peer-dir",
        default=str(BENCH_DIR / "out" / "oca"),
        help="where OCA's wheel is downloaded and unpacked (bench/out/oca)",
    )
    parser.add_argument("--peer-wheel", help="OCA's wheel already downloaded (no download)")
    parser.add_argument("--addons-path", default=None)
    # Internal: a phase run in a child process.
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.addons_path = args.addons_path or default_addons_path()
    if args.peer and not args.phase:
        # Only this benchmark's processes see OCA's module (the template does not install it).
        args.addons_path += f",{ensure_peer_addons(args)}"

    if args.phase:
        return answer_phase(args, PHASES)

    started = time.perf_counter()
    template = ensure_template(args)
    datasets = [] if args.only_scaled else [(args.db, 1)]
    if args.scale > 1:
        datasets.append((f"{args.db}_x{args.scale}", args.scale))
    for db, scale in datasets:
        ensure_data(args, template, db, args.partners * scale, args.invoices * scale)
        if args.peer:
            ensure_peer(args, db)
    results, pairs = [], []
    for db, scale in datasets:
        for run in range(args.runs):
            log(f"measuring {db} (run {run + 1}/{args.runs})")
            result = measure(args, db)
            result["scale"] = scale
            log(
                f"{db}: {result['reminders']:,} reminders, {result['lines']:,} lines in "
                f"{result['seconds']:.1f} s, {result['partners_per_min']:,.0f} partners/min, "
                f"peak RSS {result['rss_peak_mib']:.0f} MiB"
            )
            results.append(result)
            if args.peer:
                log(f"measuring OCA's run on {db} (run {run + 1}/{args.runs})")
                peer = measure(args, db, "measure_peer", delete_peer_lines)
                log(
                    f"{db}: OCA {peer['lines']:,} lines for {peer['partners']:,} customers in "
                    f"{peer['seconds']:.1f} s, peak RSS {peer['rss_peak_mib']:.0f} MiB "
                    f"({peer['seconds'] / result['seconds']:.1f}x ours)"
                )
                pairs.append((result, peer))
    report(results, args.scale if args.scale > 1 else None)
    if pairs:
        report_peer(pairs)
    log(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
