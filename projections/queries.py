"""The read model the HTTP layer (and anything else) queries: one object, plain answers.

Typical wiring (a FastAPI lifespan)::

    ledger = Ledger(store)
    engine = Engine(ledger)          # keeps the views; one per process is plenty
    engine.start()
    reads = ReadModel(ledger, engine=engine)
    ...
    reads.close(); engine.stop(); ledger.close()

Read-your-writes: after a write, call ``reads.wait_for(result.position)`` before answering, so
any read that follows the response sees the write. It returns as soon as every view has applied
that position (typically a few milliseconds: it wakes the in-process engine and is woken by its
commit; without an in-process engine it polls the views' tracking rows quickly).

Every answer is a frozen dataclass from :mod:`projections.results` (re-exported here); report
answers are remembered (per process) until the views move, so treat answers as read-only. Reads
raise :class:`ViewNotReady` while a view has no complete generation yet (first start on a big
log: map it to 503), and ``ledger.domain.errors.InvalidInput`` (with ``field``) for bad arguments such
as an unknown code or a malformed cursor.
"""

from __future__ import annotations

from projections.credentials import FlagRules
from projections.read_base import ViewNotReady
from projections.report_reads import ReportReads
from projections.results import (
    AGE_BANDS,
    Appointment,
    AttendanceReport,
    Credential,
    DirectoryEntry,
    Enrollment,
    Evaluation,
    Flag,
    Page,
    Qualification,
    QualificationsReport,
    Rotation,
    Standing,
    StandingDocument,
    Tally,
    Trail,
    TrailStep,
    WaiverInfo,
)
from projections.standing_reads import StandingReads

__all__ = [
    "AGE_BANDS",
    "Appointment",
    "AttendanceReport",
    "Credential",
    "DirectoryEntry",
    "Enrollment",
    "Evaluation",
    "Flag",
    "FlagRules",
    "Page",
    "Qualification",
    "QualificationsReport",
    "ReadModel",
    "Rotation",
    "Standing",
    "StandingDocument",
    "Tally",
    "Trail",
    "TrailStep",
    "ViewNotReady",
    "WaiverInfo",
]

class ReadModel(StandingReads, ReportReads):
    """Queries over the views. Thread-safe; one per process.

    ``engine``: the in-process engine, if any (makes :meth:`wait_for` snappier; optional).
    ``clock``: "now" for defaults (the agency's date today); the ledger's clock by default, and
    a plain callable (a test's chosen instant) is read in the ledger's time zone.
    ``flag_rules``: thresholds of the provenance flags of trails.
    """
