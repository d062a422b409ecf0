"""Calendar arithmetic on business dates: months added and counted, periods that hold a day or overlap.

Pure functions of ``datetime.date``: the rules file's periods, grace months and service
commitments all count in calendar months.
"""

from __future__ import annotations

from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - date.resolution).day
    return date(year, month, min(day.day, last_day))


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (a month is complete on the same day of the month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def end_of_month(day: date) -> date:
    return add_months(date(day.year, day.month, 1), 1) - date.resolution


def months_spanned(start: date, end: date) -> int:
    """Calendar length of a course in months, a started month counting as a whole one."""
    whole = months_between(start, end)
    return whole + (1 if add_months(start, whole) < end else 0)


def in_period(day: date, valid_from: date | None, valid_to: date | None) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def periods_overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)
