"""The checks over one person's history: pure functions from the stored events to anomaly flags."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ledger.domain.catalog import Mode, Track
from ledger.domain.ids import make_event_id
from ledger.staff import StaffEvent, StaffMember
from projections.anomaly_flags import CODES, Anomaly
from projections.anomaly_rules import AnomalyRules

_OPEN = "…"


@dataclass
class _Award:
    credential_id: str
    title: str
    track: str
    level: str | None
    issued_on: date
    number: str | None
    event: StaffEvent
    enrollment: StaffMember.Enrolled | None
    enrollment_id: str | None
    document_ref: str | None


@dataclass
class _Course:
    enrolled: StaffMember.Enrolled
    closing: StaffEvent | None = None

    @property
    def until(self) -> date | None:
        """The last day of the course: its closing, else its planned end, else open (None)."""
        if self.closing is not None:
            return self.closing.effective_on
        return self.enrolled.ends_on


class _Person:
    """The facts of one person's events the checks need, worked out once."""

    def __init__(self, events: Sequence[StaffEvent], rules: AnomalyRules) -> None:
        self.rules = rules
        self.events = sorted(events, key=lambda e: e.originator_version)
        registration = next((e for e in self.events if isinstance(e, StaffMember.Registered)), None)
        self.registration = registration
        self.staff_id = registration.staff_id if registration is not None else ""
        self.voided_by: dict[str, StaffMember.Corrected] = {}
        for event in self.events:
            if isinstance(event, StaffMember.Corrected):
                self.voided_by.setdefault(event.voided_event_id, event)
        self.live = [
            e
            for e in self.events
            if not isinstance(e, StaffMember.Corrected) and self.event_id(e) not in self.voided_by
        ]
        self.courses: list[_Course] = []
        self.awards: list[_Award] = []
        open_courses: dict[str, _Course] = {}
        for event in self.live:
            if isinstance(event, StaffMember.Enrolled):
                course = _Course(event)
                self.courses.append(course)
                open_courses[event.enrollment_id] = course
            elif isinstance(event, StaffMember.Completed | StaffMember.Failed | StaffMember.Withdrawn):
                found = open_courses.get(event.enrollment_id)
                if found is not None and found.closing is None:
                    found.closing = event
                if isinstance(event, StaffMember.Completed) and event.credential is not None:
                    enrolled = found.enrolled if found is not None else None
                    self.awards.append(
                        _Award(
                            credential_id=event.credential.credential_id,
                            title=event.credential.title,
                            track=str(enrolled.track) if enrolled else "",
                            level=enrolled.level if enrolled else None,
                            issued_on=event.credential.issued_on,
                            number=event.credential.number,
                            event=event,
                            enrollment=enrolled,
                            enrollment_id=event.enrollment_id,
                            document_ref=None,
                        )
                    )
            elif isinstance(event, StaffMember.CredentialRecognized):
                self.awards.append(
                    _Award(
                        credential_id=event.credential_id,
                        title=event.title,
                        track=str(event.track),
                        level=event.level,
                        issued_on=event.effective_on,
                        number=event.number,
                        event=event,
                        enrollment=None,
                        enrollment_id=None,
                        document_ref=event.evidence.document_ref,
                    )
                )

    def event_id(self, event: StaffEvent) -> str:
        return make_event_id(self.staff_id, event.originator_version)

    def recorded_on(self, event: StaffEvent) -> date:
        stamp = event.timestamp if event.timestamp.tzinfo else event.timestamp.replace(tzinfo=UTC)
        return stamp.astimezone(self.rules.local_time).date()

    def credentials_of(self, enrollment_id: str | None) -> tuple[str, ...]:
        if enrollment_id is None:
            return ()
        return tuple(a.credential_id for a in self.awards if a.enrollment_id == enrollment_id)

    def anomaly(
        self,
        code: str,
        main: StaffEvent,
        *others: StaffEvent,
        variant: str = "",
        credentials: Iterable[str] = (),
        enrollments: Iterable[str | None] = (),
        on: date | None = None,
        **facts: object,
    ) -> Anomaly:
        """An anomaly about ``main`` (and ``others``), dated ``on`` (default: the business date of
        ``main``), which is also the fact ``on`` of its message."""
        day = on or main.effective_on
        return Anomaly(
            staff_id=self.staff_id,
            code=code,
            on=day,
            event_ids=tuple(dict.fromkeys(self.event_id(e) for e in (main, *others))),
            credential_ids=tuple(dict.fromkeys(credentials)),
            enrollment_ids=tuple(dict.fromkeys(e for e in enrollments if e)),
            variant=variant,
            facts=tuple((name, _text(value)) for name, value in {"on": day, **facts}.items()),
        )


def _text(value: object) -> str:
    if value is None:
        return _OPEN
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _months(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def no_enrollment_no_evidence(person: _Person) -> list[Anomaly]:
    found = []
    for award in person.awards:
        if award.enrollment is not None:
            continue
        if isinstance(award.event, StaffMember.CredentialRecognized):
            if not _blank(award.document_ref):
                continue
            variant = "recognition"
        else:
            if not _blank(award.number):
                continue
            variant = "completion"
        found.append(
            person.anomaly(
                "no_enrollment_no_evidence",
                award.event,
                variant=variant,
                credentials=[award.credential_id],
                enrollments=[award.enrollment_id],
                credential=award.credential_id,
                title=award.title,
                enrollment=award.enrollment_id,
            )
        )
    return found


def completed_before_start(person: _Person) -> list[Anomaly]:
    found = []
    for course in person.courses:
        closing, enrolled = course.closing, course.enrolled
        if not isinstance(closing, StaffMember.Completed | StaffMember.Failed):
            continue
        common: dict[str, object] = {
            "enrollment": enrolled.enrollment_id,
            "course": enrolled.course_title,
            "starts_on": enrolled.effective_on,
        }
        credentials = person.credentials_of(enrolled.enrollment_id)
        before = closing.effective_on < enrolled.effective_on
        if before:
            found.append(
                person.anomaly(
                    "completed_before_start",
                    closing,
                    enrolled,
                    variant="completion" if isinstance(closing, StaffMember.Completed) else "failure",
                    credentials=credentials,
                    enrollments=[enrolled.enrollment_id],
                    on=closing.effective_on,
                    **common,
                )
            )
        award = closing.credential if isinstance(closing, StaffMember.Completed) else None
        # A certificate dated with a completion already flagged says nothing new.
        if award is not None and award.issued_on < enrolled.effective_on and not before:
            found.append(
                person.anomaly(
                    "completed_before_start",
                    closing,
                    enrolled,
                    variant="certificate",
                    credentials=[award.credential_id],
                    enrollments=[enrolled.enrollment_id],
                    on=award.issued_on,
                    credential=award.credential_id,
                    **common,
                )
            )
    return found


def dated_in_future(person: _Person) -> list[Anomaly]:
    found = []
    for event in person.live:
        recorded_on = person.recorded_on(event)
        if isinstance(event, StaffMember.Completed | StaffMember.Failed):
            credentials = person.credentials_of(event.enrollment_id)
            if event.effective_on > recorded_on:
                found.append(
                    person.anomaly(
                        "dated_in_future",
                        event,
                        variant="completion" if isinstance(event, StaffMember.Completed) else "failure",
                        credentials=credentials,
                        enrollments=[event.enrollment_id],
                        enrollment=event.enrollment_id,
                        on=event.effective_on,
                        recorded_on=recorded_on,
                    )
                )
            award = event.credential if isinstance(event, StaffMember.Completed) else None
            if award is not None and award.issued_on > recorded_on:
                found.append(
                    person.anomaly(
                        "dated_in_future",
                        event,
                        variant="certificate",
                        credentials=[award.credential_id],
                        enrollments=[event.enrollment_id],
                        on=award.issued_on,
                        credential=award.credential_id,
                        recorded_on=recorded_on,
                    )
                )
        elif isinstance(event, StaffMember.CredentialRecognized) and event.effective_on > recorded_on:
            found.append(
                person.anomaly(
                    "dated_in_future",
                    event,
                    variant="recognition",
                    credentials=[event.credential_id],
                    credential=event.credential_id,
                    on=event.effective_on,
                    recorded_on=recorded_on,
                )
            )
    return found


def backdated(person: _Person) -> list[Anomaly]:
    if person.registration is None:
        return []
    entered = person.recorded_on(person.registration)
    threshold = person.rules.backdated_after_days
    found = []
    for event in person.live:
        if isinstance(event, StaffMember.Registered | StaffMember.Corrected):
            continue
        recorded_on = person.recorded_on(event)
        days = (recorded_on - max(event.effective_on, entered)).days
        if days <= threshold:
            continue
        enrollment_id = getattr(event, "enrollment_id", None)
        credentials = list(person.credentials_of(enrollment_id))
        if isinstance(event, StaffMember.CredentialRecognized):
            credentials.append(event.credential_id)
        found.append(
            person.anomaly(
                "backdated",
                event,
                credentials=credentials,
                enrollments=[enrollment_id],
                event=type(event).__name__,
                event_id=person.event_id(event),
                on=event.effective_on,
                recorded_on=recorded_on,
                days=(recorded_on - event.effective_on).days,
                threshold=threshold,
                recorded_by=event.recorded_by,
            )
        )
    return found


def overlapping_full_time(person: _Person) -> list[Anomaly]:
    courses = [c for c in person.courses if c.enrolled.mode == Mode.FULL_TIME]
    found = []
    for i, first in enumerate(courses):
        for second in courses[i + 1 :]:
            a, b = sorted(
                (first, second), key=lambda c: (c.enrolled.effective_on, c.enrolled.originator_version)
            )
            a_until, b_until = a.until or date.max, b.until or date.max
            # Strictly before: a course ending the day the next one starts is back to back.
            if b.enrolled.effective_on < a_until and a.enrolled.effective_on <= b_until:
                ids = [a.enrolled.enrollment_id, b.enrolled.enrollment_id]
                found.append(
                    person.anomaly(
                        "overlapping_full_time",
                        b.enrolled,
                        a.enrolled,
                        credentials=[*person.credentials_of(ids[0]), *person.credentials_of(ids[1])],
                        enrollments=ids,
                        first=f"{a.enrolled.course_title} [{ids[0]}]",
                        first_from=a.enrolled.effective_on,
                        first_to=a.until,
                        second=f"{b.enrolled.course_title} [{ids[1]}]",
                        second_from=b.enrolled.effective_on,
                        second_to=b.until,
                    )
                )
    return found


_PREVIOUS_DEGREE = {"master": "bachelor", "doctorate": "master"}


def degree_too_fast(person: _Person) -> list[Anomaly]:
    found = []
    degrees = [a for a in person.awards if a.track == Track.PROFESSIONAL]
    for award in degrees:
        minimum = person.rules.min_months(award.level)
        if minimum is None or award.level is None:
            continue
        common: dict[str, object] = {
            "level": award.level,
            "credential": award.credential_id,
            "minimum": minimum,
        }
        if award.enrollment is not None:
            started = award.enrollment.effective_on
            months = _months(started, award.event.effective_on)
            if months < minimum:
                found.append(
                    person.anomaly(
                        "degree_too_fast",
                        award.event,
                        award.enrollment,
                        variant="course",
                        credentials=[award.credential_id],
                        enrollments=[award.enrollment_id],
                        enrollment=award.enrollment_id,
                        starts_on=started,
                        on=award.event.effective_on,
                        months=months,
                        **common,
                    )
                )
                continue
        below = [
            d for d in degrees if d.level == _PREVIOUS_DEGREE[award.level] and d.issued_on <= award.issued_on
        ]
        if not below:
            continue
        previous = max(below, key=lambda d: d.issued_on)
        months = _months(previous.issued_on, award.issued_on)
        if months < minimum:
            found.append(
                person.anomaly(
                    "degree_too_fast",
                    award.event,
                    previous.event,
                    variant="previous",
                    credentials=[award.credential_id],
                    enrollments=[award.enrollment_id],
                    on=award.issued_on,
                    months=months,
                    previous=previous.credential_id,
                    previous_level=previous.level,
                    previous_on=previous.issued_on,
                    **common,
                )
            )
    return found


def self_verified(person: _Person) -> list[Anomaly]:
    found = []
    for event in person.live:
        if not isinstance(event, StaffMember.CredentialRecognized):
            continue
        verifier = (event.evidence.verified_by or "").strip().casefold()
        if verifier and verifier == event.recorded_by.strip().casefold():
            found.append(
                person.anomaly(
                    "self_verified",
                    event,
                    credentials=[event.credential_id],
                    credential=event.credential_id,
                    recorded_by=event.recorded_by,
                    document=event.evidence.document_ref,
                )
            )
    return found


def voided(person: _Person) -> list[Anomaly]:
    by_id = {person.event_id(e): e for e in person.events}
    found = []
    for target_id, correction in person.voided_by.items():
        target = by_id.get(target_id)
        if target is None:
            continue
        enrollment_id = getattr(target, "enrollment_id", None)
        credentials = list(person.credentials_of(enrollment_id))
        if isinstance(target, StaffMember.CredentialRecognized):
            credentials.append(target.credential_id)
        if isinstance(target, StaffMember.Completed) and target.credential is not None:
            credentials.append(target.credential.credential_id)
        found.append(
            person.anomaly(
                "voided",
                target,
                correction,
                credentials=credentials,
                enrollments=[enrollment_id],
                event=type(target).__name__,
                event_id=target_id,
                on=target.effective_on,
                correction=person.event_id(correction),
                recorded_on=person.recorded_on(correction),
                recorded_by=correction.recorded_by,
                reason=correction.reason,
            )
        )
    return found


CHECKS = (
    no_enrollment_no_evidence,
    completed_before_start,
    dated_in_future,
    backdated,
    overlapping_full_time,
    degree_too_fast,
    self_verified,
    voided,
)


def person_anomalies(events: Sequence[StaffEvent], rules: AnomalyRules | None = None) -> list[Anomaly]:
    """Every anomaly of one staff member, from all their events as stored (any order), sorted
    by business date then code."""
    person = _Person(events, rules or AnomalyRules())
    if person.registration is None:
        return []
    found = [anomaly for check in CHECKS for anomaly in check(person)]
    return sorted(found, key=lambda a: (a.on, CODES.index(a.code), a.event_ids))
