"""Risk score formulas: plain functions, no Odoo import (unit-tested without a database).

A partner's risk score (0 = safe, 100 = risky) is the weighted mean of eight components, each
normalised to 0..1 (1 = the riskiest value) with these caps:

============== ============================================================ =================
component      raw value                                                    normalised
============== ============================================================ =================
avg_late       amount-weighted average days late of the invoices paid in    days / 45, capped
               the window (an invoice paid early counts 0 days)
late_share     share of the invoices paid in the window paid after their   as is (0..1)
               due date (by count)
overdue_ratio  overdue amount / applied credit limit (0 without a limit)    ratio / 2, capped
oldest_overdue days past due of the oldest overdue open invoice             days / 120, capped
dunning        rank of the highest dunning level of the open invoices      rank / 4, capped
               (1 = first level after the due date)
incidents      invoices in dispute + promises broken in the window          count / 2, capped
trend          average days late of the window - of the previous window     delta / 30, 0..1
               (0 without a previous window)
new_customer   days since the customer's first invoice (or creation)        < 183 d: 1,
                                                                            > 1096 d: 0,
                                                                            linear between
============== ============================================================ =================

``score(components, weights)`` gives the score rounded to 2 decimals and each component's
contribution (weight x normalised value / total weight x 100) rounded so that the
contributions add up exactly to the score (largest remainders). ``risk_class(score, bounds)``
maps a score to A..E with the bounds "20,40,60,80": A < 20 <= B < 40 <= C < 60 <= D < 80 <= E.
"""

import math
from itertools import pairwise

COMPONENTS = (
    "avg_late",
    "late_share",
    "overdue_ratio",
    "oldest_overdue",
    "dunning",
    "incidents",
    "trend",
    "new_customer",
)
# Default weights (out of 100): payment behaviour first.
DEFAULT_WEIGHTS = {
    "avg_late": 35,
    "late_share": 20,
    "overdue_ratio": 10,
    "oldest_overdue": 10,
    "dunning": 5,
    "incidents": 10,
    "trend": 5,
    "new_customer": 5,
}
AVG_LATE_CAP = 45.0
OVERDUE_RATIO_CAP = 2.0
OLDEST_OVERDUE_CAP = 120.0
DUNNING_RANK_CAP = 4.0
INCIDENTS_CAP = 2.0
TREND_SCALE = 30.0
NEW_CUSTOMER_DAYS = 183  # about 6 months: a new customer
ESTABLISHED_CUSTOMER_DAYS = 1096  # about 3 years: no more risk from age
CLASSES = ("A", "B", "C", "D", "E")
DEFAULT_BOUNDS = "20,40,60,80"
PRECISION = 2


def _clip(value, low=0.0, high=1.0):
    return max(low, min(high, value))


def norm_avg_late(days):
    return _clip((days or 0.0) / AVG_LATE_CAP)


def norm_late_share(share):
    return _clip(share or 0.0)


def norm_overdue_ratio(overdue, limit):
    """Overdue amount against the applied limit; 0 without a limit (nothing to compare to)."""
    if not limit or limit <= 0 or not overdue or overdue <= 0:
        return 0.0
    return _clip(overdue / limit / OVERDUE_RATIO_CAP)


def norm_oldest_overdue(days):
    return _clip((days or 0.0) / OLDEST_OVERDUE_CAP)


def norm_dunning(rank):
    return _clip((rank or 0.0) / DUNNING_RANK_CAP)


def norm_incidents(count):
    return _clip((count or 0.0) / INCIDENTS_CAP)


def norm_trend(current_avg, previous_avg):
    """Worsening of the average delay against the previous window; 0 without one."""
    if previous_avg is None or current_avg is None:
        return 0.0
    return _clip((current_avg - previous_avg) / TREND_SCALE)


def norm_new_customer(age_days):
    if age_days is None:
        return 1.0
    if age_days < NEW_CUSTOMER_DAYS:
        return 1.0
    if age_days > ESTABLISHED_CUSTOMER_DAYS:
        return 0.0
    span = ESTABLISHED_CUSTOMER_DAYS - NEW_CUSTOMER_DAYS
    return _clip((ESTABLISHED_CUSTOMER_DAYS - age_days) / span)


def normalise(raw):
    """{component: 0..1} of the raw figures of a partner (keys of ``_compute_components``):

    ``avg_late``, ``late_share``, ``overdue``, ``credit_limit``, ``oldest_overdue``,
    ``dunning_rank``, ``incidents``, ``prev_avg_late``, ``age_days``; ``avg_late`` and
    ``prev_avg_late`` are None without invoices paid in their window.
    """
    return {
        "avg_late": norm_avg_late(raw.get("avg_late")),
        "late_share": norm_late_share(raw.get("late_share")),
        "overdue_ratio": norm_overdue_ratio(raw.get("overdue"), raw.get("credit_limit")),
        "oldest_overdue": norm_oldest_overdue(raw.get("oldest_overdue")),
        "dunning": norm_dunning(raw.get("dunning_rank")),
        "incidents": norm_incidents(raw.get("incidents")),
        "trend": norm_trend(raw.get("avg_late"), raw.get("prev_avg_late")),
        "new_customer": norm_new_customer(raw.get("age_days")),
    }


def score(components, weights=None):
    """(score 0..100, {component: contribution}) of normalised ``components``.

    The contributions are rounded to ``PRECISION`` decimals with the largest-remainder method,
    so that they add up exactly to the rounded score.
    """
    weights = DEFAULT_WEIGHTS if weights is None else weights
    total_weight = sum(max(weights.get(name, 0) or 0, 0) for name in COMPONENTS)
    if total_weight <= 0:
        return 0.0, dict.fromkeys(COMPONENTS, 0.0)
    scale = 10**PRECISION
    raw = {
        name: max(weights.get(name, 0) or 0, 0)
        * _clip(components.get(name, 0.0) or 0.0)
        / total_weight
        * 100.0
        * scale
        for name in COMPONENTS
    }
    target = round(sum(raw.values()))
    units = {name: math.floor(value + 1e-9) for name, value in raw.items()}
    missing = target - sum(units.values())
    # Largest remainders first; ties by component order (stable sort).
    order = sorted(COMPONENTS, key=lambda name: raw[name] - units[name], reverse=True)
    for name in order[: max(missing, 0)]:
        units[name] += 1
    contributions = {name: units[name] / scale for name in COMPONENTS}
    return target / scale, contributions


def parse_bounds(text):
    """[b1, b2, b3, b4] of "20,40,60,80"; ValueError unless 4 increasing numbers in 0..100."""
    parts = [part.strip() for part in (text or DEFAULT_BOUNDS).split(",")]
    try:
        bounds = [float(part) for part in parts]
    except ValueError as error:
        raise ValueError(text) from error
    if len(bounds) != len(CLASSES) - 1:
        raise ValueError(text)
    if bounds[0] <= 0 or bounds[-1] >= 100:
        raise ValueError(text)
    if any(low >= high for low, high in pairwise(bounds)):
        raise ValueError(text)
    return bounds


def risk_class(value, bounds=DEFAULT_BOUNDS):
    """A..E of a score: A < b1 <= B < b2 <= C < b3 <= D < b4 <= E."""
    if isinstance(bounds, str):
        bounds = parse_bounds(bounds)
    for letter, bound in zip(CLASSES, bounds, strict=False):
        if value < bound:
            return letter
    return CLASSES[-1]


def evaluate(raw, weights=None, bounds=DEFAULT_BOUNDS):
    """(score, class, contributions, normalised components) of a partner's raw figures."""
    components = normalise(raw)
    value, contributions = score(components, weights)
    return value, risk_class(value, bounds), contributions, components
