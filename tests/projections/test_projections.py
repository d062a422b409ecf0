"""The views answer what the read side promises: standing, directory, trails, reports, time travel.

Every test runs on a real SQLite file and a real PostgreSQL schema (the ``store`` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from projections_fixtures import Clock, small_agency

from ledger.application import Ledger
from ledger.domain.errors import InvalidInput
from ledger.domain.record import Evidence, Waiver
from ledger.store.config import StoreConfig
from projections.credentials import FlagRules
from projections.engine import Engine
from projections.queries import ReadModel, ViewNotReady
from projections.read_base import NOT_BUILT


@dataclass
class World:
    ledger: Ledger
    engine: Engine
    reads: ReadModel
    clock: Clock
    facts: dict[str, Any]

    def sync(self) -> None:
        self.engine.run_until_idle()


@pytest.fixture
def world(store: StoreConfig) -> Iterator[World]:
    clock = Clock()
    ledger = Ledger(store)
    engine = Engine(ledger)
    reads = ReadModel(ledger, engine=engine)
    facts = small_agency(ledger, clock)
    engine.run_until_idle()
    try:
        yield World(ledger, engine, reads, clock, facts)
    finally:
        reads.close()
        engine.stop()
        ledger.close()


# ---------------------------------------------------------------------------------- standing


def test_the_standing_shows_the_highest_level_per_track_and_its_credential(world: World) -> None:
    standing = world.reads.standing("CB001")
    assert standing is not None
    assert standing.qualifications["political_theory"].level == "intermediate"
    assert standing.qualifications["political_theory"].credential_id == world.facts["completed"].credential_id
    assert standing.qualifications["professional"].level == "bachelor"
    assert {c.credential_id for c in standing.credentials} == {
        world.facts["completed"].credential_id,
        "BANG-DH",
    }
    assert [(e.enrollment_id, e.status) for e in standing.enrollments] == [("E1", "completed")]
    assert standing.version == 3 + 0 + 1  # registration, enrollment, completion, recognition


def test_the_standing_of_an_unknown_person_is_none(world: World) -> None:
    assert world.reads.standing("NOBODY") is None
    assert world.reads.standing("NOBODY", as_of=date(2020, 1, 1)) is None


def test_the_standing_on_an_earlier_date_lacks_what_came_later(world: World) -> None:
    before = world.reads.standing("CB001", as_of=date(2019, 12, 31))
    assert before is not None
    assert "political_theory" not in before.qualifications
    assert [(e.enrollment_id, e.status) for e in before.enrollments] == [("E1", "enrolled")]
    assert before.as_of == date(2019, 12, 31)


def test_a_running_secondment_sets_the_unit_of_the_day(world: World) -> None:
    standing = world.reads.standing("CB002")
    assert standing is not None
    assert standing.unit == "Phòng Tổ chức"
    assert standing.home_unit == "Phòng Kế hoạch"
    earlier = world.reads.standing("CB002", as_of=date(2021, 12, 31))
    assert earlier is not None
    assert earlier.unit == "Phòng Kế hoạch"


def test_the_standing_as_known_before_a_correction_still_has_the_voided_event(world: World) -> None:
    wrong = world.facts["wrong"]
    now = world.reads.standing("CB002")
    assert now is not None
    assert "E3" not in {e.enrollment_id for e in now.enrollments}
    then = world.reads.standing(
        "CB002", known_at=world.facts["correction"].recorded_at - timedelta(seconds=1)
    )
    assert then is not None
    assert "E3" in {e.enrollment_id for e in then.enrollments}
    assert then.version == wrong.version
    assert world.reads.standing("CB002", known_at=world.clock.start) is None


def test_a_departed_person_is_departed_after_the_date_and_active_before(world: World) -> None:
    standing = world.reads.standing("CB003")
    assert standing is not None
    assert standing.status == "departed"
    before = world.reads.standing("CB003", as_of=date(2023, 6, 29))
    assert before is not None
    assert before.status == "active"


def test_an_event_dated_in_the_future_shows_only_from_its_date(world: World) -> None:
    today = world.reads.today()
    world.ledger.appoint(
        "CB001",
        position="Trưởng phòng",
        effective_on=today + timedelta(days=30),
        decision_ref="QĐ 99",
        waiver=Waiver("NĐ 29/2024", today + timedelta(days=400), "đang học"),
        recorded_by="r",
        recorded_at=world.clock.tick(),
    )
    world.sync()
    now = world.reads.standing("CB001")
    assert now is not None
    assert now.position == "Chuyên viên"
    later = world.reads.standing("CB001", as_of=today + timedelta(days=31))
    assert later is not None
    assert later.position == "Trưởng phòng"


# --------------------------------------------------------------------------------- directory


@pytest.mark.parametrize("query", ["nguyen van an", "NGUYEN", "Nguyễn Văn", "văn an", "cb001"])
def test_the_directory_search_ignores_case_and_diacritics(world: World, query: str) -> None:
    page = world.reads.directory(q=query)
    assert [e.staff_id for e in page.items] == ["CB001"]


def test_the_directory_search_treats_d_with_stroke_as_d(world: World) -> None:
    assert [e.staff_id for e in world.reads.directory(q="dang duc dat").items] == ["CB003"]


def test_the_directory_filters_by_the_unit_people_work_in_today(world: World) -> None:
    page = world.reads.directory(unit="Phòng Tổ chức")
    assert [e.staff_id for e in page.items] == ["CB001", "CB002", "CB003"]  # An, Bình, Đạt
    active = world.reads.directory(unit="Phòng Tổ chức", status="active")
    assert [e.staff_id for e in active.items] == ["CB001", "CB002"]


def test_the_directory_filters_by_highest_level(world: World) -> None:
    assert [e.staff_id for e in world.reads.directory(track="political_theory").items] == ["CB001"]
    held = world.reads.directory(track="political_theory", level="intermediate")
    assert [e.staff_id for e in held.items] == ["CB001"]
    assert world.reads.directory(track="political_theory", level="advanced").items == ()
    assert world.reads.directory(gender="female").items[0].staff_id == "CB002"


def test_the_directory_pages_with_an_opaque_cursor(world: World) -> None:
    first = world.reads.directory(limit=2)
    assert len(first.items) == 2
    assert first.next_cursor is not None
    second = world.reads.directory(limit=2, cursor=first.next_cursor)
    assert second.next_cursor is None
    names = [e.full_name for e in first.items + second.items]
    assert names == ["Nguyễn Văn An", "Trần Thị Bình", "Đặng Đức Đạt"]  # by given name: An, Bình, Đạt


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"status": "retired"}, "status"),
        ({"gender": "x"}, "gender"),
        ({"level": "bachelor"}, "level"),
        ({"track": "it", "level": "bachelor"}, "level"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
    ],
)
def test_bad_directory_arguments_are_named_errors(
    world: World, arguments: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        world.reads.directory(**arguments)
    assert error.value.field == field


# ------------------------------------------------------------------------------------ trails


def test_the_trail_of_a_course_credential_shows_how_it_was_obtained(world: World) -> None:
    trail = world.reads.trail("CB001", world.facts["completed"].credential_id)
    assert trail is not None
    assert [(s.role, s.type) for s in trail.steps] == [
        ("registration", "Registered"),
        ("enrollment", "Enrolled"),
        ("completion", "Completed"),
    ]
    assert trail.steps[1].data["decision_ref"] == "QĐ 12/2019"
    assert trail.steps[2].position == world.facts["completed"].position
    assert trail.credential.track == "political_theory"
    assert trail.credential.level == "intermediate"
    assert trail.status == "valid"


def test_a_completion_recorded_long_after_the_fact_is_flagged(world: World) -> None:
    # Recorded in June 2021, a course completed in March 2020.
    world.ledger.enroll(
        "CB003",
        enrollment_id="E9",
        course_code="QP",
        course_title="Quốc phòng an ninh",
        track="defense_security",
        level="group3",
        provider="Trường Quân sự",
        mode="full_time",
        starts_on=date(2020, 3, 1),
        recorded_by="r",
        recorded_at=datetime(2021, 6, 1, tzinfo=UTC),
    )
    late = world.ledger.complete(
        "CB003",
        "E9",
        completed_on=date(2020, 3, 12),
        outcome="passed",
        recorded_by="r",
        recorded_at=datetime(2021, 6, 1, tzinfo=UTC),
    )
    world.sync()
    trail = world.reads.trail("CB003", late.credential_id or "")
    assert trail is not None
    codes = {f.code for f in trail.flags}
    assert "recorded_late" in codes
    assert "no_dispatch_decision" in codes
    strict = ReadModel(world.ledger, flag_rules=FlagRules(late_after_days=100_000))
    try:
        relaxed = strict.trail("CB003", late.credential_id or "")
        assert relaxed is not None
        assert "recorded_late" not in {f.code for f in relaxed.flags}
    finally:
        strict.close()


def test_a_recognized_credential_with_no_verifier_is_flagged(world: World) -> None:
    trail = world.reads.trail("CB001", "BANG-DH")
    assert trail is not None
    assert [s.role for s in trail.steps] == ["registration", "recognition"]
    assert "recognized_without_verifier" in {f.code for f in trail.flags}
    assert trail.credential.document_ref == "Bằng số 123"


def test_a_voided_credential_has_a_voided_trail_with_the_correction(world: World) -> None:
    completed = world.facts["completed"]
    correction = world.ledger.correct(
        "CB001",
        event_id=completed.event_id,
        reason="sai ngày",
        recorded_by="r",
        recorded_at=world.clock.tick(),
    )
    world.sync()
    trail = world.reads.trail("CB001", completed.credential_id)
    assert trail is not None
    assert trail.status == "voided"
    assert trail.voided_by == correction.event_id
    assert [(s.role, s.voided_by) for s in trail.steps][-2:] == [
        ("completion", correction.event_id),
        ("correction", None),
    ]
    assert {"voided", "corrected"} <= {f.code for f in trail.flags}


def test_an_unknown_credential_has_no_trail(world: World) -> None:
    assert world.reads.trail("CB001", "NOPE") is None
    assert world.reads.trail("NOBODY", "NOPE") is None


# ----------------------------------------------------------------------------------- reports


def test_the_qualifications_report_counts_active_staff_by_highest_level(world: World) -> None:
    report = world.reads.qualifications()
    assert report.headcount == 2  # CB003 has departed
    assert report.tracks["political_theory"] == {
        "elementary": 0,
        "intermediate": 1,
        "advanced": 0,
        "bachelor": 0,
    }
    assert report.tracks["professional"]["bachelor"] == 1
    assert report.by_gender == {"female": 1, "male": 1}
    assert report.by_unit == {"Phòng Tổ chức": 2}
    assert report.by_employment == {"civil_servant": 1, "contract": 1}
    assert sum(report.by_age_band.values()) == 2
    assert report.tracks_by_gender["male"]["political_theory"]["intermediate"] == 1


def test_a_person_with_two_levels_of_a_track_is_counted_once_under_the_highest(world: World) -> None:
    for credential_id, level in (("LLCT-CC", "advanced"), ("LLCT-CN", "bachelor")):
        world.ledger.recognize_credential(
            "CB001",
            credential_id=credential_id,
            track="political_theory",
            level=level,
            title=level,
            issuer="Học viện",
            issued_on=date(2021, 1, 1),
            evidence=Evidence("QĐ", "Phòng TCCB"),
            recorded_by="r",
            recorded_at=world.clock.tick(),
        )
    world.sync()
    counts = world.reads.qualifications().tracks["political_theory"]
    assert counts == {"elementary": 0, "intermediate": 0, "advanced": 0, "bachelor": 1}


def test_the_qualifications_report_on_an_earlier_date_counts_who_was_there(world: World) -> None:
    report = world.reads.qualifications(as_of=date(2019, 1, 1))
    assert report.headcount == 3
    assert report.tracks["political_theory"]["intermediate"] == 0
    assert world.reads.qualifications(as_of=date(2019, 1, 1), unit="Phòng Tổ chức").headcount == 2
    assert world.reads.qualifications(employment="contract").headcount == 1


def test_attendances_count_person_times_and_persons_and_keep_departed_staff(world: World) -> None:
    world.ledger.enroll(
        "CB003",
        enrollment_id="E7",
        course_code="LLCT-TC",
        course_title="Trung cấp LLCT",
        track="political_theory",
        level="intermediate",
        provider="Trường",
        mode="full_time",
        starts_on=date(2021, 2, 1),
        recorded_by="r",
        recorded_at=world.clock.tick(),
    )
    world.ledger.enroll(
        "CB001",
        enrollment_id="E8",
        course_code="LLCT-CC",
        course_title="Cao cấp LLCT",
        track="political_theory",
        level="advanced",
        provider="Học viện",
        mode="part_time",
        starts_on=date(2021, 9, 1),
        recorded_by="r",
        recorded_at=world.clock.tick(),
    )
    world.sync()
    report = world.reads.attendance(date(2019, 1, 1), date(2022, 12, 31))
    assert (report.attendances, report.persons) == (4, 3)  # E1, E2, E7, E8; E3 was voided
    assert report.by_track["political_theory"].attendances == 3
    assert report.by_track["political_theory"].persons == 2
    assert report.by_year == {"2019": 1, "2021": 3}
    assert report.by_status["completed"].attendances == 1
    assert report.by_gender["male"].persons == 2
    only_it = world.reads.attendance(date(2019, 1, 1), date(2022, 12, 31), tracks=["it"])
    assert only_it.attendances == 0


def test_a_course_starting_on_the_35th_birthday_counts_as_35_and_over_a_29_february_one_included(
    world: World,
) -> None:
    world.ledger.register(
        staff_id="CB029",
        full_name="Lê Thị Nhuận",
        gender="female",
        birth_date=date(1988, 2, 29),
        unit="Phòng Tổ chức",
        joined_on=date(2010, 1, 4),
        recorded_by="r",
        recorded_at=world.clock.tick(),
    )
    # The 35th birthday of someone born on 29 February 1988 is 1 March 2023.
    for enrollment_id, starts_on in [("B1", date(2023, 2, 28)), ("B2", date(2023, 3, 1))]:
        world.ledger.enroll(
            "CB029",
            enrollment_id=enrollment_id,
            course_code="TH-" + enrollment_id,
            course_title="Tin học",
            track="it",
            level="basic",
            provider="Trường",
            mode="part_time",
            starts_on=starts_on,
            recorded_by="r",
            recorded_at=world.clock.tick(),
        )
    world.sync()
    report = world.reads.attendance(date(2023, 1, 1), date(2023, 12, 31))
    assert report.by_age_at_start["under_35"].attendances == 1
    assert report.by_age_at_start["35_and_over"].attendances == 1


def test_a_correction_changes_a_past_report_as_known_today_not_as_known_then(world: World) -> None:
    correction = world.facts["correction"]
    period = (date(2021, 1, 1), date(2021, 12, 31))
    today = world.reads.attendance(*period)
    then = world.reads.attendance(*period, known_at=correction.recorded_at - timedelta(seconds=1))
    assert today.by_track.get("it") is None
    assert then.by_track["it"].attendances == 1
    assert (then.attendances, today.attendances) == (2, 1)


def test_the_attendance_report_defaults_to_the_first_course_until_today(world: World) -> None:
    report = world.reads.attendance()
    assert report.from_ == date(2019, 3, 1)
    assert report.to == world.reads.today()


def test_reports_refuse_unknown_codes(world: World) -> None:
    with pytest.raises(InvalidInput):
        world.reads.attendance(tracks=["astrology"])
    with pytest.raises(InvalidInput):
        world.reads.qualifications(employment="volunteer")
    with pytest.raises(InvalidInput):
        world.reads.attendance(date(2022, 1, 1), date(2021, 1, 1))


# ---------------------------------------------------------------------------- readiness


def test_reads_before_any_view_is_built_say_the_view_is_not_ready(store: StoreConfig) -> None:
    ledger = Ledger(store)
    reads = ReadModel(ledger)
    try:
        with pytest.raises(ViewNotReady):
            reads.standing("CB001")
        assert reads.applied_position() == NOT_BUILT
        assert reads.wait_for(1, timeout=0.05) is False
        assert reads.wait_for(0, timeout=0.05) is False
    finally:
        reads.close()
        ledger.close()


def test_a_remembered_report_is_not_given_after_the_views_move(world: World) -> None:
    first = world.reads.qualifications()
    assert world.reads.qualifications() is first  # same question, same positions: remembered
    world.ledger.recognize_credential(
        "CB002",
        credential_id="TH-CB",
        track="it",
        level="basic",
        title="Tin học cơ bản",
        issuer="Trung tâm",
        issued_on=date(2022, 5, 1),
        evidence=Evidence("Chứng chỉ", "Phòng TCCB"),
        recorded_by="r",
        recorded_at=world.clock.tick(),
    )
    world.sync()
    again = world.reads.qualifications()
    assert again is not first
    assert again.tracks["it"]["basic"] == first.tracks["it"]["basic"] + 1
