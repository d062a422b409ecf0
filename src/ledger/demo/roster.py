"""Who works at the demo agency, and what happens to their posts and units: the roles, the moves,
appointments, departures and the planning pool. Pure data, the same for every seed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledger.demo.agency import (
    BINH_SON,
    CS,
    CT,
    CV,
    CVC,
    DONG_HAI,
    KHTC,
    LEAD,
    LONG_GIANG,
    NV1,
    NV2,
    NV3,
    PCT,
    PTP,
    RANK_CS,
    RANK_CV,
    RANK_CVC,
    RANK_CVCC,
    RANK_NV,
    TCHC,
    TP,
    TTKT,
)
from ledger.domain.catalog import DepartureCategory, Employment, Gender


@dataclass(frozen=True)
class Role:
    """One person of the agency, fixed for every seed (the seed picks names and days)."""

    key: str
    gender: Gender
    born: int
    unit: str  # unit on the snapshot (on departure for former staff)
    position: str  # post when registered: on go-live for those already on the roll
    rank: str | None
    prof: str  # opening professional qualification: see dossier._professional_openings
    joined: int
    joined_month: int | None = None
    born_months: tuple[int, int] = (1, 12)
    employment: Employment = Employment.CIVIL_SERVANT
    reg_unit: str | None = None  # unit when registered, if not `unit`
    former: bool = False


M, F = Gender.MALE, Gender.FEMALE
_HD = Employment.CONTRACT

ROLES: tuple[Role, ...] = (
    # Agency leadership
    Role("CT", M, 1966, LEAD, CT, RANK_CVCC, "ThS", 1989),
    Role("PCT_A", F, 1973, LEAD, PCT, RANK_CVC, "ThS", 1996),
    Role("PCT_B", M, 1969, LEAD, TP, RANK_CVC, "ThS", 1993, reg_unit=NV1),
    # Heads of division
    Role("TP_TCHC", M, 1975, TCHC, TP, RANK_CVC, "ThS", 1999),
    Role("TP_NV1", M, 1977, NV1, PTP, RANK_CVC, "ĐH", 2021, 8, reg_unit=BINH_SON),
    Role("TP_NV2", F, 1981, NV2, PTP, RANK_CVC, "ThS*", 2005),
    Role("TP_NV3", M, 1978, NV3, PTP, RANK_CV, "ĐH", 2002),
    Role("TP_TTKT", M, 1979, TTKT, TP, RANK_CVC, "ThS", 2023, 3, reg_unit=DONG_HAI),
    Role("TP_KHTC", M, 1968, KHTC, TP, RANK_CVC, "ĐH", 1992),
    # Deputy heads of division
    Role("PTP_TCHC_A", F, 1976, TCHC, PTP, RANK_CVC, "ĐH", 2000),
    Role("PTP_TCHC_B", M, 1985, TCHC, CV, RANK_CV, "ĐH", 2009),
    Role("PTP_NV1_A", M, 1979, NV1, PTP, RANK_CVC, "ThS", 2003),
    Role("PTP_NV1_B", M, 1980, NV1, CV, RANK_CV, "ĐH", 2005),
    Role("PTP_TTKT", M, 1984, TTKT, CV, RANK_CV, "ĐH", 2008),
    Role("PTP_NV3", F, 1986, NV3, CV, RANK_CV, "ĐH", 2009),
    Role("PTP_NV2", F, 1992, NV2, CV, RANK_CV, "ĐH", 2015, born_months=(1, 2)),
    Role("PTP_KHTC", M, 1972, KHTC, PTP, RANK_CV, "ĐH", 1996),
    # Principal specialists without a post
    Role("CVC_NV1", M, 1972, NV1, CVC, RANK_CVC, "ĐH", 1996),
    Role("CVC_KHTC", F, 1978, KHTC, CVC, RANK_CVC, "ĐH", 2001),
    Role("CVC_NV3", M, 1966, NV3, CVC, RANK_CVC, "ĐH", 1990),
    # Specialists: men
    Role("REC_M", M, 2001, NV1, CV, RANK_CV, "ĐH", 2025, 3),
    Role("CVM_A", M, 1997, NV1, CV, RANK_CV, "ĐH", 2019, 2, born_months=(1, 1), reg_unit=TTKT),
    Role("CVM_B", M, 1996, NV3, CV, RANK_CV, "ĐH", 2018, 10, reg_unit=KHTC),
    Role("THS_M", M, 1991, NV3, CV, RANK_CV, "ThS*", 2014, 9),
    Role("CVM_C", M, 1993, NV2, CV, RANK_CV, "ĐH", 2016, 3, born_months=(1, 6), reg_unit=TTKT),
    Role("CVM_D", M, 1995, TTKT, CV, RANK_CV, "ĐH", 2018, 4, born_months=(1, 3), reg_unit=NV1),
    Role("CVM_E", M, 1986, TTKT, CV, RANK_CV, "ĐH", 2011),
    Role("CVM_F", M, 1988, KHTC, CV, RANK_CV, "ĐH", 2012),
    Role("CVM_G", M, 1987, KHTC, CV, RANK_CV, "ĐH", 2010),
    Role("CVM_H", M, 1989, NV3, CV, RANK_CV, "ĐH", 2013, reg_unit=NV1),
    Role("CVM_I", M, 1982, NV1, CV, RANK_CV, "ĐH", 2006),
    Role("CVM_J", M, 1983, TTKT, CV, RANK_CV, "ĐH", 2007),
    Role("CVM_K", M, 1981, NV1, CV, RANK_CV, "ĐH", 2005, reg_unit=NV3),
    Role("CVM_L", M, 1971, NV2, CV, RANK_CV, "ĐH", 1997),
    # Specialists: women
    Role("REC_F", F, 2002, NV3, CV, RANK_CV, "ĐH", 2025, 4),
    Role("CVF_A", F, 1996, TTKT, CV, RANK_CV, "ĐH", 2018, 9, born_months=(1, 6), reg_unit=NV2),
    Role("THS_F", F, 1993, NV2, CV, RANK_CV, "ThS*", 2016, 7, reg_unit=KHTC),
    Role("CVF_B", F, 1993, NV3, CV, RANK_CV, "ĐH", 2015, 8, born_months=(1, 6), reg_unit=KHTC),
    Role("CVF_C", F, 1991, NV1, CV, RANK_CV, "ĐH", 2014, reg_unit=NV3),
    Role("CVF_D", F, 1994, TTKT, CV, RANK_CV, "ĐH", 2017),
    Role("CVF_E", F, 1987, NV2, CV, RANK_CV, "ĐH", 2010),
    Role("CVF_F", F, 1989, KHTC, CV, RANK_CV, "ĐH", 2012),
    Role("CVF_G", F, 1988, NV1, CV, RANK_CV, "ĐH", 2011, reg_unit=NV2),
    Role("CVF_H", F, 1990, NV2, CV, RANK_CV, "ĐH", 2013, reg_unit=TTKT),
    Role("CVF_I", F, 1983, TCHC, CV, RANK_CV, "ĐH", 2006),
    Role("CVF_J", F, 1984, NV3, CV, RANK_CV, "ĐH", 2007, reg_unit=TTKT),
    Role("CVF_K", F, 1979, TTKT, CV, RANK_CV, "ĐH", 2003, reg_unit=NV2),
    Role("CVF_L", F, 1973, KHTC, CV, RANK_CV, "ĐH", 1997),
    Role("CVF_M", F, 1970, NV2, CV, RANK_CV, "ĐH", 1994, born_months=(6, 12), reg_unit=NV3),
    # Officers (cán sự) and clerks (nhân viên)
    Role("CS_1", F, 1997, TCHC, CS, RANK_CS, "ĐH", 2019, 3, born_months=(1, 2), reg_unit=KHTC),
    Role("CS_2", F, 1983, NV2, CS, RANK_CS, "CĐ", 2006),
    Role("CS_3", M, 1973, KHTC, CS, RANK_CS, "CĐ", 1996),
    Role("NV_1", F, 1978, TCHC, "Nhân viên văn thư", RANK_NV, "TC", 2001),
    Role("NV_2", M, 1987, TCHC, "Nhân viên lưu trữ", RANK_NV, "TC", 2010),
    # Contract workers (hợp đồng lao động, NĐ 111/2022)
    Role("HD_1", M, 1973, TCHC, "Lái xe", None, "CNKT", 2001, employment=_HD),
    Role("HD_2", M, 1983, TCHC, "Lái xe", None, "CNKT+TC", 2006, employment=_HD),
    Role("HD_3", M, 1967, TCHC, "Bảo vệ", None, "CNKT", 1998, employment=_HD),
    Role("HD_4", M, 1992, TCHC, "Bảo vệ", None, "TC", 2016, employment=_HD),
    Role("HD_5", F, 1974, TCHC, "Nhân viên tạp vụ", None, "TC", 2004, employment=_HD),
    Role("HD_6", M, 1988, TCHC, "Nhân viên kỹ thuật", None, "CNKT", 2012, employment=_HD),
    Role("HD_7", F, 1998, TCHC, "Nhân viên công nghệ thông tin", None, "ĐH", 2021, 5, employment=_HD),
    # Former staff (departed before the snapshot)
    Role("F_PCT", M, 1961, LEAD, PCT, RANK_CVC, "ThS", 1985, born_months=(3, 3), former=True),
    Role("F_TP", M, 1962, TTKT, TP, RANK_CVC, "ĐH", 1986, born_months=(5, 5), former=True),
    Role("F_TP_OLD", M, 1963, NV2, TP, RANK_CVC, "ĐH", 1987, born_months=(11, 11), former=True),
    Role("F_CVC", M, 1985, NV2, CVC, RANK_CVC, "ĐH", 2008, former=True),
    Role("F_CV_T", F, 1983, KHTC, CV, RANK_CV, "ĐH", 2008, former=True),
    Role("F_CV_R", F, 1968, NV3, CV, RANK_CV, "ĐH", 1991, born_months=(7, 7), former=True),
)

# The staff ids follow seniority (year joined, then this table's order), the same for every seed.
ZERO_ATTENDANCE = ("REC_M", "REC_F", "HD_1", "HD_2", "HD_3", "HD_4", "HD_5", "HD_6", "HD_7")

# Succession-planning pool for deputy head of division (12 non-leaders; docs/domain.md §3.5).
POOL_2020 = ("CVC_KHTC", "CVM_I", "CVF_E", "CVM_E", "THS_M", "CVF_F", "CVM_J", "CVM_G")
POOL_2023 = ("CVF_B", "THS_F", "CVM_F", "CVM_C")

# Unit moves within the agency: (person, effective day, destination, kind). "cdvt" is the
# anti-corruption job rotation (chuyển đổi vị trí công tác, after 24–60 months in the post),
# "move" an ordinary move between divisions.
MOVES: tuple[tuple[str, date, str, str], ...] = (
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
APPOINTMENTS: tuple[tuple[str, date, str, bool, bool], ...] = (
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
DEPARTURES: tuple[tuple[str, date, DepartureCategory, str, str | None], ...] = (
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
