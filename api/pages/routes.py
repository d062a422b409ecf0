"""The pages: sign-in, directory, a person's record and timeline, a credential's provenance, the
reports, and their exports. Every page only reads; the forms that change anything are sign-in,
sign-out and the language switch (a cookie)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from api.keys import Permission
from api.pages import dossier as dossier_module
from api.pages.annual_form import annual_xlsx
from api.pages.attendance_splits import annual_columns, annual_table, split_tables
from api.pages.charts import Series, bar_chart
from api.pages.dates import show_moment
from api.pages.describe import credential_of, describe
from api.pages.evidence import scan_rows
from api.pages.exports import XLSX_TYPE, Report, Table, ascii_slug, download, respond
from api.pages.i18n import LANGUAGES, TEXT, Translator
from api.pages.sessions import (
    CSRF_COOKIE,
    LANG_COOKIE,
    SESSION_COOKIE,
    new_secret,
    same_secret,
)
from api.pages.web import PREFIX, Page, PageExit, open_page, safe_next, secure
from ledger import catalog, errors
from ledger.catalog import Gender, Track
from ledger.effectiveness import ProgrammeEffect
from ledger.integrity import check_stream
from ledger.needs import NeedsReport
from ledger.rules import PositionKind
from ledger.staff import BUSINESS_DATE_FIELD, staff_aggregate_id
from projections import anomalies as anomaly_module
from projections.anomalies import Anomaly
from projections.queries import ViewNotReady
from projections.results import (
    AGE_BANDS,
    AnnualReport,
    AttendanceReport,
    DirectoryEntry,
    Flag,
    QualificationsReport,
    Standing,
    Trail,
)
from projections.standing import DIRECTORY_SORTS, STATUSES

router = APIRouter(prefix=PREFIX, include_in_schema=False)
T = TypeVar("T")

FORMATS = ("csv", "xlsx")
LEVELLED = [info for info in catalog.TRACKS.values() if info.has_levels]
ARTICLE_TRACKS = ("political_theory", "state_management", "leadership")


def guarded(page: Page, run: Any) -> Any:
    """Run a read; named errors become a page that says what was wrong (never a 5xx)."""
    try:
        return run()
    except ViewNotReady:
        raise page.fail(page.t("error.not_ready"), status=503) from None
    except errors.InvalidInput as error:
        raise page.fail(page.t("error.bad_input") + error.message, status=400) from None


# ------------------------------------------------------------------- sign-in


@router.get("/")
def home() -> Response:
    return RedirectResponse(f"{PREFIX}/staff", status_code=303)


@router.get("/login")
def login_form(request: Request) -> Response:
    page = open_page(request, None)
    token = new_secret()
    notice = {"out": "login.signed_out", "expired": "login.expired"}.get(
        request.query_params.get("notice", "")
    )
    response = page.render(
        "pages/login.html",
        form_token=token,
        next=safe_next(request.query_params.get("next")),
        notice=page.t(notice) if notice else None,
        problem=None,
    )
    _set_csrf_cookie(page, response, token)
    return response


def _set_csrf_cookie(page: Page, response: Response, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=3600,
        path=f"{PREFIX}/login",
        samesite="strict",
        httponly=True,
        secure=secure(page.request, page.state.settings),
    )


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


@router.post("/login")
async def sign_in(request: Request) -> Response:
    page = open_page(request, None)
    form = await request.form()
    token = str(form.get("token") or "").strip()
    target = safe_next(str(form.get("next") or ""))

    def again(problem: str, status: int) -> Response:
        fresh = new_secret()
        response = page.render(
            "pages/login.html", status=status, form_token=fresh, next=target, notice=None, problem=problem
        )
        _set_csrf_cookie(page, response, fresh)
        return response

    if not _same_origin(request) or not same_secret(
        str(form.get("form_token") or ""), request.cookies.get(CSRF_COOKIE)
    ):
        return again(page.t("login.bad_form"), 403)
    if not token or len(token) > 256:
        return again(page.t("login.no_key"), 400)
    sessions = page.state.sessions(request)
    opened = await run_in_threadpool(sessions.open, token)
    if opened is None:
        return again(page.t("login.bad_key"), 401)
    session_id, _session = opened
    response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(page.state.settings.session_hours * 3600),
        path=PREFIX,
        samesite="lax",
        httponly=True,
        secure=secure(request, page.state.settings),
    )
    response.delete_cookie(CSRF_COOKIE, path=f"{PREFIX}/login")
    return response


@router.post("/logout")
async def sign_out(request: Request) -> Response:
    page = open_page(request, None)
    form = await request.form()
    sessions = page.state.sessions(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    session = await run_in_threadpool(sessions.get, cookie)
    if (
        session is not None
        and _same_origin(request)
        and same_secret(str(form.get("csrf") or ""), session.csrf)
    ):
        await run_in_threadpool(sessions.close, cookie)
    elif session is not None:
        raise page.fail(page.t("login.bad_form"), status=403)
    response = RedirectResponse(f"{PREFIX}/login?notice=out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, code: str) -> Response:
    page = open_page(request, None)
    target = safe_next(request.query_params.get("next"))
    response = RedirectResponse(target, status_code=303)
    if code in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            path=PREFIX,
            samesite="lax",
            httponly=True,
            secure=secure(request, page.state.settings),
        )
    return response


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


def _filters_header(
    page: Page,
    pairs: Sequence[tuple[str, str | None]],
    as_of: date | None,
    known_at: datetime | None = None,
) -> list[tuple[str, Any]]:
    t = page.t
    shown = [f"{label}: {value}" for label, value in pairs if value]
    header = [
        (t("export.filters"), "; ".join(shown) if shown else t("common.all")),
    ]
    if as_of is not None:
        header.append((t("common.as_of_short"), t.date(as_of)))
    if known_at is not None:
        header.append((t("common.known_at"), f"{t.when(known_at)} ({t('common.local_time')})"))
    header.append((t("common.generated_at"), f"{t.when(page.now())} ({t('common.local_time')})"))
    header.append((t("export.source"), t("export.source_value")))
    return header


def _directory_report(
    page: Page, entries: Sequence[DirectoryEntry], filters: dict[str, Any], level_raw: str | None
) -> Report:
    t = page.t
    level_text = None
    if filters["track"]:
        level_text = t.track(filters["track"]) + (
            f" – {t.level(filters['track'], filters['level'])}" if filters["level"] else ""
        )
    header = _filters_header(
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
        quals=_catalog_order(standing.qualifications),
    )


def _timeline(
    page: Page, staff_id: str, as_of: date, known_at: datetime | None, findings: Sequence[Anomaly]
) -> list[dict[str, Any]]:
    t = page.t
    history = page.workbench.ledger.history(staff_id)
    courses = {
        str(e.data.get("enrollment_id")): str(e.data.get("course_title"))
        for e in history
        if e.type == "Enrolled"
    }
    reasons = {e.event_id: str(e.data.get("reason", "")) for e in history if e.type == "Corrected"}
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
    history = wb.ledger.history(staff_id)
    courses = {
        str(e.data.get("enrollment_id")): str(e.data.get("course_title"))
        for e in history
        if e.type == "Enrolled"
    }
    reasons = {e.event_id: str(e.data.get("reason", "")) for e in history if e.type == "Corrected"}
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
            *_filters_header(page, [], as_of),
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


# ------------------------------------------------------------------- reports


def _known_at(page: Page) -> tuple[datetime | None, str]:
    """``known_at`` of a report page (as the API's reports take it: the report as the ledger knew
    it then, e.g. as it was submitted), and its value for the form's input (dd/mm/yyyy hh:mm)."""
    known_at = page.moment("known_at")
    return known_at, show_moment(known_at, page.t.zone)


def _catalog_order(by_track: dict[str, T]) -> dict[str, T]:
    """Per-track figures in the catalog's order of tracks (professional first)."""
    order = [str(track) for track in catalog.TRACKS]
    return dict(sorted(by_track.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99))


def _tracks_filter(page: Page) -> list[str] | None:
    chosen = [v for v in page.request.query_params.getlist("tracks") if v in {str(t) for t in Track}]
    return chosen or None


@router.get("/reports")
def article_report(request: Request) -> Response:
    page = open_page(request)
    t = page.t
    wb = page.workbench
    as_of = page.day("as_of") or page.today()
    unit = page.text("unit")
    start = page.day("from")
    end = page.day("to") or as_of
    tracks = _tracks_filter(page)
    if start is not None and start > end:
        page.errors.append(t("error.bad_input") + f"{t('common.from')} > {t('common.to')}")
        start = None
    known_at, known_at_value = _known_at(page)
    quals: QualificationsReport = guarded(
        page, lambda: wb.read_model.qualifications(as_of=as_of, unit=unit, known_at=known_at)
    )
    attendance: AttendanceReport = guarded(
        page,
        lambda: wb.read_model.attendance(
            from_=start, to=end, tracks=tracks, known_at=known_at, unit=unit or None
        ),
    )
    attendance = replace(attendance, by_track=_catalog_order(attendance.by_track))
    fmt = page.choice("format", FORMATS)
    if fmt:
        return respond(_article_report(page, quals, attendance, unit, tracks, known_at), fmt, page.t.zone)
    cards = []
    for info in LEVELLED:
        counts = quals.tracks.get(str(info.track), {})
        female = quals.tracks_by_gender.get("female", {}).get(str(info.track), {})
        levels = list(reversed(info.levels))
        cards.append(
            {
                "track": info.track,
                "label": t.label(info.label),
                "rows": [
                    (t.label(lv.label), counts.get(lv.code, 0), female.get(lv.code, 0)) for lv in levels
                ],
                "total": sum(counts.values()),
                "chart": bar_chart(
                    [t.label(lv.label) for lv in levels],
                    [Series(t("common.persons"), [counts.get(lv.code, 0) for lv in levels])],
                    title=t.label(info.label),
                    width=400,
                    label_width=150,
                ),
            }
        )
    track_codes = list(attendance.by_track)
    attendance_chart = bar_chart(
        [t.track(code) for code in track_codes],
        [
            Series(t("common.attendances"), [attendance.by_track[c].attendances for c in track_codes]),
            Series(t("common.persons"), [attendance.by_track[c].persons for c in track_codes]),
        ],
        title=t("reports.attendance"),
    )
    years = list(attendance.by_year)
    year_chart = bar_chart(
        years,
        [Series(t("common.attendances"), [attendance.by_year[y] for y in years])],
        title=t("reports.by_year"),
    )
    article_link = page.link(
        f"{PREFIX}/reports",
        as_of=as_of.isoformat(),
        unit=unit,
        **{"from": "2019-01-01", "to": end.isoformat(), "tracks": list(ARTICLE_TRACKS)},
    )
    return page.render(
        "pages/reports.html",
        q=quals,
        a=attendance,
        cards=cards,
        attendance_chart=attendance_chart,
        year_chart=year_chart,
        as_of=as_of,
        unit=unit or "",
        units=guarded(page, wb.units),
        start=start,
        end=end,
        tracks=tracks or [],
        all_tracks=[str(x) for x in Track],
        age_bands=AGE_BANDS,
        article_link=article_link,
        known_at=known_at,
        known_at_value=known_at_value,
        export_csv=page.with_query(format="csv"),
        export_xlsx=page.with_query(format="xlsx"),
        title=t("reports.title"),
        splits=split_tables(t, attendance),
    )


def _article_report(
    page: Page,
    quals: QualificationsReport,
    attendance: AttendanceReport,
    unit: str | None,
    tracks: list[str] | None,
    known_at: datetime | None = None,
) -> Report:
    t = page.t
    header = _filters_header(
        page,
        [
            (t("common.unit"), unit or t("common.units_all")),
            (t("reports.attendance_window"), f"{t.date(attendance.from_)} – {t.date(attendance.to)}"),
            (t("common.tracks"), ", ".join(t.track(x) for x in tracks) if tracks else t("common.all")),
        ],
        quals.as_of,
        known_at,
    )
    header.insert(1, (t("common.headcount"), quals.headcount))
    qual_rows: list[list[Any]] = []
    for info in LEVELLED:
        counts = quals.tracks.get(str(info.track), {})
        female = quals.tracks_by_gender.get("female", {}).get(str(info.track), {})
        for level in reversed(info.levels):
            qual_rows.append(
                [
                    t.label(info.label),
                    t.label(level.label),
                    counts.get(level.code, 0),
                    female.get(level.code, 0),
                ]
            )
    qual_table = Table(
        t("reports.qualifications"),
        [t("common.track"), t("common.level"), t("common.persons"), t("common.of_which_female")],
        qual_rows,
    )
    att_rows: list[list[Any]] = [
        [t.track(code), tally.attendances, tally.persons] for code, tally in attendance.by_track.items()
    ]
    att_rows.append([t("common.total"), attendance.attendances, attendance.persons])
    att_table = Table(
        t("reports.attendance"), [t("common.track"), t("common.attendances"), t("common.persons")], att_rows
    )
    year_table = Table(
        t("reports.by_year"),
        [t("effect.year"), t("common.attendances")],
        [[year, count] for year, count in attendance.by_year.items()],
    )
    slug = f"bao-cao-chat-luong-{quals.as_of.isoformat()}" + (f"-{ascii_slug(unit)}" if unit else "")
    return Report(
        t("reports.title"), slug, header, [qual_table, att_table, year_table, *split_tables(t, attendance)]
    )


@router.get("/reports/annual")
def annual_report_page(request: Request) -> Response:
    """The annual report "Kết quả đào tạo, bồi dưỡng" (docs/domain.md §4.1) of a year, as a page, a
    CSV, or an XLSX laid out like the form (``api.pages.annual_form``)."""
    page = open_page(request)
    t = page.t
    wb = page.workbench
    raw = page.text("year", limit=4)
    year = int(raw) if raw and raw.isdigit() else None
    if raw and year is None:
        page.errors.append(t("annual.bad_year") + raw)
    known_at, known_at_value = _known_at(page)
    report: AnnualReport = guarded(page, lambda: wb.read_model.annual(year, known_at=known_at))
    agency = page.state.settings.agency_name
    fmt = page.choice("format", FORMATS)
    slug = f"ket-qua-dao-tao-boi-duong-{report.year}"
    if fmt == "xlsx":
        known = t("reports.as_known_at", when=t.when(known_at)) if known_at else None
        content = annual_xlsx(t, report, agency=agency, made_on=page.today(), known_at=known)
        return download(content, XLSX_TYPE, f"{slug}.xlsx")
    table = annual_table(t, report)
    if fmt:
        pairs = [(t("annual.agency"), agency), (t("annual.year"), str(report.year))]
        header = _filters_header(page, pairs, report.to, known_at)
        return respond(Report(table.title, slug, header, [table]), fmt, page.t.zone)
    return page.render(
        "pages/annual.html",
        report=report,
        table=table,
        groups=annual_columns(t),
        agency=agency,
        year=report.year,
        years=list(range(page.today().year, page.today().year - 12, -1)),
        known_at=known_at,
        known_at_value=known_at_value,
        export_csv=page.with_query(format="csv"),
        export_xlsx=page.with_query(format="xlsx"),
        title=table.title,
    )


@router.get("/reports/needs")
def needs_report(request: Request) -> Response:
    page = open_page(request)
    t = page.t
    wb = page.workbench
    as_of = page.day("as_of") or page.today()
    unit = page.text("unit")
    position = page.text("position")
    rules = wb.ledger.rules
    if position is not None and rules.resolve(position, PositionKind.POST) is None:
        page.errors.append(t("needs.bad_position") + position)
        position = None
    known_at, known_at_value = _known_at(page)
    report: NeedsReport = guarded(
        page,
        lambda: wb.read_model.reports.needs(
            as_of=as_of, known_at=known_at, position=position, unit=unit
        ).report,
    )
    rows = [(person, check) for person in report.people for check in person.gaps]
    fmt = page.choice("format", FORMATS)
    if fmt:
        header = _filters_header(
            page,
            [(t("common.unit"), unit or t("common.units_all")), (t("common.position"), position)],
            as_of,
            known_at,
        )
        header.insert(1, (t("needs.people"), str(len(report.people))))
        header.insert(2, (t("needs.with_gaps"), str(len(report.with_gaps))))
        columns = [
            t("common.staff_id"),
            t("common.name"),
            t("common.unit"),
            t("common.position"),
            t("common.track"),
            t("needs.required"),
            t("needs.held"),
            t("common.status"),
            t("needs.deadline"),
            t("needs.legal_basis"),
        ]
        table_rows = [
            [
                p.staff_id,
                p.full_name,
                p.unit,
                p.position or "",
                t.track(c.track),
                t.required(c),
                t.held(c),
                t(f"needs.status.{c.status}"),
                c.deadline,
                t.legal_basis(c.legal_basis),
            ]
            for p, c in rows
        ]
        slug = f"nhu-cau-dao-tao-{as_of.isoformat()}" + (f"-{ascii_slug(unit)}" if unit else "")
        return respond(
            Report(t("needs.title"), slug, header, [Table(t("needs.title"), columns, table_rows)]),
            fmt,
            t.zone,
        )
    by_track = _catalog_order(report.by_track())
    statuses = sorted({s for counts in by_track.values() for s in counts})
    chart = bar_chart(
        [t.track(code) for code in by_track],
        [Series(t(f"needs.status.{s}"), [by_track[code].get(s, 0) for code in by_track]) for s in statuses],
        title=t("needs.title"),
    )
    return page.render(
        "pages/needs.html",
        report=report,
        rows=rows,
        by_status=report.by_status(),
        chart=chart,
        as_of=as_of,
        unit=unit or "",
        units=guarded(page, wb.units),
        position=position or "",
        posts=[p.title for p in rules.positions if p.kind == PositionKind.POST],
        rules_title=rules.title,
        rules_version=f"{t('needs.rules_version')} {rules.version}",
        known_at=known_at,
        known_at_value=known_at_value,
        export_csv=page.with_query(format="csv"),
        export_xlsx=page.with_query(format="xlsx"),
        title=t("needs.title"),
    )


@router.get("/reports/effectiveness")
def effectiveness(request: Request) -> Response:
    page = open_page(request)
    t = page.t
    wb = page.workbench
    as_of = page.day("as_of") or page.today()
    unit = page.text("unit")
    track = page.choice("track", [str(x) for x in Track])
    known_at, known_at_value = _known_at(page)
    effects: list[ProgrammeEffect] = guarded(
        page,
        lambda: list(
            wb.read_model.reports.effectiveness(
                as_of=as_of, known_at=known_at, unit=unit, tracks=[track] if track else None
            ).effects
        ),
    )
    fmt = page.choice("format", FORMATS)
    columns = [
        t("effect.programme"),
        t("common.track"),
        t("common.level"),
        t("effect.year"),
        t("effect.completions"),
        t("effect.compared"),
        t("effect.improved"),
        t("effect.unchanged"),
        t("effect.declined"),
        t("effect.mean_before"),
        t("effect.mean_after"),
        t("effect.evaluated"),
        t("effect.applied"),
    ]

    def row(e: ProgrammeEffect) -> list[Any]:
        return [
            f"{e.course_title} ({e.course_code})",
            t.track(e.track),
            t.level(e.track, e.level),
            e.year,
            e.completions,
            e.compared,
            e.improved,
            e.unchanged,
            e.declined,
            e.mean_before,
            e.mean_after,
            e.evaluated,
            e.applied_share,
        ]

    if fmt:
        header = _filters_header(
            page,
            [(t("common.unit"), unit or t("common.units_all")), (t("common.track"), t.track(track))],
            as_of,
            known_at,
        )
        slug = f"hieu-qua-dao-tao-{as_of.isoformat()}" + (f"-{ascii_slug(unit)}" if unit else "")
        return respond(
            Report(
                t("effect.title"),
                slug,
                header,
                [Table(t("effect.title"), columns, [row(e) for e in effects])],
            ),
            fmt,
            t.zone,
        )
    totals: dict[str, Counter[str]] = {}
    for e in effects:
        counter = totals.setdefault(str(e.track), Counter())
        counter.update(improved=e.improved, unchanged=e.unchanged, declined=e.declined)
    totals = _catalog_order(totals)
    chart = bar_chart(
        [t.track(code) for code in totals],
        [
            Series(t(f"effect.{kind}"), [totals[code][kind] for code in totals])
            for kind in ("improved", "unchanged", "declined")
        ],
        title=t("effect.chart"),
    )
    return page.render(
        "pages/effectiveness.html",
        effects=effects,
        columns=columns,
        rows=[row(e) for e in effects],
        chart=chart,
        as_of=as_of,
        unit=unit or "",
        units=guarded(page, wb.units),
        track=track or "",
        all_tracks=[str(x) for x in Track],
        known_at=known_at,
        known_at_value=known_at_value,
        export_csv=page.with_query(format="csv"),
        export_xlsx=page.with_query(format="xlsx"),
        title=t("effect.title"),
    )


@router.get("/reports/anomalies")
def anomalies_report(request: Request) -> Response:
    page = open_page(request, Permission.AUDIT)
    t = page.t
    wb = page.workbench
    code = page.choice("code", anomaly_module.CODES)
    unit = page.text("unit")
    today = page.today()
    listing = guarded(page, lambda: wb.read_model.anomalies(unit=unit, code=code, as_of=today))
    counts = listing.counts
    rows: list[dict[str, Any]] = [
        {
            "a": entry.anomaly,
            "name": entry.full_name,
            "unit": entry.unit,
            "title": t.anomaly_title(entry.anomaly.code),
            "text": t.anomaly(entry.anomaly),
            "credential": entry.anomaly.credential_ids[0] if entry.anomaly.credential_ids else None,
        }
        for entry in listing.entries
    ]
    fmt = page.choice("format", FORMATS)
    if fmt:
        header = _filters_header(
            page,
            [
                (t("common.unit"), unit or t("common.units_all")),
                (t("anom.kind"), t.anomaly_title(code) if code else None),
            ],
            None,
        )
        columns = [
            t("common.staff_id"),
            t("common.name"),
            t("common.unit"),
            t("anom.kind"),
            t("common.date"),
            t("common.message"),
            t("common.event_id"),
            t("common.credential"),
        ]
        table_rows = [
            [
                r["a"].staff_id,
                r["name"],
                r["unit"],
                r["title"],
                r["a"].on,
                r["text"],
                ", ".join(r["a"].event_ids),
                ", ".join(r["a"].credential_ids),
            ]
            for r in rows
        ]
        slug = f"dau-hieu-bat-thuong-{today.isoformat()}" + (f"-{ascii_slug(unit)}" if unit else "")
        return respond(
            Report(t("anom.title"), slug, header, [Table(t("anom.title"), columns, table_rows)]),
            fmt,
            t.zone,
        )
    chart = bar_chart(
        [t.anomaly_title(c) for c in counts],
        [Series(t("common.count"), list(counts.values()))],
        title=t("anom.by_code"),
    )
    return page.render(
        "pages/anomalies.html",
        rows=rows,
        counts=counts,
        chart=chart,
        code=code or "",
        codes=anomaly_module.CODES,
        unit=unit or "",
        units=guarded(page, wb.units),
        rules=wb.rules,
        export_csv=page.with_query(format="csv"),
        export_xlsx=page.with_query(format="xlsx"),
        title=t("anom.title"),
    )
