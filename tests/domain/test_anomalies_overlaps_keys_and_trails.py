"""Anomaly flags, one by one, on crafted histories: overlapping full-time courses, a degree in too
short a time, a fact verified by the key that recorded it, voided events, and the flags' messages,
counts and trails; each present when it should be, absent otherwise.

The histories are built from event objects directly (no store, no commands), so they can hold what
the commands would refuse today: that is exactly what an auditor must find in imported or old data.
"""

from __future__ import annotations

from datetime import date

from anomaly_fixtures import STAFF, History, at, clean_course

from ledger.domain.catalog import Mode, Track
from ledger.staff import StaffMember
from projections.anomaly_flags import CODES, count_by_code, for_trail, merged_flags
from projections.anomaly_rules import AnomalyRules
from projections.results import Credential, Flag, Trail, TrailStep

# ------------------------------------------------------------ overlapping full-time courses


def test_two_full_time_courses_sharing_days_are_flagged() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1), ends_on=date(2021, 4, 30))
    history.enroll("E2", date(2021, 4, 15), ends_on=date(2021, 5, 30))
    found = history.only("overlapping_full_time")
    assert [a.enrollment_ids for a in found] == [("E1", "E2")]
    assert "Khóa E1" in found[0].text("vi")
    assert "Khóa E2" in found[0].text("vi")


def test_a_course_closed_before_the_next_starts_does_not_overlap() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1), ends_on=date(2021, 6, 30))
    history.withdraw("E1", date(2021, 3, 20))
    history.enroll("E2", date(2021, 4, 15), ends_on=date(2021, 5, 30))
    assert "overlapping_full_time" not in history.codes()


def test_a_course_ending_the_day_the_next_starts_is_back_to_back_not_overlapping() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1), ends_on=date(2021, 4, 30))
    history.complete("E1", date(2021, 4, 15))
    history.enroll("E2", date(2021, 4, 15), ends_on=date(2021, 5, 30))
    assert "overlapping_full_time" not in history.codes()


def test_a_part_time_course_alongside_a_full_time_one_is_not_flagged() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1), ends_on=date(2021, 4, 30))
    history.enroll("E2", date(2021, 4, 1), mode=Mode.PART_TIME, ends_on=date(2021, 9, 30))
    assert "overlapping_full_time" not in history.codes()


def test_a_full_time_course_still_open_overlaps_any_later_full_time_course() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.enroll("E2", date(2023, 1, 9), ends_on=date(2023, 2, 9))
    found = history.only("overlapping_full_time")
    assert len(found) == 1
    assert "…" in found[0].message


def test_a_voided_enrollment_overlaps_nothing() -> None:
    history = History()
    first = history.enroll("E1", date(2021, 3, 1), ends_on=date(2021, 4, 30))
    history.enroll("E2", date(2021, 4, 15), ends_on=date(2021, 5, 30))
    history.correct(first, reason="Trùng quyết định", recorded=at(date(2021, 5, 2)))
    assert "overlapping_full_time" not in history.codes()


# ------------------------------------------------------------ degree in too short a time


def test_a_master_degree_completed_months_after_the_course_started_is_flagged() -> None:
    history = History()
    history.enroll("TS1", date(2021, 9, 1), track=Track.PROFESSIONAL, level="master", mode=Mode.PART_TIME)
    history.complete("TS1", date(2022, 5, 1), credential_id="VB-THS")
    found = history.only("degree_too_fast")
    assert [(a.variant, a.fact("months")) for a in found] == [("course", "8")]
    assert "Thạc sĩ" in found[0].text("vi")
    assert "Master" in found[0].text("en")


def test_a_master_degree_taking_two_years_is_not_flagged() -> None:
    history = History()
    history.enroll("TS1", date(2021, 9, 1), track=Track.PROFESSIONAL, level="master", mode=Mode.PART_TIME)
    history.complete("TS1", date(2023, 9, 1), credential_id="VB-THS")
    assert "degree_too_fast" not in history.codes()


def test_a_recognized_doctorate_soon_after_the_master_degree_is_flagged() -> None:
    history = History()
    history.recognize("VB-THS", date(2016, 6, 1), level="master", recorded=at(date(2019, 1, 9)))
    history.recognize("VB-TS", date(2017, 4, 1), level="doctorate", recorded=at(date(2019, 1, 9)))
    found = history.only("degree_too_fast")
    assert [(a.variant, a.credential_ids, a.fact("previous")) for a in found] == [
        ("previous", ("VB-TS",), "VB-THS")
    ]


def test_a_master_degree_years_after_the_bachelor_is_not_flagged() -> None:
    history = History()
    history.recognize("VB-DH", date(2007, 6, 1), level="bachelor", recorded=at(date(2019, 1, 9)))
    history.recognize("VB-THS", date(2012, 6, 1), level="master", recorded=at(date(2019, 1, 9)))
    assert "degree_too_fast" not in history.codes()


def test_a_short_course_below_degree_level_is_not_a_degree_too_fast() -> None:
    history = History()
    history.enroll("E1", date(2021, 9, 1), track=Track.PROFESSIONAL, level="bachelor")
    history.complete("E1", date(2021, 10, 1), credential_id="VB-E1")
    assert "degree_too_fast" not in history.codes()


def test_the_plausible_length_of_a_master_degree_is_configurable() -> None:
    history = History()
    history.enroll("TS1", date(2021, 9, 1), track=Track.PROFESSIONAL, level="master", mode=Mode.PART_TIME)
    history.complete("TS1", date(2022, 12, 1), credential_id="VB-THS")
    assert "degree_too_fast" not in history.codes()
    assert "degree_too_fast" in history.codes(AnomalyRules(master_min_months=18))


# ------------------------------------------------------------ verified by the key that recorded it


def test_a_recognition_verified_by_the_key_that_recorded_it_is_flagged() -> None:
    history = History()
    history.recognize(
        "VB-X", date(2015, 5, 5), by="to-chuc-1", verified_by=" TO-CHUC-1 ", recorded=at(date(2019, 1, 9))
    )
    found = history.only("self_verified")
    assert [a.credential_ids for a in found] == [("VB-X",)]
    assert "'to-chuc-1'" in found[0].message


def test_a_recognition_verified_by_someone_else_is_not_flagged() -> None:
    history = History()
    history.recognize(
        "VB-X", date(2015, 5, 5), by="to-chuc-1", verified_by="to-chuc-2", recorded=at(date(2019, 1, 9))
    )
    assert "self_verified" not in history.codes()


def test_a_recognition_with_no_verifier_is_not_self_verified() -> None:
    history = History()
    history.recognize("VB-X", date(2015, 5, 5), verified_by=None, recorded=at(date(2019, 1, 9)))
    assert "self_verified" not in history.codes()


# ------------------------------------------------------------ voided events


def test_a_voided_event_is_flagged_with_who_voided_it_when_and_why() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    completed = history.complete("E1", date(2021, 4, 10), credential_id="VB-E1")
    correction = history.correct(completed, reason="Sai ngày hoàn thành", recorded=at(date(2021, 4, 20)))
    found = history.only("voided")
    assert [a.event_ids for a in found] == [(completed, correction)]
    assert found[0].credential_ids == ("VB-E1",) or found[0].enrollment_ids == ("E1",)
    vi = found[0].text("vi")
    assert "Sai ngày hoàn thành" in vi
    assert "to-chuc-2" in vi
    assert "2021-04-20" in vi


def test_a_history_without_corrections_has_no_voided_flag() -> None:
    history = History()
    clean_course(history)
    assert "voided" not in history.codes()


def test_the_correction_itself_is_not_flagged_as_voided() -> None:
    history = History()
    enrolled = history.enroll("E1", date(2021, 3, 1))
    correction = history.correct(enrolled, reason="Nhập trùng", recorded=at(date(2021, 3, 5)))
    assert all(a.event_ids[0] != correction for a in history.only("voided"))
    assert len(history.only("voided")) == 1


# ------------------------------------------------------------ messages and counts


def test_every_anomaly_says_why_in_both_languages() -> None:
    history = History()
    history.recognize(
        "VB-X", date(2015, 5, 5), document="", by="k", verified_by="k", recorded=at(date(2019, 1, 9))
    )
    history.enroll("E1", date(2021, 3, 1), ends_on=date(2021, 5, 1))
    history.enroll("E2", date(2021, 4, 1), ends_on=date(2021, 6, 1))
    history.complete("E1", date(2021, 2, 1), credential_id="VB-E1", recorded=at(date(2021, 12, 1)))
    history.complete("E2", date(2022, 2, 1), recorded=at(date(2021, 12, 2)))
    history.enroll("E3", date(2021, 5, 3), ends_on=date(2021, 7, 1))
    found = history.anomalies()
    assert {
        "no_enrollment_no_evidence",
        "completed_before_start",
        "dated_in_future",
        "backdated",
        "overlapping_full_time",
        "self_verified",
    } <= {a.code for a in found}
    for anomaly in found:
        assert anomaly.text("vi")
        assert anomaly.text("en")
        assert anomaly.text("vi") != anomaly.text("en")
        assert "{" not in anomaly.text("vi")
        assert "{" not in anomaly.message


def test_counting_by_code_lists_every_code() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 4, 1), recorded=at(date(2021, 12, 1)))
    counts = count_by_code(history.anomalies())
    assert list(counts) == list(CODES)
    assert counts["backdated"] == 1
    assert sum(counts.values()) == 1


# ------------------------------------------------------------ trails


def _trail(history: History, credential_id: str, flags: tuple[Flag, ...] = ()) -> Trail:
    """A trail of ``credential_id`` as the read side would build it from ``history``."""
    award = next(
        e
        for e in history.events
        if isinstance(e, StaffMember.Completed)
        and e.credential
        and e.credential.credential_id == credential_id
    )
    assert isinstance(award, StaffMember.Completed)
    assert award.credential is not None
    enrollment_id = award.enrollment_id
    thread = [
        e
        for e in history.events
        if isinstance(e, StaffMember.Registered) or getattr(e, "enrollment_id", None) == enrollment_id
    ]
    steps = tuple(
        TrailStep(
            event_id=f"{STAFF}:{e.originator_version}",
            type=type(e).__name__,
            role="registration" if isinstance(e, StaffMember.Registered) else "step",
            version=e.originator_version,
            position=None,
            recorded_at=e.timestamp,
            recorded_by=e.recorded_by,
            effective_on=e.effective_on,
            data={},
            voided_by=None,
        )
        for e in thread
    )
    credential = Credential(
        credential_id=credential_id,
        track="state_management",
        level="specialist",
        title="",
        issuer="",
        issued_on=award.credential.issued_on,
        number=None,
        source="completion",
        event_id=f"{STAFF}:{award.originator_version}",
        enrollment_id=enrollment_id,
        document_ref=None,
        verified_by=None,
    )
    return Trail(STAFF, credential, "valid", None, steps, flags)


def test_a_trail_gets_the_anomalies_of_its_credential_and_not_those_of_others() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1), ends_on=date(2021, 4, 30))
    history.complete("E1", date(2021, 4, 30), credential_id="VB-E1", recorded=at(date(2021, 11, 1)))
    history.enroll("E2", date(2022, 3, 1), mode=Mode.PART_TIME)
    history.complete("E2", date(2022, 2, 1), credential_id="VB-E2")
    _, related = for_trail(_trail(history, "VB-E1"), history.anomalies())
    assert [a.code for a in related] == ["backdated"]
    _, related = for_trail(_trail(history, "VB-E2"), history.anomalies())
    assert [a.code for a in related] == ["completed_before_start"]


def test_a_trail_flagged_recorded_late_does_not_also_list_its_backdated_anomaly() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1), ends_on=date(2021, 4, 30))
    history.complete("E1", date(2021, 4, 30), credential_id="VB-E1", recorded=at(date(2021, 11, 1)))
    late = Flag("recorded_late", "The completion of 2021-04-30 was recorded 185 days later.")
    flags, related = for_trail(_trail(history, "VB-E1", (late,)), history.anomalies())
    assert flags == [late]
    assert related == []
    assert [f.code for f in merged_flags(_trail(history, "VB-E1", (late,)), history.anomalies())] == [
        "recorded_late"
    ]


def test_a_trail_drops_its_generic_corrected_flag_when_an_anomaly_names_the_voided_event() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1), ends_on=date(2021, 4, 30))
    closing = history.fail("E1", date(2021, 4, 30))
    history.correct(closing, reason="Nhầm kết quả", recorded=at(date(2021, 5, 3)))
    history.complete("E1", date(2021, 4, 30), credential_id="VB-E1")
    corrected = Flag("corrected", "Some events of this trail were voided by corrections (see the steps).")
    flags, related = for_trail(_trail(history, "VB-E1", (corrected,)), history.anomalies())
    assert flags == []
    assert [a.code for a in related] == ["voided"]
    assert "Nhầm kết quả" in related[0].message
