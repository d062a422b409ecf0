"""What an anomaly flag says: its codes, titles and messages in both languages, and how flags are
counted and attached to a trail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ledger.domain import catalog
from ledger.domain.catalog import Label, Track
from projections.results import Flag, Trail

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


def count_by_code(anomalies: Iterable[Anomaly]) -> dict[str, int]:
    """How many of each code (every code listed, zeros included), in the order of ``CODES``."""
    counts = dict.fromkeys(CODES, 0)
    for anomaly in anomalies:
        counts[anomaly.code] += 1
    return counts


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
