"""Training effectiveness: judge performance, not degrees (the article's ask; docs/domain.md §4.8).

For every completed course, the annual rating of the year before it started is set against the
rating of the year after it ended, and the post-training evaluations of the course are counted.
Results are grouped per programme (course code, track, level) and year of completion; ratings
are scored excellent 4, good 3, completed 2, not completed 1. Pure functions over records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledger.domain.catalog import EvaluationKind, Rating, Track
from ledger.domain.record import EnrollmentStatus, EvaluationState, StaffRecord

RATING_SCORE: dict[Rating, int] = {
    Rating.EXCELLENT: 4,
    Rating.GOOD: 3,
    Rating.COMPLETED: 2,
    Rating.NOT_COMPLETED: 1,
}
# "áp dụng tốt / có áp dụng" in a post-training evaluation
APPLIED = frozenset({Rating.EXCELLENT, Rating.GOOD})


@dataclass(frozen=True)
class CourseOutcome:
    """One completed course of one person, with the ratings around it known on ``as_of``."""

    staff_id: str
    enrollment_id: str
    course_code: str
    course_title: str
    track: Track
    level: str | None
    starts_on: date
    completed_on: date
    rating_before: Rating | None  # annual rating of the year before the course started
    rating_after: Rating | None  # annual rating of the year after the course ended
    post_training: tuple[Rating, ...]

    @property
    def change(self) -> int | None:
        if self.rating_before is None or self.rating_after is None:
            return None
        return RATING_SCORE[self.rating_after] - RATING_SCORE[self.rating_before]


@dataclass
class ProgrammeEffect:
    """Completions of one programme in one year and what followed them."""

    course_code: str
    track: Track
    level: str | None
    year: int
    course_title: str
    completions: int = 0
    compared: int = 0  # completions with both a rating before and a rating after
    improved: int = 0
    unchanged: int = 0
    declined: int = 0
    score_before: int = 0
    score_after: int = 0
    post_training: dict[str, int] = field(default_factory=dict)

    @property
    def mean_before(self) -> Decimal | None:
        return _mean(self.score_before, self.compared)

    @property
    def mean_after(self) -> Decimal | None:
        return _mean(self.score_after, self.compared)

    @property
    def mean_change(self) -> Decimal | None:
        return _mean(self.score_after - self.score_before, self.compared)

    @property
    def evaluated(self) -> int:
        return sum(self.post_training.values())

    @property
    def applied_share(self) -> Decimal | None:
        """Share of post-training evaluations saying the training is applied (excellent/good)."""
        applied = sum(n for rating, n in self.post_training.items() if Rating(rating) in APPLIED)
        return _mean(applied, self.evaluated)

    def as_dict(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "course_code": self.course_code,
            "course_title": self.course_title,
            "track": str(self.track),
            "level": self.level,
            "year": self.year,
            "completions": self.completions,
            "compared": self.compared,
            "improved": self.improved,
            "unchanged": self.unchanged,
            "declined": self.declined,
            "mean_before": text(self.mean_before),
            "mean_after": text(self.mean_after),
            "mean_change": text(self.mean_change),
            "post_training": dict(sorted(self.post_training.items())),
            "evaluated": self.evaluated,
            "applied_share": text(self.applied_share),
        }


def _mean(total: int, count: int) -> Decimal | None:
    if count == 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _annual(evaluations: Iterable[EvaluationState], year: int) -> Rating | None:
    found = next((e for e in evaluations if e.kind == EvaluationKind.ANNUAL and e.year == year), None)
    return found.rating if found else None


def course_outcomes(record: StaffRecord, as_of: date | None = None) -> list[CourseOutcome]:
    """Each course the person completed (by ``as_of``), with the ratings around it known then."""
    known = [e for e in record.evaluations if as_of is None or e.effective_on <= as_of]
    outcomes = []
    for enrollment in record.enrollments.values():
        completed_on = enrollment.closed_on
        if enrollment.status != EnrollmentStatus.COMPLETED or completed_on is None:
            continue
        if as_of is not None and completed_on > as_of:
            continue
        outcomes.append(
            CourseOutcome(
                staff_id=record.staff_id,
                enrollment_id=enrollment.enrollment_id,
                course_code=enrollment.course_code,
                course_title=enrollment.course_title,
                track=enrollment.track,
                level=enrollment.level,
                starts_on=enrollment.starts_on,
                completed_on=completed_on,
                rating_before=_annual(known, enrollment.starts_on.year - 1),
                rating_after=_annual(known, completed_on.year + 1),
                post_training=tuple(
                    e.rating
                    for e in known
                    if e.kind == EvaluationKind.POST_TRAINING and e.enrollment_id == enrollment.enrollment_id
                ),
            )
        )
    return sorted(outcomes, key=lambda o: (o.completed_on, o.enrollment_id))


def effectiveness_report(
    records: Iterable[StaffRecord],
    as_of: date | None = None,
    *,
    tracks: Iterable[Track | str] | None = None,
) -> list[ProgrammeEffect]:
    """Per programme (course code, track, level) and year of completion: completions, rating
    before versus after, and post-training evaluations. Former staff count too."""
    return programme_effects((course_outcomes(record, as_of) for record in records), tracks=tracks)


def programme_effects(
    outcomes_per_person: Iterable[Iterable[CourseOutcome]],
    *,
    tracks: Iterable[Track | str] | None = None,
) -> list[ProgrammeEffect]:
    """The effects per programme and year of everyone's course outcomes, person by person in
    staff-code order (a programme's title is that of its first outcome)."""
    wanted = {Track(t) for t in tracks} if tracks is not None else None
    groups: dict[tuple[str, str, str, int], ProgrammeEffect] = {}
    for outcomes in outcomes_per_person:
        for outcome in outcomes:
            if wanted is not None and outcome.track not in wanted:
                continue
            key = (outcome.course_code, str(outcome.track), outcome.level or "", outcome.completed_on.year)
            effect = groups.get(key)
            if effect is None:
                effect = groups[key] = ProgrammeEffect(
                    course_code=outcome.course_code,
                    track=outcome.track,
                    level=outcome.level,
                    year=outcome.completed_on.year,
                    course_title=outcome.course_title,
                )
            effect.completions += 1
            change = outcome.change
            if change is not None and outcome.rating_before and outcome.rating_after:
                effect.compared += 1
                effect.score_before += RATING_SCORE[outcome.rating_before]
                effect.score_after += RATING_SCORE[outcome.rating_after]
                if change > 0:
                    effect.improved += 1
                elif change < 0:
                    effect.declined += 1
                else:
                    effect.unchanged += 1
            for rating in outcome.post_training:
                effect.post_training[str(rating)] = effect.post_training.get(str(rating), 0) + 1
    return [groups[k] for k in sorted(groups)]
