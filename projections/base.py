"""What every view shares: the envelope an event arrives in, and the view's table set.

A view is a set of tables (one set per *generation*, so a new generation can be built beside the
live one) plus an ``apply`` that turns a page of events into writes. ``apply`` runs inside the
engine's transaction, together with the update of the view's tracking position; it must be
deterministic (a rebuild from the log must give the same rows) and it never validates: events
are accepted facts.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, NamedTuple, Protocol
from uuid import UUID

from ledger.domain.ids import make_event_id
from ledger.organisation import ORGANISATION_STREAM
from ledger.staff import StaffEvent
from projections.store import Tx

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FOREVER = 2**62  # a recording time later than any: "as known now"


def micros(moment: datetime) -> int:
    """A recording time as whole microseconds since the epoch (exact, sortable, dialect-free)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def parse_day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


class Envelope(NamedTuple):
    """One event of the log with where it sits: its position and whose it is. (A named tuple:
    a rebuild makes one per event, and tuples are the cheapest to make.)"""

    position: int
    staff_id: str
    originator_id: UUID
    version: int
    event: StaffEvent

    @property
    def event_id(self) -> str:
        return make_event_id(self.staff_id, self.version)

    @property
    def recorded_at(self) -> int:
        return micros(self.event.timestamp)


def envelopes_for(view: View, envelopes: Sequence[Envelope]) -> Sequence[Envelope]:
    """The envelopes ``view`` is given: without the organisation's unit facts unless it reads them."""
    if view.reads_organisation:
        return envelopes
    return [e for e in envelopes if e.staff_id != ORGANISATION_STREAM]


class LogSource(Protocol):
    """What a view may read from the log besides the page it is given."""

    def events_of(self, originator_id: UUID, lte: int) -> list[StaffEvent]:
        """One staff member's events up to version ``lte``, in order (for refolds)."""

    def event_at(self, originator_id: UUID, version: int) -> StaffEvent | None:
        """One event of one staff member."""


@dataclass(frozen=True)
class Tables:
    """The physical names of one generation's tables, by their logical name."""

    view: str
    generation: int
    names: dict[str, str]

    def __getitem__(self, logical: str) -> str:
        return self.names[logical]


class View(ABC):
    """A read model kept from the log. Subclasses declare tables and implement ``apply``."""

    name: ClassVar[str]
    # A class constant for most views; a view whose rows depend on configuration (thresholds,
    # rules) sets it per instance from a digest of that configuration, so a change rebuilds it.
    schema_version: int
    # logical table name -> column definitions (portable SQL: TEXT, INTEGER, BIGINT).
    tables: ClassVar[dict[str, str]]
    # index suffix -> (logical table, column list); created after a bulk build, for speed.
    indexes: ClassVar[dict[str, tuple[str, str]]] = {}
    # Whether ``apply`` is given the organisation stream's unit facts (``ledger.organisation``)
    # besides staff events: views written for staff events only never see them.
    reads_organisation: ClassVar[bool] = False
    # Whether the view keeps something besides the log's events that goes stale with time (the
    # findings of a day): the engine then offers it :meth:`refresh` whenever it is idle.
    refreshes: ClassVar[bool] = False

    def __init__(self) -> None:
        self._sql: dict[tuple[int, str], str] = {}

    def settings(self) -> dict[str, Any]:
        """The arguments (plain JSON) that make this view again in another process (a worker of
        a parallel rebuild): none for a view that depends on nothing but the log."""
        return {}

    def table_set(self, generation: int) -> Tables:
        return Tables(
            self.name,
            generation,
            {logical: f"pv_{self.name}_{generation}_{logical}" for logical in self.tables},
        )

    def sql(self, tables: Tables, template: str) -> str:
        """A statement with ``{table}`` placeholders filled for one generation (cached)."""
        key = (tables.generation, template)
        found = self._sql.get(key)
        if found is None:
            found = template.format(**tables.names)
            self._sql[key] = found
        return found

    def create(self, tx: Tx, tables: Tables, *, indexes: bool) -> None:
        """Create a generation's tables. The declared PRIMARY KEY becomes a unique index made by
        :meth:`create_indexes`, after a bulk load: appending rows and sorting them once for the
        index is far cheaper than inserting them one by one into a key order they do not come in."""
        for logical, columns in self.tables.items():
            body, _ = _split_key(columns)
            tx.execute(f"CREATE TABLE IF NOT EXISTS {tables[logical]} ({body})")
        if indexes:
            self.create_indexes(tx, tables)

    def create_indexes(self, tx: Tx, tables: Tables) -> None:
        for logical, columns in self.tables.items():
            _, key = _split_key(columns)
            if key:
                tx.execute(
                    f"CREATE UNIQUE INDEX IF NOT EXISTS {tables[logical]}_key ON {tables[logical]} ({key})"
                )
        for suffix, (logical, columns) in self.indexes.items():
            tx.execute(
                f"CREATE INDEX IF NOT EXISTS {tables[logical]}_{suffix} ON {tables[logical]} ({columns})"
            )

    def analyze(self, tx: Tx, tables: Tables) -> None:
        """Refresh the planner's statistics of a generation's tables (after a bulk load, the
        planner would otherwise guess, and PostgreSQL even JIT-compiles plans for phantom costs)."""
        for logical in self.tables:
            tx.execute(f"ANALYZE {tables[logical]}")

    def drop(self, tx: Tx, tables: Tables) -> None:
        for logical in self.tables:
            tx.execute(f"DROP TABLE IF EXISTS {tables[logical]}")

    def needs_refresh(self, tx: Tx, tables: Tables) -> bool:
        """Whether :meth:`refresh` has work (asked in a read transaction, so an idle engine
        does not take the write lock to find out)."""
        return False

    def refresh(self, tx: Tx, tables: Tables, log: LogSource) -> int:
        """Do a batch of what :meth:`needs_refresh` found, in the engine's write transaction;
        how much was done (0: nothing left)."""
        return 0

    @abstractmethod
    def apply(self, tx: Tx, tables: Tables, envelopes: Sequence[Envelope], log: LogSource) -> None:
        """Write the effect of a page of events (in log order) into one generation's tables."""


def _split_key(columns: str) -> tuple[str, str]:
    """Column definitions without their trailing ``PRIMARY KEY (...)``, and the key's columns."""
    marker = ", PRIMARY KEY ("
    at = columns.rfind(marker)
    if at < 0:
        return columns, ""
    return columns[:at], columns[at + len(marker) : columns.index(")", at)]
