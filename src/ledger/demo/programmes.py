"""The programmes and short courses the demo's staff attend: codes, titles, providers, lengths and
costs. Pure data."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.demo.agency import (
    AGENCY,
    AGENCY_PARTY,
    FINANCE_SCHOOL,
    HCMA_REGION,
    MILITARY_REGION_SCHOOL,
    MILITARY_SCHOOL,
    NAPA,
    POLITICAL_CENTRE,
    POLITICAL_SCHOOL,
    TAX_SCHOOL,
)
from ledger.domain.catalog import Mode, Track


@dataclass(frozen=True)
class Programme:
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


PROGRAMMES: dict[str, Programme] = {
    "tc": Programme(
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
    "cc": Programme(
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
    "cvcc": Programme(
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
    "cvc": Programme(
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
    "cvc_open": Programme(
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
    "cv": Programme(
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
    "phong": Programme(
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
    "so": Programme(
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
    "qpan3": Programme(
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
    "qpan2": Programme(
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
    "it_basic": Programme(
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
    "it_advanced": Programme(
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
    "fl": Programme(
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
class ShortSpec:
    code: str
    track: Track
    titles: tuple[str, ...]
    providers: tuple[str, ...]
    days: tuple[int, int]
    titles_from_2022: tuple[str, ...] = ()

    def titles_for(self, year: int) -> tuple[str, ...]:
        return self.titles + (self.titles_from_2022 if year >= 2022 else ())


SHORTS: dict[str, ShortSpec] = {
    "llct": ShortSpec(
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
    "party": ShortSpec(
        "LLCT-NTD",
        Track.POLITICAL_THEORY,
        ("Bồi dưỡng nhận thức về Đảng", "Bồi dưỡng lý luận chính trị cho đảng viên mới"),
        (POLITICAL_CENTRE,),
        (5, 5),
    ),
    "lead": ShortSpec(
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

ABROAD = (
    (2019, "SG", "Civil Service College Singapore", "Bồi dưỡng kỹ năng lãnh đạo khu vực công tại Singapore"),
    (
        2023,
        "KR",
        "KDI School of Public Policy and Management",
        "Bồi dưỡng kỹ năng lãnh đạo, quản lý tại Hàn Quốc",
    ),
)

VTVL = ShortSpec(
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
VTVL_WORKERS = ShortSpec(
    "VTVL", Track.OTHER, ("Bồi dưỡng an toàn lao động, phòng cháy chữa cháy",), (AGENCY,), (2, 3)
)
VTVL_NEWCOMER = ShortSpec(
    "VTVL", Track.OTHER, ("Bồi dưỡng nghiệp vụ cho công chức mới tuyển dụng",), (TAX_SCHOOL,), (5, 5)
)
PARTY_WORK = (
    ShortSpec("CTD", Track.OTHER, ("Bồi dưỡng nghiệp vụ công tác Đảng",), (POLITICAL_SCHOOL,), (3, 5)),
    ShortSpec(
        "CTDT",
        Track.OTHER,
        ("Bồi dưỡng nghiệp vụ công tác Công đoàn", "Bồi dưỡng nghiệp vụ công tác Đoàn thanh niên"),
        ("Liên đoàn Lao động tỉnh An Khánh", "Tỉnh đoàn An Khánh"),
        (2, 4),
    ),
)
