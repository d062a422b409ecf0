"""The pages of the staff: the directory (and its export), a person's record and timeline, a
credential's provenance trail, and the personnel file's training extract (form 2C, also as PDF).
They only read; the registrar's forms are ``api.pages.forms``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.keys import Permission
from api.pages import dossier as dossier_module
from api.pages.dates import show_moment
from api.pages.describe import credential_of, describe
from api.pages.evidence import scan_rows
from api.pages.exports import Report, Table, ascii_slug, download, respond
from api.pages.i18n import TEXT, Translator
from api.pages.shared import FORMATS, LEVELLED, catalog_order, filters_header, guarded
from api.pages.web import PREFIX, Page, PageExit, open_page
from ledger.domain import catalog
from ledger.domain.catalog import Gender, Track
from ledger.domain.history import BUSINESS_DATE_FIELD
from ledger.domain.ids import staff_aggregate_id
from ledger.store.integrity import check_stream
from projections import anomaly_flags as anomaly_module
from projections.anomaly_flags import Anomaly
from projections.results import DirectoryEntry, Flag, Standing, Trail
from projections.standing import DIRECTORY_SORTS, STATUSES

router = APIRouter(prefix=PREFIX, include_in_schema=False)


# ----------------------------------------------------------------- directory


def _level_filter(page: Page) -> tuple[str | None, str | None, str | None]:
    """``level=track:level`` (or ``track:`` for any level of it) → (raw, track, level)."""
    raw = page.text("level", 80)
    if raw is None:
        return None, None, None
    track, _, level = raw.partition(":")
    if track not in {str(t) for t in Track}:
        page.errors.append(page.t("error.bad_input") + raw)
        return None, None, None
    if level and catalog.level_of(track, level) is None:
        page.errors.append(page.t("error.bad_input") + raw)
        return None, None, None
    return raw, track, level or None


@router.get("/staff")
def directory(request: Request) -> Response:
    page = open_page(request)
    t = page.t
    wb = page.workbench
    q = page.text("q", 100)
    unit = page.text("unit")
    status = page.choice("status", STATUSES)
    gender = page.choice("gender", [str(g) for g in Gender])
    level_raw, track, level = _level_filter(page)
    sort = page.choice("sort", [*DIRECTORY_SORTS, *(f"-{key}" for key in DIRECTORY_SORTS)]) or "name"
    number = _page_number(page)
    fmt = page.choice("format", FORMATS)
    filters = {"q": q, "unit": unit, "status": status, "gender": gender, "track": track, "level": level}
    if fmt:
        entries: list[DirectoryEntry] = []
        while True:
            chunk = guarded(
                page,
                lambda n=len(entries): wb.read_model.directory(**filters, limit=500, sort=sort, offset=n),
            )
            entries.extend(chunk.items)
            if not chunk.items or len(entries) >= (chunk.total or 0):
                break
        return respond(_directory_report(page, entries, filters, level_raw), fmt, page.t.zone)
    size = page.state.settings.page_size
    found = guarded(
        page,
        lambda: wb.read_model.directory(**filters, limit=size, sort=sort, offset=(number - 1) * size),
    )
    total = found.total or 0
    pages = max(1, -(-total // size))
    return page.render(
        "pages/directory.html",
        entries=found.items,
        total=total,
        number=number,
        pages=pages,
        page_links=[
            (n, page.with_query(page=n if n > 1 else None)) if n else (None, None)
            for n in _page_window(number, pages)
        ],
        previous_link=page.with_query(page=number - 1 if number > 2 else None) if number > 1 else None,
        next_link=page.with_query(page=number + 1) if number < pages else None,
        sort=sort,
        sort_links={
            key: page.with_query(sort=(f"-{key}" if sort == key else key), page=None)
            for key in DIRECTORY_SORTS
        },
        units=guarded(page, wb.units),
        statuses=STATUSES,
        genders=[str(g) for g in Gender],
        levelled=LEVELLED,
        q=q or "",
        unit=unit or "",
        chosen_status=status or "",
        gender=gender or "",
        level=level_raw or "",
        export_csv=page.with_query(format="csv", page=None),
        export_xlsx=page.with_query(format="xlsx", page=None),
        title=t("directory.title"),
    )


def _page_number(page: Page) -> int:
    raw = page.text("page", 9)
    if raw is None:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        page.errors.append(page.t("error.bad_input") + raw)
        return 1
    return int(raw)


def _page_window(number: int, pages: int) -> list[int]:
    """Page numbers to offer: the first, the last, and two either side of this one; a 0 marks a
    gap (…)."""
    shown = sorted({1, pages, *range(max(1, number - 2), min(pages, number + 2) + 1)})
    window: list[int] = []
    for n in shown:
        if window and n - window[-1] > 1:
            window.append(0)
        window.append(n)
    return window


def _directory_report(
    page: Page, entries: Sequence[DirectoryEntry], filters: dict[str, Any], level_raw: str | None
) -> Report:
    t = page.t
    level_text = None
    if filters["track"]:
        level_text = t.track(filters["track"]) + (
            f" – {t.level(filters['track'], filters['level'])}" if filters["level"] else ""
        )
    header = filters_header(
        page,
        [
            (t("directory.q"), filters["q"]),
            (t("common.unit"), filters["unit"]),
            (t("common.status"), t(f"status.{filters['status']}") if filters["status"] else None),
            (t("common.gender"), t.code(filters["gender"]) if filters["gender"] else None),
            (t("common.level"), level_text),
        ],
        page.today(),
    )
    columns = [
        "STT",
        t("common.staff_id"),
        t("common.name"),
        t("common.gender"),
        t("common.birth_date"),
        t("common.unit"),
        t("common.position"),
        t("common.status"),
        *(t.track(info.track) for info in LEVELLED),
    ]
    rows = [
        [
            n,
            e.staff_id,
            e.full_name,
            t.code(e.gender),
            e.birth_date,
            e.unit,
            e.position or "",
            t(f"status.{e.status}"),
            *(t.level(info.track, e.qualifications.get(str(info.track))) for info in LEVELLED),
        ]
        for n, e in enumerate(entries, start=1)
    ]
    title = t("directory.title")
    return Report(
        title, f"danh-sach-can-bo-{page.today().isoformat()}", header, [Table(title, columns, rows)]
    )


# -------------------------------------------------------------------- person


def _not_found(page: Page, message: str) -> PageExit:
    return page.fail(message, status=404)


@router.get("/staff/{staff_id}")
def person(request: Request, staff_id: str) -> Response:
    page = open_page(request)
    t = page.t
    wb = page.workbench
    as_of = page.day("as_of") or page.today()
    known_at = page.moment("known_at")
    standing = guarded(page, lambda: wb.read_model.standing(staff_id, as_of=as_of, known_at=known_at))
    if standing is None:
        if known_at is not None and wb.ledger.staff_exists(staff_id):
            raise _not_found(
                page, t("person.not_registered_then", staff_id=staff_id, known_at=t.when(known_at))
            )
        raise _not_found(page, t("person.not_found", staff_id=staff_id))
    timeline: list[dict[str, Any]] = []
    findings: list[Anomaly] = []
    if page.can_audit:
        findings = guarded(page, lambda: wb.person_anomalies(staff_id))
        timeline = _timeline(page, staff_id, as_of, known_at, findings)
    return page.render(
        "pages/person.html",
        s=standing,
        as_of=as_of,
        known_at=known_at,
        known_at_value=(
            show_moment(known_at, t.zone)
        ),
        timeline=timeline,
        findings=findings,
        title=standing.full_name,
        today=page.today(),
        quals=catalog_order(standing.qualifications),
    )


def _timeline(
    page: Page, staff_id: str, as_of: date, known_at: datetime | None, findings: Sequence[Anomaly]
) -> list[dict[str, Any]]:
    t = page.t
    history = page.workbench.ledger.history(staff_id)
    courses, reasons = _courses_and_reasons(history)
    flagged: dict[str, list[Anomaly]] = {}
    for finding in findings:
        if finding.event_ids:
            flagged.setdefault(finding.event_ids[0], []).append(finding)
    items = []
    for entry in sorted(history, key=lambda e: (e.effective_on, e.version)):
        voided_by = (
            entry.voided_by if (known_at is None or _known(history, entry.voided_by, known_at)) else None
        )
        items.append(
            {
                "entry": entry,
                "label": t.event(entry.type),
                "text": describe(entry.type, entry.data, t, courses),
                "credential_id": credential_of(entry.type, entry.data),
                "voided_by": voided_by,
                "void_reason": reasons.get(voided_by or "", ""),
                "after_as_of": entry.effective_on > as_of,
                "unknown_then": known_at is not None and entry.recorded_at > known_at,
                "late_days": (
                    entry.recorded_at.astimezone(t.zone).date() - entry.effective_on
                ).days,
                "flags": [f for f in flagged.get(entry.event_id, []) if f.code != "voided"],
                "date_field": BUSINESS_DATE_FIELD.get(entry.type, "effective_on"),
            }
        )
    return items


def _courses_and_reasons(history: Sequence[Any]) -> tuple[dict[str, str], dict[str, str]]:
    """A record's course titles by enrollment (events name an enrollment, the page its course)
    and the reasons of its corrections by the correcting event."""
    courses = {
        str(e.data.get("enrollment_id")): str(e.data.get("course_title"))
        for e in history
        if e.type == "Enrolled"
    }
    reasons = {e.event_id: str(e.data.get("reason", "")) for e in history if e.type == "Corrected"}
    return courses, reasons


def _known(history: Sequence[Any], event_id: str | None, known_at: datetime) -> bool:
    for entry in history:
        if entry.event_id == event_id:
            return bool(entry.recorded_at <= known_at)
    return False


# --------------------------------------------------------------------- trail


def trail_flag_text(flag: Flag, trail: Trail, t: Translator) -> str:
    """A trail flag of ``projections.credentials`` in the reader's language."""
    if t.language == "en":
        return flag.message
    credential = trail.credential
    awarding = next((s for s in trail.steps if s.event_id == credential.event_id), None)
    registration = next((s for s in trail.steps if s.role == "registration"), None)
    completed_on = awarding.effective_on if awarding else credential.issued_on
    if flag.code == "voided":
        return t("flag.voided.text", voided_by=trail.voided_by or "")
    if flag.code == "recognized_without_verifier":
        return t("flag.recognized_without_verifier.text", document=credential.document_ref or "")
    if flag.code == "recorded_late" and awarding is not None:
        recorded_on = awarding.recorded_at.astimezone(t.zone).date()
        since = awarding.effective_on
        if credential.source == "recognition" and registration is not None:
            since = max(since, registration.effective_on)
        return t(
            "flag.recorded_late.text",
            recorded_on=t.date(recorded_on),
            days=(recorded_on - since).days,
            since=t.date(since),
        )
    if flag.code == "issued_before_completion":
        return t(
            "flag.issued_before_completion.text",
            issued_on=t.date(credential.issued_on),
            completed_on=t.date(completed_on),
        )
    if flag.code == "not_evaluated_after_training":
        return t("flag.not_evaluated_after_training.text", completed_on=t.date(completed_on))
    if f"flag.{flag.code}.text" in TEXT:
        return t(f"flag.{flag.code}.text")
    return flag.message


@router.get("/staff/{staff_id}/credentials/{credential_id}")
def trail(request: Request, staff_id: str, credential_id: str) -> Response:
    page = open_page(request, Permission.AUDIT)
    t = page.t
    wb = page.workbench
    found: Trail | None = guarded(page, lambda: wb.read_model.trail(staff_id, credential_id))
    if found is None:
        if not wb.ledger.staff_exists(staff_id):
            raise _not_found(page, t("person.not_found", staff_id=staff_id))
        raise _not_found(page, t("trail.not_found", staff_id=staff_id, credential_id=credential_id))
    own_flags, related = anomaly_module.for_trail(found, guarded(page, lambda: wb.person_anomalies(staff_id)))
    flags = [
        {"code": f.code, "title": t.anomaly_title(f.code), "text": trail_flag_text(f, found, t)}
        for f in own_flags
    ] + [{"code": a.code, "title": t.anomaly_title(a.code), "text": t.anomaly(a)} for a in related]
    chain = check_stream(wb.ledger.chained_recorder, staff_aggregate_id(staff_id))
    courses, reasons = _courses_and_reasons(wb.ledger.history(staff_id))
    flagged_events = {eid for a in related for eid in a.event_ids[:1]}
    steps = [
        {
            "step": step,
            "role": t(f"trail.role.{step.role}"),
            "text": describe(step.type, step.data, t, courses),
            "void_reason": reasons.get(step.voided_by or "", ""),
            "flagged": step.event_id in flagged_events,
        }
        for step in found.steps
    ]
    enrollment_step = next((s for s in found.steps if s.role == "enrollment" and not s.voided_by), None)
    registration = found.steps[0]
    return page.render(
        "pages/trail.html",
        tr=found,
        c=found.credential,
        steps=steps,
        flags=flags,
        chain=chain,
        name=str(registration.data.get("full_name", staff_id)),
        enrollment=enrollment_step,
        scans=scan_rows(page, found.steps),
        title=f"{found.credential.title} – {staff_id}",
    )


# ------------------------------------------------------------------- dossier


@router.get("/staff/{staff_id}/dossier")
def dossier(request: Request, staff_id: str) -> Response:
    page = open_page(request)
    t = page.t
    wb = page.workbench
    as_of = page.day("as_of") or page.today()
    standing: Standing | None = guarded(page, lambda: wb.read_model.standing(staff_id, as_of=as_of))
    if standing is None:
        raise _not_found(page, t("person.not_found", staff_id=staff_id))
    rows = dossier_module.dossier_rows(standing, t)
    fmt = page.choice("format", (*FORMATS, "pdf"))
    slug = f"phieu-2c-{ascii_slug(standing.full_name)}-{standing.staff_id}-{as_of.isoformat()}"
    if fmt == "pdf":
        fonts = dossier_module.font_paths(page.state.settings.font_dir)
        if fonts is None:
            raise page.fail(t("dossier.no_font"), status=501)
        settings = page.state.settings
        agency = dossier_module.Agency(settings.agency_name, settings.agency_parent, settings.agency_place)
        content = dossier_module.dossier_pdf(standing, t, fonts, generated_at=page.now(), agency=agency)
        return download(content, "application/pdf", f"{slug}.pdf")
    if fmt:
        header = [
            (t("common.name"), standing.full_name),
            (t("common.staff_id"), standing.staff_id),
            (t("common.birth_date"), t.date(standing.birth_date)),
            (t("common.unit"), standing.unit),
            (t("common.position"), standing.position or ""),
            *dossier_module.summary(standing, t),
            *filters_header(page, [], as_of),
        ]
        columns = [
            "STT",
            t("dossier.institution"),
            t("dossier.field"),
            t("dossier.period"),
            t("dossier.mode"),
            t("dossier.award"),
        ]
        table_rows = [
            [n, r.institution, r.field, r.period(t), r.mode, r.award] for n, r in enumerate(rows, start=1)
        ]
        report = Report(t("dossier.form"), slug, header, [Table(t("dossier.title"), columns, table_rows)])
        return respond(report, fmt, t.zone)
    return page.render(
        "pages/dossier.html",
        s=standing,
        rows=rows,
        summary=dossier_module.summary(standing, t),
        as_of=as_of,
        generated_at=page.now(),
        has_font=dossier_module.font_paths(page.state.settings.font_dir) is not None,
        title=f"{t('dossier.form')} – {standing.full_name}",
    )
