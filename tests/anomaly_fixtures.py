"""Helpers for the anomaly flag tests (tests/domain/test_anomalies_*.py): ``History``, which crafts a
staff member's events one by one with the recording time and key each flag looks at.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ledger.domain.catalog import Employment, Gender, Mode, Track
from ledger.domain.ids import staff_aggregate_id
from ledger.domain.record import CredentialAward, Evidence
from ledger.staff import StaffEvent, StaffMember
from projections.anomaly_checks import person_anomalies
from projections.anomaly_flags import Anomaly
from projections.anomaly_rules import AnomalyRules

STAFF = "CB-T01"
HR = "to-chuc-1"


def at(day: date, hour: int = 3) -> datetime:
    """A recording time on ``day`` (03:00 UTC is 10:00 in Hà Nội)."""
    return datetime.combine(day, time(hour), UTC)


class History:
    """One staff member's events, appended like the ledger would store them."""

    def __init__(self, *, joined: date = date(2010, 9, 1), registered_at: datetime | None = None) -> None:
        self.events: list[StaffEvent] = []
        self._add(
            StaffMember.Registered,
            joined,
            registered_at or at(date(2019, 1, 7)),
            staff_id=STAFF,
            full_name="Nguyễn Văn An",
            gender=Gender.MALE,
            birth_date=date(1985, 4, 12),
            unit="Phòng Nghiệp vụ 1",
            position="Chuyên viên",
            rank="01.003",
            employment=Employment.CIVIL_SERVANT,
            originator_topic="ledger.staff_member.v1",
        )

    def _add(self, cls: Any, on: date, recorded: datetime | None, by: str = HR, **fields: Any) -> str:
        version = len(self.events) + 1
        self.events.append(
            cls(
                originator_id=staff_aggregate_id(STAFF),
                originator_version=version,
                timestamp=recorded or at(on),
                recorded_by=by,
                effective_on=on,
                **fields,
            )
        )
        return f"{STAFF}:{version}"

    def enroll(
        self,
        enrollment_id: str,
        on: date,
        *,
        mode: Mode = Mode.FULL_TIME,
        track: Track = Track.STATE_MANAGEMENT,
        level: str | None = "specialist",
        ends_on: date | None = None,
        recorded: datetime | None = None,
    ) -> str:
        return self._add(
            StaffMember.Enrolled,
            on,
            recorded,
            enrollment_id=enrollment_id,
            course_code=f"K-{enrollment_id}",
            course_title=f"Khóa {enrollment_id}",
            track=track,
            level=level,
            provider="Học viện Hành chính Quốc gia",
            mode=mode,
            ends_on=ends_on,
            decision_ref="QĐ 12/QĐ-CT",
            funding=None,
            cost=None,
            country=None,
        )

    def complete(
        self,
        enrollment_id: str,
        on: date,
        *,
        credential_id: str | None = None,
        number: str | None = "CC-001",
        issued_on: date | None = None,
        recorded: datetime | None = None,
    ) -> str:
        award = None
        if credential_id is not None:
            award = CredentialAward(
                credential_id=credential_id,
                title=f"Chứng chỉ {credential_id}",
                issuer="Học viện Hành chính Quốc gia",
                issued_on=issued_on or on,
                number=number,
            )
        return self._add(
            StaffMember.Completed, on, recorded, enrollment_id=enrollment_id, credential=award, score=None
        )

    def fail(self, enrollment_id: str, on: date, *, recorded: datetime | None = None) -> str:
        return self._add(StaffMember.Failed, on, recorded, enrollment_id=enrollment_id, score=None)

    def withdraw(self, enrollment_id: str, on: date) -> str:
        return self._add(StaffMember.Withdrawn, on, None, enrollment_id=enrollment_id, reason="Ốm dài ngày")

    def recognize(
        self,
        credential_id: str,
        on: date,
        *,
        track: Track = Track.PROFESSIONAL,
        level: str | None = "bachelor",
        document: str = "Bản sao bằng số 123",
        verified_by: str | None = "Mai Thùy Chi",
        recorded: datetime | None = None,
        by: str = HR,
    ) -> str:
        return self._add(
            StaffMember.CredentialRecognized,
            on,
            recorded,
            by=by,
            credential_id=credential_id,
            track=track,
            level=level,
            title=f"Bằng {credential_id}",
            issuer="Đại học Kinh tế Quốc dân",
            number=None,
            evidence=Evidence(document_ref=document, verified_by=verified_by),
        )

    def correct(self, event_id: str, *, reason: str, recorded: datetime, by: str = "to-chuc-2") -> str:
        return self._add(
            StaffMember.Corrected, recorded.date(), recorded, by=by, voided_event_id=event_id, reason=reason
        )

    def anomalies(self, rules: AnomalyRules | None = None) -> list[Anomaly]:
        return person_anomalies(self.events, rules)

    def codes(self, rules: AnomalyRules | None = None) -> list[str]:
        return [a.code for a in self.anomalies(rules)]

    def only(self, code: str, rules: AnomalyRules | None = None) -> list[Anomaly]:
        return [a for a in self.anomalies(rules) if a.code == code]


def clean_course(history: History, enrollment_id: str = "E1", start: date = date(2021, 3, 1)) -> str:
    history.enroll(enrollment_id, start, ends_on=start + timedelta(days=40))
    return history.complete(enrollment_id, start + timedelta(days=40), credential_id=f"VB-{enrollment_id}")
