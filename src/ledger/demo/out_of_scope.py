"""The courses outside the three tracks of the figures (docs/domain.md §3.7): defence and security,
job-position, IT, foreign language and party-work courses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from ledger.demo.agency import AGENCY_POSTS, DIVISION_POSTS, SNAPSHOT
from ledger.demo.courses import programme_course
from ledger.demo.draft import Draft
from ledger.demo.model import Course, vnd
from ledger.demo.programmes import PARTY_WORK, PROGRAMMES, VTVL, VTVL_NEWCOMER, VTVL_WORKERS, ShortSpec
from ledger.demo.training import FL_YEARS, IT_PER_YEAR, PARTY_WORK_YEARS, QPAN2, QPAN3, VTVL_PER_YEAR
from ledger.domain.catalog import Employment, Mode


def free_person(
    draft: Draft,
    candidates: Sequence[str],
    year: int,
    days: int,
    months: tuple[int, int] = (1, 11),
    *,
    blocking: bool = True,
) -> tuple[str, date]:
    """Someone among ``candidates`` on the roll and free for ``days`` in ``months`` of ``year``."""
    options = list(candidates)
    draft.rng.shuffle(options)
    for key in options:
        start = draft.pick_start(draft.p(key), year, months, days, blocking=blocking, tries=20)
        if start is not None:
            return key, start
    raise RuntimeError(f"nobody free in {year} among {len(options)}")


def build_out_of_scope(draft: Draft) -> None:
    """The out-of-scope courses, category by category (the order of the seeded draws)."""
    for key, year in QPAN3:
        simple_course(draft, key, "qpan3", year, (3, 10))
    for key, year in QPAN2:
        simple_course(draft, key, "qpan2", year, (3, 10))
    servants = [p.key for p in draft.people.values() if p.civil_servant and p.key not in ("REC_M", "REC_F")]
    _job_position_courses(draft, servants)
    young = [p.key for p in draft.people.values() if p.civil_servant and p.birth_date.year >= 1985]
    young = [k for k in young if k not in ("REC_M", "REC_F")]
    _it_courses(draft, servants)
    _language_courses(draft, young)
    leaders = [p.key for p in draft.people.values() if p.role.position in AGENCY_POSTS | DIVISION_POSTS]
    for index, year in enumerate(PARTY_WORK_YEARS):
        pool = leaders if index % 2 == 0 else young
        spec = PARTY_WORK[index % len(PARTY_WORK)]
        key, start = free_person(draft, pool, year, spec.days[1])
        short_course_out(draft, key, start, spec, year)


def _job_position_courses(draft: Draft, servants: list[str]) -> None:
    """Job-position courses (VTVL): contract workers' safety course, the 2025 recruits' induction,
    and the civil servants' professional updates."""
    workers = [p.key for p in draft.people.values() if p.role.employment == Employment.CONTRACT]
    for year, count in VTVL_PER_YEAR.items():
        batches: list[tuple[Sequence[str], ShortSpec, tuple[int, int]]] = []
        if year in (2020, 2023):
            batches.append((workers, VTVL_WORKERS, (1, 11)))
        if year == 2025:
            batches += [(["REC_M"], VTVL_NEWCOMER, (5, 11)), (["REC_F"], VTVL_NEWCOMER, (5, 11))]
        batches += [(servants, VTVL, (1, 11))] * (count - len(batches))
        for pool, spec, months in batches:
            key, start = free_person(draft, pool, year, spec.days[1], months)
            short_course_out(draft, key, start, spec, year)


def _it_courses(draft: Draft, servants: list[str]) -> None:
    for year, count in IT_PER_YEAR.items():
        for _ in range(count):
            kind = "it_advanced" if draft.rng.random() < 0.35 else "it_basic"
            programme = PROGRAMMES[kind]
            key, start = free_person(
                draft,
                servants,
                year,
                programme.days,
                blocking=programme.mode not in (Mode.ONLINE, Mode.PART_TIME),
            )
            simple_course(draft, key, kind, year, (1, 11), start=start)


def _language_courses(draft: Draft, young: list[str]) -> None:
    """English B1 for young civil servants; the third of them failed."""
    for index, year in enumerate(FL_YEARS):
        key, start = free_person(draft, young, year, PROGRAMMES["fl"].days, (1, 8), blocking=False)
        course = simple_course(draft, key, "fl", year, (1, 8), start=start)
        if index == 2:
            course.status = "failed"
            course.credential_title = course.credential_number = None
            course.score = Decimal("4.5")


def simple_course(
    draft: Draft, key: str, kind: str, year: int, months: tuple[int, int], start: date | None = None
) -> Course:
    spec = PROGRAMMES[kind]
    person = draft.p(key)
    blocking = spec.mode not in (Mode.PART_TIME, Mode.ONLINE)
    if start is None:
        start = draft.pick_start(person, year, months, spec.days, blocking=blocking)
    if start is None:
        raise RuntimeError(f"no free start for {key} {kind} {year}")
    course = programme_course(draft, key, kind, start, (0.9, 1.1))
    end = course.ends_on
    course.closed_on = min(end + timedelta(days=draft.rng.randint(0, 5)), SNAPSHOT)
    if end > SNAPSHOT:
        course.status, course.closed_on = "enrolled", None
    elif spec.level is not None:
        course.credential_title = spec.credential
        course.credential_number = draft.certificate(spec.number_prefix, course.closed_on.year)
        course.score = Decimal(str(round(draft.rng.uniform(6.0, 9.5), 1)))
    return draft.add_course(course, blocking=blocking)


def short_course_out(draft: Draft, key: str, start: date, spec: ShortSpec, year: int) -> None:
    days = draft.rng.randint(*spec.days)
    course = Course(
        person=key,
        kind=spec.code,
        code=f"{spec.code}-{year}",
        title=draft.rng.choice(spec.titles),
        track=spec.track,
        level=None,
        provider=draft.rng.choice(spec.providers),
        starts_on=start,
        ends_on=start + timedelta(days=days - 1),
        decision_ref=draft.decision(start),
        cost=vnd(draft.rng.uniform(0.5, 2.5)),
    )
    course.closed_on = course.ends_on
    draft.add_course(course)
