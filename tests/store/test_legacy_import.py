"""Bulk import of legacy records (``ledger import-records``): reading, validation, idempotency.

Parsing tests need no store; everything that records runs on SQLite and PostgreSQL (``store``).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
import typer
from typer.testing import CliRunner

from api.cli.app import make_app
from api.cli.legacy import register
from ledger.application import Ledger
from ledger.domain.catalog import Gender, Mode, Track
from ledger.domain.record import EnrollmentStatus
from ledger.importing import (
    CellError,
    ImportReport,
    LegacyFileError,
    Planner,
    RowIssue,
    TableKind,
    group_rows,
    header_key,
    import_records,
    parse_date,
    parse_level,
    read_tables,
    save_plans,
)
from ledger.store.config import StoreConfig
from ledger.store.persistence import iter_notifications

STAFF_EN = ["staff_id", "full_name", "gender", "birth_date", "unit", "joined_on", "position",
            "rank", "employment"]
STAFF_VI = ["Mã cán bộ", "Họ và tên", "Giới tính", "Ngày sinh", "Đơn vị", "Ngày vào cơ quan",
            "Chức vụ", "Ngạch", "Loại hình"]
TRAINING_EN = ["staff_id", "kind", "track", "level", "title", "provider", "mode", "starts_on",
               "ends_on", "completed_on", "outcome", "issued_on", "number", "document_ref"]
TRAINING_VI = ["Mã cán bộ", "Loại bản ghi", "Lĩnh vực", "Trình độ", "Tên khóa học, văn bằng",
               "Cơ sở đào tạo", "Hình thức", "Từ ngày", "Đến ngày", "Ngày hoàn thành", "Kết quả",
               "Ngày cấp", "Số hiệu văn bằng", "Tài liệu chứng minh"]

Row = Sequence[Any]


def write_csv(path: Path, header: Row, rows: Sequence[Row], *, bom: bool = False,
              delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def staff_row(n: int, **changes: Any) -> list[Any]:
    row = {
        "staff_id": f"CB{n:03d}", "full_name": f"Nguyễn Văn Số {n}", "gender": "Nam",
        "birth_date": "15/03/1980", "unit": "Phòng Tổ chức", "joined_on": "01/09/2005",
        "position": "Chuyên viên", "rank": "01.003", "employment": "Công chức",
    }
    row.update(changes)
    return [row[name] for name in STAFF_EN]


def training_row(n: int, **changes: Any) -> list[Any]:
    """A passed political-theory course by default."""
    row = {
        "staff_id": f"CB{n:03d}", "kind": "enrollment", "track": "political_theory",
        "level": "intermediate", "title": "Trung cấp lý luận chính trị - hành chính",
        "provider": "Trường Chính trị tỉnh", "mode": "part_time", "starts_on": "01/03/2018",
        "ends_on": "30/11/2018", "completed_on": "", "outcome": "passed", "issued_on": "",
        "number": "", "document_ref": "",
    }
    row.update(changes)
    return [row[name] for name in TRAINING_EN]


def credential_row(n: int, **changes: Any) -> list[Any]:
    """A master's degree earned before joining, recognized from the dossier."""
    defaults = {
        "kind": "credential", "track": "professional", "level": "master",
        "title": "Thạc sĩ Quản lý công", "provider": "Học viện Hành chính Quốc gia", "mode": "",
        "starts_on": "", "ends_on": "", "outcome": "", "issued_on": "20/06/2004",
        "number": f"ThS-{n}", "document_ref": "Bản sao lưu hồ sơ",
    }
    return training_row(n, **{**defaults, **changes})


def clean_pair(tmp_path: Path, staff: int = 3) -> tuple[Path, Path]:
    """A staff file and a training file: each person a recognized master's and a passed course."""
    staff_csv = write_csv(tmp_path / "staff.csv", STAFF_EN, [staff_row(n) for n in range(1, staff + 1)])
    rows = [r for n in range(1, staff + 1) for r in (credential_row(n), training_row(n))]
    return staff_csv, write_csv(tmp_path / "training.csv", TRAINING_EN, rows)


def windows_1258(text: str) -> bytes:
    """Text as an old Vietnamese Windows machine saves it (tone marks as combining bytes)."""
    return unicodedata.normalize("NFD", text).encode("cp1258", errors="replace")


def event_count(ledger: Ledger) -> int:
    """Events in the log (counted: PostgreSQL positions have gaps after a rolled-back insert)."""
    return sum(1 for _ in iter_notifications(ledger.chained_recorder))


def issue_at(report: ImportReport, row: int, source: str | None = None) -> RowIssue:
    found = [i for i in report.issues if i.row == row and (source is None or i.source == source)]
    assert found, f"no issue reported on row {row}: {[str(i) for i in report.issues]}"
    return found[0]


# ------------------------------------------------------------------------- parsing (no store)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("15/03/1980", date(1980, 3, 15)),
        ("5/3/1980", date(1980, 3, 5)),
        ("05-03-1980", date(1980, 3, 5)),
        ("05.03.1980", date(1980, 3, 5)),
        ("1980-03-05", date(1980, 3, 5)),
        ("03/1980", date(1980, 3, 1)),
        (datetime(1980, 3, 5), date(1980, 3, 5)),
        (date(1980, 3, 5), date(1980, 3, 5)),
    ],
)
def test_dates_are_read_as_agencies_write_them(written: Any, expected: date) -> None:
    assert parse_date(written) == expected


@pytest.mark.parametrize("written", ["31/02/2020", "13/13/2020", "2020", "next week", "44000"])
def test_a_date_that_cannot_be_read_is_refused_with_the_reason(written: str) -> None:
    with pytest.raises(CellError):
        parse_date(written)


def test_dates_are_read_day_first() -> None:
    with pytest.raises(CellError, match="day first"):
        parse_date("12/31/2020")


def test_headers_match_ignoring_case_diacritics_and_spacing() -> None:
    assert header_key("MÃ  CÁN BỘ") == header_key("ma can bo") == header_key("Mã cán bộ")
    assert header_key("Staff_ID") == header_key("staff id")


def test_levels_are_accepted_as_codes_or_vietnamese_labels() -> None:
    assert parse_level(Track.PROFESSIONAL, "Thạc sỹ") == "master"
    assert parse_level(Track.PROFESSIONAL, "thac si") == "master"
    assert parse_level(Track.POLITICAL_THEORY, "Cao cấp") == "advanced"
    assert parse_level(Track.POLITICAL_THEORY, "bachelor") == "bachelor"
    assert parse_level(Track.STATE_MANAGEMENT, "Chuyên viên chính") == "principal"
    assert parse_level(Track.OTHER, "") is None


def test_a_level_of_another_track_is_refused_naming_the_accepted_ones() -> None:
    with pytest.raises(CellError, match="Cao cấp / advanced"):
        parse_level(Track.POLITICAL_THEORY, "Thạc sĩ")


def test_csv_files_are_recognised_by_their_headers(tmp_path: Path) -> None:
    staff_csv, training_csv = clean_pair(tmp_path)
    kinds = [t.kind for t in read_tables([training_csv, staff_csv])]
    assert kinds == [TableKind.TRAINING, TableKind.STAFF]


def test_a_csv_with_a_bom_and_semicolons_is_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cb.csv", STAFF_VI, [staff_row(1)], bom=True, delimiter=";")
    (table,) = read_tables([path])
    assert table.columns["staff_id"][1] == "Mã cán bộ"
    assert table.rows[0][1][0] == "CB001"


def test_a_csv_not_in_utf8_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes(windows_1258(",".join(STAFF_VI) + "\r\nCB001,Trần Thị Bích"))
    with pytest.raises(LegacyFileError, match=r"not UTF-8.*CSV UTF-8"):
        read_tables([path])


def test_a_training_file_that_repeats_the_name_is_still_a_training_file(tmp_path: Path) -> None:
    header = ["STT", "Mã cán bộ", "Họ và tên", *TRAINING_VI[1:]]
    path = write_csv(tmp_path / "dao-tao.csv", header, [[1, "CB001", "Nguyễn Văn An", *training_row(1)[1:]]])
    (table,) = read_tables([path])
    assert table.kind == TableKind.TRAINING
    assert table.unknown_headers == []


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_text("Mã cán bộ,Họ và tên\n", encoding="utf-8")
    with pytest.raises(LegacyFileError, match="cannot be opened as an Excel workbook"):
        read_tables([path])


def test_a_file_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff.csv", ["Mã cán bộ", "Họ và tên", "Giới tính"], [["CB1", "A", "Nam"]])
    with pytest.raises(LegacyFileError, match="Ngày sinh"):
        read_tables([path])


# -------------------------------------------------------------------------------- importing


def test_a_clean_csv_pair_is_imported(ledger: Ledger, tmp_path: Path) -> None:
    report = import_records(ledger, list(clean_pair(tmp_path)))
    assert report.ok, [str(i) for i in report.issues]
    assert report.recorded
    record = ledger.record("CB002")
    assert record.full_name == "Nguyễn Văn Số 2"
    assert record.joined_on == date(2005, 9, 1)
    qualifications = record.qualifications()
    assert qualifications[Track.PROFESSIONAL].level == "master"
    assert qualifications[Track.POLITICAL_THEORY].level == "intermediate"
    (enrollment,) = record.enrollments.values()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.closed_on == date(2018, 11, 30)  # no completion date: the course's end
    # 3 × (registered, recognized, enrolled, completed)
    assert report.counts.events == event_count(ledger) == 12


def test_an_xlsx_with_vietnamese_sheets_and_headers_keeps_diacritics_exactly(
    ledger: Ledger, tmp_path: Path
) -> None:
    names = ["Nguyễn Thị Hằng", "Đặng Quốc Việt", "Lê Thị Ngọc Ánh"]
    book = openpyxl.Workbook()
    staff = book.active
    staff.title = "Cán bộ"
    staff.append(STAFF_VI)
    for n, name in enumerate(names, start=1):
        gender = "Nữ" if "Thị" in name else "Nam"
        staff.append([f"CB{n:03d}", name, gender, datetime(1985, n, 10), "Phòng Kế hoạch",
                      "02/01/2010", "", "", "Công chức"])
    training = book.create_sheet("Đào tạo")
    training.append(["DANH SÁCH ĐÀO TẠO, BỒI DƯỠNG"])  # a title above the header, as agencies do
    training.append(TRAINING_VI)
    training.append(["CB001", "Khóa học", "Lý luận chính trị", "Trung cấp", "Trung cấp LLCT",
                     "Trường Chính trị tỉnh", "Vừa làm vừa học", datetime(2015, 3, 2),
                     datetime(2015, 12, 20), None, "Đạt", None, None, None])
    training.append(["CB002", "Văn bằng", "Chuyên môn", "Đại học", "Cử nhân Luật",
                     "Đại học Luật Hà Nội", None, None, None, None, None, "15/06/2008", "B-77", None])
    path = tmp_path / "hồ sơ cán bộ.xlsx"
    book.save(path)

    report = import_records(ledger, [path])

    assert report.ok, [str(i) for i in report.issues]
    for n, name in enumerate(names, start=1):
        record = ledger.record(f"CB{n:03d}")
        assert record.full_name == name
        assert record.birth_date == date(1985, n, 10)
    assert ledger.record("CB001").gender == Gender.FEMALE
    assert ledger.record("CB001").qualifications()[Track.POLITICAL_THEORY].issued_on == date(2015, 12, 20)
    (credential,) = ledger.record("CB002").credentials.values()
    assert credential.evidence is not None
    assert credential.evidence.document_ref == "hồ sơ cán bộ.xlsx#Đào tạo!4"


def many_rows_with_three_bad(tmp_path: Path) -> tuple[Path, Path]:
    staff = [staff_row(n) for n in range(1, 31)]
    staff[9] = staff_row(10, birth_date="31/02/1980")  # row 11: no such date
    training = [r for n in range(1, 31) for r in (credential_row(n), training_row(n))]
    training[20] = training_row(11, level="Tiến sĩ")  # row 22: not a political-theory level
    # row 41: completed before it started (a rule of the record, found by the aggregate)
    training[39] = training_row(20, completed_on="01/02/2018")
    return (write_csv(tmp_path / "staff.csv", STAFF_EN, staff),
            write_csv(tmp_path / "training.csv", TRAINING_EN, training))


def test_three_bad_rows_among_many_import_nothing_and_each_is_named(
    ledger: Ledger, tmp_path: Path
) -> None:
    report = import_records(ledger, list(many_rows_with_three_bad(tmp_path)))

    assert not report.recorded
    assert event_count(ledger) == 0
    assert len(report.issues) == 3
    bad_date = issue_at(report, 11, "staff.csv")
    assert bad_date.column == "birth_date"
    assert "'31/02/1980' is not a valid date" in bad_date.message
    bad_level = issue_at(report, 22, "training.csv")
    assert bad_level.column == "level"
    assert "'Tiến sĩ' is not a known level" in bad_level.message
    rule = issue_at(report, 41, "training.csv")
    assert rule.column == "completed_on"
    assert "before the course started" in rule.message
    assert str(rule).startswith('training.csv, row 41, column "completed_on": ')


def test_importing_the_same_file_twice_records_nothing_twice(ledger: Ledger, tmp_path: Path) -> None:
    files = list(clean_pair(tmp_path))
    import_records(ledger, files)
    before = event_count(ledger)

    again = import_records(ledger, files)

    assert again.ok
    assert event_count(ledger) == before
    assert again.counts.events == 0
    assert again.counts.staff_unchanged == 3
    assert again.counts.facts_skipped == 9  # 3 credentials, 3 enrollments, 3 completions


def test_a_later_file_closing_an_open_enrollment_adds_only_the_completion(
    ledger: Ledger, tmp_path: Path
) -> None:
    staff = write_csv(tmp_path / "staff.csv", STAFF_EN, [staff_row(1)])
    open_course = write_csv(tmp_path / "t1.csv", TRAINING_EN, [training_row(1, outcome="")])
    import_records(ledger, [staff, open_course])
    done = write_csv(tmp_path / "t2.csv", TRAINING_EN, [training_row(1, completed_on="05/12/2018")])

    report = import_records(ledger, [staff, done])

    assert report.ok, [str(i) for i in report.issues]
    assert (report.counts.enrollments, report.counts.completions) == (0, 1)
    (enrollment,) = ledger.record("CB001").enrollments.values()
    assert enrollment.closed_on == date(2018, 12, 5)


def test_staff_already_registered_with_other_details_is_a_bad_row(
    ledger: Ledger, tmp_path: Path
) -> None:
    ledger.register(staff_id="CB001", full_name="Nguyễn Văn Số 1", gender=Gender.MALE,
                    birth_date=date(1980, 3, 16), unit="Phòng Tổ chức", joined_on=date(2005, 9, 1),
                    position="Chuyên viên", rank="01.003", recorded_by="registrar")
    staff = write_csv(tmp_path / "staff.csv", STAFF_EN, [staff_row(1)])

    report = import_records(ledger, [staff])

    issue = issue_at(report, 2)
    assert issue.column == "birth_date"
    assert "16/03/1980" in issue.message
    assert event_count(ledger) == 1


def test_training_rows_are_added_to_staff_already_registered(ledger: Ledger, tmp_path: Path) -> None:
    ledger.register(staff_id="CB007", full_name="Phạm Thu Trang", gender=Gender.FEMALE,
                    birth_date=date(1990, 1, 1), unit="Văn phòng", joined_on=date(2015, 1, 1),
                    recorded_by="registrar")
    training = write_csv(tmp_path / "training.csv", TRAINING_EN, [training_row(7), training_row(8)])

    report = import_records(ledger, [training], partial=True)

    assert issue_at(report, 3).message.startswith("No staff member 'CB008'")
    assert ledger.record("CB007").qualifications()[Track.POLITICAL_THEORY].level == "intermediate"


def test_a_refresher_course_with_no_level_is_recorded_and_awards_nothing(
    ledger: Ledger, tmp_path: Path
) -> None:
    staff = write_csv(tmp_path / "staff.csv", STAFF_EN, [staff_row(1)])
    refresher = training_row(1, level="Không", title="Bồi dưỡng cập nhật kiến thức LLCT")
    training = write_csv(tmp_path / "training.csv", TRAINING_EN, [refresher])

    report = import_records(ledger, [staff, training])

    assert report.ok, [str(i) for i in report.issues]
    record = ledger.record("CB001")
    (enrollment,) = record.enrollments.values()
    assert (enrollment.track, enrollment.level, enrollment.status) == (
        Track.POLITICAL_THEORY, None, EnrollmentStatus.COMPLETED
    )
    assert record.credentials == {}


def test_an_empty_level_on_a_levelled_course_is_refused_with_a_hint(
    ledger: Ledger, tmp_path: Path
) -> None:
    staff = write_csv(tmp_path / "staff.csv", STAFF_EN, [staff_row(1)])
    training = write_csv(tmp_path / "training.csv", TRAINING_EN, [training_row(1, level="")])

    report = import_records(ledger, [staff, training])

    issue = issue_at(report, 2, "training.csv")
    assert issue.column == "level"
    assert "write 'Không'" in issue.message


DEPARTURE_EN = [*STAFF_EN, "departed_on", "departure_reason", "departure_category"]


def test_staff_who_left_are_recorded_as_departed_once(ledger: Ledger, tmp_path: Path) -> None:
    staff = write_csv(tmp_path / "staff.csv", DEPARTURE_EN,
                      [[*staff_row(1), "01/07/2020", "Chuyển công tác", "Chuyển công tác"]])
    training = write_csv(tmp_path / "training.csv", TRAINING_EN, [training_row(1)])
    import_records(ledger, [staff, training])
    before = event_count(ledger)

    again = import_records(ledger, [staff, training])

    record = ledger.record("CB001")
    assert record.departed_on == date(2020, 7, 1)
    assert record.departure_reason == "Chuyển công tác"
    assert again.ok
    assert event_count(ledger) == before


def test_a_departure_before_a_course_in_the_file_is_a_bad_row(ledger: Ledger, tmp_path: Path) -> None:
    staff = write_csv(tmp_path / "staff.csv", DEPARTURE_EN, [[*staff_row(1), "01/07/2017", "", ""]])
    training = write_csv(tmp_path / "training.csv", TRAINING_EN, [training_row(1)])

    report = import_records(ledger, [staff, training])

    issue = issue_at(report, 2, "staff.csv")
    assert issue.column == "departed_on"
    assert event_count(ledger) == 0


def test_a_batch_that_lost_a_race_is_redone_one_staff_member_at_a_time(
    ledger: Ledger, tmp_path: Path
) -> None:
    ledger.register(staff_id="CB001", full_name="Nguyễn Văn Số 1", gender=Gender.MALE,
                    birth_date=date(1980, 3, 15), unit="Phòng Tổ chức", joined_on=date(2005, 9, 1),
                    position="Chuyên viên", rank="01.003", recorded_by="registrar")
    files = list(clean_pair(tmp_path, staff=2))
    planner = Planner(ledger, recorded_by="import", recorded_at=ledger.clock())
    plans = [planner.plan(group) for group in group_rows(read_tables(files)).groups.values()]
    # Another registrar writes to CB001 after the import loaded it and before it saves.
    ledger.enroll("CB001", course_code="IT-1", course_title="Tin học cơ bản", track=Track.IT,
                  level="basic", provider="Trung tâm Tin học", mode=Mode.ONLINE,
                  starts_on=date(2020, 1, 6), recorded_by="registrar")
    report = ImportReport(files=[f.name for f in files], dry_run=False, partial=False)
    for plan in plans:
        report.counts.add(plan.counts)

    save_plans(ledger, planner, plans, report, batch_events=1000)

    assert report.ok, [str(i) for i in report.issues]
    assert len(ledger.record("CB001").enrollments) == 2  # theirs and the imported one
    assert len(ledger.record("CB002").credentials) == 2
    assert report.counts.events == event_count(ledger) - 2  # all but the two registrar writes


def test_partial_records_only_staff_members_whose_rows_are_all_good(
    ledger: Ledger, tmp_path: Path
) -> None:
    report = import_records(ledger, list(many_rows_with_three_bad(tmp_path)), partial=True)

    assert report.recorded
    assert len(report.issues) == 3
    assert report.staff_left_out == 3
    assert ledger.staff_exists("CB001")
    for left_out in ("CB010", "CB011", "CB020"):  # all of a person's rows or none
        assert not ledger.staff_exists(left_out)
    assert event_count(ledger) == 27 * 4


def test_dry_run_validates_and_records_nothing(ledger: Ledger, tmp_path: Path) -> None:
    report = import_records(ledger, list(clean_pair(tmp_path)), dry_run=True)

    assert report.ok
    assert not report.recorded
    assert report.counts.events == 12  # what it would record
    assert event_count(ledger) == 0


def test_an_imported_credential_carries_its_file_and_row_as_evidence(
    ledger: Ledger, tmp_path: Path
) -> None:
    import_records(ledger, list(clean_pair(tmp_path)), recorded_by="hr-import")

    (recognized,) = [c for c in ledger.record("CB002").credentials.values() if c.source == "recognition"]
    assert recognized.evidence is not None
    # CB002's credential is the 3rd data row: row 4 as Excel shows it.
    assert recognized.evidence.document_ref == "training.csv!4; Bản sao lưu hồ sơ"
    assert recognized.evidence.verified_by is None  # the file names no verifier
    history = ledger.history("CB002")
    recognized_step = next(h for h in history if h.type == "CredentialRecognized")
    assert recognized_step.recorded_by == "hr-import"
    assert recognized_step.data["evidence"].document_ref.startswith("training.csv!4")


def test_the_sample_templates_in_the_docs_import_cleanly(ledger: Ledger) -> None:
    templates = Path(__file__).parents[2] / "docs" / "templates"

    report = import_records(ledger, [templates / "can-bo.csv", templates / "dao-tao.csv"])

    assert report.ok, [str(i) for i in report.issues]
    assert not report.warnings
    assert ledger.record("CB002").full_name == "Trần Thị Bích Hằng"


# ------------------------------------------------------------------------------------ the CLI


@pytest.fixture
def cli(store: StoreConfig) -> tuple[typer.Typer, dict[str, str]]:
    app = make_app()
    register(app)

    @app.command("version")
    def version() -> None:  # a second command, so Typer keeps subcommand names
        """Unused."""

    return app, {"LEDGER_DATABASE_URL": store.url}


def test_the_cli_imports_a_clean_pair(
    cli: tuple[typer.Typer, dict[str, str]], store: StoreConfig, tmp_path: Path
) -> None:
    app, env = cli
    files = [str(p) for p in clean_pair(tmp_path)]

    result = CliRunner().invoke(app, ["import-records", *files], env=env)

    assert result.exit_code == 0, result.output
    assert "Recorded: 3 staff registered" in result.output
    with Ledger(store) as ledger:
        assert event_count(ledger) == 12


def test_the_cli_lists_every_bad_row_and_exits_1(
    cli: tuple[typer.Typer, dict[str, str]], store: StoreConfig, tmp_path: Path
) -> None:
    app, env = cli
    files = [str(p) for p in many_rows_with_three_bad(tmp_path)]
    report = tmp_path / "problems.csv"

    result = CliRunner().invoke(app, ["import-records", *files, "--report", str(report)], env=env)

    assert result.exit_code == 1
    assert 'staff.csv, row 11, column "birth_date"' in result.output
    assert 'training.csv, row 22, column "level"' in result.output
    assert 'training.csv, row 41, column "completed_on"' in result.output
    assert "Nothing recorded" in result.output
    assert len(report.read_text(encoding="utf-8-sig").splitlines()) == 4
    with Ledger(store) as ledger:
        assert event_count(ledger) == 0


def test_the_cli_dry_run_records_nothing(
    cli: tuple[typer.Typer, dict[str, str]], store: StoreConfig, tmp_path: Path
) -> None:
    app, env = cli
    files = [str(p) for p in clean_pair(tmp_path)]

    result = CliRunner().invoke(app, ["import-records", *files, "--dry-run"], env=env)

    assert result.exit_code == 0, result.output
    assert "Dry run, nothing recorded" in result.output
    with Ledger(store) as ledger:
        assert event_count(ledger) == 0


def test_the_cli_refuses_a_file_in_another_encoding_with_exit_2(
    cli: tuple[typer.Typer, dict[str, str]], tmp_path: Path
) -> None:
    app, env = cli
    path = tmp_path / "cp1258.csv"
    path.write_bytes(windows_1258(",".join(STAFF_VI)))

    result = CliRunner().invoke(app, ["import-records", str(path)], env=env)

    assert result.exit_code == 2
    assert "not UTF-8" in result.output
