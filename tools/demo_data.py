#!/usr/bin/env python3
"""Deterministic demo receivables for account_receivable_control.

Creates about 40 customers in Belgium and France, 18 months of posted customer invoices
(with a few credit notes) and their payments, following one payment behaviour per customer:

    punctual    pays on or just before the due date (weekly payment runs)
    late        pays 10 to 20 days after the due date, in weekly payment runs
    chronic     pays 40 to 90 days late, in weekly payment runs, and forgets a few invoices
    partial     pays part of each invoice, sometimes the rest much later
    unapplied   pays on time, and once sent a transfer that matches no invoice
    dispute     pays late, but contests the invoices of a three-month window

On top of that history, :class:`CollectionCases` enters the module's own records (promises to
pay kept, broken and open, payment plans on schedule and missed, disputes, reminders to
review) through the module's models and wizards, each on the day a collector would have.

Dates are relative to ``--today`` (default: today), so the aging always looks alive. The same
seed and the same ``--today`` give the same data on a fresh database.

Run it on a database where ``account``, a chart of accounts and the module are installed::

    python3 tools/demo_data.py -d receivable_demo --addons-path=...

Other scripts (and later issues) can call :func:`generate` on an environment, add a behaviour
(a :class:`Profile` in :data:`PROFILES`, given to customers in :data:`COMPANY_PROFILES` or
:data:`INDIVIDUAL_PROFILES`), or reuse the building blocks (:func:`create_customers`,
:func:`plan_invoices`, :func:`create_invoices`, :func:`plan_payments`, :func:`pay_invoices`...).
"""

import argparse
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from itertools import groupby
from unittest import mock

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tools import config
from odoo.tools import float_round

DEFAULT_SEED = 42
HISTORY_DAYS = 540  # 18 months of invoices
# Written at the end of a successful run (tools/demo.sh reads it to skip the generation).
MARKER_PARAM = "account_receivable_control.demo_data_seed"
# Context of the bulk creations: no tracking, no "created" messages, no followers.
QUIET_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "lang": "en_US",
}

# ---------------------------------------------------------------------------
# Static catalogue: customers and products
# ---------------------------------------------------------------------------

# kind (C company, P private individual) | country | language | name | street | zip | city
CUSTOMERS_TABLE = """
# Brussels and Wallonia
C | BE | fr_BE | Atelier Delvaux SRL               | Rue de Fer 18              | 5000  | Namur
C | BE | fr_BE | Boulangerie Mertens SRL           | Rue Haute 112              | 1000  | Bruxelles
C | BE | fr_BE | Imprimerie Lambotte SA            | Boulevard d'Avroy 35       | 4000  | Liège
C | BE | fr_BE | Cabinet Renard & Associés SRL     | Avenue Louise 231          | 1050  | Ixelles
C | BE | fr_BE | Transports Gilson SA              | Rue de Nimy 7              | 7000  | Mons
C | BE | fr_BE | Brasserie du Sablon SRL           | Place du Grand Sablon 12   | 1000  | Bruxelles
C | BE | fr_BE | Menuiserie Collard SRL            | Rue de la Montagne 140     | 6000  | Charleroi
C | BE | fr_BE | Clinique vétérinaire Lejeune SRL  | Avenue de la Gare 4        | 6700  | Arlon
# Flanders
C | BE | nl_BE | Bakkerij Van Damme BV             | Veldstraat 54              | 9000  | Gent
C | BE | nl_BE | De Smet Logistiek NV              | Noorderlaan 120            | 2030  | Antwerpen
C | BE | nl_BE | Drukkerij Peeters BV              | Diestsestraat 88           | 3000  | Leuven
C | BE | nl_BE | Architectenbureau Claes BV        | Steenstraat 21             | 8000  | Brugge
C | BE | nl_BE | Janssens Elektro BV               | Bruul 9                    | 2800  | Mechelen
C | BE | nl_BE | Verhoeven Tuinaanleg BV           | Kempische Steenweg 300     | 3500  | Hasselt
C | BE | nl_BE | Hotel Ter Duinen NV               | Zeedijk 101                | 8400  | Oostende
C | BE | nl_BE | Maes & Wouters Advocaten BV       | Frankrijklei 64            | 2000  | Antwerpen
C | BE | nl_BE | Vandenberghe Bouw NV              | Kortrijksesteenweg 812     | 9800  | Deinze
# International companies working in English
C | BE | en_US | Northbridge Consulting Belgium SA | Rue Belliard 65            | 1040  | Etterbeek
C | BE | en_US | Harbourline Shipping NV           | Kattendijkdok-Westkaai 20  | 2000  | Antwerpen
C | BE | en_US | EuroPolicy Advisors SRL           | Rue de la Loi 155          | 1040  | Etterbeek
C | FR | en_US | Blue Harbour Events SAS           | 88 rue de Rivoli           | 75004 | Paris
# France
C | FR | fr_FR | Papeterie Lefèvre SARL            | 12 rue Nationale           | 59000 | Lille
C | FR | fr_FR | Garage Moreau SAS                 | 45 avenue de Laon          | 51100 | Reims
C | FR | fr_FR | Librairie Girard SARL             | 8 rue des Clercs           | 57000 | Metz
C | FR | fr_FR | Boucherie Fontaine SARL           | 3 place Gambetta           | 80000 | Amiens
C | FR | fr_FR | Cabinet Dumas Expertise SAS       | 27 rue de la Bourse        | 69002 | Lyon
C | FR | fr_FR | Hôtel Le Relais Saint-Michel SAS  | 14 quai Saint-Michel       | 75005 | Paris
C | FR | fr_FR | Roux Menuiserie SARL              | 9 rue de Strasbourg        | 44000 | Nantes
C | FR | fr_FR | Transports Bernard et Fils SAS    | 2 rue de l'Épinette        | 59290 | Wasquehal
C | FR | fr_FR | Pharmacie Mercier SELARL          | 21 rue des Grandes Arcades | 67000 | Strasbourg
C | FR | fr_FR | Agence Rivage Communication SAS   | 60 cours de l'Intendance   | 33000 | Bordeaux
C | FR | fr_FR | Cabinet Dentaire Chevalier SELARL | 5 allées Jean Jaurès       | 31000 | Toulouse
C | FR | fr_FR | Brasserie Artisanale du Nord SAS  | 17 rue de Béthune          | 59800 | Lille
C | FR | fr_FR | Atelier Perrin Architecture SARL  | 33 rue Jeanne d'Arc        | 76000 | Rouen
# Private individuals
P | BE | fr_BE | Sophie Lambert                    | Rue des Tanneurs 23        | 1000  | Bruxelles
P | BE | nl_BE | Pieter Willems                    | Molenstraat 15             | 9160  | Lokeren
P | BE | fr_BE | Marc Dubois                       | Avenue des Combattants 8   | 1300  | Wavre
P | BE | nl_BE | Els Vermeulen                     | Bredabaan 410              | 2170  | Merksem
P | FR | fr_FR | Julie Marchand                    | 6 rue Victor Hugo          | 59800 | Lille
P | BE | en_US | James O'Connor                    | Rue Franklin 10            | 1000  | Bruxelles
"""


@dataclass(frozen=True)
class CustomerSpec:
    is_company: bool
    country: str
    lang: str
    name: str
    street: str
    zip: str
    city: str


CUSTOMERS = [
    CustomerSpec(kind == "C", *values)
    for line in CUSTOMERS_TABLE.strip().splitlines()
    if not line.startswith("#")
    for kind, *values in [[cell.strip() for cell in line.split("|")]]
]

# default code, name, type, unit price, quantity range for a small customer
PRODUCTS = [
    ("ARC-CHAIR", "Ergonomic office chair", "consu", 289.00, (1, 3)),
    ("ARC-DESK", "Standing desk 160x80", "consu", 649.00, (1, 2)),
    ("ARC-PAPER", "A4 copy paper, box of 5 reams", "consu", 24.90, (2, 10)),
    ("ARC-TONER", "Toner cartridge, black", "consu", 89.50, (1, 4)),
    ("ARC-DOCK", "Laptop docking station", "consu", 189.00, (1, 3)),
    ("ARC-CONSULT", "Office fit-out consulting (hour)", "service", 95.00, (2, 8)),
    ("ARC-INSTALL", "On-site installation (day)", "service", 640.00, (1, 2)),
    ("ARC-MAINT", "Maintenance contract (month)", "service", 150.00, (1, 1)),
]

# The profiles given to the customers (shuffled by the seed): companies, then the six private
# individuals. A new profile of PROFILES takes customers from these lists.
COMPANY_PROFILES = ["punctual"] * 13 + ["late"] * 9 + ["chronic"] * 6 + ["partial"] * 4
COMPANY_PROFILES += ["unapplied", "dispute"]
INDIVIDUAL_PROFILES = ["punctual", "punctual", "late", "late", "chronic", "partial"]

# Size of a company customer: invoices a month and the multiplier of the quantities.
SIZES = {"small": ((1, 2), 1), "medium": ((1, 3), 3), "large": ((2, 3), 7)}

# ---------------------------------------------------------------------------
# Payment behaviours
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceFacts:
    """What a payment behaviour may look at to plan the payments of one invoice."""

    invoice_date: date
    due_date: date
    amount: float  # residual after credit notes, company currency
    today: date


@dataclass(frozen=True)
class PlannedPayment:
    """A payment to register: ``amount`` None pays the whole residual."""

    date: date
    amount: float | None = None


@dataclass(frozen=True)
class Profile:
    """A customer payment behaviour: ``plan`` returns the payments of an invoice."""

    name: str
    label: str
    plan: Callable[[random.Random, InvoiceFacts], list[PlannedPayment]]


def next_friday(day):
    """Weekly payment runs of the customers who pay in batches."""
    return day + timedelta(days=(4 - day.weekday()) % 7)


def previous_friday(day):
    """The payment run on or before ``day``."""
    return day - timedelta(days=(day.weekday() - 4) % 7)


def plan_punctual(rng, facts):
    if rng.random() < 0.08:  # a few days late, now and then
        return [PlannedPayment(facts.due_date + timedelta(days=rng.randint(1, 3)))]
    # the weekly payment run on or just before the due date
    return [PlannedPayment(previous_friday(facts.due_date))]


def plan_late(rng, facts):
    if rng.random() < 0.03:  # forgotten invoice
        return []
    # weekly payment run: the first Friday at least 10 days after the due date (10-20 days)
    return [PlannedPayment(next_friday(facts.due_date + timedelta(days=rng.randint(10, 14))))]


def plan_chronic(rng, facts):
    if rng.random() < 0.06:
        return []
    return [PlannedPayment(next_friday(facts.due_date + timedelta(days=rng.randint(40, 90))))]


def plan_partial(rng, facts):
    first = float_round(facts.amount * rng.uniform(0.4, 0.8), precision_digits=0)
    plan = [PlannedPayment(facts.due_date + timedelta(days=rng.randint(5, 25)), first)]
    if rng.random() < 0.7:  # the rest, much later
        plan.append(PlannedPayment(facts.due_date + timedelta(days=rng.randint(45, 120))))
    return plan


def plan_unapplied(rng, facts):
    return [PlannedPayment(facts.due_date + timedelta(days=rng.randint(0, 8)))]


# The disputed window, in days before today: invoices dated inside it stay unpaid.
DISPUTE_WINDOW = (150, 60)


def plan_dispute(rng, facts):
    age = (facts.today - facts.invoice_date).days
    if DISPUTE_WINDOW[1] <= age <= DISPUTE_WINDOW[0]:
        return []
    return [PlannedPayment(facts.due_date + timedelta(days=rng.randint(10, 25)))]


PROFILES = {
    profile.name: profile
    for profile in [
        Profile("punctual", "Punctual payer", plan_punctual),
        Profile("late", "Pays 10-20 days late", plan_late),
        Profile("chronic", "Chronically late (40-90 days)", plan_chronic),
        Profile("partial", "Partial payer", plan_partial),
        Profile("unapplied", "Unapplied payment", plan_unapplied),
        Profile("dispute", "Invoices in dispute", plan_dispute),
    ]
}

# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------


@dataclass
class Customer:
    partner: object  # res.partner record
    profile: str
    is_company: bool
    size: str
    payment_term: object  # account.payment.term record


def _rng(seed, stage):
    """One random stream a stage, so that changing a stage does not reshuffle the others."""
    return random.Random(f"{seed}:{stage}")


def _payment_terms(env):
    """Odoo's standard payment terms, by the name used here (missing ones are skipped)."""
    refs = {
        "immediate": "account.account_payment_term_immediate",
        "15days": "account.account_payment_term_15days",
        "30days": "account.account_payment_term_30days",
        "45days": "account.account_payment_term_45days",
        "end_following_month": "account.account_payment_term_end_following_month",
    }
    terms = {key: env.ref(xmlid, raise_if_not_found=False) for key, xmlid in refs.items()}
    terms = {key: term for key, term in terms.items() if term}
    if "30days" not in terms:
        raise SystemExit(
            "The standard payment term account.account_payment_term_30days is missing."
        )
    return terms


def _company_context(env):
    company = env.company
    sale_tax = company.account_sale_tax_id
    journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    )
    bank = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
    )
    if not (sale_tax and journal and bank):
        raise SystemExit(
            f"The company {company.name} needs a chart of accounts (a default sales tax, "
            "a sales journal and a bank journal): install account and l10n_be first."
        )
    return company, sale_tax, journal, bank


def create_products(env, sale_tax):
    """The demo catalogue, reused when it already exists."""
    Product = env["product.product"]
    existing = Product.search([("default_code", "in", [p[0] for p in PRODUCTS])])
    by_code = {product.default_code: product for product in existing}
    missing = [p for p in PRODUCTS if p[0] not in by_code]
    created = Product.create(
        [
            {
                "default_code": code,
                "name": name,
                "type": ptype,
                "list_price": price,
                "taxes_id": [Command.set(sale_tax.ids)],
            }
            for code, name, ptype, price, _qty in missing
        ]
    )
    by_code.update({product.default_code: product for product in created})
    return by_code


def create_customers(env, seed, terms):
    """The customers of :data:`CUSTOMERS`, each given a profile, a size and a payment term."""
    companies = sum(spec.is_company for spec in CUSTOMERS)
    if (len(COMPANY_PROFILES), len(INDIVIDUAL_PROFILES)) != (companies, len(CUSTOMERS) - companies):
        raise ValueError("COMPANY_PROFILES and INDIVIDUAL_PROFILES need one profile a customer")
    rng = _rng(seed, "customers")
    company_profiles = list(COMPANY_PROFILES)
    individual_profiles = list(INDIVIDUAL_PROFILES)
    rng.shuffle(company_profiles)
    rng.shuffle(individual_profiles)
    countries = {code: env.ref(f"base.{code.lower()}") for code in ("BE", "FR")}

    specs = []
    for index, spec in enumerate(CUSTOMERS):
        if spec.is_company:
            profile = company_profiles.pop()
            size = rng.choices(["small", "medium", "large"], weights=[4, 4, 2])[0]
            term = rng.choices(
                ["30days", "45days", "end_following_month", "immediate"], weights=[70, 12, 12, 6]
            )[0]
        else:
            profile = individual_profiles.pop()
            size = "small"
            term = "immediate" if rng.random() < 0.7 else "15days"
        term = terms.get(term) or terms["30days"]
        slug = "".join(ch for ch in spec.name.lower() if ch.isascii() and ch.isalnum())[:18]
        specs.append(
            (
                profile,
                spec.is_company,
                size,
                term,
                {
                    "name": spec.name,
                    "is_company": spec.is_company,
                    "street": spec.street,
                    "zip": spec.zip,
                    "city": spec.city,
                    "country_id": countries[spec.country].id,
                    "lang": spec.lang,
                    "email": f"{'accounting' if spec.is_company else 'home'}@{slug}.example.com",
                    "phone": _phone(spec, index),
                    "ref": f"DEMO{index + 1:03d}",
                    "customer_rank": 1,
                    "property_payment_term_id": term.id,
                },
            )
        )
    partners = env["res.partner"].create([spec[4] for spec in specs])
    return [
        Customer(partner, profile, is_company, size, term)
        for partner, (profile, is_company, size, term, _vals) in zip(partners, specs, strict=True)
    ]


def _phone(spec, index):
    """A made-up number: a switchboard for a company, a mobile for a private individual."""
    prefix = {"BE": "+32", "FR": "+33"}[spec.country]
    if spec.is_company:
        return f"{prefix} 2 555 {10 + index:02d} {20 + index:02d}"
    return f"{prefix} {'470' if spec.country == 'BE' else '6'} {30 + index:02d} {40 + index:02d} 11"


def _invoice_lines(rng, customer, products, sale_tax):
    """One to four lines of the catalogue, quantities scaled to the customer's size."""
    factor = SIZES[customer.size][1]
    catalogue = PRODUCTS if customer.is_company else PRODUCTS[:5]  # no services for individuals
    lines = []
    for code, _name, _ptype, price, (qty_min, qty_max) in rng.sample(
        catalogue, k=rng.randint(1, min(4, len(catalogue)))
    ):
        quantity = rng.randint(qty_min, qty_max) * (factor if rng.random() < 0.8 else 1)
        lines.append(
            Command.create(
                {
                    "product_id": products[code].id,
                    "quantity": quantity,
                    # negotiated prices move a little around the list price
                    "price_unit": float_round(price * rng.uniform(0.92, 1.04), precision_digits=2),
                    "tax_ids": [Command.set(sale_tax.ids)],
                }
            )
        )
    return lines


def plan_invoices(seed, customers, today, products, sale_tax, journal):
    """Values of the invoices of the last 18 months, in date order."""
    rng = _rng(seed, "invoices")
    start = today - timedelta(days=HISTORY_DAYS)
    values = []
    for number, customer in enumerate(customers):
        for month in range(HISTORY_DAYS // 30):
            month_start = start + timedelta(days=30 * month)
            if customer.is_company:
                count = rng.randint(*SIZES[customer.size][0])
            else:
                count = 1 if rng.random() < 0.35 else 0
            for day in sorted(rng.randint(0, 29) for _i in range(count)):
                invoice_date = min(month_start + timedelta(days=day), today)
                vals = {
                    "move_type": "out_invoice",
                    "journal_id": journal.id,
                    "partner_id": customer.partner.id,
                    "invoice_date": invoice_date,
                    "invoice_payment_term_id": customer.payment_term.id,
                    "invoice_line_ids": _invoice_lines(rng, customer, products, sale_tax),
                }
                values.append((invoice_date, number, vals))
    values.sort(key=lambda item: (item[0], item[1]))
    return values


def create_invoices(env, invoice_values, batch_size=200):
    """Create and post the invoices in date order, by batches."""
    Move = env["account.move"]
    invoices = Move
    for offset in range(0, len(invoice_values), batch_size):
        batch = Move.create(
            [vals for _date, _number, vals in invoice_values[offset : offset + batch_size]]
        )
        batch.action_post()
        invoices |= batch
    return invoices


def refresh_statistics(env):
    """ANALYZE the accounting tables.

    The whole dataset is written in one transaction, which autovacuum cannot see: without fresh
    statistics PostgreSQL plans the reconciliation queries for empty tables and they crawl.
    """
    env.flush_all()
    env.cr.execute(
        "ANALYZE account_move, account_move_line, account_partial_reconcile, "
        "account_full_reconcile, account_payment, res_partner"
    )


def _is_receivable(line):
    return line.display_type == "payment_term"


def _receivable_line(move):
    return move.line_ids.filtered(_is_receivable)


def create_credit_notes(env, seed, invoices, today, sale_tax, rate=0.03):
    """Credit notes for goods returned on a few invoices, reconciled with them."""
    rng = _rng(seed, "credit_notes")
    values, sources = [], []
    for invoice in invoices:
        if rng.random() >= rate:
            continue
        refund_date = invoice.invoice_date + timedelta(days=rng.randint(3, 15))
        if refund_date > today:
            continue
        line = invoice.invoice_line_ids[0]
        quantity = max(1, round(line.quantity * rng.uniform(0.2, 0.5)))
        reason = rng.choice(["Returned goods", "Damaged on delivery", "Price adjustment"])
        values.append(
            {
                "move_type": "out_refund",
                "journal_id": invoice.journal_id.id,
                "partner_id": invoice.partner_id.id,
                "invoice_date": refund_date,
                "invoice_payment_term_id": invoice.invoice_payment_term_id.id,
                "reversed_entry_id": invoice.id,
                "ref": f"{reason}: {invoice.name}",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": line.product_id.id,
                            "quantity": quantity,
                            "price_unit": line.price_unit,
                            "tax_ids": [Command.set(sale_tax.ids)],
                        }
                    )
                ],
            }
        )
        sources.append(invoice)
    order = sorted(range(len(values)), key=lambda i: values[i]["invoice_date"])
    refunds = env["account.move"].create([values[i] for i in order])
    # Posting a credit note that reverses a posted invoice reconciles them already.
    refunds.action_post()
    for refund, index in zip(refunds, order, strict=True):
        lines = _receivable_line(refund) + _receivable_line(sources[index])
        if not any(lines.mapped("reconciled")) and not refund.reconciled_payment_ids:
            lines.reconcile()
    return refunds


def plan_payments(seed, customers_by_partner, invoices, today):
    """The payments of every invoice, per the behaviour of its customer.

    Payments that would fall after ``today`` are dropped (with the ones after them): the
    invoice simply stays open. Returns ``[(date, invoice, amount or None)]`` in date order.
    """
    rng = _rng(seed, "payments")
    events = []
    for invoice in invoices:
        customer = customers_by_partner[invoice.partner_id]
        facts = InvoiceFacts(
            invoice_date=invoice.invoice_date,
            due_date=invoice.invoice_date_due,
            amount=invoice.amount_residual,
            today=today,
        )
        for planned in PROFILES[customer.profile].plan(rng, facts):
            pay_date = max(planned.date, invoice.invoice_date)
            if invoice.reversal_move_ids:  # not before the credit note
                pay_date = max(pay_date, *invoice.reversal_move_ids.mapped("invoice_date"))
            if pay_date > today:
                break
            events.append((pay_date, invoice, planned.amount))
    events.sort(key=lambda event: (event[0], event[1].invoice_date, event[1].name))
    return events


def register_payments(env, events, bank):
    """Register the planned payments with the payment wizard, day by day.

    On each day, the whole-residual payments of all customers go through one wizard (one
    payment per customer and day, reconciled with its invoices); partial amounts need a wizard
    each, and run first.
    """
    payments = env["account.payment"]
    for number, (pay_date, day_events) in enumerate(groupby(events, key=lambda e: e[0]), 1):
        full = env["account.move"]
        for _date, invoice, amount in day_events:
            if amount is None:
                full |= invoice
                continue
            amount = min(amount, invoice.amount_residual)
            if not invoice.currency_id.is_zero(amount):
                payments |= pay_invoices(
                    env,
                    invoice,
                    {
                        "payment_date": pay_date,
                        "journal_id": bank.id,
                        "amount": amount,
                        "payment_difference_handling": "open",
                    },
                )
        full = full.filtered(lambda move: move.payment_state not in ("paid", "in_payment"))
        if full:
            payments |= pay_invoices(
                env, full, {"payment_date": pay_date, "journal_id": bank.id, "group_payment": True}
            )
        if number % 60 == 0:
            refresh_statistics(env)
    return payments


def pay_invoices(env, invoices, values):
    """Run the payment wizard on ``invoices``, as "Register Payment" does on their list.

    The wizard gets the receivable lines in ``line_ids`` rather than through ``active_ids`` in
    the context: a context unique to each wizard makes new environments that the transaction
    keeps, and every later environment lookup gets slower (4 minutes lost over 600 wizards).
    """
    wizard = (
        env["account.payment.register"]
        .with_context(
            active_model="account.move",
            # a journal entry even where accounting expects bank matching (Enterprise)
            force_payment_move=True,
        )
        .create(
            {
                **values,
                "line_ids": [Command.set(invoices.line_ids.filtered(_is_receivable).ids)],
            }
        )
    )
    return wizard._create_payments()


def create_unapplied_payment(env, seed, customer, bank, today):
    """A transfer received without reference: posted, matched to no invoice."""
    rng = _rng(seed, "unapplied")
    payment = (
        env["account.payment"]
        .with_context(force_payment_move=True)
        .create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": customer.partner.id,
                "amount": float(rng.choice([850, 1200, 1500, 2400])),
                "date": today - timedelta(days=rng.randint(12, 30)),
                "journal_id": bank.id,
                "memo": "Transfer without invoice reference",
            }
        )
    )
    payment.action_post()
    return payment


def _unpaid_invoices(customer, invoices, day):
    """The customer's invoices nothing was paid on, due before ``day`` and not in dispute,
    oldest first: what a collector could have discussed with the customer on ``day``."""
    return invoices.filtered(
        lambda move: (
            move.partner_id == customer.partner
            and move.payment_state == "not_paid"
            and move.invoice_date_due < day
            and not move.receivable_dispute
        )
    ).sorted(lambda move: (move.invoice_date_due, move.name))


# What a customer may contest, by the main product of the invoice.
DISPUTE_REASONS = {
    "ARC-CHAIR": "Chairs delivered in the wrong colour; payment withheld until they are exchanged.",
    "ARC-DESK": "Standing desk delivered damaged; the customer asks for a replacement first.",
    "ARC-PAPER": "Two boxes of paper missing from the delivery; the customer waits for them.",
    "ARC-TONER": "Toner cartridges leaking on delivery; the customer asks for a credit note.",
    "ARC-DOCK": "Docking stations do not fit the customer's laptops; a return is requested.",
    "ARC-CONSULT": "The customer counts fewer consulting hours than invoiced.",
    "ARC-INSTALL": "Installation day invoiced twice according to the customer.",
    "ARC-MAINT": "Maintenance visit not carried out according to the customer.",
}


def _dispute_reason(invoice):
    line = max(invoice.invoice_line_ids, key=lambda line: (line.price_subtotal, line.id))
    return DISPUTE_REASONS.get(line.product_id.default_code, "The customer contests the invoice.")


@contextmanager
def recorded_on(env, day, hour=10):
    """Enter what the block does as a collector did it on ``day``.

    The whole history is written today, while the module dates what a user enters with
    ``fields.Date.context_today`` (the day a dispute was opened, the day a plan was agreed) and
    refuses promises and instalments dated before it. Inside the block that "today" is ``day``,
    so every case goes through the module's own models and methods, checks included, as it
    would have then; the chatter messages posted meanwhile are dated ``day`` too.
    """
    env.flush_all()
    env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_message")
    (last_message,) = env.cr.fetchone()
    with mock.patch.object(fields.Date, "context_today", staticmethod(lambda *_a, **_k: day)):
        yield
        env.flush_all()
    env.cr.execute(
        "UPDATE mail_message SET date = %s WHERE id > %s",
        (datetime.combine(day, datetime.min.time()) + timedelta(hours=hour), last_message),
    )
    env.invalidate_all()


def mark_dispute(env, customer, invoices, today):
    """The largest invoice of the disputed window is contested, with the module's dispute
    wizard (as a collector does): no reminder for it, a reason, a note in the chatters."""
    oldest, newest = DISPUTE_WINDOW

    def contested(move):
        return (
            move.partner_id == customer.partner
            and move.payment_state == "not_paid"
            and newest <= (today - move.invoice_date).days <= oldest
        )

    disputed = invoices.filtered(contested)
    if not disputed:
        return env["account.move"]
    invoice = max(disputed, key=lambda move: (move.amount_total, move.name))
    with recorded_on(env, min(invoice.invoice_date_due + timedelta(days=12), today)):
        open_dispute(
            env,
            invoice,
            "The customer contests the delivered quantities and the price of the installation; "
            "payment withheld until the proof of delivery is checked.",
        )
    return invoice


def open_dispute(env, invoices, reason):
    """Open a dispute on ``invoices`` through the dispute wizard of the invoices' list."""
    wizard = env["receivable.dispute.wizard"].create(
        {"move_ids": [Command.set(invoices.ids)], "reason": reason}
    )
    wizard.action_confirm()


# ---------------------------------------------------------------------------
# Collection cases: promises to pay, payment plans, disputes, reminders
# ---------------------------------------------------------------------------


def setup_policies(env):
    """Belgian rules on the shipped policies, Standard B2B as the company default and the
    consumer policy on the private individuals (only what is still empty is set)."""
    company = env.company
    if not company.receivable_default_policy_id:
        company.receivable_default_policy_id = env.ref(
            "account_receivable_control.policy_standard_b2b"
        )
    be_b2b = env.ref("account_receivable_control.legal_profile_be_b2b")
    be_b2c = env.ref("account_receivable_control.legal_profile_be_b2c")
    for xmlid, profile in (
        ("policy_standard_b2b", be_b2b),
        ("policy_strict_new", be_b2b),
        ("policy_key_accounts", be_b2b),
        ("policy_b2c", be_b2c),
    ):
        policy = env.ref(f"account_receivable_control.{xmlid}")
        if not policy.legal_profile_id:
            policy.legal_profile_id = profile
    b2c = env.ref("account_receivable_control.policy_b2c")
    individuals = env["res.partner"].search(
        [
            ("ref", "=like", "DEMO%"),
            ("is_company", "=", False),
            ("receivable_policy_id", "=", False),
        ]
    )
    individuals.receivable_policy_id = b2c


# ---------------------------------------------------------------------------
# Sales: quotations of a customer on credit hold (with the sales bridge installed)
# ---------------------------------------------------------------------------

HELD_CUSTOMER_REF = "DEMO005"  # Transports Gilson SA
HOLD_REASON = "Two cheques returned unpaid: cash in advance until the bank confirms a new account."
# customer reference of the quotation, sent to the customer?, [(product code, quantity)]
HELD_QUOTATIONS = [
    ("DEMO-HOLD-1", False, [("ARC-CHAIR", 6), ("ARC-DESK", 3), ("ARC-INSTALL", 1)]),
    ("DEMO-HOLD-2", True, [("ARC-TONER", 12), ("ARC-PAPER", 20)]),
]


def create_held_quotations(env):
    """A customer put on credit hold by a Credit Manager and two of its quotations (one sent),
    which a salesperson cannot confirm: a Credit Manager confirms them with a reason.

    Holds stop documents only where the company enforces them: the demo company does from
    then on (Settings → Enforce Credit Holds, off on a new install), so the nightly hold run
    also holds the customers that break their policy. Only with Sales and the module's sales
    bridge; done once (the quotations are found by their customer reference), so a demo user
    who turns enforcement off keeps it off. Returns the quotations created.
    """
    if "sale.order" not in env or "receivable_credit_blocking" not in env["sale.order"]._fields:
        return None
    admin = env.ref("base.user_admin")
    env = env(user=admin, su=True)
    Order = env["sale.order"]
    refs = [ref for ref, _sent, _lines in HELD_QUOTATIONS]
    customer = env["res.partner"].search([("ref", "=", HELD_CUSTOMER_REF)], limit=1)
    if not customer or Order.search_count([("client_order_ref", "in", refs)]):
        return Order
    env.company.receivable_hold_enforcement = True
    if not customer.credit_on_hold:
        customer._put_on_credit_hold(HOLD_REASON)
    products = create_products(env, env.company.account_sale_tax_id)
    orders = Order.create(
        [
            {
                "partner_id": customer.id,
                "client_order_ref": ref,
                "user_id": admin.id,
                "order_line": [
                    Command.create({"product_id": products[code].id, "product_uom_qty": qty})
                    for code, qty in lines
                ],
            }
            for ref, _sent, lines in HELD_QUOTATIONS
        ]
    )
    sent = [ref for ref, is_sent, _lines in HELD_QUOTATIONS if is_sent]
    orders.filtered(lambda order: order.client_order_ref in sent).action_quotation_sent()
    return orders


def record_promise(env, invoices, promise_date, note):
    """A promise to pay ``invoices`` in full by ``promise_date`` (Promises to Pay menu)."""
    return env["receivable.promise"].create(
        {
            "partner_id": invoices.partner_id.id,
            "move_ids": [Command.set(invoices.ids)],
            "promise_date": promise_date,
            "amount": sum(invoices.mapped("amount_residual")),
            "note": note,
        }
    )


def log_call(env, customer, result, **values):
    """A collection call logged with the Log a Call wizard (worklist, follow-up cockpit)."""
    wizard = env["receivable.call.result"].create(
        {"partner_id": customer.partner.id, "result": result, **values}
    )
    wizard.action_confirm()


def pay_amount(env, invoices, amount, day, bank):
    """A transfer of ``amount`` received on ``day``, allocated to ``invoices`` oldest first."""
    payments = env["account.payment"]
    for invoice in invoices:
        part = min(amount, invoice.amount_residual)
        if invoice.currency_id.is_zero(part):
            break
        values = {"payment_date": day, "journal_id": bank.id, "amount": part}
        values["payment_difference_handling"] = "open"
        payments |= pay_invoices(env, invoice, values)
        amount -= part
    return payments


def agree_payment_plan(env, invoices, agreed_on, first_date, count, note):
    """A plan of ``count`` equal monthly instalments from ``first_date``, agreed and confirmed
    on ``agreed_on`` (Split Equally, then Confirm); a missed instalment is reminded, the plan
    goes on."""
    with recorded_on(env, agreed_on):
        plan = env["receivable.payment.plan"].create(
            {
                "partner_id": invoices.partner_id.id,
                "move_ids": [Command.set(invoices.ids)],
                "instalment_count": count,
                "first_date": first_date,
                "cancel_on_missed": False,
                "note": note,
            }
        )
        plan.action_split_equally()
        plan.action_confirm()
    return plan


class CollectionCases:
    """The module's own records on top of the history, each entered on its own day through
    the module's models and wizards, as a collector would have:

    * the invoice of the ``dispute`` customer's window it contests, in dispute;
    * a showcase customer (the follow-up cockpit's screenshot): a promise to pay broken last
      week, an invoice put in dispute since, a note on another invoice;
    * a promise to pay made on the phone two days ago, due next week (reminders pause);
    * a promise to pay kept: the invoice paid a day before the promised date;
    * two payment plans: a private individual on schedule, a company that missed yesterday's
      instalment (logged, emailed, a call scheduled for the collector);
    * a dispute on a private individual's invoice;
    * a dunning run prepared for review for a few chronic late payers (their reminders and
      letters are there to look at; sending stays a collector's decision);
    * then the nightly runs of today: promises settled, instalments checked, risk scores and
      expected payment dates computed.
    """

    def __init__(self, env, customers, invoices, today, bank):
        # The cases are entered by the administrator (a Credit Manager) rather than OdooBot.
        self.env = env(user=env.ref("base.user_admin"), su=True)
        self.customers = customers
        self.invoices = invoices
        self.today = today
        self.bank = bank
        self.taken = {c.partner for c in customers if c.profile == "dispute"}
        self.records = {
            "promises": self.env["receivable.promise"],
            "payment_plans": self.env["receivable.payment.plan"],
            "disputed_invoices": self.env["account.move"],
            "payments": self.env["account.payment"],
            "reminders": self.env["receivable.reminder"],
        }

    def create(self):
        # One credit controller for the whole book: the calls and the worklist are theirs.
        partners = self.env["res.partner"].union(*(c.partner for c in self.customers))
        partners.receivable_collector_id = self.env.user
        for case in (
            self.profile_disputes,
            self.showcase,
            self.open_promise,
            self.kept_promise,
            self.plan_on_schedule,
            self.plan_missed,
            self.individual_dispute,
            self.prepare_reminders,
        ):
            case()
        # The nightly checks of today: promises due settled, instalments paid or missed.
        promises = self.env["receivable.promise"]
        promises._settle_due_promises(self.today, self.env.company)
        self.records["payment_plans"]._check_instalments(self.today)
        # and tonight's risk scores and expected payment dates (risk class, cash-in forecast).
        company = self.env.company
        self.env["receivable.risk.engine"]._recompute_scores(company, self.today)
        self.env["account.move"]._compute_expected_payment_dates_company(company, self.today)
        return self.records

    def _unpaid(self, customer, day, count=1):
        invoices = _unpaid_invoices(customer, self.invoices, day)
        return invoices if len(invoices) >= count else None

    def _pick(self, profiles, day, count=1, is_company=None):
        """The first customer of ``profiles`` (and kind) in no other case, with ``count``
        invoices unpaid and due before ``day``; it is taken for the case."""
        for customer in self.customers:
            if (
                customer.profile in profiles
                and customer.partner not in self.taken
                and is_company in (None, customer.is_company)
                and self._unpaid(customer, day, count)
            ):
                self.taken.add(customer.partner)
                return customer
        return None

    def _settle(self, day):
        """The nightly check of ``day``: promises dated before it kept or broken."""
        with recorded_on(self.env, day, hour=2):
            self.env["receivable.promise"]._settle_due_promises(day, self.env.company)

    def profile_disputes(self):
        for customer in self.customers:
            if customer.profile == "dispute":
                disputed = mark_dispute(self.env, customer, self.invoices, self.today)
                self.records["disputed_invoices"] |= disputed

    def showcase(self):
        today = self.today
        promised_on = today - timedelta(days=12)
        customer = self._pick(("chronic",), promised_on, 3, is_company=True)
        if not customer:
            return
        first, second, third = self._unpaid(customer, promised_on, 3)[:3]
        with recorded_on(self.env, promised_on):
            self.records["promises"] |= record_promise(
                self.env,
                first,
                today - timedelta(days=6),
                "Promised on the phone by the accountant: paid with the next payment run.",
            )
        self._settle(today - timedelta(days=5))
        with recorded_on(self.env, today - timedelta(days=3)):
            open_dispute(self.env, second, _dispute_reason(second))
            third.receivable_followup_note = "Copy sent again on request (lost in their mailbox)."
        self.records["disputed_invoices"] |= second

    def open_promise(self):
        called_on = self.today - timedelta(days=2)
        customer = self._pick(("late", "chronic"), called_on)
        if not customer:
            return
        invoices = self._unpaid(customer, called_on)[:2]
        with recorded_on(self.env, called_on, hour=15):
            log_call(
                self.env,
                customer,
                "promise",
                promise_date=self.today + timedelta(days=7),
                promise_amount=sum(invoices.mapped("amount_residual")),
                note="Transfer scheduled with next week's payment run.",
            )
        self.records["promises"] |= self.env["receivable.promise"].search(
            [("partner_id", "=", customer.partner.id)]
        )

    def kept_promise(self):
        today = self.today
        promised_on = today - timedelta(days=10)
        customer = self._pick(("partial", "late"), promised_on, is_company=True)
        if not customer:
            return
        invoice = self._unpaid(customer, promised_on)[:1]
        with recorded_on(self.env, promised_on):
            self.records["promises"] |= record_promise(
                self.env, invoice, today - timedelta(days=4), "Transfer announced by email."
            )
        paid_on = today - timedelta(days=5)
        with recorded_on(self.env, paid_on):
            self.records["payments"] |= pay_invoices(
                self.env, invoice, {"payment_date": paid_on, "journal_id": self.bank.id}
            )
        self._settle(today - timedelta(days=3))

    def _plan(self, customer, first_date, agreed_on, note):
        invoices = self._unpaid(customer, agreed_on)[:3]
        plan = agree_payment_plan(self.env, invoices, agreed_on, first_date, 4, note)
        # The first instalment paid on its day.
        instalment = plan.line_ids.sorted("date")[:1]
        with recorded_on(self.env, instalment.date):
            self.records["payments"] |= pay_amount(
                self.env, invoices, instalment.amount, instalment.date, self.bank
            )
        self.records["payment_plans"] |= plan

    def plan_on_schedule(self):
        # Four monthly instalments, the first paid, the second due in three days.
        first_date = self.today + timedelta(days=3) - relativedelta(months=1)
        agreed_on = first_date - timedelta(days=5)
        customer = self._pick(("chronic", "partial", "late"), agreed_on, is_company=False)
        if customer:
            note = "Asked to spread the payment over four months; agreed on the phone."
            self._plan(customer, first_date, agreed_on, note)

    def plan_missed(self):
        # Four monthly instalments, the first paid, the second (yesterday's) missed.
        first_date = self.today - timedelta(days=1) - relativedelta(months=1)
        agreed_on = first_date - timedelta(days=7)
        customer = self._pick(("chronic",), agreed_on, 2, is_company=True)
        if customer:
            note = "Cash-flow difficulties after a lost contract; agreed after the second reminder."
            self._plan(customer, first_date, agreed_on, note)

    def individual_dispute(self):
        disputed_on = self.today - timedelta(days=8)
        customer = self._pick(
            ("late", "chronic", "partial", "punctual"), disputed_on, is_company=False
        )
        if not customer:
            return
        invoice = self._unpaid(customer, disputed_on)[-1:]
        with recorded_on(self.env, disputed_on):
            open_dispute(self.env, invoice, _dispute_reason(invoice))
        self.records["disputed_invoices"] |= invoice

    def prepare_reminders(self, count=4):
        """A dunning run of today for a few chronic late payers, left for review: the reminders
        (and their letters) are there to look at; sending stays a collector's decision."""
        partners = [
            c.partner.id
            for c in self.customers
            if c.profile == "chronic" and c.partner not in self.taken
        ][:count]
        engine = self.env["receivable.dunning.engine"].with_company(self.env.company)
        reminders = engine._generate_reminders(
            self.env.company, self.today, None, partners, commit=False
        )
        # "Back to review", as on the reminders list: nothing goes out before someone looked.
        reminders.filtered(lambda r: r.state == "to_send").action_reset_to_review()
        self.records["reminders"] = reminders


def generate(env, seed=DEFAULT_SEED, today=None, progress=None):
    """Create the whole demo dataset; return the records created, by profile.

    :param progress: optional callable receiving a line of text after each stage.
    :return: ``{profile: {"customers", "invoices", "credit_notes", "payments"}}`` recordsets,
        plus ``"unapplied_payments"`` under ``unapplied``, ``"disputed_invoices"`` under
        ``dispute`` and, under ``"cases"``, the module's collection records created on top of
        the history: ``"promises"``, ``"payment_plans"`` and ``"reminders"``.
    """
    env = env(context=dict(env.context, **QUIET_CONTEXT))
    today = today or date.today()
    report = progress or (lambda _text: None)
    _company, sale_tax, journal, bank = _company_context(env)
    terms = _payment_terms(env)

    products = create_products(env, sale_tax)
    customers = create_customers(env, seed, terms)
    by_partner = {customer.partner: customer for customer in customers}
    report(f"{len(customers)} customers, {len(products)} products")

    invoice_values = plan_invoices(seed, customers, today, products, sale_tax, journal)
    invoices = create_invoices(env, invoice_values)
    refresh_statistics(env)
    report(f"{len(invoices)} invoices posted")
    refunds = create_credit_notes(env, seed, invoices, today, sale_tax)
    refresh_statistics(env)
    report(f"{len(refunds)} credit notes posted and reconciled")
    events = plan_payments(seed, by_partner, invoices, today)
    payments = register_payments(env, events, bank)
    report(f"{len(payments)} payments registered ({len(events)} planned)")

    result = {
        name: {
            "customers": env["res.partner"],
            "invoices": env["account.move"],
            "credit_notes": env["account.move"],
            "payments": env["account.payment"],
        }
        for name in PROFILES
    }
    for customer in customers:
        records = result[customer.profile]
        records["customers"] |= customer.partner
    for moves, key in ((invoices, "invoices"), (refunds, "credit_notes")):
        for partner, partner_moves in moves.grouped("partner_id").items():
            result[by_partner[partner].profile][key] |= partner_moves
    for partner, partner_payments in payments.grouped("partner_id").items():
        result[by_partner[partner].profile]["payments"] |= partner_payments

    unapplied = env["account.payment"]
    for customer in customers:
        if customer.profile == "unapplied":
            unapplied |= create_unapplied_payment(env, seed, customer, bank, today)
    result["unapplied"]["unapplied_payments"] = unapplied
    result["unapplied"]["payments"] |= unapplied

    setup_policies(env)
    cases = CollectionCases(env, customers, invoices, today, bank).create()
    result["dispute"]["disputed_invoices"] = cases.pop("disputed_invoices")
    for partner, partner_payments in cases.pop("payments").grouped("partner_id").items():
        result[by_partner[partner].profile]["payments"] |= partner_payments
    result["cases"] = cases
    report(
        f"{len(cases['promises'])} promises to pay, {len(cases['payment_plans'])} payment plans, "
        f"{len(result['dispute']['disputed_invoices'])} disputes, "
        f"{len(cases['reminders'])} reminders to review"
    )
    quotations = create_held_quotations(env)
    if quotations:
        result["cases"]["held_quotations"] = quotations
        report(f"{len(quotations)} quotations of {quotations.partner_id.name}, on credit hold")
    env.flush_all()
    return result


# ---------------------------------------------------------------------------
# Summary and command line
# ---------------------------------------------------------------------------


def _open_receivable_lines(env, partners):
    return env["account.move.line"].search(
        [
            ("partner_id", "in", partners.ids),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
        ]
    )


def _aging_bucket(line, today):
    if line.amount_residual < 0:
        return "unapplied credit"
    late = (today - (line.date_maturity or line.date)).days
    if late <= 0:
        return "not due"
    for limit, label in ((30, "1-30"), (60, "31-60"), (90, "61-90")):
        if late <= limit:
            return label
    return "> 90"


def summary(env, result, today=None):
    """A text report of the generated data: per profile, then the receivable aging."""
    today = today or date.today()
    keys = ("customers", "invoices", "credit_notes", "payments")
    rows = [
        f"{'profile':<10} {'customers':>9} {'invoices':>8} {'credit notes':>12} "
        f"{'payments':>8} {'open receivable':>16}"
    ]
    totals = dict.fromkeys(keys, 0)
    total_open = 0.0
    for name in PROFILES:
        records = result[name]
        open_amount = sum(
            _open_receivable_lines(env, records["customers"]).mapped("amount_residual")
        )
        total_open += open_amount
        for key in keys:
            totals[key] += len(records[key])
        counts = [len(records[key]) for key in keys]
        rows.append(
            f"{name:<10} {counts[0]:>9} {counts[1]:>8} {counts[2]:>12} {counts[3]:>8} "
            f"{open_amount:>16,.2f}"
        )
    rows.append(
        f"{'total':<10} {totals['customers']:>9} {totals['invoices']:>8} "
        f"{totals['credit_notes']:>12} {totals['payments']:>8} {total_open:>16,.2f}"
    )

    customers = env["res.partner"].union(*(result[name]["customers"] for name in PROFILES))
    buckets = defaultdict(float)
    for line in _open_receivable_lines(env, customers):
        buckets[_aging_bucket(line, today)] += line.amount_residual
    order = ["not due", "1-30", "31-60", "61-90", "> 90", "unapplied credit"]
    rows.append(
        "aging: "
        + ", ".join(f"{label} {buckets[label]:,.2f}" for label in order if label in buckets)
    )
    disputed = result.get("dispute", {}).get("disputed_invoices")
    if disputed:
        rows.append(f"disputed, excluded from follow-up: {', '.join(disputed.mapped('name'))}")
    cases = result.get("cases", {})
    for promise in cases.get("promises", []):
        rows.append(f"promise to pay ({promise.state}): {promise.display_name}")
    for plan in cases.get("payment_plans", []):
        states = ", ".join(plan.line_ids.sorted("date").mapped("state"))
        rows.append(f"payment plan ({plan.state}): {plan.display_name}, instalments {states}")
    quotations = cases.get("held_quotations")
    if quotations:
        rows.append(
            f"quotations of {quotations.partner_id.name} (on credit hold): "
            + ", ".join(quotations.mapped("name"))
        )
    reminders = cases.get("reminders")
    if reminders:
        rows.append(
            "reminders to review: "
            + ", ".join(f"{r.partner_id.name} ({r.level_id.name})" for r in reminders)
        )
    return "\n".join(rows)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="reference date, YYYY-MM-DD"
    )
    parser.add_argument(
        "--force", action="store_true", help="generate again on a database that already has it"
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    config.parse_config(
        [
            f"--database={args.database}",
            f"--addons-path={args.addons_path}",
            "--log-level=warn",
            "--http-interface=127.0.0.1",  # never serves; only silences the default's warning
        ],
        setup_logging=True,
    )
    started = time.monotonic()

    def progress(text):
        print(f"[{time.monotonic() - started:4.0f} s] {text}", flush=True)

    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        done = env["ir.config_parameter"].get_param(MARKER_PARAM)
        if done and not args.force:
            print(f"Demo data already generated (seed {done}); use --force to add another set.")
            return 0
        today = args.today or date.today()
        result = generate(env, seed=args.seed, today=today, progress=progress)
        env["ir.config_parameter"].set_param(MARKER_PARAM, str(args.seed))
        print(summary(env, result, today=today))
        cr.commit()
    print(f"Demo data generated in {time.monotonic() - started:.0f} s (seed {args.seed}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
