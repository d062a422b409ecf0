"""Words of the BM01/BNV form's page and files (Vietnamese first, English second), merged into
the pages' one translation table (``api.pages.i18n.TEXT``). The form's column headings are
``projections.forms.BM01_GROUPS``' own labels."""

from __future__ import annotations

BM01_TEXT: dict[str, tuple[str, str]] = {
    "nav.bm01": ("Biểu BM01/BNV", "Form BM01/BNV"),
    "bm01.title": (
        "Thống kê số lượng, chất lượng công chức (Biểu mẫu BM01/BNV)",
        "Numbers and quality of civil servants (form BM01/BNV)",
    ),
    "bm01.form_title": (
        "BIỂU MẪU BM01/BNV – THỐNG KÊ SỐ LƯỢNG, CHẤT LƯỢNG CÔNG CHỨC",
        "BIỂU MẪU BM01/BNV – Numbers and quality of civil servants",
    ),
    "bm01.basis": (
        "(Theo Thông tư số 11/2012/TT-BNV của Bộ Nội vụ)",
        "(Thông tư 11/2012/TT-BNV of the Ministry of Home Affairs)",
    ),
    "bm01.intro": (
        "Người trong danh sách vào ngày thống kê (mặc định 31/12 của năm trước), mỗi đơn vị một "
        "dòng và dòng tổng cộng; mỗi người tính một lần trong mỗi nhóm cột, theo trình độ cao nhất.",
        "Staff on the roll on the date (by default 31 December of last year), one row per unit and "
        "a total row; each person counts once in each group of columns, under their highest level.",
    ),
    "bm01.agency": ("Cơ quan, đơn vị", "Agency"),
    "bm01.as_of": ("Số liệu tính đến ngày", "Figures as of"),
    "bm01.index": ("STT", "No."),
    "bm01.unit": ("Đơn vị", "Unit"),
    "bm01.total_row": ("Tổng cộng", "Tổng cộng (total)"),
    "bm01.not_recorded": ("Không ghi nhận", "Không ghi nhận"),
    "bm01.not_recorded_note": (
        "\u201cKhông ghi nhận\u201d: sổ không lưu Đảng viên, dân tộc, tôn giáo, tiếng dân tộc thiểu số; "
        "các cột này không phải bằng 0 mà chưa có số liệu.",
        "\u201cKhông ghi nhận\u201d (not recorded): the ledger holds no Party membership, ethnicity, "
        "religion or ethnic-minority language; those columns are not zero, they are unknown.",
    ),
    "bm01.age_note": (
        "Độ tuổi tính đến ngày thống kê. \u201cTừ 51 đến tuổi nghỉ hưu\u201d và \u201cTrên tuổi "
        "nghỉ hưu\u201d theo tuổi nghỉ hưu của từng người (Bộ luật Lao động 2019, Nghị định "
        "135/2020/NĐ-CP); năm {year}: nam {male}, nữ {female}.",
        "Ages on the date. \u201c51 to retirement age\u201d and \u201cabove retirement age\u201d "
        "use each person's own retirement age (Labour Code 2019, Decree 135/2020/NĐ-CP); in {year}: "
        "men {male}, women {female}.",
    ),
    "bm01.leaders_note": (
        "Lãnh đạo theo chức vụ giữ vào ngày thống kê: cấp Cục (Cục trưởng, Phó Cục trưởng), cấp "
        "phòng (Trưởng phòng, Phó trưởng phòng và tương đương), theo tiêu chuẩn chức danh.",
        "Leaders by the post held on the date: agency level (director, deputy directors), division "
        "level (heads and deputy heads of division and equivalents), by the position standards.",
    ),
    "bm01.age": ("{years} tuổi {months} tháng", "{years} years {months} months"),
    "bm01.age_years": ("{years} tuổi", "{years} years"),
}
