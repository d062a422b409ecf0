"""Arbitrary Unicode through every write path, on both stores (the text policy's property).

Every input is either refused with a named error, naming the field, and nothing is recorded (the
event and chain tables are unchanged), or recorded (in NFC, except an export's text, imported as
it was) and then applied by every view. The examples mix ``st.text()`` with the characters the
policy is about (controls, separators, bidi, zero-width), decomposed Vietnamese and long strings.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_fixtures import Api, running_api
from conftest import postgres_schemas
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from text_paths import PATHS, dump_log, event_count, opened, views_hold, write_person

from ledger.store.config import StoreConfig

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same examples on every run and store, so both outcomes are always seen
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

POLICY_CHARACTERS = st.sampled_from(
    ["\x00", "\x1b", "\x7f", "\x85", "\x9b", "\n", "\t", "\r", "\u2028", "\u2029", "\u202a",
     "\u202e", "\u2066", "\u2069", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",
     " ", ".", ","]
)
VIETNAMESE = st.tuples(
    st.sampled_from(["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Phòng Kế hoạch - Tài chính", "Đặng"]),
    st.sampled_from(["NFC", "NFD"]),
).map(lambda pair: unicodedata.normalize(pair[1], pair[0]))
TEXT = st.one_of(
    VIETNAMESE,
    st.text(max_size=40),
    st.lists(st.one_of(st.text(max_size=4), POLICY_CHARACTERS, VIETNAMESE), max_size=6).map("".join),
    st.integers(min_value=195, max_value=40_000).map(lambda n: "ễ" * n),
)
FIELDS = {"full_name", "unit"}


@pytest.fixture
def fresh_store(store: StoreConfig, tmp_path: Path) -> Iterator[Callable[[], StoreConfig]]:
    """Empty stores of the kind under test, for ``ledger import`` (which needs an empty store)."""
    if store.kind == "sqlite":
        yield lambda: StoreConfig(f"sqlite:///{tmp_path / f'import-{uuid.uuid4().hex[:8]}.db'}")
        return
    with postgres_schemas() as make:
        yield make


def _expected(path: str, written: str) -> str:
    if path == "import":
        return written  # an export's text is imported byte for byte (the hash chain covers it)
    normal = unicodedata.normalize("NFC", written)
    # import-records trims the spaces around a cell, as spreadsheets are typed.
    return normal.strip() if path == "import-records" else normal


@pytest.mark.parametrize("path", PATHS)
def test_any_text_on_any_path_is_refused_naming_its_field_or_recorded_and_projected(
    path: str, store: StoreConfig, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    api: Api | None = None
    context = running_api(store) if path == "http" else None
    if context is not None:
        api = context.__enter__()
        request.addfinalizer(lambda: context.__exit__(None, None, None))
    fresh = request.getfixturevalue("fresh_store") if path == "import" else None
    with opened(store):
        pass  # the tables exist before the first dump

    @SETTINGS
    @given(full_name=TEXT, unit=st.one_of(VIETNAMESE, TEXT))
    def attempt(full_name: str, unit: str) -> None:
        staff_id = f"P{uuid.uuid4().hex[:10]}"
        before = dump_log(store)
        outcome, written = write_person(
            path, store, tmp_path, staff_id, api=api, fresh_store=fresh, full_name=full_name, unit=unit
        )
        event("refused" if not outcome.recorded else "recorded")
        seen.add(outcome.recorded)
        if not outcome.recorded:
            assert outcome.field is not None
            assert set(outcome.field.split(",")) <= FIELDS, outcome
            if written == store:
                assert dump_log(store) == before
            else:
                with opened(written) as ledger:
                    assert event_count(ledger) == 0
            return
        expected = {"full_name": _expected(path, full_name), "unit": _expected(path, unit)}
        with opened(written) as ledger:
            record = ledger.record(staff_id)
            assert {"full_name": record.full_name, "unit": record.home_unit} == expected
        if api is not None:
            read_model = api.app.state.read_side.read_model
            assert read_model.wait_for(api.log_head(), 10.0)
            assert api.get(f"/staff/{staff_id}").json()["full_name"] == expected["full_name"]
        else:
            assert views_hold(written, staff_id) == expected

    seen: set[bool] = set()
    attempt()
    assert seen == {True, False}, f"{seen}: the examples must include both refused and recorded text"
