"""Helpers for the workbench tests over HTTP without a browser
(tests/pages/test_pages_sign_in_roles_and_views.py and
tests/pages/test_pages_exports_robustness_and_badges.py): one small agency populated through the
Ledger, and the site (a running app and that agency) each module's tests share.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from api_fixtures import Api, module_store, running_api, sign_in
from fastapi.testclient import TestClient

from ledger.application import Ledger
from ledger.domain.catalog import Gender, Mode, Outcome, RotationKind, Track
from ledger.domain.record import Evidence
from ledger.service import CredentialDetails

HR = "phong-tccb"
EPOCH = datetime(2019, 1, 7, 2, 0, tzinfo=UTC)


@dataclass
class Agency:
    """What the module's store holds."""

    an_master: str  # credential of Nguyễn Văn An awarded by a course in 2023
    an_bachelor: str  # recognized at go-live
    an_voided_event: str
    ngoc_state: str  # a credential of Trần Thị Bích Ngọc


def at(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def populate(ledger: Ledger) -> tuple[Agency, int]:
    """Three people: An (NV1; a bachelor recognized at go-live, a master by a course in 2021-23,
    an enrollment voided as a duplicate), Ngọc (Tổ chức, transferred to NV1 in 2022, one course
    before and one after), Bình (left in 2021 after a course in 2020)."""
    register = {
        "recorded_by": HR,
        "birth_date": date(1985, 4, 12),
        "position": "Chuyên viên",
        "rank": "01.003",
    }
    ledger.register(
        staff_id="CB-AN",
        full_name="Nguyễn Văn An",
        gender=Gender.MALE,
        unit="Phòng Nghiệp vụ 1",
        joined_on=date(2010, 9, 1),
        recorded_at=EPOCH,
        **register,
    )
    bachelor = ledger.recognize_credential(
        "CB-AN",
        credential_id="AN-DH",
        track=Track.PROFESSIONAL,
        level="bachelor",
        title="Cử nhân Kinh tế",
        issuer="Đại học Kinh tế Quốc dân",
        issued_on=date(2008, 6, 30),
        number="B08.123",
        evidence=Evidence("Bản sao bằng B08.123", "Mai Thùy Chi"),
        recorded_by=HR,
        recorded_at=EPOCH + timedelta(days=2),
    )
    master = ledger.enroll(
        "CB-AN",
        course_code="THS-QLKT",
        course_title="Thạc sĩ Quản lý kinh tế",
        track=Track.PROFESSIONAL,
        level="master",
        provider="Học viện Tài chính",
        mode=Mode.PART_TIME,
        starts_on=date(2021, 9, 6),
        ends_on=date(2023, 6, 30),
        decision_ref="QĐ 501/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2021, 9, 7)),
    )
    duplicate = ledger.enroll(
        "CB-AN",
        course_code="QLNN-CVC",
        course_title="Bồi dưỡng ngạch chuyên viên chính",
        track=Track.STATE_MANAGEMENT,
        level="principal",
        provider="Học viện Hành chính Quốc gia",
        mode=Mode.FULL_TIME,
        starts_on=date(2022, 3, 7),
        decision_ref="QĐ 77/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2022, 3, 8)),
    )
    ledger.correct(
        "CB-AN",
        event_id=duplicate.event_id,
        reason="Nhập trùng quyết định 77/QĐ-CT",
        recorded_by="to-chuc-2",
        recorded_at=at(date(2022, 3, 10)),
    )
    master_done = ledger.complete(
        "CB-AN",
        master.enrollment_id or "",
        completed_on=date(2023, 6, 30),
        outcome=Outcome.PASSED,
        credential=CredentialDetails(credential_id="AN-THS", number="TS23.456"),
        recorded_by=HR,
        recorded_at=at(date(2023, 7, 5)),
    )
    ledger.register(
        staff_id="CB-NGOC",
        full_name="Trần Thị Bích Ngọc",
        gender=Gender.FEMALE,
        unit="Phòng Tổ chức",
        joined_on=date(2012, 3, 1),
        recorded_at=EPOCH + timedelta(hours=1),
        **register,
    )
    first = ledger.enroll(
        "CB-NGOC",
        course_code="TCLLCT",
        course_title="Trung cấp lý luận chính trị",
        track=Track.POLITICAL_THEORY,
        level="intermediate",
        provider="Trường Chính trị tỉnh",
        mode=Mode.PART_TIME,
        starts_on=date(2021, 2, 1),
        decision_ref="QĐ 10/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2021, 2, 2)),
    )
    state = ledger.complete(
        "CB-NGOC",
        first.enrollment_id or "",
        completed_on=date(2021, 11, 30),
        outcome=Outcome.PASSED,
        credential=CredentialDetails(credential_id="NGOC-TC", number="LL21.9"),
        recorded_by=HR,
        recorded_at=at(date(2021, 12, 2)),
    )
    ledger.rotate(
        "CB-NGOC",
        to_unit="Phòng Nghiệp vụ 1",
        kind=RotationKind.TRANSFER,
        starts_on=date(2022, 1, 3),
        decision_ref="QĐ 2/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2022, 1, 3)),
    )
    ledger.enroll(
        "CB-NGOC",
        course_code="QLNN-CV",
        course_title="Bồi dưỡng ngạch chuyên viên",
        track=Track.STATE_MANAGEMENT,
        level="specialist",
        provider="Học viện Hành chính Quốc gia",
        mode=Mode.FULL_TIME,
        starts_on=date(2023, 4, 3),
        decision_ref="QĐ 40/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2023, 4, 3)),
    )
    ledger.register(
        staff_id="CB-BINH",
        full_name="Lê Văn Bình",
        gender=Gender.MALE,
        unit="Phòng Tổ chức",
        joined_on=date(2005, 1, 1),
        recorded_at=EPOCH + timedelta(hours=2),
        **register,
    )
    ledger.enroll(
        "CB-BINH",
        course_code="QP4",
        course_title="Bồi dưỡng kiến thức quốc phòng",
        track=Track.DEFENSE_SECURITY,
        level="group4",
        provider="Trường Quân sự tỉnh",
        mode=Mode.FULL_TIME,
        starts_on=date(2020, 5, 4),
        decision_ref="QĐ 5/QĐ-CT",
        recorded_by=HR,
        recorded_at=at(date(2020, 5, 4)),
    )
    last = ledger.depart(
        "CB-BINH", on=date(2021, 6, 30), reason="Nghỉ hưu", recorded_by=HR, recorded_at=at(date(2021, 7, 1))
    )
    agency = Agency(
        an_master=master_done.credential_id or "",
        an_bachelor=bachelor.credential_id or "AN-DH",
        an_voided_event=duplicate.event_id,
        ngoc_state=state.credential_id or "",
    )
    return agency, last.position


@dataclass
class Site:
    api: Api
    agency: Agency

    def client(self) -> TestClient:
        return TestClient(self.api.app, follow_redirects=False)

    def signed_in(self, role: str) -> TestClient:
        client = self.client()
        response = sign_in(client, self.api.tokens[role])
        assert response.status_code == 303, response.text
        return client


@contextmanager
def populated_site(kind: str, folder: Path) -> Iterator[Site]:
    """A running app on a store of ``kind`` holding the small agency, its views caught up: each
    test module's ``site``."""
    with module_store(kind, folder) as store, running_api(store) as api:
        agency, position = populate(api.app.state.ledger)
        assert api.app.state.read_side.wait_for(position)
        yield Site(api, agency)
