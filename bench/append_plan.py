"""The write-side benchmark's workload: a seeded plan of ledger commands per staff member, and how one
step runs against the ledger."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledger.application import Ledger
from ledger.domain.catalog import (
    TRACKS,
    EvaluationKind,
    Funding,
    Gender,
    Mode,
    Outcome,
    Rating,
    RotationKind,
    Track,
)
from ledger.domain.record import Evidence, Waiver
from ledger.service import CredentialDetails

COMMANDS_PER_STAFF = 30  # average; with uniform spreading, staff end at ~15-50 events


@dataclass(frozen=True)
class Step:
    """One write: a ``Ledger`` method, the staff member it targets, its arguments."""

    method: str
    staff_index: int
    kwargs: dict[str, Any]


@dataclass
class _Person:
    """What the planner knows of a staff member, so that every planned command is valid."""

    staff_id: str
    joined_on: date
    today: date
    version: int = 1
    open_enrollments: dict[str, date] = field(default_factory=dict)
    completed: dict[str, date] = field(default_factory=dict)  # passed, not yet evaluated
    rated_years: dict[int, int] = field(default_factory=dict)  # year -> version of the rating
    credentials: int = 0


@dataclass(frozen=True)
class Plan:
    registrations: list[Step]
    commands: list[Step]


UNITS = ("Phòng Tổ chức cán bộ", "Văn phòng Sở", "Phòng Kế hoạch – Tài chính", "Thanh tra Sở",
         "Chi cục Thủy lợi", "Trung tâm Khuyến nông")


POSITIONS = ("Chuyên viên", "Phó Trưởng phòng", "Trưởng phòng", "Phó Chánh Văn phòng")


NAMES = ("Nguyễn Thị Hương", "Trần Văn Đức", "Lê Thị Ánh Tuyết", "Phạm Quốc Việt", "Hoàng Minh Châu",
         "Võ Thị Thanh Hằng", "Đặng Hữu Phước", "Bùi Thị Ngọc Lan")


COURSES = (
    (Track.STATE_MANAGEMENT, "principal", "Bồi dưỡng ngạch chuyên viên chính",
     "Học viện Hành chính Quốc gia"),
    (Track.STATE_MANAGEMENT, "specialist", "Bồi dưỡng ngạch chuyên viên", "Trường Chính trị tỉnh"),
    (Track.POLITICAL_THEORY, "intermediate", "Trung cấp lý luận chính trị – hành chính",
     "Trường Chính trị tỉnh"),
    (Track.IT, "basic", "Ứng dụng công nghệ thông tin cơ bản", "Trung tâm Tin học – Ngoại ngữ"),
    (Track.FOREIGN_LANGUAGE, "level3", "Tiếng Anh bậc 3 (B1)", "Đại học Ngoại ngữ"),
    (Track.LEADERSHIP, "division", "Bồi dưỡng lãnh đạo cấp phòng", "Học viện Hành chính Quốc gia"),
    (Track.DEFENSE_SECURITY, "group4", "Kiến thức quốc phòng và an ninh đối tượng 4",
     "Trường Quân sự tỉnh"),
    (Track.OTHER, None, "Kỹ năng soạn thảo văn bản hành chính", "Sở Nội vụ"),
)


def make_plan(registrations: int, commands: int, *, seed: int = 2024) -> Plan:
    """Register ``registrations`` staff, then ``commands`` valid commands spread uniformly over
    the first ``commands // COMMANDS_PER_STAFF`` of them (deterministic for a given seed)."""
    rng = random.Random(seed)
    people: list[_Person] = []
    regs: list[Step] = []
    for i in range(registrations):
        staff_id = f"CB{i + 1:05d}"
        birth = date(1965 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28))
        joined = date(birth.year + 22 + rng.randrange(8), 1 + rng.randrange(12), 1 + rng.randrange(28))
        people.append(_Person(staff_id, joined, joined))
        regs.append(
            Step(
                "register",
                i,
                {
                    "staff_id": staff_id,
                    "full_name": rng.choice(NAMES),
                    "gender": rng.choice(list(Gender)),
                    "birth_date": birth,
                    "unit": rng.choice(UNITS),
                    "joined_on": joined,
                    "position": "Chuyên viên",
                    "rank": "01.003",
                    "recorded_by": "hr-officer",
                },
            )
        )
    active = max(1, min(registrations, commands // COMMANDS_PER_STAFF))
    steps = [_next_command(rng, people[index], index) for index in
             (rng.randrange(active) for _ in range(commands))]
    return Plan(regs, steps)


def _next_command(rng: random.Random, p: _Person, index: int) -> Step:
    """A command valid for ``p`` in its current state; updates the planner's copy of that state."""
    p.today += timedelta(days=5 + rng.randrange(40))
    p.version += 1
    options: list[tuple[str, int]] = [("rotate", 4), ("appoint", 3), ("recognize", 5)]
    if len(p.open_enrollments) < 2:
        options.append(("enroll", 30))
    if p.open_enrollments:
        options += [("complete", 28), ("fail", 3), ("withdraw", 3)]
    if p.completed:
        options.append(("evaluate_course", 10))
    if p.today.year not in p.rated_years:
        options.append(("evaluate_year", 8))
    if p.rated_years:
        options.append(("correct", 2))
    kind = rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0]
    by = {"recorded_by": "hr-officer"}
    sid = p.staff_id
    if kind == "enroll":
        track, level, title, provider = rng.choice(COURSES)
        eid = f"{sid}-E{p.version}"
        p.open_enrollments[eid] = p.today
        return Step("enroll", index, {
            "staff_id": sid, "enrollment_id": eid, "course_code": f"BD-{rng.randrange(100, 999)}",
            "course_title": title, "track": track, "level": level, "provider": provider,
            "mode": rng.choice(list(Mode)), "starts_on": p.today,
            "ends_on": p.today + timedelta(days=60), "decision_ref": f"{rng.randrange(100, 999)}/QĐ-SNV",
            "funding": Funding.STATE_BUDGET, "cost": Decimal(rng.randrange(500, 9000)) * 1000, **by,
        })
    if kind in ("complete", "fail", "withdraw"):
        eid = rng.choice(sorted(p.open_enrollments))
        del p.open_enrollments[eid]
        if kind == "withdraw":
            return Step("withdraw", index, {
                "staff_id": sid, "enrollment_id": eid, "on": p.today,
                "reason": "Được cử đi công tác đột xuất", **by,
            })
        if kind == "complete":
            p.completed[eid] = p.today
        return Step("complete", index, {
            "staff_id": sid, "enrollment_id": eid, "completed_on": p.today,
            "outcome": Outcome.PASSED if kind == "complete" else Outcome.FAILED,
            "credential": CredentialDetails(number=f"GCN-{rng.randrange(10**5, 10**6)}")
            if kind == "complete" else None,
            "score": Decimal(rng.randrange(50, 100)) / 10, **by,
        })
    if kind == "evaluate_course":
        eid = rng.choice(sorted(p.completed))
        del p.completed[eid]
        return Step("evaluate", index, {
            "staff_id": sid, "kind": EvaluationKind.POST_TRAINING, "rating": rng.choice(list(Rating)),
            "evaluator": "Trưởng phòng", "enrollment_id": eid, "on": p.today,
            "notes": "Vận dụng tốt kiến thức vào công việc", **by,
        })
    if kind == "evaluate_year":
        p.rated_years[p.today.year] = p.version
        return Step("evaluate", index, {
            "staff_id": sid, "kind": EvaluationKind.ANNUAL, "rating": rng.choice(list(Rating)),
            "evaluator": "Giám đốc Sở", "year": p.today.year, **by,
        })
    if kind == "correct":
        year = rng.choice(sorted(p.rated_years))
        voided = p.rated_years.pop(year)
        return Step("correct", index, {
            "staff_id": sid, "event_id": f"{sid}:{voided}", "reason": "Nhập nhầm xếp loại", **by,
        })
    if kind == "rotate":
        return Step("rotate", index, {
            "staff_id": sid, "to_unit": rng.choice(UNITS), "kind": RotationKind.ROTATION,
            "starts_on": p.today, "ends_on": p.today + timedelta(days=365),
            "decision_ref": f"{rng.randrange(100, 999)}/QĐ-UBND", **by,
        })
    if kind == "appoint":
        # With a waiver, so that the appointment stands whatever the position standard asks.
        return Step("appoint", index, {
            "staff_id": sid, "position": rng.choice(POSITIONS), "effective_on": p.today,
            "decision_ref": f"{rng.randrange(100, 999)}/QĐ-UBND",
            "waiver": Waiver(legal_basis="Quyết định 27/2023/QĐ-UBND", deadline=p.today + timedelta(days=730),
                             reason="Bổ nhiệm có thời hạn, cam kết hoàn thiện tiêu chuẩn"), **by,
        })
    p.credentials += 1
    track = rng.choice([Track.IT, Track.FOREIGN_LANGUAGE])
    return Step("recognize_credential", index, {
        "staff_id": sid, "credential_id": f"{sid}-C{p.credentials}", "track": track,
        "level": TRACKS[track].levels[0].code, "title": "Chứng chỉ ngoài kế hoạch",
        "issuer": "Đại học Sư phạm", "issued_on": p.today, "number": f"CC-{rng.randrange(10**5, 10**6)}",
        "evidence": Evidence(document_ref=f"Bản sao chứng thực số {rng.randrange(1000, 9999)}"), **by,
    })


def run_ledger_step(ledger: Ledger, step: Step) -> None:
    try:
        _run(ledger, step)
    except Exception as error:
        error.add_note(f"bench/append.py: the ledger refused planned step {step.method} on staff #"
                       f"{step.staff_index}; the planner is out of step with the domain's rules")
        raise


def _run(ledger: Ledger, step: Step) -> None:
    kwargs = dict(step.kwargs)
    if step.method == "register":
        ledger.register(**kwargs)
        return
    staff_id = kwargs.pop("staff_id")
    if step.method in ("complete", "withdraw"):
        getattr(ledger, step.method)(staff_id, kwargs.pop("enrollment_id"), **kwargs)
    else:
        getattr(ledger, step.method)(staff_id, **kwargs)
