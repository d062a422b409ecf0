"""A current standing read is one statement over one document per person: one round trip to
PostgreSQL (counted on the wire by a proxy), one statement and no BEGIN on SQLite; the live
generation it remembers is checked by that statement, so rebuilds and switches are followed at
once; the bytes served are those of the answer built the long way. Real stores (both)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from api_fixtures import Api, running_api
from poison_fixtures import Poison, poisoned_views, register

from api.routers.staff import STANDING_JSON as ANSWER_JSON
from api.routers.staff import StandingAnswer
from ledger.application import Ledger
from ledger.domain.catalog import Mode, Track
from ledger.domain.fold import fold_record
from ledger.store.config import StoreConfig
from ledger.store.proofs import key_path
from ledger.store.signing import SIGNING_KEY_VARIABLE
from projections import generations
from projections.building import build, rebuild
from projections.documents import STANDING_JSON
from projections.engine import Engine
from projections.queries import ReadModel
from projections.results import Standing
from projections.standing import StandingView
from projections.standing_records import record_to_standing
from projections.store import Database


def fold_standing(ledger: Ledger, staff_id: str, day: date) -> Standing:
    events = ledger.events_of(staff_id)
    return record_to_standing(
        fold_record(events, as_of=day),
        as_of=day,
        known_at=None,
        version=max(e.originator_version for e in events),
    )


def enroll(ledger: Ledger, staff_id: str, enrollment_id: str) -> None:
    ledger.enroll(
        staff_id,
        enrollment_id=enrollment_id,
        course_code="BD-QLNN",
        course_title="Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên",
        track=Track.STATE_MANAGEMENT,
        level="specialist",
        provider="Học viện Hành chính Quốc gia",
        mode=Mode.BLENDED,
        starts_on=date(2024, 3, 4),
        recorded_by="phong-tccb",
    )


@pytest.fixture
def reads(ledger: Ledger) -> Iterator[ReadModel]:
    model = ReadModel(ledger)
    try:
        yield model
    finally:
        model.close()


# ----------------------------------------------------------------------------- round trips


class RoundTrips:
    """A TCP proxy in front of PostgreSQL counting round trips on the wire: each time a client
    speaks after the server has answered it (or for the first time) is one."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.count = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = [self._listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._sockets += [client, server]
            state = {"last": "server"}
            threading.Thread(target=self._pump, args=(client, server, state, "client"), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, state, "server"), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, state: dict[str, str], side: str) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                sink.close()
                return
            with self._lock:
                if side == "client" and state["last"] == "server":
                    self.count += 1
                state["last"] = side
            try:
                sink.sendall(data)
            except OSError:  # the other side closed while this side was still sending
                return

    def close(self) -> None:
        for sock in self._sockets:
            sock.close()


@contextmanager
def through_proxy(
    store: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[StoreConfig, RoundTrips]]:
    # The same log under another address: the same signing key.
    monkeypatch.setenv(SIGNING_KEY_VARIABLE, str(key_path(store, os.environ)[0]))
    parts = urlsplit(store.url)
    proxy = RoundTrips((parts.hostname or "127.0.0.1", parts.port or 5432))
    netloc = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    try:
        yield StoreConfig(urlunsplit(parts._replace(netloc=f"{netloc}:{proxy.port}"))), proxy
    finally:
        proxy.close()


def test_a_current_standing_read_is_one_round_trip_to_postgresql(
    postgres_store: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = Ledger(postgres_store)
    register(ledger, "CB001")
    enroll(ledger, "CB001", "E1")
    Engine(ledger).run_until_idle()
    with through_proxy(postgres_store, monkeypatch) as (proxied, trips):
        watched = Ledger(proxied)
        reads = ReadModel(watched)
        try:
            for _ in range(10):  # connect, look the live generation up, prepare the statement
                assert reads.standing_document("CB001") is not None
            before = trips.count
            for _ in range(20):
                assert reads.standing_document("CB001") is not None
            assert trips.count - before == 20
            # The counter sees transaction blocks: a read in one is BEGIN, the query, COMMIT.
            before = trips.count
            reads.applied_position()
            assert trips.count - before == 3
        finally:
            reads.close()
            watched.close()
    ledger.close()


def test_a_current_standing_read_in_the_event_loop_is_one_round_trip_to_postgresql(
    postgres_store: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = Ledger(postgres_store)
    register(ledger, "CB001")
    Engine(ledger).run_until_idle()

    async def count(reads: ReadModel, trips: RoundTrips) -> int:
        await reads.open_async()
        try:
            for _ in range(10):
                assert await reads.standing_document_async("CB001") is not None
            before = trips.count
            for _ in range(20):
                assert await reads.standing_document_async("CB001") is not None
            return trips.count - before
        finally:
            await reads.close_async()

    with through_proxy(postgres_store, monkeypatch) as (proxied, trips):
        watched = Ledger(proxied)
        reads = ReadModel(watched)
        try:
            assert asyncio.run(count(reads, trips)) == 20
        finally:
            reads.close()
            watched.close()
    ledger.close()


def test_a_current_standing_read_is_one_statement_without_begin_on_sqlite(
    sqlite_store: StoreConfig,
) -> None:
    ledger = Ledger(sqlite_store)
    register(ledger, "CB001")
    Engine(ledger).run_until_idle()
    reads = ReadModel(ledger)
    try:
        reads.standing_document("CB001")  # looks the live generation up (a transaction), once
        statements: list[str] = []
        reads._readers._sqlite()._conn.set_trace_callback(statements.append)
        assert reads.standing_document("CB001") is not None
        assert reads.standing("CB001") is not None
    finally:
        reads.close()
        ledger.close()
    assert len(statements) == 2
    assert all(s.startswith("SELECT v.live_generation") for s in statements)


# ----------------------------------------------------------------------------- generations


def test_a_read_follows_a_rebuild_that_dropped_the_generation_it_remembered(
    ledger: Ledger, reads: ReadModel
) -> None:
    register(ledger, "CB001")
    Engine(ledger).run_until_idle()
    assert reads.standing_document("CB001") is not None
    remembered = reads._standing_live
    register(ledger, "CB002", "Trần Thị Bích Ngọc")
    rebuild(ledger)  # a new generation, live; the one remembered is dropped
    found = reads.standing_document("CB002")
    assert found is not None
    assert found.body == STANDING_JSON.dump_json(fold_standing(ledger, "CB002", reads.today()))
    assert reads._standing_live is not None
    assert remembered is not None
    assert reads._standing_live[0] > remembered[0]


def test_a_read_follows_the_live_pointer_even_while_the_old_tables_remain(
    ledger: Ledger, reads: ReadModel
) -> None:
    register(ledger, "CB001")
    engine = Engine(ledger)
    engine.run_until_idle()
    older = build(ledger, StandingView(), switch=False, state=generations.SCRATCH)  # holds CB001 only
    register(ledger, "CB002", "Trần Thị Bích Ngọc")
    engine.run_until_idle()
    assert reads.standing_document("CB002") is not None  # remembers the live generation
    conn = Database(ledger.store).connect()
    try:
        with conn.transaction(write=True) as tx:
            generations.switch(tx, "standing", older.generation)  # the old tables stay
    finally:
        conn.close()
    assert reads.standing_document("CB002") is None
    assert reads.standing_document("CB001") is not None
    assert reads._standing_live is not None
    assert reads._standing_live[0] == older.generation


def test_a_read_after_a_rebuild_in_the_event_loop_answers_from_the_new_generation(
    ledger: Ledger, reads: ReadModel
) -> None:
    register(ledger, "CB001")
    Engine(ledger).run_until_idle()

    def more_and_rebuild() -> None:
        register(ledger, "CB002", "Trần Thị Bích Ngọc")
        rebuild(ledger)  # the generation read (and its prepared statement) is dropped

    async def scenario() -> tuple[bool, bytes | None]:
        await reads.open_async()
        try:
            before = await reads.standing_document_async("CB001")
            await asyncio.to_thread(more_and_rebuild)
            after = await reads.standing_document_async("CB002")
            return before is not None, None if after is None else after.body
        finally:
            await reads.close_async()

    found_before, body = asyncio.run(scenario())
    assert found_before
    assert body == STANDING_JSON.dump_json(fold_standing(ledger, "CB002", reads.today()))


def test_a_view_stopped_by_a_poison_event_answers_from_its_last_good_state_then_catches_up(
    ledger: Ledger,
) -> None:
    poison = Poison("CB002:1")
    engine = Engine(ledger, poisoned_views(poison))
    register(ledger, "CB001")
    register(ledger, "CB002", "Trần Thị Bích Ngọc")
    register(ledger, "CB003", "Lê Hoàng Phúc")
    engine.run_until_idle()  # the first build fails at CB002: made live before it
    reads = ReadModel(ledger, engine=engine)
    try:
        assert reads.standing_document("CB001") is not None
        assert reads.standing_document("CB003") is None
        poison.cure()  # the view's code upgraded
        engine.retry_initial = 0.0
        engine.run_until_idle()
        rebuild(ledger)  # and a rebuild for good measure: a new generation
        for staff_id in ("CB001", "CB002", "CB003"):
            found = reads.standing_document(staff_id)
            assert found is not None
            assert found.body == STANDING_JSON.dump_json(fold_standing(ledger, staff_id, reads.today()))
    finally:
        reads.close()


# ----------------------------------------------------------------------------- the document


def test_the_document_answers_every_day_from_the_latest_business_date_on(
    ledger: Ledger, reads: ReadModel
) -> None:
    register(ledger, "CB001")
    ledger.rotate(
        "CB001",
        to_unit="Sở Nội vụ",
        position="Chuyên viên",
        kind="secondment",
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 6, 30),
        decision_ref="QĐ 12/2024",
        recorded_by="phong-tccb",
    )
    Engine(ledger).run_until_idle()
    for day in (date(2024, 1, 1), date(2024, 6, 30), date(2024, 7, 1), date(2030, 1, 1)):
        found = reads.standing_document("CB001", as_of=day)
        assert found is not None
        expected = fold_standing(ledger, "CB001", day)
        assert found.body == STANDING_JSON.dump_json(expected)
        assert reads.standing("CB001", as_of=day) == expected
    assert reads.standing_document("CB001", as_of=date(2023, 12, 31)) is None  # needs a fold
    assert reads.standing("CB001", as_of=date(2023, 12, 31)) == fold_standing(
        ledger, "CB001", date(2023, 12, 31)
    )


def test_a_standing_is_served_with_the_bytes_of_the_answer_built_from_the_fold(store: StoreConfig) -> None:
    with running_api(store) as api:
        staff_id = api.register(full_name="Đặng Thị Ngọc Hường")
        api.enroll(staff_id)
        response = api.get(f"/staff/{staff_id}")
        assert response.status_code == 200
        assert response.content == answer_bytes(api, staff_id)
        later = api.get(f"/staff/{staff_id}", as_of=(date.today() + timedelta(days=400)).isoformat())
        assert later.content == answer_bytes(
            api, staff_id, date.fromisoformat(later.json()["as_of"])
        )


def answer_bytes(api: Api, staff_id: str, day: date | None = None) -> bytes:
    ledger: Ledger = api.app.state.ledger
    standing = fold_standing(ledger, staff_id, day or api.app.state.read_side.read_model.today())
    fields = {f.name: getattr(standing, f.name) for f in dataclasses.fields(Standing)}
    return ANSWER_JSON.dump_json(StandingAnswer(**fields, commitments=()))
