"""The registrar's forms and evidence scans over HTTP (no browser): the real app and lifespan on a
real SQLite file and a real PostgreSQL; every write made through a form is checked through the API.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from api_fixtures import problem_of, running_api
from eventsourcing.persistence import JSONTranscoder
from fastapi.testclient import TestClient
from form_fixtures import REGISTRATION, Office, hidden, problem_beside, submit

from api.scans import SCANS_TABLE, ScanStore
from ledger.domain.record import CredentialAward, Evidence
from ledger.store.config import StoreConfig
from ledger.store.persistence import register_ledger_transcodings

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def office(store: StoreConfig) -> Iterator[Office]:
    with running_api(store) as api:
        yield Office(api)


def test_a_registration_through_the_form_is_recorded_with_its_vietnamese_name(office: Office) -> None:
    client = office.browser()
    response = submit(client, "/ui/staff/new", REGISTRATION)
    assert response.status_code == 303, response.text
    standing = office.api.get("/staff/CB-HUONG").json()
    assert (standing["full_name"], standing["birth_date"], standing["joined_on"]) == (
        "Phạm Thị Hường",
        "1990-04-12",
        "2015-09-01",
    )


def test_a_date_not_written_dd_mm_yyyy_is_named_beside_its_field_in_vietnamese(office: Office) -> None:
    client = office.browser()
    response = submit(client, "/ui/staff/new", {**REGISTRATION, "birth_date": "12.04.1990"})
    assert response.status_code == 422
    assert "dd/mm/yyyy" in problem_beside(response, "birth_date")
    assert office.api.get("/staff/CB-HUONG").status_code == 404


def test_a_missing_required_field_is_named_as_the_api_names_it(office: Office) -> None:
    client = office.browser()
    response = submit(client, "/ui/staff/new", {**REGISTRATION, "unit": ""})
    assert response.status_code == 422
    assert problem_beside(response, "unit") == "Cần điền ô này."


def test_the_english_view_shows_the_api_s_own_message_beside_the_field(office: Office) -> None:
    client = office.browser()
    client.cookies.set("ledger_lang", "en", path="/ui")
    office.api.register("CB-DUP")
    response = submit(client, "/ui/staff/new", {**REGISTRATION, "staff_id": "CB-DUP"})
    assert response.status_code == 409
    assert problem_beside(response, "staff_id") == "Staff member 'CB-DUP' is already registered."


def test_a_duplicate_registration_is_refused_beside_the_staff_code_in_vietnamese(office: Office) -> None:
    client = office.browser()
    office.api.register("CB-DUP")
    response = submit(client, "/ui/staff/new", {**REGISTRATION, "staff_id": "CB-DUP"})
    assert problem_beside(response, "staff_id") == "Mã cán bộ này đã được đăng ký."


def test_a_form_shown_before_someone_else_changed_the_record_is_refused_and_records_nothing(
    office: Office,
) -> None:
    client = office.browser()
    staff_id = office.api.register()
    path = f"/ui/staff/{staff_id}/departure"
    shown = client.get(path)
    office.api.enroll(staff_id)  # someone else writes meanwhile
    before = office.api.get(f"/staff/{staff_id}").json()["version"]
    response = client.post(path, data={**hidden(shown), "on": "01/02/2024", "reason": "Nghỉ hưu"})
    assert response.status_code == 412
    assert "người khác thay đổi" in response.text
    assert office.api.get(f"/staff/{staff_id}").json()["version"] == before


def test_a_form_submitted_twice_records_once(office: Office) -> None:
    client = office.browser()
    staff_id = office.api.register()
    path = f"/ui/staff/{staff_id}/departure"
    form = {**hidden(client.get(path)), "on": "01/02/2024", "reason": "Nghỉ hưu"}
    first = client.post(path, data=form)
    second = client.post(path, data=form)
    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["location"] == second.headers["location"]
    types = [e["type"] for e in office.api.get(f"/staff/{staff_id}/history").json()["items"]]
    assert types == ["Registered", "Departed"]


def test_a_form_without_the_session_s_csrf_token_is_refused_and_records_nothing(office: Office) -> None:
    client = office.browser()
    response = client.post("/ui/staff/new", data={**REGISTRATION, "csrf": "forged"})
    assert response.status_code == 403
    assert office.api.get("/staff/CB-HUONG").status_code == 404


def test_a_form_posted_from_another_site_is_refused(office: Office) -> None:
    client = office.browser()
    page = client.get("/ui/staff/new")
    response = client.post(
        "/ui/staff/new", data={**hidden(page), **REGISTRATION}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert office.api.get("/staff/CB-HUONG").status_code == 404


@pytest.mark.parametrize("role", ["reader", "auditor"])
def test_readers_and_auditors_get_403_on_a_form_post_and_nothing_is_recorded(
    office: Office, role: str
) -> None:
    client = office.browser(role)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/staff").text)
    assert csrf is not None
    response = client.post("/ui/staff/new", data={"csrf": csrf.group(1), **REGISTRATION})
    assert response.status_code == 403
    assert office.api.get("/staff/CB-HUONG").status_code == 404


@pytest.mark.parametrize("role", ["reader", "auditor"])
def test_readers_and_auditors_see_no_form_and_no_link_to_one(office: Office, role: str) -> None:
    client = office.browser(role)
    staff_id = office.api.register()
    assert client.get("/ui/staff/new").status_code == 403
    page = client.get(f"/ui/staff/{staff_id}")
    assert "/ui/staff/new" not in page.text
    assert "/departure" not in page.text


def group_form(client: TestClient, staff_ids: list[str], **course: str) -> httpx.Response:
    page = client.get("/ui/enrollments/group")
    fields: dict[str, Any] = {
        **hidden(page),
        "course_code": "BD-QLNN-24",
        "course_title": "Bồi dưỡng ngạch chuyên viên",
        "track": "state_management",
        "level": "officer",
        "provider": "Trường Chính trị tỉnh",
        "mode": "part_time",
        "starts_on": "04/03/2024",
        "decision_ref": "QĐ 77/QĐ-UBND",
        **course,
    }
    return client.post("/ui/enrollments/group", data={**fields, "staff_ids": staff_ids})


def test_a_group_of_three_is_enrolled_under_one_dispatch_decision(office: Office) -> None:
    client = office.browser()
    people = [office.api.register(full_name=n) for n in ("Lê Văn Tám", "Đỗ Thị Lan", "Vũ Minh Đức")]
    response = group_form(client, people)
    assert response.status_code == 200, response.text
    for staff_id in people:
        enrollments = office.api.get(f"/staff/{staff_id}").json()["enrollments"]
        assert [(e["course_code"], e["decision_ref"]) for e in enrollments] == [
            ("BD-QLNN-24", "QĐ 77/QĐ-UBND")
        ]


def test_a_group_with_one_person_who_cannot_be_enrolled_enrolls_nobody(office: Office) -> None:
    client = office.browser()
    people = [office.api.register() for _ in range(2)]
    late = office.api.register(joined_on="2025-01-01")  # joins after the course starts
    response = group_form(client, [*people, late])
    assert response.status_code == 422
    assert late in response.text
    for staff_id in [*people, late]:
        assert office.api.get(f"/staff/{staff_id}").json()["enrollments"] == []


def completion(
    client: TestClient, staff_id: str, enrollment_id: str, scan: bytes, name: str
) -> httpx.Response:
    path = f"/ui/staff/{staff_id}/enrollments/{enrollment_id}/completion"
    page = client.get(path)
    data = {**hidden(page), "completed_on": "25/09/2020", "outcome": "passed", "credential.number": "B 0123"}
    return client.post(path, data=data, files={"scan_files": (name, io.BytesIO(scan), "application/pdf")})


def test_a_completion_with_a_scan_keeps_the_scan_and_puts_its_digest_in_the_event(office: Office) -> None:
    client = office.browser()
    staff_id = office.api.register()
    enrollment_id = office.api.enroll(staff_id)
    response = completion(client, staff_id, enrollment_id, PDF, "bang.pdf")
    assert response.status_code == 303, response.text
    last = office.api.get(f"/staff/{staff_id}/history").json()["items"][-1]
    (digest,) = last["data"]["credential"]["scans"]
    scan = office.api.get(f"/scans/{digest}", role="auditor")
    assert (scan.content, scan.headers["content-type"]) == (PDF, "application/pdf")


def test_a_file_that_is_not_a_pdf_jpeg_or_png_by_content_is_refused_whatever_its_name(office: Office) -> None:
    client = office.browser()
    staff_id = office.api.register()
    enrollment_id = office.api.enroll(staff_id)
    response = completion(client, staff_id, enrollment_id, b"MZ\x90\x00 not a pdf at all", "bang.pdf")
    assert response.status_code == 422
    assert "PDF, JPEG" in problem_beside(response, "scan_files")
    assert office.api.get(f"/staff/{staff_id}").json()["enrollments"][0]["status"] == "enrolled"


def appointment_form(client: TestClient, staff_id: str, **values: str) -> httpx.Response:
    return submit(
        client,
        f"/ui/staff/{staff_id}/appointments/new",
        {"position": "Trưởng phòng", "effective_on": "01/10/2024", "decision_ref": "QĐ 301/QĐ-CT", **values},
    )


def test_checking_an_appointment_lists_its_unmet_requirements_and_records_nothing(office: Office) -> None:
    client = office.browser()
    staff_id = office.api.register()
    response = appointment_form(client, staff_id, action="check")
    assert response.status_code == 200
    assert len(re.findall(r'<li data-rule="', response.text)) >= 1
    assert office.api.get(f"/staff/{staff_id}").json()["version"] == 1


def test_an_appointment_without_a_waiver_is_refused_with_its_unmet_requirements(office: Office) -> None:
    client = office.browser()
    staff_id = office.api.register()
    response = appointment_form(client, staff_id)
    assert response.status_code == 422
    assert 'id="unmet"' in response.text
    assert '<li data-rule="' in response.text
    assert office.api.get(f"/staff/{staff_id}").json()["version"] == 1


def test_an_appointment_with_a_waiver_is_recorded_with_it(office: Office) -> None:
    client = office.browser()
    staff_id = office.api.register()
    waiver = {
        "waiver.legal_basis": "Điều 5 QĐ 12/2024",
        "waiver.deadline": "30/09/2026",
        "waiver.reason": "Cần gấp",
    }
    response = appointment_form(client, staff_id, **waiver)
    assert response.status_code == 303, response.text
    last = office.api.get(f"/staff/{staff_id}/history").json()["items"][-1]
    assert (last["type"], last["data"]["waiver"]["deadline"]) == ("Appointed", "2026-09-30")


def test_voiding_an_event_through_the_form_records_the_correction_with_its_reason(office: Office) -> None:
    client = office.browser()
    staff_id = office.api.register()
    office.api.enroll(staff_id)
    event_id = office.api.get(f"/staff/{staff_id}/history").json()["items"][-1]["event_id"]
    page = client.get(f"/ui/staff/{staff_id}")
    assert f"/corrections/new?event_id={event_id.replace(':', '%3A')}" in page.text
    response = submit(
        client, f"/ui/staff/{staff_id}/corrections/new", {"event_id": event_id, "reason": "Ghi nhầm"}
    )
    assert response.status_code == 303, response.text
    history = office.api.get(f"/staff/{staff_id}/history").json()["items"]
    assert (history[-1]["type"], history[1]["voided_by"]) == ("Corrected", history[-1]["event_id"])


def test_a_recognized_credential_names_its_scans_through_the_api(office: Office) -> None:
    staff_id = office.api.register()
    digest = office.api.client.post(
        "/scans", content=PNG, headers={**office.api.headers(), "Content-Type": "image/png"}
    ).json()["digest"]
    body = {
        "track": "professional",
        "level": "bachelor",
        "title": "Cử nhân Luật",
        "issuer": "Đại học Luật Hà Nội",
        "issued_on": "2008-06-30",
        "evidence": {"document_ref": "HS-07", "scans": [digest]},
    }
    assert office.api.post(f"/staff/{staff_id}/credentials", body).status_code == 201
    last = office.api.get(f"/staff/{staff_id}/history").json()["items"][-1]
    assert last["data"]["evidence"]["scans"] == [digest]


def test_a_credential_naming_a_scan_never_uploaded_is_refused_naming_the_field(office: Office) -> None:
    staff_id = office.api.register()
    body = {
        "track": "professional",
        "level": "bachelor",
        "title": "Cử nhân Luật",
        "issuer": "Đại học Luật Hà Nội",
        "issued_on": "2008-06-30",
        "evidence": {"document_ref": "HS-07", "scans": ["0" * 64]},
    }
    problem = problem_of(office.api.post(f"/staff/{staff_id}/credentials", body), 422, "validation_error")
    assert problem["errors"] == [
        {"field": "evidence.scans", "message": f"Unknown scan {'0' * 64}.", "in": "body"}
    ]
    assert office.api.get(f"/staff/{staff_id}").json()["version"] == 1


def test_scans_on_a_completion_that_awards_no_credential_are_refused_naming_the_field(office: Office) -> None:
    staff_id = office.api.register()
    enrollment_id = office.api.enroll(staff_id, track="other", level=None)
    digest = office.api.client.post(
        "/scans", content=PNG, headers={**office.api.headers(), "Content-Type": "image/png"}
    ).json()["digest"]
    body = {"completed_on": "2020-09-25", "outcome": "passed", "credential": {"scans": [digest]}}
    response = office.api.post(f"/staff/{staff_id}/enrollments/{enrollment_id}/completion", body)
    assert problem_of(response, 422, "invalid_input")["errors"][0]["field"] == "credential.scans"
    assert office.api.get(f"/staff/{staff_id}").json()["enrollments"][0]["status"] == "enrolled"


def test_an_upload_that_is_not_a_pdf_jpeg_or_png_is_refused_whatever_its_content_type(office: Office) -> None:
    response = office.api.client.post(
        "/scans",
        content=b"<html>hi</html>",
        headers={**office.api.headers(), "Content-Type": "application/pdf"},
    )
    assert problem_of(response, 422, "validation_error")["errors"][0] == {
        "field": "body",
        "message": "The file is not a PDF, JPEG or PNG (checked by its content).",
        "in": "body",
    }


def test_an_upload_over_the_scan_limit_is_refused_before_it_is_read(store: StoreConfig) -> None:
    with running_api(store, max_scan_bytes=1000) as api:
        big = PDF + b"0" * 70_000  # over the limit plus the multipart allowance
        response = api.client.post(
            "/scans", content=big, headers={**api.headers(), "Content-Type": "application/pdf"}
        )
        problem_of(response, 413, "payload_too_large")


def test_a_reader_cannot_upload_a_scan(office: Office) -> None:
    response = office.api.client.post(
        "/scans", content=PNG, headers={**office.api.headers("reader"), "Content-Type": "image/png"}
    )
    problem_of(response, 403, "forbidden")


def test_a_tampered_stored_scan_is_reported_as_not_matching_on_the_provenance_page(office: Office) -> None:
    client = office.browser()
    staff_id = office.api.register()
    enrollment_id = office.api.enroll(staff_id)
    assert completion(client, staff_id, enrollment_id, PDF, "bang.pdf").status_code == 303
    credential_id = office.api.get(f"/staff/{staff_id}").json()["credentials"][0]["credential_id"]
    trail = f"/ui/staff/{staff_id}/credentials/{credential_id}"
    auditor = office.browser("auditor")
    assert 'data-matches="yes"' in auditor.get(trail).text
    db = office.api.app.state.services.db
    with db.transaction() as cursor:
        cursor.execute(f"UPDATE {SCANS_TABLE} SET content = ?", (PDF.replace(b"1.4", b"1.7"),))
    page = auditor.get(trail)
    assert 'data-matches="no"' in page.text
    assert 'data-matches="yes"' not in page.text


def test_an_auditor_opens_a_scan_from_the_provenance_page(office: Office) -> None:
    client = office.browser()
    staff_id = office.api.register()
    enrollment_id = office.api.enroll(staff_id)
    completion(client, staff_id, enrollment_id, PDF, "bang.pdf")
    credential_id = office.api.get(f"/staff/{staff_id}").json()["credentials"][0]["credential_id"]
    auditor = office.browser("auditor")
    page = auditor.get(f"/ui/staff/{staff_id}/credentials/{credential_id}")
    link = re.search(r'href="(/ui/scans/[0-9a-f]{64})"', page.text)
    assert link is not None
    opened = auditor.get(link.group(1))
    assert (opened.content, opened.headers["ledger-scan-matches"]) == (PDF, "true")


def test_the_same_scan_uploaded_twice_is_kept_once(store: StoreConfig) -> None:
    from projections.service_tables import ServiceTables

    db = ServiceTables(store)
    try:
        scans = ScanStore(db)
        from datetime import UTC, datetime

        first = scans.put(PNG, stored_by="a", now=datetime(2024, 1, 1, tzinfo=UTC))
        second = scans.put(PNG, stored_by="b", now=datetime(2024, 1, 2, tzinfo=UTC))
        assert (first, second.stored_by) == (second, "a")
    finally:
        db.close()


def _transcoder() -> JSONTranscoder:
    transcoder = JSONTranscoder()
    register_ledger_transcodings(transcoder)
    return transcoder


def test_evidence_stored_before_scans_existed_reads_back_without_scans() -> None:
    transcoder = _transcoder()
    stored = json.loads(transcoder.encode({"evidence": Evidence("HS-1", "Mai Thùy Chi")}))
    stored["evidence"]["_data_"].pop("scans")  # as an event recorded before scans existed
    decoded = transcoder.decode(json.dumps(stored).encode())
    assert decoded["evidence"] == Evidence("HS-1", "Mai Thùy Chi")


def test_an_award_stored_before_scans_existed_reads_back_without_scans() -> None:
    transcoder = _transcoder()
    award = CredentialAward("C1", "Thạc sĩ", "Học viện", date(2020, 1, 2), "B 1")
    stored = json.loads(transcoder.encode({"credential": award}))
    stored["credential"]["_data_"].pop("scans")
    assert transcoder.decode(json.dumps(stored).encode())["credential"] == award


def test_scans_read_back_from_the_store_s_json_equal_the_scans_saved() -> None:
    transcoder = _transcoder()
    evidence = Evidence("HS-1", None, ("ab" * 32,))
    assert transcoder.decode(transcoder.encode({"e": evidence}))["e"] == evidence
