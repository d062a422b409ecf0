"""The demo agency: a provincial Cục of 61 staff whose training history reproduces the reference
article's figures (docs/domain.md §3), generated through the ledger's own commands.

``load_demo(ledger, seed=2019)`` records about 1,400 events: registrations and the opening balance
of every dossier (Phiếu 2C) when the ledger went live in early 2019, then seven years of
dispatches to courses, completions, withdrawals, appointments, rotations, transfers, planning-pool
decisions, annual ratings, post-training evaluations, departures, and a few corrections of
mistyped entries. Every event goes through ``Ledger.register/enroll/complete/...``, so every rule
of the record holds, and appointments are checked against the position standards in force.

What the seed decides: names, birth and joining days, course dates, who attends the short
courses (within the exact per-person, gender, age and post splits of §3.6), ratings, modes,
recording delays, numbers on decisions and certificates. What it does not: the organisation, who
holds which post, qualification and rank, and every figure of §3.10: those hold for every seed.
The same seed gives a byte-identical log (recording times come from the seed, never the clock).

The story is told at the snapshot date 2025-12-31; ``docs/demo.md`` lists the figures, the staff
ids of the edge cases of §3.9 and the few places where §3 could not be followed to the letter.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ledger import errors
from ledger.application import CredentialDetails, Ledger, WriteResult
from ledger.catalog import (
    DepartureCategory,
    Employment,
    EvaluationKind,
    Funding,
    Gender,
    Mode,
    Outcome,
    Rating,
    RotationKind,
    Track,
)
from ledger.record import Evidence, Waiver
from ledger.rules import add_months

SNAPSHOT = date(2025, 12, 31)
WINDOW_START = date(2019, 1, 1)
DEFAULT_SEED = 2019

# The ledger went live in the first quarter of 2019: staff on the roll then were registered and
# their dossiers' credentials recognized in that window (recorded then, dated years earlier).
GO_LIVE_FIRST = date(2019, 1, 7)
GO_LIVE_LAST = date(2019, 3, 29)
# Nothing is recorded after the snapshot's last office hour (17:00 in Hà Nội, UTC+7).
RECORDING_CAP = datetime(2025, 12, 31, 10, 0, tzinfo=UTC)

AGENCY = "Cục Thuế tỉnh An Khánh"
AGENCY_PARENT = "Tổng cục Thuế"
# The 2025 restructuring renamed the agency (docs/domain.md §3.1, §3.9 #13). The agency is not a unit
# of its own ledger, so the rename is data of the demo (see DemoSummary); the regional branch it
# became is a unit, into which the neighbouring Cục Thuế tỉnh Đông Hải merged (_UNIT_FACTS).
AGENCY_RENAMED = "Chi cục Thuế khu vực XVIII"
AGENCY_RENAMED_ON = date(2025, 3, 1)

LEAD = "Lãnh đạo Cục"
TCHC = "Phòng Tổ chức – Hành chính"
NV1 = "Phòng Nghiệp vụ 1"
NV2 = "Phòng Nghiệp vụ 2"
NV3 = "Phòng Nghiệp vụ 3"
TTKT = "Phòng Thanh tra – Kiểm tra"
KHTC = "Phòng Kế hoạch – Tài chính"
UNITS: tuple[str, ...] = (LEAD, TCHC, NV1, NV2, NV3, TTKT, KHTC)
UNIT_HEADCOUNTS: dict[str, int] = {LEAD: 3, TCHC: 14, NV1: 10, NV2: 9, NV3: 9, TTKT: 8, KHTC: 8}

BINH_SON = "Cục Thuế tỉnh Bình Sơn"
DONG_HAI = "Cục Thuế tỉnh Đông Hải"
LONG_GIANG = "Cục Thuế tỉnh Long Giang"

# The organisation over time (docs/units.md): the 2025 merger, recorded by the personnel division
# on the Monday after it took effect (09:15–09:25 in Hà Nội). Cục Thuế tỉnh Đông Hải, where the
# head of inspection came from and where a specialist transferred to in 2022, existed since the
# tax administration was set up (Nghị định 281/HĐBT, 1990-08-07); on 2025-03-01 it merged into the
# regional branch. Nobody on the roll on 2025-12-31 is in Đông Hải that day (the head of inspection
# is rotated into Phòng Thanh tra – Kiểm tra until 2026-02-28), so every figure of the snapshot
# stays; after the rotation ends, the head of inspection's home unit counts under the branch.
TAX_ADMINISTRATION_FOUNDED = date(1990, 8, 7)
_UNIT_FACTS: tuple[tuple[str, dict[str, Any], datetime], ...] = (
    (
        "create_unit",
        {"unit_id": DONG_HAI, "name": DONG_HAI, "on": TAX_ADMINISTRATION_FOUNDED},
        datetime(2025, 3, 3, 2, 15, tzinfo=UTC),
    ),
    (
        "create_unit",
        {"unit_id": AGENCY_RENAMED, "name": AGENCY_RENAMED, "on": AGENCY_RENAMED_ON},
        datetime(2025, 3, 3, 2, 20, tzinfo=UTC),
    ),
    (
        "merge_unit",
        {"unit_id": DONG_HAI, "into_id": AGENCY_RENAMED, "on": AGENCY_RENAMED_ON},
        datetime(2025, 3, 3, 2, 25, tzinfo=UTC),
    ),
)
UNIT_FACT_KINDS = frozenset(kind for kind, _, _ in _UNIT_FACTS)

CT = "Cục trưởng"
PCT = "Phó Cục trưởng"
TP = "Trưởng phòng"
PTP = "Phó trưởng phòng"
CV = "Chuyên viên"
CVC = "Chuyên viên chính"
CS = "Cán sự"
AGENCY_POSTS = frozenset({CT, PCT})
DIVISION_POSTS = frozenset({TP, PTP})

# Rank codes (mã ngạch, docs/domain.md §1.4); contract workers have no rank.
RANK_CVCC = "01.001"
RANK_CVC = "01.002"
RANK_CV = "01.003"
RANK_CS = "01.004"
RANK_NV = "01.005"

# The keys that recorded the events (``recorded_by``): the dossier import at go-live and the two
# officers of the personnel division who keep the ledger.
KEY_IMPORT = "import-2019"
KEY_HR = ("to-chuc-1", "to-chuc-2")

HCMA = "Học viện Chính trị quốc gia Hồ Chí Minh"
HCMA_REGION = "Học viện Chính trị khu vực I"
POLITICAL_SCHOOL = "Trường Chính trị tỉnh An Khánh"
POLITICAL_CENTRE = "Trung tâm Chính trị thành phố An Khánh"
NAPA = "Học viện Hành chính Quốc gia"
FINANCE_SCHOOL = "Trường Bồi dưỡng cán bộ tài chính"
TAX_SCHOOL = "Trường Nghiệp vụ Thuế"
MILITARY_SCHOOL = "Trường Quân sự tỉnh An Khánh"
MILITARY_REGION_SCHOOL = "Trường Quân sự Quân khu 3"
AGENCY_PARTY = "Đảng ủy Cục Thuế tỉnh An Khánh"


# ------------------------------------------------------------------------------------ targets

TARGETS: dict[str, Any] = {
    "on_roll": 61,
    "female_on_roll": 26,
    "unit_headcounts": UNIT_HEADCOUNTS,
    "professional": {"master": 9, "bachelor": 42, "college": 2, "intermediate": 5, "technical_worker": 3},
    "political_theory": {"bachelor": 1, "advanced": 6, "intermediate": 21, "none": 33},
    "state_management": {"senior": 2, "principal": 14, "specialist": 31, "officer": 1, "none": 13},
    "leadership": {"department": 3, "division": 18, "none": 40},
    "age_bands": {
        "<30": {"male": 3, "female": 4},
        "30-34": {"male": 4, "female": 5},
        "35-39": {"male": 6, "female": 5},
        "40-44": {"male": 6, "female": 4},
        "45-49": {"male": 5, "female": 4},
        "50-54": {"male": 6, "female": 3},
        "55+": {"male": 5, "female": 1},
    },
    "attendances": 167,
    "attendances_by_year_and_track": {
        2019: {"political_theory": 7, "state_management": 9, "leadership": 10},
        2020: {"political_theory": 5, "state_management": 6, "leadership": 7},
        2021: {"political_theory": 4, "state_management": 5, "leadership": 8},
        2022: {"political_theory": 7, "state_management": 8, "leadership": 13},
        2023: {"political_theory": 6, "state_management": 8, "leadership": 15},
        2024: {"political_theory": 6, "state_management": 6, "leadership": 15},
        2025: {"political_theory": 5, "state_management": 5, "leadership": 12},
    },
    "attendances_by_track": {"political_theory": 40, "state_management": 47, "leadership": 80},
    "attendance_status": {"completed": 161, "enrolled": 4, "withdrawn": 2},
    "attendance_mode": {"full_time": 88, "part_time": 14, "online": 45, "blended": 20},
    "attendance_funding": {"state_budget": 158, "self_funded": 4, "sponsored": 5},
    "attendance_abroad": 2,
    "attendance_gender": {"female": 64, "male": 103},
    "attendance_post": {"agency": 14, "division": 58, "none": 95},
    "attendance_young": 41,
    "attendance_young_female": 18,
    "attendances_per_current_person": {0: 9, 1: 10, 2: 13, 3: 13, 4: 7, 5: 4, 6: 3, 7: 2},
    "attendances_per_former_person": [4, 3, 2, 2, 1],
    "persons_with_attendances": 57,
    "out_of_scope": {
        "defense_security": 12,
        "other": 103,  # 95 job-position courses + 8 party and mass-organisation work
        "it": 20,
        "foreign_language": 4,
        "professional": 4,  # master's degrees
    },
    "annual_ratings": {
        2019: {"excellent": 8, "good": 44, "completed": 4, "not_completed": 0},
        2020: {"excellent": 8, "good": 44, "completed": 4, "not_completed": 0},
        2021: {"excellent": 8, "good": 43, "completed": 3, "not_completed": 1},
        2022: {"excellent": 9, "good": 45, "completed": 2, "not_completed": 0},
        2023: {"excellent": 8, "good": 45, "completed": 2, "not_completed": 0},
        2024: {"excellent": 8, "good": 43, "completed": 3, "not_completed": 0},
        2025: {"excellent": 8, "good": 42, "completed": 3, "not_completed": 1},
    },
    "appointments": {
        "new_truong_phong": 3,
        "new_pho_truong_phong": 5,
        "new_pho_cuc_truong": 1,
        "reappointments": 6,
    },
    "planning_pool": {"members": 12, "female": 5, "young": 4, "young_female": 2},
}
"""The figures the demo reproduces at :data:`SNAPSHOT` (docs/domain.md §3.10), for tests and docs.

Attendances are the enrollments of tracks political_theory, state_management and leadership
starting in 2019–2025, any status, departed staff included, voided ones excluded; "young" is under
35 on the course's first day; "post" is the post held that day.
"""

IN_SCOPE_TRACKS = (Track.POLITICAL_THEORY, Track.STATE_MANAGEMENT, Track.LEADERSHIP)
# Mistyped entries voided and recorded again: a level, a completion date, a duplicated dispatch,
# an annual rating and a retirement recorded on the wrong person.
CORRECTIONS = 5


# ------------------------------------------------------------------------------------ summary


@dataclass(frozen=True)
class DemoSummary:
    """What ``load_demo`` recorded: enough to find every person and edge case again."""

    seed: int
    snapshot: date
    agency: str
    agency_renamed: str
    agency_renamed_on: date
    staff_ids: tuple[str, ...]
    current_staff_ids: tuple[str, ...]
    former_staff_ids: tuple[str, ...]
    events: int
    first_position: int
    last_position: int
    edge_cases: dict[str, tuple[str, ...]]
    planning_pool: tuple[str, ...]
    corrections: tuple[str, ...]
    waived_appointments: tuple[str, ...]
    job_rotations: tuple[str, ...] = ()  # transfers that are anti-corruption job rotations (CĐVT)
    internal_moves: tuple[str, ...] = ()  # other transfers between divisions
    names: dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------------------ people


@dataclass(frozen=True)
class _Role:
    """One person of the agency, fixed for every seed (the seed picks names and days)."""

    key: str
    gender: Gender
    born: int
    unit: str  # unit on the snapshot (on departure for former staff)
    position: str  # post when registered: on go-live for those already on the roll
    rank: str | None
    prof: str  # opening professional qualification: see _professional_openings
    joined: int
    joined_month: int | None = None
    born_months: tuple[int, int] = (1, 12)
    employment: Employment = Employment.CIVIL_SERVANT
    reg_unit: str | None = None  # unit when registered, if not `unit`
    former: bool = False


M, F = Gender.MALE, Gender.FEMALE
_HD = Employment.CONTRACT

_ROLES: tuple[_Role, ...] = (
    # Agency leadership
    _Role("CT", M, 1966, LEAD, CT, RANK_CVCC, "ThS", 1989),
    _Role("PCT_A", F, 1973, LEAD, PCT, RANK_CVC, "ThS", 1996),
    _Role("PCT_B", M, 1969, LEAD, TP, RANK_CVC, "ThS", 1993, reg_unit=NV1),
    # Heads of division
    _Role("TP_TCHC", M, 1975, TCHC, TP, RANK_CVC, "ThS", 1999),
    _Role("TP_NV1", M, 1977, NV1, PTP, RANK_CVC, "ĐH", 2021, 8, reg_unit=BINH_SON),
    _Role("TP_NV2", F, 1981, NV2, PTP, RANK_CVC, "ThS*", 2005),
    _Role("TP_NV3", M, 1978, NV3, PTP, RANK_CV, "ĐH", 2002),
    _Role("TP_TTKT", M, 1979, TTKT, TP, RANK_CVC, "ThS", 2023, 3, reg_unit=DONG_HAI),
    _Role("TP_KHTC", M, 1968, KHTC, TP, RANK_CVC, "ĐH", 1992),
    # Deputy heads of division
    _Role("PTP_TCHC_A", F, 1976, TCHC, PTP, RANK_CVC, "ĐH", 2000),
    _Role("PTP_TCHC_B", M, 1985, TCHC, CV, RANK_CV, "ĐH", 2009),
    _Role("PTP_NV1_A", M, 1979, NV1, PTP, RANK_CVC, "ThS", 2003),
    _Role("PTP_NV1_B", M, 1980, NV1, CV, RANK_CV, "ĐH", 2005),
    _Role("PTP_TTKT", M, 1984, TTKT, CV, RANK_CV, "ĐH", 2008),
    _Role("PTP_NV3", F, 1986, NV3, CV, RANK_CV, "ĐH", 2009),
    _Role("PTP_NV2", F, 1992, NV2, CV, RANK_CV, "ĐH", 2015, born_months=(1, 2)),
    _Role("PTP_KHTC", M, 1972, KHTC, PTP, RANK_CV, "ĐH", 1996),
    # Principal specialists without a post
    _Role("CVC_NV1", M, 1972, NV1, CVC, RANK_CVC, "ĐH", 1996),
    _Role("CVC_KHTC", F, 1978, KHTC, CVC, RANK_CVC, "ĐH", 2001),
    _Role("CVC_NV3", M, 1966, NV3, CVC, RANK_CVC, "ĐH", 1990),
    # Specialists: men
    _Role("REC_M", M, 2001, NV1, CV, RANK_CV, "ĐH", 2025, 3),
    _Role("CVM_A", M, 1997, NV1, CV, RANK_CV, "ĐH", 2019, 2, born_months=(1, 1), reg_unit=TTKT),
    _Role("CVM_B", M, 1996, NV3, CV, RANK_CV, "ĐH", 2018, 10, reg_unit=KHTC),
    _Role("THS_M", M, 1991, NV3, CV, RANK_CV, "ThS*", 2014, 9),
    _Role("CVM_C", M, 1993, NV2, CV, RANK_CV, "ĐH", 2016, 3, born_months=(1, 6), reg_unit=TTKT),
    _Role("CVM_D", M, 1995, TTKT, CV, RANK_CV, "ĐH", 2018, 4, born_months=(1, 3), reg_unit=NV1),
    _Role("CVM_E", M, 1986, TTKT, CV, RANK_CV, "ĐH", 2011),
    _Role("CVM_F", M, 1988, KHTC, CV, RANK_CV, "ĐH", 2012),
    _Role("CVM_G", M, 1987, KHTC, CV, RANK_CV, "ĐH", 2010),
    _Role("CVM_H", M, 1989, NV3, CV, RANK_CV, "ĐH", 2013, reg_unit=NV1),
    _Role("CVM_I", M, 1982, NV1, CV, RANK_CV, "ĐH", 2006),
    _Role("CVM_J", M, 1983, TTKT, CV, RANK_CV, "ĐH", 2007),
    _Role("CVM_K", M, 1981, NV1, CV, RANK_CV, "ĐH", 2005, reg_unit=NV3),
    _Role("CVM_L", M, 1971, NV2, CV, RANK_CV, "ĐH", 1997),
    # Specialists: women
    _Role("REC_F", F, 2002, NV3, CV, RANK_CV, "ĐH", 2025, 4),
    _Role("CVF_A", F, 1996, TTKT, CV, RANK_CV, "ĐH", 2018, 9, born_months=(1, 6), reg_unit=NV2),
    _Role("THS_F", F, 1993, NV2, CV, RANK_CV, "ThS*", 2016, 7, reg_unit=KHTC),
    _Role("CVF_B", F, 1993, NV3, CV, RANK_CV, "ĐH", 2015, 8, born_months=(1, 6), reg_unit=KHTC),
    _Role("CVF_C", F, 1991, NV1, CV, RANK_CV, "ĐH", 2014, reg_unit=NV3),
    _Role("CVF_D", F, 1994, TTKT, CV, RANK_CV, "ĐH", 2017),
    _Role("CVF_E", F, 1987, NV2, CV, RANK_CV, "ĐH", 2010),
    _Role("CVF_F", F, 1989, KHTC, CV, RANK_CV, "ĐH", 2012),
    _Role("CVF_G", F, 1988, NV1, CV, RANK_CV, "ĐH", 2011, reg_unit=NV2),
    _Role("CVF_H", F, 1990, NV2, CV, RANK_CV, "ĐH", 2013, reg_unit=TTKT),
    _Role("CVF_I", F, 1983, TCHC, CV, RANK_CV, "ĐH", 2006),
    _Role("CVF_J", F, 1984, NV3, CV, RANK_CV, "ĐH", 2007, reg_unit=TTKT),
    _Role("CVF_K", F, 1979, TTKT, CV, RANK_CV, "ĐH", 2003, reg_unit=NV2),
    _Role("CVF_L", F, 1973, KHTC, CV, RANK_CV, "ĐH", 1997),
    _Role("CVF_M", F, 1970, NV2, CV, RANK_CV, "ĐH", 1994, born_months=(6, 12), reg_unit=NV3),
    # Officers (cán sự) and clerks (nhân viên)
    _Role("CS_1", F, 1997, TCHC, CS, RANK_CS, "ĐH", 2019, 3, born_months=(1, 2), reg_unit=KHTC),
    _Role("CS_2", F, 1983, NV2, CS, RANK_CS, "CĐ", 2006),
    _Role("CS_3", M, 1973, KHTC, CS, RANK_CS, "CĐ", 1996),
    _Role("NV_1", F, 1978, TCHC, "Nhân viên văn thư", RANK_NV, "TC", 2001),
    _Role("NV_2", M, 1987, TCHC, "Nhân viên lưu trữ", RANK_NV, "TC", 2010),
    # Contract workers (hợp đồng lao động, NĐ 111/2022)
    _Role("HD_1", M, 1973, TCHC, "Lái xe", None, "CNKT", 2001, employment=_HD),
    _Role("HD_2", M, 1983, TCHC, "Lái xe", None, "CNKT+TC", 2006, employment=_HD),
    _Role("HD_3", M, 1967, TCHC, "Bảo vệ", None, "CNKT", 1998, employment=_HD),
    _Role("HD_4", M, 1992, TCHC, "Bảo vệ", None, "TC", 2016, employment=_HD),
    _Role("HD_5", F, 1974, TCHC, "Nhân viên tạp vụ", None, "TC", 2004, employment=_HD),
    _Role("HD_6", M, 1988, TCHC, "Nhân viên kỹ thuật", None, "CNKT", 2012, employment=_HD),
    _Role("HD_7", F, 1998, TCHC, "Nhân viên công nghệ thông tin", None, "ĐH", 2021, 5, employment=_HD),
    # Former staff (departed before the snapshot)
    _Role("F_PCT", M, 1961, LEAD, PCT, RANK_CVC, "ThS", 1985, born_months=(3, 3), former=True),
    _Role("F_TP", M, 1962, TTKT, TP, RANK_CVC, "ĐH", 1986, born_months=(5, 5), former=True),
    _Role("F_TP_OLD", M, 1963, NV2, TP, RANK_CVC, "ĐH", 1987, born_months=(11, 11), former=True),
    _Role("F_CVC", M, 1985, NV2, CVC, RANK_CVC, "ĐH", 2008, former=True),
    _Role("F_CV_T", F, 1983, KHTC, CV, RANK_CV, "ĐH", 2008, former=True),
    _Role("F_CV_R", F, 1968, NV3, CV, RANK_CV, "ĐH", 1991, born_months=(7, 7), former=True),
)

# The staff ids follow seniority (year joined, then this table's order), the same for every seed.
_ZERO_ATTENDANCE = ("REC_M", "REC_F", "HD_1", "HD_2", "HD_3", "HD_4", "HD_5", "HD_6", "HD_7")

# Succession-planning pool for deputy head of division (12 non-leaders; docs/domain.md §3.5).
_POOL_2020 = ("CVC_KHTC", "CVM_I", "CVF_E", "CVM_E", "THS_M", "CVF_F", "CVM_J", "CVM_G")
_POOL_2023 = ("CVF_B", "THS_F", "CVM_F", "CVM_C")

# Unit moves within the agency: (person, effective day, destination, kind). "cdvt" is the
# anti-corruption job rotation (chuyển đổi vị trí công tác, after 24–60 months in the post),
# "move" an ordinary move between divisions.
_MOVES: tuple[tuple[str, date, str, str], ...] = (
    ("CVF_G", date(2019, 4, 1), NV1, "move"),
    ("CVF_B", date(2019, 9, 3), TTKT, "cdvt"),
    ("CVM_C", date(2020, 4, 1), KHTC, "cdvt"),
    ("CVM_H", date(2020, 8, 3), NV3, "move"),
    ("THS_F", date(2020, 10, 1), NV1, "cdvt"),
    ("CVF_C", date(2021, 3, 1), KHTC, "move"),
    ("CVM_D", date(2021, 6, 1), KHTC, "cdvt"),
    ("CVF_H", date(2021, 11, 1), NV2, "move"),
    ("CVM_K", date(2022, 2, 7), NV1, "move"),
    ("CVM_B", date(2022, 3, 1), NV3, "cdvt"),
    ("CVF_A", date(2022, 9, 1), TTKT, "cdvt"),
    ("CVF_J", date(2023, 2, 6), NV3, "move"),
    ("CVM_A", date(2023, 4, 3), NV1, "cdvt"),
    ("THS_F", date(2023, 5, 2), NV2, "move"),
    ("CVF_B", date(2023, 10, 2), NV3, "cdvt"),
    ("CS_1", date(2024, 2, 19), TCHC, "cdvt"),
    ("CVM_C", date(2024, 5, 2), NV2, "cdvt"),
    ("CVF_K", date(2024, 9, 3), TTKT, "move"),
    ("CVM_D", date(2025, 3, 3), TTKT, "cdvt"),
    ("CVF_M", date(2025, 4, 1), NV2, "move"),
    ("CVF_C", date(2025, 5, 5), NV1, "cdvt"),
)

# Appointments since 2019: (person, day, post, new or re-appointment, decided by the Tổng cục).
_APPOINTMENTS: tuple[tuple[str, date, str, bool, bool], ...] = (
    ("TP_NV3", date(2019, 7, 1), TP, True, False),
    ("PTP_NV3", date(2019, 8, 1), PTP, True, False),
    ("CT", date(2021, 3, 1), CT, False, True),
    ("PCT_B", date(2021, 7, 1), PCT, True, True),
    ("TP_NV1", date(2021, 9, 1), TP, True, False),
    ("PTP_TCHC_B", date(2021, 10, 1), PTP, True, False),
    ("TP_KHTC", date(2021, 11, 1), TP, False, False),
    ("PTP_NV1_B", date(2022, 6, 15), PTP, True, False),
    ("PCT_A", date(2022, 10, 3), PCT, False, True),
    ("TP_TCHC", date(2023, 4, 3), TP, False, False),
    ("PTP_TTKT", date(2023, 7, 3), PTP, True, False),
    ("TP_NV3", date(2024, 7, 1), TP, False, False),
    ("PTP_NV3", date(2024, 8, 1), PTP, False, False),
    ("TP_NV2", date(2024, 12, 2), TP, True, False),
    ("PTP_NV2", date(2025, 3, 3), PTP, True, False),
)

# Departures: (person, day, category, reason, destination of a transfer).
_DEPARTURES: tuple[tuple[str, date, DepartureCategory, str, str | None], ...] = (
    ("F_PCT", date(2021, 7, 1), DepartureCategory.RETIRED, "Nghỉ hưu theo chế độ", None),
    ("F_TP", date(2022, 12, 1), DepartureCategory.RETIRED, "Nghỉ hưu theo chế độ", None),
    (
        "F_CV_T",
        date(2022, 12, 19),
        DepartureCategory.TRANSFER_WITH_CONSENT,
        f"Chuyển công tác đến {DONG_HAI} theo nguyện vọng, được Cục đồng ý",
        DONG_HAI,
    ),
    (
        "F_CVC",
        date(2023, 12, 18),
        DepartureCategory.TRANSFER_WITH_CONSENT,
        f"Điều động đến {LONG_GIANG} theo đề nghị của cơ quan tiếp nhận, được Cục đồng ý "
        "(không phải tự ý bỏ việc)",
        LONG_GIANG,
    ),
    ("F_TP_OLD", date(2024, 12, 2), DepartureCategory.RETIRED, "Nghỉ hưu theo chế độ", None),
    ("F_CV_R", date(2024, 12, 2), DepartureCategory.RETIRED, "Nghỉ hưu theo chế độ", None),
)

# Opening balance besides the professional degree: (track, level, year issued, title).
_OPENINGS: dict[str, tuple[tuple[Track, str, int, str], ...]] = {}


def _open(*items: tuple[Track, str, int, str]) -> tuple[tuple[Track, str, int, str], ...]:
    return items


_LT, _QL, _LD, _QP = Track.POLITICAL_THEORY, Track.STATE_MANAGEMENT, Track.LEADERSHIP, Track.DEFENSE_SECURITY
_TC_TITLE = "Trung cấp lý luận chính trị"
_CC_TITLE = "Cao cấp lý luận chính trị"
_OPENINGS.update(
    {
        "CT": _open(
            (_LT, "intermediate", 1998, _TC_TITLE),
            (_LT, "advanced", 2003, _CC_TITLE),
            (_LT, "bachelor", 2010, "Cử nhân chính trị"),
            (_QL, "principal", 2008, "Chứng chỉ bồi dưỡng ngạch chuyên viên chính"),
            (_LD, "division", 2006, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp phòng"),
            (_LD, "department", 2014, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp sở và tương đương"),
            (_QP, "group2", 2016, "Giấy chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 2"),
        ),
        "PCT_A": _open(
            (_LT, "advanced", 2012, _CC_TITLE),
            (_QL, "principal", 2010, "Chứng chỉ bồi dưỡng ngạch chuyên viên chính"),
            (_LD, "division", 2008, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp phòng"),
            (_QP, "group3", 2012, "Giấy chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 3"),
        ),
        "PCT_B": _open(
            (_LT, "intermediate", 2008, _TC_TITLE),
            (_QL, "specialist", 2001, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
            (_LD, "division", 2010, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp phòng"),
            (_QP, "group3", 2014, "Giấy chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 3"),
        ),
        "TP_TCHC": _open(
            (_LT, "intermediate", 2009, _TC_TITLE),
            (_QL, "specialist", 2004, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        # §3.9 #9: Cao cấp LLCT–hành chính (2012) stands in for the CVC state-management certificate.
        "TP_NV1": _open(
            (_LT, "advanced", 2012, "Cao cấp lý luận chính trị – hành chính"),
            (_QL, "specialist", 2009, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
            (_LD, "division", 2016, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp phòng"),
            (_QP, "group3", 2017, "Giấy chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 3"),
        ),
        "TP_NV2": _open(
            (_LT, "intermediate", 2014, _TC_TITLE),
            (_QL, "specialist", 2010, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        # §3.9 #4: a head of division in the CV rank holding only the CV certificate.
        "TP_NV3": _open(
            (_LT, "intermediate", 2011, _TC_TITLE),
            (_QL, "specialist", 2006, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        "TP_TTKT": _open(
            (_LT, "advanced", 2016, _CC_TITLE),
            (_QL, "principal", 2015, "Chứng chỉ bồi dưỡng ngạch chuyên viên chính"),
            (_LD, "division", 2015, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp phòng"),
            (_QP, "group3", 2016, "Giấy chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 3"),
        ),
        "TP_KHTC": _open(
            (_LT, "intermediate", 2007, _TC_TITLE),
            (_QL, "specialist", 1998, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
            (_LD, "division", 2012, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp phòng"),
        ),
        "PTP_TCHC_A": _open(
            (_LT, "intermediate", 2010, _TC_TITLE),
            (_QL, "specialist", 2003, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        "PTP_TCHC_B": _open(
            (_QL, "specialist", 2012, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        "PTP_NV1_A": _open(
            (_LT, "intermediate", 2013, _TC_TITLE),
            (_QL, "specialist", 2007, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        "PTP_NV3": _open(
            (_QL, "specialist", 2014, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        "PTP_KHTC": _open(
            (_LT, "intermediate", 2006, _TC_TITLE),
            (_QL, "specialist", 2002, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        "CVC_NV1": _open(
            (_LT, "intermediate", 2005, _TC_TITLE),
            (_QL, "specialist", 2001, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        "CVC_KHTC": _open(
            (_LT, "intermediate", 2012, _TC_TITLE),
            (_QL, "specialist", 2006, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        # §3.9 #8: the certificate of equivalence issued in 2015, before 9/7/2021.
        "CVC_NV3": _open(
            (_LT, "intermediate", 2015, "Giấy xác nhận tương đương trung cấp lý luận chính trị"),
            (_QL, "specialist", 1996, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        "CVM_I": _open(
            (_LT, "intermediate", 2016, _TC_TITLE),
            (_QL, "specialist", 2010, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        "CVM_J": _open(
            (_LT, "intermediate", 2017, _TC_TITLE),
        ),
        "CVM_G": _open(
            (_LT, "intermediate", 2018, _TC_TITLE),
        ),
        "CVM_L": _open(
            (_LT, "intermediate", 2004, _TC_TITLE),
        ),
        "CVF_E": _open(
            (_QL, "specialist", 2013, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        "CVF_L": _open(
            (_LT, "intermediate", 2009, _TC_TITLE),
        ),
        "CS_3": _open(
            (_QL, "officer", 2001, "Chứng chỉ bồi dưỡng ngạch cán sự"),
        ),
        "F_PCT": _open(
            (_LT, "advanced", 2008, _CC_TITLE),
            (_QL, "principal", 2005, "Chứng chỉ bồi dưỡng ngạch chuyên viên chính"),
            (_LD, "division", 2004, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp phòng"),
            (_QP, "group2", 2015, "Giấy chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 2"),
        ),
        "F_TP": _open(
            (_LT, "intermediate", 2002, _TC_TITLE),
            (_QL, "principal", 2009, "Chứng chỉ bồi dưỡng ngạch chuyên viên chính"),
            (_LD, "division", 2011, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp phòng"),
        ),
        "F_TP_OLD": _open(
            (_LT, "intermediate", 2000, _TC_TITLE),
            (_QL, "principal", 2008, "Chứng chỉ bồi dưỡng ngạch chuyên viên chính"),
            (_LD, "division", 2009, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp phòng"),
            (_QP, "group3", 2013, "Giấy chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 3"),
        ),
        "F_CVC": _open(
            (_QL, "specialist", 2011, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
        "F_CV_R": _open(
            (_QL, "specialist", 1999, "Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        ),
    }
)

# The in-scope courses that award a level (§3.6): (person, kind, year, months the start falls in).
# Kinds: tc/cc (political theory, part time), cvcc/cvc/cv (state management by rank),
# phong/so (leadership programme, division or department level).
_CREDENTIAL_COURSES: tuple[tuple[str, str, int, tuple[int, int]], ...] = (
    # Trung cấp LLCT: 2019:2, 2020:1, 2021:1, 2022:2, 2023:2, 2025:2 (in progress)
    ("PTP_TCHC_B", "tc", 2019, (3, 4)),
    ("PTP_NV3", "tc", 2019, (3, 4)),
    ("PTP_NV1_B", "tc", 2020, (8, 9)),
    ("CVM_E", "tc", 2021, (3, 4)),
    ("PTP_NV2", "tc", 2022, (3, 4)),
    ("CVF_F", "tc", 2022, (8, 9)),
    ("CVF_B", "tc", 2023, (3, 4)),
    ("THS_M", "tc", 2023, (8, 9)),
    ("PTP_TTKT", "tc", 2025, (3, 4)),
    ("CVM_F", "tc", 2025, (8, 9)),
    # Cao cấp LLCT: 2019, 2021, 2022, 2024 (in progress)
    ("TP_KHTC", "cc", 2019, (3, 4)),
    ("TP_TCHC", "cc", 2021, (3, 4)),
    ("PCT_B", "cc", 2022, (3, 4)),
    ("TP_NV2", "cc", 2024, (3, 4)),
    # QLNN chuyên viên cao cấp: 2019, 2023
    ("CT", "cvcc", 2019, (5, 9)),
    ("PCT_A", "cvcc", 2023, (3, 9)),
    # QLNN chuyên viên chính: 2019:3, 2020:2, 2021:1, 2022:3, 2023:2, 2024:2, 2025:2
    ("PCT_B", "cvc", 2019, (4, 9)),
    ("TP_KHTC", "cvc", 2019, (6, 10)),
    ("F_CVC", "cvc", 2019, (3, 6)),
    ("TP_TCHC", "cvc", 2020, (7, 10)),
    ("PTP_NV1_A", "cvc", 2020, (7, 10)),
    ("PTP_TCHC_A", "cvc", 2021, (4, 5)),
    ("TP_NV2", "cvc", 2022, (5, 9)),
    ("CVC_NV1", "cvc", 2022, (5, 9)),
    ("CVC_KHTC", "cvc", 2022, (5, 9)),
    ("CVC_NV3", "cvc", 2023, (3, 9)),
    ("PTP_TCHC_B", "cvc", 2023, (3, 9)),
    ("PTP_NV3", "cvc", 2024, (3, 9)),
    ("CVM_I", "cvc", 2024, (3, 9)),
    ("CVF_E", "cvc", 2025, (3, 8)),
    ("PTP_KHTC", "cvc_open", 2025, (11, 11)),
    # Cấp phòng: 2019:3, 2020:1, 2021:2, 2022:3, 2023:3, 2024:2, 2025:2
    ("TP_NV3", "phong", 2019, (3, 4)),
    ("PTP_NV3", "phong", 2019, (5, 6)),
    ("TP_NV2", "phong", 2019, (9, 10)),
    ("F_CVC", "phong", 2020, (9, 10)),
    ("PTP_TCHC_B", "phong", 2021, (4, 5)),
    ("PTP_TCHC_A", "phong", 2021, (8, 9)),
    ("PTP_NV1_A", "phong", 2022, (3, 5)),
    ("PTP_KHTC", "phong", 2022, (3, 5)),
    ("TP_TCHC", "phong", 2022, (8, 10)),
    ("PTP_TTKT", "phong", 2023, (2, 4)),
    ("CVM_I", "phong", 2023, (8, 10)),
    ("CVF_E", "phong", 2023, (8, 10)),
    ("CVM_E", "phong", 2024, (3, 9)),
    ("CVF_B", "phong", 2024, (3, 9)),
    ("THS_M", "phong", 2025, (3, 9)),
    ("CVF_F", "phong", 2025, (3, 9)),
    # Cấp sở/cục: 2019, 2020 (the deputy director who retired in 2021), 2022
    ("PCT_A", "so", 2019, (4, 8)),
    ("F_PCT", "so", 2020, (6, 10)),
    ("PCT_B", "so", 2022, (2, 4)),
)

# QLNN chuyên viên: 30 attendances by year (2021 includes the maternity withdrawal, 2022 the
# re-enrolment); the years of the others are drawn by the seed.
_CV_PER_YEAR = {2019: 5, 2020: 4, 2021: 4, 2022: 5, 2023: 5, 2024: 4, 2025: 3}
# fmt: off
_CV_TAKERS = (
    "PTP_NV1_B", "PTP_TTKT", "PTP_NV2", "CVM_A", "CVM_B", "THS_M", "CVM_C", "CVM_D", "CVM_E", "CVM_F",
    "CVM_G", "CVM_H", "CVM_J", "CVM_K", "CVM_L", "CVF_A", "THS_F", "CVF_B", "CVF_D", "CVF_F", "CVF_G",
    "CVF_H", "CVF_I", "CVF_J", "CVF_K", "CVF_L", "CVF_M", "F_CV_T",
)  # plus CVF_C: withdrawn 2021 (maternity), re-enrolled 2022
# fmt: on
# Latest start year for those who took the CV programme before an appointment.
_CV_BEFORE = {
    "PTP_NV1_B": (2020, 2021),
    "PTP_TTKT": (2019, 2022),
    "PTP_NV2": (2019, 2024),
    "F_CV_T": (2020, 2020),
}

# Short in-scope courses (no level): per year, political theory updates and leadership skills.
_LLCT_SHORT_PER_YEAR = {2019: 4, 2020: 4, 2021: 2, 2022: 4, 2023: 4, 2024: 5, 2025: 3}
_LEAD_SHORT_PER_YEAR = {2019: 6, 2020: 5, 2021: 6, 2022: 9, 2023: 12, 2024: 13, 2025: 10}
_PARTY_AWARENESS_YEARS = (2019, 2020, 2022, 2023, 2024, 2025)
# Short courses of former staff, so that they attended 4, 3, 2, 2, 1 in-scope courses.
_FORMER_SHORTS = {"F_PCT": 3, "F_TP": 3, "F_CV_T": 1, "F_CV_R": 1, "F_CVC": 0, "F_TP_OLD": 0}

# Out-of-scope courses (§3.7).
# fmt: off
_QPAN3 = (
    ("TP_TCHC", 2020), ("TP_NV2", 2019), ("TP_NV3", 2020), ("TP_KHTC", 2019), ("PTP_TCHC_A", 2021),
    ("PTP_TCHC_B", 2022), ("PTP_NV1_A", 2020), ("PTP_NV3", 2020), ("PTP_KHTC", 2021), ("F_TP", 2019),
)
# fmt: on
_QPAN2 = (("PCT_A", 2021), ("PCT_B", 2023))
_MASTERS = (  # (person, start year, months, months of study)
    ("TP_NV2", 2019, (1, 2), 21),
    ("F_CVC", 2019, (9, 10), 24),
    ("THS_M", 2020, (9, 10), 24),
    ("THS_F", 2022, (10, 10), 23),
)
_VTVL_PER_YEAR = {2019: 14, 2020: 11, 2021: 11, 2022: 14, 2023: 15, 2024: 16, 2025: 14}
_IT_PER_YEAR = {2019: 2, 2020: 4, 2021: 4, 2022: 3, 2023: 3, 2024: 2, 2025: 2}
_FL_YEARS = (2019, 2021, 2023, 2024)
_PARTY_WORK_YEARS = (2019, 2020, 2021, 2022, 2023, 2023, 2024, 2025)

# Annual ratings (§3.8): per year, how many excellent / completed / not completed; the rest good.
_RATINGS = {
    year: (t["excellent"], t["completed"], t["not_completed"])
    for year, t in TARGETS["annual_ratings"].items()
}
_OLD_LEVEL_3 = (
    "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực "
    "(Nghị định 56/2015/NĐ-CP, sửa đổi bởi Nghị định 88/2017/NĐ-CP)"
)
_APPLIED = {
    Rating.EXCELLENT: "Áp dụng tốt vào công việc",
    Rating.GOOD: "Có áp dụng vào công việc",
    Rating.COMPLETED: "Ít áp dụng vào công việc",
    Rating.NOT_COMPLETED: "Không áp dụng vào công việc",
}


# ------------------------------------------------------------------------------------ names

_FAMILY = (
    ("Nguyễn", 30),
    ("Trần", 10),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 4),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 3),
    ("Huỳnh", 2),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 1),
    ("Ngô", 1),
    ("Dương", 1),
    ("Lý", 1),
    ("Đinh", 1),
    ("Trịnh", 1),
    ("Mai", 1),
    ("Tạ", 1),
)
_MALE_MIDDLE = (
    ("Văn", 8),
    ("Đức", 3),
    ("Minh", 3),
    ("Quang", 2),
    ("Hữu", 2),
    ("Thành", 2),
    ("Đình", 2),
    ("Công", 1),
    ("Xuân", 1),
    ("Hoàng", 1),
    ("Ngọc", 1),
    ("Tuấn", 1),
    ("Mạnh", 1),
    ("Trung", 1),
)
# fmt: off
_MALE_GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Đức", "Giang", "Hải", "Hiếu", "Hòa", "Hoàng", "Hùng", "Huy",
    "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Mạnh", "Minh", "Nam", "Nghĩa", "Phong", "Phúc",
    "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn", "Tùng", "Việt",
    "Vinh", "Hưng", "Khải", "Thái", "Tiến", "Trọng", "Dương", "Khôi",
)
# fmt: on
_FEMALE_MIDDLE = (
    ("Thị", 8),
    ("Thu", 2),
    ("Thanh", 2),
    ("Ngọc", 2),
    ("Minh", 1),
    ("Phương", 1),
    ("Hồng", 1),
    ("Kim", 1),
    ("Thùy", 1),
    ("Hải", 1),
    ("Khánh", 1),
    ("Diệu", 1),
    ("Bảo", 1),
)
# fmt: off
_FEMALE_GIVEN = (
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huyền", "Hương", "Lan", "Linh",
    "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo",
    "Thủy", "Trang", "Uyên", "Vân", "Yến", "Lệ", "Xuân", "Diệp", "Hậu", "Bích Ngọc", "Thu Hà",
    "Minh Châu", "Thanh Hương", "Hồng Nhung", "Kim Oanh",
)
# fmt: on
# Names every seed contains, so that a search for "nguyen van" or "tran thi bich ngoc" finds
# someone (docs/api.md, "Names": name search ignores diacritics).
_NGUYEN_VAN = ("An", "Hùng", "Dũng", "Nam", "Thắng")


def _weighted(rng: random.Random, items: Sequence[tuple[str, int]]) -> str:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


# ------------------------------------------------------------------------------------ plan


@dataclass
class _Person:
    role: _Role
    staff_id: str = ""
    full_name: str = ""
    birth_date: date = date(1970, 1, 1)
    joined_on: date = date(2000, 1, 1)
    departed_on: date | None = None
    go_live: date | None = None  # the day the dossier was imported (staff on the roll in 2019)
    # (day, post) set by appointments and transfers, and (start, end, post) of rotations away
    posts: list[tuple[date, str]] = field(default_factory=list)
    rotations: list[tuple[date, date, str]] = field(default_factory=list)
    units: list[tuple[date, str]] = field(default_factory=list)
    busy: list[tuple[date, date]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.role.key

    @property
    def female(self) -> bool:
        return self.role.gender == Gender.FEMALE

    @property
    def civil_servant(self) -> bool:
        return self.role.employment == Employment.CIVIL_SERVANT

    def on_roll(self, day: date) -> bool:
        return self.joined_on <= day and (self.departed_on is None or day < self.departed_on)

    def age_on(self, day: date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def post_on(self, day: date) -> str:
        for start, end, post in self.rotations:
            if start <= day <= end:
                return post
        current = self.role.position
        for start, post in sorted(self.posts):
            if start <= day:
                current = post
        return current

    def unit_on(self, day: date) -> str:
        current = self.role.reg_unit or self.role.unit
        for start, unit in sorted(self.units):
            if start <= day:
                current = unit
        return current

    def post_kind_on(self, day: date) -> str:
        post = self.post_on(day)
        return "agency" if post in AGENCY_POSTS else "division" if post in DIVISION_POSTS else "none"

    def is_free(self, start: date, end: date) -> bool:
        return all(end < b_start or start > b_end for b_start, b_end in self.busy)


@dataclass
class _Course:
    person: str
    kind: str
    code: str
    title: str
    track: Track
    level: str | None
    provider: str
    starts_on: date
    ends_on: date
    mode: Mode = Mode.FULL_TIME
    status: str = "completed"  # completed, enrolled (in progress), withdrawn, failed
    closed_on: date | None = None
    funding: Funding = Funding.STATE_BUDGET
    cost: Decimal | None = None
    country: str = "VN"
    decision_ref: str = ""
    enrollment_id: str = ""
    credential_id: str | None = None
    credential_title: str | None = None
    credential_number: str | None = None
    score: Decimal | None = None
    reason: str | None = None
    awards_level: bool = True

    @property
    def in_scope(self) -> bool:
        return self.track in IN_SCOPE_TRACKS and WINDOW_START <= self.starts_on <= SNAPSHOT


@dataclass
class _Op:
    """One command of the plan, in the order it is recorded."""

    staff_key: str
    kind: str
    order: date  # business date that orders a person's commands (causal order)
    args: dict[str, Any]
    lag: str = "normal"  # how long after ``order`` it is recorded: golive, prompt, normal, late, at
    key: str | None = None  # to refer to this op's event (corrections)
    voids: str | None = None  # for a correction: the key of the op whose event it voids
    at: datetime | None = None
    seq: int = 0
    by: str = KEY_HR[0]
    tag: str | None = None  # what kind of move a transfer is, for the summary


@dataclass
class DemoPlan:
    """The whole demo as data: people, courses, and the commands in recording order."""

    seed: int
    people: dict[str, _Person]
    courses: list[_Course]
    ops: list[_Op]
    edge_cases: dict[str, tuple[str, ...]]
    planning_pool: tuple[str, ...]

    def person(self, key: str) -> _Person:
        return self.people[key]

    def staff_commands(self) -> int:
        """How many commands record staff events (each records one); the rest are unit facts."""
        return sum(op.kind not in UNIT_FACT_KINDS for op in self.ops)


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _add_months(day: date, months: int) -> date:
    # Days past the 28th become the 28th first, so that every month has the day the demo's
    # fixed seeds have always produced.
    return add_months(day.replace(day=min(day.day, 28)), months)


def _vnd(millions: float) -> Decimal:
    return Decimal(round(millions * 10) * 100_000)


class _Builder:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(f"ledger-demo:{seed}")
        self.people: dict[str, _Person] = {}
        self.courses: list[_Course] = []
        self.ops: list[_Op] = []
        self.enrollment_counter: Counter[str] = Counter()
        self.credential_counter: Counter[str] = Counter()
        self.decision_counter = 0
        self.certificate_counter = 0

    # ------------------------------------------------------------------ helpers

    def p(self, key: str) -> _Person:
        return self.people[key]

    def op(self, person: str, command: str, order: date, lag: str = "normal", /, **args: Any) -> _Op:
        voids = args.pop("voids", None)
        new = _Op(staff_key=person, kind=command, order=order, args=args, lag=lag, voids=voids)
        self.ops.append(new)
        return new

    def decision(self, day: date, issuer: str = "QĐ-CT") -> str:
        self.decision_counter += self.rng.randint(3, 19)
        return f"{self.decision_counter % 3000 + 1}/{issuer}"

    def certificate(self, prefix: str, year: int) -> str:
        self.certificate_counter += 1
        return f"{prefix}{year % 100:02d}.{self.rng.randint(1000, 99999):05d}"

    def enrollment_id(self, person: str) -> str:
        self.enrollment_counter[person] += 1
        return f"{self.p(person).staff_id}-K{self.enrollment_counter[person]:02d}"

    def credential_id(self, person: str) -> str:
        self.credential_counter[person] += 1
        return f"{self.p(person).staff_id}-VB{self.credential_counter[person]:02d}"

    def evidence(self, person: str, what: str) -> Evidence:
        verifier = self.p("PTP_TCHC_A")
        return Evidence(
            document_ref=f"Phiếu 2C hồ sơ {self.p(person).staff_id}: {what}",
            verified_by=f"{verifier.full_name}, Phó trưởng phòng Tổ chức – Hành chính",
        )

    def random_day(self, year: int, months: tuple[int, int]) -> date:
        month = self.rng.randint(*months)
        return date(year, month, self.rng.randint(1, 28))

    def pick_start(
        self,
        person: _Person,
        year: int,
        months: tuple[int, int],
        days: int,
        *,
        blocking: bool = True,
        must_end_by: date | None = None,
        tries: int = 60,
    ) -> date | None:
        """A Monday-ish start in ``months`` of ``year`` on which the person is on the roll and
        free for ``days`` (when the course is full time)."""
        for _ in range(tries):
            start = _weekday_on_or_after(self.random_day(year, months))
            if start.year != year:
                continue
            end = start + timedelta(days=days - 1)
            last = end if must_end_by is None else max(end, must_end_by)
            if not person.on_roll(start) or not person.on_roll(min(last, SNAPSHOT)):
                continue
            if blocking and not person.is_free(start - timedelta(days=1), end + timedelta(days=1)):
                continue
            return start
        return None

    # ------------------------------------------------------------------ people

    def build_people(self) -> None:
        order = sorted(range(len(_ROLES)), key=lambda i: (_ROLES[i].joined, i))
        names: set[str] = set()
        for number, index in enumerate(order, start=1):
            role = _ROLES[index]
            person = _Person(role=role, staff_id=f"CB{number:04d}")
            born_month = self.rng.randint(*role.born_months)
            person.birth_date = date(role.born, born_month, self.rng.randint(1, 28))
            if role.joined_month is not None:
                day = {"REC_M": 3, "TP_NV1": 2}.get(role.key, 1)
                person.joined_on = date(role.joined, role.joined_month, day)
            elif role.joined >= 2019:
                person.joined_on = date(role.joined, self.rng.randint(1, 5), self.rng.choice((1, 15)))
            else:
                person.joined_on = date(role.joined, self.rng.randint(1, 12), self.rng.choice((1, 15)))
            person.full_name = self.new_name(role.gender, names)
            names.add(person.full_name)
            self.people[role.key] = person
        for key, left_on, _category, _reason, _to in _DEPARTURES:
            self.p(key).departed_on = left_on
        self.force_names()
        self.plan_go_live()

    def new_name(self, gender: Gender, taken: set[str]) -> str:
        while True:
            family = _weighted(self.rng, _FAMILY)
            if gender == Gender.MALE:
                given = self.rng.choice(_MALE_GIVEN)
                middle = _weighted(self.rng, _MALE_MIDDLE)
            else:
                given = self.rng.choice(_FEMALE_GIVEN)
                middle = "Thị" if " " in given else _weighted(self.rng, _FEMALE_MIDDLE)
            name = f"{family} {middle} {given}"
            # Keep given names varied: at most two people share one (the last word, as it is used).
            last = given.split()[-1]
            if sum(t.rsplit(" ", 1)[-1] == last for t in taken) >= 2:
                continue
            if name not in taken and middle != given and not given.startswith(middle):
                return name

    def force_names(self) -> None:
        men = [p for p in self.people.values() if p.role.gender == Gender.MALE and not p.role.former]
        women = [p for p in self.people.values() if p.role.gender == Gender.FEMALE and not p.role.former]
        chosen = self.rng.sample(men, len(_NGUYEN_VAN))
        taken = {p.full_name for p in self.people.values()}
        for person, given in zip(chosen, _NGUYEN_VAN, strict=True):
            name = f"Nguyễn Văn {given}"
            if name in taken:
                owner = next(p for p in self.people.values() if p.full_name == name)
                owner.full_name = self.new_name(owner.role.gender, taken | {name})
            person.full_name = name
            taken = {p.full_name for p in self.people.values()}
        woman = self.rng.choice(women)
        name = "Trần Thị Bích Ngọc"
        for owner in self.people.values():
            if owner.full_name == name and owner is not woman:
                owner.full_name = self.new_name(owner.role.gender, taken | {name})
        woman.full_name = name

    def plan_go_live(self) -> None:
        """Staff on the roll in early 2019 were registered in the go-live window, oldest first."""
        days: list[date] = []
        day = GO_LIVE_FIRST
        while day <= GO_LIVE_LAST:
            if day.weekday() < 5:
                days.append(day)
            day += timedelta(days=1)
        present = sorted(
            (p for p in self.people.values() if p.joined_on < GO_LIVE_FIRST),
            key=lambda p: p.staff_id,
        )
        for index, person in enumerate(present):
            person.go_live = days[min(index * len(days) // max(len(present), 1), len(days) - 1)]

    # ------------------------------------------------------------------ registration and dossier

    def build_registrations(self) -> None:
        for person in self.people.values():
            role = person.role
            go_live = person.go_live
            lag = "golive" if go_live else "prompt"
            order = person.joined_on
            self.op(
                role.key,
                "register",
                order,
                lag,
                staff_id=person.staff_id,
                full_name=person.full_name,
                gender=role.gender,
                birth_date=person.birth_date,
                unit=role.reg_unit or role.unit,
                joined_on=person.joined_on,
                position=role.position,
                rank=role.rank,
                employment=role.employment,
            )
            self.build_openings(person, lag)

    def recognize(
        self, person: _Person, lag: str, track: Track, level: str, issued_on: date, title: str, issuer: str
    ) -> _Op:
        number = self.certificate(
            {"professional": "B", "political_theory": "LL"}.get(track.value, "C"), issued_on.year
        )
        return self.op(
            person.key,
            "recognize",
            person.joined_on,
            lag,
            credential_id=self.credential_id(person.key),
            track=track,
            level=level,
            title=title,
            issuer=issuer,
            issued_on=issued_on,
            number=number,
            evidence=self.evidence(person.key, f"bản sao {title.lower()} số {number}"),
        )

    def build_openings(self, person: _Person, lag: str) -> None:
        rng = self.rng
        role = person.role
        born = person.birth_date.year

        def on(year: int, months: tuple[int, int] = (6, 8)) -> date:
            day = self.random_day(year, months)
            return min(day, person.joined_on - timedelta(days=1)) if year <= person.joined_on.year else day

        for index, (track, level, year, title, issuer) in enumerate(_professional_openings(role, born, rng)):
            issued = on(year)
            if index == 0:  # the first degree came before the job
                issued = min(issued, person.joined_on - timedelta(days=rng.randint(20, 120)))
            self.recognize(person, lag, track, level, issued, title, issuer)
        for track, level, year, title in _OPENINGS.get(role.key, ()):
            issuer = {
                Track.POLITICAL_THEORY: HCMA if level in ("advanced", "bachelor") else POLITICAL_SCHOOL,
                Track.STATE_MANAGEMENT: NAPA if level in ("principal", "senior") else FINANCE_SCHOOL,
                Track.LEADERSHIP: NAPA,
                Track.DEFENSE_SECURITY: MILITARY_REGION_SCHOOL if level == "group2" else MILITARY_SCHOOL,
            }.get(track, NAPA)
            if title.startswith("Giấy xác nhận"):
                issuer = "Ban Tuyên giáo Tỉnh ủy An Khánh"
            issued = on(year, (3, 11))
            if role.key == "CVC_NV1" and track == Track.POLITICAL_THEORY:
                # §3.9: a correction. The dossier import first typed the level as advanced.
                wrong = self.recognize(person, lag, track, "advanced", issued, _CC_TITLE, HCMA)
                wrong.key = "wrong-level"
                credential = wrong.args["credential_id"]
                self.op(
                    person.key,
                    "correct",
                    person.joined_on,
                    "correction",
                    voids="wrong-level",
                    reason="Nhập nhầm trình độ: văn bằng là trung cấp lý luận chính trị, không phải cao cấp",
                )
                fixed = self.recognize(person, "correction", track, level, issued, title, issuer)
                fixed.args["credential_id"] = credential
                fixed.args["number"] = wrong.args["number"]
                continue
            self.recognize(person, lag, track, level, issued, title, issuer)
        if role.employment == Employment.CIVIL_SERVANT and role.key not in ("REC_M", "REC_F"):
            first = max(born + 20, 2000, person.joined_on.year - 2)
            if rng.random() < 0.6 and first <= 2018:
                year = rng.randint(first, 2018)
                self.recognize(
                    person,
                    lag,
                    Track.IT,
                    "basic",
                    on(year, (1, 12)),
                    "Chứng chỉ tin học trình độ B",
                    "Trung tâm Tin học – Ngoại ngữ tỉnh An Khánh",
                )
            if rng.random() < 0.55 and first <= 2018:
                year = rng.randint(first, 2018)
                level, title = rng.choice(
                    (
                        ("level2", "Chứng chỉ tiếng Anh trình độ B"),
                        ("level3", "Chứng chỉ tiếng Anh bậc 3 (B1)"),
                    )
                )
                self.recognize(
                    person,
                    lag,
                    Track.FOREIGN_LANGUAGE,
                    level,
                    on(year, (1, 12)),
                    title,
                    "Trung tâm Tin học – Ngoại ngữ tỉnh An Khánh",
                )

    # ------------------------------------------------------------------ careers

    def build_careers(self) -> None:
        for key, day, post, new, by_parent in _APPOINTMENTS:
            person = self.p(key)
            person.posts.append((day, post))
            issuer = "QĐ-TCT" if by_parent else "QĐ-CT"
            self.op(
                key,
                "appoint",
                day,
                "prompt",
                position=post,
                effective_on=day,
                decision_ref=self.decision(day, issuer),
                reappointment=not new,
            )
            if key == "PCT_B":
                # Promoted to the agency's leadership: the move to "Lãnh đạo Cục" goes with it.
                person.units.append((day, LEAD))
                self.op(
                    key,
                    "rotate",
                    day,
                    "prompt",
                    to_unit=LEAD,
                    kind=RotationKind.TRANSFER,
                    starts_on=day,
                    decision_ref=self.ops[-1].args["decision_ref"],
                )
        # Transferred in (điều động), 2021: registered at the sending agency, moved in the same day.
        tp = self.p("TP_NV1")
        tp.posts.append((tp.joined_on, CVC))
        tp.units.append((tp.joined_on, NV1))
        self.op(
            "TP_NV1",
            "rotate",
            tp.joined_on,
            "prompt",
            to_unit=NV1,
            kind=RotationKind.TRANSFER,
            position=CVC,
            starts_on=tp.joined_on,
            decision_ref=self.decision(tp.joined_on, "QĐ-TCT"),
        )
        # Rotations (luân chuyển): the deputy director away for three years; a head of division
        # rotated in from another Cục until 2026.
        pct = self.p("PCT_A")
        start, end = date(2019, 10, 1), date(2022, 9, 30)
        pct.rotations.append((start, end, PCT))
        self.op(
            "PCT_A",
            "rotate",
            start,
            "prompt",
            to_unit=LONG_GIANG,
            kind=RotationKind.ROTATION,
            position=PCT,
            starts_on=start,
            ends_on=end,
            decision_ref=self.decision(start, "QĐ-TCT"),
        )
        tp = self.p("TP_TTKT")
        start, end = tp.joined_on, date(2026, 2, 28)
        tp.rotations.append((start, end, TP))
        tp.units.append((start, TTKT))
        self.op(
            "TP_TTKT",
            "rotate",
            start,
            "prompt",
            to_unit=TTKT,
            kind=RotationKind.ROTATION,
            position=TP,
            starts_on=start,
            ends_on=end,
            decision_ref=self.decision(start, "QĐ-TCT"),
        )
        for key, day, to_unit, move_kind in _MOVES:
            self.p(key).units.append((day, to_unit))
            move = self.op(
                key,
                "rotate",
                day,
                "normal",
                to_unit=to_unit,
                kind=RotationKind.TRANSFER,
                starts_on=day,
                decision_ref=self.decision(day),
            )
            move.tag = move_kind
        for key, day, category, reason, destination in _DEPARTURES:
            if destination is not None:
                self.op(
                    key,
                    "rotate",
                    day,
                    "prompt",
                    to_unit=destination,
                    kind=RotationKind.TRANSFER,
                    starts_on=day,
                    decision_ref=self.decision(day, "QĐ-TCT"),
                )
            depart = self.op(key, "depart", day, "prompt", on=day, reason=reason, category=category)
            if key == "F_CV_R":
                # §3.9 correction: the retirement was first recorded on the wrong person.
                wrong = _Op(
                    staff_key="CVF_K",
                    kind="depart",
                    order=day,
                    lag="prompt",
                    args=dict(depart.args),
                    key="wrong-departure",
                )
                self.ops.append(wrong)
                self.op(
                    "CVF_K",
                    "correct",
                    day,
                    "correction",
                    voids="wrong-departure",
                    reason=f"Ghi nhầm người: quyết định nghỉ hưu là của {self.p('F_CV_R').full_name} "
                    f"({self.p('F_CV_R').staff_id})",
                )
        for keys, day, years in (
            ((*_POOL_2020, "F_CVC"), date(2020, 12, 15), (2021, 2026)),
            (_POOL_2023, date(2023, 6, 20), (2021, 2026)),
        ):
            ref = self.decision(day)
            for key in keys:
                self.op(
                    key,
                    "plan",
                    day,
                    "normal",
                    position=PTP,
                    from_year=years[0],
                    to_year=years[1],
                    decision_ref=ref,
                    on=day,
                )

    # ------------------------------------------------------------------ courses

    def add_course(self, course: _Course, blocking: bool = True) -> _Course:
        person = self.p(course.person)
        course.enrollment_id = self.enrollment_id(course.person)
        if blocking and course.mode not in (Mode.PART_TIME, Mode.ONLINE):
            person.busy.append((course.starts_on, course.ends_on))
        self.courses.append(course)
        return course

    def credential_course(self, key: str, kind: str, year: int, months: tuple[int, int]) -> _Course:
        person = self.p(key)
        spec = _PROGRAMMES[kind]
        days = spec.days
        blocking = spec.mode != Mode.PART_TIME
        start = self.pick_start(person, year, months, days, blocking=blocking)
        if start is None:
            raise RuntimeError(f"no free start for {key} {kind} {year}")
        end = start + timedelta(days=days - 1)
        course = _Course(
            person=key,
            kind=kind,
            code=spec.code,
            title=spec.title,
            track=spec.track,
            level=spec.level,
            provider=spec.provider,
            starts_on=start,
            ends_on=end,
            mode=spec.mode,
            decision_ref=self.decision(start),
            cost=_vnd(spec.cost * self.rng.uniform(0.9, 1.15)),
        )
        if end > SNAPSHOT:
            course.status = "enrolled"
        else:
            course.closed_on = min(end + timedelta(days=self.rng.randint(0, 6)), SNAPSHOT)
            course.credential_title = spec.credential
            course.credential_number = self.certificate(spec.number_prefix, course.closed_on.year)
            course.score = Decimal(str(round(self.rng.uniform(6.5, 9.4), 1)))
        return self.add_course(course)

    def build_credential_courses(self) -> None:
        for key, kind, year, months in _CREDENTIAL_COURSES:
            self.credential_course(key, kind, year, months)
        # QLNN chuyên viên: the withdrawal for maternity (2021) and the re-enrolment (2022).
        withdrawn = self.credential_course("CVF_C", "cv", 2021, (3, 5))
        withdrawn.status = "withdrawn"
        withdrawn.closed_on = withdrawn.starts_on + timedelta(days=self.rng.randint(8, 15))
        withdrawn.reason = "Nghỉ chế độ thai sản"
        withdrawn.credential_title = withdrawn.credential_number = None
        withdrawn.score = None
        self.p("CVF_C").busy[-1] = (withdrawn.starts_on, withdrawn.closed_on)
        self.credential_course("CVF_C", "cv", 2022, (9, 10))
        self.assign_cv_years()

    def assign_cv_years(self) -> None:
        """The other 28 QLNN chuyên viên courses, spread over the years as §3.6 says."""
        remaining = dict(_CV_PER_YEAR)
        remaining[2021] -= 1
        remaining[2022] -= 1
        takers = list(_CV_TAKERS)
        self.rng.shuffle(takers)
        # Those with the tightest windows first.
        takers.sort(key=lambda k: (k not in _CV_BEFORE, k not in ("CVM_A", "CVM_B", "CVF_A")))
        for key in takers:
            person = self.p(key)
            first = max(2019, person.joined_on.year)
            last = 2025
            if key in _CV_BEFORE:
                first, last = max(first, _CV_BEFORE[key][0]), _CV_BEFORE[key][1]
            if key in ("CVM_A", "CVM_B", "CVF_A"):
                last = min(last, 2021)  # recruits of 2018–2019 take it in their first years
            years = [y for y in range(first, last + 1) if remaining[y] > 0]
            if not years:
                raise RuntimeError(f"no year left for the CV programme of {key}")
            year = self.rng.choice(years)
            remaining[year] -= 1
            months = (2, 10)
            if key == "PTP_NV1_B" and year == 2021:
                months = (2, 10)
            if key == "PTP_NV2" and year == 2024:
                months = (2, 9)
            if key == "PTP_TTKT" and year == 2022:
                months = (2, 9)
            self.credential_course(key, "cv", year, months)
        if any(remaining.values()):
            raise RuntimeError(f"CV programme years left unassigned: {remaining}")

    def build_masters(self) -> None:
        fields = ("Quản lý kinh tế", "Tài chính – Ngân hàng", "Kế toán", "Luật kinh tế")
        for key, year, months, length in _MASTERS:
            person = self.p(key)
            start = self.pick_start(person, year, months, 1, blocking=False)
            assert start is not None
            end = _add_months(start, length)
            subject = self.rng.choice(fields)
            spelling = "Thạc sỹ" if key == "F_CVC" else "Thạc sĩ"
            course = _Course(
                person=key,
                kind="ths",
                code="SDH-THS",
                title=f"Đào tạo trình độ thạc sĩ ngành {subject}",
                track=Track.PROFESSIONAL,
                level="master",
                provider=self.rng.choice(("Học viện Tài chính", "Trường Đại học Kinh tế Quốc dân")),
                starts_on=start,
                ends_on=end,
                mode=Mode.PART_TIME,
                decision_ref=self.decision(start),
                cost=_vnd(self.rng.uniform(72, 96)),
            )
            course.closed_on = end + timedelta(days=self.rng.randint(10, 30))
            course.credential_title = f"Bằng {spelling} {subject}"
            course.credential_number = self.certificate("ThS", course.closed_on.year)
            course.score = Decimal(str(round(self.rng.uniform(7.2, 9.0), 1)))
            self.add_course(course, blocking=False)

    # ------------------------------------------------------------------ short courses

    def build_short_courses(self) -> None:
        """Who attends the 87 short courses: a search for the exact splits of §3.6."""
        slots: list[tuple[str, int]] = []
        for year, count in _LLCT_SHORT_PER_YEAR.items():
            party = 1 if year in _PARTY_AWARENESS_YEARS else 0
            slots += [("party", year)] * party + [("llct", year)] * (count - party)
        for year, count in _LEAD_SHORT_PER_YEAR.items():
            slots += [("lead", year)] * count
        solution = _ShortCourseSearch(self, slots).solve()
        for (kind, year), (key, start) in zip(slots, solution, strict=True):
            spec = _SHORTS[kind]
            days = self.rng.randint(*spec.days)
            title = self.rng.choice(spec.titles_for(year))
            course = _Course(
                person=key,
                kind=kind,
                code=f"{spec.code}-{year}",
                title=title,
                track=spec.track,
                level=None,
                provider=self.rng.choice(spec.providers),
                starts_on=start,
                ends_on=start + timedelta(days=days - 1),
                decision_ref=self.decision(start),
                cost=_vnd(self.rng.uniform(0.8, 3.2)),
                awards_level=False,
            )
            course.closed_on = course.ends_on
            self.add_course(course)

    # ------------------------------------------------------------------ modes and funding

    def assign_modes(self) -> None:
        """Modes, funding and the two courses abroad, to the exact splits of §3.6."""
        rng = self.rng
        scope = [c for c in self.courses if c.in_scope]
        shorts = [c for c in scope if c.kind in ("llct", "party", "lead")]
        long_ = [
            c for c in scope if c.kind in ("cv", "cvc", "cvc_open", "phong") and c.starts_on.year >= 2021
        ]
        for course in scope:
            course.mode = _PROGRAMMES[course.kind].mode if course.kind in _PROGRAMMES else Mode.FULL_TIME
        # Abroad: a leadership course of 2019 and one of 2023, attended by a leader.
        abroad: list[_Course] = []
        for year, country, provider, title in _ABROAD:
            candidates = [
                c
                for c in shorts
                if c.kind == "lead"
                and c.starts_on.year == year
                and c.status == "completed"
                and self.p(c.person).post_kind_on(c.starts_on) != "none"
            ]
            course = rng.choice(candidates)
            course.country, course.provider, course.title = country, provider, title
            course.code = f"LDQL-NN-{year}"
            course.cost = _vnd(rng.uniform(70, 95))
            abroad.append(course)
        # Online: 45 short courses, most of them in the COVID years.
        weights = {2019: 1, 2020: 6, 2021: 6, 2022: 3, 2023: 2, 2024: 2, 2025: 2}
        pool = [c for c in shorts if c not in abroad]
        online = _weighted_sample(rng, pool, [weights[c.starts_on.year] for c in pool], 45)
        for course in online:
            course.mode = Mode.ONLINE
        # Blended: 8 programmes from 2021 on and 12 short courses.
        for course in rng.sample(long_, 8):
            course.mode = Mode.BLENDED
        rest = [c for c in shorts if c not in abroad and c.mode == Mode.FULL_TIME]
        for course in rng.sample(rest, 12):
            course.mode = Mode.BLENDED
        # Funding: 5 sponsored (the two abroad and three project-funded skills courses), 4 self-funded.
        sponsored = [
            c for c in shorts if c.kind == "lead" and 2022 <= c.starts_on.year <= 2024 and c not in abroad
        ]
        for course in abroad + rng.sample(sponsored, 3):
            course.funding = Funding.SPONSORED
            if course not in abroad:
                course.provider = "Dự án Hỗ trợ hiện đại hóa quản lý thuế (vốn tài trợ)"
        early_cv = [
            c for c in scope if c.kind == "cv" and c.starts_on.year <= 2020 and c.status == "completed"
        ]
        online_short = [c for c in shorts if c.mode == Mode.ONLINE and c.funding == Funding.STATE_BUDGET]
        for course in rng.sample(early_cv, 2) + rng.sample(online_short, 2):
            course.funding = Funding.SELF_FUNDED
        # One leadership skills course was left after a day: the person was sent on urgent duty.
        candidates = [
            c for c in shorts if c.kind == "lead" and c not in abroad and c.funding == Funding.STATE_BUDGET
        ]
        dropped = rng.choice(candidates)
        dropped.status = "withdrawn"
        dropped.closed_on = dropped.starts_on + timedelta(
            days=1 if dropped.ends_on > dropped.starts_on else 0
        )
        dropped.reason = "Được cử đi công tác đột xuất"

    # ------------------------------------------------------------------ out of scope

    def free_person(
        self,
        candidates: Sequence[str],
        year: int,
        days: int,
        months: tuple[int, int] = (1, 11),
        *,
        blocking: bool = True,
    ) -> tuple[str, date]:
        """Someone among ``candidates`` on the roll and free for ``days`` in ``months`` of ``year``."""
        options = list(candidates)
        self.rng.shuffle(options)
        for key in options:
            start = self.pick_start(self.p(key), year, months, days, blocking=blocking, tries=20)
            if start is not None:
                return key, start
        raise RuntimeError(f"nobody free in {year} among {len(options)}")

    def build_out_of_scope(self) -> None:
        rng = self.rng
        for key, year in _QPAN3:
            self.simple_course(key, "qpan3", year, (3, 10))
        for key, year in _QPAN2:
            self.simple_course(key, "qpan2", year, (3, 10))
        servants = [
            p.key for p in self.people.values() if p.civil_servant and p.key not in ("REC_M", "REC_F")
        ]
        workers = [p.key for p in self.people.values() if p.role.employment == Employment.CONTRACT]
        for year, count in _VTVL_PER_YEAR.items():
            batches: list[tuple[Sequence[str], _ShortSpec, tuple[int, int]]] = []
            if year in (2020, 2023):
                batches.append((workers, _VTVL_WORKERS, (1, 11)))
            if year == 2025:
                batches += [(["REC_M"], _VTVL_NEWCOMER, (5, 11)), (["REC_F"], _VTVL_NEWCOMER, (5, 11))]
            batches += [(servants, _VTVL, (1, 11))] * (count - len(batches))
            for pool, spec, months in batches:
                key, start = self.free_person(pool, year, spec.days[1], months)
                self.short_course_out(key, start, spec, year)
        young = [p.key for p in self.people.values() if p.civil_servant and p.birth_date.year >= 1985]
        young = [k for k in young if k not in ("REC_M", "REC_F")]
        for year, count in _IT_PER_YEAR.items():
            for _ in range(count):
                kind = "it_advanced" if rng.random() < 0.35 else "it_basic"
                programme = _PROGRAMMES[kind]
                key, start = self.free_person(
                    servants,
                    year,
                    programme.days,
                    blocking=programme.mode not in (Mode.ONLINE, Mode.PART_TIME),
                )
                self.simple_course(key, kind, year, (1, 11), start=start)
        for index, year in enumerate(_FL_YEARS):
            key, start = self.free_person(young, year, _PROGRAMMES["fl"].days, (1, 8), blocking=False)
            course = self.simple_course(key, "fl", year, (1, 8), start=start)
            if index == 2:
                course.status = "failed"
                course.credential_title = course.credential_number = None
                course.score = Decimal("4.5")
        leaders = [p.key for p in self.people.values() if p.role.position in AGENCY_POSTS | DIVISION_POSTS]
        for index, year in enumerate(_PARTY_WORK_YEARS):
            pool = leaders if index % 2 == 0 else young
            spec = _PARTY_WORK[index % len(_PARTY_WORK)]
            key, start = self.free_person(pool, year, spec.days[1])
            self.short_course_out(key, start, spec, year)

    def simple_course(
        self, key: str, kind: str, year: int, months: tuple[int, int], start: date | None = None
    ) -> _Course:
        spec = _PROGRAMMES[kind]
        person = self.p(key)
        blocking = spec.mode not in (Mode.PART_TIME, Mode.ONLINE)
        if start is None:
            start = self.pick_start(person, year, months, spec.days, blocking=blocking)
        if start is None:
            raise RuntimeError(f"no free start for {key} {kind} {year}")
        end = start + timedelta(days=spec.days - 1)
        course = _Course(
            person=key,
            kind=kind,
            code=spec.code,
            title=spec.title,
            track=spec.track,
            level=spec.level,
            provider=spec.provider,
            starts_on=start,
            ends_on=end,
            mode=spec.mode,
            decision_ref=self.decision(start),
            cost=_vnd(spec.cost * self.rng.uniform(0.9, 1.1)),
        )
        course.closed_on = min(end + timedelta(days=self.rng.randint(0, 5)), SNAPSHOT)
        if end > SNAPSHOT:
            course.status, course.closed_on = "enrolled", None
        elif spec.level is not None:
            course.credential_title = spec.credential
            course.credential_number = self.certificate(spec.number_prefix, course.closed_on.year)
            course.score = Decimal(str(round(self.rng.uniform(6.0, 9.5), 1)))
        return self.add_course(course, blocking=blocking)

    def short_course_out(self, key: str, start: date, spec: _ShortSpec, year: int) -> None:
        days = self.rng.randint(*spec.days)
        course = _Course(
            person=key,
            kind=spec.code,
            code=f"{spec.code}-{year}",
            title=self.rng.choice(spec.titles),
            track=spec.track,
            level=None,
            provider=self.rng.choice(spec.providers),
            starts_on=start,
            ends_on=start + timedelta(days=days - 1),
            decision_ref=self.decision(start),
            cost=_vnd(self.rng.uniform(0.5, 2.5)),
        )
        course.closed_on = course.ends_on
        self.add_course(course)

    # ------------------------------------------------------------------ course commands

    def build_course_ops(self) -> None:
        typo_done = False
        for course in sorted(self.courses, key=lambda c: (c.starts_on, c.person, c.enrollment_id)):
            enroll = self.op(
                course.person,
                "enroll",
                course.starts_on,
                "normal",
                enrollment_id=course.enrollment_id,
                course_code=course.code,
                course_title=course.title,
                track=course.track,
                level=course.level,
                provider=course.provider,
                mode=course.mode,
                starts_on=course.starts_on,
                ends_on=course.ends_on,
                decision_ref=course.decision_ref,
                funding=course.funding,
                cost=course.cost,
                country=course.country,
                awards_level=course.awards_level,
            )
            if (
                course.kind == "lead"
                and course.starts_on.year == 2023
                and "duplicate" not in {o.key for o in self.ops}
            ):
                # §3.9 correction: the dispatch was entered twice; the copy is voided the next day.
                copy = self.op(course.person, "enroll", course.starts_on, "normal", **dict(enroll.args))
                copy.args["enrollment_id"] = f"{course.enrollment_id}-2"
                copy.key = "duplicate"
                self.op(
                    course.person,
                    "correct",
                    course.starts_on,
                    "correction",
                    voids="duplicate",
                    reason=f"Nhập trùng quyết định cử đi học {course.decision_ref}",
                )
            if course.status == "enrolled":
                continue
            assert course.closed_on is not None
            late = "late" if course.level is None and self.rng.random() < 0.06 else "normal"
            if course.status == "withdrawn":
                self.op(
                    course.person,
                    "withdraw",
                    course.closed_on,
                    "normal",
                    enrollment_id=course.enrollment_id,
                    on=course.closed_on,
                    reason=course.reason,
                )
                continue
            details = None
            if course.level is not None and course.status == "completed":
                course.credential_id = self.credential_id(course.person)
                issued = course.closed_on
                details = CredentialDetails(
                    credential_id=course.credential_id,
                    title=course.credential_title,
                    number=course.credential_number,
                    issuer=course.provider,
                    issued_on=issued,
                )
            outcome = Outcome.FAILED if course.status == "failed" else Outcome.PASSED
            if not typo_done and course.kind == "cvc" and course.person == "PTP_TCHC_A":
                # §3.9 correction: the completion date was typed wrong, voided and typed again.
                # The slip is into the past: a completion dated after the day it is recorded is
                # refused outright, so it never needs a correction.
                typo_done = True
                wrong_day = course.closed_on - timedelta(days=10)
                assert details is not None
                wrong = self.op(
                    course.person,
                    "complete",
                    course.closed_on,
                    "prompt",
                    enrollment_id=course.enrollment_id,
                    completed_on=wrong_day,
                    outcome=outcome,
                    credential=CredentialDetails(
                        credential_id=details.credential_id,
                        title=details.title,
                        number=details.number,
                        issuer=details.issuer,
                        issued_on=wrong_day,
                    ),
                    score=course.score,
                )
                wrong.key = "typo"
                self.op(
                    course.person,
                    "correct",
                    course.closed_on,
                    "correction",
                    voids="typo",
                    reason=(
                        f"Nhập sai ngày hoàn thành: {wrong_day:%d/%m/%Y}, đúng là {course.closed_on:%d/%m/%Y}"
                    ),
                )
                late = "correction"
            self.op(
                course.person,
                "complete",
                course.closed_on,
                late,
                enrollment_id=course.enrollment_id,
                completed_on=course.closed_on,
                outcome=outcome,
                credential=details,
                score=course.score,
            )

    # ------------------------------------------------------------------ evaluations

    def build_ratings(self) -> list[str]:
        """Annual ratings, exactly the counts of §3.8; returns the staff keys rated KHT."""
        rng = self.rng
        protected: dict[int, set[str]] = {year: set() for year in _RATINGS}
        for course in self.courses:
            if course.kind in ("tc", "ths"):
                for year in (course.starts_on.year - 1, course.starts_on.year - 2):
                    if year in protected:
                        protected[year].add(course.person)
        for key, day, _post, _new, _parent in _APPOINTMENTS:
            for year in (day.year - 1, day.year - 2):
                if year in protected:
                    protected[year].add(key)
        pool = set(_POOL_2020 + _POOL_2023 + ("F_CVC",))
        not_completed: list[str] = []
        previous_low: set[str] = set()
        for year, (excellent, completed, failed) in _RATINGS.items():
            rated = [p for p in self.people.values() if _rated_in(p, year)]
            low_ok = [
                p.key
                for p in rated
                if p.role.position not in AGENCY_POSTS | DIVISION_POSTS
                and p.post_kind_on(date(year, 11, 1)) == "none"
                and p.key not in protected[year]
                and p.key not in pool
                and p.key not in previous_low
                and p.key not in not_completed
                and p.key not in _POOL_2020 + _POOL_2023
            ]
            low = rng.sample(sorted(low_ok), completed + failed)
            kht = low[:failed]
            not_completed += kht
            previous_low = set(low)
            others = [p.key for p in rated if p.key not in low]
            weights = [3 if self.p(k).post_kind_on(date(year, 11, 1)) != "none" else 1 for k in others]
            top = _weighted_sample(rng, others, weights, excellent)
            day = _weekday_on_or_after(date(year, 11, rng.randint(18, 24)))
            for person in rated:
                rating = (
                    Rating.NOT_COMPLETED
                    if person.key in kht
                    else Rating.COMPLETED
                    if person.key in low
                    else Rating.EXCELLENT
                    if person.key in top
                    else Rating.GOOD
                )
                notes = _OLD_LEVEL_3 if year == 2019 and rating == Rating.COMPLETED else None
                evaluator = (
                    f"Tổng cục trưởng {AGENCY_PARENT}"
                    if person.role.position in AGENCY_POSTS
                    else f"Cục trưởng {AGENCY}"
                )
                args = {
                    "kind": EvaluationKind.ANNUAL,
                    "year": year,
                    "rating": rating,
                    "evaluator": evaluator,
                    "notes": notes,
                }
                if (
                    year == 2022
                    and rating == Rating.EXCELLENT
                    and "wrong-rating" not in {o.key for o in self.ops}
                ):
                    # §3.9 correction: an excellent rating first typed as good.
                    wrong = self.op(person.key, "evaluate", day, "rating", **{**args, "rating": Rating.GOOD})
                    wrong.key = "wrong-rating"
                    self.op(
                        person.key,
                        "correct",
                        day,
                        "correction",
                        voids="wrong-rating",
                        reason="Nhập nhầm mức xếp loại năm 2022: đúng là hoàn thành xuất sắc nhiệm vụ",
                    )
                    self.op(person.key, "evaluate", day, "correction", **args)
                    continue
                self.op(person.key, "evaluate", day, "rating", **args)
        return not_completed

    def build_post_training(self) -> None:
        rng = self.rng
        done = [
            c
            for c in self.courses
            if c.in_scope and c.level is not None and c.status == "completed" and c.closed_on is not None
        ]
        chosen: list[tuple[_Course, date]] = []
        for course in done:
            assert course.closed_on is not None
            day = _weekday_on_or_after(course.closed_on + timedelta(days=rng.randint(95, 175)))
            person = self.p(course.person)
            if day > SNAPSHOT - timedelta(days=5) or not person.on_roll(day):
                continue
            chosen.append((course, day))
        poor = set(rng.sample(range(len(chosen)), round(len(chosen) * 0.1)))
        for index, (course, day) in enumerate(chosen):
            if index in poor:
                rating = Rating.COMPLETED if rng.random() < 0.7 else Rating.NOT_COMPLETED
            else:
                rating = Rating.EXCELLENT if rng.random() < 0.35 else Rating.GOOD
            person = self.p(course.person)
            self.op(
                course.person,
                "evaluate",
                day,
                "normal",
                kind=EvaluationKind.POST_TRAINING,
                enrollment_id=course.enrollment_id,
                on=day,
                rating=rating,
                evaluator=_supervisor(person, day),
                notes=_APPLIED[rating],
            )

    # ------------------------------------------------------------------ recording times

    def assign_recording_times(self) -> list[_Op]:
        rng = self.rng
        by_person: dict[str, list[_Op]] = {}
        for index, op in enumerate(self.ops):
            op.seq = index
            by_person.setdefault(op.staff_key, []).append(op)
        keyed = {op.key: op for op in self.ops if op.key}
        ordered: list[_Op] = []
        for key, ops in by_person.items():
            person = self.p(key)
            # Registration first, then the dossier, then business-date order; a correction right
            # after what it voids.
            ops.sort(key=lambda o: (o.kind != "register", o.lag != "golive", o.order, o.seq))
            last: datetime | None = None
            for op in ops:
                desired = self.desired_time(op, person, keyed)
                if last is not None and desired <= last:
                    desired = last + timedelta(minutes=rng.randint(1, 9), seconds=rng.randint(0, 59))
                op.at = desired
                op.by = KEY_IMPORT if op.lag == "golive" else KEY_HR[rng.random() < 0.4]
                # A late entry (a certificate handed in months later) is recorded when it is, and
                # nothing of the person's later record depends on it: it stays off the chain.
                if op.lag != "late":
                    last = desired
                ordered.append(op)
        if any(op.at is None or op.at > RECORDING_CAP + timedelta(hours=6) for op in ordered):
            raise RuntimeError("a recording time falls after the snapshot")
        ordered.sort(key=lambda o: (o.at, self.p(o.staff_key).staff_id, o.seq))
        return ordered

    def desired_time(self, op: _Op, person: _Person, keyed: dict[str, _Op]) -> datetime:
        rng = self.rng
        office = time(rng.randint(1, 9), rng.randint(0, 59), rng.randint(0, 59))
        if op.lag == "correction":
            target = keyed.get(op.voids) if op.voids else None
            if target is not None and target.at is not None:
                return target.at + timedelta(hours=rng.randint(20, 70), minutes=rng.randint(0, 59))
            day = op.order + timedelta(days=1)
        elif op.lag == "golive" or (person.go_live is not None and op.order < person.go_live):
            assert person.go_live is not None
            day = person.go_live
        elif op.lag == "rating":
            day = op.order + timedelta(days=rng.randint(0, 3))
        elif op.lag == "prompt":
            day = op.order + timedelta(days=rng.randint(0, 2))
        elif op.lag == "late":
            day = op.order + timedelta(days=rng.randint(60, 300))
        else:
            roll = rng.random()
            delay = (
                rng.randint(0, 3)
                if roll < 0.75
                else rng.randint(4, 14)
                if roll < 0.95
                else rng.randint(15, 45)
            )
            day = op.order + timedelta(days=delay)
        day = _weekday_on_or_after(day)
        at = datetime.combine(day, office, tzinfo=UTC)
        if at > RECORDING_CAP:
            at = RECORDING_CAP - timedelta(hours=rng.randint(1, 8), minutes=rng.randint(0, 59))
            at = max(at, datetime.combine(op.order, time(1, 0), tzinfo=UTC))
        return at


def _rated_in(person: _Person, year: int) -> bool:
    """Civil servants are rated in late November; those who joined after June, or left before the
    rating, are not (rated by their previous agency, or retired)."""
    if not person.civil_servant:
        return False
    rating_day = date(year, 11, 30)
    if person.joined_on > date(year, 6, 30):
        return False
    return person.departed_on is None or person.departed_on > rating_day


def _supervisor(person: _Person, day: date) -> str:
    """Who assesses a person's use of a course: the head of their division, or their superior."""
    post = person.post_on(day)
    if post == CT:
        return f"Tổng cục trưởng {AGENCY_PARENT}"
    if post in (PCT, TP):
        return f"Cục trưởng {AGENCY}"
    unit = person.unit_on(day)
    if unit.startswith("Phòng "):
        return f"Trưởng phòng {unit.removeprefix('Phòng ')}"
    return f"Cục trưởng {AGENCY}"


def _weighted_sample(rng: random.Random, items: Sequence[Any], weights: Sequence[float], k: int) -> list[Any]:
    """``k`` distinct items, drawn with the given weights (Efraimidis–Spirakis)."""
    keyed = sorted(((rng.random() ** (1.0 / w), index) for index, w in enumerate(weights)), reverse=True)
    return [items[index] for _, index in keyed[:k]]


def _professional_openings(
    role: _Role, born: int, rng: random.Random
) -> list[tuple[Track, str, int, str, str]]:
    """The degrees on file when the person joined (or on go-live): (track, level, year, title, issuer)."""
    universities = (
        ("Cử nhân Kinh tế", "Trường Đại học Kinh tế Quốc dân"),
        ("Cử nhân Tài chính – Ngân hàng", "Học viện Tài chính"),
        ("Cử nhân Kế toán", "Học viện Tài chính"),
        ("Cử nhân Luật", "Trường Đại học Luật Hà Nội"),
        ("Cử nhân Quản trị kinh doanh", "Trường Đại học Thương mại"),
        ("Kỹ sư Công nghệ thông tin", "Trường Đại học Bách khoa Hà Nội"),
    )
    masters = (
        ("Thạc sĩ Quản lý kinh tế", "Học viện Tài chính"),
        ("Thạc sỹ Kinh tế", "Trường Đại học Kinh tế Quốc dân"),
        ("Thạc sĩ Tài chính – Ngân hàng", "Học viện Tài chính"),
        ("Thạc sĩ Luật kinh tế", "Trường Đại học Luật Hà Nội"),
    )
    prof = role.prof
    pro = Track.PROFESSIONAL
    if prof in ("ĐH", "ThS", "ThS*"):
        title, issuer = rng.choice(universities)
        found = [(pro, "bachelor", born + rng.randint(22, 23), title, issuer)]
        if prof == "ThS":
            title, issuer = rng.choice(masters)
            year = min(born + rng.randint(29, 38), 2018 if role.joined < 2019 else role.joined - 1)
            found.append((pro, "master", year, title, issuer))
        return found
    if prof == "CĐ":
        return [(pro, "college", born + 21, "Cao đẳng Kế toán", "Trường Cao đẳng Tài chính – Hải quan")]
    if prof == "TC":
        return [
            (pro, "intermediate", born + 20, "Trung cấp Văn thư – Lưu trữ", "Trường Trung cấp Nội vụ Hà Nội")
        ]
    if prof == "CNKT":
        return [(pro, "technical_worker", born + 19, "Công nhân kỹ thuật", "Trường Cao đẳng nghề An Khánh")]
    if prof == "CNKT+TC":
        return [
            (
                pro,
                "technical_worker",
                born + 19,
                "Công nhân kỹ thuật lái xe ô tô",
                "Trường Cao đẳng nghề An Khánh",
            ),
            (pro, "intermediate", 2015, "Trung cấp nghề Công nghệ ô tô", "Trường Cao đẳng nghề An Khánh"),
        ]
    raise ValueError(prof)


# ------------------------------------------------------------------------------------ programmes


@dataclass(frozen=True)
class _Programme:
    code: str
    title: str
    track: Track
    level: str | None
    provider: str
    mode: Mode
    days: int
    cost: float  # million VND
    credential: str | None = None
    number_prefix: str = "CC"


_PROGRAMMES: dict[str, _Programme] = {
    "tc": _Programme(
        "LLCT-TC",
        "Trung cấp lý luận chính trị (hệ không tập trung)",
        Track.POLITICAL_THEORY,
        "intermediate",
        POLITICAL_SCHOOL,
        Mode.PART_TIME,
        480,
        14,
        "Bằng tốt nghiệp trung cấp lý luận chính trị",
        "TC",
    ),
    "cc": _Programme(
        "LLCT-CC",
        "Cao cấp lý luận chính trị (hệ không tập trung)",
        Track.POLITICAL_THEORY,
        "advanced",
        HCMA_REGION,
        Mode.PART_TIME,
        700,
        32,
        "Bằng tốt nghiệp cao cấp lý luận chính trị",
        "CCLL",
    ),
    "cvcc": _Programme(
        "QLNN-CVCC",
        "Bồi dưỡng kiến thức, kỹ năng quản lý nhà nước đối với công chức ngạch chuyên viên cao cấp",
        Track.STATE_MANAGEMENT,
        "senior",
        NAPA,
        Mode.FULL_TIME,
        40,
        12,
        "Chứng chỉ bồi dưỡng ngạch chuyên viên cao cấp",
        "CVCC",
    ),
    "cvc": _Programme(
        "QLNN-CVC",
        "Bồi dưỡng kiến thức, kỹ năng quản lý nhà nước đối với công chức ngạch chuyên viên chính",
        Track.STATE_MANAGEMENT,
        "principal",
        NAPA,
        Mode.FULL_TIME,
        45,
        8,
        "Chứng chỉ bồi dưỡng ngạch chuyên viên chính",
        "CVC",
    ),
    "cvc_open": _Programme(
        "QLNN-CVC",
        "Bồi dưỡng kiến thức, kỹ năng quản lý nhà nước đối với công chức ngạch chuyên viên chính",
        Track.STATE_MANAGEMENT,
        "principal",
        NAPA,
        Mode.FULL_TIME,
        75,
        8,
        "Chứng chỉ bồi dưỡng ngạch chuyên viên chính",
        "CVC",
    ),
    "cv": _Programme(
        "QLNN-CV",
        "Bồi dưỡng kiến thức, kỹ năng quản lý nhà nước đối với công chức ngạch chuyên viên",
        Track.STATE_MANAGEMENT,
        "specialist",
        FINANCE_SCHOOL,
        Mode.FULL_TIME,
        33,
        5,
        "Chứng chỉ bồi dưỡng ngạch chuyên viên",
        "CV",
    ),
    "phong": _Programme(
        "LDQL-PHONG",
        "Bồi dưỡng lãnh đạo, quản lý cấp phòng và tương đương",
        Track.LEADERSHIP,
        "division",
        NAPA,
        Mode.FULL_TIME,
        26,
        6,
        "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp phòng và tương đương",
        "LDP",
    ),
    "so": _Programme(
        "LDQL-SO",
        "Bồi dưỡng lãnh đạo, quản lý cấp sở và tương đương",
        Track.LEADERSHIP,
        "department",
        NAPA,
        Mode.FULL_TIME,
        26,
        9,
        "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp sở và tương đương",
        "LDS",
    ),
    "qpan3": _Programme(
        "QPAN-DT3",
        "Bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 3",
        Track.DEFENSE_SECURITY,
        "group3",
        MILITARY_SCHOOL,
        Mode.FULL_TIME,
        12,
        4,
        "Giấy chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 3",
        "QP3",
    ),
    "qpan2": _Programme(
        "QPAN-DT2",
        "Bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 2",
        Track.DEFENSE_SECURITY,
        "group2",
        MILITARY_REGION_SCHOOL,
        Mode.FULL_TIME,
        19,
        7,
        "Giấy chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 2",
        "QP2",
    ),
    "it_basic": _Programme(
        "CNTT-CB",
        "Bồi dưỡng kỹ năng ứng dụng công nghệ thông tin cơ bản",
        Track.IT,
        "basic",
        "Trung tâm Tin học – Ngoại ngữ tỉnh An Khánh",
        Mode.ONLINE,
        30,
        1.5,
        "Chứng chỉ ứng dụng công nghệ thông tin cơ bản",
        "IT",
    ),
    "it_advanced": _Programme(
        "CNTT-NC",
        "Bồi dưỡng kỹ năng ứng dụng công nghệ thông tin nâng cao",
        Track.IT,
        "advanced",
        "Trung tâm Tin học – Ngoại ngữ tỉnh An Khánh",
        Mode.BLENDED,
        40,
        2.5,
        "Chứng chỉ ứng dụng công nghệ thông tin nâng cao",
        "IT",
    ),
    "fl": _Programme(
        "NN-TA-B1",
        "Tiếng Anh bậc 3 (B1) khung năng lực ngoại ngữ 6 bậc",
        Track.FOREIGN_LANGUAGE,
        "level3",
        "Trung tâm Tin học – Ngoại ngữ tỉnh An Khánh",
        Mode.PART_TIME,
        90,
        4,
        "Chứng chỉ tiếng Anh bậc 3 (B1)",
        "NN",
    ),
}


@dataclass(frozen=True)
class _ShortSpec:
    code: str
    track: Track
    titles: tuple[str, ...]
    providers: tuple[str, ...]
    days: tuple[int, int]
    titles_from_2022: tuple[str, ...] = ()

    def titles_for(self, year: int) -> tuple[str, ...]:
        return self.titles + (self.titles_from_2022 if year >= 2022 else ())


_SHORTS: dict[str, _ShortSpec] = {
    "llct": _ShortSpec(
        "LLCT-CN",
        Track.POLITICAL_THEORY,
        (
            "Bồi dưỡng cập nhật kiến thức cho cán bộ lãnh đạo, quản lý",
            "Bồi dưỡng lý luận chính trị theo chức danh",
            "Học tập, quán triệt nghị quyết Hội nghị Trung ương",
        ),
        (POLITICAL_SCHOOL, AGENCY_PARTY),
        (3, 5),
    ),
    "party": _ShortSpec(
        "LLCT-NTD",
        Track.POLITICAL_THEORY,
        ("Bồi dưỡng nhận thức về Đảng", "Bồi dưỡng lý luận chính trị cho đảng viên mới"),
        (POLITICAL_CENTRE,),
        (5, 5),
    ),
    "lead": _ShortSpec(
        "LDQL-KN",
        Track.LEADERSHIP,
        (
            "Kỹ năng lãnh đạo, quản lý",
            "Kỹ năng xử lý tình huống trong lãnh đạo, quản lý",
            "Kỹ năng giao tiếp, thuyết trình và đàm phán",
            "Kỹ năng lập kế hoạch và tổ chức thực hiện công việc",
            "Quản lý sự thay đổi trong khu vực công",
        ),
        (NAPA, FINANCE_SCHOOL, TAX_SCHOOL),
        (2, 5),
        (
            "Chuyển đổi số cho cán bộ lãnh đạo, quản lý",
            "Lãnh đạo số trong quản lý thuế",
        ),
    ),
}

_ABROAD = (
    (2019, "SG", "Civil Service College Singapore", "Bồi dưỡng kỹ năng lãnh đạo khu vực công tại Singapore"),
    (
        2023,
        "KR",
        "KDI School of Public Policy and Management",
        "Bồi dưỡng kỹ năng lãnh đạo, quản lý tại Hàn Quốc",
    ),
)

_VTVL = _ShortSpec(
    "VTVL",
    Track.OTHER,
    (
        "Bồi dưỡng nghiệp vụ quản lý thuế",
        "Bồi dưỡng nghiệp vụ kiểm tra thuế",
        "Bồi dưỡng nghiệp vụ thanh tra thuế",
        "Bồi dưỡng chính sách thuế mới",
        "Bồi dưỡng nghiệp vụ hóa đơn điện tử",
        "Bồi dưỡng nghiệp vụ kế toán hành chính sự nghiệp",
        "Bồi dưỡng kỹ năng tuyên truyền, hỗ trợ người nộp thuế",
        "Bồi dưỡng nghiệp vụ quản lý nợ và cưỡng chế nợ thuế",
    ),
    (TAX_SCHOOL, FINANCE_SCHOOL),
    (3, 8),
)
_VTVL_WORKERS = _ShortSpec(
    "VTVL", Track.OTHER, ("Bồi dưỡng an toàn lao động, phòng cháy chữa cháy",), (AGENCY,), (2, 3)
)
_VTVL_NEWCOMER = _ShortSpec(
    "VTVL", Track.OTHER, ("Bồi dưỡng nghiệp vụ cho công chức mới tuyển dụng",), (TAX_SCHOOL,), (5, 5)
)
_PARTY_WORK = (
    _ShortSpec("CTD", Track.OTHER, ("Bồi dưỡng nghiệp vụ công tác Đảng",), (POLITICAL_SCHOOL,), (3, 5)),
    _ShortSpec(
        "CTDT",
        Track.OTHER,
        ("Bồi dưỡng nghiệp vụ công tác Công đoàn", "Bồi dưỡng nghiệp vụ công tác Đoàn thanh niên"),
        ("Liên đoàn Lao động tỉnh An Khánh", "Tỉnh đoàn An Khánh"),
        (2, 4),
    ),
)


# ------------------------------------------------------------------------------------ search


class _ShortCourseSearch:
    """Assigns the 87 short in-scope courses to people and days so that, with the credential
    courses already placed, every split of §3.6 is exact: attendances per person (current and
    former), by gender, by age under 35 (and young women), and by post held that day.

    Two seeded local searches, restarted until exact. First, how many short courses each person
    attends (the per-person distribution and the gender split depend only on that), keeping the
    age and post splits within reach. Then which course and day each of those is, by swapping
    people between courses and moving days, for the age and post splits.
    """

    STATS = ("young", "young_female", "agency", "division")

    def __init__(self, builder: _Builder, slots: list[tuple[str, int]]) -> None:
        self.b = builder
        self.rng = builder.rng
        self.slots = slots
        people = builder.people
        self.current = [k for k, p in people.items() if not p.role.former and k not in _ZERO_ATTENDANCE]
        self.former_fixed = dict(_FORMER_SHORTS)
        self.base: Counter[str] = Counter()
        base_stats: Counter[str] = Counter()
        for course in builder.courses:
            if course.in_scope:
                self.base[course.person] += 1
                base_stats.update(self.features(course.person, course.starts_on))
        targets = TARGETS
        self.need: dict[str, int] = {
            "female": targets["attendance_gender"]["female"] - base_stats["female"],
            "young": targets["attendance_young"] - base_stats["young"],
            "young_female": targets["attendance_young_female"] - base_stats["young_female"],
            "agency": targets["attendance_post"]["agency"] - base_stats["agency"],
            "division": targets["attendance_post"]["division"] - base_stats["division"],
        }
        self.target_hist = Counter(targets["attendances_per_current_person"])
        self.target_hist[0] -= len(_ZERO_ATTENDANCE)
        del self.target_hist[0]
        if sum(self.target_hist.values()) != len(self.current):
            raise RuntimeError("the per-person distribution does not match the staff list")
        expected = sum(self.base.values()) + len(slots)
        if expected != targets["attendances"]:
            raise RuntimeError(f"{expected} attendances planned, not {targets['attendances']}")
        self.eligible: dict[tuple[str, int], list[str]] = {}
        for kind, year in set(slots):
            self.eligible[(kind, year)] = [
                k
                for k, p in people.items()
                if p.civil_servant
                and k not in _ZERO_ATTENDANCE
                and (p.on_roll(date(year, 11, 15)) or p.on_roll(date(year, 1, 15)))
                and (kind != "party" or self.no_theory(k, year))
                and (not p.role.former or self.former_fixed.get(k, 0) > 0)
            ]
        self.people_keys = self.current + [k for k, n in self.former_fixed.items() if n]
        # Per person: the features a short course may carry in each year it could be held.
        self.profile: dict[str, dict[int, list[frozenset[str]]]] = {}
        for key in self.people_keys:
            person = people[key]
            years: dict[int, list[frozenset[str]]] = {}
            for year in _LEAD_SHORT_PER_YEAR:
                days = [date(year, month, 15) for month in range(1, 12)]
                options = {frozenset(self.features(key, d)) for d in days if person.on_roll(d)}
                if options:
                    years[year] = sorted(options, key=sorted)
            self.profile[key] = years

    def no_theory(self, key: str, year: int) -> bool:
        """New party members: no political theory held or studied before that year."""
        if key in _OPENINGS and any(t == Track.POLITICAL_THEORY for t, *_ in _OPENINGS[key]):
            return False
        return not any(
            c.person == key and c.track == Track.POLITICAL_THEORY and c.starts_on.year <= year
            for c in self.b.courses
        )

    def features(self, key: str, day: date) -> list[str]:
        person = self.b.p(key)
        found = []
        if person.female:
            found.append("female")
        if person.age_on(day) < 35:
            found.append("young")
            if person.female:
                found.append("young_female")
        kind = person.post_kind_on(day)
        if kind != "none":
            found.append(kind)
        return found

    def solve(self) -> list[tuple[str, date]]:
        for _attempt in range(60):
            counts = self.choose_counts()
            if counts is None:
                continue
            found = self.place(counts)
            if found is not None:
                return found
        raise RuntimeError("could not place the short courses exactly")

    # -------------------------------------------------------------- phase 1: how many each

    def bounds(self, key: str, name: str) -> tuple[bool, bool]:
        """Whether a short course of this person always / ever carries a feature."""
        options = [f for fs in self.profile[key].values() for f in fs]
        return all(name in f for f in options), any(name in f for f in options)

    def choose_counts(self) -> Counter[str] | None:
        rng = self.rng
        total_current = len(self.slots) - sum(self.former_fixed.values())
        counts: Counter[str] = Counter(self.former_fixed)
        current = list(self.current)
        for _ in range(total_current):
            counts[rng.choice(current)] += 1
        always = {name: {k for k in self.people_keys if self.bounds(k, name)[0]} for name in self.STATS}
        ever = {name: {k for k in self.people_keys if self.bounds(k, name)[1]} for name in self.STATS}
        women = {k for k in self.people_keys if self.b.p(k).female}

        def cost(c: Counter[str]) -> float:
            hist = Counter(c[k] + self.base[k] for k in current)
            misplaced = sum(abs(hist[n] - self.target_hist[n]) for n in set(hist) | set(self.target_hist))
            female = abs(sum(c[k] for k in women) - self.need["female"])
            reach = 0
            for name in self.STATS:
                low = sum(c[k] for k in always[name])
                high = sum(c[k] for k in ever[name])
                need = self.need[name]
                reach += max(0, low - need) + max(0, need - high)
            return misplaced + female + reach

        value = cost(counts)
        temperature = 1.5
        for step in range(20000):
            if value == 0:
                return counts
            if step % 1000 == 999:
                temperature = max(0.05, temperature * 0.85)
            giver = rng.choice(current)
            taker = rng.choice(current)
            if giver == taker or counts[giver] == 0 or len(self.profile[taker]) * 3 <= counts[taker]:
                continue
            counts[giver] -= 1
            counts[taker] += 1
            new = cost(counts)
            if new <= value or rng.random() < math.exp((value - new) / temperature):
                value = new
            else:
                counts[giver] += 1
                counts[taker] -= 1
        return None

    # -------------------------------------------------------------- phase 2: which course, which day

    def match(self, seats: list[str], order: list[int]) -> dict[int, int] | None:
        """A course for every seat (a person's place in a short course) among those they may
        attend: bipartite matching by augmenting paths, in a seeded order."""
        seat_of: dict[int, int] = {}  # slot -> seat
        slot_of: dict[int, int] = {}  # seat -> slot
        # Lists, not sets: the order of a set of strings changes from one process to the next,
        # and the log must not.
        allowed = {i: self.eligible[self.slots[i]] for i in order}
        by_key: dict[str, list[int]] = {}
        for seat, key in enumerate(seats):
            by_key.setdefault(key, []).append(seat)

        def augment(slot: int, seen: set[int]) -> bool:
            keys = [k for k in allowed[slot] if k in by_key]
            self.rng.shuffle(keys)
            for key in keys:
                for seat in by_key[key]:
                    if seat in seen:
                        continue
                    seen.add(seat)
                    if seat not in slot_of or augment(slot_of[seat], seen):
                        seat_of[slot] = seat
                        slot_of[seat] = slot
                        return True
            return False

        for slot in order:
            if not augment(slot, set()):
                return None
        return seat_of

    def day_for(self, key: str, kind: str, year: int, taken: list[tuple[date, date]]) -> date | None:
        person = self.b.p(key)
        spec = _SHORTS[kind]
        for _ in range(10):
            start = _weekday_on_or_after(self.b.random_day(year, (1, 11)))
            end = start + timedelta(days=spec.days[1] - 1)
            if start.year != year or not person.on_roll(start) or not person.on_roll(end):
                continue
            if not person.is_free(start - timedelta(days=1), end + timedelta(days=1)):
                continue
            if any(not (end < s - timedelta(days=1) or start > e + timedelta(days=1)) for s, e in taken):
                continue
            return start
        return None

    # A listed data builder: this search draws from the seeded generator in a fixed order, and
    # splitting it would change the order of the draws and with it every seed's demo data.
    def place(self, counts: Counter[str]) -> list[tuple[str, date]] | None:  # noqa: C901
        rng = self.rng
        n = len(self.slots)
        # Initial: each person's courses onto slots they may attend, hardest slots first.
        seats = [k for k, c in counts.items() for _ in range(c)]
        order = sorted(range(n), key=lambda i: (len(self.eligible[self.slots[i]]), rng.random()))
        assign: list[tuple[str, date] | None] = [None] * n
        taken: dict[str, list[tuple[date, date]]] = {}
        stats: Counter[str] = Counter()

        def span(index: int, start: date) -> tuple[date, date]:
            kind, _year = self.slots[index]
            return start, start + timedelta(days=_SHORTS[kind].days[1] - 1)

        def put(index: int, key: str, start: date) -> None:
            assign[index] = (key, start)
            taken.setdefault(key, []).append(span(index, start))
            stats.update(self.features(key, start))

        def lift(index: int) -> tuple[str, date]:
            found = assign[index]
            assert found is not None
            key, start = found
            taken[key].remove(span(index, start))
            stats.subtract(self.features(key, start))
            assign[index] = None
            return found

        matched = self.match(seats, order)
        if matched is None:
            return None
        for index in order:
            kind, year = self.slots[index]
            key = seats[matched[index]]
            start = self.day_for(key, kind, year, taken.get(key, []))
            if start is None:
                return None
            put(index, key, start)

        def cost() -> int:
            return sum(abs(stats[name] - self.need[name]) for name in self.STATS)

        value = cost()
        temperature = 1.0
        totals = Counter({k: self.base[k] + c for k, c in counts.items()})
        same_gender = {
            key: [k for k in self.people_keys if k != key and self.b.p(k).female == self.b.p(key).female]
            for key in self.people_keys
        }
        former = {k for k in self.people_keys if self.b.p(k).role.former}
        for step in range(12000):
            if value == 0:
                return [a for a in assign if a is not None]
            if step % 500 == 499:
                temperature = max(0.05, temperature * 0.85)
            first = rng.randrange(n)
            move = rng.random()
            if move < 0.3:
                # Hand a course to someone of the same gender who attends one fewer: the
                # per-person distribution and the gender split stay exact.
                giver, old_start = assign[first] or ("", date.min)
                if giver in former:
                    continue
                kind, year = self.slots[first]
                takers = [
                    k
                    for k in same_gender[giver]
                    if k not in former and totals[k] == totals[giver] - 1 and k in self.eligible[(kind, year)]
                ]
                if not takers:
                    continue
                taker = rng.choice(takers)
                lift(first)
                start = self.day_for(taker, kind, year, taken.get(taker, []))
                if start is None:
                    put(first, giver, old_start)
                    continue
                put(first, taker, start)
                new = cost()
                if new <= value or rng.random() < math.exp((value - new) / temperature):
                    value = new
                    totals[giver] -= 1
                    totals[taker] += 1
                else:
                    lift(first)
                    put(first, giver, old_start)
                continue
            if move < 0.5:
                # Another day for the same course.
                key, old_start = lift(first)
                kind, year = self.slots[first]
                start = self.day_for(key, kind, year, taken.get(key, []))
                put(first, key, start or old_start)
                if start is None:
                    continue
                new = cost()
                if new <= value or rng.random() < math.exp((value - new) / temperature):
                    value = new
                else:
                    lift(first)
                    put(first, key, old_start)
                continue
            second = rng.randrange(n)
            a, b = assign[first], assign[second]
            assert a is not None
            assert b is not None
            if a[0] == b[0]:
                continue
            if b[0] not in self.eligible[self.slots[first]] or a[0] not in self.eligible[self.slots[second]]:
                continue
            lift(first)
            lift(second)
            start_b = self.day_for(b[0], *self.slots[first], taken.get(b[0], []))
            start_a = self.day_for(a[0], *self.slots[second], taken.get(a[0], []))
            if start_a is None or start_b is None:
                put(first, *a)
                put(second, *b)
                continue
            put(first, b[0], start_b)
            put(second, a[0], start_a)
            new = cost()
            if new <= value or rng.random() < math.exp((value - new) / temperature):
                value = new
            else:
                lift(first)
                lift(second)
                put(first, *a)
                put(second, *b)
        return [a for a in assign if a is not None] if value == 0 else None


# ------------------------------------------------------------------------------------ plan


def _with_unit_facts(ops: list[_Op]) -> list[_Op]:
    """The plan's commands with the unit facts (``_UNIT_FACTS``) in recording order. They take no
    random draw, so the rest of the plan is the same for a seed as it was without them."""
    merged = list(ops)
    for kind, args, at in _UNIT_FACTS:
        index = next((i for i, op in enumerate(merged) if op.at is not None and op.at > at), len(merged))
        merged.insert(index, _Op("", kind, args["on"], dict(args), lag="at", at=at, by=KEY_HR[0]))
    return merged


def build_plan(seed: int = DEFAULT_SEED, snapshot: date = SNAPSHOT) -> DemoPlan:
    """The demo agency as a list of commands in recording order (pure: no store, no clock)."""
    if snapshot != SNAPSHOT:
        raise ValueError(
            f"The demo agency is defined at {SNAPSHOT.isoformat()}; its figures (docs/domain.md §3.10) "
            f"hold on that date, not on {snapshot.isoformat()}."
        )
    builder = _Builder(seed)
    builder.build_people()
    builder.build_registrations()
    builder.build_careers()
    builder.build_credential_courses()
    builder.build_masters()
    builder.build_short_courses()
    builder.assign_modes()
    builder.build_out_of_scope()
    builder.build_course_ops()
    kht = builder.build_ratings()
    builder.build_post_training()
    ops = _with_unit_facts(builder.assign_recording_times())
    people = builder.people
    ids = {key: person.staff_id for key, person in people.items()}
    edge_cases = {
        "1_pho_truong_phong_without_division_leadership": (ids["PTP_NV1_B"],),
        "2_young_female_pho_truong_phong_2025": (ids["PTP_NV2"],),
        "3_pho_truong_phong_political_theory_in_progress": (ids["PTP_TTKT"],),
        "4_truong_phong_cv_rank_cv_certificate_only": (ids["TP_NV3"],),
        "5_division_leaders_without_defense_security": (ids["PTP_NV1_B"], ids["PTP_TTKT"], ids["PTP_NV2"]),
        "6_recruits_2025_without_cv_programme": (ids["REC_M"], ids["REC_F"]),
        "7_bachelor_and_advanced_political_theory": (ids["CT"],),
        "8_equivalence_certificate_2015": (ids["CVC_NV3"],),
        "9_truong_phong_llct_hanh_chinh_2012": (ids["TP_NV1"],),
        "10_withdrawn_then_reenrolled": (ids["CVF_C"],),
        "11_master_transferred_with_consent": (ids["F_CVC"],),
        "12_old_level_3_label_2019": tuple(
            ids[o.staff_key]
            for o in ops
            if o.kind == "evaluate" and o.args.get("year") == 2019 and o.args.get("notes") == _OLD_LEVEL_3
        ),
        "rated_not_completed_2021_2025": tuple(ids[k] for k in kht),
        "rotated_out_2019_2022": (ids["PCT_A"],),
        "rotated_in_2023": (ids["TP_TTKT"],),
        "transferred_in_2021": (ids["TP_NV1"],),
        "technical_worker_then_intermediate": (ids["HD_2"],),
        "retired_without_training_2024": (ids["F_TP_OLD"],),
    }
    pool = tuple(ids[k] for k in _POOL_2020 + _POOL_2023)
    plan = DemoPlan(seed, people, builder.courses, ops, edge_cases, pool)
    misses = plan_misses(plan)
    if misses:
        raise RuntimeError(f"the demo plan of seed {seed} misses its figures: {'; '.join(misses)}")
    return plan


def plan_misses(plan: DemoPlan) -> list[str]:
    """Where the plan's own statistics differ from :data:`TARGETS` (empty when exact). The tests
    check the loaded log independently; this stops a seed that would miss before anything is
    recorded."""
    t = TARGETS
    stats = plan_statistics(plan)
    expected: dict[str, Any] = {
        "attendances": t["attendances"],
        "by_track": Counter(t["attendances_by_track"]),
        "by_year_track": Counter(
            {
                (y, track): n
                for y, row in t["attendances_by_year_and_track"].items()
                for track, n in row.items()
            }
        ),
        "status": Counter(t["attendance_status"]),
        "mode": Counter(t["attendance_mode"]),
        "funding": Counter(t["attendance_funding"]),
        "abroad": t["attendance_abroad"],
        "female": t["attendance_gender"]["female"],
        "young": t["attendance_young"],
        "young_female": t["attendance_young_female"],
        "post": Counter(t["attendance_post"]),
        "per_current": Counter(t["attendances_per_current_person"]),
        "per_former": t["attendances_per_former_person"],
        "out_of_scope": Counter(t["out_of_scope"]),
        "rated": Counter({(y, r): n for y, row in t["annual_ratings"].items() for r, n in row.items() if n}),
    }
    misses = [
        f"{name}: {stats[name]} instead of {value}"
        for name, value in expected.items()
        if stats[name] != value
    ]
    corrections = sum(op.kind == "correct" for op in plan.ops)
    if corrections != CORRECTIONS:
        misses.append(f"{corrections} corrections instead of {CORRECTIONS}")
    return misses


# ------------------------------------------------------------------------------------ load


ProgressCallback = Callable[[int, int], None]


def load_demo(
    ledger: Ledger,
    *,
    seed: int = DEFAULT_SEED,
    snapshot: date = SNAPSHOT,
    on_progress: ProgressCallback | None = None,
) -> DemoSummary:
    """Record the demo agency in ``ledger`` through its own commands and say what was recorded.

    Deterministic: the same seed gives the same events, ids and recording times. Appointments are
    checked against the ledger's rules; one that the configured rules refuse goes ahead with a
    waiver (recorded, and listed in the summary): with the shipped rules none needs one.
    """
    plan = build_plan(seed, snapshot)
    return apply_plan(ledger, plan, on_progress=on_progress)


def apply_plan(ledger: Ledger, plan: DemoPlan, *, on_progress: ProgressCallback | None = None) -> DemoSummary:
    results: dict[str, WriteResult] = {}
    waived: list[str] = []
    corrections: list[str] = []
    tagged: dict[str, list[str]] = {"cdvt": [], "move": []}
    first = last = 0
    total = len(plan.ops)
    events = 0
    for done, op in enumerate(plan.ops, start=1):
        if op.kind in UNIT_FACT_KINDS:
            fact = getattr(ledger, op.kind)(**op.args, recorded_by=op.by, recorded_at=op.at)
            events += fact.events
            first = first or fact.position
            last = fact.position
            continue
        events += 1
        result = _apply(ledger, plan, op, results, waived)
        if op.key:
            results[op.key] = result
        if op.kind == "correct":
            corrections.append(result.event_id)
        if op.tag is not None:
            tagged[op.tag].append(result.event_id)
        first = first or result.position
        last = result.position
        if on_progress is not None and (done % 50 == 0 or done == total):
            on_progress(done, total)
    people = plan.people
    current = tuple(sorted(p.staff_id for p in people.values() if not p.role.former))
    former = tuple(sorted(p.staff_id for p in people.values() if p.role.former))
    return DemoSummary(
        seed=plan.seed,
        snapshot=SNAPSHOT,
        agency=AGENCY,
        agency_renamed=AGENCY_RENAMED,
        agency_renamed_on=AGENCY_RENAMED_ON,
        staff_ids=tuple(sorted(current + former)),
        current_staff_ids=current,
        former_staff_ids=former,
        events=events,
        first_position=first,
        last_position=last,
        edge_cases=plan.edge_cases,
        planning_pool=plan.planning_pool,
        corrections=tuple(corrections),
        waived_appointments=tuple(waived),
        job_rotations=tuple(tagged["cdvt"]),
        internal_moves=tuple(tagged["move"]),
        names={p.staff_id: p.full_name for p in people.values()},
    )


def _apply(
    ledger: Ledger, plan: DemoPlan, op: _Op, results: dict[str, WriteResult], waived: list[str]
) -> WriteResult:
    person = plan.person(op.staff_key)
    staff_id = person.staff_id
    at = op.at
    by = op.by
    args = dict(op.args)
    if op.kind == "register":
        return ledger.register(**args, recorded_by=by, recorded_at=at)
    if op.kind == "recognize":
        return ledger.recognize_credential(staff_id, **args, recorded_by=by, recorded_at=at)
    if op.kind == "enroll":
        return ledger.enroll(staff_id, **args, recorded_by=by, recorded_at=at)
    if op.kind == "complete":
        enrollment_id = args.pop("enrollment_id")
        return ledger.complete(staff_id, enrollment_id, **args, recorded_by=by, recorded_at=at)
    if op.kind == "withdraw":
        enrollment_id = args.pop("enrollment_id")
        return ledger.withdraw(staff_id, enrollment_id, **args, recorded_by=by, recorded_at=at)
    if op.kind == "rotate":
        return ledger.rotate(staff_id, **args, recorded_by=by, recorded_at=at)
    if op.kind == "plan":
        return ledger.plan(staff_id, **args, recorded_by=by, recorded_at=at)
    if op.kind == "evaluate":
        return ledger.evaluate(staff_id, **args, recorded_by=by, recorded_at=at)
    if op.kind == "depart":
        return ledger.depart(staff_id, **args, recorded_by=by, recorded_at=at)
    if op.kind == "correct":
        assert op.voids is not None
        return ledger.correct(
            staff_id,
            event_id=results[op.voids].event_id,
            reason=args["reason"],
            recorded_by=by,
            recorded_at=at,
        )
    if op.kind == "appoint":
        args.pop("reappointment", None)
        try:
            return ledger.appoint(staff_id, **args, recorded_by=by, recorded_at=at)
        except errors.RequirementsNotMet as refused:
            # The configured rules are stricter than the shipped ones: go ahead as an agency
            # would, with a waiver that gives a year to meet the standard.
            effective: date = args["effective_on"]
            missing = ", ".join(f"{u.track} {u.required_level}" for u in refused.unmet if u.blocking)
            result = ledger.appoint(
                staff_id,
                **args,
                waiver=Waiver(
                    legal_basis="Quyết định bổ nhiệm trong trường hợp đặc biệt của cấp có thẩm quyền",
                    deadline=_add_months(effective, 12),
                    reason=f"Bổ sung tiêu chuẩn còn thiếu ({missing}) trong 12 tháng",
                ),
                recorded_by=by,
                recorded_at=at,
            )
            waived.append(result.event_id)
            return result
    raise ValueError(f"unknown demo command {op.kind}")


def plan_statistics(plan: DemoPlan) -> dict[str, Any]:
    """The figures the plan should produce, computed from the plan itself (a self-check)."""
    people = plan.people
    scope = [c for c in plan.courses if c.in_scope]
    per_person = Counter(c.person for c in scope)
    current = [p for p in people.values() if not p.role.former]
    stats: dict[str, Any] = {
        "attendances": len(scope),
        "by_track": Counter(c.track.value for c in scope),
        "by_year_track": Counter((c.starts_on.year, c.track.value) for c in scope),
        "status": Counter(c.status for c in scope),  # completed, enrolled (in progress), withdrawn
        "mode": Counter(c.mode.value for c in scope),
        "funding": Counter(c.funding.value for c in scope),
        "abroad": sum(c.country != "VN" for c in scope),
        "female": sum(people[c.person].female for c in scope),
        "young": sum(people[c.person].age_on(c.starts_on) < 35 for c in scope),
        "young_female": sum(
            people[c.person].female and people[c.person].age_on(c.starts_on) < 35 for c in scope
        ),
        "post": Counter(people[c.person].post_kind_on(c.starts_on) for c in scope),
        "per_current": Counter(per_person[p.key] for p in current),
        "per_former": sorted(
            (per_person[p.key] for p in people.values() if p.role.former and per_person[p.key]), reverse=True
        ),
        "out_of_scope": Counter(c.track.value for c in plan.courses if not c.in_scope),
        "rated": Counter(
            (o.args["year"], o.args["rating"].value)
            for o in plan.ops
            if o.kind == "evaluate"
            and o.args.get("kind") == EvaluationKind.ANNUAL
            and o.key != "wrong-rating"
        ),
        "events": len(plan.ops),
    }
    return stats


def demo_digest(plan: DemoPlan) -> str:
    """A fingerprint of every command of the plan with its recording time and key: equal digests,
    equal logs (the test that the plan does not depend on the process, e.g. on hash seeds)."""
    digest = hashlib.sha256()
    for op in plan.ops:
        at = op.at.isoformat() if op.at else ""
        args = sorted((name, repr(value)) for name, value in op.args.items())
        digest.update(repr((op.staff_key, op.kind, at, op.by, op.voids, args)).encode())
    return digest.hexdigest()


def describe_targets() -> Iterable[str]:
    """One line per headline figure, for the CLI and docs."""
    t = TARGETS
    yield f"{t['on_roll']} on the roll at {SNAPSHOT.isoformat()} ({t['female_on_roll']} women)"
    prof = t["professional"]
    yield (
        f"Highest professional level: Thạc sĩ {prof['master']}, Đại học {prof['bachelor']}, Cao đẳng "
        f"{prof['college']}, Trung cấp {prof['intermediate']} + CNKT {prof['technical_worker']}"
    )
    llct = t["political_theory"]
    yield (
        f"Political theory: Cử nhân {llct['bachelor']}, Cao cấp {llct['advanced']}, "
        f"Trung cấp {llct['intermediate']}"
    )
    by_track = t["attendances_by_track"]
    yield (
        f"{t['attendances']} attendances (lượt) since 2019: political theory {by_track['political_theory']}, "
        f"state management {by_track['state_management']}, leadership {by_track['leadership']}"
    )
