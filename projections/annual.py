"""The annual report "Kết quả đào tạo, bồi dưỡng" (docs/domain.md §4.1): the year's attendances in the
rows and columns of the form, counted in one pass over the statistics view's rows.

Rows by content and level come from one table, :data:`FORM_ROWS`, which maps the catalog's tracks
and levels onto the form: I. Đào tạo (degrees), II. Bồi dưỡng trong nước, III. Bồi dưỡng ở nước
ngoài (any course whose enrollment names a country other than Việt Nam, except degrees, which stay
in I). An attendance goes to the first row that takes it; in II, one the form has no row for goes
to "Khác", so the rows always add up to the total.

Columns the ledger holds no facts for are ``None`` ("not recorded"), never zero: ethnic minority
and Party membership (not on the record), the number of classes the agency organised and the plan
(no training plan is recorded), the delegations abroad, public employees (viên chức: the record's
employment codes have none), and the whole row of ethnic-minority languages (no such track). The
target groups come from the post held on the course's first day (classified as the attendance
report does, through the rules file) and the person's employment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from ledger.domain.catalog import Funding, Label, Track
from projections.results import AnnualLine, AnnualReport
from projections.splits import AGENCY_LEADER, DIVISION_LEADER, AttendanceRow, PostClassifier
from projections.statistics_sql import LEVEL_CODES

MILLION = Decimal(1_000_000)
TARGET_GROUPS = ("agency_leader", "division_leader", "civil_servant", "contract")
DEGREES = {"doctorate", "master", "bachelor"}


@dataclass(frozen=True)
class FormRow:
    """One row of the form: the attendances it takes (track, and levels; ``levels=None`` any
    level or none, ``()`` only courses without a level), or none at all (``recorded=False``)."""

    key: str
    section: str  # I, II, III
    group: Label | None  # the heading the row sits under (LLCT, QP-AN …)
    label: Label
    track: Track | None = None
    levels: tuple[str, ...] | None = None
    recorded: bool = True
    abroad: bool = False

    def takes(self, track: str, level: str | None, abroad: bool) -> bool:
        if not self.recorded or abroad != self.abroad:
            return False
        if self.track is not None and track != self.track:
            return False
        if self.levels is None:
            return True
        return (level or "") in self.levels if self.levels else level is None


LLCT = Label("Lý luận chính trị", "Political theory")
QPAN = Label("Kiến thức quốc phòng và an ninh", "Defence and security")
QLNN = Label("Quản lý nhà nước theo ngạch", "State management by rank")
LDQL = Label("Lãnh đạo, quản lý", "Leadership and management")
P, PT, SM, LD, DS = (
    Track.PROFESSIONAL,
    Track.POLITICAL_THEORY,
    Track.STATE_MANAGEMENT,
    Track.LEADERSHIP,
    Track.DEFENSE_SECURITY,
)

FORM_ROWS: tuple[FormRow, ...] = (
    FormRow("doctorate", "I", None, Label("Tiến sĩ", "Doctorate"), P, ("doctorate",)),
    FormRow("master", "I", None, Label("Thạc sĩ", "Master"), P, ("master",)),
    FormRow("bachelor", "I", None, Label("Đại học", "Bachelor"), P, ("bachelor",)),
    FormRow(
        "professional_other",
        "I",
        None,
        Label("Khác (cao đẳng, trung cấp…)", "Other (college, intermediate…)"),
        P,
    ),
    # The bachelor of political theory is in the advanced tier (docs/domain.md §1.3): the Cao cấp row.
    FormRow("llct_advanced", "II", LLCT, Label("Cao cấp", "Advanced"), PT, ("advanced", "bachelor")),
    FormRow("llct_intermediate", "II", LLCT, Label("Trung cấp", "Intermediate"), PT, ("intermediate",)),
    FormRow("llct_elementary", "II", LLCT, Label("Sơ cấp", "Elementary"), PT, ("elementary",)),
    FormRow("llct_update", "II", LLCT, Label("Cập nhật kiến thức, khác", "Updates and other"), PT, ()),
    FormRow("qpan_group1", "II", QPAN, Label("Đối tượng 1", "Group 1"), DS, ("group1",)),
    FormRow("qpan_group2", "II", QPAN, Label("Đối tượng 2", "Group 2"), DS, ("group2",)),
    FormRow("qpan_group3", "II", QPAN, Label("Đối tượng 3", "Group 3"), DS, ("group3",)),
    FormRow("qpan_group4", "II", QPAN, Label("Đối tượng 4", "Group 4"), DS, ("group4",)),
    FormRow("qlnn_senior", "II", QLNN, Label("Chuyên viên cao cấp", "Senior specialist"), SM, ("senior",)),
    FormRow(
        "qlnn_principal", "II", QLNN, Label("Chuyên viên chính", "Principal specialist"), SM, ("principal",)
    ),
    FormRow("qlnn_specialist", "II", QLNN, Label("Chuyên viên", "Specialist"), SM, ("specialist",)),
    FormRow("qlnn_officer", "II", QLNN, Label("Cán sự", "Officer"), SM, ("officer",)),
    FormRow("leadership_ministry", "II", LDQL, Label("Cấp vụ", "Ministry level"), LD, ("ministry",)),
    FormRow("leadership_department", "II", LDQL, Label("Cấp sở", "Department level"), LD, ("department",)),
    FormRow("leadership_division", "II", LDQL, Label("Cấp phòng", "Division level"), LD, ("division",)),
    FormRow(
        "leadership_short",
        "II",
        LDQL,
        Label("Bồi dưỡng ngắn hạn, kỹ năng", "Short courses and skills"),
        LD,
        (),
    ),
    FormRow(
        "job_position",
        "II",
        None,
        Label("Theo vị trí việc làm, chuyên môn nghiệp vụ", "Job position and professional skills"),
        Track.OTHER,
    ),
    FormRow("it", "II", None, Label("Tin học, kỹ năng số", "IT and digital skills"), Track.IT),
    FormRow("foreign_language", "II", None, Label("Ngoại ngữ", "Foreign language"), Track.FOREIGN_LANGUAGE),
    FormRow(
        "ethnic_language",
        "II",
        None,
        Label("Tiếng dân tộc thiểu số", "Ethnic minority languages"),
        recorded=False,
    ),
    FormRow("other", "II", None, Label("Khác", "Other")),
    FormRow("abroad", "III", None, Label("Bồi dưỡng ở nước ngoài", "Training abroad"), abroad=True),
)
SECTIONS = {
    "I": Label("Đào tạo", "Degree training"),
    "II": Label("Bồi dưỡng trong nước", "In-country training"),
    "III": Label("Bồi dưỡng ở nước ngoài", "Training abroad"),
}
# Why a column is null: what the ledger does not record.
NOT_RECORDED = {
    "ethnic_minority": "The ledger does not record ethnicity.",
    "party_member": "The ledger does not record Party membership.",
    "public_employee": "The record's employment codes have no public employee (viên chức).",
    "classes": "The classes the agency organised itself are not recorded.",
    "plan_percent": "No training plan is recorded, so there is no plan to compare with.",
    "delegations": "Delegations abroad are not recorded (only each person's attendance).",
    "ethnic_language": "The catalog has no track for ethnic-minority languages.",
}


def form_row(row: AttendanceRow) -> FormRow:
    """The row of the form an attendance is counted in."""
    level = LEVEL_CODES.get((row.track, row.level_rank)) if row.level_rank is not None else None
    # Degrees stay in I wherever they were earned; other courses abroad are section III.
    abroad = row.abroad and not (row.track == Track.PROFESSIONAL and level in DEGREES)
    for candidate in FORM_ROWS:
        if candidate.takes(row.track, level, abroad):
            return candidate
    return FORM_ROWS_BY_KEY["other"]


FORM_ROWS_BY_KEY = {row.key: row for row in FORM_ROWS}


def target_group(row: AttendanceRow, classify: PostClassifier) -> str:
    """agency_leader / division_leader from the post on the first day; else by employment:
    contract (hợp đồng lao động), or civil_servant (cán bộ, công chức without a leader's post)."""
    post = classify(row.post)
    if post in (AGENCY_LEADER, DIVISION_LEADER):
        return post
    return "contract" if row.employment == "contract" else "civil_servant"


@dataclass
class _Sum:
    """What one line of the form adds up while the rows stream by."""

    attendances: int = 0
    female: int = 0
    people: set[str] = field(default_factory=set)
    targets: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("agency_leader", "division_leader", "civil_servant", "contract"), 0
        )
    )
    outcomes: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("completed", "in_progress", "not_completed"), 0)
    )
    costs: dict[str, Decimal | None] = field(default_factory=lambda: {"state_budget": None, "other": None})
    unfunded_costs: int = 0

    def add(self, row: AttendanceRow, group: str) -> None:
        self.attendances += 1
        self.female += row.gender == "female"
        self.people.add(row.staff_id)
        self.targets[group] += 1
        outcome = {"completed": "completed", "enrolled": "in_progress"}.get(row.status, "not_completed")
        self.outcomes[outcome] += 1
        if row.cost is not None:
            if row.funding is None:
                self.unfunded_costs += 1
            else:
                source = "state_budget" if row.funding == Funding.STATE_BUDGET else "other"
                self.costs[source] = (self.costs[source] or Decimal(0)) + row.cost

    def line(self, key: str, section: str, group: Label | None, label: Label, recorded: bool) -> AnnualLine:
        if not recorded:
            return AnnualLine(key=key, section=section, group=group, label=label, recorded=False)
        return AnnualLine(
            key=key,
            section=section,
            group=group,
            label=label,
            recorded=True,
            attendances=self.attendances,
            female=self.female,
            persons=len(self.people),
            target_groups={**self.targets, "public_employee": None},
            completed=self.outcomes["completed"],
            in_progress=self.outcomes["in_progress"],
            not_completed=self.outcomes["not_completed"],
            # Million VND; null when none of the line's attendances recorded a cost from that source.
            funding={k: None if v is None else v / MILLION for k, v in self.costs.items()},
            costs_without_funding=self.unfunded_costs,
        )


def annual_report(
    rows: Iterable[AttendanceRow],
    classify: PostClassifier,
    *,
    year: int,
    known_at: datetime | None,
) -> AnnualReport:
    """The form for ``year`` from its attendances (courses starting that year, status on 31
    December): a line per row of :data:`FORM_ROWS`, a subtotal per section and the total."""
    lines = {row.key: _Sum() for row in FORM_ROWS}
    sections = {section: _Sum() for section in SECTIONS}
    total = _Sum()
    for row in rows:
        chosen = form_row(row)
        group = target_group(row, classify)
        for counter in (lines[chosen.key], sections[chosen.section], total):
            counter.add(row, group)
    out: list[AnnualLine] = []
    for section, label in SECTIONS.items():
        out.append(sections[section].line(f"section_{section}", section, None, label, True))
        out += [
            lines[row.key].line(row.key, section, row.group, row.label, row.recorded)
            for row in FORM_ROWS
            if row.section == section
        ]
    out.append(total.line("total", "", None, Label("Tổng cộng", "Total"), True))
    return AnnualReport(
        year=year,
        from_=date(year, 1, 1),
        to=date(year, 12, 31),
        known_at=known_at,
        lines=tuple(out),
        not_recorded=dict(NOT_RECORDED),
    )
