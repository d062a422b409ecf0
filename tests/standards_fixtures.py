"""Helpers for the tests of the position standards (tests/domain/test_rules_engine_*.py): the
shipped rules file by variant, a small rules file to break, and a StaffMember aggregate built
without a database or a clock, holding credentials, appointed to a post and enrolled in courses,
checked against the rules.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from ledger.domain.catalog import (
    Funding,
    Gender,
    Mode,
    Track,
)
from ledger.domain.commands import (
    Appoint,
    Enroll,
    RecognizeCredential,
    Register,
)
from ledger.domain.record import Evidence, Waiver
from ledger.staff import StaffMember
from ledger.standards import compliance
from ledger.standards.rules import load_rules
from ledger.standards.ruleset import RuleSet
from ledger.standards.verdicts import RequirementCheck, StandardCheck

AS_OF = date(2025, 12, 31)
TODAY = date(2026, 1, 5)  # when these facts are recorded: after all of them
VARIANTS = ["lenient,grace", "lenient,before", "strict,grace", "strict,before"]
DEFAULT = load_rules()


def rules(variant: str = "lenient,grace") -> RuleSet:
    return DEFAULT.select(variant)


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


def check_for(check: StandardCheck, track: Track) -> RequirementCheck:
    found = [c for c in check.checks if c.track == track]
    assert len(found) == 1, f"one requirement on {track}, got {found}"
    return found[0]


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
