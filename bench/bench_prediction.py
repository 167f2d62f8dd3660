#!/usr/bin/env python3
"""Benchmark of the nightly expected payment dates (``_compute_expected_payment_dates_company``).

    python3 bench/bench_prediction.py --db arc_bench_prediction --partners 50000 \\
        --invoices 1000000 --update

Acceptance: *the nightly prediction on 1M open invoices writes only what changed* (rows
written and seconds).

Data: the data set of bench_aging.py (template ``<db>_template`` with the module, the generic
chart, one real invoice and one real matched payment; ``<db>``: ``--invoices`` open invoices
over ``--partners`` customers, 29 days before due to 210 days past due on ``--date``, about 5 %
of them partially paid and 5 % more fully paid 1 to 90 days after their invoice date: the
payment history, about one paid invoice per customer).

Before the nights (not timed): the stored delays and expected dates are cleared (the generated
invoices are SQL clones, without a prediction of their own), then VACUUM ANALYZE. Then, each in
a fresh Odoo process, the nightly run of the company as the cron calls it, committed, timed:

1. night 1 (``--date``): every customer's delay and every open invoice's date written;
2. night 2 (a day later), nothing paid since: rows written must be 0 (or only the invoices of
   customers whose window lost a payment);
3. a payment batch (not timed): one open invoice of 2 % of the customers paid in full, by bank
   entries matched to the invoices, cloned in SQL by ``scale_data.generate_payments`` (the
   payments' names are those of the batch: each run of the bench adds a batch on other
   customers; ``--rebuild`` starts from a new data set);
4. night 3 (two days later): the delays of the batch's customers change; only the open
   invoices of the customers whose delay moved by more than a day are written. The rows each
   night wrote are counted in its transaction (``xmin``) and the invoices written outside the
   batch's customers reported (must be 0).
See bench/README.md.
"""

import argparse
import json
import os
import sys
import time
from datetime import date as Date
from datetime import timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import bench_aging as ba  # noqa: E402
import bench_dunning as bd  # noqa: E402

BATCH_KEY = "arc_bench_prediction.batches"
# One customer in BATCH_EVERY pays an invoice in the payment batch (BATCH_EVERY even: the
# customers of even rank, who have invoices of even rank whatever the number of customers).
BATCH_EVERY = 50
log = bd.log


def child(phase, args, db, **extra):
    """Run a phase of this script in a fresh Python process; return the JSON it wrote."""
    options = {"date": args.date, "seed": args.seed, **extra}
    return bd.run_phase(__file__, phase, db, args.addons_path, options)


# ----------------------------------------------------------------------------------------------
# Phases run inside Odoo (one fresh process each)
# ----------------------------------------------------------------------------------------------
def _env(cr):
    from odoo import api
    from odoo.api import SUPERUSER_ID

    env = api.Environment(cr, SUPERUSER_ID, {})
    company = env["res.company"].browse(
        int(env["ir.config_parameter"].get_param("arc_bench.company_id"))
    )
    env = env(context={"allowed_company_ids": [company.id]})
    return env, company.with_env(env)


def phase_reset(args):
    """Clear the stored delays and expected dates (the state before the first night)."""
    registry = bd.odoo_registry(args.db, args.addons_path)
    with registry.cursor() as cr:
        cr.execute(
            "UPDATE account_move SET receivable_expected_payment_date = NULL"
            " WHERE receivable_expected_payment_date IS NOT NULL"
        )
        moves = cr.rowcount
        cr.execute(
            "UPDATE res_partner SET receivable_payment_delay = NULL,"
            " receivable_payment_history = NULL"
            " WHERE receivable_payment_delay IS NOT NULL"
            " OR receivable_payment_history IS NOT NULL"
        )
        partners = cr.rowcount
        cr.execute("UPDATE res_company SET receivable_average_payment_delay = NULL")
        cr.execute(
            """
            SELECT COUNT(*) FROM account_move
             WHERE move_type IN ('out_invoice', 'out_receipt') AND state = 'posted'
               AND payment_state IN ('not_paid', 'partial', 'in_payment')
            """
        )
        open_invoices = cr.fetchone()[0]
        cr.commit()
    started = time.perf_counter()
    with registry.cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE account_move, res_partner, res_company")
    return {
        "cleared_invoices": moves,
        "cleared_partners": partners,
        "open_invoices": open_invoices,
        "vacuum_seconds": round(time.perf_counter() - started, 1),
    }


def phase_night(args):
    """The nightly prediction of the company at ``--night``, committed; rows counted."""
    registry = bd.odoo_registry(args.db, args.addons_path)
    night = Date.fromisoformat(args.night)
    batch = json.loads(args.batch) if args.batch else []
    with registry.cursor() as cr:
        env, company = _env(cr)
        started = time.perf_counter()
        invoices = env["account.move"]._compute_expected_payment_dates_company(company, night)
        seconds = time.perf_counter() - started
        # The rows this transaction wrote (their xmin is its transaction id).
        mine = "xmin::text::bigint = mod(pg_current_xact_id()::text::bigint, 4294967296)"
        cr.execute(f"SELECT COUNT(*) FROM res_partner WHERE {mine}")
        partners = cr.fetchone()[0]
        cr.execute(
            f"""
            SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT commercial_partner_id = ANY(%s)),
                   COUNT(DISTINCT commercial_partner_id)
              FROM account_move WHERE {mine}
            """,
            [batch],
        )
        counted, outside, customers = cr.fetchone()
        started_commit = time.perf_counter()
        cr.commit()
        commit_seconds = time.perf_counter() - started_commit
        company.invalidate_recordset()
        delay = company.receivable_average_payment_delay
    return {
        "night": str(night),
        "invoices_written": invoices,
        "invoices_counted": counted,
        "invoices_outside_batch": outside if batch else None,
        "customers_of_written_invoices": customers,
        "partners_written": partners,
        "seconds": round(seconds, 2),
        "commit_seconds": round(commit_seconds, 2),
        "company_delay": delay,
    }


def phase_payments(args):
    """Pay in full one unpaid invoice (the first by id among those of even rank) of one
    customer in BATCH_EVERY (other customers at each batch), by SQL clones of the template
    payment dated 1-90 days after the invoice date (at most ``--night``)."""
    import scale_data

    registry = bd.odoo_registry(args.db, args.addons_path)
    pay_day = Date.fromisoformat(args.night)
    with registry.cursor() as cr:
        env, company = _env(cr)
        params = env["ir.config_parameter"]
        batch_no = int(params.get_param(BATCH_KEY) or 0) + 1
        # The generated invoices: move first_move + g, receivable line first_line + 2 g.
        cr.execute(
            """
            SELECT move.id, aml.id, move.commercial_partner_id
              FROM account_move move
              JOIN account_move_line aml ON aml.move_id = move.id
                                        AND aml.display_type = 'payment_term'
             WHERE move.name = 'BNCH/00000001'
            """
        )
        first_move, first_line, first_partner = cr.fetchone()
        cr.execute(
            """
            CREATE TEMP TABLE bench_invoice ON COMMIT DROP AS
            SELECT DISTINCT ON (move.commercial_partner_id)
                   move.id - %(first_move)s AS g, move.id AS move_id,
                   move.commercial_partner_id AS partner_id, move.invoice_date,
                   aml.amount_residual AS amount
              FROM account_move move
              JOIN account_move_line aml ON aml.move_id = move.id
                                        AND aml.display_type = 'payment_term'
             WHERE move.company_id = %(company)s
               AND move.name LIKE 'BNCH/%%'
               AND move.payment_state = 'not_paid'
               AND (move.id - %(first_move)s) %% 2 = 0
               AND (move.commercial_partner_id - %(first_partner)s) %% %(every)s
                   = (2 * %(batch)s) %% %(every)s
          ORDER BY move.commercial_partner_id, move.id
            """,
            {
                "first_move": first_move,
                "first_partner": first_partner,
                "company": company.id,
                "every": BATCH_EVERY,
                "batch": batch_no,
            },
        )
        cr.execute(
            """
            SELECT COUNT(*), COUNT(*) FILTER (WHERE aml.id = %s + 2 * i.g)
              FROM bench_invoice i
              JOIN account_move_line aml ON aml.move_id = i.move_id
                                        AND aml.display_type = 'payment_term'
            """,
            [first_line],
        )
        chosen, laid_out = cr.fetchone()
        assert chosen == laid_out, "the generated invoices' lines are not where expected"
        cr.execute("SELECT array_agg(partner_id) FROM bench_invoice")
        customers = cr.fetchone()[0] or []
        paid = scale_data.generate_payments(
            env,
            {"first_line": first_line},
            pay_day,
            args.seed + batch_no,
            every=2,
            partial_slot=1,
            full_slot=0,
            prefix=f"BPR{batch_no}/",
        )
        params.set_param(BATCH_KEY, batch_no)
        cr.commit()
    return {"batch": batch_no, "customers": customers, "payments": paid}


PHASES = {"reset": phase_reset, "night": phase_night, "payments": phase_payments}


def report(reset, nights, batch):
    print()
    print(
        f"open invoices {reset['open_invoices']:,}; cleared before night 1: "
        f"{reset['cleared_invoices']:,} dates, {reset['cleared_partners']:,} customers"
    )
    print(
        f"payment batch {batch['batch']}: {len(batch['customers']):,} customers paid one invoice "
        f"each ({batch['payments']['full']:,} payments)"
    )
    labels = ("night 1 (first)", "night 2 (+1 day, nothing paid)", "night 3 (after the batch)")
    for label, night in zip(labels, nights, strict=True):
        outside = night["invoices_outside_batch"]
        print(
            f"{label:32} {night['night']}: {night['invoices_written']:>9,} invoices "
            f"({night['customers_of_written_invoices']:,} customers"
            + (f", {outside} outside the batch" if outside is not None else "")
            + f"), {night['partners_written']:>7,} customers' delays, "
            f"{night['seconds']:.2f} s + commit {night['commit_seconds']:.2f} s; "
            f"company delay {night['company_delay']:.2f} d"
        )
    ok = nights[1]["invoices_written"] == 0 and not nights[2]["invoices_outside_batch"]
    print(f"writes only what changed: {'ok' if ok else 'MISS'}")
    print("JSON " + json.dumps({"reset": reset, "nights": nights, "batch": batch["batch"]}))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", default="arc_bench_prediction")
    parser.add_argument("--partners", type=int, default=50000)
    parser.add_argument("--invoices", type=int, default=1000000, help="open invoices")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--date", default="2026-06-30", help="evaluation date of the data")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data set")
    parser.add_argument("--update", action="store_true", help="-u the module on reused DBs")
    parser.add_argument("--addons-path", default=None)
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--night", help=argparse.SUPPRESS)
    parser.add_argument("--batch", help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.addons_path = args.addons_path or bd.default_addons_path()

    if args.phase:
        return bd.answer_phase(args, PHASES)

    started = time.perf_counter()
    # bench_aging's data set (its phases run from bench_aging.py).
    ba.ensure_aging_data(args)
    day = Date.fromisoformat(args.date)
    reset = child("reset", args, args.db)
    log(f"reset: {reset}")
    nights = []
    for offset in (0, 1):
        night = child("night", args, args.db, night=day + timedelta(days=offset))
        log(f"night {offset + 1}: {night}")
        nights.append(night)
    batch = child("payments", args, args.db, night=day + timedelta(days=2))
    log(f"payment batch {batch['batch']}: {len(batch['customers']):,} customers")
    night = child(
        "night",
        args,
        args.db,
        night=day + timedelta(days=2),
        batch=json.dumps(batch["customers"]),
    )
    log(f"night 3: {night}")
    nights.append(night)
    report(reset, nights, batch)
    log(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
