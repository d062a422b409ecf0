"""Fixtures of the integrity and transfer tests (load with ``pytest_plugins``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from integrity_helpers import Forger
from psycopg import sql

from ledger.application import Ledger
from ledger.config import StoreConfig


@pytest.fixture
def forger(ledger: Ledger) -> Iterator[Forger]:
    raw = Forger(ledger)
    try:
        yield raw
    finally:
        raw.close()


@pytest.fixture
def make_store(store: StoreConfig, tmp_path: Path) -> Iterator[Callable[[], StoreConfig]]:
    """Makes further empty stores of the same kind as ``store`` (files or schemas)."""
    schemas: list[str] = []
    base = store.url.partition("?")[0]

    def make() -> StoreConfig:
        if store.kind == "sqlite":
            return StoreConfig(f"sqlite:///{tmp_path / f'other-{uuid.uuid4().hex[:8]}.db'}")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {0}").format(sql.Identifier(schema)))
        schemas.append(schema)
        return StoreConfig(f"{base}?schema={schema}")

    yield make
    if schemas:
        with psycopg.connect(base, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {0} CASCADE").format(sql.Identifier(schema))
                )
