"""The training history as tables: the opening balance of each dossier, the courses that award a
level, how many short and out-of-scope courses each year holds, and the ratings' counts. Pure data."""

from __future__ import annotations

from ledger.demo.targets import TARGETS
from ledger.domain.catalog import Rating, Track

# Opening balance besides the professional degree: (track, level, year issued, title).
OPENINGS: dict[str, tuple[tuple[Track, str, int, str], ...]] = {}


def _open(*items: tuple[Track, str, int, str]) -> tuple[tuple[Track, str, int, str], ...]:
    return items


_LT, _QL, _LD, _QP = Track.POLITICAL_THEORY, Track.STATE_MANAGEMENT, Track.LEADERSHIP, Track.DEFENSE_SECURITY
_TC_TITLE = "Trung cấp lý luận chính trị"
CC_TITLE = "Cao cấp lý luận chính trị"
OPENINGS.update(
    {
        "CT": _open(
            (_LT, "intermediate", 1998, _TC_TITLE),
            (_LT, "advanced", 2003, CC_TITLE),
            (_LT, "bachelor", 2010, "Cử nhân chính trị"),
            (_QL, "principal", 2008, "Chứng chỉ bồi dưỡng ngạch chuyên viên chính"),
            (_LD, "division", 2006, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp phòng"),
            (_LD, "department", 2014, "Chứng chỉ bồi dưỡng lãnh đạo, quản lý cấp sở và tương đương"),
            (_QP, "group2", 2016, "Giấy chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 2"),
        ),
        "PCT_A": _open(
            (_LT, "advanced", 2012, CC_TITLE),
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
            (_LT, "advanced", 2016, CC_TITLE),
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
            (_LT, "advanced", 2008, CC_TITLE),
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
CREDENTIAL_COURSES: tuple[tuple[str, str, int, tuple[int, int]], ...] = (
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
CV_PER_YEAR = {2019: 5, 2020: 4, 2021: 4, 2022: 5, 2023: 5, 2024: 4, 2025: 3}
# fmt: off
CV_TAKERS = (
    "PTP_NV1_B", "PTP_TTKT", "PTP_NV2", "CVM_A", "CVM_B", "THS_M", "CVM_C", "CVM_D", "CVM_E", "CVM_F",
    "CVM_G", "CVM_H", "CVM_J", "CVM_K", "CVM_L", "CVF_A", "THS_F", "CVF_B", "CVF_D", "CVF_F", "CVF_G",
    "CVF_H", "CVF_I", "CVF_J", "CVF_K", "CVF_L", "CVF_M", "F_CV_T",
)  # plus CVF_C: withdrawn 2021 (maternity), re-enrolled 2022
# fmt: on
# Latest start year for those who took the CV programme before an appointment.
CV_BEFORE = {
    "PTP_NV1_B": (2020, 2021),
    "PTP_TTKT": (2019, 2022),
    "PTP_NV2": (2019, 2024),
    "F_CV_T": (2020, 2020),
}

# Short in-scope courses (no level): per year, political theory updates and leadership skills.
LLCT_SHORT_PER_YEAR = {2019: 4, 2020: 4, 2021: 2, 2022: 4, 2023: 4, 2024: 5, 2025: 3}
LEAD_SHORT_PER_YEAR = {2019: 6, 2020: 5, 2021: 6, 2022: 9, 2023: 12, 2024: 13, 2025: 10}
PARTY_AWARENESS_YEARS = (2019, 2020, 2022, 2023, 2024, 2025)
# Short courses of former staff, so that they attended 4, 3, 2, 2, 1 in-scope courses.
FORMER_SHORTS = {"F_PCT": 3, "F_TP": 3, "F_CV_T": 1, "F_CV_R": 1, "F_CVC": 0, "F_TP_OLD": 0}

# Out-of-scope courses (§3.7).
# fmt: off
QPAN3 = (
    ("TP_TCHC", 2020), ("TP_NV2", 2019), ("TP_NV3", 2020), ("TP_KHTC", 2019), ("PTP_TCHC_A", 2021),
    ("PTP_TCHC_B", 2022), ("PTP_NV1_A", 2020), ("PTP_NV3", 2020), ("PTP_KHTC", 2021), ("F_TP", 2019),
)
# fmt: on
QPAN2 = (("PCT_A", 2021), ("PCT_B", 2023))
MASTERS = (  # (person, start year, months, months of study)
    ("TP_NV2", 2019, (1, 2), 21),
    ("F_CVC", 2019, (9, 10), 24),
    ("THS_M", 2020, (9, 10), 24),
    ("THS_F", 2022, (10, 10), 23),
)
VTVL_PER_YEAR = {2019: 14, 2020: 11, 2021: 11, 2022: 14, 2023: 15, 2024: 16, 2025: 14}
IT_PER_YEAR = {2019: 2, 2020: 4, 2021: 4, 2022: 3, 2023: 3, 2024: 2, 2025: 2}
FL_YEARS = (2019, 2021, 2023, 2024)
PARTY_WORK_YEARS = (2019, 2020, 2021, 2022, 2023, 2023, 2024, 2025)

# Annual ratings (§3.8): per year, how many excellent / completed / not completed; the rest good.
RATINGS = {
    year: (t["excellent"], t["completed"], t["not_completed"])
    for year, t in TARGETS["annual_ratings"].items()
}
OLD_LEVEL_3 = (
    "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực "
    "(Nghị định 56/2015/NĐ-CP, sửa đổi bởi Nghị định 88/2017/NĐ-CP)"
)
APPLIED = {
    Rating.EXCELLENT: "Áp dụng tốt vào công việc",
    Rating.GOOD: "Có áp dụng vào công việc",
    Rating.COMPLETED: "Ít áp dụng vào công việc",
    Rating.NOT_COMPLETED: "Không áp dụng vào công việc",
}
