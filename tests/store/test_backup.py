"""``ledger backup FILE`` (SQLite's online backup API) and the PostgreSQL equivalent (pg_dump and
pg_restore, then ``ledger verify``), run for real: a backup taken while threads keep writing holds
every write acknowledged before it began and verifies; copying the ``.db`` alone does not."""

from __future__ import annotations

import glob
import shutil
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from integrity_helpers import open_ledger, populate
from psycopg import sql
from typer.testing import CliRunner

from api.cli import build_cli
from ledger.application import Ledger
from ledger.domain.catalog import Gender
from ledger.store.config import StoreConfig
from ledger.store.integrity import verify_log
from ledger.store.persistence import iter_notifications
from ledger.store.signing import create_key_file
from projections.engine import Engine


@pytest.fixture(autouse=True)
def _one_agency_key(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The agency's key file, named by LEDGER_SIGNING_KEY as in production: a copy of the store
    (backup, copied file, pg_dump) is checked with the key of the store it came from."""
    path = tmp_path_factory.mktemp("keys") / "agency-key.pem"
    create_key_file(path)
    monkeypatch.setenv("LEDGER_SIGNING_KEY", str(path))


def invoke(monkeypatch: pytest.MonkeyPatch, store: StoreConfig, *args: str) -> Any:
    monkeypatch.setenv("LEDGER_DATABASE_URL", store.url)
    return CliRunner().invoke(build_cli(), list(args))


def register(ledger: Ledger, n: int) -> int:
    return ledger.register(
        staff_id=f"NV-{n:05d}", full_name=f"Nguyễn Thị Ánh Tuyết {n}", gender=Gender.FEMALE,
        birth_date=date(1990, 5, 17), unit="Phòng Tổ chức – Cán bộ", joined_on=date(2015, 8, 3),
        recorded_by="phong-to-chuc",
    ).position


def events_of(store: StoreConfig) -> dict[int, tuple[Any, ...]]:
    with open_ledger(store) as app:
        return {
            n.id: (str(n.originator_id), n.originator_version, n.topic, bytes(n.state))
            for n in iter_notifications(app.chained_recorder)
        }


class Writers:
    """Threads registering staff through one shared Ledger; ``acknowledged`` holds the position
    of every write whose call returned."""

    def __init__(self, ledger: Ledger, threads: int = 4) -> None:
        self.ledger = ledger
        self.acknowledged: set[int] = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self.run, args=(t,)) for t in range(threads)]

    def run(self, t: int) -> None:
        n = t * 100_000
        while not self.stop.is_set():
            n += 1
            try:
                position = register(self.ledger, n)
            except BaseException as error:  # surfaced by the test, never swallowed
                self.errors.append(error)
                return
            with self.lock:
                self.acknowledged.add(position)

    def snapshot(self) -> set[int]:
        with self.lock:
            return set(self.acknowledged)

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


# ----------------------------------------------------------------------------- SQLite


def test_a_backup_taken_under_concurrent_writes_verifies_and_holds_every_acknowledged_write(
    monkeypatch: pytest.MonkeyPatch, sqlite_store: StoreConfig, tmp_path: Path
) -> None:
    ledger = Ledger(sqlite_store)
    try:
        populate(ledger)
        taken: list[tuple[set[int], Path]] = []
        with Writers(ledger) as writers:
            deadline = time.monotonic() + 60
            while len(writers.snapshot()) < 50 and not writers.errors and time.monotonic() < deadline:
                time.sleep(0.01)
            for k in range(4):
                before = writers.snapshot()
                target = tmp_path / f"backup-{k}.db"
                result = invoke(monkeypatch, sqlite_store, "backup", str(target))
                assert result.exit_code == 0, result.output
                taken.append((before, target))
            during = writers.snapshot()
        assert not writers.errors
        assert len(during) > len(taken[0][0])  # the writers really wrote while backups ran
        original = events_of(sqlite_store)
    finally:
        ledger.close()
    for before, target in taken:
        copy = StoreConfig(f"sqlite:///{target}")
        assert invoke(monkeypatch, copy, "verify").exit_code == 0
        held = events_of(copy)
        assert before <= held.keys()
        # A snapshot at one instant: exactly the original's first events, nothing half-written.
        assert held == {p: original[p] for p in sorted(original)[: len(held)]}


def test_copying_the_db_file_alone_loses_acknowledged_writes_that_the_backup_keeps(
    monkeypatch: pytest.MonkeyPatch, sqlite_store: StoreConfig, tmp_path: Path
) -> None:
    ledger = Ledger(sqlite_store)
    try:
        populate(ledger)
        path = Path(sqlite_store.sqlite_path)
        with sqlite3.connect(path) as conn:  # what SQLite does now and then by itself
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        latest = [register(ledger, n) for n in range(3)]  # acknowledged, still in the -wal file
        shutil.copy(path, tmp_path / "copied.db")
        result = invoke(monkeypatch, sqlite_store, "backup", str(tmp_path / "backup.db"))
        assert result.exit_code == 0, result.output
    finally:
        ledger.close()
    copied = StoreConfig(f"sqlite:///{tmp_path / 'copied.db'}")
    backed_up = StoreConfig(f"sqlite:///{tmp_path / 'backup.db'}")
    assert not set(latest) & events_of(copied).keys()
    with open_ledger(copied) as app:
        assert verify_log(app.chained_recorder).ok  # and a plain verify does not notice
    assert set(latest) <= events_of(backed_up).keys()


def test_the_backup_is_one_self_contained_file_that_opens_as_a_ledger(
    monkeypatch: pytest.MonkeyPatch, sqlite_store: StoreConfig, tmp_path: Path
) -> None:
    with open_ledger(sqlite_store) as ledger:
        populate(ledger)
        result = invoke(monkeypatch, sqlite_store, "backup", str(tmp_path / "backup.db"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("backup")) == ["backup.db"]
    with sqlite3.connect(tmp_path / "backup.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert result.stdout.splitlines()[-1].startswith("ledger-checkpoint-v1:10:")


def test_a_backup_keeps_the_views_and_the_api_keys(
    monkeypatch: pytest.MonkeyPatch, sqlite_store: StoreConfig, tmp_path: Path
) -> None:
    with open_ledger(sqlite_store) as ledger:
        populate(ledger)
        Engine(ledger).run_until_idle()
    added = invoke(monkeypatch, sqlite_store, "keys", "add", "phong-tccb", "--role", "registrar")
    assert added.exit_code == 0
    assert invoke(monkeypatch, sqlite_store, "backup", str(tmp_path / "backup.db")).exit_code == 0
    copy = StoreConfig(f"sqlite:///{tmp_path / 'backup.db'}")
    verified = invoke(monkeypatch, copy, "verify")
    assert "Views verified" in verified.stdout
    assert "phong-tccb" in invoke(monkeypatch, copy, "keys", "list").stdout


def test_a_backup_never_overwrites_an_existing_file(
    monkeypatch: pytest.MonkeyPatch, sqlite_store: StoreConfig, tmp_path: Path
) -> None:
    with open_ledger(sqlite_store) as ledger:
        populate(ledger)
    existing = tmp_path / "precious.db"
    existing.write_bytes(b"not to be lost")
    result = invoke(monkeypatch, sqlite_store, "backup", str(existing))
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert existing.read_bytes() == b"not to be lost"


def test_a_backup_of_a_store_that_does_not_exist_creates_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = StoreConfig(f"sqlite:///{tmp_path / 'missing.db'}")
    result = invoke(monkeypatch, missing, "backup", str(tmp_path / "backup.db"))
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- PostgreSQL


def test_a_backup_of_a_postgresql_store_is_refused_with_the_pg_dump_command(
    monkeypatch: pytest.MonkeyPatch, postgres_store: StoreConfig, tmp_path: Path
) -> None:
    result = invoke(monkeypatch, postgres_store, "backup", str(tmp_path / "backup.db"))
    schema = postgres_store.application_env()["POSTGRES_SCHEMA"]
    assert result.exit_code == 2
    assert f"pg_dump -h 127.0.0.1 -p 5432 -U postgres --schema={schema} --format=custom" in result.stderr
    assert not (tmp_path / "backup.db").exists()


def postgres_tool(name: str, server_major: int) -> str:
    """pg_dump or pg_restore of the installed client at least as new as the server."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4])
    )
    usable = [p for p in found if int(Path(p).parts[4]) >= server_major]
    if not usable:
        pytest.fail(f"no {name} of version ≥ {server_major} under /usr/lib/postgresql")
    return usable[-1]


@pytest.fixture
def restore_database(postgres_store: StoreConfig) -> Iterator[str]:
    base = postgres_store.url.partition("?")[0]
    name = f"restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {0}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {0} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_pg_dump_of_the_schema_restored_into_another_schema_verifies(
    monkeypatch: pytest.MonkeyPatch, postgres_store: StoreConfig, restore_database: str, tmp_path: Path
) -> None:
    with open_ledger(postgres_store) as ledger:
        populate(ledger)
        Engine(ledger).run_until_idle()
    assert invoke(monkeypatch, postgres_store, "keys", "add", "kiem-toan", "--role", "auditor").exit_code == 0
    env = postgres_store.application_env()
    schema = env["POSTGRES_SCHEMA"]
    connection = ["-h", env["POSTGRES_HOST"], "-p", env["POSTGRES_PORT"], "-U", env["POSTGRES_USER"]]
    with psycopg.connect(postgres_store.url.partition("?")[0]) as conn:
        major = conn.info.server_version // 10000
    dump = tmp_path / "ledger.dump"
    # The commands of docs/integrity.md, as an operator would run them.
    subprocess.run(
        [postgres_tool("pg_dump", major), *connection, f"--schema={schema}", "--format=custom",
         f"--file={dump}", env["POSTGRES_DBNAME"]],
        check=True, capture_output=True,
    )
    subprocess.run(
        [postgres_tool("pg_restore", major), *connection, "--no-owner", f"--dbname={restore_database}",
         str(dump)],
        check=True, capture_output=True,
    )
    restored_schema = f"{schema}_restored"
    base = postgres_store.url.partition("?")[0].rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/{restore_database}", autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER SCHEMA {0} RENAME TO {1}").format(
                sql.Identifier(schema), sql.Identifier(restored_schema)
            )
        )
    restored = StoreConfig(f"{base}/{restore_database}?schema={restored_schema}")
    result = invoke(monkeypatch, restored, "verify")
    assert result.exit_code == 0, result.output
    assert "Log verified: 10 events" in result.stdout
    assert "Views verified" in result.stdout
    assert "kiem-toan" in invoke(monkeypatch, restored, "keys", "list").stdout
    assert events_of(restored) == events_of(postgres_store)
