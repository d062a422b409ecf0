"""The projection engine: exactly once across crashes, rebuilds without downtime, two engines,
lost notifications, read-your-writes. Real stores, real processes, no sleeps as synchronisation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from projections_fixtures import Clock, small_agency

from ledger.application import Ledger
from ledger.store.config import StoreConfig
from projections import generations
from projections.building import build, rebuild
from projections.engine import Engine
from projections.log import LogReader
from projections.queries import ReadModel
from projections.registry import default_views
from projections.standing import StandingView
from projections.status import status
from projections.store import Database
from projections.verify import check_views

ROOT = Path(__file__).resolve().parents[2]


def enroll_many(ledger: Ledger, clock: Clock, count: int, *, prefix: str = "X") -> int:
    """``count`` more events (new people and their courses); returns the last position."""
    position = 0
    for i in range(count):
        staff_id = f"{prefix}{i // 3:03d}"
        if i % 3 == 0:
            result = ledger.register(
                staff_id=staff_id,
                full_name=f"Lê Văn {prefix}{i}",
                gender="male",
                birth_date=date(1985, 1, 1),
                unit="Văn phòng",
                joined_on=date(2010, 1, 1),
                recorded_by="r",
                recorded_at=clock.tick(),
            )
        else:
            result = ledger.enroll(
                staff_id,
                enrollment_id=f"E{i}",
                course_code="TH",
                course_title="Tin học",
                track="it",
                level="basic",
                provider="Trung tâm",
                mode="online",
                starts_on=date(2020, 1, 1 + i % 27),
                recorded_by="r",
                recorded_at=clock.tick(),
            )
        position = result.position
    return position


def live_positions(ledger: Ledger) -> dict[str, int]:
    conn = Database(ledger.store).connect()
    try:
        with conn.transaction() as tx:
            return {v: g.position for v, g in generations.live(tx, [v.name for v in default_views()]).items()}
    finally:
        conn.close()


def wait_until(condition: Any, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def _agency(store: StoreConfig) -> Iterator[tuple[Ledger, Clock]]:
    clock = Clock()
    ledger = Ledger(store)
    small_agency(ledger, clock)
    try:
        yield ledger, clock
    finally:
        ledger.close()


@pytest.fixture
def agency(store: StoreConfig) -> Iterator[tuple[Ledger, Clock]]:
    """A small agency, once per store."""
    yield from _agency(store)


@pytest.fixture
def postgres_agency(postgres_store: StoreConfig) -> Iterator[tuple[Ledger, Clock]]:
    """A small agency on PostgreSQL only (LISTEN/NOTIFY is PostgreSQL's)."""
    yield from _agency(postgres_store)


# ------------------------------------------------------------------------------ crash safety

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ledger.application import Ledger
    from ledger.store.config import StoreConfig
    from projections.engine import Engine

    url, marker, pause_at, page_size = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    applied = 0

    def pause_mid_page(view, end):
        # Called inside the page's open transaction after each view's writes.
        global applied
        applied += 1
        if applied == pause_at:
            marker.write_text(f"{view} {end}")
            time.sleep(3600)

    engine = Engine(Ledger(StoreConfig(url)), page_size=page_size, after_view_applied=pause_mid_page)
    engine.run_forever()
    """
)


def test_an_engine_killed_in_the_middle_of_a_page_resumes_exactly_once(
    agency: tuple[Ledger, Clock], tmp_path: Path
) -> None:
    ledger, clock = agency
    Engine(ledger).run_until_idle()
    before = max(live_positions(ledger).values())
    head = enroll_many(ledger, clock, 40)
    marker = tmp_path / "paused"
    page_size = 10
    # Five views per page: the 7th call is the second view of the second page.
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, ledger.store.url, str(marker), "7", str(page_size)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: marker.exists() or child.poll() is not None, what="the child to pause mid-page")
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    # The first page was committed, the second lost as a whole: every view at the same place.
    positions = live_positions(ledger)
    assert set(positions.values()) == {before + page_size}
    restarted = Engine(ledger, page_size=7)
    restarted.run_until_idle()
    assert set(live_positions(ledger).values()) == {head}
    assert check_views(ledger) == []


# ----------------------------------------------------------------------------------- rebuild


def test_reads_during_a_rebuild_see_the_complete_previous_generation(agency: tuple[Ledger, Clock]) -> None:
    ledger, clock = agency
    enroll_many(ledger, clock, 30)
    engine = Engine(ledger)
    engine.run_until_idle()
    reads = ReadModel(ledger, engine=engine)
    pages = 0
    try:
        expected = reads.directory(limit=500)
        expected_report = reads.qualifications()
        extra: dict[str, int] = {}

        def between_pages(position: int, head: int) -> None:
            nonlocal pages
            pages += 1
            # The new generation is half built: reads still see the old one, whole.
            if not extra:
                assert reads.directory(limit=500) == expected
                assert reads.qualifications() == expected_report
            if pages == 3:
                # Writes keep coming and the live generation keeps up with them meanwhile.
                extra["position"] = ledger.enroll(
                    "CB002",
                    enrollment_id="LATE",
                    course_code="NN",
                    course_title="Tiếng Anh",
                    track="foreign_language",
                    level="level3",
                    provider="Trung tâm",
                    mode="online",
                    starts_on=date(2024, 2, 1),
                    recorded_by="r",
                    recorded_at=clock.tick(),
                ).position
                engine.run_until_idle()

        old = live_positions(ledger)
        new = build(ledger, StandingView(), page_size=4, progress=between_pages)
        assert pages > 3
        assert new.position >= extra["position"]
        assert reads.standing("CB002") is not None
        assert "LATE" in {e.enrollment_id for e in reads.standing("CB002").enrollments}  # type: ignore[union-attr]
        rows = [r for r in status(ledger) if r["view"] == "standing"]
        assert [(r["generation"], r["state"]) for r in rows] == [(new.generation, "live")]
        assert old["standing"] <= new.position
        assert check_views(ledger) == []
    finally:
        reads.close()


def test_reads_in_a_loop_on_another_thread_never_see_a_partial_view(agency: tuple[Ledger, Clock]) -> None:
    ledger, clock = agency
    enroll_many(ledger, clock, 60)
    Engine(ledger).run_until_idle()
    reads = ReadModel(ledger)
    expected = reads.qualifications()
    done = threading.Event()
    seen: list[int] = []
    failures: list[str] = []

    def read_in_a_loop() -> None:
        while not done.is_set():
            report = reads.qualifications()
            seen.append(report.headcount)
            if report != expected:
                failures.append(repr(report))

    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    try:
        for view in default_views():
            build(ledger, view, page_size=3)
    finally:
        done.set()
        reader.join()
        reads.close()
    assert failures == []
    assert seen


# ------------------------------------------------------------------------ two engines, notify


def test_two_engines_following_one_log_do_not_corrupt_the_views(store: StoreConfig) -> None:
    clock = Clock()
    first, second = Ledger(store), Ledger(store)
    a = Engine(first, page_size=3, poll_interval=0.001)
    b = Engine(second, page_size=2, poll_interval=0.001)
    a.prepare()
    a.start()
    b.start()
    reads = ReadModel(first)
    try:
        small_agency(first, clock)
        head = enroll_many(second, clock, 45)
        assert reads.wait_for(head, timeout=60)
    finally:
        a.stop()
        b.stop()
        reads.close()
        second.close()
    try:
        assert check_views(first) == []
    finally:
        first.close()


def test_an_engine_that_finds_a_view_moved_under_it_applies_nothing(agency: tuple[Ledger, Clock]) -> None:
    ledger, clock = agency
    Engine(ledger).run_until_idle()
    enroll_many(ledger, clock, 6)
    read_page = threading.Event()

    class SignallingReader(LogReader):
        def page(self, after: int, limit: int, *, stop: int | None = None) -> Any:
            found = super().page(after, limit, stop=stop)
            read_page.set()
            return found

    loser = Engine(ledger)
    loser.reader = SignallingReader(ledger)
    loser.prepare()
    outcome: list[int] = []

    def winner_pauses(view: str, end: int) -> None:
        # Inside the winner's open transaction: let the loser read the same page first.
        if not read_page.is_set():
            racer = threading.Thread(target=lambda: outcome.append(loser.step()))
            racer.start()
            assert read_page.wait(30)
            winner_pauses.racer = racer  # type: ignore[attr-defined]

    winner = Engine(ledger, after_view_applied=winner_pauses)
    assert winner.step() > 0
    winner_pauses.racer.join(60)  # type: ignore[attr-defined]
    assert outcome == [-1]
    winner.run_until_idle()
    assert check_views(ledger) == []


def test_a_lost_notification_does_not_stall_the_postgres_engine(
    postgres_agency: tuple[Ledger, Clock],
) -> None:
    ledger, clock = postgres_agency
    # Listening on a channel nobody notifies: every notification is lost; only re-polls remain.
    engine = Engine(ledger, channel="nobody_notifies_this", repoll_interval=0.2)
    engine.start()
    passive = ReadModel(ledger)  # does not wake the engine
    try:
        position = enroll_many(ledger, clock, 3)
        assert passive.wait_for(position, timeout=30)
    finally:
        passive.close()
        engine.stop()


def test_a_dropped_listen_connection_does_not_stall_the_postgres_engine(
    postgres_agency: tuple[Ledger, Clock],
) -> None:
    ledger, clock = postgres_agency
    engine = Engine(ledger, repoll_interval=3600)  # only notifications (or reconnecting) wake it
    engine.start()
    passive = ReadModel(ledger)
    try:
        wait_until(lambda: engine._listen_conn is not None, what="the LISTEN connection")
        conn = engine._listen_conn
        assert conn is not None
        pid = conn.raw.info.backend_pid
        with psycopg.connect(Database(ledger.store).conninfo, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        position = enroll_many(ledger, clock, 3)
        assert passive.wait_for(position, timeout=30)
    finally:
        passive.close()
        engine.stop()


# -------------------------------------------------------------------------- read-your-writes


def test_wait_for_returns_when_the_write_is_in_every_view(agency: tuple[Ledger, Clock]) -> None:
    ledger, clock = agency
    # A poll interval of an hour: only the wake-up from wait_for can explain a prompt answer.
    engine = Engine(ledger, poll_interval=3600, repoll_interval=3600)
    engine.start()
    reads = ReadModel(ledger, engine=engine)
    try:
        assert reads.wait_for(0, timeout=30)
        result = ledger.enroll(
            "CB001",
            enrollment_id="NEW",
            course_code="TH",
            course_title="Tin học",
            track="it",
            level="advanced",
            provider="Trung tâm",
            mode="online",
            starts_on=date(2024, 5, 1),
            recorded_by="r",
            recorded_at=clock.tick(),
        )
        assert reads.wait_for(result.position, timeout=30)
        standing = reads.standing("CB001")
        assert standing is not None
        assert "NEW" in {e.enrollment_id for e in standing.enrollments}
        assert reads.catch_up(timeout=30)
    finally:
        reads.close()
        engine.stop()


def test_wait_for_gives_up_after_its_timeout_when_no_engine_runs(agency: tuple[Ledger, Clock]) -> None:
    ledger, clock = agency
    Engine(ledger).run_until_idle()
    reads = ReadModel(ledger)
    try:
        position = enroll_many(ledger, clock, 1)
        assert reads.wait_for(position, timeout=0.05) is False
        assert reads.applied_position() < position
    finally:
        reads.close()


# ---------------------------------------------------------------------------- verify, status


def test_check_views_finds_a_row_changed_behind_the_engines_back(agency: tuple[Ledger, Clock]) -> None:
    ledger, _ = agency
    Engine(ledger).run_until_idle()
    assert check_views(ledger) == []
    conn = Database(ledger.store).connect()
    try:
        with conn.transaction(write=True) as tx:
            live = generations.live(tx, ["statistics"])["statistics"]
            table = f"pv_statistics_{live.generation}_people"
            tx.execute(f"UPDATE {table} SET gender = 'female' WHERE staff_id = 'CB001'")
    finally:
        conn.close()
    problems = check_views(ledger)
    assert len(problems) == 2
    assert all(p.startswith("statistics.people:") for p in problems)


def test_status_shows_each_view_and_its_lag(agency: tuple[Ledger, Clock]) -> None:
    ledger, clock = agency
    Engine(ledger).run_until_idle()
    enroll_many(ledger, clock, 2)
    rows = status(ledger)
    assert {r["view"] for r in rows} == {"standing", "credentials", "statistics", "anomalies", "findings"}
    assert all(r["state"] == "live" and r["lag"] == 2 for r in rows)


def test_a_view_built_by_other_code_is_rebuilt_when_the_engine_starts(agency: tuple[Ledger, Clock]) -> None:
    ledger, _ = agency
    Engine(ledger).run_until_idle()

    class NewerStanding(StandingView):
        schema_version = StandingView.schema_version + 1

    engine = Engine(ledger, views=[NewerStanding(), *default_views()[1:]])
    engine.run_until_idle()
    rows = {r["view"]: r for r in status(ledger)}
    assert rows["standing"]["schema_version"] == NewerStanding.schema_version
    assert rows["standing"]["generation"] == 2


def test_a_rebuild_split_over_worker_processes_gives_the_same_views(agency: tuple[Ledger, Clock]) -> None:
    ledger, clock = agency
    enroll_many(ledger, clock, 30)
    Engine(ledger).run_until_idle()
    reads = ReadModel(ledger)
    try:
        before = (reads.directory(limit=500), reads.qualifications(), reads.attendance())
        done = rebuild(ledger, jobs=2, page_size=7)
        assert {g.generation for g in done.values()} == {2}
        assert (reads.directory(limit=500), reads.qualifications(), reads.attendance()) == before
        assert check_views(ledger) == []
    finally:
        reads.close()
