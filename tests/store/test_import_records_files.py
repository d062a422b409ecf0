"""``ledger import-records`` never shows a traceback, and imported credentials name their real
verifier (or none): the files a registrar may hand it, good and bad."""

from __future__ import annotations

import csv
import uuid
import zipfile
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from conftest import POSTGRES_URL
from text_paths import import_records_cli, staff_csv
from typer.testing import CliRunner, Result

from ledger.application import Ledger
from ledger.store.config import StoreConfig

HEADER = "Mã cán bộ,Họ và tên,Giới tính,Ngày sinh,Đơn vị,Ngày vào cơ quan\n"
ROW = "CB001,Nguyễn Văn An,Nam,15/03/1980,Phòng Tổ chức,01/09/2005\n"
TEMPLATES = Path(__file__).resolve().parents[2] / "docs" / "templates"


def run(store: StoreConfig, *files: Path) -> Result:
    return CliRunner().invoke(
        import_records_cli(), ["import-records", *map(str, files)],
        env={"LEDGER_DATABASE_URL": store.url},
    )


def assert_one_clear_line(result: Result, exit_code: int, starts: str = "Cannot import: ") -> str:
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(starts)
    return lines[0]


def _broken_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")  # XML cut short


ODD_FILES = [
    ("big.csv", lambda p: p.write_text(HEADER + "CB001," + "A" * 1_000_000 + ",Nam,,,\n", encoding="utf-8"),
     "more than 131,072 characters"),
    ("utf16.csv", lambda p: p.write_text(HEADER + ROW, encoding="utf-16"), "UTF-16"),
    ("utf16-no-bom.csv", lambda p: p.write_text(HEADER + ROW, encoding="utf-16-le"), "UTF-16"),
    ("cp1258.csv", lambda p: p.write_bytes((HEADER + ROW).encode("cp1258", errors="replace")),
     "not UTF-8"),
    ("photo.csv", lambda p: p.write_bytes(bytes(range(256)) * 64), "not a text file"),
    ("broken.xlsx", _broken_workbook, "damaged Excel workbook"),
    ("cut.xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 64), "cannot be opened as an Excel"),
    ("old.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 64), "Excel 97-2003"),
]


@pytest.mark.parametrize(("name", "write", "says"), ODD_FILES, ids=[f[0] for f in ODD_FILES])
def test_a_file_that_cannot_be_read_gets_one_message_and_exit_2_and_records_nothing(
    name: str, write: object, says: str, sqlite_store: StoreConfig, tmp_path: Path
) -> None:
    path = tmp_path / name
    write(path)  # type: ignore[operator]

    line = assert_one_clear_line(run(sqlite_store, path), 2)

    assert says in line
    with Ledger(sqlite_store) as ledger:
        assert not ledger.staff_exists("CB001")


def test_a_postgresql_schema_that_does_not_exist_gets_one_message_and_exit_2(
    postgres_store: StoreConfig, tmp_path: Path
) -> None:
    missing = StoreConfig(f"{POSTGRES_URL}?schema=nope_{uuid.uuid4().hex[:8]}")

    line = assert_one_clear_line(
        run(missing, staff_csv(tmp_path / "can-bo.csv", "CB001")), 2, starts="Error: LEDGER_DATABASE_URL="
    )

    assert "does not exist" in line


def test_a_sqlite_file_in_a_missing_folder_gets_one_message_and_exit_2(tmp_path: Path) -> None:
    store = StoreConfig(f"sqlite:///{tmp_path / 'no-such-folder' / 'ledger.db'}")

    line = assert_one_clear_line(
        run(store, staff_csv(tmp_path / "can-bo.csv", "CB001")), 2, starts="Error: LEDGER_DATABASE_URL="
    )

    assert "does not exist" in line


def test_a_32767_character_cell_of_a_workbook_is_a_bad_row_naming_its_column(
    store: StoreConfig, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cán bộ"
    sheet.append(HEADER.strip().split(","))
    sheet.append(["CB001", "A" * 32_767, "Nam", "15/03/1980", "Phòng Tổ chức", "01/09/2005"])
    book.save(tmp_path / "can-bo.xlsx")

    result = run(store, tmp_path / "can-bo.xlsx")

    assert result.exit_code == 1, result.output
    assert 'row 2, column "Họ và tên": 32,767 characters is too long; at most 200.' in result.output
    with Ledger(store) as ledger:
        assert not ledger.staff_exists("CB001")


# ------------------------------------------------------------------------------ the verifier


def _training_csv(path: Path, header: list[str], verifier: str | None) -> Path:
    columns = ["staff_id", "kind", "track", "level", "title", "provider", "issued_on", "document_ref"]
    row = ["CB001", "credential", "professional", "master", "Thạc sĩ Quản lý công",
           "Học viện Hành chính Quốc gia", "20/06/2004", "Bản sao lưu hồ sơ"]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns + header)
        writer.writerow(row + ([verifier] if header else []))
    return path


def _verifier(store: StoreConfig) -> str | None:
    with Ledger(store) as ledger:
        (credential,) = ledger.record("CB001").credentials.values()
    assert credential.evidence is not None
    return credential.evidence.verified_by


def test_an_imported_credential_is_not_verified_by_the_importer_when_the_file_names_no_verifier(
    store: StoreConfig, tmp_path: Path
) -> None:
    staff = staff_csv(tmp_path / "can-bo.csv", "CB001")
    training = _training_csv(tmp_path / "dao-tao.csv", [], None)

    result = CliRunner().invoke(
        import_records_cli(), ["import-records", str(staff), str(training), "--recorded-by", "hr"],
        env={"LEDGER_DATABASE_URL": store.url},
    )

    assert result.exit_code == 0, result.output
    assert _verifier(store) is None


@pytest.mark.parametrize("header", ["Người xác minh", "verified_by", "Verified by"])
def test_the_verifier_column_names_who_verified_an_imported_credential(
    header: str, store: StoreConfig, tmp_path: Path
) -> None:
    staff = staff_csv(tmp_path / "can-bo.csv", "CB001")
    training = _training_csv(tmp_path / "dao-tao.csv", [header], "Lê Thị Hoa")

    result = run(store, staff, training)

    assert result.exit_code == 0, result.output
    assert _verifier(store) == "Lê Thị Hoa"


def test_the_shipped_templates_say_who_verified_one_credential_and_leave_the_other_unverified(
    store: StoreConfig,
) -> None:
    result = run(store, TEMPLATES / "can-bo.csv", TEMPLATES / "dao-tao.csv")

    assert result.exit_code == 0, result.output
    with Ledger(store) as ledger:
        verifiers = {
            staff_id: [c.evidence.verified_by for c in ledger.record(staff_id).credentials.values()
                       if c.evidence is not None]
            for staff_id in ("CB001", "CB002")
        }
    assert verifiers == {"CB001": ["Lê Thị Hoa"], "CB002": [None]}
