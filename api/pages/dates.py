"""Dates as people in the agency type them: dd/mm/yyyy (and dd/mm/yyyy hh:mm), whatever the
browser's locale. The pages use text inputs rather than ``type=date``, whose display follows the
browser's language (mm/dd/yyyy in an English browser) and would be misread. ISO forms are accepted
too, so links and API-style query strings keep working."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MOMENT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})")
DAY_PATTERN = r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}"


def parse_day(value: str) -> str | None:
    """dd/mm/yyyy or yyyy-mm-dd → ISO; None when it is neither, or no such day."""
    match = DAY.fullmatch(value)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day).isoformat()
        if ISO_DAY.fullmatch(value):
            return date.fromisoformat(value).isoformat()
    except ValueError:
        return None
    return None


def parse_moment(value: str) -> datetime | None:
    """dd/mm/yyyy hh:mm or an ISO date-time → a datetime (naive unless the ISO form had a zone);
    None when it is neither."""
    match = MOMENT.fullmatch(value)
    try:
        if match:
            day, month, year, hour, minute = (int(g) for g in match.groups())
            return datetime(year, month, day, hour, minute)
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def show_day(value: date | str | None) -> str:
    if value is None or value == "":
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return day.strftime("%d/%m/%Y")


def show_moment(value: datetime | None, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime("%d/%m/%Y %H:%M") if value else ""
