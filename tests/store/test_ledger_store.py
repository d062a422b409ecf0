"""The Ledger application on a real store (SQLite file and PostgreSQL): every command round-trips
exactly, conflicts are named, nothing refused is ever recorded, history and time travel read back."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from write_fixtures import (
    BORN,
    EPOCH,
    REGISTRAR,
    CapturingLedger,
    Ticker,
    dump_log,
    event_summary,
    register,
)

from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import (
    Employment,
    EvaluationKind,
    Funding,
    Gender,
    Mode,
    Outcome,
    Rating,
    RotationKind,
    Track,
)
from ledger.domain.fold import fold_record
from ledger.domain.record import CredentialAward, EnrollmentStatus, Evidence, Waiver
from ledger.service import CredentialDetails, WriteResult
from ledger.staff import StaffMember
from ledger.store.config import StoreConfig


@pytest.fixture
def capturing(store: StoreConfig) -> Iterator[CapturingLedger]:
    app = CapturingLedger(store, clock=Ticker())
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def reopened(store: StoreConfig) -> Iterator[Ledger]:
    """A second Ledger on the same store, as a restarted process would open it."""
    app = Ledger(store)
    try:
        yield app
    finally:
        app.close()


def write_every_command(ledger: Ledger) -> dict[str, WriteResult]:
    """One write of each kind (plus a failed course and a correction) for staff NV001."""
    results = {"register": register(ledger, full_name="Nguyễn Thị Hồng Nhung")}
    results["enroll"] = ledger.enroll(
        "NV001",
        enrollment_id="LLCT-2019",
        course_code="LLCT-TC",
        course_title="Trung cấp lý luận chính trị - hành chính",
        track=Track.POLITICAL_THEORY,
        level="intermediate",
        provider="Trường Chính trị tỉnh Bắc Ninh",
        mode=Mode.PART_TIME,
        starts_on=date(2019, 3, 1),
        ends_on=date(2020, 6, 1),
        decision_ref="QĐ 123/QĐ-UBND",
        funding=Funding.STATE_BUDGET,
        cost=Decimal("12500000.50"),
        country="VN",
        recorded_by=REGISTRAR,
    )
    results["complete"] = ledger.complete(
        "NV001",
        "LLCT-2019",
        completed_on=date(2020, 6, 30),
        outcome=Outcome.PASSED,
        credential=CredentialDetails(
            credential_id="TC-0042", number="Số 0042/TC", issued_on=date(2020, 7, 2)
        ),
        score=Decimal("8.50"),
        recorded_by=REGISTRAR,
    )
    results["enroll_it"] = ledger.enroll(
        "NV001",
        enrollment_id="IT-2021",
        course_code="TH-NC",
        course_title="Tin học nâng cao",
        track=Track.IT,
        level="advanced",
        provider="Trung tâm Tin học",
        mode=Mode.ONLINE,
        starts_on=date(2021, 2, 1),
        recorded_by=REGISTRAR,
    )
    results["fail"] = ledger.complete(
        "NV001",
        "IT-2021",
        completed_on=date(2021, 5, 1),
        outcome=Outcome.FAILED,
        score=Decimal("3.0"),
        recorded_by=REGISTRAR,
    )
    results["enroll_other"] = ledger.enroll(
        "NV001",
        enrollment_id="WS-2022",
        course_code="WS-CĐS",
        course_title="Hội thảo chuyển đổi số",
        track=Track.OTHER,
        level=None,
        provider="Sở Thông tin và Truyền thông",
        mode=Mode.FULL_TIME,
        starts_on=date(2022, 4, 4),
        recorded_by=REGISTRAR,
    )
    results["withdraw"] = ledger.withdraw(
        "NV001", "WS-2022", on=date(2022, 4, 5), reason="Ốm đột xuất", recorded_by=REGISTRAR
    )
    results["recognize"] = ledger.recognize_credential(
        "NV001",
        credential_id="DH-LUAT",
        track=Track.PROFESSIONAL,
        level="bachelor",
        title="Cử nhân Luật",
        issuer="Trường Đại học Luật Hà Nội",
        issued_on=date(2002, 6, 15),
        number="QH-2002-1234",
        evidence=Evidence(document_ref="Hồ sơ cán bộ số 15/2005", verified_by="Phòng TCCB"),
        recorded_by=REGISTRAR,
    )
    results["rotate"] = ledger.rotate(
        "NV001",
        to_unit="Chi cục Thuế khu vực Đông Anh",
        kind=RotationKind.SECONDMENT,
        starts_on=date(2022, 7, 1),
        ends_on=date(2023, 6, 30),
        decision_ref="QĐ 45/QĐ-TCT",
        position="Phó Chi cục trưởng",
        recorded_by=REGISTRAR,
    )
    results["appoint"] = ledger.appoint(
        "NV001",
        position="Phó Trưởng phòng",
        effective_on=date(2023, 8, 1),
        decision_ref="QĐ 77/QĐ-CT",
        waiver=Waiver(
            legal_basis="Thông tư 12/2022/TT-BNV",
            deadline=date(2024, 8, 1),
            reason="Bồi dưỡng cấp phòng trong 12 tháng",
        ),
        recorded_by=REGISTRAR,
    )
    results["rate"] = ledger.evaluate(
        "NV001",
        kind=EvaluationKind.ANNUAL,
        year=2023,
        rating=Rating.EXCELLENT,
        score=Decimal("92.5"),
        evaluator="Cục trưởng",
        notes="Hoàn thành xuất sắc",
        recorded_by=REGISTRAR,
    )
    results["evaluate_after"] = ledger.evaluate(
        "NV001",
        kind=EvaluationKind.POST_TRAINING,
        enrollment_id="LLCT-2019",
        on=date(2021, 1, 15),
        rating=Rating.GOOD,
        evaluator="Trưởng phòng",
        recorded_by=REGISTRAR,
    )
    results["correct"] = ledger.correct(
        "NV001", event_id=results["rotate"].event_id, reason="Nhập nhầm quyết định", recorded_by=REGISTRAR
    )
    results["depart"] = ledger.depart(
        "NV001", on=date(2024, 9, 30), reason="Chuyển công tác", recorded_by=REGISTRAR
    )
    return results


# ----------------------------------------------------------------- round trips


def test_every_command_round_trips_through_the_store_exactly(
    capturing: CapturingLedger, reopened: Ledger
) -> None:
    write_every_command(capturing)
    read_back = reopened.events_of("NV001")
    assert [event_summary(e) for e in read_back] == [event_summary(e) for e in capturing.saved]
    assert read_back == capturing.saved


def test_a_replayed_member_has_the_record_built_in_memory(
    capturing: CapturingLedger, reopened: Ledger
) -> None:
    write_every_command(capturing)
    replayed = reopened.get_member("NV001")
    assert replayed.record == fold_record(capturing.saved)
    assert replayed.version == len(capturing.saved)


def test_enums_come_back_as_enum_members(ledger: Ledger) -> None:
    write_every_command(ledger)
    record = ledger.record("NV001")
    assert type(record.gender) is Gender
    assert type(record.employment) is Employment
    enrollment = record.enrollments["LLCT-2019"]
    assert type(enrollment.track) is Track
    assert type(enrollment.mode) is Mode
    assert type(enrollment.funding) is Funding
    assert type(record.evaluations[0].kind) is EvaluationKind
    assert type(record.evaluations[0].rating) is Rating


def test_decimals_keep_their_exact_digits(ledger: Ledger) -> None:
    write_every_command(ledger)
    record = ledger.record("NV001")
    assert str(record.enrollments["LLCT-2019"].cost) == "12500000.50"
    assert str(record.enrollments["LLCT-2019"].score) == "8.50"
    assert str(record.enrollments["IT-2021"].score) == "3.0"
    assert str(record.evaluations[0].score) == "92.5"


def test_nested_value_objects_come_back_whole(ledger: Ledger) -> None:
    results = write_every_command(ledger)
    events = {e.originator_version: e for e in ledger.events_of("NV001")}
    completed = events[results["complete"].version]
    assert isinstance(completed, StaffMember.Completed)
    assert completed.credential == CredentialAward(
        credential_id="TC-0042",
        title="Trung cấp lý luận chính trị - hành chính",
        issuer="Trường Chính trị tỉnh Bắc Ninh",
        issued_on=date(2020, 7, 2),
        number="Số 0042/TC",
    )
    appointed = events[results["appoint"].version]
    assert isinstance(appointed, StaffMember.Appointed)
    assert appointed.waiver is not None
    assert type(appointed.waiver.deadline) is date
    assert appointed.unmet, "the position standard's gaps are recorded with the appointment"
    assert all(type(u.deadline) in (date, type(None)) for u in appointed.unmet)
    recognized = events[results["recognize"].version]
    assert isinstance(recognized, StaffMember.CredentialRecognized)
    assert recognized.evidence == Evidence("Hồ sơ cán bộ số 15/2005", "Phòng TCCB")


def test_dates_and_recording_times_come_back_exactly(ledger: Ledger) -> None:
    recorded_at = datetime(2019, 3, 2, 1, 2, 3, 456789, tzinfo=UTC)
    register(ledger, recorded_at=recorded_at)
    (event,) = ledger.events_of("NV001")
    assert isinstance(event, StaffMember.Registered)
    assert event.timestamp == recorded_at
    assert event.timestamp.utcoffset() == timedelta(0)
    assert type(event.birth_date) is date
    assert event.birth_date == BORN


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_vietnamese_names_are_stored_composed_whatever_form_they_are_written_in(
    ledger: Ledger, form: str
) -> None:
    name = "Nguyễn Thị Ngọc Ánh Đặng Hữu Phước"
    unit = "Phòng Kế hoạch - Tài chính"
    register(
        ledger, full_name=unicodedata.normalize(form, name), unit=unicodedata.normalize(form, unit)
    )
    fresh = Ledger(ledger.store)
    try:
        record = fresh.record("NV001")
    finally:
        fresh.close()
    assert record.full_name.encode() == unicodedata.normalize("NFC", name).encode()
    assert record.home_unit.encode() == unicodedata.normalize("NFC", unit).encode()


def test_a_passed_course_gets_default_credential_details(ledger: Ledger) -> None:
    register(ledger)
    ledger.enroll(
        "NV001",
        enrollment_id="E1",
        course_code="QLNN-CV",
        course_title="Bồi dưỡng ngạch chuyên viên",
        track=Track.STATE_MANAGEMENT,
        level="specialist",
        provider="Học viện Hành chính Quốc gia",
        mode=Mode.BLENDED,
        starts_on=date(2021, 3, 1),
        recorded_by=REGISTRAR,
    )
    result = ledger.complete(
        "NV001", "E1", completed_on=date(2021, 5, 20), outcome=Outcome.PASSED, recorded_by=REGISTRAR
    )
    assert result.credential_id is not None
    credential = ledger.record("NV001").credentials[result.credential_id]
    assert credential.title == "Bồi dưỡng ngạch chuyên viên"
    assert credential.issuer == "Học viện Hành chính Quốc gia"
    assert credential.issued_on == date(2021, 5, 20)
    assert (credential.track, credential.level) == (Track.STATE_MANAGEMENT, "specialist")


def test_an_enrollment_without_an_id_gets_one(ledger: Ledger) -> None:
    register(ledger)
    result = ledger.enroll(
        "NV001",
        course_code="QP-AN",
        course_title="Bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 4",
        track=Track.DEFENSE_SECURITY,
        level="group4",
        provider="Bộ Chỉ huy quân sự tỉnh",
        mode=Mode.FULL_TIME,
        starts_on=date(2022, 9, 5),
        recorded_by=REGISTRAR,
    )
    assert result.enrollment_id
    assert result.enrollment_id in ledger.record("NV001").enrollments


def test_write_results_say_where_each_event_landed(ledger: Ledger) -> None:
    results = list(write_every_command(ledger).values())
    assert [r.version for r in results] == list(range(1, len(results) + 1))
    assert [r.event_id for r in results] == [f"NV001:{n}" for n in range(1, len(results) + 1)]
    positions = [r.position for r in results]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
    events = ledger.events_of("NV001")
    assert [r.recorded_at for r in results] == [e.timestamp for e in events]


def test_a_post_training_evaluation_without_a_date_is_dated_the_day_it_is_recorded(
    ledger: Ledger,
) -> None:
    write_every_command(ledger)
    ledger.evaluate(
        "NV001",
        kind=EvaluationKind.POST_TRAINING,
        enrollment_id="LLCT-2019",
        rating=Rating.GOOD,
        evaluator="Trưởng phòng",
        recorded_by=REGISTRAR,
        recorded_at=datetime(2023, 2, 14, 10, tzinfo=UTC),
    )
    assert ledger.record("NV001").evaluations[-1].effective_on == date(2023, 2, 14)


# ------------------------------------------------------------------- conflicts


def test_a_duplicate_registration_is_refused(ledger: Ledger) -> None:
    register(ledger)
    before = dump_log(ledger.store)
    with pytest.raises(errors.DuplicateRegistration) as caught:
        register(ledger, full_name="Someone Else")
    assert caught.value.field == "staff_id"
    assert dump_log(ledger.store) == before


class BlindLedger(Ledger):
    """A Ledger that did not see the other process's registration (the race window)."""

    def staff_exists(self, staff_id: str) -> bool:
        return False


def test_a_registration_that_loses_a_race_is_a_duplicate_registration(store: StoreConfig) -> None:
    first, second = Ledger(store), BlindLedger(store)
    try:
        register(first)
        before = dump_log(store)
        with pytest.raises(errors.DuplicateRegistration):
            register(second)
        assert dump_log(store) == before
    finally:
        first.close()
        second.close()


def test_a_stale_expected_version_is_refused_and_records_nothing(ledger: Ledger) -> None:
    register(ledger)
    ledger.appoint(
        "NV001", position="Kế toán viên", effective_on=date(2022, 6, 1), decision_ref="QĐ 1",
        recorded_by=REGISTRAR,
    )
    before = dump_log(ledger.store)
    with pytest.raises(errors.StaleVersion):
        ledger.depart(
            "NV001", on=date(2024, 1, 1), reason="Nghỉ hưu", recorded_by=REGISTRAR, expected_version=1
        )
    assert dump_log(ledger.store) == before
    assert ledger.record("NV001").departed_on is None


def test_the_current_expected_version_is_accepted(ledger: Ledger) -> None:
    register(ledger)
    result = ledger.depart(
        "NV001", on=date(2024, 1, 1), reason="Nghỉ hưu", recorded_by=REGISTRAR, expected_version=1
    )
    assert result.version == 2


def test_a_write_to_an_unknown_staff_member_is_refused(ledger: Ledger) -> None:
    with pytest.raises(errors.StaffNotFound):
        ledger.depart("NV404", on=date(2024, 1, 1), reason="Nghỉ hưu", recorded_by=REGISTRAR)
    assert dump_log(ledger.store) == ([], [])


def test_a_refused_command_records_nothing(ledger: Ledger) -> None:
    register(ledger)
    before = dump_log(ledger.store)
    with pytest.raises(errors.BeforeJoining):
        ledger.appoint(
            "NV001", position="Trưởng phòng", effective_on=date(2004, 1, 1), decision_ref="QĐ 2",
            recorded_by=REGISTRAR,
        )
    assert dump_log(ledger.store) == before


def test_voiding_an_event_of_another_staff_member_is_refused(ledger: Ledger) -> None:
    register(ledger)
    register(ledger, "NV002")
    with pytest.raises(errors.EventOfAnotherStaff) as caught:
        ledger.correct("NV001", event_id="NV002:1", reason="x", recorded_by=REGISTRAR)
    assert caught.value.field == "event_id"


def test_voiding_an_event_of_an_unknown_staff_member_is_not_found(ledger: Ledger) -> None:
    register(ledger)
    with pytest.raises(errors.EventNotFound) as caught:
        ledger.correct("NV001", event_id="NV999:1", reason="x", recorded_by=REGISTRAR)
    assert caught.value.field == "event_id"


def test_an_unknown_code_is_a_named_error_not_a_crash(ledger: Ledger) -> None:
    register(ledger)
    ledger.enroll(
        "NV001", enrollment_id="E1", course_code="X", course_title="X", track=Track.IT, level="basic",
        provider="X", mode=Mode.ONLINE, starts_on=date(2020, 1, 1), recorded_by=REGISTRAR,
    )
    with pytest.raises(errors.InvalidInput) as caught:
        ledger.complete(
            "NV001", "E1", completed_on=date(2020, 2, 1), outcome="great",  # type: ignore[arg-type]
            recorded_by=REGISTRAR,
        )
    assert caught.value.field == "outcome"


# -------------------------------------------------------------------- history


def test_history_lists_every_event_with_position_recorder_and_voiding(ledger: Ledger) -> None:
    results = write_every_command(ledger)
    history = ledger.history("NV001")
    assert [h.event_id for h in history] == [r.event_id for r in results.values()]
    assert [h.position for h in history] == [r.position for r in results.values()]
    assert {h.recorded_by for h in history} == {REGISTRAR}
    voided = {h.event_id: h.voided_by for h in history if h.voided_by}
    assert voided == {results["rotate"].event_id: results["correct"].event_id}
    assert [h.type for h in history][:3] == ["Registered", "Enrolled", "Completed"]


def test_history_names_each_business_date_as_the_contract_does(ledger: Ledger) -> None:
    results = write_every_command(ledger)
    by_id = {h.event_id: h for h in ledger.history("NV001")}
    assert by_id[results["register"].event_id].data["joined_on"] == date(2005, 3, 1)
    assert by_id[results["complete"].event_id].data["completed_on"] == date(2020, 6, 30)
    assert by_id[results["fail"].event_id].data["completed_on"] == date(2021, 5, 1)
    assert by_id[results["withdraw"].event_id].data["on"] == date(2022, 4, 5)
    assert by_id[results["depart"].event_id].data["on"] == date(2024, 9, 30)


def test_history_keeps_the_voided_event_while_the_record_drops_it(ledger: Ledger) -> None:
    results = write_every_command(ledger)
    history_ids = [h.event_id for h in ledger.history("NV001")]
    assert results["rotate"].event_id in history_ids
    assert ledger.record("NV001").rotations == []


def test_the_history_of_an_unknown_staff_member_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(errors.StaffNotFound):
        ledger.history("NV404")


# ----------------------------------------------------------------- time travel


def test_record_answers_as_of_a_business_date(ledger: Ledger) -> None:
    write_every_command(ledger)
    mid_course = ledger.record("NV001", as_of=date(2019, 12, 31))
    assert mid_course.enrollments["LLCT-2019"].status == EnrollmentStatus.ENROLLED
    assert "TC-0042" not in mid_course.credentials
    later = ledger.record("NV001", as_of=date(2021, 1, 1))
    assert later.qualifications()[Track.POLITICAL_THEORY].level == "intermediate"
    assert later.status_on(date(2021, 1, 1)) == "active"
    now = ledger.record("NV001")
    assert now.status_on(date(2025, 1, 1)) == "departed"


def test_record_answers_as_known_before_and_after_a_correction(store: StoreConfig) -> None:
    ticker = Ticker()
    ledger = Ledger(store, clock=ticker)
    try:
        register(ledger)
        recognized = ledger.recognize_credential(
            "NV001", credential_id="R1", track=Track.IT, level="basic", title="Chứng chỉ tin học",
            issuer="Trung tâm Tin học", issued_on=date(2010, 1, 1),
            evidence=Evidence("Hồ sơ 1"), recorded_by=REGISTRAR,
        )
        known_before = ticker.now + timedelta(seconds=30)
        ledger.correct("NV001", event_id=recognized.event_id, reason="Sai", recorded_by=REGISTRAR)
        assert "R1" in ledger.record("NV001", known_at=known_before).credentials
        assert "R1" not in ledger.record("NV001").credentials
        assert "R1" not in ledger.record("NV001", as_of=date(2015, 1, 1)).credentials
        assert "R1" in ledger.record("NV001", as_of=date(2015, 1, 1), known_at=known_before).credentials
    finally:
        ledger.close()


def test_record_before_the_registration_was_recorded_is_not_found(ledger: Ledger) -> None:
    register(ledger, recorded_at=EPOCH)
    with pytest.raises(errors.StaffNotFound):
        ledger.record("NV001", known_at=EPOCH - timedelta(seconds=1))


def test_record_with_a_known_at_without_time_zone_is_a_named_error(ledger: Ledger) -> None:
    register(ledger, recorded_at=EPOCH)
    with pytest.raises(errors.InvalidInput) as caught:
        ledger.record("NV001", known_at=datetime(2030, 1, 1))
    assert caught.value.field == "known_at"


def test_a_fresh_ledger_reads_what_another_wrote(store: StoreConfig) -> None:
    writer, reader = Ledger(store), Ledger(store)
    try:
        result = register(writer)
        assert reader.get_member("NV001").version == result.version
        assert reader.staff_exists("NV001")
        assert not reader.staff_exists("NV002")
    finally:
        writer.close()
        reader.close()
