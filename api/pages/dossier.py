"""A person's training dossier: the training section of the personnel file (Phiếu 2C), as rows
for the printable page and the exports, and as PDF (fpdf2 with the DejaVu Unicode font).

The table of Phiếu 2C (docs/domain.md §4.4): Tên trường | Chuyên ngành đào tạo, bồi dưỡng | Từ tháng,
năm – đến tháng, năm | Hình thức đào tạo | Văn bằng, chứng chỉ, trình độ. One row per course
completed or still running (failed and withdrawn courses awarded nothing) and per credential
recognized without a course, in date order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from api.pages.i18n import Translator
from ledger.domain.catalog import Track
from projections.results import Standing

# Tracks in the order of the summary fields of Phiếu 2C.
SUMMARY_TRACKS = (
    Track.PROFESSIONAL,
    Track.POLITICAL_THEORY,
    Track.STATE_MANAGEMENT,
    Track.LEADERSHIP,
    Track.DEFENSE_SECURITY,
    Track.FOREIGN_LANGUAGE,
    Track.IT,
)
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


@dataclass(frozen=True)
class DossierRow:
    institution: str
    field: str
    starts_on: date | None
    ends_on: date | None
    mode: str
    award: str
    in_progress: bool = False

    def period(self, t: Translator) -> str:
        start = t.month(self.starts_on) if self.starts_on else ""
        end = t("dossier.in_progress") if self.in_progress else t.month(self.ends_on)
        return f"{start} – {end}" if start else end


def dossier_rows(standing: Standing, t: Translator) -> list[DossierRow]:
    """The rows of the training table of ``standing`` in ``t``'s language."""
    rows: list[tuple[date, DossierRow]] = []
    by_enrollment = {e.enrollment_id: e for e in standing.enrollments}
    awarded: set[str] = set()
    for credential in standing.credentials:
        level = t.level(credential.track, credential.level)
        award = credential.title + (f" ({level})" if level and level not in credential.title else "")
        if credential.number:
            award += f", số {credential.number}" if t.language == "vi" else f", no. {credential.number}"
        enrollment = by_enrollment.get(credential.enrollment_id or "")
        if enrollment is not None:
            awarded.add(enrollment.enrollment_id)
            rows.append(
                (
                    enrollment.starts_on,
                    DossierRow(
                        institution=enrollment.provider,
                        field=enrollment.course_title,
                        starts_on=enrollment.starts_on,
                        ends_on=enrollment.closed_on or enrollment.ends_on,
                        mode=t.code(enrollment.mode),
                        award=award,
                    ),
                )
            )
        else:
            rows.append(
                (
                    credential.issued_on,
                    DossierRow(
                        institution=credential.issuer,
                        field=credential.title,
                        starts_on=None,
                        ends_on=credential.issued_on,
                        mode="",
                        award=award,
                    ),
                )
            )
    for enrollment in standing.enrollments:
        if enrollment.enrollment_id in awarded or enrollment.status not in ("completed", "enrolled"):
            continue
        running = enrollment.status == "enrolled"
        level = t.level(enrollment.track, enrollment.level)
        award = t("enrollment.enrolled") if running else (level or t("enrollment.completed"))
        rows.append(
            (
                enrollment.starts_on,
                DossierRow(
                    institution=enrollment.provider,
                    field=enrollment.course_title,
                    starts_on=enrollment.starts_on,
                    ends_on=enrollment.closed_on or enrollment.ends_on,
                    mode=t.code(enrollment.mode),
                    award=award,
                    in_progress=running,
                ),
            )
        )
    return [row for _, row in sorted(rows, key=lambda item: (item[0], item[1].field))]


def summary(standing: Standing, t: Translator) -> list[tuple[str, str]]:
    """(track label, highest level held) for the summary fields of Phiếu 2C."""
    found = []
    for track in SUMMARY_TRACKS:
        held = standing.qualifications.get(str(track))
        found.append((t.track(track), t.level(track, held.level) if held else "—"))
    return found


def font_paths(folder: str) -> tuple[Path, Path] | None:
    regular, bold = (Path(folder) / name for name in FONT_FILES)
    return (regular, bold) if regular.is_file() and bold.is_file() else None


# The national heading (Quốc hiệu and Tiêu ngữ) heads every official form in Vietnamese, whatever
# the language of the rest of the page.
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Agency:
    """Who files the form: the agency using the staff member, the agency that manages it, and the
    place written before the date of signature (LEDGER_PAGES_AGENCY_*). Empty ones print as a
    dotted line to fill in by hand, as on the paper form."""

    name: str = ""
    parent: str = ""
    place: str = ""


def signing_date(moment: datetime, t: Translator) -> str:
    """The date of signature, on the agency's calendar (``t.zone``): ``ngày 05 tháng 12 năm 2026``."""
    day = moment.astimezone(t.zone).date()
    if t.language == "vi":
        return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return day.strftime("%d %B %Y").lstrip("0")


def dossier_pdf(
    standing: Standing,
    t: Translator,
    fonts: tuple[Path, Path],
    *,
    generated_at: datetime,
    agency: Agency | None = None,
) -> bytes:
    """The training section of Phiếu 2C as a PDF (A4 portrait): the national heading and the
    agency, the person, the levels held, the training table (its headings repeated on each page),
    the signature block (người lập biểu, thủ trưởng cơ quan) dated in agency time, and on every
    page the person's name and "page n of N"."""
    from fpdf import FPDF
    from fpdf.enums import Align, XPos, YPos
    from fpdf.fonts import FontFace

    agency = agency or Agency()
    dots = "." * 40
    running = f"{standing.full_name} – {standing.staff_id}"

    class Form(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("DejaVu", "", 8)
            self.set_draw_color(160, 160, 160)
            self.line(self.l_margin, self.get_y() - 1, self.w - self.r_margin, self.get_y() - 1)
            self.cell(w=self.epw / 2, h=5, text=running, align=Align.L)
            self.cell(
                w=self.epw / 2,
                h=5,
                text=t("dossier.page_of", n=self.page_no(), pages="{nb}"),
                align=Align.R,
            )

    pdf = Form(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"{t('dossier.form')} – {standing.full_name}")
    pdf.set_creator("ledger")
    pdf.add_font("DejaVu", "", str(fonts[0]))
    pdf.add_font("DejaVu", "B", str(fonts[1]))
    pdf.set_margins(18, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    width = pdf.epw
    left_w, right_w = width * 0.45, width * 0.55
    top = pdf.get_y()
    # Left: the agencies and the staff code, as on the form.
    pdf.set_font("DejaVu", "", 9)
    for label, value in (
        (t("dossier.parent_agency"), agency.parent or dots),
        (t("dossier.agency"), agency.name or dots),
        (t("dossier.staff_number"), standing.staff_id),
    ):
        pdf.multi_cell(w=left_w, h=4.5, text=f"{label}: {value}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()
    # Right: Quốc hiệu and Tiêu ngữ, the motto underlined by a rule as long as itself.
    pdf.set_xy(pdf.l_margin + left_w, top)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(w=right_w, h=5, text=NATIONAL_NAME, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.cell(w=right_w, h=5.5, text=NATIONAL_MOTTO, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    motto = pdf.get_string_width(NATIONAL_MOTTO)
    middle = pdf.l_margin + left_w + right_w / 2
    pdf.set_draw_color(0, 0, 0)
    pdf.line(middle - motto / 2, pdf.get_y() + 0.3, middle + motto / 2, pdf.get_y() + 0.3)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(
        w=width, text=t("dossier.form").upper(), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(3)
    facts = [
        (t("common.name"), standing.full_name),
        (t("common.birth_date"), f"{t.date(standing.birth_date)} ({t.code(standing.gender)})"),
        (t("common.unit"), standing.unit),
        (t("common.position"), standing.position or "—"),
        (t("common.as_of_short"), t.date(standing.as_of)),
    ]
    for label, value in facts:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(w=45, h=5.5, text=f"{label}:")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(w=width - 45, h=5.5, text=value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(text=t("dossier.summary"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    for label, value in summary(standing, t):
        pdf.cell(w=70, h=5, text=f"{label}:")
        pdf.cell(h=5, text=value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(w=width, text=t("dossier.title"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font("DejaVu", "", 9)
    rows = dossier_rows(standing, t)
    headings = (
        t("dossier.institution"),
        t("dossier.field"),
        t("dossier.period"),
        t("dossier.mode"),
        t("dossier.award"),
    )
    with pdf.table(
        col_widths=(40, 44, 28, 24, 41),
        text_align="LEFT",
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
        line_height=4.6,
        repeat_headings=1,
    ) as table:
        head = table.row()
        for heading in headings:
            head.cell(heading)
        for row in rows:
            line = table.row()
            for value in (row.institution, row.field, row.period(t), row.mode, row.award):
                line.cell(value or "—")
    if not rows:
        pdf.cell(text=t("dossier.empty"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    # The signature block stays whole: on a new page if this one cannot hold it.
    if pdf.get_y() + 48 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(6)
    half = width / 2
    y = pdf.get_y()
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("DejaVu", "", 10)
    place = agency.place or "." * 20
    pdf.cell(w=half, h=5, text=f"{place}, {signing_date(generated_at, t)}", align=Align.C)
    y += 7
    for x, title, hint in (
        (pdf.l_margin, t("dossier.prepared_by"), t("dossier.sign_name")),
        (pdf.l_margin + half, t("dossier.head_of_agency"), t("dossier.sign_seal")),
    ):
        pdf.set_xy(x, y)
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(w=half, h=5, text=title.upper(), align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 9)
        pdf.cell(w=half, h=5, text=hint, align=Align.C)
    pdf.set_y(y + 34)
    pdf.set_font("DejaVu", "", 7.5)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(text=f"{t('common.generated_at')}: {t.when(generated_at)} ({t('common.local_time')})")
    return bytes(pdf.output())
