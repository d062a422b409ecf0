"""Fixtures of the integrity and transfer tests (load with ``pytest_plugins``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import postgres_schemas
from integrity_helpers import Forger

from ledger.application import Ledger
from ledger.store.config import StoreConfig


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
    if store.kind == "sqlite":
        yield lambda: StoreConfig(f"sqlite:///{tmp_path / f'other-{uuid.uuid4().hex[:8]}.db'}")
        return
    with postgres_schemas() as make:
        yield make
