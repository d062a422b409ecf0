"""Anomaly flags: what in a person's history an auditor should look at, each saying why.

Pure functions over one staff member's events as stored (corrections included, in version
order); no store, no clock. The flags (``Anomaly.code``):

``no_enrollment_no_evidence``
    a credential with no recorded enrollment behind it and no evidence: a recognition without a
    document reference, or a completion whose enrollment is missing or voided and whose
    certificate has no number;
``completed_before_start``
    a completion (or failure) dated before its enrollment started, or a certificate dated before
    the course started;
``dated_in_future``
    a completion, failure, certificate or recognized credential dated after the day it was
    recorded (recorded before it happened);
``backdated``
    an event recorded long after its business date (more than ``backdated_after_days``). The
    clock starts at the later of the business date and the day the person was entered in the
    ledger, so the opening balance of every dossier recorded when the ledger went live is not
    flagged;
``overlapping_full_time``
    two full-time (tập trung) courses whose periods overlap (a course runs from its start to its
    closing, else its planned end, else it is still open; one ending the day the next starts is
    back to back, not overlapping);
``degree_too_fast``
    a master's or doctoral degree completed in fewer months than plausible after the course
    started, or dated too soon after the degree below it;
``self_verified``
    a recognized credential whose evidence was verified by the very key that recorded it;
``voided``
    an event voided by a correction (who voided it, when, and why).

Messages come in Vietnamese and English (:meth:`Anomaly.text`); ``Anomaly.message`` is English.
:func:`for_trail` picks the anomalies of one credential's trail and drops whatever the trail's
own flags (``projections.credentials``) already say, so a trail lists each finding once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

from ledger.clock import zone_from_environment
from ledger.domain import catalog, errors
from ledger.domain.catalog import Label, Mode, Track
from ledger.domain.ids import make_event_id
from ledger.staff import StaffEvent, StaffMember
from projections.base import FOREVER, Envelope, LogSource, Tables, View
from projections.results import Flag, Trail
from projections.store import Tx
from projections.text import nfc
from projections.units import Structure

# Vietnam keeps UTC+7 all year: the business dates of the ledger are local dates there.
VIETNAM_TIME = timezone(timedelta(hours=7), "UTC+07:00")

CODES: tuple[str, ...] = (
    "no_enrollment_no_evidence",
    "completed_before_start",
    "dated_in_future",
    "backdated",
    "overlapping_full_time",
    "degree_too_fast",
    "self_verified",
    "voided",
)

TITLES: dict[str, Label] = {
    "no_enrollment_no_evidence": Label(
        "Không có khóa học và không có căn cứ", "No enrollment and no evidence"
    ),
    "completed_before_start": Label("Hoàn thành trước khi bắt đầu", "Completed before it started"),
    "dated_in_future": Label("Ghi ngày trong tương lai", "Dated in the future"),
    "backdated": Label("Ghi sổ muộn", "Backdated record"),
    "overlapping_full_time": Label("Trùng khóa học tập trung", "Overlapping full-time courses"),
    "degree_too_fast": Label("Bằng cấp trong thời gian quá ngắn", "Degree in an implausibly short time"),
    "self_verified": Label("Tự ghi nhận, tự xác minh", "Verified by the key that recorded it"),
    "voided": Label("Sự kiện đã bị hủy", "Voided event"),
}

# The name of each kind of event, for messages and pages.
EVENT_LABELS: dict[str, Label] = {
    "Registered": Label("Tiếp nhận vào hồ sơ", "Registered"),
    "Enrolled": Label("Cử đi học", "Enrolled"),
    "Completed": Label("Hoàn thành khóa học", "Completed"),
    "Failed": Label("Không đạt", "Failed"),
    "Withdrawn": Label("Thôi học", "Withdrawn"),
    "CredentialRecognized": Label("Công nhận văn bằng, chứng chỉ", "Credential recognized"),
    "Rotated": Label("Luân chuyển, điều động", "Rotated"),
    "Appointed": Label("Bổ nhiệm", "Appointed"),
    "Planned": Label("Quy hoạch", "Planned"),
    "Evaluated": Label("Đánh giá", "Evaluated"),
    "Departed": Label("Nghỉ việc", "Departed"),
    "Corrected": Label("Đính chính (hủy sự kiện)", "Correction"),
    "NationalIdCorrected": Label("Đính chính số định danh cá nhân", "National id corrected"),
}

# Message templates: the key is the code, or code.variant; placeholders are the anomaly's facts.
MESSAGES: dict[str, Label] = {
    "no_enrollment_no_evidence.recognition": Label(
        "Chứng chỉ {credential} ({title}) được công nhận mà không có số hiệu văn bản làm căn cứ, "
        "và không có khóa học nào trong hồ sơ đã cấp nó.",
        "Credential {credential} ({title}) was recognized with no document reference as evidence, "
        "and no recorded enrollment awarded it.",
    ),
    "no_enrollment_no_evidence.completion": Label(
        "Chứng chỉ {credential} ({title}) được cấp khi hoàn thành khóa {enrollment}, nhưng hồ sơ "
        "không có (hoặc đã hủy) việc cử đi học khóa này, và chứng chỉ không có số hiệu.",
        "Credential {credential} ({title}) was awarded by a completion of enrollment {enrollment}, "
        "which is not (or no longer) on the record, and the certificate has no number.",
    ),
    "completed_before_start.completion": Label(
        "Khóa {enrollment} ({course}) được ghi hoàn thành ngày {on}, trước ngày bắt đầu {starts_on}.",
        "Enrollment {enrollment} ({course}) is recorded as completed on {on}, before it started "
        "on {starts_on}.",
    ),
    "completed_before_start.failure": Label(
        "Khóa {enrollment} ({course}) được ghi không đạt ngày {on}, trước ngày bắt đầu {starts_on}.",
        "Enrollment {enrollment} ({course}) is recorded as failed on {on}, before it started on {starts_on}.",
    ),
    "completed_before_start.certificate": Label(
        "Chứng chỉ {credential} của khóa {enrollment} ghi ngày cấp {on}, trước ngày khóa học bắt "
        "đầu {starts_on}.",
        "Certificate {credential} of enrollment {enrollment} is dated {on}, before the course "
        "started on {starts_on}.",
    ),
    "dated_in_future.completion": Label(
        "Việc hoàn thành khóa {enrollment} ghi ngày {on}, sau ngày ghi sổ {recorded_on}: được ghi "
        "trước khi xảy ra.",
        "The completion of enrollment {enrollment} is dated {on}, after the day it was recorded "
        "({recorded_on}): it was recorded before it happened.",
    ),
    "dated_in_future.failure": Label(
        "Kết quả không đạt của khóa {enrollment} ghi ngày {on}, sau ngày ghi sổ {recorded_on}: "
        "được ghi trước khi xảy ra.",
        "The failure of enrollment {enrollment} is dated {on}, after the day it was recorded "
        "({recorded_on}): it was recorded before it happened.",
    ),
    "dated_in_future.certificate": Label(
        "Chứng chỉ {credential} ghi ngày cấp {on}, sau ngày ghi sổ {recorded_on}.",
        "Certificate {credential} is dated {on}, after the day it was recorded ({recorded_on}).",
    ),
    "dated_in_future.recognition": Label(
        "Chứng chỉ {credential} được công nhận với ngày cấp {on}, sau ngày ghi sổ {recorded_on}.",
        "Credential {credential} is recognized as issued on {on}, after the day it was recorded "
        "({recorded_on}).",
    ),
    "backdated": Label(
        "{event} ({event_id}) có ngày hiệu lực {on} nhưng được ghi sổ ngày {recorded_on}, muộn "
        "{days} ngày (ngưỡng {threshold} ngày) bởi '{recorded_by}'.",
        "{event} ({event_id}) takes effect on {on} but was recorded on {recorded_on}, {days} days "
        "later (threshold {threshold} days), by '{recorded_by}'.",
    ),
    "overlapping_full_time": Label(
        "Hai khóa học tập trung trùng thời gian: {first} ({first_from} – {first_to}) và {second} "
        "({second_from} – {second_to}).",
        "Two full-time courses overlap: {first} ({first_from} – {first_to}) and {second} "
        "({second_from} – {second_to}).",
    ),
    "degree_too_fast.course": Label(
        "Bằng {level} ({credential}) chỉ mất {months} tháng từ khi bắt đầu khóa {enrollment} "
        "({starts_on}) đến khi hoàn thành ({on}); hợp lý là ít nhất {minimum} tháng.",
        "The {level} degree ({credential}) took {months} months from the start of enrollment "
        "{enrollment} ({starts_on}) to its completion ({on}); at least {minimum} months are plausible.",
    ),
    "degree_too_fast.previous": Label(
        "Bằng {level} {credential} cấp ngày {on}, chỉ {months} tháng sau bằng {previous_level} "
        "{previous} ({previous_on}); hợp lý là ít nhất {minimum} tháng.",
        "The {level} degree {credential} is dated {on}, only {months} months after the "
        "{previous_level} degree {previous} ({previous_on}); at least {minimum} months are plausible.",
    ),
    "self_verified": Label(
        "Chứng chỉ {credential} do '{recorded_by}' ghi nhận, và cũng chính '{recorded_by}' ký xác "
        "minh văn bản chứng minh ({document}).",
        "Credential {credential} was recorded by '{recorded_by}', who also signed as having "
        "verified its evidence ({document}).",
    ),
    "voided": Label(
        "{event} ngày {on} ({event_id}) đã bị hủy bởi {correction}, ghi ngày {recorded_on} bởi "
        "'{recorded_by}'. Lý do: {reason}",
        "{event} of {on} ({event_id}) was voided by {correction}, recorded on {recorded_on} by "
        "'{recorded_by}'. Reason: {reason}",
    ),
}

# Facts holding a code that a message shows by its label in the reader's language.
_LEVEL_FACTS = ("level", "previous_level")
_OPEN = "…"

# The environment variables of the thresholds, and the fields they set.
ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("LEDGER_ANOMALY_BACKDATED_AFTER_DAYS", "backdated_after_days"),
    ("LEDGER_ANOMALY_MASTER_MIN_MONTHS", "master_min_months"),
    ("LEDGER_ANOMALY_DOCTORATE_MIN_MONTHS", "doctorate_min_months"),
)


@dataclass(frozen=True)
class AnomalyRules:
    """Thresholds of the anomaly flags (``from_environment`` reads them from ``LEDGER_ANOMALY_*``)."""

    backdated_after_days: int = 90
    master_min_months: int = 12
    doctorate_min_months: int = 24
    local_time: tzinfo = VIETNAM_TIME  # the day an event was recorded is a local day

    def __post_init__(self) -> None:
        for name in ("backdated_after_days", "master_min_months", "doctorate_min_months"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise errors.InvalidInput(f"{name} must be a whole number, 0 or more.", field=name)

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> AnomalyRules:
        """The rules with any of ``LEDGER_ANOMALY_BACKDATED_AFTER_DAYS``,
        ``LEDGER_ANOMALY_MASTER_MIN_MONTHS``, ``LEDGER_ANOMALY_DOCTORATE_MIN_MONTHS`` applied."""
        values: dict[str, int] = {}
        for variable, name in ENVIRONMENT:
            text = env.get(variable)
            if text is None or not text.strip():
                continue
            try:
                values[name] = int(text.strip())
            except ValueError:
                raise errors.InvalidInput(
                    f"{variable}={text!r} is not a whole number of "
                    f"{'days' if name.endswith('days') else 'months'}.",
                    field=variable,
                ) from None
        defaults = cls()
        return cls(
            backdated_after_days=values.get("backdated_after_days", defaults.backdated_after_days),
            master_min_months=values.get("master_min_months", defaults.master_min_months),
            doctorate_min_months=values.get("doctorate_min_months", defaults.doctorate_min_months),
        )

    def min_months(self, level: str | None) -> int | None:
        return {"master": self.master_min_months, "doctorate": self.doctorate_min_months}.get(level or "")


@dataclass(frozen=True)
class Anomaly:
    """One finding about one staff member. ``event_ids`` are the events it is about (the first is
    the main one, dated ``on``); ``credential_ids`` and ``enrollment_ids`` what they concern."""

    staff_id: str
    code: str
    on: date
    event_ids: tuple[str, ...]
    credential_ids: tuple[str, ...] = ()
    enrollment_ids: tuple[str, ...] = ()
    variant: str = ""
    facts: tuple[tuple[str, str], ...] = ()

    @property
    def message(self) -> str:
        return self.text("en")

    @property
    def title(self) -> Label:
        return TITLES[self.code]

    def fact(self, name: str) -> str | None:
        return dict(self.facts).get(name)

    def text(self, language: str = "vi") -> str:
        """Why this was flagged, in ``language`` (``vi`` or ``en``)."""
        key = f"{self.code}.{self.variant}" if self.variant else self.code
        facts = dict(self.facts)
        for name in _LEVEL_FACTS:
            if name in facts:
                facts[name] = catalog.level_label(Track.PROFESSIONAL, facts[name], language) or facts[name]
        if "event" in facts and facts["event"] in EVENT_LABELS:
            facts["event"] = EVENT_LABELS[facts["event"]].in_language(language)
        return MESSAGES[key].in_language(language).format(**facts)


# --------------------------------------------------------------------------- the checks


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


def count_by_code(anomalies: Iterable[Anomaly]) -> dict[str, int]:
    """How many of each code (every code listed, zeros included), in the order of ``CODES``."""
    counts = dict.fromkeys(CODES, 0)
    for anomaly in anomalies:
        counts[anomaly.code] += 1
    return counts


# --------------------------------------------------------------------------- trails


def concerns(anomaly: Anomaly, trail: Trail) -> bool:
    """Whether an anomaly is about the credential of ``trail`` or one of its steps (the
    registration, which opens every trail, does not count)."""
    if anomaly.staff_id != trail.staff_id:
        return False
    if trail.credential.credential_id in anomaly.credential_ids:
        return True
    steps = {s.event_id for s in trail.steps if s.role != "registration"}
    return bool(steps.intersection(anomaly.event_ids))


def for_trail(trail: Trail, anomalies: Iterable[Anomaly]) -> tuple[list[Flag], list[Anomaly]]:
    """The trail's own flags and the anomalies about its credential, saying nothing twice.

    Dropped as said already: an anomaly ``voided`` of the awarding event when the trail is flagged
    ``voided``; a ``backdated`` of the awarding event when the trail is flagged ``recorded_late``;
    and the trail's generic ``corrected`` when some ``voided`` anomaly names the events voided
    (with who, when and why)."""
    codes = {f.code for f in trail.flags}
    awarding = trail.credential.event_id
    relevant: list[Anomaly] = []
    for anomaly in anomalies:
        if not concerns(anomaly, trail):
            continue
        main = anomaly.event_ids[0] if anomaly.event_ids else None
        if anomaly.code == "voided" and main == awarding and "voided" in codes:
            continue
        if anomaly.code == "backdated" and main == awarding and "recorded_late" in codes:
            continue
        relevant.append(anomaly)
    names_voids = any(a.code == "voided" for a in relevant)
    flags = [f for f in trail.flags if not (f.code == "corrected" and names_voids)]
    return flags, relevant


def merged_flags(trail: Trail, anomalies: Iterable[Anomaly]) -> list[Flag]:
    """:func:`for_trail` as one list of flags (English messages): what a trail answer could carry."""
    flags, relevant = for_trail(trail, anomalies)
    return [*flags, *(Flag(a.code, a.message) for a in relevant)]


# --------------------------------------------------------------------------- the view


def configured_rules(zone: tzinfo | None = None) -> AnomalyRules:
    """The thresholds of this deployment: ``LEDGER_ANOMALY_*``, and the day an event was
    recorded taken in ``zone`` (the ledger's clock; default ``LEDGER_TIMEZONE``)."""
    rules = AnomalyRules.from_environment(os.environ)
    return replace(rules, local_time=zone if zone is not None else zone_from_environment(os.environ))

# Bump when the checks change: the view is then rebuilt, like a change of thresholds.
CHECKS_VERSION = 1


def rules_document(rules: AnomalyRules) -> dict[str, Any]:
    """The thresholds as plain JSON (the day's time zone by its name)."""
    return {
        "checks": CHECKS_VERSION,
        "backdated_after_days": rules.backdated_after_days,
        "master_min_months": rules.master_min_months,
        "doctorate_min_months": rules.doctorate_min_months,
        "local_time": _zone_name(rules.local_time),
    }


def rules_from_document(document: Mapping[str, Any]) -> AnomalyRules:
    return AnomalyRules(
        backdated_after_days=int(document["backdated_after_days"]),
        master_min_months=int(document["master_min_months"]),
        doctorate_min_months=int(document["doctorate_min_months"]),
        local_time=_zone_of(str(document["local_time"])),
    )


def rules_digest(rules: AnomalyRules) -> str:
    """SHA-256 of the thresholds (and the version of the checks): what the view was built with."""
    canonical = json.dumps(rules_document(rules), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _zone_name(zone: tzinfo) -> str:
    if isinstance(zone, ZoneInfo):
        return zone.key
    offset = zone.utcoffset(None) or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_of(name: str) -> tzinfo:
    fixed = re.fullmatch(r"UTC([+-])(\d\d):(\d\d)", name)
    if fixed is None:
        return ZoneInfo(name)
    minutes = int(fixed.group(2)) * 60 + int(fixed.group(3))
    return timezone(timedelta(minutes=-minutes if fixed.group(1) == "-" else minutes), name)


def _encode(anomaly: Anomaly) -> str:
    return json.dumps(
        {
            "event_ids": anomaly.event_ids,
            "credential_ids": anomaly.credential_ids,
            "enrollment_ids": anomaly.enrollment_ids,
            "variant": anomaly.variant,
            "facts": anomaly.facts,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _decode(staff_id: str, code: str, on: str, data: str) -> Anomaly:
    fields = json.loads(data)
    return Anomaly(
        staff_id=staff_id,
        code=code,
        on=date.fromisoformat(on),
        event_ids=tuple(fields["event_ids"]),
        credential_ids=tuple(fields["credential_ids"]),
        enrollment_ids=tuple(fields["enrollment_ids"]),
        variant=fields["variant"],
        facts=tuple((name, value) for name, value in fields["facts"]),
    )


@dataclass(frozen=True)
class AnomalyEntry:
    """One anomaly with whose it is: the person's name and the unit they work in on the day."""

    anomaly: Anomaly
    full_name: str
    unit: str


@dataclass(frozen=True)
class AnomalyList:
    """Anomalies by staff code then business date; ``counts`` per code (every code, zeros
    included) over the unit chosen, before the ``code`` filter."""

    as_of: date
    unit: str | None
    code: str | None
    counts: dict[str, int]
    entries: tuple[AnomalyEntry, ...]


class AnomaliesView(View):
    """Every anomaly of every staff member, one row each, kept by the projection engine.

    When an event of a person arrives, that person's anomalies are worked out again from their
    whole stream up to it (:func:`person_anomalies`, the one definition) and their rows replaced:
    the checks look at a person's history as a whole (a correction can clear or raise a finding
    about an event long before it). A person first seen in a page (always so in a rebuild, which
    reads each history whole) needs no read of the log and no delete.

    The thresholds are configuration (``LEDGER_ANOMALY_*`` and the agency's time zone): the view
    records them and their digest in its ``rules`` table, and its schema version includes the
    digest, so under other thresholds the engine builds a new generation beside the live one on
    its next start and switches to it, instead of serving findings made under the old ones.
    """

    name = "anomalies"
    tables: ClassVar[dict[str, str]] = {
        "found": (
            "staff_id TEXT NOT NULL, seq INTEGER NOT NULL, code TEXT NOT NULL, on_date TEXT NOT NULL, "
            "full_name TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (staff_id, seq)"
        ),
        "rules": "digest TEXT NOT NULL, rules TEXT NOT NULL",
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {"by_code": ("found", "code")}

    DELETE = "DELETE FROM {found} WHERE staff_id = ?"
    INSERT = (
        "INSERT INTO {found} (staff_id, seq, code, on_date, full_name, data) VALUES (?, ?, ?, ?, ?, ?)"
    )

    def __init__(self, rules: AnomalyRules | Mapping[str, Any] | None = None) -> None:
        super().__init__()
        if isinstance(rules, Mapping):
            rules = rules_from_document(rules)
        self.rules = rules or AnomalyRules()
        self.digest = rules_digest(self.rules)
        self.schema_version = 8_000_000 + int(self.digest[:12], 16) % 1_000_000

    def settings(self) -> dict[str, Any]:
        return {"rules": rules_document(self.rules)}

    def create(self, tx: Tx, tables: Tables, *, indexes: bool) -> None:
        super().create(tx, tables, indexes=indexes)
        tx.execute(f"DELETE FROM {tables['rules']}")
        tx.execute(
            f"INSERT INTO {tables['rules']} (digest, rules) VALUES (?, ?)",
            (self.digest, json.dumps(rules_document(self.rules), sort_keys=True)),
        )

    def apply(self, tx: Tx, tables: Tables, envelopes: Sequence[Envelope], log: LogSource) -> None:
        pages: dict[UUID, list[Envelope]] = {}
        for env in envelopes:
            pages.setdefault(env.originator_id, []).append(env)
        stale: list[tuple[str]] = []
        rows: list[tuple[str, int, str, str, str, str]] = []
        for oid, mine in pages.items():
            first, last = mine[0].version, mine[-1].version
            whole = first == 1 and last == len(mine)
            events = [e.event for e in mine] if whole else log.events_of(oid, last)
            staff_id = mine[0].staff_id
            if first > 1:
                stale.append((staff_id,))
            registration = next((e for e in events if isinstance(e, StaffMember.Registered)), None)
            name = registration.full_name if registration is not None else ""
            for seq, anomaly in enumerate(person_anomalies(events, self.rules)):
                rows.append((staff_id, seq, anomaly.code, anomaly.on.isoformat(), name, _encode(anomaly)))
        if stale:
            tx.executemany(self.sql(tables, self.DELETE), stale)
        if rows:
            tx.executemany(self.sql(tables, self.INSERT), rows)

    # ------------------------------------------------------------------ reads

    def recorded_rules(self, tx: Tx, tables: Tables) -> tuple[str, AnomalyRules] | None:
        """The digest and thresholds this generation was built with."""
        row = tx.record(f"SELECT digest, rules FROM {tables['rules']}")
        if row is None:
            return None
        return str(row["digest"]), rules_from_document(json.loads(row["rules"]))

    def of_person(self, tx: Tx, tables: Tables, staff_id: str) -> list[Anomaly]:
        return [
            _decode(staff_id, code, on, data)
            for code, on, data in tx.query(
                f"SELECT code, on_date, data FROM {tables['found']} WHERE staff_id = ? ORDER BY seq",
                (staff_id,),
            )
        ]

    def listing(
        self,
        tx: Tx,
        tables: Tables,
        statistics: Tables,
        *,
        as_of: date,
        unit: str | None,
        code: str | None,
    ) -> AnomalyList:
        """Every anomaly (of people in ``unit`` on ``as_of``, as known now), with counts per
        code, then those of ``code``. The unit on the day is the statistics view's (the rule of
        the qualifications report: a running rotation or secondment, else the latest transfer,
        else the unit at registration), mapped onto the structure in force on ``as_of``."""
        s = statistics.names
        d = as_of.isoformat()
        live = "u.voided_at IS NULL"
        running = (
            f"SELECT u.to_unit FROM {s['units']} u WHERE u.staff_id = a.staff_id AND u.kind <> 'transfer' "
            f"AND {live} AND u.starts_on <= ? AND (u.ends_on IS NULL OR u.ends_on >= ?) "
            "ORDER BY u.starts_on DESC, u.version LIMIT 1"
        )
        transfer = (
            f"SELECT u.to_unit FROM {s['units']} u WHERE u.staff_id = a.staff_id AND u.kind = 'transfer' "
            f"AND {live} AND u.starts_on <= ? ORDER BY u.version DESC LIMIT 1"
        )
        found = tx.query(
            f"SELECT a.staff_id, a.code, a.on_date, a.data, a.full_name, "
            f"COALESCE(({running}), ({transfer}), p.unit) AS unit_on "
            f"FROM {tables['found']} a LEFT JOIN {s['people']} p ON p.staff_id = a.staff_id "
            "ORDER BY a.staff_id, a.seq",
            (d, d, d),
        )
        # A unit merged by ``as_of`` counts under the unit it joined (the structure of the day).
        found = Structure.load(tx, statistics, FOREVER).mapped(found, as_of)
        wanted = nfc(unit)
        entries = [
            AnomalyEntry(_decode(staff_id, kind, on, data), name, unit_on or "")
            for staff_id, kind, on, data, name, unit_on in found
            if wanted is None or unit_on == wanted
        ]
        counts = count_by_code(entry.anomaly for entry in entries)
        if code is not None:
            entries = [entry for entry in entries if entry.anomaly.code == code]
        return AnomalyList(as_of, unit, code, counts, tuple(entries))
