"""The report pages, each also a CSV and an XLSX: the article's quality report (qualifications
and attendance), the annual report, training needs, effectiveness after training, and the
anomalies an auditor should look at. They only read; form BM01 is ``api.pages.bm01``."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.keys import Permission
from api.pages.annual_form import annual_xlsx
from api.pages.attendance_splits import annual_columns, annual_table, split_tables
from api.pages.charts import Series, bar_chart
from api.pages.dates import show_moment
from api.pages.exports import XLSX_TYPE, Report, Table, ascii_slug, download, respond
from api.pages.shared import FORMATS, LEVELLED, catalog_order, filters_header, guarded
from api.pages.web import PREFIX, Page, open_page
from ledger.domain.catalog import Track
from ledger.standards.effectiveness import ProgrammeEffect
from ledger.standards.model import PositionKind
from ledger.standards.needs import NeedsReport
from projections import anomaly_flags as anomaly_module
from projections.report_answers import NeedsListing
from projections.results import AGE_BANDS, AnnualReport, AttendanceReport, QualificationsReport

router = APIRouter(prefix=PREFIX, include_in_schema=False)

ARTICLE_TRACKS = ("political_theory", "state_management", "leadership")


def _known_at(page: Page) -> tuple[datetime | None, str]:
    """``known_at`` of a report page (as the API's reports take it: the report as the ledger knew
    it then, e.g. as it was submitted), and its value for the form's input (dd/mm/yyyy hh:mm)."""
    known_at = page.moment("known_at")
    return known_at, show_moment(known_at, page.t.zone)


def _tracks_filter(page: Page) -> list[str] | None:
    chosen = [v for v in page.request.query_params.getlist("tracks") if v in {str(t) for t in Track}]
    return chosen or None


# People listed on one page of the needs report; the exports carry them all.
NEEDS_PAGE = 100


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
    attendance = replace(attendance, by_track=catalog_order(attendance.by_track))
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
    header = filters_header(
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
        header = filters_header(page, pairs, report.to, known_at)
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
    fmt = page.choice("format", FORMATS)
    if fmt:
        report: NeedsReport = guarded(
            page,
            lambda: wb.read_model.reports.needs(
                as_of=as_of, known_at=known_at, position=position, unit=unit
            ).report,
        )
        return _needs_export(page, report, fmt, as_of, known_at, unit, position)
    after = page.text("after", limit=40) or ""
    listing: NeedsListing = guarded(
        page,
        lambda: wb.read_model.reports.needs_listing(
            after=after, limit=NEEDS_PAGE, as_of=as_of, known_at=known_at, position=position, unit=unit
        ),
    )
    rows = [(person, check) for person in listing.people for check in person.gaps]
    by_track = catalog_order(listing.summary["by_track"])
    statuses = sorted({s for counts in by_track.values() for s in counts})
    chart = bar_chart(
        [t.track(code) for code in by_track],
        [Series(t(f"needs.status.{s}"), [by_track[code].get(s, 0) for code in by_track]) for s in statuses],
        title=t("needs.title"),
    )
    return page.render(
        "pages/needs.html",
        listing=listing,
        rows=rows,
        by_status=listing.summary["by_status"],
        first_page=page.with_query(after=None) if after else None,
        next_page=page.with_query(after=listing.next_key) if listing.next_key else None,
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


def _needs_export(
    page: Page,
    report: NeedsReport,
    fmt: str,
    as_of: date,
    known_at: datetime | None,
    unit: str | None,
    position: str | None,
) -> Response:
    """The needs report as a file: every person with a gap, whatever the page shows."""
    t = page.t
    rows = [(person, check) for person in report.people for check in person.gaps]
    header = filters_header(
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
        header = filters_header(
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
    totals = catalog_order(totals)
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
        header = filters_header(
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
