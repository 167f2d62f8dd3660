"""Scale data of the dunning benchmark: a template set up through the ORM, cloned in SQL.

``setup(env, as_of)`` prepares the template database: the generic chart of accounts on the main
company (in EUR), a credit policy with a 4-level dunning ladder as the company's default
policy, and one customer with one posted invoice made by the ORM, so that every column Odoo
fills when posting has a real value.

``generate(env, partners, invoices, as_of, seed)`` clones that customer and that invoice with
``INSERT ... SELECT ... FROM generate_series``: each column is copied from the template row
unless the clone needs its own value (ids, names, dates, amounts). Invoice ``g`` belongs to
customer ``g % partners``, is 1 to 120 days late on ``as_of`` and is worth 50.00 to 4,999.99
(both drawn from ``hashint4extended(g, seed)``: the same data for the same seed, whatever the
order of evaluation). Every invoice has its receivable line (``payment_term``, open, with its
residual) and its income line, balanced. With ``issued=(days, terms)`` every invoice is
dated ``days`` before ``as_of`` instead, due after one of ``terms`` days.
"""

from datetime import timedelta

from odoo.fields import Command

# Columns that get the invoice's own amount: scaled from the template's (100.00) by a factor.
MOVE_AMOUNT_PREFIX = "amount_"
LINE_AMOUNT_COLUMNS = {
    "balance",
    "debit",
    "credit",
    "amount_currency",
    "amount_residual",
    "amount_residual_currency",
    "price_unit",
    "price_subtotal",
    "price_total",
}
TEMPLATE_AMOUNT = 100.0
LADDER = [
    # sequence, offset (days late), name, email, letter, formal notice
    (10, 1, "Friendly reminder", True, False, False),
    (20, 15, "Second reminder", True, False, False),
    (30, 30, "Last reminder", True, True, False),
    (40, 60, "Formal notice", True, True, True),
]


# ----------------------------------------------------------------------------------------------
# Template (ORM)
# ----------------------------------------------------------------------------------------------
def setup(env, as_of):
    company = env.ref("base.main_company")
    eur = env.ref("base.EUR")
    eur.active = True
    if not company.chart_template:
        if not env["account.move"].search_count([], limit=1):
            company.currency_id = eur
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        company.invalidate_recordset()
    assert company.chart_template == "generic_coa", company.chart_template

    template = env["mail.template"].create(
        {
            "name": "Bench: payment reminder",
            "model_id": env["ir.model"]._get_id("receivable.reminder"),
            "subject": "Payment reminder {{ object.name }}",
            "partner_to": "{{ object.recipient_id.id }}",
            "body_html": "<p>Dear customer, <t t-out='object.amount_total'/> is overdue.</p>",
        }
    )
    policy = env["receivable.policy"].create(
        {
            "name": "Bench: 4-level ladder",
            "company_id": company.id,
            "dunning_level_ids": [
                Command.create(
                    {
                        "sequence": sequence,
                        "offset_days": offset,
                        "name": name,
                        "channel_email": email,
                        "channel_letter": letter,
                        "formal_notice": notice,
                        "mail_template_id": template.id,
                        "min_days_since_previous": 7,
                        "payment_delay_days": 8,
                    }
                )
                for sequence, offset, name, email, letter, notice in LADDER
            ],
        }
    )
    company.receivable_default_policy_id = policy

    partner = env["res.partner"].create(
        {
            "name": "Bench Customer",
            "is_company": True,
            "email": "customer@bench.example.com",
            "customer_rank": 1,
            "lang": "en_US",
        }
    )
    journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    )
    invoice_date = as_of - timedelta(days=60)
    invoice = (
        env["account.move"]
        .with_company(company)
        .create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": journal.id,
                "invoice_date": invoice_date,
                "date": invoice_date,
                "invoice_date_due": invoice_date + timedelta(days=30),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Bench service",
                            "quantity": 1,
                            "price_unit": TEMPLATE_AMOUNT,
                            "account_id": journal.default_account_id.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
    )
    invoice.action_post()
    lines = invoice.line_ids
    assert sorted(lines.mapped("display_type")) == ["payment_term", "product"], lines.mapped(
        "display_type"
    )
    assert invoice.amount_total == TEMPLATE_AMOUNT, invoice.amount_total
    params = env["ir.config_parameter"]
    params.set_param("arc_bench.company_id", company.id)
    params.set_param("arc_bench.partner_id", partner.id)
    params.set_param("arc_bench.move_id", invoice.id)
    return {
        "company": company.id,
        "chart": company.chart_template,
        "policy": policy.id,
        "levels": len(policy.dunning_level_ids),
        "template_invoice": invoice.name,
    }


# ----------------------------------------------------------------------------------------------
# Scale (SQL)
# ----------------------------------------------------------------------------------------------
def _columns(cr, table):
    cr.execute(
        """
        SELECT column_name, data_type
          FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = %s AND column_name != 'id'
      ORDER BY ordinal_position
        """,
        [table],
    )
    return cr.fetchall()


def _reserve_ids(cr, table, count):
    """First id of a block of ``count`` ids taken from the table's sequence."""
    cr.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
    first = cr.fetchone()[0]
    cr.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1])
    return first


def _clone(cr, table, overrides, from_clause, params):
    """INSERT INTO table SELECT (template column or override) ... FROM from_clause."""
    names, exprs = ["id"], [overrides.pop("id")]
    for column, _type in _columns(cr, table):
        names.append(f'"{column}"')
        exprs.append(overrides.pop(column, f't."{column}"'))
    assert not overrides, f"unknown columns of {table}: {sorted(overrides)}"
    query = f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} {from_clause}"
    cr.execute(query, params)
    return cr.rowcount


def generate(env, partners, invoices, as_of, seed, late_days=(1, 120), issued=None):
    """Clone the template customer and invoice; ``late_days`` = (min, max) days past due on
    ``as_of`` (a negative minimum gives invoices not yet due), each invoice dated 30 days
    before its due date.

    ``issued=(days, terms)`` instead: every invoice dated ``days`` before ``as_of`` (all issued
    the same day), due ``terms[h % len(terms)]`` days later (h drawn from the same hash as the
    spread of ``late_days``, which is then ignored).
    """
    late_min, late_max = late_days
    assert late_max >= late_min, late_days
    if issued is None:
        # Due date spread over late_days, invoice date 30 days before it.
        due_sql = (
            "%(as_of)s::date - (%(late_min)s"
            " + abs(hashint4extended(g, %(seed)s)) %% %(late_span)s)::int"
        )
        invoice_date_sql = "due - 30"
        issue_days, terms = 0, [0]
    else:
        # One invoice date for all, due date after one of the payment terms.
        issue_days, terms = issued
        assert issue_days >= 0 and terms, issued
        due_sql = (
            "%(as_of)s::date - %(issue_days)s + (%(terms)s::int[])"
            "[1 + abs(hashint4extended(g, %(seed)s)) %% %(term_count)s]"
        )
        invoice_date_sql = "%(as_of)s::date - %(issue_days)s"
    cr = env.cr
    params = env["ir.config_parameter"]
    company_id = int(params.get_param("arc_bench.company_id"))
    template_partner = int(params.get_param("arc_bench.partner_id"))
    template_move = int(params.get_param("arc_bench.move_id"))
    cr.execute("SELECT display_type, id FROM account_move_line WHERE move_id = %s", [template_move])
    template_lines = dict(cr.fetchall())
    now = "(now() AT TIME ZONE 'UTC')"

    # Customers: ids first_partner + k, each its own commercial partner.
    first_partner = _reserve_ids(cr, "res_partner", partners)
    name = "'Bench Customer ' || lpad((k + 1)::text, 7, '0')"
    partner_count = _clone(
        cr,
        "res_partner",
        {
            "id": "%(first)s + k",
            "name": name,
            "complete_name": name,
            "commercial_company_name": name,
            "commercial_partner_id": "%(first)s + k",
            "email": "'customer' || (k + 1) || '@bench.example.com'",
            "ref": "'B' || (k + 1)",
            "create_date": now,
            "write_date": now,
        },
        "FROM res_partner t CROSS JOIN generate_series(0, %(n)s - 1) k WHERE t.id = %(tpl)s",
        {"first": first_partner, "n": partners, "tpl": template_partner},
    )

    # Invoices: one row per invoice with its partner, dates and amount, then the clones.
    first_move = _reserve_ids(cr, "account_move", invoices)
    first_line = _reserve_ids(cr, "account_move_line", 2 * invoices)
    cr.execute(
        f"""
        CREATE TEMP TABLE bench_invoice ON COMMIT DROP AS
        SELECT g,
               %(first_move)s + g AS move_id,
               %(first_partner)s + g %% %(partners)s AS partner_id,
               'Bench Customer ' || lpad((g %% %(partners)s + 1)::text, 7, '0') AS partner_name,
               'BNCH/' || lpad((g + 1)::text, 8, '0') AS name,
               due,
               {invoice_date_sql} AS invoice_date,
               amount,
               amount / %(template_amount)s AS factor
          FROM (
                SELECT g,
                       {due_sql} AS due,
                       (5000 + abs(hashint4extended(g, %(seed)s + 1)) %% 495000) / 100.0
                           AS amount
                  FROM generate_series(0, %(invoices)s - 1) g
               ) drawn
        """,
        {
            "first_move": first_move,
            "first_partner": first_partner,
            "partners": partners,
            "invoices": invoices,
            "as_of": as_of,
            "seed": seed,
            "template_amount": TEMPLATE_AMOUNT,
            "late_min": late_min,
            "late_span": late_max - late_min + 1,
            "issue_days": issue_days,
            "terms": list(terms),
            "term_count": len(terms),
        },
    )
    move_overrides = {
        "id": "i.move_id",
        "name": "i.name",
        "sequence_prefix": "'BNCH/'",
        "sequence_number": "i.g + 1",
        "payment_reference": "i.name",
        "partner_id": "i.partner_id",
        "commercial_partner_id": "i.partner_id",
        "partner_shipping_id": "i.partner_id",
        "invoice_partner_display_name": "i.partner_name",
        "date": "i.invoice_date",
        "invoice_date": "i.invoice_date",
        "invoice_date_due": "i.due",
        "access_token": "NULL",
        "create_date": now,
        "write_date": now,
    }
    for column, data_type in _columns(cr, "account_move"):
        if column.startswith(MOVE_AMOUNT_PREFIX) and data_type == "numeric":
            move_overrides[column] = f'round(t."{column}" * i.factor, 2)'
    move_count = _clone(
        cr,
        "account_move",
        move_overrides,
        "FROM account_move t CROSS JOIN bench_invoice i WHERE t.id = %(tpl)s",
        {"tpl": template_move},
    )

    line_count = 0
    for offset, display_type in enumerate(("payment_term", "product")):
        line_overrides = {
            "id": f"%(first_line)s + 2 * i.g + {offset}",
            "move_id": "i.move_id",
            "move_name": "i.name",
            "partner_id": "i.partner_id",
            "date": "i.invoice_date",
            "invoice_date": "i.invoice_date",
            "create_date": now,
            "write_date": now,
        }
        if display_type == "payment_term":
            line_overrides["date_maturity"] = "i.due"
            line_overrides["name"] = "i.name"
        for column in LINE_AMOUNT_COLUMNS:
            line_overrides[column] = f'round(t."{column}" * i.factor, 2)'
        line_count += _clone(
            cr,
            "account_move_line",
            line_overrides,
            "FROM account_move_line t CROSS JOIN bench_invoice i WHERE t.id = %(tpl)s",
            {"tpl": template_lines[display_type], "first_line": first_line},
        )

    # The moves' amounts are exact (factor x 100.00 has 2 decimals); check the ledger balances.
    cr.execute(
        """
        SELECT COUNT(*) FILTER (WHERE total != 0), COUNT(*)
          FROM (SELECT SUM(balance) AS total
                  FROM account_move_line
                 WHERE move_id BETWEEN %s AND %s
              GROUP BY move_id) moves
        """,
        [first_move, first_move + invoices - 1],
    )
    unbalanced, checked = cr.fetchone()
    assert unbalanced == 0 and checked == invoices, (unbalanced, checked)
    env.invalidate_all()
    return {
        "company": company_id,
        "partners": partner_count,
        "invoices": move_count,
        "lines": line_count,
        "first_move": first_move,
        "first_line": first_line,
    }


# ----------------------------------------------------------------------------------------------
# Payments (aged receivables benchmark): one real matching made by the ORM, cloned in SQL
# ----------------------------------------------------------------------------------------------
def setup_payment(env, as_of):
    """A second template invoice (100.00) fully paid by a bank entry, matched by the ORM.

    ``(invoice line + payment line).reconcile()`` creates the ``account.partial.reconcile`` and
    the ``account.full.reconcile`` and updates the residuals and ``payment_state``: the rows
    ``generate_payments`` clones. (A bank-journal entry crediting the receivable, not an
    ``account.payment`` record: the aging reads journal items and matchings only.)
    """
    company = env.ref("base.main_company")
    params = env["ir.config_parameter"]
    template_move = env["account.move"].browse(int(params.get_param("arc_bench.move_id")))
    paid = template_move.copy({"invoice_date": template_move.invoice_date})
    paid.action_post()
    bank = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
    )
    receivable = paid.line_ids.filtered(lambda line: line.display_type == "payment_term")
    payment_date = paid.invoice_date + timedelta(days=10)
    payment = (
        env["account.move"]
        .with_company(company)
        .create(
            {
                "move_type": "entry",
                "journal_id": bank.id,
                "date": payment_date,
                "ref": "Bench payment",
                "line_ids": [
                    Command.create(
                        {
                            "name": "Bench payment",
                            "account_id": receivable.account_id.id,
                            "partner_id": paid.partner_id.id,
                            "credit": TEMPLATE_AMOUNT,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Bench payment",
                            "account_id": bank.default_account_id.id,
                            "partner_id": paid.partner_id.id,
                            "debit": TEMPLATE_AMOUNT,
                        }
                    ),
                ],
            }
        )
    )
    payment.action_post()
    payment_line = payment.line_ids.filtered(lambda line: line.account_id == receivable.account_id)
    (receivable + payment_line).reconcile()
    assert receivable.reconciled and payment_line.reconciled, "template payment not matched"
    assert receivable.full_reconcile_id, "template payment not fully matched"
    assert paid.payment_state in ("paid", "in_payment"), paid.payment_state
    params.set_param("arc_bench.paid_move_id", paid.id)
    params.set_param("arc_bench.payment_move_id", payment.id)
    return {"paid_invoice": paid.name, "payment": payment.name, "state": paid.payment_state}


def generate_payments(
    env, generated, as_of, seed, every=21, partial_slot=10, full_slot=20, prefix="BPAY/"
):
    """Pay some of the invoices ``generate`` just made (same transaction: its temp table).

    Invoice ``g`` with ``g % every == partial_slot`` is paid 40 % of its amount, with
    ``g % every == full_slot`` in full, each by its own bank entry dated 1-90 days after the
    invoice date (at most ``as_of``): a clone of the template payment, its partial matching
    (``max_date`` = payment date) and, for full payments, its full matching. The invoice's
    receivable line gets its residual (and ``reconciled``, ``full_reconcile_id``,
    ``matching_number``), the invoice its ``amount_residual`` and ``payment_state``.
    ``prefix``: of the payments' names (a later batch needs its own: names are unique).
    """
    cr = env.cr
    params = env["ir.config_parameter"]
    paid_move = int(params.get_param("arc_bench.paid_move_id"))
    payment_move = int(params.get_param("arc_bench.payment_move_id"))
    cr.execute(
        """
        SELECT aml.id, account.account_type = 'asset_receivable'
          FROM account_move_line aml JOIN account_account account ON account.id = aml.account_id
         WHERE aml.move_id = %s ORDER BY aml.id
        """,
        [payment_move],
    )
    payment_lines = cr.fetchall()
    assert sorted(kind for _id, kind in payment_lines) == [False, True], payment_lines
    cr.execute(
        "SELECT id, full_reconcile_id FROM account_partial_reconcile WHERE credit_move_id = %s",
        [next(line for line, kind in payment_lines if kind)],
    )
    template_partial, template_full = cr.fetchone()
    cr.execute("SELECT payment_state FROM account_move WHERE id = %s", [paid_move])
    paid_state = cr.fetchone()[0]
    cr.execute(
        """
        SELECT COUNT(*) FILTER (WHERE g %% %(every)s = %(p)s),
               COUNT(*) FILTER (WHERE g %% %(every)s = %(f)s)
          FROM bench_invoice
        """,
        {"every": every, "p": partial_slot, "f": full_slot},
    )
    partial_count, full_count = cr.fetchone()
    count = partial_count + full_count
    if not count:
        return {"payments": 0, "partial": 0, "full": 0}
    first_move = _reserve_ids(cr, "account_move", count)
    first_line = _reserve_ids(cr, "account_move_line", 2 * count)
    first_partial = _reserve_ids(cr, "account_partial_reconcile", count)
    first_full = _reserve_ids(cr, "account_full_reconcile", max(full_count, 1))
    cr.execute(
        """
        CREATE TEMP TABLE bench_payment ON COMMIT DROP AS
        SELECT p.*,
               %(first_move)s + p.k AS pay_move_id,
               %(first_partial)s + p.k AS partial_id,
               CASE WHEN p.full THEN %(first_full)s + p.full_rank END AS full_id,
               %(prefix)s || lpad((p.k + 1)::text, 8, '0') AS pay_name,
               p.pay_amount / %(template_amount)s AS pay_factor
          FROM (
                SELECT i.g, i.move_id, %(first_inv_line)s + 2 * i.g AS line_id, i.partner_id,
                       (row_number() OVER (ORDER BY i.g) - 1)::int AS k,
                       (row_number() OVER (PARTITION BY i.g %% %(every)s = %(f)s
                                               ORDER BY i.g) - 1)::int AS full_rank,
                       i.g %% %(every)s = %(f)s AS full,
                       LEAST(%(as_of)s::date, i.invoice_date
                             + (1 + abs(hashint4extended(i.g, %(seed)s + 2)) %% 90)::int)
                           AS pay_date,
                       CASE WHEN i.g %% %(every)s = %(f)s THEN i.amount
                            ELSE round(i.amount * 0.4, 2) END AS pay_amount
                  FROM bench_invoice i
                 WHERE i.g %% %(every)s IN (%(p)s, %(f)s)
               ) p
        """,
        {
            "first_move": first_move,
            "first_partial": first_partial,
            "first_full": first_full,
            "first_inv_line": generated["first_line"],
            "every": every,
            "p": partial_slot,
            "f": full_slot,
            "as_of": as_of,
            "seed": seed,
            "template_amount": TEMPLATE_AMOUNT,
            "prefix": prefix,
        },
    )
    now = "(now() AT TIME ZONE 'UTC')"
    move_overrides = {
        "id": "b.pay_move_id",
        "name": "b.pay_name",
        "sequence_prefix": f"'{prefix}'",
        "sequence_number": "b.k + 1",
        "ref": "'Payment ' || b.pay_name",
        "partner_id": "b.partner_id",
        "commercial_partner_id": "b.partner_id",
        "date": "b.pay_date",
        "access_token": "NULL",
        "create_date": now,
        "write_date": now,
    }
    for column, data_type in _columns(cr, "account_move"):
        if column.startswith(MOVE_AMOUNT_PREFIX) and data_type == "numeric":
            move_overrides[column] = f'round(t."{column}" * b.pay_factor, 2)'
    moves = _clone(
        cr,
        "account_move",
        move_overrides,
        "FROM account_move t CROSS JOIN bench_payment b WHERE t.id = %(tpl)s",
        {"tpl": payment_move},
    )
    fulls = 0
    if full_count:
        fulls = _clone(
            cr,
            "account_full_reconcile",
            {"id": "b.full_id", "create_date": now, "write_date": now},
            "FROM account_full_reconcile t CROSS JOIN bench_payment b"
            " WHERE t.id = %(tpl)s AND b.full",
            {"tpl": template_full},
        )
    lines = 0
    for offset, (template_line, is_receivable) in enumerate(payment_lines):
        overrides = {
            "id": f"%(first_line)s + 2 * b.k + {offset}",
            "move_id": "b.pay_move_id",
            "move_name": "b.pay_name",
            "partner_id": "b.partner_id",
            "date": "b.pay_date",
            "date_maturity": "b.pay_date",
            "create_date": now,
            "write_date": now,
        }
        for column in LINE_AMOUNT_COLUMNS:
            overrides[column] = f'round(t."{column}" * b.pay_factor, 2)'
        if is_receivable:
            overrides["amount_residual"] = "0"
            overrides["amount_residual_currency"] = "0"
            overrides["full_reconcile_id"] = "b.full_id"
            overrides["matching_number"] = (
                "CASE WHEN b.full THEN b.full_id::text ELSE 'P' || b.partial_id END"
            )
        lines += _clone(
            cr,
            "account_move_line",
            overrides,
            "FROM account_move_line t CROSS JOIN bench_payment b WHERE t.id = %(tpl)s",
            {"tpl": template_line, "first_line": first_line},
        )
    receivable_offset = next(o for o, (_id, kind) in enumerate(payment_lines) if kind)
    partials = _clone(
        cr,
        "account_partial_reconcile",
        {
            "id": "b.partial_id",
            "debit_move_id": "b.line_id",
            "credit_move_id": f"%(first_line)s + 2 * b.k + {receivable_offset}",
            "full_reconcile_id": "b.full_id",
            "amount": "b.pay_amount",
            "debit_amount_currency": "b.pay_amount",
            "credit_amount_currency": "b.pay_amount",
            "max_date": "b.pay_date",
            "create_date": now,
            "write_date": now,
        },
        "FROM account_partial_reconcile t CROSS JOIN bench_payment b WHERE t.id = %(tpl)s",
        {"tpl": template_partial, "first_line": first_line},
    )
    # The paid invoices: residual of the receivable line, then of the move.
    cr.execute(
        """
        UPDATE account_move_line aml
           SET amount_residual = aml.amount_residual - b.pay_amount,
               amount_residual_currency = aml.amount_residual_currency - b.pay_amount,
               reconciled = b.full,
               full_reconcile_id = b.full_id,
               matching_number = CASE WHEN b.full THEN b.full_id::text
                                      ELSE 'P' || b.partial_id END
          FROM bench_payment b
         WHERE aml.id = b.line_id
        """
    )
    assert cr.rowcount == count, (cr.rowcount, count)
    cr.execute(
        """
        UPDATE account_move move
           SET amount_residual = move.amount_residual - b.pay_amount,
               amount_residual_signed = move.amount_residual_signed - b.pay_amount,
               payment_state = CASE WHEN b.full THEN %s ELSE 'partial' END
          FROM bench_payment b
         WHERE move.id = b.move_id
        """,
        [paid_state],
    )
    assert cr.rowcount == count, (cr.rowcount, count)
    cr.execute(
        """
        SELECT COUNT(*) FROM account_move_line aml JOIN bench_payment b ON b.line_id = aml.id
         WHERE aml.amount_residual != CASE WHEN b.full THEN 0 ELSE aml.balance - b.pay_amount END
        """
    )
    assert cr.fetchone()[0] == 0, "inconsistent residuals"
    env.invalidate_all()
    return {
        "payments": moves,
        "payment_lines": lines,
        "partial": partial_count,
        "full": full_count,
        "partials": partials,
        "full_reconciles": fulls,
    }
