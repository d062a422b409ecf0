"""Today is the agency's date, and nothing that has to happen first is recorded ahead of it.

Every test that needs "now" runs at 2026-12-02T18:30Z: 01:30 on 3 December 2026 in Hanoi, the
hour at which a UTC date would still say 2 December. The instant is injected through the ledger's
clock (no time freezing).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl  # type: ignore[import-untyped]
import pytest
from api_fixtures import Api, course, module_store, problem_of, running_api
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import build_cli
from api.pages.exports import Report, Table, to_csv, to_xlsx
from ledger.application import Ledger
from ledger.clock import AgencyClock, ClockConfigError, agency_clock, zone_from_environment
from ledger.domain import errors
from ledger.domain.catalog import (
    Employment,
    EvaluationKind,
    Gender,
    Mode,
    Outcome,
    Rating,
    RotationKind,
    Track,
)
from ledger.domain.commands import Complete, Depart, Enroll, Evaluate, RecognizeCredential, Register, Withdraw
from ledger.domain.record import CredentialAward, Evidence
from ledger.importing import import_records
from ledger.staff import StaffMember
from ledger.store.config import StoreConfig

NOW = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)  # 2026-12-03 01:30 in Hanoi
TODAY = date(2026, 12, 3)
TOMORROW = date(2026, 12, 4)
HR = "to-chuc-can-bo"


def at_now() -> datetime:
    return NOW


# ------------------------------------------------------------------ the clock (no I/O)


def test_today_just_after_midnight_in_vietnam_is_the_vietnamese_date() -> None:
    assert AgencyClock(ZoneInfo("Asia/Ho_Chi_Minh"), at_now).today() == TODAY


def test_the_default_time_zone_is_vietnam() -> None:
    assert agency_clock(at_now, {}).today() == TODAY


def test_ledger_timezone_decides_the_agency_date() -> None:
    assert agency_clock(at_now, {"LEDGER_TIMEZONE": "UTC"}).today() == date(2026, 12, 2)


def test_now_stays_a_utc_instant_whatever_the_zone() -> None:
    now = agency_clock(at_now, {}).now()
    assert now == NOW
    assert now.tzinfo is UTC


@pytest.mark.parametrize("name", ["Mars/Olympus", "../etc/passwd", "UTC+7", "Asia/Ho Chi Minh"])
def test_a_bad_time_zone_is_one_clear_error_naming_the_variable(name: str) -> None:
    with pytest.raises(ClockConfigError) as caught:
        zone_from_environment({"LEDGER_TIMEZONE": name})
    message = str(caught.value)
    assert "\n" not in message
    assert "LEDGER_TIMEZONE" in message
    assert "Asia/Ho_Chi_Minh" in message


def test_a_bad_time_zone_stops_a_command_with_one_line_and_exit_code_2(tmp_path: Path) -> None:
    database = tmp_path / "ledger.db"
    done = subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "keys", "list"],
        env={"LEDGER_TIMEZONE": "Mars/Olympus", "LEDGER_DATABASE_URL": f"sqlite:///{database}",
             "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "LEDGER_TIMEZONE" in done.stderr
    assert not database.exists()


@pytest.mark.parametrize("zone", ["Etc/GMT-14", "Etc/GMT+12"])  # 26 hours apart: never one date
def test_the_rules_command_defaults_to_the_agency_date(zone: str) -> None:
    clock = AgencyClock(ZoneInfo(zone))
    before = clock.today()
    result = CliRunner().invoke(build_cli(), ["rules", "show", "--json"], env={"LEDGER_TIMEZONE": zone})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["on"] in {before.isoformat(), clock.today().isoformat()}


# ------------------------------------------------ the domain: no fact from the future (no I/O)


def member_with_a_course() -> StaffMember:
    member = StaffMember.register(
        Register(
            staff_id="NV001",
            full_name="Nguyễn Thị Hồng Nhung",
            gender=Gender.FEMALE,
            birth_date=date(1985, 4, 12),
            unit="Phòng Tổ chức cán bộ",
            joined_on=date(2010, 9, 1),
            position="Chuyên viên",
            rank="01.003",
            employment=Employment.CIVIL_SERVANT,
        ),
        recorded_by=HR,
        recorded_at=NOW,
    )
    member.enroll(
        Enroll(
            enrollment_id="E1",
            course_code="LLCT-TC",
            course_title="Trung cấp lý luận chính trị - hành chính",
            track=Track.POLITICAL_THEORY,
            level="intermediate",
            provider="Trường Chính trị tỉnh",
            mode=Mode.PART_TIME,
            starts_on=date(2026, 3, 2),
        ),
        recorded_by=HR,
        recorded_at=NOW,
    )
    return member


def award(issued_on: date) -> CredentialAward:
    return CredentialAward(credential_id="C1", title="Bằng TCLLCT", issuer="Trường Chính trị tỉnh",
                           issued_on=issued_on)


# Each way a fact that must happen first can be dated: (what, field refused).
FUTURE_FACTS: dict[str, tuple[Any, str]] = {
    "completion": (
        lambda m: m.complete(Complete(enrollment_id="E1", completed_on=TOMORROW, outcome=Outcome.PASSED),
                             credential=award(TOMORROW), today=TODAY, recorded_by=HR),
        "completed_on",
    ),
    "failure": (
        lambda m: m.complete(Complete(enrollment_id="E1", completed_on=TOMORROW, outcome=Outcome.FAILED),
                             credential=None, today=TODAY, recorded_by=HR),
        "completed_on",
    ),
    "certificate of a completion": (
        lambda m: m.complete(Complete(enrollment_id="E1", completed_on=TODAY, outcome=Outcome.PASSED),
                             credential=award(TOMORROW), today=TODAY, recorded_by=HR),
        "credential.issued_on",
    ),
    "withdrawal": (
        lambda m: m.withdraw(Withdraw(enrollment_id="E1", on=TOMORROW, reason="Điều động"), today=TODAY,
                             recorded_by=HR),
        "on",
    ),
    "recognized credential": (
        lambda m: m.recognize_credential(
            RecognizeCredential(
                credential_id="R1",
                track=Track.PROFESSIONAL,
                level="master",
                title="Thạc sĩ Luật",
                issuer="Đại học Luật Hà Nội",
                issued_on=TOMORROW,
                number=None,
                evidence=Evidence("Bản sao bằng"),
            ),
            today=TODAY,
            recorded_by=HR,
        ),
        "issued_on",
    ),
    "annual evaluation": (
        lambda m: m.evaluate(
            Evaluate(kind=EvaluationKind.ANNUAL, year=2027, rating=Rating.GOOD, evaluator="Trưởng phòng"),
            today=TODAY,
            recorded_by=HR,
        ),
        "year",
    ),
    "departure": (
        lambda m: m.depart(Depart(on=TOMORROW, reason="Nghỉ hưu"), today=TODAY, recorded_by=HR),
        "on",
    ),
}


@pytest.mark.parametrize("kind", list(FUTURE_FACTS))
def test_a_fact_dated_after_the_agency_today_is_refused_with_a_named_error(kind: str) -> None:
    member = member_with_a_course()
    version, command, field = member.version, *FUTURE_FACTS[kind]
    with pytest.raises(errors.DatedInFuture) as caught:
        command(member)
    assert caught.value.field == field
    assert TODAY.isoformat() in caught.value.message
    assert member.version == version


def test_a_post_training_evaluation_dated_after_today_is_refused() -> None:
    member = member_with_a_course()
    member.complete(Complete(enrollment_id="E1", completed_on=date(2026, 9, 1), outcome=Outcome.PASSED),
                    credential=award(date(2026, 9, 1)), today=TODAY, recorded_by=HR)
    with pytest.raises(errors.DatedInFuture) as caught:
        member.evaluate(
            Evaluate(
                kind=EvaluationKind.POST_TRAINING,
                enrollment_id="E1",
                on=TOMORROW,
                rating=Rating.GOOD,
                evaluator="Trưởng phòng",
            ),
            today=TODAY,
            recorded_by=HR,
        )
    assert caught.value.field == "on"


def test_the_annual_rating_of_the_current_year_is_accepted_before_its_last_day() -> None:
    member = member_with_a_course()
    member.evaluate(
        Evaluate(kind=EvaluationKind.ANNUAL, year=2026, rating=Rating.GOOD, evaluator="Trưởng phòng"),
        today=TODAY,
        recorded_by=HR,
    )
    assert member.record.annual_rating(2026) is not None


# ---------------------------------------------- the application on both stores, at NOW


@pytest.fixture
def clocked(store: StoreConfig) -> Iterator[Ledger]:
    """A ledger whose "now" is NOW, with one person enrolled on a course that started in March."""
    ledger = Ledger(store, clock=at_now)
    try:
        ledger.register(staff_id="NV001", full_name="Nguyễn Thị Hồng Nhung", gender=Gender.FEMALE,
                        birth_date=date(1985, 4, 12), unit="Phòng Tổ chức cán bộ",
                        joined_on=date(2010, 9, 1), recorded_by=HR)
        ledger.enroll("NV001", enrollment_id="E1", course_code="LLCT-TC",
                      course_title="Trung cấp lý luận chính trị - hành chính",
                      track=Track.POLITICAL_THEORY, level="intermediate",
                      provider="Trường Chính trị tỉnh", mode=Mode.PART_TIME,
                      starts_on=date(2026, 3, 2), recorded_by=HR)
        yield ledger
    finally:
        ledger.close()


def test_a_completion_dated_the_agency_today_is_accepted_just_after_midnight(clocked: Ledger) -> None:
    result = clocked.complete("NV001", "E1", completed_on=TODAY, outcome=Outcome.PASSED, recorded_by=HR)
    assert result.recorded_at == NOW
    assert clocked.record("NV001").credentials[result.credential_id or ""].issued_on == TODAY


def test_a_completion_dated_the_agency_tomorrow_is_refused_and_records_nothing(clocked: Ledger) -> None:
    before = clocked.get_member("NV001").version
    with pytest.raises(errors.DatedInFuture):
        clocked.complete("NV001", "E1", completed_on=TOMORROW, outcome=Outcome.PASSED, recorded_by=HR)
    assert clocked.get_member("NV001").version == before


def test_an_enrollment_dated_next_year_is_accepted(clocked: Ledger) -> None:
    clocked.enroll("NV001", enrollment_id="E2027", course_code="QLNN-CVC",
                   course_title="Bồi dưỡng ngạch chuyên viên chính", track=Track.STATE_MANAGEMENT,
                   level="principal", provider="Học viện Hành chính Quốc gia", mode=Mode.FULL_TIME,
                   starts_on=date(2027, 3, 1), recorded_by=HR)
    assert clocked.record("NV001").enrollments["E2027"].starts_on == date(2027, 3, 1)


def test_a_rotation_and_an_appointment_may_be_dated_ahead(clocked: Ledger) -> None:
    clocked.rotate("NV001", to_unit="Phòng Kế hoạch", kind=RotationKind.ROTATION,
                   starts_on=date(2027, 1, 4), decision_ref="QĐ 1/QĐ-CT", recorded_by=HR)
    clocked.appoint("NV001", position="Chuyên viên chính", effective_on=date(2027, 1, 4),
                    decision_ref="QĐ 2/QĐ-CT", recorded_by=HR)
    assert clocked.record("NV001", as_of=date(2027, 1, 4)).unit_on(date(2027, 1, 4)) == "Phòng Kế hoạch"


def test_a_post_training_evaluation_without_a_date_is_dated_the_agency_today(clocked: Ledger) -> None:
    clocked.complete("NV001", "E1", completed_on=date(2026, 11, 30), outcome=Outcome.PASSED,
                     recorded_by=HR)
    clocked.evaluate("NV001", kind=EvaluationKind.POST_TRAINING, enrollment_id="E1",
                     rating=Rating.GOOD, score=Decimal("8"), evaluator="Trưởng phòng", recorded_by=HR)
    assert clocked.history("NV001")[-1].effective_on == TODAY


def test_a_correction_is_dated_the_agency_today(clocked: Ledger) -> None:
    wrong = clocked.rotate("NV001", to_unit="Phòng Kế hoạch", kind=RotationKind.ROTATION,
                           starts_on=date(2026, 6, 1), decision_ref="QĐ 9/QĐ-CT", recorded_by=HR)
    clocked.correct("NV001", event_id=wrong.event_id, reason="Nhập nhầm", recorded_by=HR)
    assert clocked.history("NV001")[-1].effective_on == TODAY


def test_the_legacy_importer_refuses_a_completion_dated_after_the_agency_today(
    store: StoreConfig, tmp_path: Path
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "staff_id,full_name,gender,birth_date,unit,joined_on\n"
        "CB001,Nguyễn Văn An,Nam,15/03/1980,Phòng Tổ chức,01/09/2005\n",
        encoding="utf-8",
    )
    training = tmp_path / "training.csv"
    training.write_text(
        "staff_id,kind,track,level,title,provider,mode,starts_on,ends_on,completed_on,outcome\n"
        "CB001,enrollment,it,basic,Tin học cơ bản,Trung tâm Tin học,online,02/11/2026,,04/12/2026,passed\n",
        encoding="utf-8",
    )
    ledger = Ledger(store, clock=at_now)
    try:
        report = import_records(ledger, [staff, training], recorded_by=HR)
        assert not report.ok
        assert any(i.column == "completed_on" and "2026-12-03" in i.message for i in report.issues), [
            str(i) for i in report.issues
        ]
        assert not ledger.staff_exists("CB001")
    finally:
        ledger.close()


# ------------------------------------------------------- HTTP and pages, both stores, at NOW


@dataclass
class Site:
    api: Api
    staff_id: str

    def signed_in(self, role: str = "registrar") -> TestClient:
        client = TestClient(self.api.app, follow_redirects=False)
        login = client.get("/ui/login")
        found = re.search(r'name="form_token" value="([^"]+)"', login.text)
        assert found is not None, login.text
        response = client.post("/ui/login", data={"token": self.api.tokens[role],
                                                  "form_token": found.group(1), "next": "/ui/staff"})
        assert response.status_code == 303, response.text
        return client


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("clock")
    with module_store(request.param, folder) as store, running_api(store, clock=at_now) as api:
        staff_id = api.register("CB-CLOCK")
        api.enroll(staff_id, enrollment_id="E1", starts_on="2026-03-02", ends_on=None)
        yield Site(api, staff_id)


def test_the_default_as_of_of_a_report_is_the_agency_today(site: Site) -> None:
    response = site.api.get("/reports/qualifications", role="reader")
    assert response.status_code == 200, response.text
    assert response.json()["as_of"] == "2026-12-03"


def test_the_default_as_of_of_a_standing_read_is_the_agency_today(site: Site) -> None:
    response = site.api.get(f"/staff/{site.staff_id}", role="reader")
    assert response.status_code == 200, response.text
    assert response.json()["as_of"] == "2026-12-03"


def test_a_completion_dated_after_the_agency_today_answers_422_naming_the_field(site: Site) -> None:
    before = site.api.log_head()
    response = site.api.post(f"/staff/{site.staff_id}/enrollments/E1/completion",
                             {"completed_on": "2026-12-04", "outcome": "passed"})
    problem = problem_of(response, 422, "dated_in_future")
    assert [e["field"] for e in problem["errors"]] == ["completed_on"]
    assert site.api.log_head() == before


def test_a_departure_dated_after_the_agency_today_answers_422_naming_the_field(site: Site) -> None:
    response = site.api.post(f"/staff/{site.staff_id}/departure",
                             {"on": "2026-12-04", "reason": "Nghỉ hưu"})
    problem = problem_of(response, 422, "dated_in_future")
    assert [e["field"] for e in problem["errors"]] == ["on"]


def test_an_enrollment_dated_next_year_is_accepted_over_http(site: Site) -> None:
    response = site.api.post(f"/staff/{site.staff_id}/enrollments",
                             course(course_code="LLCT-CC", level="advanced", starts_on="2027-03-01",
                                    ends_on="2028-03-01"))
    assert response.status_code == 201, response.text


def test_recording_times_stay_utc_in_the_api(site: Site) -> None:
    history = site.api.get(f"/staff/{site.staff_id}/history").json()["items"]
    stamp = datetime.fromisoformat(history[0]["recorded_at"].replace("Z", "+00:00"))
    assert stamp == NOW
    assert history[0]["recorded_at"].endswith(("Z", "+00:00"))


def test_the_dossier_says_as_of_the_agency_today_beside_its_local_generation_time(site: Site) -> None:
    page = site.signed_in().get(f"/ui/staff/{site.staff_id}/dossier")
    assert page.status_code == 200, page.text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert "Tính đến ngày 03/12/2026" in text
    assert "Lập lúc: 03/12/2026 01:30" in text


def test_an_exported_dossier_carries_the_agency_date_in_its_name_and_header(site: Site) -> None:
    response = site.signed_in().get(f"/ui/staff/{site.staff_id}/dossier?format=csv")
    assert response.status_code == 200, response.text
    assert "-2026-12-03.csv" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Tính đến ngày", "03/12/2026"] in rows
    assert any(r[0] == "Lập lúc" and r[1].startswith("03/12/2026 01:30") for r in rows if len(r) > 1)


def test_the_person_page_shows_recording_times_in_agency_time(site: Site) -> None:
    page = site.signed_in().get(f"/ui/staff/{site.staff_id}")
    assert page.status_code == 200, page.text
    assert "03/12/2026 01:30" in page.text
    assert "02/12/2026 18:30" not in page.text


def test_the_pages_default_to_the_agency_today(site: Site) -> None:
    page = site.signed_in().get("/ui/reports")
    assert page.status_code == 200, page.text
    assert 'name="as_of" value="03/12/2026"' in page.text


def test_a_recording_time_in_an_export_cell_is_written_on_the_agency_clock() -> None:
    report = Report("Lập lúc", "lap-luc", [], [Table("t", ["recorded_at"], [[NOW]])])
    zone = ZoneInfo("Europe/Paris")  # not Vietnam's: the cell follows the zone it is given

    rows = list(csv.reader(io.StringIO(to_csv(report, zone).decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report, zone))).worksheets[0]

    assert ["2026-12-02 19:30"] in rows
    assert datetime(2026, 12, 2, 19, 30) in [c.value for row in sheet.iter_rows() for c in row]
