#!/usr/bin/env python3
"""Benchmark of the aged receivables (``receivable.aging``) against a hand-written aggregate.

    python3 bench/bench_aging.py --db arc_bench_aging --partners 50000 --invoices 1000000

Builds (once) a template database like bench_dunning.py does (``<db>_template``: account and
the module, the generic chart, one real invoice) plus one real payment matched by the ORM, then
a data set ``<db>``: ``--invoices`` open receivable lines over ``--partners`` customers, 29 days
before due to 210 days past due on ``--date`` (all buckets populated), and payments on about
10 % of the invoices (half of them partial and still open, half full and reconciled; the fully
paid invoices are extra, so the open lines number ``--invoices``). With ``--shape sameday``
(database ``arc_bench_aging_sameday`` by default) every invoice is issued 75 days before
``--date`` and due after 0, 30 or 60 days: 20 open invoices per customer all of the same day,
in three buckets live and two at the as-of date. Then, in a fresh Odoo process,
it times, in ``--runs`` rounds (each measures every call once; median kept):

* the reference: one hand-written SQL aggregate per partner and bucket of the open lines;
* the list grouped by partner, as the web client sends it (``web_read_group`` with the
  aggregates of the list's fields, ``limit=80``) and with plain sums; the full group-by
  (``_read_group`` over all partners, no limit);
* the pivot (``_read_group`` partners x buckets, and the web client's
  ``formatted_read_grouping_sets``);
* the same at an as-of date (``--asof-days`` before the evaluation date);
* the XLSX by partner (``receivable.aging.xlsx._build_by_partner``) when the model exists.

It checks that the per-partner sums of the aging equal the reference's (live) and those of a
hand-written as-of aggregate (past date), prints a table with the ratios to the reference and
writes ``EXPLAIN ANALYZE`` of the ORM's queries. See bench/README.md.
"""

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date as Date
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import bench_dunning as bd  # noqa: E402

MODULE = bd.MODULE
DATA_KEY = "arc_bench_aging.data"
PAYMENT_KEY = "arc_bench_aging.payment_setup"
PAYMENT_VERSION = "1"
# Days past due on the evaluation date: 29 days before due (not due) to 210 days late (the
# as-of date, 60 days earlier, still has lines over 90 days).
LATE_DAYS = (-29, 210)
# Invoice g is partially paid when g % EVERY == PARTIAL_SLOT, fully paid when == FULL_SLOT.
EVERY, PARTIAL_SLOT, FULL_SLOT = 21, 10, 20
# Shape "sameday": every invoice issued ISSUED_DAYS before the evaluation date, due after one of
# TERMS days (drawn per invoice): live, buckets 1-30, 31-60 and 61-90; at the as-of date (60
# days earlier) not due and 1-30. The same payments as the default shape.
ISSUED_DAYS, TERMS = 75, (0, 30, 60)
SHAPES = ("default", "sameday")
# Issue 13's targets: the list 1.3x and the other grouped reads (pivot) 1.5x the hand-written
# aggregate live, 2x at a date; the XLSX in 30 s.
TARGET_LIST, TARGET_LIVE, TARGET_ASOF, TARGET_XLSX = 1.3, 1.5, 2.0, 30.0

log = bd.log


def child(phase, args, db, **extra):
    """Run a phase of this script in a fresh Python process; return the JSON it wrote."""
    options = {
        "date": args.date,
        "seed": args.seed,
        "runs": args.runs,
        "asof_days": args.asof_days,
        "explain_dir": args.explain_dir,
        "shape": getattr(args, "shape", "default"),
        **extra,
    }
    return bd.run_phase(__file__, phase, db, args.addons_path, options)


# ----------------------------------------------------------------------------------------------
# Phases run inside Odoo (one fresh process each)
# ----------------------------------------------------------------------------------------------
def phase_setup_payment(args):
    import scale_data

    from odoo import api
    from odoo.api import SUPERUSER_ID

    registry = bd.odoo_registry(args.db, args.addons_path)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        result = scale_data.setup_payment(env, Date.fromisoformat(args.date))
        env["ir.config_parameter"].set_param(PAYMENT_KEY, PAYMENT_VERSION)
        cr.commit()
    return result


def phase_generate(args):
    import scale_data

    from odoo import api
    from odoo.api import SUPERUSER_ID

    registry = bd.odoo_registry(args.db, args.addons_path)
    as_of = Date.fromisoformat(args.date)
    # The fully paid invoices come on top, so that the open ones number args.invoices.
    total = args.invoices * EVERY // (EVERY - 1)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        started = time.perf_counter()
        result = scale_data.generate(
            env,
            partners=args.partners,
            invoices=total,
            as_of=as_of,
            seed=args.seed,
            late_days=LATE_DAYS,
            issued=(ISSUED_DAYS, TERMS) if args.shape == "sameday" else None,
        )
        result["generate_seconds"] = round(time.perf_counter() - started, 1)
        result["payments"] = scale_data.generate_payments(
            env,
            result,
            as_of,
            args.seed,
            every=EVERY,
            partial_slot=PARTIAL_SLOT,
            full_slot=FULL_SLOT,
        )
        env["ir.config_parameter"].set_param(DATA_KEY, args.spec)
        cr.commit()
        result["seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with registry.cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(
            "VACUUM ANALYZE res_partner, account_move, account_move_line,"
            " account_partial_reconcile, account_full_reconcile"
        )
    result["vacuum_seconds"] = round(time.perf_counter() - started, 1)
    return result


def _bucket_sql(date_sql, bounds, day_expr):
    """SUM(CASE ...) per bucket, as the module defines them: (low, high] days past due."""
    from odoo.tools import SQL

    limits = [0, *bounds]
    conditions = [SQL("%s - %s <= 0", date_sql, day_expr)]
    conditions += [
        SQL("%s - %s BETWEEN %s AND %s", date_sql, day_expr, low + 1, high)
        for low, high in pairwise(limits)
    ]
    conditions.append(SQL("%s - %s > %s", date_sql, day_expr, bounds[-1]))
    return conditions


def reference_live_sql(company_id, date, bounds):
    """The hand-written aggregate of the open receivable lines per commercial partner."""
    from odoo.tools import SQL

    day = SQL("COALESCE(aml.date_maturity, aml.date)")
    sums = [
        SQL("SUM(CASE WHEN %s THEN aml.amount_residual ELSE 0 END)", cond)
        for cond in _bucket_sql(SQL("%s::date", date), bounds, day)
    ]
    return SQL(
        """
        SELECT p.commercial_partner_id, %(sums)s, SUM(aml.amount_residual), COUNT(*)
          FROM account_move_line aml
          JOIN account_account a ON a.id = aml.account_id
          JOIN res_partner p ON p.id = aml.partner_id
         WHERE a.account_type = 'asset_receivable'
           AND aml.parent_state = 'posted'
           AND NOT aml.reconciled
           AND aml.company_id = %(company)s
      GROUP BY 1
        """,
        sums=SQL(", ").join(sums),
        company=company_id,
    )


def reference_asof_sql(company_id, date, bounds):
    """Hand-written aggregate at a past date (a check of the as-of path, not the target)."""
    from odoo.tools import SQL

    day = SQL("COALESCE(l.date_maturity, l.date)")
    sums = [
        SQL("SUM(CASE WHEN %s THEN l.residual ELSE 0 END)", cond)
        for cond in _bucket_sql(SQL("%s::date", date), bounds, day)
    ]
    return SQL(
        """
        SELECT l.partner, %(sums)s, SUM(l.residual), COUNT(*)
          FROM (
                SELECT p.commercial_partner_id AS partner, aml.date_maturity, aml.date,
                       aml.balance
                       - COALESCE((SELECT SUM(r.amount) FROM account_partial_reconcile r
                                    WHERE r.debit_move_id = aml.id
                                      AND r.max_date <= %(date)s::date), 0)
                       + COALESCE((SELECT SUM(r.amount) FROM account_partial_reconcile r
                                    WHERE r.credit_move_id = aml.id
                                      AND r.max_date <= %(date)s::date), 0) AS residual
                  FROM account_move_line aml
                  JOIN account_account a ON a.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                 WHERE a.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.date <= %(date)s::date
                   AND aml.company_id = %(company)s
               ) l
         WHERE l.residual != 0
      GROUP BY 1
        """,
        sums=SQL(", ").join(sums),
        company=company_id,
        date=date,
    )


class QueryCapture:
    """Record the SQL queries run on a cursor (to EXPLAIN the ORM's)."""

    def __init__(self, cr):
        self.cr = cr
        self.queries = []

    def __enter__(self):
        cr, queries = self.cr, self.queries
        original = cr.execute

        def execute(query, params=None, log_exceptions=True):
            queries.append(cr.mogrify(query, params).decode())
            return original(query, params, log_exceptions)

        cr.execute = execute
        return self

    def __exit__(self, *exc):
        del self.cr.execute


def _plain_groups(groups):
    """``_read_group`` rows with the partner's id instead of the record."""
    return [(partner.id, *values) for partner, *values in groups]


def odoo_registry_with_xlsx(db, addons_path):
    """``bd.odoo_registry``, but when ``models/receivable_aging_xlsx.py`` exists and the module
    does not import it yet, import it first so that its (abstract, tableless) model is in the
    registry: the XLSX can be measured before it is wired in. Returns (registry, how)."""
    import importlib

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
    models_dir = bd.REPO_DIR / "models"
    how = "module"
    if (models_dir / "receivable_aging_xlsx.py").exists() and (
        "receivable_aging_xlsx" not in (models_dir / "__init__.py").read_text()
    ):
        from odoo.modules.module import initialize_sys_path

        initialize_sys_path()
        importlib.import_module(f"odoo.addons.{MODULE}.models.receivable_aging_xlsx")
        how = "file (not yet imported by models/__init__.py)"
    from odoo.modules.registry import Registry

    return Registry(db), how


def phase_measure(args):
    from odoo import api
    from odoo import fields
    from odoo.api import SUPERUSER_ID

    registry, xlsx_how = odoo_registry_with_xlsx(args.db, args.addons_path)
    explain_dir = Path(args.explain_dir)
    explain_dir.mkdir(parents=True, exist_ok=True)
    results, checks, explains = {}, {}, {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.company"].browse(
            int(env["ir.config_parameter"].get_param("arc_bench.company_id"))
        )
        env = env(context={"allowed_company_ids": [company.id]})
        aging_live = env["receivable.aging"].with_company(company)
        today = fields.Date.context_today(aging_live)
        asof = today - timedelta(days=args.asof_days)
        aging_asof = aging_live.with_context(receivable_aging_date=fields.Date.to_string(asof))
        bounds = company._get_receivable_aging_bounds()
        labels = aging_live._get_bucket_labels()
        used = [f"amount_b{index}" for index in range(len(labels))]
        plain_aggregates = [f"{name}:sum" for name in used] + ["amount_residual:sum"]
        # What the list view sends: its fields with an aggregator (all bucket columns, the
        # invisible ones too), their sum_currency and the currency's array_agg_distinct.
        list_fields = [f"amount_b{index}" for index in range(7)] + ["amount_residual"]
        web_aggregates = (
            [f"{name}:sum" for name in list_fields]
            + ["company_currency_id:array_agg_distinct"]
            + [f"{name}:sum_currency" for name in list_fields]
        )
        web_context = {"read_group_expand": True, "receivable_aging_bucket_count": len(labels)}
        # What the shipped pivot sends (web/static/src/views/pivot/pivot_model.js): customers
        # in rows, no column groups, and per measure (the used buckets and the total) its sum,
        # the currencies and the sum in the root company's currency, then the count.
        pivot_sets = [[], ["partner_id"]]
        pivot_measures = [
            spec
            for name in [*used, "amount_residual"]
            for spec in (
                f"{name}:sum",
                "company_currency_id:array_agg_distinct",
                f"{name}:sum_currency",
            )
        ] + ["__count"]
        # A user who moves the buckets to the columns (information, not the target).
        bucket_sets = [[], ["partner_id"], ["bucket"], ["partner_id", "bucket"]]
        bucket_measures = [
            "amount_residual:sum",
            "company_currency_id:array_agg_distinct",
            "amount_residual:sum_currency",
            "__count",
        ]
        xlsx = env.registry.get("receivable.aging.xlsx") and env["receivable.aging.xlsx"]

        def sql_rows(query):
            cr.execute(query)
            return cr.fetchall()

        measurements = [
            (
                "reference SQL (live)",
                "ref",
                lambda: sql_rows(reference_live_sql(company.id, today, bounds)),
            ),
            (
                "reference SQL (as-of, check only)",
                "ref_asof",
                lambda: sql_rows(reference_asof_sql(company.id, asof, bounds)),
            ),
        ]
        for path, aging in (("live", aging_live), ("as-of", aging_asof)):
            measurements += [
                (
                    f"list web_read_group, web client aggregates, limit 80 ({path})",
                    path,
                    lambda aging=aging: aging.with_context(**web_context).web_read_group(
                        [],
                        ["partner_id"],
                        web_aggregates,
                        limit=80,
                        offset=0,
                        order="",
                        auto_unfold=False,
                        opening_info=[],
                        unfold_read_specification={},
                        unfold_read_default_limit=80,
                        groupby_read_specification={},
                    ),
                ),
                (
                    f"list web_read_group, plain sums, limit 80 ({path})",
                    path,
                    lambda aging=aging: aging.web_read_group(
                        [], ["partner_id"], plain_aggregates, limit=80
                    ),
                ),
                (
                    f"_read_group by partner, all partners ({path})",
                    path,
                    lambda aging=aging: aging._read_group(
                        [], ["partner_id"], [*plain_aggregates, "__count"]
                    ),
                ),
                (
                    f"pivot _read_group partner x bucket ({path})",
                    path,
                    lambda aging=aging: aging._read_group(
                        [], ["partner_id", "bucket"], ["amount_residual:sum"]
                    ),
                ),
                (
                    f"pivot as shipped, formatted_read_grouping_sets ({path})",
                    path,
                    lambda aging=aging: aging.formatted_read_grouping_sets(
                        [], pivot_sets, pivot_measures
                    ),
                ),
                (
                    f"pivot buckets in columns, formatted_read_grouping_sets ({path})",
                    f"{path} info",
                    lambda aging=aging: aging.formatted_read_grouping_sets(
                        [], bucket_sets, bucket_measures
                    ),
                ),
            ]
        if xlsx is not None:
            measurements += [
                ("XLSX by partner (live)", "xlsx", lambda: xlsx._build_by_partner(company, today)),
                ("XLSX by partner (as-of)", "xlsx", lambda: xlsx._build_by_partner(company, asof)),
            ]

        # What the checks below need of some outputs, in plain values; the other outputs are
        # dropped at once: every measurement starts from the same process, not one holding the
        # previous results (hundreds of thousands of objects the garbage collector would scan).
        kept = {
            "reference SQL (live)": list,
            "reference SQL (as-of, check only)": list,
            "_read_group by partner, all partners (live)": _plain_groups,
            "_read_group by partner, all partners (as-of)": _plain_groups,
            "list web_read_group, web client aggregates, limit 80 (live)": lambda web: {
                "groups": len(web["groups"]),
                "length": web["length"],
            },
            "pivot _read_group partner x bucket (live)": len,
        }
        # Rounds: each round measures the reference, then every other call once, so that a
        # slower or faster moment of the machine weighs on all of them alike.
        outputs, sizes, times = {}, {}, {label: [] for label, __, __ in measurements}
        for run in range(args.runs):
            for label, kind, function in measurements:
                if kind == "ref_asof" and run:
                    continue  # a correctness check only (slow correlated subqueries): once
                env.invalidate_all()
                gc.collect()
                started = time.perf_counter()
                output = function()
                times[label].append(time.perf_counter() - started)
                if not run and label in kept:
                    outputs[label] = kept[label](output)
                if kind == "xlsx":
                    sizes[label] = len(output)
                del output
            log(f"round {run + 1} of {args.runs} measured")
        for label, kind, function in measurements:
            results[label] = {
                **({"bytes": sizes[label]} if label in sizes else {}),
                "kind": kind,
                "times": times[label],
                "median": statistics.median(times[label]),
            }
            if kind in ("live", "as-of") and args.explain_dir:
                env.invalidate_all()
                with QueryCapture(cr) as capture:
                    function()
                grouped = [q for q in capture.queries if "GROUP BY" in q.upper()]
                plans = []
                for query in grouped:
                    cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
                    plans.append(query + "\n\n" + "\n".join(row[0] for row in cr.fetchall()))
                explains[label] = plans

        # Same data: per-partner sums of the aging = the reference's.
        def by_partner_ref(rows):
            return {
                row[0]: (
                    [round(float(x), 2) for x in row[1 : 1 + len(labels)]],
                    round(float(row[1 + len(labels)]), 2),
                    row[-1],
                )
                for row in rows
            }

        def by_partner_orm(groups):
            return {
                partner: (
                    [round(a or 0.0, 2) for a in values[: len(used)]],
                    round(values[len(used)] or 0.0, 2),
                    values[-1],
                )
                for partner, *values in groups
            }

        for path, ref_label in (
            ("live", "reference SQL (live)"),
            ("as-of", "reference SQL (as-of, check only)"),
        ):
            ref = by_partner_ref(outputs[ref_label])
            orm = by_partner_orm(outputs[f"_read_group by partner, all partners ({path})"])
            mismatches = [
                pid
                for pid in set(ref) | set(orm)
                if pid not in ref
                or pid not in orm
                or ref[pid][2] != orm[pid][2]
                or abs(ref[pid][1] - orm[pid][1]) > 0.005
                or any(abs(a - b) > 0.005 for a, b in zip(ref[pid][0], orm[pid][0], strict=True))
            ]
            checks[path] = {
                "partners_ref": len(ref),
                "partners_orm": len(orm),
                "lines_ref": sum(v[2] for v in ref.values()),
                "lines_orm": sum(v[2] for v in orm.values()),
                "total_ref": round(sum(v[1] for v in ref.values()), 2),
                "total_orm": round(sum(v[1] for v in orm.values()), 2),
                "buckets_ref": [
                    round(sum(v[0][i] for v in ref.values()), 2) for i in range(len(labels))
                ],
                "mismatches": len(mismatches),
                "mismatch_sample": sorted(mismatches)[:5],
            }
        checks["web_read_group"] = outputs[
            "list web_read_group, web client aggregates, limit 80 (live)"
        ]
        checks["pivot_cells"] = outputs["pivot _read_group partner x bucket (live)"]
        cr.rollback()
    explain_file = explain_dir / f"{args.db}_explain.txt"
    with explain_file.open("w") as handle:
        for label, plans in explains.items():
            for plan in plans:
                handle.write(f"=== {label}\n{plan}\n\n")
    return {
        "today": str(today),
        "asof": str(asof),
        "labels": labels,
        "results": results,
        "checks": checks,
        "xlsx": xlsx is not None,
        "xlsx_loaded_from": xlsx_how if xlsx is not None else None,
        "explain_file": str(explain_file),
    }


PHASES = {
    "setup_payment": phase_setup_payment,
    "generate": phase_generate,
    "measure": phase_measure,
}


# ----------------------------------------------------------------------------------------------
# Orchestration
# ----------------------------------------------------------------------------------------------
def ensure_template(args):
    template = bd.ensure_template(args)
    if bd.get_param(template, PAYMENT_KEY) != PAYMENT_VERSION:
        log(f"adding the template payment to {template}")
        log(f"template payment: {child('setup_payment', args, template)}")
    return template


def data_spec(args):
    """The data set's marker: a database is reused only when it matches (shape included)."""
    size = f"partners={args.partners};invoices={args.invoices};seed={args.seed};date={args.date};"
    paid = f"paid={EVERY}:{PARTIAL_SLOT},{FULL_SLOT}"
    shape = getattr(args, "shape", "default")
    if shape == "sameday":
        terms = ",".join(map(str, TERMS))
        return f"{size}shape=sameday;issued={ISSUED_DAYS};terms={terms};{paid}"
    # The default shape keeps the marker it had before shapes existed (its data is unchanged).
    return f"{size}late={LATE_DAYS[0]}..{LATE_DAYS[1]};{paid}"


def ensure_data(args, template):
    spec = data_spec(args)
    db = args.db
    if not args.rebuild and bd.db_exists(db) and bd.get_param(db, DATA_KEY) == spec:
        log(f"reusing {db} ({spec})")
        if args.update:
            bd.update_module(args, db)
        return
    log(
        f"building {db} ({getattr(args, 'shape', 'default')} shape): copy of {template}, then "
        f"{args.partners:,} partners, {args.invoices:,} open invoices + the fully paid ones"
    )
    bd.copy_db(template, db)
    result = child("generate", args, db, partners=args.partners, invoices=args.invoices, spec=spec)
    log(
        f"generated in {result['seconds']} s (+ VACUUM ANALYZE {result['vacuum_seconds']} s): "
        f"{result}"
    )


def ensure_aging_data(args):
    """This data set for another benchmark (risk, prediction), with the options its phases
    need but the other script does not take: the template, then the data set."""
    args.asof_days, args.explain_dir = 60, tempfile.gettempdir()
    ensure_data(args, ensure_template(args))


def report(result):
    results = result["results"]
    ref = results["reference SQL (live)"]["median"]
    print()
    print(
        f"evaluation date {result['today']}, as-of date {result['asof']}, "
        f"buckets {result['labels']}"
    )
    header = f"{'measurement':<66} {'median s':>9} {'ratio':>6} {'target':>7}  runs (s)"
    print(header)
    print("-" * len(header))
    for label, r in results.items():
        target = {"live": TARGET_LIVE, "as-of": TARGET_ASOF}.get(r["kind"])
        if r["kind"] == "live" and label.startswith("list"):
            target = TARGET_LIST
        ratio = r["median"] / ref
        if r["kind"] == "xlsx":
            verdict = f"{'ok' if r['median'] <= TARGET_XLSX else 'MISS'} <={TARGET_XLSX:.0f}s"
        elif target:
            verdict = f"{'ok' if ratio <= target else 'MISS'} <={target}x"
        else:
            verdict = ""
        runs = ", ".join(f"{t:.3f}" for t in r["times"])
        print(f"{label:<66} {r['median']:>9.3f} {ratio:>6.2f} {verdict:>10}  {runs}")
    print()
    for path in ("live", "as-of"):
        c = result["checks"][path]
        print(
            f"check {path}: partners ref {c['partners_ref']:,} / aging {c['partners_orm']:,}, "
            f"lines ref {c['lines_ref']:,} / aging {c['lines_orm']:,}, total ref "
            f"{c['total_ref']:,.2f} / aging {c['total_orm']:,.2f}, buckets {c['buckets_ref']}, "
            f"partners that differ: {c['mismatches']} {c['mismatch_sample'] or ''}"
        )
    print(
        f"web_read_group: {result['checks']['web_read_group']}; "
        f"pivot cells: {result['checks']['pivot_cells']:,}"
    )
    if not result["xlsx"]:
        print("XLSX: model receivable.aging.xlsx not in the registry, not measured")
    else:
        print(f"XLSX: receivable.aging.xlsx loaded from the {result['xlsx_loaded_from']}")
    print(f"EXPLAIN ANALYZE of the ORM queries: {result['explain_file']}")
    print("JSON " + json.dumps(result))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--db", help="database (default arc_bench_aging, arc_bench_aging_sameday for --shape)"
    )
    parser.add_argument(
        "--shape",
        choices=SHAPES,
        default="default",
        help="data set: default (due dates spread over 240 days) or sameday (all invoices "
        f"issued {ISSUED_DAYS} days before --date, due after {'/'.join(map(str, TERMS))} days)",
    )
    parser.add_argument("--partners", type=int, default=50000)
    parser.add_argument("--invoices", type=int, default=1000000, help="open invoices")
    parser.add_argument("--runs", type=int, default=5, help="rounds of measurements (median)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--date",
        default=Date.today().isoformat(),
        help="evaluation date of the data (default today: the live aging is at today)",
    )
    parser.add_argument("--asof-days", type=int, default=60, help="as-of date = today - N")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data set")
    parser.add_argument("--update", action="store_true", help="-u the module on reused DBs")
    parser.add_argument("--explain-dir", default=tempfile.gettempdir())
    parser.add_argument("--addons-path", default=None)
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.addons_path = args.addons_path or bd.default_addons_path()
    args.db = args.db or {"default": "arc_bench_aging"}.get(
        args.shape, f"arc_bench_aging_{args.shape}"
    )

    if args.phase:
        return bd.answer_phase(args, PHASES)

    started = time.perf_counter()
    template = ensure_template(args)
    ensure_data(args, template)
    log(f"measuring {args.db} ({args.runs} runs each, fresh process)")
    report(child("measure", args, args.db))
    log(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
