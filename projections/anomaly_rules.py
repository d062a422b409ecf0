"""The thresholds of the anomaly flags: read from ``LEDGER_ANOMALY_*``, and stored with the view as a
document and a digest so that a change of thresholds rebuilds it."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from ledger.clock import zone_from_environment
from ledger.domain import errors

# Vietnam keeps UTC+7 all year: the business dates of the ledger are local dates there.
VIETNAM_TIME = timezone(timedelta(hours=7), "UTC+07:00")


# The environment variables of the thresholds, and the fields they set.
ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("LEDGER_ANOMALY_BACKDATED_AFTER_DAYS", "backdated_after_days"),
    ("LEDGER_ANOMALY_MASTER_MIN_MONTHS", "master_min_months"),
    ("LEDGER_ANOMALY_DOCTORATE_MIN_MONTHS", "doctorate_min_months"),
)


@dataclass(frozen=True)
class AnomalyRules:
    """Thresholds of the anomaly flags (``from_environment`` reads them from ``LEDGER_ANOMALY_*``)."""

    backdated_after_days: int = 90
    master_min_months: int = 12
    doctorate_min_months: int = 24
    local_time: tzinfo = VIETNAM_TIME  # the day an event was recorded is a local day

    def __post_init__(self) -> None:
        for name in ("backdated_after_days", "master_min_months", "doctorate_min_months"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise errors.InvalidInput(f"{name} must be a whole number, 0 or more.", field=name)

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> AnomalyRules:
        """The rules with any of ``LEDGER_ANOMALY_BACKDATED_AFTER_DAYS``,
        ``LEDGER_ANOMALY_MASTER_MIN_MONTHS``, ``LEDGER_ANOMALY_DOCTORATE_MIN_MONTHS`` applied."""
        values: dict[str, int] = {}
        for variable, name in ENVIRONMENT:
            text = env.get(variable)
            if text is None or not text.strip():
                continue
            try:
                values[name] = int(text.strip())
            except ValueError:
                raise errors.InvalidInput(
                    f"{variable}={text!r} is not a whole number of "
                    f"{'days' if name.endswith('days') else 'months'}.",
                    field=variable,
                ) from None
        defaults = cls()
        return cls(
            backdated_after_days=values.get("backdated_after_days", defaults.backdated_after_days),
            master_min_months=values.get("master_min_months", defaults.master_min_months),
            doctorate_min_months=values.get("doctorate_min_months", defaults.doctorate_min_months),
        )

    def min_months(self, level: str | None) -> int | None:
        return {"master": self.master_min_months, "doctorate": self.doctorate_min_months}.get(level or "")


def configured_rules(zone: tzinfo | None = None) -> AnomalyRules:
    """The thresholds of this deployment: ``LEDGER_ANOMALY_*``, and the day an event was
    recorded taken in ``zone`` (the ledger's clock; default ``LEDGER_TIMEZONE``)."""
    rules = AnomalyRules.from_environment(os.environ)
    return replace(rules, local_time=zone if zone is not None else zone_from_environment(os.environ))


# Bump when the checks change: the view is then rebuilt, like a change of thresholds.
CHECKS_VERSION = 1


def rules_document(rules: AnomalyRules) -> dict[str, Any]:
    """The thresholds as plain JSON (the day's time zone by its name)."""
    return {
        "checks": CHECKS_VERSION,
        "backdated_after_days": rules.backdated_after_days,
        "master_min_months": rules.master_min_months,
        "doctorate_min_months": rules.doctorate_min_months,
        "local_time": _zone_name(rules.local_time),
    }


def rules_from_document(document: Mapping[str, Any]) -> AnomalyRules:
    return AnomalyRules(
        backdated_after_days=int(document["backdated_after_days"]),
        master_min_months=int(document["master_min_months"]),
        doctorate_min_months=int(document["doctorate_min_months"]),
        local_time=_zone_of(str(document["local_time"])),
    )


def rules_digest(rules: AnomalyRules) -> str:
    """SHA-256 of the thresholds (and the version of the checks): what the view was built with."""
    canonical = json.dumps(rules_document(rules), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _zone_name(zone: tzinfo) -> str:
    if isinstance(zone, ZoneInfo):
        return zone.key
    offset = zone.utcoffset(None) or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_of(name: str) -> tzinfo:
    fixed = re.fullmatch(r"UTC([+-])(\d\d):(\d\d)", name)
    if fixed is None:
        return ZoneInfo(name)
    minutes = int(fixed.group(2)) * 60 + int(fixed.group(3))
    return timezone(timedelta(minutes=-minutes if fixed.group(1) == "-" else minutes), name)
