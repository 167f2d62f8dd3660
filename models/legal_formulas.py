"""Statutory late-payment formulas of France and Belgium, as plain functions.

No Odoo here: amounts are floats in euros, dates are ``datetime.date``, rates are percentages
per year (``12.5`` means 12.5 %). Odoo code feeds them the rates of the shipped tables and
rounds the results in the company currency.
"""

import math
from datetime import date
from datetime import timedelta

DAYS_IN_YEAR = 365

# Belgium, Code of economic law, Book XIX (B2C): lump-sum compensation caps.
BE_B2C_ABOVE_500 = (65.0, 0.05)
BE_B2C_MAX = 2000.0
BE_B2C_FREE_WINDOW_DAYS = 14
BE_B2C_LETTER_WORKING_DAYS = 3

FR_B2B_MARGIN = 10.0
BE_B2B_MARGIN = 8.0
FR_CONTRACT_RATE_FLOOR_FACTOR = 3.0
RECOVERY_COMPENSATION = 40.0


def half_year_start(day):
    """1 January or 1 July of the half-year holding ``day``: when a reference rate applies."""
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def next_half_year_start(day):
    start = half_year_start(day)
    return date(start.year, 7, 1) if start.month == 1 else date(start.year + 1, 1, 1)


def round_up_to_half_point(rate):
    """12.15 → 12.5; 12.5 → 12.5 (Belgian B2B rate, law of 2 August 2002)."""
    return math.ceil(round(rate * 2, 9)) / 2


def fr_b2b_rate(ecb_rate, contract_rate=None, legal_rate=None):
    """French B2B late-payment rate: the contract's rate, else ECB + 10 points.

    A contract rate may not be lower than three times the legal interest rate (L441-10).
    """
    if contract_rate:
        # Rounded so that a contract at exactly three times the rate passes (3 x 0.76 is
        # 2.2800000000000002 in binary floating point).
        floor = round(FR_CONTRACT_RATE_FLOOR_FACTOR * (legal_rate or 0.0), 9)
        if contract_rate < floor:
            raise ValueError(
                f"A contract rate of {contract_rate} % is below three times the legal rate "
                f"({floor:.2f} %)."
            )
        return contract_rate
    return ecb_rate + FR_B2B_MARGIN


def be_b2b_rate(ecb_rate):
    """Belgian B2B late-payment rate: ECB + 8 points, rounded up to the next half point."""
    return round_up_to_half_point(ecb_rate + BE_B2B_MARGIN)


def interest_periods(start, end, rate_for):
    """Split the days from ``start`` to ``end`` (both included) by half-year.

    ``rate_for(half_year_start)`` gives the rate of each half-year. Return a list of
    ``(first_day, last_day, days, rate)``.
    """
    periods = []
    day = start
    while day <= end:
        period_end = min(next_half_year_start(day) - timedelta(days=1), end)
        days = (period_end - day).days + 1
        periods.append((day, period_end, days, rate_for(half_year_start(day))))
        day = period_end + timedelta(days=1)
    return periods


def late_interest(amount, due_date, until, rate_for, start=None):
    """Interest on ``amount`` from the day after ``due_date`` (or from ``start``) to ``until``.

    interest = amount * rate * days / 365, split across half-years when the rate changes. A
    half-year whose rate is unknown (``rate_for`` gives None) earns no interest: nothing is
    claimed that a published rate does not justify.
    Return ``(interest, periods)``; no interest when ``until`` is not after the start.
    """
    first_day = start or due_date + timedelta(days=1)
    if amount <= 0 or until < first_day:
        return 0.0, []
    periods = interest_periods(first_day, until, rate_for)
    interest = sum(
        amount * (rate or 0.0) / 100.0 * days / DAYS_IN_YEAR for _a, _b, days, rate in periods
    )
    return interest, periods


def late_interest_on_parts(open_amount, payments, due_date, until, rate_for, start=None):
    """Interest on an amount partly paid late: every euro bears interest while it is late.

    ``payments``: ``(date, amount)`` of the parts paid after the due date. A part paid on a
    day bears interest from the first day of interest (the day after ``due_date``, or
    ``start``) to that day, both included; ``open_amount``, still due, bears it to ``until``.
    Each span is split at half-years (``late_interest``). Parts paid on or before the first
    day, or after ``until``, bear none here. Return ``(interest, spans)`` where ``spans`` is
    a list of ``(amount, periods)``, one per part that bears interest.
    """
    spans = []
    interest = 0.0
    parts = [(paid_on, amount) for paid_on, amount in payments if paid_on <= until]
    parts.append((until, open_amount))
    for last_day, amount in parts:
        part_interest, periods = late_interest(amount, due_date, last_day, rate_for, start=start)
        if periods:
            interest += part_interest
            spans.append((amount, periods))
    return interest, spans


def be_b2c_lump_sum(amount_due):
    """Belgian B2C lump-sum compensation for ``amount_due`` (Book XIX, art. XIX.4)."""
    if amount_due <= 0:
        return 0.0
    if amount_due <= 150.0:
        return 20.0
    if amount_due <= 500.0:
        return round(30.0 + 0.10 * (amount_due - 150.0), 2)
    base, share = BE_B2C_ABOVE_500
    return round(min(base + share * (amount_due - 500.0), BE_B2C_MAX), 2)


def add_working_days(day, count, holidays=()):
    """The ``count``-th working day after ``day`` (weekends and ``holidays`` skipped)."""
    current = day
    remaining = count
    while remaining:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current


def be_b2c_window(sent_on, by_letter, holidays=()):
    """First and last day of the free payment window after the first B2C reminder.

    The window of at least 14 days starts on the third working day after a letter is posted,
    or the day after an email is sent; no fee or interest may be charged before it ends.
    """
    if by_letter:
        start = add_working_days(sent_on, BE_B2C_LETTER_WORKING_DAYS, holidays)
    else:
        start = sent_on + timedelta(days=1)
    return start, start + timedelta(days=BE_B2C_FREE_WINDOW_DAYS - 1)
