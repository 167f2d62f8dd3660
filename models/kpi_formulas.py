"""Collection KPIs (DSO, best possible DSO, ADD, CEI, rates), as plain functions.

No Odoo here: amounts are floats in the company currency, periods are numbers of days. A
figure that has no meaning (a division by zero: no sales, no receivables) is ``None``, never
0 — the dashboard shows it as "—" rather than a misleading zero.
"""


def ratio(part, whole):
    """``part ÷ whole``, or ``None`` when ``whole`` is zero."""
    if not whole:
        return None
    return part / whole


def dso_simple(receivables, credit_sales, days):
    """Days Sales Outstanding, simple method: receivables ÷ credit sales x days.

    ``credit_sales`` are the credit sales of the last ``days`` days (invoices minus refunds).
    ``None`` without sales (or with net refunds) over the period.
    """
    if credit_sales <= 0:
        return None
    return receivables / credit_sales * days


def dso_countback(receivables, monthly_sales):
    """Days Sales Outstanding, countback method.

    ``monthly_sales`` is the credit-sales history, newest month first, as
    ``(sales, days_in_month)`` pairs — the newest month may be partial (the days elapsed). The
    receivables are "consumed" by the sales of each month going back in time: a month whose
    sales are all still outstanding counts all its days, the month where the receivables run
    out counts the prorated share of its days. A month without sales counts all its days (the
    receivables date from before it).

    When the history runs out before the receivables do, the rest is converted to days at the
    average daily sales of the whole history. ``None`` when the history has no sales at all.
    Receivables of zero or less (credit balance) give 0 days.
    """
    if receivables <= 0:
        return 0.0
    remaining = receivables
    dso = 0.0
    total_sales = 0.0
    total_days = 0
    for sales, days in monthly_sales:
        total_sales += max(sales, 0.0)
        total_days += days
        if sales <= 0:
            dso += days
            continue
        if remaining <= sales:
            return dso + remaining / sales * days
        remaining -= sales
        dso += days
    if total_sales <= 0:
        return None
    return dso + remaining / (total_sales / total_days)


def best_possible_dso(current_receivables, credit_sales, days):
    """Best possible DSO: the receivables not yet due ÷ credit sales x days.

    What the DSO would be if every customer paid exactly on its due date: the part of the DSO
    that the payment terms explain.
    """
    return dso_simple(current_receivables, credit_sales, days)


def average_days_delinquent(dso, best):
    """Average Days Delinquent (ADD) = DSO - best possible DSO: the days lost to late payers."""
    if dso is None or best is None:
        return None
    return dso - best


def cei(opening, sales, closing, closing_current):
    """Collection Effectiveness Index, in %.

    (opening AR + credit sales - closing AR) ÷ (opening AR + credit sales - closing current AR)
    x 100: what was collected over what could have been collected (everything except what was
    not yet due at the end). 100 % is perfect. ``None`` when nothing was collectible.
    """
    value = ratio(opening + sales - closing, opening + sales - closing_current)
    return None if value is None else value * 100.0


def weighted_average(pairs):
    """Average of ``(value, weight)`` pairs weighted by the weights; ``None`` without weight."""
    pairs = list(pairs)
    return ratio(sum(value * weight for value, weight in pairs), sum(w for _v, w in pairs))
