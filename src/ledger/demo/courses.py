"""The in-scope courses: those that award a level, the masters' degrees, the short courses, and
their modes and funding."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ledger.demo.agency import SNAPSHOT
from ledger.demo.draft import Draft, weighted_sample
from ledger.demo.model import Course, add_months_clamped, vnd
from ledger.demo.programmes import ABROAD, PROGRAMMES, SHORTS
from ledger.demo.search import ShortCourseSearch
from ledger.demo.training import (
    CREDENTIAL_COURSES,
    CV_BEFORE,
    CV_PER_YEAR,
    CV_TAKERS,
    LEAD_SHORT_PER_YEAR,
    LLCT_SHORT_PER_YEAR,
    MASTERS,
    PARTY_AWARENESS_YEARS,
)
from ledger.domain.catalog import Funding, Mode, Track


def programme_course(
    draft: Draft, key: str, kind: str, start: date, cost_spread: tuple[float, float]
) -> Course:
    """A course of the programme ``kind`` from ``start``: the decision is numbered, then the cost
    drawn within ``cost_spread`` of the programme's, in that order."""
    spec = PROGRAMMES[kind]
    return Course(
        person=key,
        kind=kind,
        code=spec.code,
        title=spec.title,
        track=spec.track,
        level=spec.level,
        provider=spec.provider,
        starts_on=start,
        ends_on=start + timedelta(days=spec.days - 1),
        mode=spec.mode,
        decision_ref=draft.decision(start),
        cost=vnd(spec.cost * draft.rng.uniform(*cost_spread)),
    )


def credential_course(draft: Draft, key: str, kind: str, year: int, months: tuple[int, int]) -> Course:
    person = draft.p(key)
    spec = PROGRAMMES[kind]
    days = spec.days
    blocking = spec.mode != Mode.PART_TIME
    start = draft.pick_start(person, year, months, days, blocking=blocking)
    if start is None:
        raise RuntimeError(f"no free start for {key} {kind} {year}")
    course = programme_course(draft, key, kind, start, (0.9, 1.15))
    end = course.ends_on
    if end > SNAPSHOT:
        course.status = "enrolled"
    else:
        course.closed_on = min(end + timedelta(days=draft.rng.randint(0, 6)), SNAPSHOT)
        course.credential_title = spec.credential
        course.credential_number = draft.certificate(spec.number_prefix, course.closed_on.year)
        course.score = Decimal(str(round(draft.rng.uniform(6.5, 9.4), 1)))
    return draft.add_course(course)


def build_credential_courses(draft: Draft) -> None:
    for key, kind, year, months in CREDENTIAL_COURSES:
        credential_course(draft, key, kind, year, months)
    # QLNN chuyên viên: the withdrawal for maternity (2021) and the re-enrolment (2022).
    withdrawn = credential_course(draft, "CVF_C", "cv", 2021, (3, 5))
    withdrawn.status = "withdrawn"
    withdrawn.closed_on = withdrawn.starts_on + timedelta(days=draft.rng.randint(8, 15))
    withdrawn.reason = "Nghỉ chế độ thai sản"
    withdrawn.credential_title = withdrawn.credential_number = None
    withdrawn.score = None
    draft.p("CVF_C").busy[-1] = (withdrawn.starts_on, withdrawn.closed_on)
    credential_course(draft, "CVF_C", "cv", 2022, (9, 10))
    assign_cv_years(draft)


def assign_cv_years(draft: Draft) -> None:
    """The other 28 QLNN chuyên viên courses, spread over the years as §3.6 says."""
    remaining = dict(CV_PER_YEAR)
    remaining[2021] -= 1
    remaining[2022] -= 1
    takers = list(CV_TAKERS)
    draft.rng.shuffle(takers)
    # Those with the tightest windows first.
    takers.sort(key=lambda k: (k not in CV_BEFORE, k not in ("CVM_A", "CVM_B", "CVF_A")))
    for key in takers:
        person = draft.p(key)
        first = max(2019, person.joined_on.year)
        last = 2025
        if key in CV_BEFORE:
            first, last = max(first, CV_BEFORE[key][0]), CV_BEFORE[key][1]
        if key in ("CVM_A", "CVM_B", "CVF_A"):
            last = min(last, 2021)  # recruits of 2018–2019 take it in their first years
        years = [y for y in range(first, last + 1) if remaining[y] > 0]
        if not years:
            raise RuntimeError(f"no year left for the CV programme of {key}")
        year = draft.rng.choice(years)
        remaining[year] -= 1
        months = (2, 10)
        if key == "PTP_NV1_B" and year == 2021:
            months = (2, 10)
        if key == "PTP_NV2" and year == 2024:
            months = (2, 9)
        if key == "PTP_TTKT" and year == 2022:
            months = (2, 9)
        credential_course(draft, key, "cv", year, months)
    if any(remaining.values()):
        raise RuntimeError(f"CV programme years left unassigned: {remaining}")


def build_masters(draft: Draft) -> None:
    fields = ("Quản lý kinh tế", "Tài chính – Ngân hàng", "Kế toán", "Luật kinh tế")
    for key, year, months, length in MASTERS:
        person = draft.p(key)
        start = draft.pick_start(person, year, months, 1, blocking=False)
        assert start is not None
        end = add_months_clamped(start, length)
        subject = draft.rng.choice(fields)
        spelling = "Thạc sỹ" if key == "F_CVC" else "Thạc sĩ"
        course = Course(
            person=key,
            kind="ths",
            code="SDH-THS",
            title=f"Đào tạo trình độ thạc sĩ ngành {subject}",
            track=Track.PROFESSIONAL,
            level="master",
            provider=draft.rng.choice(("Học viện Tài chính", "Trường Đại học Kinh tế Quốc dân")),
            starts_on=start,
            ends_on=end,
            mode=Mode.PART_TIME,
            decision_ref=draft.decision(start),
            cost=vnd(draft.rng.uniform(72, 96)),
        )
        course.closed_on = end + timedelta(days=draft.rng.randint(10, 30))
        course.credential_title = f"Bằng {spelling} {subject}"
        course.credential_number = draft.certificate("ThS", course.closed_on.year)
        course.score = Decimal(str(round(draft.rng.uniform(7.2, 9.0), 1)))
        draft.add_course(course, blocking=False)


def build_short_courses(draft: Draft) -> None:
    """Who attends the 87 short courses: a search for the exact splits of §3.6."""
    slots: list[tuple[str, int]] = []
    for year, count in LLCT_SHORT_PER_YEAR.items():
        party = 1 if year in PARTY_AWARENESS_YEARS else 0
        slots += [("party", year)] * party + [("llct", year)] * (count - party)
    for year, count in LEAD_SHORT_PER_YEAR.items():
        slots += [("lead", year)] * count
    solution = ShortCourseSearch(draft, slots).solve()
    for (kind, year), (key, start) in zip(slots, solution, strict=True):
        spec = SHORTS[kind]
        days = draft.rng.randint(*spec.days)
        title = draft.rng.choice(spec.titles_for(year))
        course = Course(
            person=key,
            kind=kind,
            code=f"{spec.code}-{year}",
            title=title,
            track=spec.track,
            level=None,
            provider=draft.rng.choice(spec.providers),
            starts_on=start,
            ends_on=start + timedelta(days=days - 1),
            decision_ref=draft.decision(start),
            cost=vnd(draft.rng.uniform(0.8, 3.2)),
            awards_level=False,
        )
        course.closed_on = course.ends_on
        draft.add_course(course)


def assign_modes(draft: Draft) -> None:
    """Modes, funding and the two courses abroad, to the exact splits of §3.6. The steps draw from
    the seeded generator in this order."""
    scope = [c for c in draft.courses if c.in_scope]
    shorts = [c for c in scope if c.kind in ("llct", "party", "lead")]
    long_ = [c for c in scope if c.kind in ("cv", "cvc", "cvc_open", "phong") and c.starts_on.year >= 2021]
    for course in scope:
        course.mode = PROGRAMMES[course.kind].mode if course.kind in PROGRAMMES else Mode.FULL_TIME
    abroad = _send_abroad(draft, shorts)
    _assign_online_and_blended(draft, shorts, long_, abroad)
    _assign_funding(draft, scope, shorts, abroad)
    _withdraw_one_short_course(draft, shorts, abroad)


def _send_abroad(draft: Draft, shorts: list[Course]) -> list[Course]:
    """A leadership course of 2019 and one of 2023, attended by a leader, held abroad."""
    rng = draft.rng
    abroad: list[Course] = []
    for year, country, provider, title in ABROAD:
        candidates = [
            c
            for c in shorts
            if c.kind == "lead"
            and c.starts_on.year == year
            and c.status == "completed"
            and draft.p(c.person).post_kind_on(c.starts_on) != "none"
        ]
        course = rng.choice(candidates)
        course.country, course.provider, course.title = country, provider, title
        course.code = f"LDQL-NN-{year}"
        course.cost = vnd(rng.uniform(70, 95))
        abroad.append(course)
    return abroad


def _assign_online_and_blended(
    draft: Draft, shorts: list[Course], long_: list[Course], abroad: list[Course]
) -> None:
    rng = draft.rng
    # Online: 45 short courses, most of them in the COVID years.
    weights = {2019: 1, 2020: 6, 2021: 6, 2022: 3, 2023: 2, 2024: 2, 2025: 2}
    pool = [c for c in shorts if c not in abroad]
    online = weighted_sample(rng, pool, [weights[c.starts_on.year] for c in pool], 45)
    for course in online:
        course.mode = Mode.ONLINE
    # Blended: 8 programmes from 2021 on and 12 short courses.
    for course in rng.sample(long_, 8):
        course.mode = Mode.BLENDED
    rest = [c for c in shorts if c not in abroad and c.mode == Mode.FULL_TIME]
    for course in rng.sample(rest, 12):
        course.mode = Mode.BLENDED


def _assign_funding(draft: Draft, scope: list[Course], shorts: list[Course], abroad: list[Course]) -> None:
    """5 sponsored (the two abroad and three project-funded skills courses), 4 self-funded."""
    rng = draft.rng
    sponsored = [
        c for c in shorts if c.kind == "lead" and 2022 <= c.starts_on.year <= 2024 and c not in abroad
    ]
    for course in abroad + rng.sample(sponsored, 3):
        course.funding = Funding.SPONSORED
        if course not in abroad:
            course.provider = "Dự án Hỗ trợ hiện đại hóa quản lý thuế (vốn tài trợ)"
    early_cv = [c for c in scope if c.kind == "cv" and c.starts_on.year <= 2020 and c.status == "completed"]
    online_short = [c for c in shorts if c.mode == Mode.ONLINE and c.funding == Funding.STATE_BUDGET]
    for course in rng.sample(early_cv, 2) + rng.sample(online_short, 2):
        course.funding = Funding.SELF_FUNDED


def _withdraw_one_short_course(draft: Draft, shorts: list[Course], abroad: list[Course]) -> None:
    """One leadership skills course was left after a day: the person was sent on urgent duty."""
    candidates = [
        c for c in shorts if c.kind == "lead" and c not in abroad and c.funding == Funding.STATE_BUDGET
    ]
    dropped = draft.rng.choice(candidates)
    dropped.status = "withdrawn"
    dropped.closed_on = dropped.starts_on + timedelta(days=1 if dropped.ends_on > dropped.starts_on else 0)
    dropped.reason = "Được cử đi công tác đột xuất"
