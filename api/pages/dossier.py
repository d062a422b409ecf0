"""A person's training dossier: the training section of the personnel file (Phiếu 2C), as rows
for the printable page and the exports, and as PDF (fpdf2 with the DejaVu Unicode font).

The table of Phiếu 2C (domain-vn §4.4): Tên trường | Chuyên ngành đào tạo, bồi dưỡng | Từ tháng,
năm – đến tháng, năm | Hình thức đào tạo | Văn bằng, chứng chỉ, trình độ. One row per course
completed or still running (failed and withdrawn courses awarded nothing) and per credential
recognized without a course, in date order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from api.pages.i18n import Translator
from ledger.catalog import Track
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


def dossier_pdf(
    standing: Standing, t: Translator, fonts: tuple[Path, Path], *, generated_at: datetime, agency: str = ""
) -> bytes:
    """The dossier as a PDF (A4 landscape)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{t('dossier.form')} – {standing.full_name}")
    pdf.set_creator("ledger")
    pdf.add_font("DejaVu", "", str(fonts[0]))
    pdf.add_font("DejaVu", "B", str(fonts[1]))
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(text=t("dossier.form"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    if agency:
        pdf.cell(text=agency, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    facts = [
        (t("common.name"), standing.full_name),
        (t("common.staff_id"), standing.staff_id),
        (t("common.birth_date"), f"{t.date(standing.birth_date)} ({t.code(standing.gender)})"),
        (t("common.unit"), standing.unit),
        (t("common.position"), standing.position or "—"),
        (t("common.as_of_short"), t.date(standing.as_of)),
    ]
    for label, value in facts:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(w=55, text=f"{label}:")
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(text=value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(text=t("dossier.summary"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for label, value in summary(standing, t):
        pdf.cell(w=70, text=f"{label}:")
        pdf.cell(text=value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(w=0, text=t("dossier.title"), new_x="LMARGIN", new_y="NEXT")
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
        col_widths=(62, 70, 36, 30, 69),
        text_align="LEFT",
        headings_style=FontFace(emphasis="BOLD", fill_color=(220, 230, 242)),
        line_height=5,
    ) as table:
        head = table.row()
        for heading in headings:
            head.cell(heading)
        for row in rows:
            line = table.row()
            for value in (row.institution, row.field, row.period(t), row.mode, row.award):
                line.cell(value or "—")
    if not rows:
        pdf.cell(text=t("dossier.empty"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(text=f"{t('common.generated_at')}: {t.when(generated_at)} ({t('common.local_time')})")
    return bytes(pdf.output())
