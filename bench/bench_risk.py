#!/usr/bin/env python3
"""Benchmark of the risk scores (``receivable.risk.engine``) against a hand-written aggregate.

    python3 bench/bench_risk.py --db arc_risk_bench --partners 50000 --invoices 1000000 --update

Acceptance: *recomputing scores for 50,000 partners over 1,000,000 lines takes <= 2x a
hand-written PostgreSQL aggregate of the same inputs in the same run.*

Data: the data set of bench_aging.py (template ``<db>_template`` with the module, the generic
chart, one real invoice and one real matched payment; ``<db>``: ``--invoices`` open invoices
over ``--partners`` customers, 29 days before due to 210 days past due, about 5 % of them
partially paid and 5 % more fully paid 1 to 90 days after their invoice date, i.e. -29 to +60
days from their due date: the payment history). On top, once (marker ``arc_bench_risk.extra``),
in SQL: 1 % of the open invoices in dispute and a broken promise for 2 % of the customers.

Measure, in a fresh Odoo process, ``--runs`` times each (median kept), alternating:

* the reference: one hand-written SQL aggregate of the same inputs per commercial partner
  (paid lines of the two windows with their payment date, open lines with their dunning level
  and dispute, broken promises, the partner's limit and policy), fetched by the client;
* ``_recompute_scores(company, date, commit=True)``: the engine's query, the Python scoring,
  the bulk INSERT of the snapshots, the partners' jsonb UPDATE and a commit per batch. Before
  each run (not timed) the snapshots are deleted and the partners' scores cleared, so every run
  writes every partner (the worst case: the first night).

Also timed once: the expected payment dates of every open invoice
(``_compute_expected_payment_dates_company``). A check compares the reference's figures with
the snapshots' (paid count, average days late, oldest overdue, incidents). See bench/README.md.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date as Date
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import bench_aging as ba  # noqa: E402
import bench_dunning as bd  # noqa: E402

EXTRA_KEY = "arc_bench_risk.extra"
EXTRA_VERSION = "1"
TARGET = 1.6  # issue 13: the scores in at most 1.6x their hand-written aggregate
log = bd.log


def child(phase, args, db, **extra):
    """Run a phase of this script in a fresh Python process; return the JSON it wrote."""
    options = {"date": args.date, "runs": args.runs, **extra}
    return bd.run_phase(__file__, phase, db, args.addons_path, options)


def reference_sql(company_id, cid, default_policy, date, start, previous_start):
    """The hand-written aggregate: the same inputs as the engine, one row per partner."""
    from odoo.tools import SQL

    return SQL(
        """
        WITH pay AS (
            SELECT debit_move_id AS line_id, MAX(max_date) AS pay_date
              FROM account_partial_reconcile
             WHERE company_id = %(company)s
          GROUP BY debit_move_id
        ),
        paid AS (
            SELECT p.commercial_partner_id AS partner,
                   COUNT(*) FILTER (WHERE pay.pay_date > %(start)s) AS n,
                   COUNT(*) FILTER (WHERE pay.pay_date > %(start)s
                                      AND pay.pay_date > aml.date_maturity) AS n_late,
                   SUM(aml.balance * GREATEST(pay.pay_date - aml.date_maturity, 0))
                       FILTER (WHERE pay.pay_date > %(start)s)
                   / NULLIF(SUM(aml.balance) FILTER (WHERE pay.pay_date > %(start)s), 0) AS late,
                   SUM(aml.balance * GREATEST(pay.pay_date - aml.date_maturity, 0))
                       FILTER (WHERE pay.pay_date <= %(start)s)
                   / NULLIF(SUM(aml.balance) FILTER (WHERE pay.pay_date <= %(start)s), 0)
                       AS prev_late,
                   MIN(aml.date) AS first_date
              FROM account_move_line aml
              JOIN pay ON pay.line_id = aml.id
              JOIN account_account a ON a.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.reconciled AND a.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted' AND aml.company_id = %(company)s
               AND aml.balance > 0 AND aml.date_maturity IS NOT NULL
               AND pay.pay_date > %(previous_start)s AND pay.pay_date <= %(date)s
          GROUP BY 1
        ),
        opened AS (
            SELECT p.commercial_partner_id AS partner,
                   SUM(aml.amount_residual) FILTER (WHERE aml.date_maturity < %(date)s) AS overdue,
                   MIN(aml.date_maturity) FILTER (WHERE aml.date_maturity < %(date)s) AS oldest,
                   MAX(CASE WHEN l.offset_days > 0 THEN (
                       SELECT COUNT(*) FROM receivable_dunning_level o
                        WHERE o.policy_id = l.policy_id AND o.offset_days > 0
                          AND o.offset_days <= l.offset_days) ELSE 0 END) AS dunning,
                   COUNT(*) FILTER (WHERE m.receivable_dispute) AS disputes,
                   MIN(aml.date) AS first_date
              FROM account_move_line aml
              JOIN account_account a ON a.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN account_move m ON m.id = aml.move_id
         LEFT JOIN receivable_dunning_level l ON l.id = m.receivable_dunning_level_id
             WHERE aml.reconciled IS NOT TRUE AND aml.amount_residual > 0
               AND a.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
               AND aml.company_id = %(company)s AND aml.date <= %(date)s
          GROUP BY 1
        ),
        broken AS (
            SELECT partner_id AS partner, COUNT(*) AS n
              FROM receivable_promise
             WHERE company_id = %(company)s AND state = 'broken'
               AND promise_date > %(start)s AND promise_date <= %(date)s
          GROUP BY 1
        )
        SELECT cp.id,
               COALESCE(paid.n, 0),
               COALESCE(paid.n_late, 0),
               paid.late::float,
               paid.prev_late::float,
               COALESCE(opened.overdue, 0)::float,
               COALESCE(%(date)s - opened.oldest, 0),
               COALESCE(opened.dunning, 0),
               COALESCE(opened.disputes, 0) + COALESCE(broken.n, 0),
               %(date)s - LEAST(opened.first_date, paid.first_date, cp.create_date::date),
               COALESCE(NULLIF((cp.credit_limit ->> %(cid)s)::float, 0),
                        pol.default_credit_limit, 0)::float,
               cp.receivable_risk_class ->> %(cid)s,
               COALESCE((cp.credit_on_hold ->> %(cid)s)::boolean, FALSE)
          FROM opened
     FULL JOIN paid ON paid.partner = opened.partner
          JOIN res_partner cp ON cp.id = COALESCE(opened.partner, paid.partner)
     LEFT JOIN broken ON broken.partner = cp.id
     LEFT JOIN receivable_policy pol
            ON pol.id = COALESCE((cp.receivable_policy_id ->> %(cid)s)::int, %(default)s)
      ORDER BY cp.id
        """,
        company=company_id,
        cid=cid,
        default=default_policy,
        date=date,
        start=start,
        previous_start=previous_start,
    )


# ----------------------------------------------------------------------------------------------
# Phases run inside Odoo (one fresh process each)
# ----------------------------------------------------------------------------------------------
def phase_extra(args):
    """Disputes on 1 % of the open invoices, a broken promise for 2 % of the customers."""
    from odoo import api
    from odoo.api import SUPERUSER_ID

    registry = bd.odoo_registry(args.db, args.addons_path)
    date = Date.fromisoformat(args.date)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company_id = int(env["ir.config_parameter"].get_param("arc_bench.company_id"))
        cr.execute(
            """
            UPDATE account_move SET receivable_dispute = TRUE,
                   receivable_dispute_reason = 'Bench dispute'
             WHERE company_id = %s AND move_type = 'out_invoice'
               AND payment_state IN ('not_paid', 'partial') AND id %% 100 = 0
            """,
            [company_id],
        )
        disputes = cr.rowcount
        cr.execute(
            """
            INSERT INTO receivable_promise (partner_id, company_id, promise_date, amount,
                                            amount_due_at_promise, state, user_id,
                                            create_uid, create_date, write_uid, write_date)
            SELECT p.id, %(company)s, %(date)s::date - 30 - p.id %% 200, 100, 100, 'broken',
                   1, 1, now(), 1, now()
              FROM res_partner p
             WHERE p.id %% 50 = 0
               AND EXISTS (SELECT 1 FROM account_move m WHERE m.commercial_partner_id = p.id
                              AND m.company_id = %(company)s)
            """,
            {"company": company_id, "date": date},
        )
        promises = cr.rowcount
        env["ir.config_parameter"].set_param(EXTRA_KEY, EXTRA_VERSION)
        cr.commit()
    with registry.cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE account_move, receivable_promise")
    return {"disputes": disputes, "broken_promises": promises}


def phase_measure(args):
    from dateutil.relativedelta import relativedelta

    from odoo import api
    from odoo.api import SUPERUSER_ID

    registry = bd.odoo_registry(args.db, args.addons_path)
    date = Date.fromisoformat(args.date)
    results = {"reference": [], "engine": []}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.company"].browse(
            int(env["ir.config_parameter"].get_param("arc_bench.company_id"))
        )
        env = env(context={"allowed_company_ids": [company.id]})
        company = company.with_env(env)
        engine = env["receivable.risk.engine"].with_company(company)
        months = company.receivable_risk_window_months or 12
        start = date - relativedelta(months=months)
        reference = reference_sql(
            company.id,
            str(company.id),
            company.receivable_default_policy_id.id or None,
            date,
            start,
            start - relativedelta(months=months),
        )
        counts = {}
        cr.execute(
            """
            SELECT COUNT(*) FILTER (WHERE NOT aml.reconciled),
                   COUNT(*) FILTER (WHERE aml.reconciled)
              FROM account_move_line aml JOIN account_account a ON a.id = aml.account_id
             WHERE a.account_type = 'asset_receivable' AND aml.company_id = %s
            """,
            [company.id],
        )
        counts["open_lines"], counts["reconciled_lines"] = cr.fetchone()

        def reset():
            cr.execute("DELETE FROM receivable_risk_snapshot WHERE company_id = %s", [company.id])
            cr.execute(
                "UPDATE res_partner SET receivable_risk_score = NULL, receivable_risk_class = NULL"
                " WHERE receivable_risk_score IS NOT NULL OR receivable_risk_class IS NOT NULL"
            )
            cr.commit()
            env.invalidate_all()

        ref_rows = None
        for run in range(args.runs):
            env.invalidate_all()
            started = time.perf_counter()
            cr.execute(reference)
            ref_rows = cr.fetchall()
            results["reference"].append(time.perf_counter() - started)
            reset()
            started = time.perf_counter()
            scored = engine._recompute_scores(company, date, commit=True)
            results["engine"].append(time.perf_counter() - started)
            log(
                f"run {run + 1}: reference {results['reference'][-1]:.2f} s "
                f"({len(ref_rows):,} rows), engine {results['engine'][-1]:.2f} s "
                f"({scored:,} partners)"
            )
        started = time.perf_counter()
        updated = env["account.move"]._compute_expected_payment_dates_company(company, date)
        cr.commit()
        expected_seconds = time.perf_counter() - started
        # Check: the snapshots hold the reference's figures.
        cr.execute(
            """
            SELECT partner_id, paid_count, avg_late_days, oldest_overdue_days, incident_count,
                   risk_class
              FROM receivable_risk_snapshot WHERE company_id = %s
            """,
            [company.id],
        )
        snapshots = {row[0]: row[1:] for row in cr.fetchall()}
        mismatches = []
        for row in ref_rows:
            snap = snapshots.get(row[0])
            if (
                snap is None
                or snap[0] != row[1]
                or abs(snap[1] - round(row[3] or 0.0, 1)) > 0.051
                or snap[2] != row[6]
                or snap[3] != row[8]
            ):
                mismatches.append(row[0])
        cr.execute(
            "SELECT risk_class, COUNT(*) FROM receivable_risk_snapshot WHERE company_id = %s"
            " GROUP BY 1 ORDER BY 1",
            [company.id],
        )
        classes = dict(cr.fetchall())
    return {
        "date": str(date),
        "counts": counts,
        "partners_reference": len(ref_rows),
        "partners_scored": len(snapshots),
        "mismatches": len(mismatches),
        "mismatch_sample": mismatches[:5],
        "classes": classes,
        "reference": results["reference"],
        "engine": results["engine"],
        "expected_dates_updated": updated,
        "expected_dates_seconds": expected_seconds,
    }


PHASES = {"extra": phase_extra, "measure": phase_measure}


def report(result):
    ref = statistics.median(result["reference"])
    eng = statistics.median(result["engine"])
    ratio = eng / ref
    print()
    print(f"date {result['date']}; receivable lines: {result['counts']}")
    print(
        f"partners: reference {result['partners_reference']:,}, scored "
        f"{result['partners_scored']:,}; figures that differ: {result['mismatches']} "
        f"{result['mismatch_sample'] or ''}; classes {result['classes']}"
    )
    print(
        f"reference SQL aggregate: median {ref:.2f} s  runs "
        + ", ".join(f"{t:.2f}" for t in result["reference"])
    )
    print(
        f"_recompute_scores:       median {eng:.2f} s  runs "
        + ", ".join(f"{t:.2f}" for t in result["engine"])
    )
    verdict = "ok" if ratio <= TARGET else "MISS"
    print(f"ratio {ratio:.2f} (target <= {TARGET}): {verdict}")
    print(
        f"expected payment dates: {result['expected_dates_updated']:,} invoices in "
        f"{result['expected_dates_seconds']:.2f} s"
    )
    print("JSON " + json.dumps(result))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", default="arc_risk_bench")
    parser.add_argument("--partners", type=int, default=50000)
    parser.add_argument("--invoices", type=int, default=1000000, help="open invoices")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--date", default="2026-06-30", help="evaluation date of the data")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--update", action="store_true", help="-u the module on reused DBs")
    parser.add_argument("--addons-path", default=None)
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.addons_path = args.addons_path or bd.default_addons_path()

    if args.phase:
        return bd.answer_phase(args, PHASES)

    started = time.perf_counter()
    # bench_aging's data set (its phases run from bench_aging.py).
    ba.ensure_aging_data(args)
    if bd.get_param(args.db, EXTRA_KEY) != EXTRA_VERSION:
        log(f"disputes and broken promises: {child('extra', args, args.db)}")
    log(f"measuring {args.db} ({args.runs} runs each, fresh process)")
    report(child("measure", args, args.db))
    log(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
