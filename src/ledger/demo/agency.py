"""The organisation of the demo agency: its units, posts, ranks, the keys that record, and the
training providers. Pure data, the same for every seed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

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
# became is a unit, into which the neighbouring Cục Thuế tỉnh Đông Hải merged (UNIT_FACTS).
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
UNIT_FACTS: tuple[tuple[str, dict[str, Any], datetime], ...] = (
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
UNIT_FACT_KINDS = frozenset(kind for kind, _, _ in UNIT_FACTS)

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
