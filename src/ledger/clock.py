"""The one source of "now" and of "today": the agency's clock.

Recording times are instants, kept in UTC in the store and the API. Business dates are the
agency's calendar days: "today" is the date on the agency's wall clock (``LEDGER_TIMEZONE``,
default ``Asia/Ho_Chi_Minh``), so between 00:00 and 07:00 in Vietnam it is not yesterday's UTC
date. Every default date (``as_of``, a fact recorded "today", export file names, "Tính đến ngày")
and every local time shown to people comes from an ``AgencyClock``; tests inject the instant.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIMEZONE_VARIABLE = "LEDGER_TIMEZONE"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


class ClockConfigError(ValueError):
    """``LEDGER_TIMEZONE`` names no time zone."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Asia/Ho_Chi_Minh``), or a one-line ``ClockConfigError``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ZoneInfo raises ValueError for paths ("../x") and OSError for odd names on some systems.
        raise ClockConfigError(
            f"{TIMEZONE_VARIABLE}={name!r} is not a time zone: use an IANA name such as "
            f"{DEFAULT_TIMEZONE!r} or 'UTC'."
        ) from None


def zone_from_environment(environ: Mapping[str, str] | None = None) -> ZoneInfo:
    """The agency's time zone from ``LEDGER_TIMEZONE`` (default ``Asia/Ho_Chi_Minh``)."""
    environ = os.environ if environ is None else environ
    return parse_zone(environ.get(TIMEZONE_VARIABLE, "").strip() or DEFAULT_TIMEZONE)


@dataclass(frozen=True)
class AgencyClock:
    """"Now" as a UTC instant and "today" as the agency's date.

    Calling the clock gives the current instant (UTC), so it stands wherever a plain
    ``Callable[[], datetime]`` did. ``source`` is where instants come from: the system clock, or
    a test's chosen instant.
    """

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    source: Callable[[], datetime] = utc_now

    def __call__(self) -> datetime:
        return self.now()

    def now(self) -> datetime:
        """The current instant, in UTC (a naive source is taken to be UTC)."""
        instant = self.source()
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        return instant.astimezone(UTC)

    def today(self) -> date:
        """The agency's date now."""
        return self.date_of(self.now())

    def date_of(self, instant: datetime) -> date:
        """The agency's date at ``instant`` (the day a fact recorded then was recorded on)."""
        return self.local(instant).date()

    def local(self, instant: datetime) -> datetime:
        """``instant`` on the agency's wall clock, for people to read."""
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        return instant.astimezone(self.zone)


def agency_clock(
    source: Callable[[], datetime] | None = None, environ: Mapping[str, str] | None = None
) -> AgencyClock:
    """The agency's clock: the zone from the environment, instants from ``source`` (or the
    system). An ``AgencyClock`` given as ``source`` is kept as it is."""
    if isinstance(source, AgencyClock):
        return source
    return AgencyClock(zone_from_environment(environ), source or utc_now)
