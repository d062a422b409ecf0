"""Shared fixtures: every store test runs on a real SQLite file and a real PostgreSQL server.

PostgreSQL tests use a fresh schema each, dropped afterwards. When the server cannot be reached
they skip on a developer's machine and fail under ``CI=true``, so CI never passes by skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from browser_fixtures import chromium

from ledger.application import Ledger
from ledger.store.config import StoreConfig

POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_or_skip() -> None:
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")


@pytest.fixture(autouse=True, scope="session")
def _signing_keys_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A PostgreSQL ledger without LEDGER_SIGNING_KEY makes its key under $XDG_STATE_HOME: keep
    the tests' keys in a temporary folder, not the user's home (session-wide, so module-scoped
    stores are covered too)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    yield
    patch.undo()


@contextmanager
def postgres_schema() -> Iterator[StoreConfig]:
    """A PostgreSQL store in a new schema of its own, dropped afterwards: the one place the
    tests make and drop schemas."""
    _postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield StoreConfig(f"{POSTGRES_URL}?schema={schema}")
    finally:
        _drop_schema(schema)


@contextmanager
def postgres_schemas() -> Iterator[Callable[[], StoreConfig]]:
    """Makes any number of PostgreSQL stores of their own, all dropped on leaving."""
    with ExitStack() as made:
        yield lambda: made.enter_context(postgres_schema())


@contextmanager
def store_of_kind(kind: str, folder: Path) -> Iterator[StoreConfig]:
    """Like the ``store`` fixture, for any scope: an SQLite file in ``folder``, or a PostgreSQL
    schema of its own."""
    if kind == "sqlite":
        yield StoreConfig(f"sqlite:///{folder / 'ledger.db'}")
        return
    with postgres_schema() as store:
        yield store


@pytest.fixture
def postgres_store() -> Iterator[StoreConfig]:
    """A PostgreSQL store in a schema of its own."""
    with postgres_schema() as store:
        yield store


def _drop_schema(schema: str) -> None:
    """Drop a test schema even if a failed test left a connection holding locks in it: wait a
    little, then end the backends that hold them, so teardown can never hang the suite."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '5s'")
        for _ in range(3):
            try:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                return
            except psycopg.errors.LockNotAvailable:
                conn.execute(
                    "SELECT pg_terminate_backend(l.pid) FROM pg_locks l "
                    "JOIN pg_class c ON c.oid = l.relation "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND l.pid <> pg_backend_pid()",
                    (schema,),
                )
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def sqlite_store(tmp_path: Path) -> StoreConfig:
    """An SQLite file in a temporary folder (never :memory:, which breaks under threads)."""
    return StoreConfig(f"sqlite:///{tmp_path / 'ledger.db'}")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> StoreConfig:
    """Each test using this runs once per store."""
    name = "sqlite_store" if request.param == "sqlite" else "postgres_store"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def ledger(store: StoreConfig) -> Iterator[Ledger]:
    app = Ledger(store)
    try:
        yield app
    finally:
        app.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, once per module of browser tests."""
    with chromium() as launched:
        yield launched


OncePerSession = Callable[[str, Callable[[], AbstractContextManager[Any]]], Any]


@pytest.fixture(scope="session")
def once_per_session() -> Iterator[OncePerSession]:
    """Enters a costly context (a loaded demo: seconds per store) the first time a test module asks
    for it by ``key``, hands every later module the same value, and leaves them all at the end of
    the session: the demo's tests are split across modules by concern, and a module-scoped load
    would load the demo once per module."""
    entered: dict[str, Any] = {}
    with ExitStack() as stack:

        def once(key: str, enter: Callable[[], AbstractContextManager[Any]]) -> Any:
            if key not in entered:
                entered[key] = stack.enter_context(enter())
            return entered[key]

        yield once
