"""One line of plain words for each event of a history or trail, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
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


def describe(kind: str, data: Mapping[str, Any], t: Translator, courses: Mapping[str, str]) -> str:
    """What an event says, in one line. ``courses`` maps enrollment ids to course titles."""
    g = data.get
    if kind == "Registered":
        parts = [str(g("full_name")), str(g("unit"))]
        if g("position"):
            parts.append(str(g("position")))
        parts.append(t.code(g("employment")))
        return " — ".join(parts)
    if kind == "Enrolled":
        level = t.level(str(g("track")), g("level")) or _w(t, "no_level")
        track = t.track(str(g("track")))
        text = f"{g('course_title')} ({g('course_code')}; {track}: {level}) — {g('provider')}, "
        text += t.code(g("mode"))
        if g("ends_on"):
            text += f", {_w(t, 'until')} {t.date(g('ends_on'))}"
        decision = g("decision_ref")
        text += f"; {_w(t, 'decision')} {decision}" if decision else f"; {_w(t, 'no_decision')}"
        return text
    if kind in ("Completed", "Failed"):
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
    if kind == "Withdrawn":
        course = courses.get(str(g("enrollment_id")), str(g("enrollment_id")))
        return f"{course}: {g('reason')}"
    if kind == "CredentialRecognized":
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
    if kind == "Rotated":
        text = f"{t.code(g('kind'))}: {g('from_unit')} → {g('to_unit')}"
        if g("position"):
            text += f" ({g('position')})"
        if g("ends_on"):
            text += f", {_w(t, 'until')} {t.date(g('ends_on'))}"
        return text + f"; {_w(t, 'decision')} {g('decision_ref')}"
    if kind == "Appointed":
        text = f"{g('position')}; {_w(t, 'decision')} {g('decision_ref')}"
        waiver = g("waiver")
        if waiver is not None:
            text += f"; {_w(t, 'waiver')} {waiver.legal_basis}, {_w(t, 'deadline')} {t.date(waiver.deadline)}"
        unmet = g("unmet") or []
        if unmet:
            gaps = ", ".join(f"{t.track(u.track)} {t.level(u.track, u.required_level)}" for u in unmet)
            text += f"; {_w(t, 'unmet')}: {gaps}"
        return text
    if kind == "Planned":
        return (
            f"{_w(t, 'planned_for')} {g('position')} {g('from_year')}–{g('to_year')}; "
            f"{_w(t, 'decision')} {g('decision_ref')}"
        )
    if kind == "Evaluated":
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
    if kind == "Departed":
        category = g("category")
        return f"{g('reason')}" + (f" ({t.code(category)})" if category else "")
    if kind == "Corrected":
        return f"{_w(t, 'voids')} {g('voided_event_id')}: {g('reason')}"
    if kind == "NationalIdCorrected":
        # Timelines are shown to registrars and auditors only, who may see the number.
        return f"{g('previous_national_id') or '—'} → {g('national_id') or '—'}: {g('reason')}"
    return ""


def credential_of(kind: str, data: Mapping[str, Any]) -> str | None:
    """The credential an event put on the record, if any."""
    if kind == "Completed" and data.get("credential") is not None:
        return str(data["credential"].credential_id)
    if kind == "CredentialRecognized":
        return str(data["credential_id"])
    return None
