"""The findings view: every person judged against the position standards, once, by the engine.

The needs, appointments, commitments and effectiveness reports judge each person's record with
the pure functions of ``ledger.standards`` (needs, compliance, commitments and
effectiveness). Judging a whole agency on every request costs about a millisecond a
person, so the engine keeps the judgement of every person instead: when an event of a person
arrives, that person's record is folded from their own stream and judged again, and their row
replaced (:func:`judge`, the one definition; the reports assemble their answers from the rows
exactly as they would from freshly folded records).

**The day.** A judgement is of one business day: a grace period runs out, a credential expires,
a planning period starts without any event. Each row records the day it was judged for
(``judged_on``), the engine's day (the agency's clock). When the date turns, the engine re-judges
the rows of an earlier day while it has nothing else to do (:meth:`FindingsView.refresh`, a few
hundred people per transaction), and a report asks the view only when every row is of its day;
until then, and for any other day or state of knowledge, the reports fold the records themselves
(``projections.reports``). The view never answers for a day it was not judged for.

**The rules.** The judgement depends on the rules file (and its variant): the view records the
rules' label and digest, and its schema version includes the digest, so under other rules the
engine builds a new generation beside the live one and switches to it when it is level; until
then the reports fold. Changing the rules changes no event.

The judged objects are kept pickled: they are the read side's own cache of its own frozen
dataclasses, written only by the engine into the projection tables, and loading them is far
cheaper than judging again.
"""

from __future__ import annotations

import base64
import hashlib
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from ledger.clock import AgencyClock, zone_from_environment
from ledger.domain.catalog import Rating, Track
from ledger.domain.fold import fold_record
from ledger.domain.record import CredentialState, PlanningState, StaffRecord, UnmetRequirement, Waiver
from ledger.staff import StaffEvent
from ledger.standards.commitments import Commitment, commitments_of
from ledger.standards.compliance import AppointmentReview, review_appointments
from ledger.standards.effectiveness import RATING_SCORE, CourseOutcome, course_outcomes
from ledger.standards.model import Position
from ledger.standards.needs import Candidate, PersonNeeds, PoolEntry, needs_of, pool_entries
from ledger.standards.rules import parse_rules, rules_from_environment
from ledger.standards.ruleset import RuleSet
from ledger.standards.verdicts import Holding, RequirementCheck, StandardCheck, Tenure
from projections.base import Envelope, LogSource, Tables, View
from projections.shapes import AppointmentRow, needs_item
from projections.store import Tx

# Bumped when what a row holds changes (the pickled classes, how a person is judged).
FORMAT = 2
REFRESH_BATCH = 200  # people re-judged per transaction when the date turns


@dataclass(frozen=True)
class PersonFindings:
    """One person judged on one day: all the position-standards reports need of them."""

    staff_id: str
    full_name: str
    unit: str  # the unit they work in on the day (as recorded, before any merger is mapped)
    status: str  # ``StaffRecord.status_on`` the day
    active: bool
    needs: PersonNeeds | None  # active people only
    pools: tuple[PoolEntry, ...]  # active people only
    appointments: tuple[AppointmentReview, ...]  # people who had joined by the day
    commitments: tuple[Commitment, ...]
    outcomes: tuple[CourseOutcome, ...]


def record_on(events: Sequence[StaffEvent], day: date) -> StaffRecord:
    """A person's record on ``day`` as known now, as the reports fold it."""
    latest = max(e.effective_on for e in events)
    return fold_record(events) if day >= latest else fold_record(events, as_of=day)


def judge(record: StaffRecord, day: date, rules: RuleSet) -> PersonFindings:
    """Everything the reports judge of one record (folded on ``day``) on ``day``."""
    active = record.is_active_on(day)
    status = record.status_on(day)
    needs = needs_of(record, day, rules) if active else None
    return PersonFindings(
        staff_id=record.staff_id,
        full_name=record.full_name,
        unit=record.unit_on(day),
        status=status,
        active=active,
        needs=needs,
        pools=tuple(pool_entries(record, day, rules, needs.planned)) if needs is not None else (),
        appointments=(
            ()
            if status == "not_joined"
            else needs.appointments  # judged once for both reports
            if needs is not None
            else tuple(review_appointments(record, day, rules))
        ),
        commitments=tuple(commitments_of(record, rules, day)),
        outcomes=tuple(course_outcomes(record, day)),
    )


# What each report reads of a person, kept apart so a report loads only its own part.
PARTS = ("needs", "appointments", "commitments", "outcomes")
RATINGS = tuple(Rating)


def _dump(value: Any) -> str | None:
    if not value:
        return None
    return base64.b64encode(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)).decode("ascii")


def decode_part(text: str | None) -> Any:
    return None if text is None else pickle.loads(base64.b64decode(text))


def _parts(findings: PersonFindings) -> tuple[str | None, ...]:
    needs = (findings.needs, findings.pools) if findings.needs is not None else None
    return (_dump(needs), _dump(findings.appointments), _dump(findings.commitments), _dump(findings.outcomes))


def commitment_key(commitment: Commitment) -> str:
    """A commitment's place in the report and its paging key: staff code, start, enrollment."""
    return f"{commitment.staff_id}|{commitment.starts_on.isoformat()}|{commitment.enrollment_id}"


@dataclass
class _Rows:
    """The rows one person's findings make in each table of the view."""

    people: list[tuple[Any, ...]] = field(default_factory=list)
    gaps: list[tuple[Any, ...]] = field(default_factory=list)
    pools: list[tuple[Any, ...]] = field(default_factory=list)
    appointments: list[tuple[Any, ...]] = field(default_factory=list)
    commitments: list[tuple[Any, ...]] = field(default_factory=list)
    outcomes: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, aggregate: str, version: int, day: date, f: PersonFindings) -> None:
        needs = f.needs
        self.people.append(
            (
                aggregate, f.staff_id, version, f.full_name, f.unit, f.status, int(f.active),
                int(bool(needs and needs.gaps)), day.isoformat(), *_parts(f),
                _dump(needs_item(needs)) if needs is not None else None,
            )
        )
        if needs is not None:
            self.gaps += [(aggregate, n, str(c.track), str(c.status)) for n, c in enumerate(needs.gaps)]
        for n, entry in enumerate(f.pools):
            code = entry.position.code if entry.position else None
            candidate = entry.candidate
            self.pools.append(
                (aggregate, n, entry.key, code, entry.position_name, f.staff_id, int(candidate.ready),
                 _dump(candidate.as_dict()))
            )
        for n, review in enumerate(f.appointments):
            row = AppointmentRow(f.staff_id, f.full_name, f.status, review)
            self.appointments.append(
                (
                    aggregate, n, row.key, int(row.flagged), int(review.met_rules_then),
                    int(review.appointed_without_meeting_standard),
                    int(not review.would_meet_todays_rules_then), int(not review.meets_todays_rules),
                    int(review.waiver is not None), _dump(row.as_dict()),
                )
            )
        for n, c in enumerate(f.commitments):
            owed = str(c.reimbursement) if c.reimbursement else None
            self.commitments.append(
                (aggregate, n, commitment_key(c), str(c.status), int(c.open), owed, _dump(c.as_dict()))
            )
        for n, o in enumerate(f.outcomes):
            change = o.change
            compared = change is not None and o.rating_before is not None and o.rating_after is not None
            counts = [sum(1 for r in o.post_training if r == rating) for rating in RATINGS]
            self.outcomes.append(
                (
                    aggregate, n, f.staff_id, o.course_code, str(o.track), o.level or "", o.completed_on.year,
                    o.course_title, int(compared),
                    RATING_SCORE[o.rating_before] if compared and o.rating_before else 0,
                    RATING_SCORE[o.rating_after] if compared and o.rating_after else 0,
                    int(compared and (change or 0) > 0), int(compared and change == 0),
                    int(compared and (change or 0) < 0), *counts,
                )
            )


# The classes the rows hold pickled. Pickle records each by module and name, so a class that moves
# (a refactoring) would make the stored rows unreadable: where they live is part of the schema
# version, and a move rebuilds the view beside the live one instead of breaking its reads.
PICKLED: tuple[type, ...] = (
    PersonNeeds,
    PoolEntry,
    Candidate,
    StandardCheck,
    RequirementCheck,
    Holding,
    Tenure,
    AppointmentReview,
    Commitment,
    CourseOutcome,
    CredentialState,
    PlanningState,
    Waiver,
    UnmetRequirement,
    Position,
    Track,
    Rating,
)


def rules_digest(rules: RuleSet) -> str:
    """What the judgement depends on besides the log: the rules file, its variant, this code and
    where the classes it stores live."""
    places = ",".join(f"{c.__module__}:{c.__qualname__}" for c in PICKLED)
    return hashlib.sha256(f"{rules.digest}|{rules.variant}|{FORMAT}|{places}".encode()).hexdigest()


class FindingsView(View):
    """One row per person: their findings on the engine's day under the ledger's rules; beside
    it a row per unmet requirement, place in a planning pool, appointment, commitment and course
    outcome, with the columns the reports count and page by and each item ready-made."""

    name = "findings"
    tables: ClassVar[dict[str, str]] = {
        "people": (
            "aggregate TEXT NOT NULL, staff_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "full_name TEXT NOT NULL, unit TEXT NOT NULL, status TEXT NOT NULL, active INTEGER NOT NULL, "
            "has_gaps INTEGER NOT NULL, judged_on TEXT NOT NULL, needs TEXT, appointments TEXT, "
            "commitments TEXT, outcomes TEXT, needs_item TEXT, PRIMARY KEY (aggregate)"
        ),
        "gaps": (
            "aggregate TEXT NOT NULL, seq INTEGER NOT NULL, track TEXT NOT NULL, status TEXT NOT NULL, "
            "PRIMARY KEY (aggregate, seq)"
        ),
        "pools": (
            "aggregate TEXT NOT NULL, seq INTEGER NOT NULL, pool_key TEXT NOT NULL, position_code TEXT, "
            "position_name TEXT NOT NULL, staff_id TEXT NOT NULL, ready INTEGER NOT NULL, "
            "entry TEXT NOT NULL, PRIMARY KEY (aggregate, seq)"
        ),
        "appointments": (
            "aggregate TEXT NOT NULL, seq INTEGER NOT NULL, sort_key TEXT NOT NULL, "
            "flagged INTEGER NOT NULL, met_then INTEGER NOT NULL, without_standard INTEGER NOT NULL, "
            "fails_today INTEGER NOT NULL, "
            "not_meeting_now INTEGER NOT NULL, with_waiver INTEGER NOT NULL, item TEXT NOT NULL, "
            "PRIMARY KEY (aggregate, seq)"
        ),
        "commitments": (
            "aggregate TEXT NOT NULL, seq INTEGER NOT NULL, sort_key TEXT NOT NULL, status TEXT NOT NULL, "
            "is_open INTEGER NOT NULL, owed TEXT, item TEXT NOT NULL, PRIMARY KEY (aggregate, seq)"
        ),
        "outcomes": (
            "aggregate TEXT NOT NULL, seq INTEGER NOT NULL, staff_id TEXT NOT NULL, "
            "course_code TEXT NOT NULL, track TEXT NOT NULL, level TEXT NOT NULL, year INTEGER NOT NULL, "
            "course_title TEXT NOT NULL, "
            "compared INTEGER NOT NULL, score_before INTEGER NOT NULL, score_after INTEGER NOT NULL, "
            "improved INTEGER NOT NULL, unchanged INTEGER NOT NULL, declined INTEGER NOT NULL, "
            + ", ".join(f"rated_{r.value} INTEGER NOT NULL" for r in RATINGS)
            + ", PRIMARY KEY (aggregate, seq)"
        ),
        "rules": "digest TEXT NOT NULL, label TEXT NOT NULL",
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {
        "by_staff": ("people", "staff_id"),
        "by_day": ("people", "judged_on"),
        "by_unit": ("people", "unit"),
        "by_appointment": ("appointments", "sort_key"),
        "by_commitment": ("commitments", "sort_key"),
    }
    CHILDREN = ("gaps", "pools", "appointments", "commitments", "outcomes")
    refreshes = True  # its rows are of one day: judged again when the date turns

    def __init__(
        self,
        rules: RuleSet | None = None,
        *,
        today: Callable[[], date] | None = None,
        rules_text: str | None = None,
        source: str = "<rules>",
        variant: str | None = None,
        day: str | None = None,
    ) -> None:
        super().__init__()
        if rules is None:
            rules = (
                parse_rules(rules_text, source=source, variant=variant)
                if rules_text is not None
                else rules_from_environment()
            )
        self.rules = rules
        if day is not None:
            fixed = date.fromisoformat(day)
            self.today: Callable[[], date] = lambda: fixed
        else:
            self.today = today or AgencyClock(zone_from_environment()).today
        self._fresh_on: date | None = None  # the day every row of the live generation was judged for
        self.digest = rules_digest(rules)
        self.schema_version = 9_000_000 + int(self.digest[:12], 16) % 1_000_000

    def settings(self) -> dict[str, Any]:
        # A worker of a parallel build judges for the day the build started on, like this process.
        if not self.rules.text:
            raise ValueError("These rules were not loaded from a file's text; build the view in one process.")
        return {
            "rules_text": self.rules.text,
            "source": self.rules.source,
            "variant": self.rules.variant or None,
            "day": self.today().isoformat(),
        }

    def create(self, tx: Tx, tables: Tables, *, indexes: bool) -> None:
        super().create(tx, tables, indexes=indexes)
        tx.execute(f"DELETE FROM {tables['rules']}")
        tx.execute(
            f"INSERT INTO {tables['rules']} (digest, label) VALUES (?, ?)", (self.digest, self.rules.label)
        )

    def apply(self, tx: Tx, tables: Tables, envelopes: Sequence[Envelope], log: LogSource) -> None:
        pages: dict[UUID, list[Envelope]] = {}
        for env in envelopes:
            pages.setdefault(env.originator_id, []).append(env)
        day = self.today()
        stale: list[tuple[str]] = []
        rows = _Rows()
        for oid, mine in pages.items():
            first, last = mine[0].version, mine[-1].version
            whole = first == 1 and last == len(mine)
            events = [e.event for e in mine] if whole else log.events_of(oid, last)
            if first > 1:
                stale.append((str(oid),))
            rows.add(str(oid), last, day, judge(record_on(events, day), day, self.rules))
        self._write(tx, tables, stale, rows)

    def _write(self, tx: Tx, tables: Tables, stale: list[tuple[str]], rows: _Rows) -> None:
        """Replace the rows of the ``stale`` people (a person first seen has none) with ``rows``."""
        if stale:
            for logical in ("people", *self.CHILDREN):
                tx.executemany(self.sql(tables, f"DELETE FROM {{{logical}}} WHERE aggregate = ?"), stale)
        for logical in ("people", *self.CHILDREN):
            found: list[tuple[Any, ...]] = getattr(rows, logical)
            if found:
                marks = ", ".join("?" for _ in found[0])
                tx.executemany(self.sql(tables, f"INSERT INTO {{{logical}}} VALUES ({marks})"), found)

    def needs_refresh(self, tx: Tx, tables: Tables) -> bool:
        """Whether some row is judged for another day than the engine's (remembered once all are,
        so an idle engine asks the store once a day, not at every poll)."""
        day = self.today()
        if self._fresh_on == day:
            return False
        if self.judged_for(tx, tables, day):
            self._fresh_on = day
            return False
        return True

    def refresh(self, tx: Tx, tables: Tables, log: LogSource) -> int:
        """Judge again, for the engine's day, up to a batch of people judged for another day (the
        date turned); how many were."""
        day = self.today()
        stale = tx.query(
            f"SELECT aggregate, version FROM {tables['people']} WHERE judged_on <> ? "
            "ORDER BY aggregate LIMIT ?",
            (day.isoformat(), REFRESH_BATCH),
        )
        if not stale:
            return 0
        rows = _Rows()
        for aggregate, version in stale:
            events = log.events_of(UUID(aggregate), version)
            rows.add(aggregate, version, day, judge(record_on(events, day), day, self.rules))
        self._write(tx, tables, [(aggregate,) for aggregate, _ in stale], rows)
        return len(stale)

    # ------------------------------------------------------------------ reads

    def recorded_rules(self, tx: Tx, tables: Tables) -> tuple[str, str] | None:
        """The digest and label of the rules this generation was judged under."""
        row = tx.record(f"SELECT digest, label FROM {tables['rules']}")
        return None if row is None else (str(row["digest"]), str(row["label"]))

    def judged_for(self, tx: Tx, tables: Tables, day: date) -> bool:
        """Whether every row is judged for ``day`` (an empty view is, for any day)."""
        other = tx.query(f"SELECT 1 FROM {tables['people']} WHERE judged_on <> ? LIMIT 1", (day.isoformat(),))
        return not other
