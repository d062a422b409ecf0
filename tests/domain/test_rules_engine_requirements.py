"""Checking a record against the position standards, without a database or a clock: which
credentials meet a requirement (tiers, equivalences, dated restrictions) and when an unmet one
blocks an appointment, is pending within its grace period, waived, overdue or only advisory.
"""

from __future__ import annotations

from datetime import date

import pytest
from standards_fixtures import (
    AS_OF,
    SMALL,
    VARIANTS,
    appoint,
    check_for,
    equip,
    hold,
    rules,
    staff,
)

from ledger.domain import errors
from ledger.domain.catalog import (
    Track,
)
from ledger.domain.record import Waiver
from ledger.standards import compliance
from ledger.standards.model import Timing
from ledger.standards.rules import parse_rules
from ledger.standards.verdicts import Status

# ------------------------------------------------------- tiers, equivalences, restrictions


def test_a_political_theory_bachelor_meets_an_advanced_requirement() -> None:
    member = staff()
    equip(member, "Phó Cục trưởng", without={Track.POLITICAL_THEORY})
    hold(member, Track.POLITICAL_THEORY, "bachelor", date(2010, 1, 1), "Cử nhân chính trị")
    check = compliance.evaluate(member.record, "Phó Cục trưởng", AS_OF, rules("strict,grace"))
    llct = check_for(check, Track.POLITICAL_THEORY)
    assert llct.required_level == "advanced"
    assert llct.status == Status.MET
    assert llct.held is not None
    assert llct.held.level == "bachelor"


def test_a_lower_tier_does_not_meet_a_higher_requirement() -> None:
    member = staff()
    equip(member, "Phó Cục trưởng", without={Track.POLITICAL_THEORY})
    hold(member, Track.POLITICAL_THEORY, "intermediate", date(2010, 1, 1))
    llct = check_for(
        compliance.evaluate(member.record, "Phó Cục trưởng", AS_OF, rules("strict,grace")),
        Track.POLITICAL_THEORY,
    )
    assert llct.status == Status.UNMET
    assert llct.held is not None
    assert llct.held.level == "intermediate"


def test_credentials_issued_after_the_day_do_not_count() -> None:
    member = staff()
    equip(member, "Trưởng phòng", without={Track.POLITICAL_THEORY})
    hold(member, Track.POLITICAL_THEORY, "intermediate", date(2024, 6, 1))
    record = member.record
    assert (
        check_for(compliance.evaluate(record, "TP", date(2024, 5, 31), rules()), Track.POLITICAL_THEORY).held
        is None
    )
    assert check_for(compliance.evaluate(record, "TP", date(2024, 6, 1), rules()), Track.POLITICAL_THEORY).met


@pytest.mark.parametrize(("issued", "met"), [(date(2012, 6, 1), True), (date(2023, 1, 10), False)])
def test_edge_9_llct_hc_counts_as_principal_state_management_only_if_issued_before_2022_06_30(
    issued: date, met: bool
) -> None:
    """§3.9 #9: a TP holding Cao cấp LLCT–hành chính (2012) meets the CVC-QLNN requirement."""
    member = staff(position="Trưởng phòng", rank="CVC")
    equip(member, "Trưởng phòng", without={Track.STATE_MANAGEMENT, Track.POLITICAL_THEORY})
    hold(member, Track.STATE_MANAGEMENT, "specialist", date(2010, 1, 1))
    hold(member, Track.POLITICAL_THEORY, "advanced", issued, "Cao cấp lý luận chính trị – hành chính")
    qlnn = check_for(
        compliance.evaluate(member.record, "Trưởng phòng", AS_OF, rules("strict,grace")),
        Track.STATE_MANAGEMENT,
    )
    assert qlnn.required_level == "principal"
    assert qlnn.met is met
    assert qlnn.held is not None
    if met:
        assert qlnn.held.via == "nd89-2021.llct-hc-qlnn"
        assert qlnn.held.via_track == Track.POLITICAL_THEORY
    else:
        assert qlnn.held.level == "specialist"


def test_llct_hc_meets_the_cvc_rank_standard_whatever_its_date() -> None:
    member = staff(rank="Chuyên viên chính", joined=date(2000, 1, 1))
    hold(member, Track.PROFESSIONAL, "bachelor", date(1999, 6, 1))
    hold(member, Track.POLITICAL_THEORY, "advanced", date(2023, 1, 10), "Cao cấp LLCT - Hành chính")
    check = compliance.rank_check(member.record, AS_OF, rules())
    assert check is not None
    assert check.fully_met
    assert check_for(check, Track.STATE_MANAGEMENT).held.via == "tt02-2021.llct-hc-cvc"  # type: ignore[union-attr]


@pytest.mark.parametrize(("issued", "recognized"), [(date(2015, 4, 1), True), (date(2021, 7, 9), False)])
def test_edge_8_a_certificate_of_equivalence_counts_only_if_issued_before_2021_07_09(
    issued: date, recognized: bool
) -> None:
    """§3.9 #8: a giấy xác nhận tương đương trung cấp issued in 2015 is accepted."""
    member = staff(position="Trưởng phòng", rank="CVC")
    equip(member, "Trưởng phòng", without={Track.POLITICAL_THEORY})
    hold(
        member,
        Track.POLITICAL_THEORY,
        "intermediate",
        issued,
        "Giấy xác nhận tương đương trung cấp lý luận chính trị",
    )
    for variant in VARIANTS:
        llct = check_for(
            compliance.evaluate(member.record, "Trưởng phòng", AS_OF, rules(variant)), Track.POLITICAL_THEORY
        )
        assert llct.met is recognized, variant
        assert (llct.held is not None) is recognized


# --------------------------------------------------------------------------- timing


def test_a_requirement_due_before_appointment_blocks_on_the_appointment_day() -> None:
    member = staff()
    equip(member, "Trưởng phòng", without={Track.POLITICAL_THEORY})
    check = compliance.check_appointment(member.record, "Trưởng phòng", date(2025, 2, 1), rules())
    assert [(c.track, c.status) for c in check.blocking] == [(Track.POLITICAL_THEORY, Status.UNMET)]
    unmet = compliance.unmet_for_appointment(check)
    assert [u.track for u in unmet] == ["political_theory"]
    assert unmet[0].blocking
    assert unmet[0].rule_id == "nd29-2024.truong-phong"
    assert "29/2024" in unmet[0].legal_basis


def test_the_aggregate_refuses_a_blocked_appointment_listing_every_unmet_requirement() -> None:
    member = staff()
    hold(member, Track.PROFESSIONAL, "bachelor", date(2000, 1, 1))
    with pytest.raises(errors.RequirementsNotMet) as caught:
        appoint(member, "Trưởng phòng", date(2025, 2, 1), rules("strict,before"))
    listed = {(u.track, u.required_level, u.blocking) for u in caught.value.unmet}
    assert listed == {
        ("political_theory", "intermediate", True),
        ("state_management", "principal", True),
        ("leadership", "division", True),
        ("defense_security", "group3", False),
    }
    assert caught.value.field == "position"
    assert member.version == len(member.history)  # nothing triggered


def test_a_grace_requirement_is_pending_until_its_deadline_then_overdue() -> None:
    member = staff()
    equip(member, "Trưởng phòng", without={Track.LEADERSHIP})
    appoint(member, "Trưởng phòng", date(2025, 3, 15))
    record = member.record
    on_deadline = compliance.post_check(record, date(2026, 3, 15), rules())
    after = compliance.post_check(record, date(2026, 3, 16), rules())
    leadership = check_for(on_deadline, Track.LEADERSHIP)
    assert (leadership.status, leadership.deadline) == (Status.PENDING, date(2026, 3, 15))
    assert check_for(after, Track.LEADERSHIP).status == Status.OVERDUE
    assert on_deadline.compliant
    assert not after.compliant


def test_a_waiver_covers_what_it_waived_until_its_deadline_then_it_is_overdue() -> None:
    member = staff()
    equip(member, "Trưởng phòng", without={Track.POLITICAL_THEORY})
    waiver = Waiver("Quyết định 12/QĐ-BTC", date(2026, 6, 30), "Đang học trung cấp LLCT")
    appoint(member, "Trưởng phòng", date(2025, 3, 1), waiver=waiver)
    recorded = member.record.appointments[-1]
    assert recorded.waiver == waiver
    assert [(u.track, u.blocking, u.deadline) for u in recorded.unmet] == [
        ("political_theory", True, date(2026, 6, 30))
    ]
    running = check_for(
        compliance.post_check(member.record, date(2026, 6, 30), rules()), Track.POLITICAL_THEORY
    )
    expired = check_for(
        compliance.post_check(member.record, date(2026, 7, 1), rules()), Track.POLITICAL_THEORY
    )
    assert (running.status, running.deadline) == (Status.WAIVED, date(2026, 6, 30))
    assert expired.status == Status.OVERDUE


def test_an_advisory_requirement_is_reported_but_never_blocks() -> None:
    text = SMALL.replace('timing = "before_appointment"', 'timing = "advisory"')
    advisory = parse_rules(text)
    member = staff()
    check = compliance.check_appointment(member.record, "TP", date(2025, 1, 1), advisory)
    llct = check_for(check, Track.POLITICAL_THEORY)
    assert (llct.status, llct.timing, str(llct.severity)) == (Status.UNMET, Timing.ADVISORY, "warning")
    assert check.blocking == ()
    assert check.compliant


def test_a_reappointment_does_not_restart_the_grace_period() -> None:
    member = staff()
    equip(member, "Trưởng phòng", without={Track.LEADERSHIP})
    appoint(member, "Trưởng phòng", date(2019, 3, 1))
    appoint(member, "Trưởng phòng", date(2024, 3, 1))
    tenure = compliance.tenure_of(member.record, "truong_phong", AS_OF, rules())
    assert tenure.since == date(2019, 3, 1)
    assert (
        check_for(compliance.post_check(member.record, AS_OF, rules()), Track.LEADERSHIP).status
        == Status.OVERDUE
    )


def test_a_person_registered_in_a_post_holds_it_since_joining() -> None:
    member = staff(position="Trưởng phòng", joined=date(2025, 6, 1))
    equip(member, "Trưởng phòng", without={Track.LEADERSHIP}, on=date(2025, 6, 1))
    leadership = check_for(compliance.post_check(member.record, AS_OF, rules()), Track.LEADERSHIP)
    assert (leadership.status, leadership.deadline) == (Status.PENDING, date(2026, 6, 1))
