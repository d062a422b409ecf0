"""Concurrent writers on both stores: every acknowledged write is in the log exactly once, every
rejected one is not, versions stay contiguous, and the hash chain has one link per event in log order.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest
from write_fixtures import REGISTRAR, dump_log, register

from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import Mode, Track
from ledger.domain.ids import staff_aggregate_id
from ledger.service import WriteResult
from ledger.staff import StaffMember
from ledger.store.chain import GENESIS, ChainBuilder
from ledger.store.config import StoreConfig
from ledger.store.persistence import iter_chain, iter_notifications

THREADS = 6
WRITES = 15


@dataclass
class Outcome:
    enrollment_id: str
    result: WriteResult | None = None
    refusal: errors.LedgerError | None = None


@pytest.fixture
def ledgers(store: StoreConfig, request: pytest.FixtureRequest) -> Iterator[list[Ledger]]:
    """One Ledger shared by every thread, or two (as two processes on one store would be)."""
    apps = [Ledger(store) for _ in range(getattr(request, "param", 1))]
    try:
        yield apps
    finally:
        for app in apps:
            app.close()


def run_threads(count: int, work: Callable[[int], None]) -> None:
    """Start ``count`` threads together; re-raise the first unexpected error any of them hit."""
    start = threading.Barrier(count)
    failures: list[BaseException] = []

    def body(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as error:  # surfaced to the test below
            failures.append(error)

    threads = [threading.Thread(target=body, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def enroll(ledger: Ledger, staff_id: str, enrollment_id: str, expected_version: int | None) -> WriteResult:
    return ledger.enroll(
        staff_id,
        enrollment_id=enrollment_id,
        course_code="QLNN-CV",
        course_title="Bồi dưỡng ngạch chuyên viên",
        track=Track.STATE_MANAGEMENT,
        level="specialist",
        provider="Học viện Hành chính Quốc gia",
        mode=Mode.BLENDED,
        starts_on=date(2021, 3, 1),
        recorded_by=REGISTRAR,
        expected_version=expected_version,
    )


def hammer(ledgers: list[Ledger], staff_id: str) -> list[Outcome]:
    """THREADS threads × WRITES enrollments on one staff member; odd writes carry If-Match."""
    outcomes: list[list[Outcome]] = [[] for _ in range(THREADS)]

    def work(n: int) -> None:
        ledger = ledgers[n % len(ledgers)]
        for i in range(WRITES):
            outcome = Outcome(f"T{n}-{i}")
            expected = ledger.get_member(staff_id).version if i % 2 else None
            try:
                outcome.result = enroll(ledger, staff_id, outcome.enrollment_id, expected)
            except (errors.StaleVersion, errors.ConcurrentWrite) as refusal:
                outcome.refusal = refusal
            outcomes[n].append(outcome)

    run_threads(THREADS, work)
    return [outcome for per_thread in outcomes for outcome in per_thread]


def assert_chain_matches_log(ledger: Ledger) -> None:
    """Recompute every link from the stored events, in log order, and compare with the chain table."""
    recorder = ledger.chained_recorder
    builder = ChainBuilder()
    expected = []
    for notification in iter_notifications(recorder):
        originator = UUID(str(notification.originator_id))
        previous = builder.last_hash_of.get(str(originator), GENESIS)
        expected.append(
            builder.link(
                previous, originator, notification.originator_version, notification.topic, notification.state
            )
        )
    assert list(iter_chain(recorder)) == expected


@pytest.mark.parametrize("ledgers", [1, 2], indirect=True, ids=["one-ledger", "two-ledgers"])
def test_concurrent_writes_to_one_member_are_each_recorded_once_or_not_at_all(
    ledgers: list[Ledger], store: StoreConfig
) -> None:
    register(ledgers[0], "NV-HOT")
    outcomes = hammer(ledgers, "NV-HOT")

    acknowledged = [o for o in outcomes if o.result is not None]
    rejected = [o for o in outcomes if o.refusal is not None]
    assert len(acknowledged) + len(rejected) == THREADS * WRITES
    assert acknowledged, "at least one writer wins every round"

    reader = Ledger(store)
    try:
        events = reader.events_of("NV-HOT")
        positions = reader.chained_recorder.positions_of(staff_aggregate_id("NV-HOT"))
    finally:
        reader.close()
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    assert len(events) == 1 + len(acknowledged)

    logged = Counter(e.enrollment_id for e in events if isinstance(e, StaffMember.Enrolled))
    assert all(logged[o.enrollment_id] == 1 for o in acknowledged)
    assert all(logged[o.enrollment_id] == 0 for o in rejected)
    by_version = {e.originator_version: e for e in events}
    for outcome in acknowledged:
        assert outcome.result is not None
        event = by_version[outcome.result.version]
        assert isinstance(event, StaffMember.Enrolled)
        assert event.enrollment_id == outcome.enrollment_id
        assert outcome.result.event_id == f"NV-HOT:{outcome.result.version}"
        assert outcome.result.position == positions[outcome.result.version]

    events_rows, chain_rows = dump_log(store)
    assert len(chain_rows) == len(events_rows) == len(events)
    assert [row[0] for row in chain_rows] == list(range(1, len(chain_rows) + 1))
    assert_chain_matches_log(ledgers[0])


@pytest.mark.parametrize("ledgers", [2], indirect=True, ids=["two-ledgers"])
def test_stale_if_match_writes_are_refused_by_name_and_record_nothing(
    ledgers: list[Ledger], store: StoreConfig
) -> None:
    register(ledgers[0], "NV-HOT")
    outcomes = hammer(ledgers, "NV-HOT")
    refusals = {type(o.refusal) for o in outcomes if o.refusal is not None}
    assert refusals <= {errors.StaleVersion, errors.ConcurrentWrite}
    for outcome in outcomes:
        if isinstance(outcome.refusal, errors.StaleVersion):
            # Only writes that carried a version can be stale (odd-numbered ones).
            assert int(outcome.enrollment_id.rsplit("-", 1)[1]) % 2 == 1


@pytest.mark.parametrize("ledgers", [1, 2], indirect=True, ids=["one-ledger", "two-ledgers"])
def test_concurrent_writers_on_different_members_all_succeed_and_chain_in_log_order(
    ledgers: list[Ledger], store: StoreConfig
) -> None:
    results: dict[int, list[WriteResult]] = {}

    def work(n: int) -> None:
        ledger = ledgers[n % len(ledgers)]
        staff_id = f"NV-{n}"
        results[n] = [register(ledger, staff_id)]
        results[n] += [enroll(ledger, staff_id, f"E{i}", None) for i in range(WRITES)]

    run_threads(THREADS, work)
    positions = sorted(r.position for rs in results.values() for r in rs)
    assert len(set(positions)) == THREADS * (WRITES + 1)
    for rs in results.values():
        assert [r.version for r in rs] == list(range(1, WRITES + 2))
    events_rows, chain_rows = dump_log(store)
    assert len(events_rows) == len(chain_rows) == THREADS * (WRITES + 1)
    assert_chain_matches_log(ledgers[0])


@pytest.mark.parametrize("ledgers", [1, 2], indirect=True, ids=["one-ledger", "two-ledgers"])
def test_racing_registrations_of_one_staff_id_record_exactly_one(
    ledgers: list[Ledger], store: StoreConfig
) -> None:
    won: list[WriteResult] = []
    lost: list[errors.DuplicateRegistration] = []

    def work(n: int) -> None:
        try:
            won.append(register(ledgers[n % len(ledgers)], "NV-NEW", full_name=f"Người {n}"))
        except errors.DuplicateRegistration as error:
            lost.append(error)

    run_threads(THREADS, work)
    assert len(won) == 1
    assert len(lost) == THREADS - 1
    events_rows, chain_rows = dump_log(store)
    assert len(events_rows) == len(chain_rows) == 1
