"""Annual ratings (docs/domain.md §3.8) and post-training evaluations."""

from __future__ import annotations

from datetime import date, timedelta

from ledger.demo.agency import AGENCY, AGENCY_PARENT, AGENCY_POSTS, CT, DIVISION_POSTS, PCT, SNAPSHOT, TP
from ledger.demo.draft import Draft, weighted_sample
from ledger.demo.model import Course, Person, weekday_on_or_after
from ledger.demo.roster import APPOINTMENTS, POOL_2020, POOL_2023
from ledger.demo.training import APPLIED, OLD_LEVEL_3, RATINGS
from ledger.domain.catalog import EvaluationKind, Rating


def build_ratings(draft: Draft) -> list[str]:
    """Annual ratings, exactly the counts of §3.8; returns the staff keys rated KHT."""
    rng = draft.rng
    protected = _protected_from_low_ratings(draft)
    not_completed: list[str] = []
    previous_low: set[str] = set()
    for year, (excellent, completed, failed) in RATINGS.items():
        rated = [p for p in draft.people.values() if _rated_in(p, year)]
        low_ok = _may_be_rated_low(rated, year, protected[year] | previous_low | set(not_completed))
        low = rng.sample(sorted(low_ok), completed + failed)
        kht = low[:failed]
        not_completed += kht
        previous_low = set(low)
        others = [p.key for p in rated if p.key not in low]
        weights = [3 if draft.p(k).post_kind_on(date(year, 11, 1)) != "none" else 1 for k in others]
        top = weighted_sample(rng, others, weights, excellent)
        day = weekday_on_or_after(date(year, 11, rng.randint(18, 24)))
        for person in rated:
            rating = (
                Rating.NOT_COMPLETED
                if person.key in kht
                else Rating.COMPLETED
                if person.key in low
                else Rating.EXCELLENT
                if person.key in top
                else Rating.GOOD
            )
            _record_rating(draft, person, year, rating, day)
    return not_completed


def _protected_from_low_ratings(draft: Draft) -> dict[int, set[str]]:
    """Per year, who may not be rated low: those sent to long courses or appointed in the next two
    years (a low rating would have barred them)."""
    protected: dict[int, set[str]] = {year: set() for year in RATINGS}
    for course in draft.courses:
        if course.kind in ("tc", "ths"):
            for year in (course.starts_on.year - 1, course.starts_on.year - 2):
                if year in protected:
                    protected[year].add(course.person)
    for key, day, _post, _new, _parent in APPOINTMENTS:
        for year in (day.year - 1, day.year - 2):
            if year in protected:
                protected[year].add(key)
    return protected


def _may_be_rated_low(rated: list[Person], year: int, excluded: set[str]) -> list[str]:
    """Staff without a post that year, outside the planning pool and not in ``excluded``."""
    pool = set(POOL_2020 + POOL_2023 + ("F_CVC",))
    return [
        p.key
        for p in rated
        if p.role.position not in AGENCY_POSTS | DIVISION_POSTS
        and p.post_kind_on(date(year, 11, 1)) == "none"
        and p.key not in excluded
        and p.key not in pool
    ]


def _record_rating(draft: Draft, person: Person, year: int, rating: Rating, day: date) -> None:
    notes = OLD_LEVEL_3 if year == 2019 and rating == Rating.COMPLETED else None
    evaluator = (
        f"Tổng cục trưởng {AGENCY_PARENT}" if person.role.position in AGENCY_POSTS else f"Cục trưởng {AGENCY}"
    )
    args = {
        "kind": EvaluationKind.ANNUAL,
        "year": year,
        "rating": rating,
        "evaluator": evaluator,
        "notes": notes,
    }
    if year == 2022 and rating == Rating.EXCELLENT and "wrong-rating" not in {o.key for o in draft.ops}:
        # §3.9 correction: an excellent rating first typed as good.
        wrong = draft.op(person.key, "evaluate", day, "rating", **{**args, "rating": Rating.GOOD})
        wrong.key = "wrong-rating"
        draft.op(
            person.key,
            "correct",
            day,
            "correction",
            voids="wrong-rating",
            reason="Nhập nhầm mức xếp loại năm 2022: đúng là hoàn thành xuất sắc nhiệm vụ",
        )
        draft.op(person.key, "evaluate", day, "correction", **args)
        return
    draft.op(person.key, "evaluate", day, "rating", **args)


def build_post_training(draft: Draft) -> None:
    rng = draft.rng
    done = [
        c
        for c in draft.courses
        if c.in_scope and c.level is not None and c.status == "completed" and c.closed_on is not None
    ]
    chosen: list[tuple[Course, date]] = []
    for course in done:
        assert course.closed_on is not None
        day = weekday_on_or_after(course.closed_on + timedelta(days=rng.randint(95, 175)))
        person = draft.p(course.person)
        if day > SNAPSHOT - timedelta(days=5) or not person.on_roll(day):
            continue
        chosen.append((course, day))
    poor = set(rng.sample(range(len(chosen)), round(len(chosen) * 0.1)))
    for index, (course, day) in enumerate(chosen):
        if index in poor:
            rating = Rating.COMPLETED if rng.random() < 0.7 else Rating.NOT_COMPLETED
        else:
            rating = Rating.EXCELLENT if rng.random() < 0.35 else Rating.GOOD
        person = draft.p(course.person)
        draft.op(
            course.person,
            "evaluate",
            day,
            "normal",
            kind=EvaluationKind.POST_TRAINING,
            enrollment_id=course.enrollment_id,
            on=day,
            rating=rating,
            evaluator=_supervisor(person, day),
            notes=APPLIED[rating],
        )


def _rated_in(person: Person, year: int) -> bool:
    """Civil servants are rated in late November; those who joined after June, or left before the
    rating, are not (rated by their previous agency, or retired)."""
    if not person.civil_servant:
        return False
    rating_day = date(year, 11, 30)
    if person.joined_on > date(year, 6, 30):
        return False
    return person.departed_on is None or person.departed_on > rating_day


def _supervisor(person: Person, day: date) -> str:
    """Who assesses a person's use of a course: the head of their division, or their superior."""
    post = person.post_on(day)
    if post == CT:
        return f"Tổng cục trưởng {AGENCY_PARENT}"
    if post in (PCT, TP):
        return f"Cục trưởng {AGENCY}"
    unit = person.unit_on(day)
    if unit.startswith("Phòng "):
        return f"Trưởng phòng {unit.removeprefix('Phòng ')}"
    return f"Cục trưởng {AGENCY}"
