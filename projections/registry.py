"""The views the engine keeps, by name (see docs/projections.md)."""

from __future__ import annotations

from ledger.application import Ledger
from projections.base import View


def view_names() -> list[str]:
    """The names of the ledger's views, in the order of :func:`default_views` (reads no
    configuration)."""
    from projections.anomalies import AnomaliesView
    from projections.credentials import CredentialsView
    from projections.findings import FindingsView
    from projections.standing import StandingView
    from projections.statistics import StatisticsView

    return [
        StandingView.name, CredentialsView.name, StatisticsView.name, AnomaliesView.name, FindingsView.name
    ]


def default_views(ledger: Ledger | None = None) -> list[View]:
    """The ledger's views: standing (and directory), credential trails, statistics, anomalies,
    findings against the position standards.

    The anomalies view depends on configuration: the thresholds ``LEDGER_ANOMALY_*`` and the
    agency's time zone (``ledger``'s clock; without a ledger, ``LEDGER_TIMEZONE``). The findings
    view depends on the ledger's rules file and judges for the agency's date (without a ledger,
    ``LEDGER_RULES`` and ``LEDGER_TIMEZONE``).
    """
    from projections.anomalies import AnomaliesView
    from projections.anomaly_rules import configured_rules
    from projections.credentials import CredentialsView
    from projections.findings import FindingsView
    from projections.standing import StandingView
    from projections.statistics import StatisticsView

    zone = ledger.clock.zone if ledger is not None else None
    findings = FindingsView(ledger.rules, today=ledger.today) if ledger is not None else FindingsView()
    return [
        StandingView(),
        CredentialsView(),
        StatisticsView(),
        AnomaliesView(configured_rules(zone)),
        findings,
    ]
