"""Forms an agency files, answered from the statistics view: BM01/BNV (docs/domain.md §4.3).

**BM01/BNV** (Thông tư 11/2012/TT-BNV; requested again by Công văn 2114/BNV-CCVC, 2022): the
numbers and quality of the civil servants on the roll on a date (31/12 of a year), one row per
unit and one for the agency. It is SQL over the statistics view (the roll, each person's unit,
post, rank and highest level per track on the date, as known at a time), then each person is
put in one column of each group here, by the rules file: posts through the position standards'
codes, ranks through their rank codes, and the top age bands through the dated retirement ages.

Facts the ledger does not hold (Party membership, ethnicity, religion, ethnic-minority language)
are answered ``None``: "not recorded", never zero, which would claim that nobody is one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from ledger.dates import add_months
from ledger.domain.catalog import Employment, Label
from ledger.standards.model import PositionKind
from ledger.standards.ruleset import RuleSet
from ledger.text import normalize_name
from projections.base import Tables
from projections.splits import AGENCY_LEADER, DIVISION_LEADER, PostClassifier
from projections.statistics_sql import LEVEL_CODES, LIVE, highest_levels, post_on_sql, unit_on_sql
from projections.store import Tx
from projections.text import nfc
from projections.units import Structure

# ------------------------------------------------------------------ the form's columns


@dataclass(frozen=True)
class Column:
    key: str
    label: Label


@dataclass(frozen=True)
class Group:
    """A group of the form's header: one column (``columns`` empty, the group's own count) or
    several under one heading."""

    key: str
    label: Label
    columns: tuple[Column, ...] = ()
    recorded: bool = True  # False: the ledger holds no such fact (answered None, "not recorded")


def _c(key: str, vi: str, en: str) -> Column:
    return Column(key, Label(vi, en))


AGE_UP_TO_30 = "up_to_30"
AGE_51_TO_RETIREMENT = "51_to_retirement"
AGE_ABOVE_RETIREMENT = "above_retirement"

BM01_GROUPS: tuple[Group, ...] = (
    Group("total", Label("Tổng số", "Total")),
    Group("female", Label("Nữ", "Women")),
    Group("party_members", Label("Đảng viên", "Party members"), recorded=False),
    Group("ethnic_minority", Label("Dân tộc thiểu số", "Ethnic minorities"), recorded=False),
    Group("religion", Label("Tôn giáo", "Religious"), recorded=False),
    Group(
        "leaders",
        Label("Chức vụ lãnh đạo", "Leadership posts"),
        (
            _c("agency", "Lãnh đạo cấp Cục", "Agency leaders"),
            _c("division", "Lãnh đạo cấp phòng", "Division leaders"),
        ),
    ),
    Group(
        "ranks",
        Label("Ngạch công chức", "Civil-service rank"),
        (
            _c("senior", "CVCC và tương đương", "Senior principal specialist and equivalent"),
            _c("principal", "CVC và tương đương", "Principal specialist and equivalent"),
            _c("specialist", "CV và tương đương", "Specialist and equivalent"),
            _c("officer", "Cán sự và tương đương", "Officer and equivalent"),
            _c("clerk", "Nhân viên", "Clerk"),
            _c("contract", "Hợp đồng lao động", "Contract workers"),
            _c("other", "Khác, chưa ghi ngạch", "Other, rank not recorded"),
        ),
    ),
    Group(
        "professional",
        Label("Trình độ chuyên môn", "Professional qualification"),
        (
            _c("doctorate", "Tiến sĩ", "Doctorate"),
            _c("master", "Thạc sĩ", "Master"),
            _c("bachelor", "Đại học", "Bachelor"),
            _c("college", "Cao đẳng", "College"),
            _c("intermediate", "Trung cấp", "Intermediate"),
            _c("elementary_or_below", "Sơ cấp, CNKT, chưa qua đào tạo", "Elementary or below"),
        ),
    ),
    Group(
        "political_theory",
        Label("Lý luận chính trị", "Political theory"),
        (
            _c("bachelor", "Cử nhân", "Bachelor"),
            _c("advanced", "Cao cấp", "Advanced"),
            _c("intermediate", "Trung cấp", "Intermediate"),
            _c("elementary", "Sơ cấp", "Elementary"),
        ),
    ),
    Group(
        "state_management",
        Label("Quản lý nhà nước", "State management"),
        (
            _c("senior", "CVCC", "Senior"),
            _c("principal", "CVC", "Principal"),
            _c("specialist", "CV", "Specialist"),
            _c("officer", "Cán sự", "Officer"),
        ),
    ),
    Group(
        "it",
        Label("Tin học", "Information technology"),
        (_c("advanced", "Nâng cao", "Advanced"), _c("basic", "Cơ bản", "Basic")),
    ),
    Group(
        "foreign_language",
        Label("Ngoại ngữ", "Foreign language"),
        tuple(_c(f"level{n}", f"Bậc {n}", f"Level {n}") for n in range(6, 0, -1)),
    ),
    Group("ethnic_language", Label("Tiếng dân tộc thiểu số", "Ethnic-minority language"), recorded=False),
    Group(
        "age_bands",
        Label("Độ tuổi", "Age"),
        (
            _c(AGE_UP_TO_30, "Từ 30 trở xuống", "30 or under"),
            _c("31_to_40", "Từ 31 đến 40", "31 to 40"),
            _c("41_to_50", "Từ 41 đến 50", "41 to 50"),
            _c(AGE_51_TO_RETIREMENT, "Từ 51 đến tuổi nghỉ hưu", "51 to retirement age"),
            _c(AGE_ABOVE_RETIREMENT, "Trên tuổi nghỉ hưu", "Above retirement age"),
        ),
    ),
)
NOT_RECORDED = tuple(g.key for g in BM01_GROUPS if not g.recorded)
# The tracks counted by highest level: the group's column key is the catalog's level code, except
# for the professional levels the form lumps together below intermediate.
LEVEL_GROUPS = ("professional", "political_theory", "state_management", "it", "foreign_language")
BELOW_INTERMEDIATE = "elementary_or_below"

# The form's leadership columns by the class of the post held (``projections.splits``, the post
# codes of the position standards), so that BM01 and the attendance splits class posts alike.
LEADER_COLUMNS = {AGENCY_LEADER: "agency", DIVISION_LEADER: "division"}
RANK_POSITIONS = {
    "rank_cvcc": "senior",
    "rank_cvc": "principal",
    "rank_cv": "specialist",
    "rank_can_su": "officer",
}
# Nhân viên (01.005) has no rank standard in the rules file, so it is named here.
CLERK_RANKS = frozenset(normalize_name(name) for name in ("01.005", "Nhân viên"))


# ------------------------------------------------------------------ the answer


@dataclass(frozen=True)
class Bm01Row:
    """One row of the form: counts of people per column, ``None`` where nothing is recorded."""

    unit: str | None  # None: the agency (the total row)
    total: int
    female: int
    leaders: dict[str, int]
    ranks: dict[str, int]
    professional: dict[str, int]
    political_theory: dict[str, int]
    state_management: dict[str, int]
    it: dict[str, int]
    foreign_language: dict[str, int]
    age_bands: dict[str, int]
    party_members: int | None = None
    ethnic_minority: int | None = None
    religion: int | None = None
    ethnic_language: int | None = None


@dataclass(frozen=True)
class RetirementAgeInYear:
    gender: str
    years: int
    months: int
    rule_id: str


@dataclass(frozen=True)
class Bm01Report:
    as_of: date
    known_at: datetime | None
    unit: str | None
    total: Bm01Row
    units: tuple[Bm01Row, ...]
    # The retirement ages of the year of ``as_of`` (those reaching it that year), which bound the
    # top age bands; a person is above retirement age once past their own (rules file).
    retirement_ages: tuple[RetirementAgeInYear, ...]
    not_recorded: tuple[str, ...] = field(default=NOT_RECORDED)


NOT_RECORDED_NOTE = Label(
    "Sổ không ghi nhận Đảng viên, dân tộc, tôn giáo, tiếng dân tộc thiểu số: các cột này để trống "
    "(không phải bằng 0).",
    "The ledger records no Party membership, ethnicity, religion or ethnic-minority language: those "
    "columns are null (not recorded), never zero.",
)


def last_complete_year_end(today: date) -> date:
    """The form's default date: 31 December of the last complete year."""
    return date(today.year - 1, 12, 31)


# ------------------------------------------------------------------ classifying one person


def leader_level(post: str | None, classify_post: PostClassifier) -> str | None:
    """"agency", "division" or None for a post title, through the position standards' codes."""
    return LEADER_COLUMNS.get(classify_post(post))


def rank_column(employment: str, rank: str | None, rules: RuleSet) -> str:
    """The rank column of a person: contract workers apart, else their rank's standard."""
    if employment == Employment.CONTRACT:
        return "contract"
    found = rules.resolve(rank, PositionKind.RANK)
    if found is not None and found.code in RANK_POSITIONS:
        return RANK_POSITIONS[found.code]
    if rank and normalize_name(rank) in CLERK_RANKS:
        return "clerk"
    return "other"


class RetirementAges:
    """Each person's retirement age in months (the schedule of the year they reach it), by the
    rules file: it depends only on gender and the month of birth, so it is worked out once per
    such pair (a big agency has thousands of people and a few hundred months of birth)."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._months: dict[tuple[str, int, int], int | None] = {}

    def reached(self, gender: str, birth: date, day: date) -> bool:
        """Whether someone of ``gender`` born on ``birth`` has reached retirement age on ``day``."""
        key = (gender, birth.year, birth.month)
        if key not in self._months:
            found = self.rules.retirement(gender, birth)
            self._months[key] = None if found is None else found[1].in_months
        months = self._months[key]
        return months is not None and add_months(birth, months) <= day


def age_column(gender: str, birth: date, day: date, retirement: RetirementAges) -> str:
    """The age band on ``day``: 30 or under, 31-40, 41-50, then 51 up to the person's own
    retirement age (the schedule of the year they reach it), and above it once reached."""
    if retirement.reached(gender, birth, day):
        return AGE_ABOVE_RETIREMENT
    age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    if age <= 30:
        return AGE_UP_TO_30
    if age <= 50:
        low = (age - 1) // 10 * 10 + 1
        return f"{low}_to_{low + 9}"
    return AGE_51_TO_RETIREMENT


def _level_column(track: str, code: str) -> str:
    if track == "professional" and code == "technical_worker":
        return BELOW_INTERMEDIATE
    return code


# ------------------------------------------------------------------ the query


def bm01(
    tx: Tx,
    tables: Tables,
    *,
    as_of: date,
    known_at: int,
    unit: str | None,
    rules: RuleSet,
    classify_post: PostClassifier,
    known_at_value: datetime | None,
    structure_on: date | None = None,
) -> Bm01Report:
    """The BM01/BNV statistics on ``as_of`` as known at ``known_at`` (microseconds), from the
    statistics view's tables: one row per unit people work in on ``as_of`` (``unit``: only it),
    on the structure in force on ``structure_on`` (default ``as_of``)."""
    t = tables.names
    d, k = as_of.isoformat(), known_at
    unit = nfc(unit)  # the view holds units in NFC
    live = LIVE.format(a="x")
    people = tx.query(
        f"SELECT p.staff_id, p.gender, p.birth_date, p.employment, p.rank, "
        f"{unit_on_sql(t, 'p.staff_id', '?')} AS unit, {post_on_sql(t, 'p.staff_id', '?')} AS post "
        f"FROM {t['people']} p WHERE p.recorded_at <= ? AND p.joined_on <= ? AND NOT EXISTS "
        f"(SELECT 1 FROM {t['departures']} x WHERE x.staff_id = p.staff_id AND {live} "
        "AND x.effective_on <= ?)",
        # Placeholders in the order they appear: the unit's, the post's, the roll's.
        [k, k, d, d, k, k, d] * 2 + [k, d, k, k, d],
    )
    # Units merged by ``structure_on`` count under the unit they joined.
    people = Structure.load(tx, tables, known_at).mapped(people, structure_on or as_of, column=5)
    rows: dict[str, Counter[str]] = {}
    person_row: dict[str, Counter[str]] = {}
    retirement = RetirementAges(rules)
    # A few distinct rank texts are held by many people: each is matched once (the post
    # classifier remembers its own answers).
    ranks: dict[tuple[str, str | None], str] = {}
    for staff_id, gender, birth, employment, rank, unit_on, post in people:
        if unit is not None and unit_on != unit:
            continue
        counts = rows.setdefault(unit_on, Counter())
        person_row[staff_id] = counts
        counts["total"] += 1
        counts["female"] += gender == "female"
        level = leader_level(post, classify_post)
        if level is not None:
            counts[f"leaders.{level}"] += 1
        if (employment, rank) not in ranks:
            ranks[(employment, rank)] = rank_column(employment, rank, rules)
        counts[f"ranks.{ranks[(employment, rank)]}"] += 1
        counts[f"age_bands.{age_column(gender, date.fromisoformat(birth), as_of, retirement)}"] += 1
    # The highest level per person and track, as the qualifications report keeps it.
    best = highest_levels(tx, t, day=d, known_at=k, people=person_row, tracks=LEVEL_GROUPS)
    for (staff_id, track), top in best.items():
        person_row[staff_id][f"{track}.{_level_column(track, LEVEL_CODES[(track, top)])}"] += 1
    for staff_id, counts in person_row.items():
        # Nobody without a professional credential is left out of the group's total.
        if (staff_id, "professional") not in best:
            counts[f"professional.{BELOW_INTERMEDIATE}"] += 1
    by_unit = tuple(_row(name, rows[name]) for name in sorted(rows))
    total = _row(None, sum(rows.values(), Counter()))
    ages = []
    for gender in ("female", "male"):
        found = rules.retirement_age_in(gender, as_of.year)
        if found is not None:
            ages.append(RetirementAgeInYear(gender, found[0].years, found[0].months, found[1].id))
    return Bm01Report(as_of, known_at_value, unit, total, by_unit, tuple(ages))


def _row(unit: str | None, counts: Counter[str]) -> Bm01Row:
    groups = {
        g.key: {c.key: counts[f"{g.key}.{c.key}"] for c in g.columns}
        for g in BM01_GROUPS
        if g.columns
    }
    return Bm01Row(
        unit=unit,
        total=counts["total"],
        female=counts["female"],
        leaders=groups["leaders"],
        ranks=groups["ranks"],
        professional=groups["professional"],
        political_theory=groups["political_theory"],
        state_management=groups["state_management"],
        it=groups["it"],
        foreign_language=groups["foreign_language"],
        age_bands=groups["age_bands"],
    )
