"""The whole demo drawn as a plan, checked against its figures before anything is recorded."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from typing import Any

from ledger.demo.agency import DEFAULT_SEED, SNAPSHOT
from ledger.demo.careers import build_careers
from ledger.demo.course_commands import build_course_ops
from ledger.demo.courses import assign_modes, build_credential_courses, build_masters, build_short_courses
from ledger.demo.dossier import build_registrations
from ledger.demo.draft import Draft
from ledger.demo.model import Course, DemoPlan, Person
from ledger.demo.out_of_scope import build_out_of_scope
from ledger.demo.people import build_people
from ledger.demo.ratings import build_post_training, build_ratings
from ledger.demo.recording import assign_recording_times, with_unit_facts
from ledger.demo.roster import POOL_2020, POOL_2023
from ledger.demo.targets import CORRECTIONS, TARGETS
from ledger.demo.training import OLD_LEVEL_3
from ledger.domain.catalog import EvaluationKind


def build_plan(seed: int = DEFAULT_SEED, snapshot: date = SNAPSHOT) -> DemoPlan:
    """The demo agency as a list of commands in recording order (pure: no store, no clock)."""
    if snapshot != SNAPSHOT:
        raise ValueError(
            f"The demo agency is defined at {SNAPSHOT.isoformat()}; its figures (docs/domain.md §3.10) "
            f"hold on that date, not on {snapshot.isoformat()}."
        )
    draft = Draft(seed)
    build_people(draft)
    build_registrations(draft)
    build_careers(draft)
    build_credential_courses(draft)
    build_masters(draft)
    build_short_courses(draft)
    assign_modes(draft)
    build_out_of_scope(draft)
    build_course_ops(draft)
    kht = build_ratings(draft)
    build_post_training(draft)
    ops = with_unit_facts(assign_recording_times(draft))
    people = draft.people
    ids = {key: person.staff_id for key, person in people.items()}
    edge_cases = {
        "1_pho_truong_phong_without_division_leadership": (ids["PTP_NV1_B"],),
        "2_young_female_pho_truong_phong_2025": (ids["PTP_NV2"],),
        "3_pho_truong_phong_political_theory_in_progress": (ids["PTP_TTKT"],),
        "4_truong_phong_cv_rank_cv_certificate_only": (ids["TP_NV3"],),
        "5_division_leaders_without_defense_security": (ids["PTP_NV1_B"], ids["PTP_TTKT"], ids["PTP_NV2"]),
        "6_recruits_2025_without_cv_programme": (ids["REC_M"], ids["REC_F"]),
        "7_bachelor_and_advanced_political_theory": (ids["CT"],),
        "8_equivalence_certificate_2015": (ids["CVC_NV3"],),
        "9_truong_phong_llct_hanh_chinh_2012": (ids["TP_NV1"],),
        "10_withdrawn_then_reenrolled": (ids["CVF_C"],),
        "11_master_transferred_with_consent": (ids["F_CVC"],),
        "12_old_level_3_label_2019": tuple(
            ids[o.staff_key]
            for o in ops
            if o.kind == "evaluate" and o.args.get("year") == 2019 and o.args.get("notes") == OLD_LEVEL_3
        ),
        "rated_not_completed_2021_2025": tuple(ids[k] for k in kht),
        "rotated_out_2019_2022": (ids["PCT_A"],),
        "rotated_in_2023": (ids["TP_TTKT"],),
        "transferred_in_2021": (ids["TP_NV1"],),
        "technical_worker_then_intermediate": (ids["HD_2"],),
        "retired_without_training_2024": (ids["F_TP_OLD"],),
    }
    pool = tuple(ids[k] for k in POOL_2020 + POOL_2023)
    plan = DemoPlan(seed, people, draft.courses, ops, edge_cases, pool)
    misses = plan_misses(plan)
    if misses:
        raise RuntimeError(f"the demo plan of seed {seed} misses its figures: {'; '.join(misses)}")
    return plan


def plan_misses(plan: DemoPlan) -> list[str]:
    """Where the plan's own statistics differ from :data:`TARGETS` (empty when exact). The tests
    check the loaded log independently; this stops a seed that would miss before anything is
    recorded."""
    t = TARGETS
    stats = plan_statistics(plan)
    expected: dict[str, Any] = {
        "attendances": t["attendances"],
        "by_track": Counter(t["attendances_by_track"]),
        "by_year_track": Counter(
            {
                (y, track): n
                for y, row in t["attendances_by_year_and_track"].items()
                for track, n in row.items()
            }
        ),
        "status": Counter(t["attendance_status"]),
        "mode": Counter(t["attendance_mode"]),
        "funding": Counter(t["attendance_funding"]),
        "abroad": t["attendance_abroad"],
        "female": t["attendance_gender"]["female"],
        "young": t["attendance_young"],
        "young_female": t["attendance_young_female"],
        "post": Counter(t["attendance_post"]),
        "per_current": Counter(t["attendances_per_current_person"]),
        "per_former": t["attendances_per_former_person"],
        "out_of_scope": Counter(t["out_of_scope"]),
        "rated": Counter({(y, r): n for y, row in t["annual_ratings"].items() for r, n in row.items() if n}),
    }
    misses = [
        f"{name}: {stats[name]} instead of {value}"
        for name, value in expected.items()
        if stats[name] != value
    ]
    corrections = sum(op.kind == "correct" for op in plan.ops)
    if corrections != CORRECTIONS:
        misses.append(f"{corrections} corrections instead of {CORRECTIONS}")
    return misses


def plan_statistics(plan: DemoPlan) -> dict[str, Any]:
    """The figures the plan should produce, computed from the plan itself (a self-check)."""
    scope = [c for c in plan.courses if c.in_scope]
    stats: dict[str, Any] = {
        **_course_statistics(scope),
        **_attendee_statistics(plan.people, scope),
        "out_of_scope": Counter(c.track.value for c in plan.courses if not c.in_scope),
        "rated": Counter(
            (o.args["year"], o.args["rating"].value)
            for o in plan.ops
            if o.kind == "evaluate"
            and o.args.get("kind") == EvaluationKind.ANNUAL
            and o.key != "wrong-rating"
        ),
        "events": len(plan.ops),
    }
    return stats


def _course_statistics(scope: list[Course]) -> dict[str, Any]:
    """The in-scope attendances by what the courses were."""
    return {
        "attendances": len(scope),
        "by_track": Counter(c.track.value for c in scope),
        "by_year_track": Counter((c.starts_on.year, c.track.value) for c in scope),
        "status": Counter(c.status for c in scope),  # completed, enrolled (in progress), withdrawn
        "mode": Counter(c.mode.value for c in scope),
        "funding": Counter(c.funding.value for c in scope),
        "abroad": sum(c.country != "VN" for c in scope),
    }


def _attendee_statistics(people: dict[str, Person], scope: list[Course]) -> dict[str, Any]:
    """The in-scope attendances by who attended, as they were on the course's first day."""
    per_person = Counter(c.person for c in scope)
    current = [p for p in people.values() if not p.role.former]
    return {
        "female": sum(people[c.person].female for c in scope),
        "young": sum(people[c.person].age_on(c.starts_on) < 35 for c in scope),
        "young_female": sum(
            people[c.person].female and people[c.person].age_on(c.starts_on) < 35 for c in scope
        ),
        "post": Counter(people[c.person].post_kind_on(c.starts_on) for c in scope),
        "per_current": Counter(per_person[p.key] for p in current),
        "per_former": sorted(
            (per_person[p.key] for p in people.values() if p.role.former and per_person[p.key]), reverse=True
        ),
    }


def demo_digest(plan: DemoPlan) -> str:
    """A fingerprint of every command of the plan with its recording time and key: equal digests,
    equal logs (the test that the plan does not depend on the process, e.g. on hash seeds)."""
    digest = hashlib.sha256()
    for op in plan.ops:
        at = op.at.isoformat() if op.at else ""
        args = sorted((name, repr(value)) for name, value in op.args.items())
        digest.update(repr((op.staff_key, op.kind, at, op.by, op.voids, args)).encode())
    return digest.hexdigest()
