"""``ledger export`` / ``ledger import``: exact round trips, refusals that name the line, on both stores."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from integrity_helpers import STAFF, Forger, open_ledger, populate
from typer.testing import CliRunner

from api.cli import store as commands
from api.cli.app import make_app
from ledger.application import Ledger
from ledger.domain.catalog import Gender
from ledger.exports.transfer import (
    ExportRefused,
    ImportRefused,
    StoreNotEmpty,
    encode_state,
    export_log,
    import_log,
)
from ledger.store.config import StoreConfig
from ledger.store.integrity import checkpoint, verify_log
from ledger.store.log_report import Anchor
from ledger.store.persistence import iter_notifications

pytest_plugins = ("integrity_fixtures",)  # the forger and make_store fixtures

MakeStore = Callable[[], StoreConfig]


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(lines))
    return path


def edit_line(path: Path, number: int, change: Callable[[dict[str, Any]], None]) -> Path:
    """Change the JSON of one line (1-based) and write the file back, compactly as exported."""
    lines = lines_of(path)
    obj = json.loads(lines[number - 1])
    change(obj)
    lines[number - 1] = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    return write_lines(path, lines)


def stored_rows(ledger: Ledger) -> list[tuple[Any, ...]]:
    return [
        (n.id, n.originator_id, n.originator_version, n.topic, n.state)
        for n in iter_notifications(ledger.chained_recorder)
    ]


def is_empty(store: StoreConfig) -> bool:
    with open_ledger(store) as app:
        return app.chained_recorder.is_empty() and not app.chained_recorder.select_chain(0, 1)


# ------------------------------------------------------------------------ round trips


def test_an_imported_log_exports_byte_for_byte_as_the_original(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    original = export_log(ledger, tmp_path / "original.jsonl")
    with open_ledger(make_store()) as copy:
        imported = import_log(copy, original.path)
        again = export_log(copy, tmp_path / "again.jsonl")
    assert imported.events == original.events == 10
    assert again.path.read_bytes() == original.path.read_bytes()


def test_an_imported_log_keeps_ids_versions_positions_dates_and_authors(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    exported = export_log(ledger, tmp_path / "log.jsonl")
    with open_ledger(make_store()) as copy:
        import_log(copy, exported.path)
        assert stored_rows(copy) == stored_rows(ledger)
        for staff_id in STAFF:
            assert copy.history(staff_id) == ledger.history(staff_id)
            assert copy.record(staff_id) == ledger.record(staff_id)


def test_an_imported_log_verifies_at_the_exported_checkpoint(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    exported = export_log(ledger, tmp_path / "log.jsonl")
    with open_ledger(make_store()) as copy:
        import_log(copy, exported.path)
        report = verify_log(copy.chained_recorder, mapper=copy.mapper)
    assert report.ok, report.summary()
    assert report.checkpoint == exported.checkpoint == checkpoint(ledger.chained_recorder)


def test_writes_after_an_import_continue_after_the_imported_positions(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    exported = export_log(ledger, tmp_path / "log.jsonl")
    with open_ledger(make_store()) as copy:
        import_log(copy, exported.path)
        result = copy.register(
            staff_id="NV-009",
            full_name="Đặng Minh Châu",
            gender=Gender.FEMALE,
            birth_date=date(1991, 2, 3),
            unit="Văn phòng",
            joined_on=date(2016, 5, 4),
            recorded_by="hr",
        )
        assert result.position == 11
        assert verify_log(copy.chained_recorder).ok


def test_positions_with_gaps_are_kept(ledger: Ledger, make_store: MakeStore, tmp_path: Path) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    for number in range(2, 12):  # positions 1..10 become 10, 20, … 100 (positions are not hashed)
        edit_line(path, number, lambda obj: obj.update(position=obj["position"] * 10))
    with open_ledger(make_store()) as copy:
        import_log(copy, path)
        assert [row[0] for row in stored_rows(copy)] == list(range(10, 101, 10))
        assert export_log(copy, tmp_path / "again.jsonl").path.read_bytes() == path.read_bytes()


def test_sqlite_to_postgresql_to_sqlite_is_exact(
    sqlite_store: StoreConfig, postgres_store: StoreConfig, tmp_path: Path
) -> None:
    with open_ledger(sqlite_store) as source:
        populate(source)
        first = export_log(source, tmp_path / "from-sqlite.jsonl")
        rows = stored_rows(source)
    with open_ledger(postgres_store) as middle:
        import_log(middle, first.path)
        assert stored_rows(middle) == rows
        second = export_log(middle, tmp_path / "from-postgresql.jsonl")
    back = StoreConfig(f"sqlite:///{tmp_path / 'back.db'}")
    with open_ledger(back) as last:
        import_log(last, second.path)
        assert verify_log(last.chained_recorder, mapper=last.mapper).ok
        third = export_log(last, tmp_path / "back.jsonl")
    assert third.path.read_bytes() == first.path.read_bytes()
    # Only the header's store kind tells the PostgreSQL export apart.
    assert lines_of(second.path)[1:] == lines_of(first.path)[1:]
    assert json.loads(lines_of(second.path)[0])["store"] == "postgresql"


def test_vietnamese_text_is_exported_readable_and_round_trips_byte_exact(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    registration = json.loads(lines_of(path)[2])
    assert registration["state"]["full_name"] == "Trần Thị Bích Ngọc"
    assert "Trần Thị Bích Ngọc".encode() in path.read_bytes()  # UTF-8, not \\u escapes
    with open_ledger(make_store()) as copy:
        import_log(copy, path)
        assert copy.record("NV-002").full_name == "Trần Thị Bích Ngọc"
        assert stored_rows(copy) == stored_rows(ledger)


def test_the_header_names_the_format_the_store_the_count_and_the_checkpoint(
    ledger: Ledger, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    header = json.loads(lines_of(path)[0])
    assert header == {
        "format": "ledger-log",
        "format_version": 1,
        "store": ledger.store.kind,
        "events": 10,
        "checkpoint": str(checkpoint(ledger.chained_recorder)),
    }
    assert len(lines_of(path)) == 11


def test_an_empty_log_round_trips(ledger: Ledger, make_store: MakeStore, tmp_path: Path) -> None:
    exported = export_log(ledger, tmp_path / "empty.jsonl")
    with open_ledger(make_store()) as copy:
        assert import_log(copy, exported.path).events == 0
        assert export_log(copy, tmp_path / "again.jsonl").path.read_bytes() == exported.path.read_bytes()


def test_state_that_would_not_re_encode_exactly_travels_as_base64() -> None:
    assert encode_state(b'{"a":1,"b":"\xc3\xa2"}') == ("state", {"a": 1, "b": "â"})
    assert encode_state(b'{"a": 1}') == ("state_base64", base64.b64encode(b'{"a": 1}').decode())
    assert encode_state(b"\x78\x9c compressed")[0] == "state_base64"


def test_a_base64_state_imports_like_the_object_it_encodes(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    original = path.read_bytes()

    def to_base64(obj: dict[str, Any]) -> None:
        state = json.dumps(obj.pop("state"), ensure_ascii=False, separators=(",", ":")).encode()
        obj["state_base64"] = base64.b64encode(state).decode()

    edit_line(path, 4, to_base64)
    with open_ledger(make_store()) as copy:
        import_log(copy, path)
        assert export_log(copy, tmp_path / "again.jsonl").path.read_bytes() == original


# ------------------------------------------------------------------------ refusals


def refused(
    store: StoreConfig, path: Path, line: int | None, reason: str
) -> ImportRefused:
    with open_ledger(store) as copy, pytest.raises(ImportRefused) as caught:
        import_log(copy, path)
    assert caught.value.line == line, caught.value
    assert reason in str(caught.value)
    assert f"line {line}:" in str(caught.value)
    assert "nothing was imported" in str(caught.value)
    assert is_empty(store)
    return caught.value


def test_a_line_of_bad_json_is_refused_with_its_number_and_nothing_is_imported(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    lines = lines_of(path)
    lines[6] = lines[6][:40] + b"\n"
    refused(make_store(), write_lines(path, lines), 7, "not valid JSON")


def test_a_changed_value_is_refused_with_its_line_number_and_nothing_is_imported(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    edit_line(path, 9, lambda obj: obj["state"].update(recorded_by="ke-gia-mao"))
    refused(make_store(), path, 9, "does not match its event_hash")


def test_a_changed_diacritic_is_refused(ledger: Ledger, make_store: MakeStore, tmp_path: Path) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    edit_line(path, 3, lambda obj: obj["state"].update(full_name="Trần Thị Bích Ngọc".replace("ọ", "o")))
    refused(make_store(), path, 3, "event_hash")


def test_a_removed_line_is_refused(ledger: Ledger, make_store: MakeStore, tmp_path: Path) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    lines = lines_of(path)
    del lines[4]  # NV-001's enrollment: the running digest breaks on the next line
    refused(make_store(), write_lines(path, lines), 5, "chain_digest does not follow")


def test_two_swapped_lines_are_refused(ledger: Ledger, make_store: MakeStore, tmp_path: Path) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    lines = lines_of(path)
    lines[1], lines[2] = lines[2], lines[1]
    refused(make_store(), write_lines(path, lines), 2, "chain_digest does not follow")


def test_positions_out_of_order_are_refused(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    edit_line(path, 4, lambda obj: obj.update(position=2))
    refused(make_store(), path, 4, "position 2 does not come after the previous line's 2")


def test_a_file_cut_short_is_refused(ledger: Ledger, make_store: MakeStore, tmp_path: Path) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    refused(make_store(), write_lines(path, lines_of(path)[:-2]), 10, "announces 10 events")


def test_a_missing_field_is_refused(ledger: Ledger, make_store: MakeStore, tmp_path: Path) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    edit_line(path, 5, lambda obj: obj.pop("version"))
    refused(make_store(), path, 5, "missing field(s): version")


def test_a_mistyped_field_is_refused(ledger: Ledger, make_store: MakeStore, tmp_path: Path) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    edit_line(path, 5, lambda obj: obj.update(version="2"))
    refused(make_store(), path, 5, "version must be an integer")


def test_a_rewritten_file_is_refused_against_its_header_checkpoint(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    header = json.loads(lines_of(path)[0])
    # Forge a consistent file from a forged store, then put back the honest header.
    raw = Forger(ledger)
    try:
        raw.edit_state(2, lambda s: s.replace("Bích".encode(), "Bạch".encode()))
        raw.rewrite_chain()
    finally:
        raw.close()
    forged = export_log(ledger, tmp_path / "forged.jsonl").path
    edit_line(forged, 1, lambda obj: obj.update(checkpoint=header["checkpoint"]))
    refused(make_store(), forged, 1, "does not end at the header's checkpoint")


def test_a_file_that_is_not_an_export_is_refused(make_store: MakeStore, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("staff_id,full_name\nNV-001,Nguyễn Văn An\n", encoding="utf-8")
    refused(make_store(), path, 1, "not valid JSON")


def test_import_into_a_store_that_holds_events_is_refused(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    before = stored_rows(ledger)
    with pytest.raises(StoreNotEmpty, match="only be imported into an empty store"):
        import_log(ledger, path)
    assert stored_rows(ledger) == before


def test_the_export_of_a_broken_log_is_refused_and_writes_no_file(
    ledger: Ledger, forger: Forger, tmp_path: Path
) -> None:
    populate(ledger)
    forger.delete_event(3)
    with pytest.raises(ExportRefused, match="missing event"):
        export_log(ledger, tmp_path / "log.jsonl")
    assert not [p for p in tmp_path.iterdir() if p.suffix in {".jsonl", ".partial"}]


# ------------------------------------------------------------------------ command line


def invoke(monkeypatch: pytest.MonkeyPatch, store: StoreConfig, *args: str) -> Any:
    monkeypatch.setenv("LEDGER_DATABASE_URL", store.url)
    app = make_app()
    commands.register(app)
    return CliRunner().invoke(app, list(args))


def test_ledger_export_and_import_round_trip(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    exported = invoke(monkeypatch, ledger.store, "export", str(tmp_path / "log.jsonl"))
    assert exported.exit_code == 0, exported.output
    assert "Exported 10 events" in exported.stdout
    copy = make_store()
    imported = invoke(monkeypatch, copy, "import", str(tmp_path / "log.jsonl"))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.splitlines()[-1] == exported.stdout.splitlines()[-1]
    assert invoke(monkeypatch, copy, "verify").exit_code == 0


def test_ledger_import_names_the_bad_line_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    edit_line(path, 6, lambda obj: obj.update(topic="staff.enrolled.v2"))
    copy = make_store()
    result = invoke(monkeypatch, copy, "import", str(path))
    assert result.exit_code == 1
    assert "line 6:" in result.stderr
    assert is_empty(copy)


def test_ledger_import_into_a_non_empty_store_exits_1(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    result = invoke(monkeypatch, ledger.store, "import", str(path))
    assert result.exit_code == 1
    assert "empty store" in result.stderr


def test_ledger_import_of_a_missing_file_exits_1(
    monkeypatch: pytest.MonkeyPatch, make_store: MakeStore, tmp_path: Path
) -> None:
    result = invoke(monkeypatch, make_store(), "import", str(tmp_path / "nowhere.jsonl"))
    assert result.exit_code == 1
    assert "cannot read" in result.stderr



# ------------------------------------------------------------------------ import --against


def rehashed_export(ledger: Ledger, tmp_path: Path) -> tuple[str, Path]:
    """The honest checkpoint, and an export of the log after a forger changed an early event and
    recomputed every later hash and digest (a file consistent with its own header)."""
    honest = str(checkpoint(ledger.chained_recorder))
    raw = Forger(ledger)
    try:
        raw.edit_state(2, lambda s: s.replace("Bích".encode(), "Bạch".encode()))
        raw.rewrite_chain()
    finally:
        raw.close()
    return honest, export_log(ledger, tmp_path / "rehashed.jsonl").path


def test_plain_import_accepts_a_rehashed_export_as_its_help_text_now_says(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    _, path = rehashed_export(ledger, tmp_path)
    result = invoke(monkeypatch, make_store(), "import", str(path))
    assert result.exit_code == 0, result.output
    help_text = invoke(monkeypatch, make_store(), "import", "--help").stdout
    assert "--against" in help_text
    assert "recomputed" in " ".join(help_text.split())


def test_import_against_refuses_a_rehashed_export_and_imports_nothing(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    honest, path = rehashed_export(ledger, tmp_path)
    copy = make_store()
    result = invoke(monkeypatch, copy, "import", str(path), "--against", honest)
    assert result.exit_code == 1
    assert "does not extend the checkpoint" in result.stderr
    assert "nothing was imported" in result.stderr
    assert is_empty(copy)


def test_import_against_accepts_an_export_that_extends_the_checkpoint(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    kept = str(checkpoint(ledger.chained_recorder))
    ledger.register(
        staff_id="NV-004", full_name="Phạm Thị Thu Hà", gender=Gender.FEMALE,
        birth_date=date(1990, 1, 2), unit="Văn phòng", joined_on=date(2015, 3, 1),
        recorded_by="phong-to-chuc",
    )
    path = export_log(ledger, tmp_path / "log.jsonl").path
    copy = make_store()
    result = invoke(monkeypatch, copy, "import", str(path), "--against", kept)
    assert result.exit_code == 0, result.output
    assert f"extends the checkpoint {kept}" in result.stdout
    with open_ledger(copy) as app:
        assert verify_log(app.chained_recorder).events == 11


def test_import_against_reads_the_checkpoint_from_the_saved_output_of_verify(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    saved = tmp_path / "checkpoint.txt"
    saved.write_text(invoke(monkeypatch, ledger.store, "verify", "--checkpoint").stdout, encoding="utf-8")
    honest, path = rehashed_export(ledger, tmp_path)
    copy = make_store()
    result = invoke(monkeypatch, copy, "import", str(path), "--against", str(saved))
    assert result.exit_code == 1
    assert honest in result.stderr
    assert is_empty(copy)


def test_import_against_a_checkpoint_longer_than_the_file_is_refused(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    kept = checkpoint(ledger.chained_recorder)
    longer = f"ledger-checkpoint-v1:{kept.seq + 5}:{kept.digest}"
    copy = make_store()
    result = invoke(monkeypatch, copy, "import", str(path), "--against", longer)
    assert result.exit_code == 1
    assert "covers 15 events but the file holds only 10" in result.stderr
    assert is_empty(copy)


def test_import_against_a_bare_digest_finds_it_among_the_files_prefixes(
    ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    middle = json.loads(lines_of(path)[5])["chain_digest"]
    with open_ledger(make_store()) as copy:
        report = import_log(copy, path, against=Anchor.parse(middle))
    assert report.events == 10


def test_import_against_something_that_is_not_a_checkpoint_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, make_store: MakeStore, tmp_path: Path
) -> None:
    populate(ledger)
    path = export_log(ledger, tmp_path / "log.jsonl").path
    copy = make_store()
    result = invoke(monkeypatch, copy, "import", str(path), "--against", "ledger-checkpoint-v1:x")
    assert result.exit_code == 2
    assert "--against" in result.stderr
    assert is_empty(copy)
