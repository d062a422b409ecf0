"""Position standards as effective-dated rules, checked without a store.

Records are built with the StaffMember aggregate's own commands (no I/O); appointments are made
the way ``Ledger.appoint`` makes them (the standard in force that day decides what is recorded).
The edge cases of docs/domain.md §3.9 (1–6, 8, 9, 11) are crafted histories whose expected outputs
are checked in every variant where they differ.
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from api.cli.app import make_app
from api.cli.rules import register
from ledger.dates import add_months, months_between
from ledger.domain import errors
from ledger.domain.catalog import (
    DepartureCategory,
    EvaluationKind,
    Funding,
    Gender,
    Mode,
    Outcome,
    Rating,
    Track,
)
from ledger.domain.commands import (
    Appoint,
    Complete,
    Depart,
    Enroll,
    Evaluate,
    Plan,
    RecognizeCredential,
    Register,
    Withdraw,
)
from ledger.domain.history import event_data
from ledger.domain.record import CredentialAward, Evidence, StaffRecord, Waiver
from ledger.staff import StaffMember
from ledger.standards import compliance
from ledger.standards.commitments import (
    CommitmentStatus,
    commitments_of,
    commitments_report,
    departure_category,
)
from ledger.standards.effectiveness import effectiveness_report
from ledger.standards.model import PositionKind, Timing
from ledger.standards.needs import needs_of, needs_report, parse_period
from ledger.standards.rule_file import RulesFileError
from ledger.standards.rules import load_rules, parse_rules, rules_from_environment
from ledger.standards.ruleset import RuleSet
from ledger.standards.verdicts import RequirementCheck, StandardCheck, Status

AS_OF = date(2025, 12, 31)
TODAY = date(2026, 1, 5)  # when these facts are recorded: after all of them
VARIANTS = ["lenient,grace", "lenient,before", "strict,grace", "strict,before"]
DEFAULT = load_rules()


def rules(variant: str = "lenient,grace") -> RuleSet:
    return DEFAULT.select(variant)


# --------------------------------------------------------------------------- builders


def staff(
    staff_id: str = "P1",
    *,
    joined: date = date(2005, 3, 1),
    born: date = date(1980, 1, 1),
    gender: Gender = Gender.MALE,
    position: str | None = "Chuyên viên",
    rank: str | None = "CV",
) -> StaffMember:
    return StaffMember.register(
        Register(
            staff_id=staff_id,
            full_name=f"Nguyễn Văn {staff_id}",
            gender=gender,
            birth_date=born,
            unit="Phòng Nghiệp vụ 1",
            joined_on=joined,
            position=position,
            rank=rank,
            employment="civil_servant",
        ),
        recorded_by="test",
    )


_ids = itertools.count(1)


def hold(member: StaffMember, track: Track, level: str, issued_on: date, title: str | None = None) -> str:
    credential_id = f"C{next(_ids)}"
    member.recognize_credential(
        RecognizeCredential(
            credential_id=credential_id,
            track=track,
            level=level,
            title=title or f"{track} {level}",
            issuer="Học viện",
            issued_on=issued_on,
            number=None,
            evidence=Evidence("Phiếu 2C"),
        ),
        today=TODAY,
        recorded_by="test",
    )
    return credential_id


FULL_KIT = {
    "Phó trưởng phòng": [
        (Track.PROFESSIONAL, "bachelor"),
        (Track.POLITICAL_THEORY, "intermediate"),
        (Track.STATE_MANAGEMENT, "specialist"),
        (Track.LEADERSHIP, "division"),
        (Track.DEFENSE_SECURITY, "group3"),
    ],
    "Trưởng phòng": [
        (Track.PROFESSIONAL, "bachelor"),
        (Track.POLITICAL_THEORY, "intermediate"),
        (Track.STATE_MANAGEMENT, "principal"),
        (Track.LEADERSHIP, "division"),
        (Track.DEFENSE_SECURITY, "group3"),
    ],
    "Phó Cục trưởng": [
        (Track.PROFESSIONAL, "master"),
        (Track.POLITICAL_THEORY, "advanced"),
        (Track.STATE_MANAGEMENT, "principal"),
        (Track.LEADERSHIP, "department"),
        (Track.DEFENSE_SECURITY, "group2"),
    ],
}


def equip(
    member: StaffMember, post: str, *, without: set[Track] = frozenset(), on: date = date(2012, 5, 5)
) -> None:  # type: ignore[assignment]
    """Every credential ``post`` asks for, except the tracks in ``without``."""
    for track, level in FULL_KIT[post]:
        if track not in without:
            hold(member, track, level, on)


def appoint(
    member: StaffMember,
    position: str,
    on: date,
    rule_set: RuleSet | None = None,
    waiver: Waiver | None = None,
) -> None:
    """As ``Ledger.appoint`` does it: the standard in force on ``on`` decides what is recorded."""
    rule_set = rule_set or rules()
    check = compliance.check_appointment(member.record, position, on, rule_set)
    member.appoint(
        Appoint(position=position, effective_on=on, decision_ref=f"QĐ {on}", waiver=waiver),
        unmet=compliance.unmet_for_appointment(check, waiver),
        rule_set=rule_set.label,
        recorded_by="test",
    )


def enroll(
    member: StaffMember,
    track: Track,
    level: str,
    starts: date,
    ends: date | None = None,
    *,
    funding: Funding | None = None,
    cost: Decimal | None = None,
    code: str = "COURSE",
) -> str:
    enrollment_id = f"E{next(_ids)}"
    member.enroll(
        Enroll(
            enrollment_id=enrollment_id,
            course_code=code,
            course_title=f"Khóa {code}",
            track=track,
            level=level,
            provider="Học viện",
            mode=Mode.PART_TIME,
            starts_on=starts,
            ends_on=ends,
            funding=funding,
            cost=cost,
        ),
        recorded_by="test",
    )
    return enrollment_id


def complete(member: StaffMember, enrollment_id: str, on: date) -> None:
    member.complete(
        Complete(enrollment_id=enrollment_id, completed_on=on, outcome=Outcome.PASSED),
        credential=CredentialAward(f"K{next(_ids)}", "Bằng", "Học viện", on),
        today=TODAY, recorded_by="test",
    )


def check_for(check: StandardCheck, track: Track) -> RequirementCheck:
    found = [c for c in check.checks if c.track == track]
    assert len(found) == 1, f"one requirement on {track}, got {found}"
    return found[0]


# --------------------------------------------------------------------------- loading


def test_the_shipped_rules_load_with_their_default_variant() -> None:
    shipped = load_rules()
    assert shipped.choices == {
        "standard": "lenient",
        "leadership_timing": "grace",
        "appointment_conditions": "training_only",
    }
    assert shipped.label.startswith("vn-cuc-tong-cuc@2026.1[lenient,grace,training_only]#")
    assert {p.code for p in shipped.positions} >= {
        "cuc_truong",
        "pho_cuc_truong",
        "truong_phong",
        "pho_truong_phong",
    }


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_of_the_shipped_rules_loads(variant: str) -> None:
    assert load_rules(variant=variant).variant == f"{variant},training_only"


def test_the_rules_file_and_variant_come_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(SMALL, encoding="utf-8")
    loaded = rules_from_environment({"LEDGER_RULES": str(path), "LEDGER_RULES_VARIANT": "strict"})
    assert loaded.id == "small"
    assert loaded.choices == {"standard": "strict"}
    assert loaded.source == str(path)


def test_an_unknown_variant_is_refused_with_the_choices() -> None:
    with pytest.raises(RulesFileError) as caught:
        load_rules(variant="harsh")
    assert "unknown variant 'harsh'" in str(caught.value)
    assert "standard: lenient, strict" in str(caught.value)


def test_a_missing_rules_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError) as caught:
        load_rules(tmp_path / "nope.toml")
    assert str(tmp_path / "nope.toml") in str(caught.value)


SMALL = """\
[rule_set]
id = "small"
version = "1"

[variants.standard]
choices = ["lenient", "strict"]
default = "lenient"

[[position]]
code = "tp"
title = "Trưởng phòng"
aliases = ["TP"]

[[rule]]
id = "tp.llct"
positions = ["tp"]
requires = { political_theory = "intermediate" }
valid_from = 2020-01-01
timing = "before_appointment"
legal_basis = "Test basis"
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


def refused(text: str) -> RulesFileError:
    with pytest.raises(RulesFileError) as caught:
        parse_rules(text, source="test.toml")
    return caught.value


def test_a_toml_syntax_error_names_the_file_line_and_column() -> None:
    text = SMALL.replace("valid_from = 2020-01-01", "valid_from = 2020-01-01 oops")
    error = refused(text)
    assert error.line == line_of(text, "oops")
    assert error.problems[0].column is not None
    assert str(error).startswith(f"test.toml:{error.line}:")
    assert "not valid TOML" in error.reason


def test_an_unknown_track_is_refused_at_its_line() -> None:
    text = SMALL.replace("political_theory =", "politics =")
    error = refused(text)
    assert error.line == line_of(text, "politics =")
    assert "unknown track 'politics'" in error.reason
    assert str(error).startswith(f"test.toml:{error.line}: ")


def test_an_unknown_level_is_refused_at_its_line() -> None:
    text = SMALL.replace('"intermediate"', '"medium"')
    error = refused(text)
    assert error.line == line_of(text, '"medium"')
    assert "unknown level 'medium' for track 'political_theory'" in error.reason


def test_a_bad_date_is_refused_at_its_line() -> None:
    text = SMALL.replace("valid_from = 2020-01-01", 'valid_from = "2020-13-45"')
    error = refused(text)
    assert error.line == line_of(text, "2020-13-45")
    assert "'2020-13-45' is not a date" in error.reason


def test_a_period_ending_before_it_starts_is_refused() -> None:
    text = SMALL.replace("valid_from = 2020-01-01", "valid_from = 2020-01-01\nvalid_to = 2019-12-31")
    error = refused(text)
    assert error.line == line_of(text, "valid_to")
    assert "before valid_from" in error.reason


OVERLAP = (
    SMALL
    + """
[[rule]]
id = "tp.llct.2024"
positions = ["tp"]
requires = { political_theory = "advanced" }
valid_from = 2024-05-01
timing = "before_appointment"
legal_basis = "Test basis 2"
"""
)


def test_overlapping_rules_for_the_same_track_are_refused_at_the_later_rule() -> None:
    error = refused(OVERLAP)
    assert error.line == line_of(OVERLAP, "[[rule]]", occurrence=2)
    assert "rule 'tp.llct.2024' overlaps rule 'tp.llct'" in error.reason


def test_rules_ending_before_the_next_begins_do_not_overlap() -> None:
    text = OVERLAP.replace("valid_from = 2020-01-01", "valid_from = 2020-01-01\nvalid_to = 2024-04-30")
    loaded = parse_rules(text)
    assert [r.id for r in loaded.rules_for("tp", date(2024, 4, 30))] == ["tp.llct"]
    assert [r.id for r in loaded.rules_for("tp", date(2024, 5, 1))] == ["tp.llct.2024"]


def test_rules_of_different_variants_may_share_a_period() -> None:
    text = OVERLAP.replace(
        'timing = "before_appointment"\nlegal_basis = "Test basis"\n',
        'timing = "before_appointment"\nlegal_basis = "Test basis"\nvariants = ["lenient"]\n',
    )
    text = text.replace('legal_basis = "Test basis 2"', 'legal_basis = "Test basis 2"\nvariants = ["strict"]')
    loaded = parse_rules(text)
    assert [r.id for r in loaded.rules_for("tp", AS_OF)] == ["tp.llct"]
    assert [r.id for r in loaded.select("strict").rules_for("tp", AS_OF)] == ["tp.llct.2024"]


def test_an_unknown_position_is_refused_with_a_suggestion() -> None:
    text = SMALL.replace('positions = ["tp"]', 'positions = ["tpp"]')
    error = refused(text)
    assert error.line == line_of(text, '["tpp"]')
    assert "unknown position 'tpp' (did you mean 'tp'?)" in error.reason


def test_an_unknown_key_is_refused_with_a_suggestion() -> None:
    text = SMALL.replace("valid_from =", "valid_form =")
    error = refused(text)
    (unknown,) = [p for p in error.problems if "unknown key 'valid_form'" in p.reason]
    assert "did you mean 'valid_from'" in unknown.reason
    assert unknown.line == line_of(text, "valid_form")


def test_grace_timing_without_its_months_is_refused() -> None:
    text = SMALL.replace('"before_appointment"', '"within_months_after"')
    error = refused(text)
    assert error.line == line_of(text, "within_months_after")
    assert "needs 'grace_months'" in error.reason


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    text = SMALL.replace("political_theory =", "politics =").replace('"before_appointment"', '"whenever"')
    error = refused(text)
    assert len(error.problems) == 2
    assert [p.line for p in error.problems] == sorted(
        [line_of(text, "politics ="), line_of(text, '"whenever"')]
    )
    assert str(error).count("test.toml:") == 2


def test_an_equivalence_with_a_bad_counts_as_is_refused_at_its_line() -> None:
    text = (
        SMALL
        + """
[[equivalence]]
id = "eq"
match = { track = "political_theory", title_contains = ["hành chính"] }
counts_as = { track = "state_management", level = "boss" }
legal_basis = "x"
"""
    )
    error = refused(text)
    assert error.line == line_of(text, "counts_as")
    assert "unknown level 'boss' for track 'state_management'" in error.reason


# --------------------------------------------------------------------------- positions


def test_positions_match_titles_codes_and_aliases_ignoring_case_and_diacritics() -> None:
    shipped = rules()
    for name in ("Trưởng phòng", "truong phong", "TRƯỞNG PHÒNG", "truong_phong", "Chánh Văn phòng", "TP"):
        found = shipped.resolve(name)
        assert found is not None
        assert found.code == "truong_phong", name


def test_a_longer_title_matches_the_longest_alias_it_starts_with() -> None:
    shipped = rules()

    def code(name: str, kind: PositionKind | None = None) -> str | None:
        found = shipped.resolve(name, kind)
        return found.code if found else None

    assert code("Trưởng phòng Nghiệp vụ 1") == "truong_phong"
    assert code("Phó trưởng phòng Thanh tra – Kiểm tra") == "pho_truong_phong"
    assert code("Chuyên viên") == "rank_cv"  # a rank when no kind is asked
    assert code("Chuyên viên", PositionKind.POST) is None
    assert code("Chuyên viên chính và tương đương", PositionKind.RANK) == "rank_cvc"


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


# --------------------------------------------------------------------------- §3.9 edge cases


@pytest.mark.parametrize("variant", VARIANTS)
def test_edge_1_deputy_appointed_2022_without_the_division_certificate_is_overdue_in_every_mode(
    variant: str,
) -> None:
    member = staff(born=date(1980, 4, 2))
    equip(member, "Phó trưởng phòng", without={Track.LEADERSHIP})
    appoint(member, "Phó trưởng phòng", date(2022, 6, 1))
    needs = needs_of(member.record, AS_OF, rules(variant))
    leadership = check_for(needs.post, Track.LEADERSHIP)
    assert leadership.status == Status.OVERDUE
    assert "overdue" in needs.flags


@pytest.mark.parametrize(
    ("variant", "status", "deadline", "flagged"),
    [
        ("lenient,grace", Status.PENDING, date(2026, 3, 1), False),
        ("strict,grace", Status.PENDING, date(2026, 3, 1), False),
        ("lenient,before", Status.OVERDUE, date(2025, 3, 1), True),
        ("strict,before", Status.OVERDUE, date(2025, 3, 1), True),
    ],
)
def test_edge_2_deputy_appointed_2025_03_without_the_division_certificate(
    variant: str, status: Status, deadline: date, flagged: bool
) -> None:
    """Grace mode (TT 12/2022, 12 months): pending. Before mode (Directive 28): the appointment is
    flagged "appointed without meeting the standard"."""
    member = staff(born=date(1992, 5, 10), gender=Gender.FEMALE, joined=date(2015, 3, 1))
    equip(member, "Phó trưởng phòng", without={Track.LEADERSHIP})
    appoint(member, "Phó trưởng phòng", date(2025, 3, 1))
    needs = needs_of(member.record, AS_OF, rules(variant))
    leadership = check_for(needs.post, Track.LEADERSHIP)
    assert (leadership.status, leadership.deadline) == (status, deadline)
    (review,) = needs.appointments
    assert review.appointed_without_meeting_standard is flagged
    assert ("appointed_without_meeting_standard" in needs.flags) is flagged


@pytest.mark.parametrize(
    ("variant", "status"),
    [("lenient,grace", Status.OVERDUE), ("strict,grace", Status.OVERDUE)],
)
def test_edge_3_deputy_with_political_theory_in_progress_has_that_gap(variant: str, status: Status) -> None:
    member = staff(born=date(1984, 2, 2))
    equip(member, "Phó trưởng phòng", without={Track.POLITICAL_THEORY})
    appoint(member, "Phó trưởng phòng", date(2023, 6, 15))
    course = enroll(member, Track.POLITICAL_THEORY, "intermediate", date(2024, 9, 1), date(2026, 6, 30))
    llct = check_for(needs_of(member.record, AS_OF, rules(variant)).post, Track.POLITICAL_THEORY)
    assert llct.status == status
    assert llct.in_training == course
    assert llct.held is None


def test_edge_3_in_lenient_mode_the_political_theory_grace_runs_24_months() -> None:
    member = staff()
    equip(member, "Phó trưởng phòng", without={Track.POLITICAL_THEORY})
    appoint(member, "Phó trưởng phòng", date(2024, 3, 1))
    lenient = check_for(needs_of(member.record, AS_OF, rules("lenient,grace")).post, Track.POLITICAL_THEORY)
    strict = check_for(needs_of(member.record, AS_OF, rules("strict,grace")).post, Track.POLITICAL_THEORY)
    assert (lenient.status, lenient.deadline) == (Status.PENDING, date(2026, 3, 1))
    assert (strict.status, strict.deadline) == (Status.OVERDUE, date(2024, 3, 1))


@pytest.mark.parametrize(("variant", "meets"), [("lenient,grace", True), ("strict,grace", False)])
def test_edge_4_head_in_cv_rank_with_only_the_cv_certificate_passes_lenient_and_fails_strict(
    variant: str, meets: bool
) -> None:
    member = staff(rank="CV")
    equip(member, "Trưởng phòng", without={Track.STATE_MANAGEMENT})
    hold(member, Track.STATE_MANAGEMENT, "specialist", date(2011, 1, 1))
    appoint(member, "Trưởng phòng", date(2019, 4, 1))
    needs = needs_of(member.record, AS_OF, rules(variant))
    qlnn = check_for(needs.post, Track.STATE_MANAGEMENT)
    assert qlnn.met is meets
    assert needs.post.compliant is meets
    if not meets:
        assert (qlnn.required_level, qlnn.status) == ("principal", Status.OVERDUE)


def test_edge_5_division_leaders_without_group3_defense_training_are_counted() -> None:
    records: list[StaffRecord] = []
    for n, post in enumerate(["Trưởng phòng", "Phó trưởng phòng", "Phó trưởng phòng", "Trưởng phòng"]):
        member = staff(f"L{n}")
        equip(member, post, without={Track.DEFENSE_SECURITY} if n < 3 else set())
        appoint(member, post, date(2020, 1, 1 + n))
        records.append(member.record)
    for variant in VARIANTS:
        report = needs_report(records, AS_OF, rules(variant))
        assert report.by_track().get("defense_security") == {"overdue": 3}, variant


@pytest.mark.parametrize(("variant", "gap"), [("lenient,grace", False), ("strict,grace", True)])
def test_edge_6_cv_recruits_of_2025_lack_the_cv_certificate_only_if_that_rule_is_on(
    variant: str, gap: bool
) -> None:
    records = []
    for n in range(2):
        member = staff(f"R{n}", joined=date(2025, 3, 1), born=date(2000, 1, 1))
        hold(member, Track.PROFESSIONAL, "bachelor", date(2024, 6, 1))
        records.append(member.record)
    report = needs_report(records, AS_OF, rules(variant))
    gaps = [(c.track, c.status, c.deadline) for p in report.people for c in p.gaps]
    if gap:
        assert gaps == [(Track.STATE_MANAGEMENT, Status.PENDING, date(2026, 3, 1))] * 2
    else:
        assert gaps == []


# --------------------------------------------------------------------------- rule changes over time


def _deputy_director_appointed_2021() -> StaffMember:
    member = staff(position="Trưởng phòng", rank="CVC", born=date(1975, 1, 1))
    equip(member, "Phó Cục trưởng", without={Track.POLITICAL_THEORY})
    hold(member, Track.POLITICAL_THEORY, "intermediate", date(2008, 1, 1))
    appoint(member, "Phó Cục trưởng", date(2021, 6, 1), rules("strict,grace"))
    return member


def test_the_same_appointment_met_the_rules_then_and_fails_todays_rules() -> None:
    """Trung cấp LLCT was enough for a Phó Cục trưởng in 2021; under Decree 29/2024 (strict
    reading) it takes cao cấp."""
    member = _deputy_director_appointed_2021()
    (review,) = compliance.review_appointments(member.record, AS_OF, rules("strict,grace"))
    assert review.met_rules_then
    assert not review.appointed_without_meeting_standard
    assert not review.would_meet_todays_rules_then
    assert not review.meets_todays_rules
    llct = check_for(review.now, Track.POLITICAL_THEORY)
    assert (llct.rule_id, llct.required_level, llct.status) == (
        "nd29-2024.pho-cuc-truong.llct-strict",
        "advanced",
        Status.OVERDUE,
    )
    assert check_for(review.then, Track.POLITICAL_THEORY).rule_id == "2017.pho-cuc-truong"


def test_under_the_lenient_reading_the_same_appointment_meets_both() -> None:
    member = _deputy_director_appointed_2021()
    (review,) = compliance.review_appointments(member.record, AS_OF, rules("lenient,grace"))
    assert review.met_rules_then
    assert review.would_meet_todays_rules_then
    assert review.meets_todays_rules


def test_changing_the_rules_changes_the_results_and_no_event() -> None:
    member = _deputy_director_appointed_2021()
    before = [event_data(e) for e in member.history]
    lenient = needs_of(member.record, AS_OF, rules("lenient,grace"))
    strict = needs_of(member.record, AS_OF, rules("strict,grace"))
    assert lenient.post.compliant
    assert not strict.post.compliant
    assert [event_data(e) for e in member.history] == before


# --------------------------------------------------------------------------- planning pools


def test_planning_pool_readiness_per_position() -> None:
    ready = staff("A")
    equip(ready, "Trưởng phòng", without={Track.LEADERSHIP, Track.DEFENSE_SECURITY})
    not_ready = staff("B")
    equip(not_ready, "Trưởng phòng", without={Track.POLITICAL_THEORY})
    for member in (ready, not_ready):
        member.plan(
            Plan(
                position="Trưởng phòng",
                from_year=2025,
                to_year=2030,
                decision_ref="QĐ 5/QĐ-CT",
                on=date(2025, 2, 1),
            ),
            recorded_by="test",
        )
    report = needs_report([ready.record, not_ready.record], AS_OF, rules())
    (pool,) = report.pools
    assert pool.position is not None
    assert pool.position.code == "truong_phong"
    assert (len(pool.candidates), pool.ready) == (2, 1)
    by_id = {c.staff_id: c for c in pool.candidates}
    assert by_id["A"].ready  # leadership and QP-AN may follow in their grace periods
    assert [g.track for g in by_id["B"].check.blocking] == [Track.POLITICAL_THEORY]


def test_a_plan_covers_only_its_years() -> None:
    member = staff()
    member.plan(
        Plan(position="TP", from_year=2021, to_year=2025, decision_ref="QĐ 1", on=date(2021, 1, 5)),
        recorded_by="t",
    )
    assert member.record.plans_on(date(2025, 12, 31))
    assert not member.record.plans_on(date(2026, 1, 1))
    assert not member.record.plans_on(date(2021, 1, 4))


def test_a_planning_period_ending_before_it_starts_is_refused() -> None:
    member = staff()
    with pytest.raises(errors.InvalidDates) as caught:
        member.plan(
            Plan(position="TP", from_year=2030, to_year=2025, decision_ref="QĐ 1", on=date(2025, 1, 5)),
            recorded_by="t",
        )
    assert caught.value.field == "to_year"


def test_needs_against_a_given_position_treat_others_as_candidates() -> None:
    member = staff()
    equip(member, "Trưởng phòng", without={Track.LEADERSHIP})
    needs = needs_of(member.record, AS_OF, rules(), position="Trưởng phòng")
    leadership = check_for(needs.post, Track.LEADERSHIP)
    assert (leadership.status, leadership.deadline) == (Status.UNMET, None)


def test_the_needs_report_counts_only_active_staff() -> None:
    gone = staff("G")
    gone.depart(Depart(on=date(2024, 1, 1), reason="Nghỉ hưu"), today=TODAY, recorded_by="t")
    here = staff("H")
    report = needs_report([gone.record, here.record], AS_OF, rules())
    assert [p.staff_id for p in report.people] == ["H"]


# --------------------------------------------------------------------------- commitments


def _master_graduate(
    starts: date, ends: date, completed: date, cost: Decimal = Decimal(120_000_000)
) -> tuple[StaffMember, str]:
    member = staff("M", joined=date(2012, 1, 1))
    course = enroll(
        member,
        Track.PROFESSIONAL,
        "master",
        starts,
        ends,
        funding=Funding.STATE_BUDGET,
        cost=cost,
        code="THS",
    )
    complete(member, course, completed)
    return member, course


def test_a_state_funded_master_commits_twice_its_length_under_decree_101() -> None:
    member, _ = _master_graduate(date(2019, 9, 1), date(2021, 8, 31), date(2021, 9, 15))
    (commitment,) = commitments_of(member.record, rules(), date(2023, 1, 1))
    assert (commitment.course_months, commitment.committed_months) == (24, 48)
    assert commitment.rule_id == "nd101-2017.dieu-7"
    assert commitment.service_until == date(2025, 9, 15)
    assert commitment.status == CommitmentStatus.SERVING
    assert (commitment.served_months, commitment.remaining_months) == (15, 33)
    (later,) = commitments_of(member.record, rules(), date(2025, 9, 15))
    assert later.status == CommitmentStatus.FULFILLED


def test_a_course_starting_from_2025_07_01_commits_three_times_its_length() -> None:
    member = staff("N", joined=date(2015, 1, 1))
    enroll(
        member,
        Track.PROFESSIONAL,
        "master",
        date(2025, 9, 1),
        date(2027, 8, 31),
        funding=Funding.STATE_BUDGET,
    )
    (commitment,) = commitments_of(member.record, rules(), AS_OF)
    assert (commitment.multiplier, commitment.committed_months) == (Decimal(3), 72)
    assert commitment.rule_id == "nd171-2025.cam-ket"
    assert commitment.status == CommitmentStatus.IN_TRAINING


def test_edge_11_a_transfer_with_consent_before_the_commitment_ends_owes_nothing() -> None:
    member, _ = _master_graduate(date(2019, 9, 1), date(2021, 8, 31), date(2021, 9, 15))
    member.depart(
        Depart(
            on=date(2023, 3, 1),
            reason="Điều động sang Cục Thuế tỉnh B",
            category=DepartureCategory.TRANSFER_WITH_CONSENT,
        ),
        today=TODAY,
        recorded_by="t",
    )
    (commitment,) = commitments_of(member.record, rules(), AS_OF)
    assert commitment.status == CommitmentStatus.RELEASED
    assert commitment.reimbursement == Decimal(0)


def test_edge_11_counterfactual_resigning_early_owes_the_prorated_share() -> None:
    member, _ = _master_graduate(date(2019, 9, 1), date(2021, 8, 31), date(2021, 9, 15))
    member.depart(
        Depart(on=date(2023, 3, 1), reason="Xin thôi việc", category=DepartureCategory.RESIGNED),
        today=TODAY,
        recorded_by="t",
    )
    (commitment,) = commitments_of(member.record, rules(), AS_OF)
    assert commitment.status == CommitmentStatus.BREACHED
    t1, t2, f = 48, 17, Decimal(120_000_000)
    assert (commitment.committed_months, commitment.served_months) == (t1, t2)
    assert commitment.reimbursement == f / t1 * (t1 - t2) == Decimal(77_500_000)
    assert commitment.formula == "S = F / T1 × (T1 − T2) = F / 48 × (48 − 17)"


def test_dropping_out_or_not_being_awarded_owes_everything() -> None:
    member = staff("D", joined=date(2012, 1, 1))
    dropped = enroll(
        member,
        Track.PROFESSIONAL,
        "master",
        date(2019, 9, 1),
        date(2021, 8, 31),
        funding=Funding.STATE_BUDGET,
        cost=Decimal(90_000_000),
    )
    member.withdraw(
        Withdraw(enrollment_id=dropped, on=date(2020, 3, 1), reason="Tự ý bỏ học"),
        today=TODAY,
        recorded_by="t",
    )
    failed = enroll(
        member,
        Track.PROFESSIONAL,
        "doctorate",
        date(2020, 9, 1),
        date(2023, 8, 31),
        funding=Funding.STATE_BUDGET,
        cost=Decimal(300_000_000),
    )
    member.complete(
        Complete(enrollment_id=failed, completed_on=date(2023, 9, 1), outcome=Outcome.FAILED),
        credential=None,
        today=TODAY,
        recorded_by="t",
    )
    report = commitments_report([member.record], rules(), AS_OF)
    assert [(c.status, c.reimbursement) for c in report.items] == [
        (CommitmentStatus.DROPPED_OUT, Decimal(90_000_000)),
        (CommitmentStatus.NOT_AWARDED, Decimal(300_000_000)),
    ]
    assert report.total_owed == Decimal(390_000_000)


def test_a_self_funded_course_creates_no_commitment() -> None:
    member = staff("S")
    enroll(
        member, Track.PROFESSIONAL, "master", date(2019, 9, 1), date(2021, 8, 31), funding=Funding.SELF_FUNDED
    )
    assert commitments_of(member.record, rules(), AS_OF) == []


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("Điều động đến Cục Hải quan", DepartureCategory.TRANSFER_WITH_CONSENT),
        ("Nghỉ hưu theo chế độ", DepartureCategory.RETIRED),
        ("Xin thôi việc", DepartureCategory.RESIGNED),
        ("Bị buộc thôi việc", DepartureCategory.DISMISSED),
    ],
)
def test_a_departure_reason_is_read_when_no_category_was_recorded(
    reason: str, category: DepartureCategory
) -> None:
    member = staff("W")
    member.depart(Depart(on=date(2024, 1, 1), reason=reason), today=TODAY, recorded_by="t")
    assert departure_category(member.record) == (category, "inferred")


# --------------------------------------------------------------------------- effectiveness


def test_effectiveness_compares_ratings_before_and_after_per_programme_and_year() -> None:
    records = []
    for staff_id, after, applied in (
        ("E1", Rating.EXCELLENT, Rating.GOOD),
        ("E2", Rating.GOOD, Rating.COMPLETED),
    ):
        member = staff(staff_id)
        for year, rating in ((2021, Rating.GOOD), (2022, Rating.GOOD), (2023, after)):
            member.evaluate(
                Evaluate(kind=EvaluationKind.ANNUAL, year=year, rating=rating, evaluator="TP"),
                today=TODAY,
                recorded_by="t",
            )
        course = enroll(
            member, Track.STATE_MANAGEMENT, "principal", date(2022, 3, 1), date(2022, 5, 1), code="CVC"
        )
        complete(member, course, date(2022, 5, 1))
        member.evaluate(
            Evaluate(
                kind=EvaluationKind.POST_TRAINING,
                enrollment_id=course,
                on=date(2022, 10, 1),
                rating=applied,
                evaluator="TP",
            ),
            today=TODAY,
            recorded_by="t",
        )
        records.append(member.record)
    (effect,) = effectiveness_report(records, AS_OF)
    assert (effect.course_code, effect.track, effect.level, effect.year) == (
        "CVC",
        Track.STATE_MANAGEMENT,
        "principal",
        2022,
    )
    assert (effect.completions, effect.compared, effect.improved, effect.unchanged, effect.declined) == (
        2,
        2,
        1,
        1,
        0,
    )
    assert (effect.mean_before, effect.mean_after) == (Decimal("3.00"), Decimal("3.50"))
    assert effect.post_training == {"good": 1, "completed": 1}
    assert effect.applied_share == Decimal("0.50")


def test_ratings_not_yet_known_on_the_day_are_left_out_of_the_comparison() -> None:
    member = staff("E3")
    member.evaluate(
        Evaluate(kind=EvaluationKind.ANNUAL, year=2024, rating=Rating.GOOD, evaluator="TP"),
        today=TODAY,
        recorded_by="t",
    )
    course = enroll(member, Track.LEADERSHIP, "division", date(2025, 3, 1), date(2025, 4, 1), code="LD")
    complete(member, course, date(2025, 4, 1))
    (effect,) = effectiveness_report([member.record], AS_OF)
    assert (effect.completions, effect.compared) == (1, 0)


# --------------------------------------------------------------------------- dates


def test_months_arithmetic_clamps_to_the_end_of_shorter_months() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 12, 15), 1) == date(2024, 1, 15)
    assert months_between(date(2021, 9, 15), date(2023, 3, 1)) == 17
    assert months_between(date(2021, 9, 15), date(2023, 3, 15)) == 18


def test_a_rule_naming_no_position_is_refused() -> None:
    text = SMALL.replace('positions = ["tp"]', "positions = []")
    error = refused(text)
    assert error.line == line_of(text, "positions = []")
    assert "name at least one position" in error.reason


def test_a_rule_tagged_with_an_undeclared_variant_is_refused() -> None:
    text = SMALL.replace('legal_basis = "Test basis"', 'legal_basis = "Test basis"\nvariants = ["harsh"]')
    error = refused(text)
    assert error.line == line_of(text, '["harsh"]')
    assert "unknown variant choice 'harsh'" in error.reason


# --------------------------------------------------------------------------- command line


def _cli() -> typer.Typer:
    app = make_app()
    register(app)
    return app


def test_rules_check_prints_file_line_and_reason_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    text = SMALL.replace('"intermediate"', '"medium"')
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(_cli(), ["rules", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:{line_of(text, 'medium')}: " in result.output
    assert "unknown level 'medium'" in result.output


def test_rules_check_summarises_a_good_file() -> None:
    result = CliRunner().invoke(_cli(), ["rules", "check", "--variant", "strict"])
    assert result.exit_code == 0, result.output
    assert "OK " in result.output
    assert "[strict,grace,training_only]" in result.output


def test_rules_show_lists_the_rules_in_force_for_a_position_as_json() -> None:
    result = CliRunner().invoke(
        _cli(), ["rules", "show", "--on", "2023-01-01", "--position", "Phó Cục trưởng", "--json"]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["positions"] == ["pho_cuc_truong"]
    assert "2017.pho-cuc-truong" in {r["id"] for r in shown["rules"]}
    assert all(r["valid_from"] <= "2023-01-01" for r in shown["rules"])


def test_rules_show_refuses_an_unknown_position() -> None:
    result = CliRunner().invoke(_cli(), ["rules", "show", "--position", "Kế toán trưởng"])
    assert result.exit_code != 0
    assert "no position" in result.output


@pytest.mark.parametrize(
    ("text", "years"), [("2025-2030", (2025, 2030)), ("2025–2030", (2025, 2030)), ("2026", (2026, 2026))]
)
def test_a_planning_period_is_read_as_written(text: str, years: tuple[int, int]) -> None:
    assert parse_period(text) == years


@pytest.mark.parametrize("text", ["2025-30", "later", "2030-2025"])
def test_a_planning_period_that_is_not_one_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(errors.RuleViolation) as caught:
        parse_period(text)
    assert caught.value.field == "period"


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=600),
)
def test_whole_months_between_a_day_and_n_months_later_are_n(day: date, months: int) -> None:
    later = add_months(day, months)
    assert months_between(day, later) == months
    if months:
        assert months_between(day, later - date.resolution) == months - 1
