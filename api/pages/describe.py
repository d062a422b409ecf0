"""One line of plain words for each event of a history or trail, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from api.pages.i18n import Translator

# Words of the event lines that are not labels elsewhere (kept here beside their only use).
_WORDS: dict[str, tuple[str, str]] = {
    "decision": ("QĐ", "decision"),
    "no_decision": ("không ghi quyết định cử", "no dispatch decision recorded"),
    "certificate": ("chứng chỉ", "certificate"),
    "no": ("số", "no."),
    "issued": ("cấp ngày", "issued"),
    "score": ("điểm", "score"),
    "evidence": ("căn cứ", "evidence"),
    "checked_by": ("kiểm tra bởi", "checked by"),
    "not_checked": ("không ghi người kiểm tra", "nobody named as checker"),
    "until": ("đến", "until"),
    "waiver": ("miễn trừ theo", "waiver under"),
    "deadline": ("hạn", "deadline"),
    "voids": ("hủy sự kiện", "voids event"),
    "course": ("khóa", "course"),
    "evaluator": ("người đánh giá", "evaluator"),
    "unmet": ("chưa đạt khi bổ nhiệm", "unmet on appointment"),
    "planned_for": ("quy hoạch chức danh", "planning pool for"),
    "no_level": ("không cấp trình độ", "awards no level"),
}


def _decimal(t: Translator, value: object) -> str:
    """A score as the language writes it: ``8,5`` in Vietnamese (the log holds ``8.5``)."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = format(number.normalize(), "f") if number == number.to_integral() else str(number)
    return text.replace(".", ",") if t.language == "vi" else text


def _w(t: Translator, key: str) -> str:
    vi, en = _WORDS[key]
    return vi if t.language == "vi" else en


def _registered(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    parts = [str(g("full_name")), str(g("unit"))]
    if g("position"):
        parts.append(str(g("position")))
    parts.append(t.code(g("employment")))
    return " — ".join(parts)


def _enrolled(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    level = t.level(str(g("track")), g("level")) or _w(t, "no_level")
    track = t.track(str(g("track")))
    text = f"{g('course_title')} ({g('course_code')}; {track}: {level}) — {g('provider')}, "
    text += t.code(g("mode"))
    if g("ends_on"):
        text += f", {_w(t, 'until')} {t.date(g('ends_on'))}"
    decision = g("decision_ref")
    text += f"; {_w(t, 'decision')} {decision}" if decision else f"; {_w(t, 'no_decision')}"
    return text


def _completed(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    course = courses.get(str(g("enrollment_id")), str(g("enrollment_id")))
    text = course
    if g("score") is not None:
        text += f"; {_w(t, 'score')} {_decimal(t, g('score'))}"
    award = g("credential")
    if award is not None:
        text += f"; {_w(t, 'certificate')} {award.title}"
        if award.number:
            text += f", {_w(t, 'no')} {award.number}"
        text += f", {award.issuer}, {_w(t, 'issued')} {t.date(award.issued_on)}"
    return text


def _withdrawn(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    course = courses.get(str(g("enrollment_id")), str(g("enrollment_id")))
    return f"{course}: {g('reason')}"


def _credential_recognized(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    level = t.level(str(g("track")), g("level"))
    text = f"{g('title')}" + (f" ({level})" if level else "") + f" — {g('issuer')}"
    if g("number"):
        text += f", {_w(t, 'no')} {g('number')}"
    evidence = g("evidence")
    if evidence is not None:
        text += f"; {_w(t, 'evidence')}: {evidence.document_ref}"
        text += (
            f", {_w(t, 'checked_by')} {evidence.verified_by}"
            if evidence.verified_by
            else f", {_w(t, 'not_checked')}"
        )
    return text


def _rotated(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    text = f"{t.code(g('kind'))}: {g('from_unit')} → {g('to_unit')}"
    if g("position"):
        text += f" ({g('position')})"
    if g("ends_on"):
        text += f", {_w(t, 'until')} {t.date(g('ends_on'))}"
    return text + f"; {_w(t, 'decision')} {g('decision_ref')}"


def _appointed(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    text = f"{g('position')}; {_w(t, 'decision')} {g('decision_ref')}"
    waiver = g("waiver")
    if waiver is not None:
        text += f"; {_w(t, 'waiver')} {waiver.legal_basis}, {_w(t, 'deadline')} {t.date(waiver.deadline)}"
    unmet = g("unmet") or []
    if unmet:
        gaps = ", ".join(f"{t.track(u.track)} {t.level(u.track, u.required_level)}" for u in unmet)
        text += f"; {_w(t, 'unmet')}: {gaps}"
    return text


def _planned(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    return (
        f"{_w(t, 'planned_for')} {g('position')} {g('from_year')}–{g('to_year')}; "
        f"{_w(t, 'decision')} {g('decision_ref')}"
    )


def _evaluated(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    text = t.code(g("kind"))
    if g("year"):
        text += f" {g('year')}"
    if g("enrollment_id"):
        course = courses.get(str(g("enrollment_id")), str(g("enrollment_id")))
        text += f" ({_w(t, 'course')} {course})"
    text += f": {t.code(g('rating'))}"
    if g("score") is not None:
        text += f", {_w(t, 'score')} {_decimal(t, g('score'))}"
    return text + f"; {_w(t, 'evaluator')} {g('evaluator')}"


def _departed(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    category = g("category")
    return f"{g('reason')}" + (f" ({t.code(category)})" if category else "")


def _corrected(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    return f"{_w(t, 'voids')} {g('voided_event_id')}: {g('reason')}"


def _national_id_corrected(g: Callable[[str], Any], t: Translator, courses: Mapping[str, str]) -> str:
    # Timelines are shown to registrars and auditors only, who may see the number.
    return f"{g('previous_national_id') or '—'} → {g('national_id') or '—'}: {g('reason')}"


# What each kind of event says; a kind not listed says nothing.
_DESCRIBERS: dict[str, Callable[[Callable[[str], Any], Translator, Mapping[str, str]], str]] = {
    "Registered": _registered,
    "Enrolled": _enrolled,
    "Completed": _completed,
    "Failed": _completed,
    "Withdrawn": _withdrawn,
    "CredentialRecognized": _credential_recognized,
    "Rotated": _rotated,
    "Appointed": _appointed,
    "Planned": _planned,
    "Evaluated": _evaluated,
    "Departed": _departed,
    "Corrected": _corrected,
    "NationalIdCorrected": _national_id_corrected,
}


def describe(kind: str, data: Mapping[str, Any], t: Translator, courses: Mapping[str, str]) -> str:
    """What an event says, in one line. ``courses`` maps enrollment ids to course titles."""
    describer = _DESCRIBERS.get(kind)
    return describer(data.get, t, courses) if describer else ""


def credential_of(kind: str, data: Mapping[str, Any]) -> str | None:
    """The credential an event put on the record, if any."""
    if kind == "Completed" and data.get("credential") is not None:
        return str(data["credential"].credential_id)
    if kind == "CredentialRecognized":
        return str(data["credential_id"])
    return None
