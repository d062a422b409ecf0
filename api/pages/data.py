"""What the pages read: the same read side as the HTTP API.

Standings, the directory, trails, the qualification and attendance counts (a unit's too), the
anomalies and the list of units come from the projected views (``projections.queries.ReadModel``);
needs and effectiveness from the reports' one query layer (``ReadModel.reports``,
``projections.reports``), exactly as the HTTP API and the command line answer them.
"""

from __future__ import annotations

from datetime import date

from ledger.application import Ledger
from projections.anomaly_flags import Anomaly
from projections.anomaly_rules import AnomalyRules
from projections.queries import ReadModel


class Workbench:
    """The reads of the pages."""

    def __init__(self, ledger: Ledger, read_model: ReadModel) -> None:
        self.ledger = ledger
        self.read_model = read_model

    @property
    def rules(self) -> AnomalyRules:
        """The anomaly thresholds the anomalies view is built with (the engine's configuration)."""
        return self.read_model.anomalies_view.rules

    def today(self) -> date:
        return self.read_model.today()

    def units(self) -> list[str]:
        """Every unit anyone was ever in (registrations, rotations, transfers), sorted."""
        return self.read_model.units()

    def person_anomalies(self, staff_id: str) -> list[Anomaly]:
        """One person's anomalies, from the anomalies view."""
        return self.read_model.person_anomalies(staff_id)
