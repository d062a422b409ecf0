"""One text policy, in the domain, for every way in (``ledger.text``).

The rules themselves are tested without a store; then each hostile text is tried on every write
path (HTTP, ``import-records``, ``import`` of an export, the Python ``Ledger``) on both stores.
"""

from __future__ import annotations

import dataclasses
import typing
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Api, running_api
from conftest import postgres_schemas
from text_paths import (
    PATHS,
    dump_log,
    import_records_cli,
    opened,
    rewrite_export,
    staff_csv,
    views_hold,
    write_person,
)
from typer.testing import CliRunner
from write_fixtures import register

from ledger import text
from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.record import CredentialAward, Evidence, UnmetRequirement, Waiver
from ledger.staff import EVENT_TYPES, StaffEvent
from ledger.store.config import StoreConfig
from ledger.text import TextKind, clean

NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Ngọc Ánh")
NFC_NAME = unicodedata.normalize("NFC", NFD_NAME)

# ----------------------------------------------------------------------- the rules (no store)

REFUSED: list[tuple[str, TextKind]] = [
    ("Nguyễn\x00An", TextKind.NAME),
    ("Nguyễn\x1bVăn", TextKind.NAME),
    ("Nguyễn\x7fAn", TextKind.NAME),
    ("Nguyễn\x85An", TextKind.NAME),
    ("Nguyễn\x9bAn", TextKind.NAME),
    ("lý do\x00", TextKind.MULTILINE),
    ("lý do\x9b31m", TextKind.MULTILINE),
    ("Nguyễn\nAn", TextKind.NAME),
    ("Nguyễn\u2028An", TextKind.NAME),
    ("Điều 5\u2029Khoản 2", TextKind.REFERENCE),
    ("Điều 5\u200bKhoản 2", TextKind.REFERENCE),
    ("x" * (text.REFERENCE_MAX + 1), TextKind.REFERENCE),
    ("QĐ\u2028123", TextKind.CODE),
    ("Nguyễn\u202eAn", TextKind.NAME),
    ("lý do \u202egnol", TextKind.MULTILINE),
    ("Nguyễn\u2066An\u2069", TextKind.NAME),
    ("Nguyễn\u200bAn", TextKind.NAME),
    ("Nguyễn\u200dAn", TextKind.NAME),
    ("Nguyễn\u2060An", TextKind.NAME),
    ("\ufeffCB001", TextKind.CODE),
    ("01.003\u00ad", TextKind.CODE),
    ("   ", TextKind.NAME),
    ("x" * (text.NAME_MAX + 1), TextKind.NAME),
    ("x" * (text.CODE_MAX + 1), TextKind.CODE),
    ("x" * (text.MULTILINE_MAX + 1), TextKind.MULTILINE),
    (".", TextKind.IDENTIFIER),
    ("..", TextKind.IDENTIFIER),
    ("CB 001", TextKind.IDENTIFIER),
    ("\ud800", TextKind.NAME),
]


@pytest.mark.parametrize(("value", "kind"), REFUSED, ids=[f"{k}-{v[:12]!r}" for v, k in REFUSED])
def test_text_the_policy_refuses_is_refused_with_an_error_naming_the_field(
    value: str, kind: TextKind
) -> None:
    with pytest.raises(errors.InvalidText) as raised:
        clean(value, kind, "the_field")
    assert raised.value.field == "the_field"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("Nguyễn Văn An", TextKind.NAME),
        ("x" * text.NAME_MAX, TextKind.NAME),
        ("QĐ 125/QĐ-CT", TextKind.CODE),
        ("Điều 5 Nghị định 101/2017/NĐ-CP", TextKind.REFERENCE),
        ("Khoản 2 Điều 5 Nghị định 101/2017/NĐ-CP " * 3, TextKind.REFERENCE),
        ("Chuyển công tác.\nTheo đơn\tđề nghị.\r\n", TextKind.MULTILINE),
        ("👩\u200d💻 chuyển sang nhóm CNTT", TextKind.MULTILINE),
        ("...", TextKind.IDENTIFIER),
        (".a", TextKind.IDENTIFIER),
    ],
)
def test_text_the_policy_accepts_is_kept(value: str, kind: TextKind) -> None:
    assert clean(value, kind, "field") == value


def test_text_is_stored_in_nfc() -> None:
    assert clean(NFD_NAME, TextKind.NAME, "full_name") == NFC_NAME


def test_a_length_is_counted_in_nfc_so_a_decomposed_name_at_the_limit_is_accepted() -> None:
    name = "ễ" * text.NAME_MAX
    assert clean(unicodedata.normalize("NFD", name), TextKind.NAME, "full_name") == name


LIBRARY_FIELDS = {"originator_id", "originator_version", "originator_topic", "timestamp"}


def _text_fields(cls: type, prefix: str = "") -> Iterator[str]:
    hints = typing.get_type_hints(cls)
    nested = (CredentialAward, Evidence, Waiver, UnmetRequirement)
    for name, hint in hints.items():
        if name.startswith("_") or name in LIBRARY_FIELDS:
            continue
        args = set(typing.get_args(hint)) | {hint}
        for arg in list(args):
            args |= set(typing.get_args(arg))
        if str in args:
            yield f"{prefix}{name}"
        for inner in nested:
            if inner in args:
                yield from _text_fields(inner, f"{prefix}{name}.")


def test_every_text_field_of_every_event_has_a_kind() -> None:
    fields = {f for cls in EVENT_TYPES.values() for f in _text_fields(cls)}
    assert {"full_name", "credential.title", "unmet.rule_id"} <= fields
    unlisted = sorted(f for f in fields if f.rsplit(".", 1)[-1] not in text.FIELD_KINDS)
    assert unlisted == []


def test_the_policy_walks_every_text_inside_an_event_s_nested_values() -> None:
    waiver = Waiver(legal_basis="Điều 5", deadline=__import__("datetime").date(2030, 1, 1), reason="x\x1b")
    with pytest.raises(errors.InvalidText) as raised:
        text.clean_fields({"waiver": waiver})
    assert raised.value.field == "waiver.reason"


def test_an_event_class_is_checked_whatever_its_fields() -> None:
    # The check runs on the keyword arguments of every event the aggregate triggers, so an event
    # class added later (with fields unknown today) is covered: unknown fields are one-line text.
    assert text.kind_of("a_field_added_next_year") is TextKind.LINE
    assert issubclass(EVENT_TYPES["Registered"], StaffEvent)
    assert dataclasses.is_dataclass(Evidence)


# --------------------------------------------------------------------- every path, both stores


@pytest.fixture
def api(store: StoreConfig) -> Iterator[Api]:
    with running_api(store) as running:
        yield running


@pytest.fixture
def fresh_stores(store: StoreConfig, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """Empty stores of the same kind, for ``ledger import`` (which needs an empty store)."""
    made: list[Any] = []

    def make() -> StoreConfig:
        if store.kind == "sqlite":
            return StoreConfig(f"sqlite:///{tmp_path / f'import-{uuid.uuid4().hex[:8]}.db'}")
        fixture = request.getfixturevalue("postgres_schema_factory")
        made.append(fixture)
        return fixture()  # type: ignore[no-any-return]

    return make


@pytest.fixture
def postgres_schema_factory() -> Iterator[Callable[[], StoreConfig]]:
    with postgres_schemas() as make:
        yield make


def _attempt(
    path: str, store: StoreConfig, tmp_path: Path, request: pytest.FixtureRequest, staff_id: str,
    **fields: str,
) -> tuple[Any, StoreConfig]:
    api = request.getfixturevalue("api") if path == "http" else None
    fresh = request.getfixturevalue("fresh_stores") if path == "import" else None
    return write_person(path, store, tmp_path, staff_id, api=api, fresh_store=fresh, **fields)


@pytest.mark.parametrize("path", PATHS)
def test_a_32767_character_name_is_refused_on_every_path(
    path: str, store: StoreConfig, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    outcome, written = _attempt(path, store, tmp_path, request, "CB001", full_name="A" * 32_767)
    assert not outcome.recorded
    assert outcome.field in {"full_name", "Họ và tên"}
    with opened(written) as ledger:
        assert not ledger.staff_exists("CB001")


@pytest.mark.parametrize("path", PATHS)
def test_a_name_with_esc_and_nul_is_refused_on_every_path(
    path: str, store: StoreConfig, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    outcome, written = _attempt(path, store, tmp_path, request, "CB001", full_name="Nguyễn\x1bVăn\x00An")
    assert not outcome.recorded
    assert outcome.field == "full_name"
    with opened(written) as ledger:
        assert not ledger.staff_exists("CB001")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("staff_id", [".", ".."])
def test_dot_ids_are_refused_on_every_path(
    path: str, staff_id: str, store: StoreConfig, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with opened(store):
        before = dump_log(store)
    outcome, written = _attempt(path, store, tmp_path, request, staff_id)
    assert not outcome.recorded
    assert outcome.field in {"staff_id", "Mã cán bộ"}
    if written == store:
        assert dump_log(store) == before


def test_nguyen_esc_van_nul_an_is_refused_by_import_records_naming_the_column(
    store: StoreConfig, tmp_path: Path
) -> None:
    path = staff_csv(tmp_path / "can-bo.csv", "CB001", full_name="Nguyễn\x1bVăn\x00An")

    result = CliRunner().invoke(
        import_records_cli(), ["import-records", str(path)], env={"LEDGER_DATABASE_URL": store.url}
    )

    assert result.exit_code == 1
    assert 'can-bo.csv, row 2, column "full_name": control character U+001B' in result.output
    assert dump_log(store) == ([], [])


@pytest.mark.parametrize("path", ["http", "ledger", "import-records"])
def test_a_decomposed_name_is_stored_composed_on_every_recording_path(
    path: str, store: StoreConfig, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    outcome, written = _attempt(path, store, tmp_path, request, "CB001", full_name=NFD_NAME)
    assert outcome.recorded
    with opened(written) as ledger:
        assert ledger.record("CB001").full_name == NFC_NAME


def test_an_export_with_decomposed_text_from_an_older_ledger_imports_byte_for_byte(
    store: StoreConfig, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    outcome, written = _attempt("import", store, tmp_path, request, "CB001", full_name=NFD_NAME)
    assert outcome.recorded
    with opened(written) as ledger:
        assert ledger.record("CB001").full_name == NFD_NAME


def test_an_import_refusal_names_the_line_and_the_field(
    store: StoreConfig, tmp_path: Path, fresh_stores: Any
) -> None:
    from ledger.exports.transfer import ImportRefused, export_log, import_log

    export = tmp_path / "log.jsonl"
    with opened(store) as source:
        register(source, "CB001")
        register(source, "CB002")
        export_log(source, export)

    def change(state: dict[str, Any]) -> None:
        if state["staff_id"] == "CB002":
            state["unit"] = "Phòng\u202eA"

    rewrite_export(export, change)
    target = fresh_stores()
    with opened(target) as ledger, pytest.raises(ImportRefused) as raised:
        import_log(ledger, export)
    assert raised.value.line == 3
    assert "field unit" in raised.value.message
    with opened(target) as ledger:
        assert not ledger.staff_exists("CB001")


def test_a_unit_registered_in_nfd_is_counted_under_unit_spelled_in_nfc(
    store: StoreConfig, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    unit = "Phòng Kế hoạch - Tài chính"
    decomposed = unicodedata.normalize("NFD", unit)
    # Recorded before the text policy: the only way NFD text gets in now is an old export.
    outcome, written = _attempt("import", store, tmp_path, request, "CB001", unit=decomposed)
    assert outcome.recorded
    # The view shows the unit as it was recorded, and compares it in NFC.
    assert unicodedata.normalize("NFC", views_hold(written, "CB001")["unit"]) == unit
    with running_api(written) as api:
        directory = api.get("/staff", unit=unit).json()
        report = api.get("/reports/qualifications", unit=unit).json()
    assert [p["staff_id"] for p in directory["items"]] == ["CB001"]
    assert report["headcount"] == 1


def test_the_http_api_refuses_a_bidi_override_in_a_name_with_a_problem_naming_the_field(
    api: Api,
) -> None:
    head = api.log_head()
    response = api.post("/staff", {
        "staff_id": "CB009", "full_name": "Nguyễn\u202eAn", "gender": "male",
        "birth_date": "1985-04-12", "unit": "Phòng A", "joined_on": "2010-09-01",
    })
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["full_name"]
    assert api.log_head() == head


def test_the_ledger_refuses_a_zero_width_space_in_a_nested_credential_title(ledger: Ledger) -> None:
    from datetime import date

    from ledger.domain.catalog import Mode, Outcome, Track

    register(ledger, "CB001")
    enrolled = ledger.enroll(
        "CB001", enrollment_id="E1", course_code="TC", course_title="Trung cấp LLCT",
        track=Track.POLITICAL_THEORY, level="intermediate", provider="Trường Chính trị",
        mode=Mode.PART_TIME, starts_on=date(2020, 3, 1), recorded_by="r",
    )
    from ledger.service import CredentialDetails

    with pytest.raises(errors.InvalidText) as raised:
        ledger.complete(
            "CB001", "E1", completed_on=date(2020, 9, 1), outcome=Outcome.PASSED,
            credential=CredentialDetails(title="Trung\u200bcấp"), recorded_by="r",
        )
    assert raised.value.field == "credential.title"
    assert ledger.get_member("CB001").version == enrolled.version


def test_a_rotation_copies_the_unit_on_record_as_it_was_recorded(
    store: StoreConfig, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from datetime import date

    from ledger.domain.catalog import RotationKind

    decomposed = unicodedata.normalize("NFD", "Phòng Kế hoạch - Tài chính")
    outcome, written = _attempt("import", store, tmp_path, request, "CB001", unit=decomposed)
    assert outcome.recorded
    with opened(written) as ledger:
        ledger.rotate(
            "CB001", to_unit=unicodedata.normalize("NFD", "Phòng Tổ chức"), kind=RotationKind.SECONDMENT,
            starts_on=date(2024, 1, 1), decision_ref="QĐ 1", recorded_by="r",
        )
        (rotation,) = ledger.record("CB001").rotations
    assert rotation.from_unit == decomposed
    assert rotation.to_unit == unicodedata.normalize("NFC", "Phòng Tổ chức")
