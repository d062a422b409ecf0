"""The import template: the tables, their columns in both languages, and the values each accepts
(``docs/import-records.md`` is written from these tables)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ledger.domain import catalog
from ledger.domain.catalog import DepartureCategory, Employment, Funding, Gender, Mode, Track
from ledger.text import without_diacritics

# ---------------------------------------------------------------------------------------- template


class TableKind(StrEnum):
    STAFF = "staff"
    TRAINING = "training"


class RecordKind(StrEnum):
    CREDENTIAL = "credential"
    ENROLLMENT = "enrollment"


class RowOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Column:
    """One column of the template: its field, its English and Vietnamese headers, other headers
    agencies use for it, and whether the header must be present."""

    field: str
    en: str
    vi: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    description: str = ""


STAFF_COLUMNS: tuple[Column, ...] = (
    Column("staff_id", "staff_id", "Mã cán bộ",
           ("Mã CBCC", "Mã công chức", "Mã nhân viên", "Mã số cán bộ", "Staff code"), True,
           "The agency's staff code: 1 to 40 letters, digits, '.', '_' or '-'."),
    Column("full_name", "full_name", "Họ và tên", ("Họ tên", "Name"), True,
           "Full name, with diacritics."),
    Column("gender", "gender", "Giới tính", ("Sex",), True, "Nam / Nữ, or male / female."),
    Column("birth_date", "birth_date", "Ngày sinh", ("Date of birth",), True, "A date."),
    Column("unit", "unit", "Đơn vị", ("Đơn vị công tác", "Phòng ban"), True, "Home unit."),
    Column("joined_on", "joined_on", "Ngày vào cơ quan",
           ("Ngày tuyển dụng", "Ngày vào làm", "Joined"), True,
           "The date the person joined the agency (the date of the registration)."),
    Column("position", "position", "Chức vụ", ("Chức danh",), False, "Optional."),
    Column("rank", "rank", "Ngạch", ("Mã ngạch", "Ngạch công chức"), False,
           "Optional civil-service rank, as written (e.g. 01.003 or Chuyên viên)."),
    Column("employment", "employment", "Loại hình", ("Loại cán bộ", "Diện"), False,
           "Công chức / Cán bộ / Hợp đồng lao động, or civil_servant / cadre / contract; "
           "empty means civil_servant."),
    Column("departed_on", "departed_on", "Ngày thôi việc",
           ("Ngày nghỉ việc", "Ngày chuyển công tác", "Departed on"), False,
           "For staff who have left: the first day off the roll. Empty: still on the roll."),
    Column("departure_reason", "departure_reason", "Lý do thôi việc",
           ("Lý do nghỉ việc", "Lý do"), False,
           "Why they left; empty means 'not stated in the legacy record'."),
    Column("departure_category", "departure_category", "Hình thức thôi việc",
           ("Diện thôi việc",), False,
           "Optional: Thôi việc, nghỉ việc / Chuyển công tác được cơ quan đồng ý / Nghỉ hưu / "
           "Buộc thôi việc / Từ trần / Lý do khác, or resigned / transfer_with_consent / retired / "
           "dismissed / deceased / other."),
)

TRAINING_COLUMNS: tuple[Column, ...] = (
    Column("staff_id", "staff_id", "Mã cán bộ",
           ("Mã CBCC", "Mã công chức", "Mã nhân viên", "Mã số cán bộ", "Staff code"), True,
           "Whose record: a staff code of the staff table or one already registered."),
    Column("kind", "kind", "Loại bản ghi", ("Loại",), False,
           "credential (Văn bằng, chứng chỉ) or enrollment (Khóa học); empty means enrollment "
           "when the row has a start date, credential otherwise."),
    Column("record_id", "record_id", "Mã bản ghi",
           ("enrollment_id", "credential_id", "id"), False,
           "Optional id of the enrollment or credential; empty means derived from the staff code "
           "and the row's content."),
    Column("track", "track", "Lĩnh vực", ("Loại trình độ", "Nhóm"), True,
           "A track code or its Vietnamese or English name (professional / Chuyên môn, "
           "political_theory / Lý luận chính trị, ...)."),
    Column("level", "level", "Trình độ", ("Cấp độ", "Văn bằng, trình độ"), False,
           "A level code of the track or its Vietnamese or English name; required for tracks "
           "with levels, empty for track other."),
    Column("title", "title", "Tên khóa học, văn bằng",
           ("course_title", "Tên khóa học", "Tên văn bằng", "Tên văn bằng, chứng chỉ",
            "Tên chương trình"), True,
           "The course title (enrollment) or the credential's title (credential)."),
    Column("course_code", "course_code", "Mã khóa học", ("Mã lớp",), False,
           "Optional course code; empty means the track and level codes "
           "(e.g. political_theory.intermediate)."),
    Column("provider", "provider", "Cơ sở đào tạo",
           ("issuer", "Nơi cấp", "Nơi đào tạo", "Tên trường", "Đơn vị cấp",
            "Cơ sở đào tạo, nơi cấp"), True,
           "The institution that ran the course or issued the credential."),
    Column("mode", "mode", "Hình thức", ("Hình thức đào tạo",), False,
           "Enrollments: Tập trung / Vừa làm vừa học / Trực tuyến / Kết hợp / Tự học, or "
           "full_time / part_time / online / blended / self_study."),
    Column("starts_on", "starts_on", "Từ ngày", ("Ngày bắt đầu", "Start date"), False,
           "Enrollments: the first day of the course."),
    Column("ends_on", "ends_on", "Đến ngày", ("Ngày kết thúc", "End date"), False,
           "Enrollments: the last day of the course (planned or actual)."),
    Column("completed_on", "completed_on", "Ngày hoàn thành",
           ("Ngày tốt nghiệp", "Ngày thôi học"), False,
           "Enrollments with a result: the day it was decided (completion, failure or withdrawal); "
           "empty means ends_on."),
    Column("outcome", "outcome", "Kết quả", ("Result",), False,
           "Enrollments: empty (still enrolled), Đạt / passed, Không đạt / failed, "
           "Thôi học / withdrawn."),
    Column("issued_on", "issued_on", "Ngày cấp", ("Issue date",), False,
           "Credentials: the issue date (required). Passed enrollments: the certificate's date, "
           "empty means the completion date."),
    Column("number", "number", "Số hiệu văn bằng",
           ("Số văn bằng", "Số hiệu", "Số chứng chỉ", "Certificate number"), False,
           "Optional certificate or diploma number."),
    Column("decision_ref", "decision_ref", "Số quyết định cử đi học",
           ("Số quyết định", "Quyết định cử đi học", "Decision"), False,
           "Enrollments: the dispatch decision (quyết định cử đi học)."),
    Column("document_ref", "document_ref", "Tài liệu chứng minh",
           ("Số hồ sơ", "Chứng từ", "Evidence"), False,
           "Credentials: the document that proves it (e.g. the dossier's copy); added to the "
           "evidence after the file and row."),
    Column("verified_by", "verified_by", "Người xác minh",
           ("Người kiểm tra", "Người thẩm định", "Verified by", "Verifier"), False,
           "Credentials: who checked the original document. Empty: the evidence names no "
           "verifier (the importer did not check it)."),
    Column("score", "score", "Điểm", ("Điểm tổng kết",), False,
           "Optional score of a passed or failed course (8,5 and 8.5 both read as 8.5)."),
    Column("reason", "reason", "Lý do", ("Lý do thôi học",), False,
           "Withdrawals: why; empty means 'not stated in the legacy record'."),
    Column("funding", "funding", "Nguồn kinh phí", ("Kinh phí",), False,
           "Optional: Ngân sách nhà nước / Tự túc / Tài trợ, dự án, or state_budget / "
           "self_funded / sponsored."),
    Column("cost", "cost", "Chi phí", ("Học phí",), False,
           "Optional cost in đồng (12.000.000, 12,000,000 and 12000000 all read as 12000000)."),
    Column("country", "country", "Quốc gia", ("Nước",), False,
           "Optional: where the course took place, for training abroad."),
)

COLUMNS: dict[TableKind, tuple[Column, ...]] = {
    TableKind.STAFF: STAFF_COLUMNS,
    TableKind.TRAINING: TRAINING_COLUMNS,
}

# Headers read and ignored without a warning: row numbers and free notes.
IGNORED_HEADERS = ("STT", "TT", "No", "No.", "#", "Ghi chú", "Notes", "Note")

SHEET_NAMES: dict[TableKind, tuple[str, ...]] = {
    TableKind.STAFF: ("Cán bộ", "Staff", "Nhân sự", "Danh sách cán bộ", "Cán bộ, công chức"),
    TableKind.TRAINING: (
        "Đào tạo", "Training", "Đào tạo, bồi dưỡng", "Quá trình đào tạo", "Credentials",
        "Enrollments",
    ),
}

STAFF_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,40}")
# Five characters shorter than a credential id may be: a passed course's credential is
# "RECORD_ID-cert".
RECORD_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,35}")
HEADER_SEARCH_ROWS = 10
NOT_STATED = "not stated in the legacy record"
DEFAULT_RECORDED_BY = "import"


@functools.lru_cache(maxsize=8192)
def header_key(text: str) -> str:
    """Lower case, no diacritics, words separated by one space: how headers and labels match."""
    return re.sub(r"[^0-9a-z]+", " ", without_diacritics(text).lower()).strip()


def _header_index(columns: Iterable[Column]) -> dict[str, str]:
    index: dict[str, str] = {}
    for column in columns:
        for name in (column.field, column.en, column.vi, *column.aliases):
            index[header_key(name)] = column.field
    return index


HEADER_INDEX: dict[TableKind, dict[str, str]] = {
    kind: _header_index(columns) for kind, columns in COLUMNS.items()
}
IGNORED = {header_key(h) for h in IGNORED_HEADERS}
# What the level column says of a course that awards no level (a refresher of a levelled track).
NO_LEVEL = {header_key(t) for t in ("none", "Không", "Không cấp trình độ", "Không có")}
NO_LEVEL_MARKS = {"-", "—", "–"}
# A training sheet often repeats the person's name beside the code, for the reader: not an error.
IGNORED_IN = {
    TableKind.STAFF: IGNORED,
    TableKind.TRAINING: IGNORED | {header_key(h) for h in ("full_name", "Họ và tên", "Họ tên", "Name")},
}

# ------------------------------------------------------------------------------ accepted values


def _choices(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {header_key(text): value for text, value in pairs}


def _enum_choices(enum_type: type[StrEnum], aliases: dict[str, StrEnum]) -> dict[str, str]:
    pairs: list[tuple[str, str]] = []
    for member in enum_type:
        pairs.append((member.value, member.value))
        label = catalog.ENUM_LABELS.get(member)
        if label is not None:
            pairs += [(label.vi, member.value), (label.en, member.value)]
    pairs += [(text, member.value) for text, member in aliases.items()]
    return _choices(pairs)


GENDERS = _enum_choices(Gender, {"m": Gender.MALE, "f": Gender.FEMALE, "nu": Gender.FEMALE})
EMPLOYMENTS = _enum_choices(
    Employment,
    {
        "Hợp đồng": Employment.CONTRACT,
        "HĐLĐ": Employment.CONTRACT,
        "Người lao động": Employment.CONTRACT,
        "CC": Employment.CIVIL_SERVANT,
    },
)
MODES = _enum_choices(
    Mode,
    {
        "Không tập trung": Mode.PART_TIME,
        "Bán tập trung": Mode.PART_TIME,
        "Tại chức": Mode.PART_TIME,
        "Từ xa": Mode.ONLINE,
        "Online": Mode.ONLINE,
    },
)
FUNDINGS = _enum_choices(
    Funding,
    {
        "Ngân sách": Funding.STATE_BUDGET,
        "NSNN": Funding.STATE_BUDGET,
        "Tài trợ": Funding.SPONSORED,
        "Dự án": Funding.SPONSORED,
    },
)
DEPARTURE_CATEGORIES = _enum_choices(
    DepartureCategory,
    {
        "Thôi việc": DepartureCategory.RESIGNED,
        "Nghỉ việc": DepartureCategory.RESIGNED,
        "Chuyển công tác": DepartureCategory.TRANSFER_WITH_CONSENT,
        "Khác": DepartureCategory.OTHER,
    },
)
KINDS = _choices(
    [
        (k, RecordKind.CREDENTIAL)
        for k in ("credential", "Văn bằng", "Chứng chỉ", "Văn bằng, chứng chỉ", "Bằng cấp",
                  "Công nhận", "recognized")
    ]
    + [
        (k, RecordKind.ENROLLMENT)
        for k in ("enrollment", "Khóa học", "Khoá học", "Đào tạo", "Bồi dưỡng",
                  "Đào tạo, bồi dưỡng", "Cử đi học", "course")
    ]
)
OUTCOMES: dict[str, str | None] = {
    **_choices(
        [(k, RowOutcome.PASSED) for k in ("passed", "pass", "Đạt", "Hoàn thành", "Tốt nghiệp",
                                          "completed")]
        + [(k, RowOutcome.FAILED) for k in ("failed", "fail", "Không đạt", "Không hoàn thành",
                                            "Trượt")]
        + [(k, RowOutcome.WITHDRAWN) for k in ("withdrawn", "Thôi học", "Rút", "Bỏ học",
                                               "Dừng học")]
    ),
    **{header_key(k): None for k in ("enrolled", "Đang học", "Chưa có kết quả")},
}

TRACK_ALIASES: dict[str, Track] = {
    "Chuyên môn": Track.PROFESSIONAL,
    "Chuyên môn, nghiệp vụ": Track.PROFESSIONAL,
    "LLCT": Track.POLITICAL_THEORY,
    "Chính trị": Track.POLITICAL_THEORY,
    "QLNN": Track.STATE_MANAGEMENT,
    "Lãnh đạo": Track.LEADERSHIP,
    "Lãnh đạo quản lý": Track.LEADERSHIP,
    "QP-AN": Track.DEFENSE_SECURITY,
    "Quốc phòng an ninh": Track.DEFENSE_SECURITY,
    "Quốc phòng": Track.DEFENSE_SECURITY,
    "CNTT": Track.IT,
    "IT": Track.IT,
    "Ngoại ngữ": Track.FOREIGN_LANGUAGE,
}
TRACKS = _choices(
    [
        pair
        for info in catalog.TRACKS.values()
        for pair in ((info.track.value, info.track.value), (info.label.vi, info.track.value),
                     (info.label.en, info.track.value))
    ]
    + [(text, track.value) for text, track in TRACK_ALIASES.items()]
)

LEVEL_ALIASES: dict[Track, dict[str, str]] = {
    Track.PROFESSIONAL: {
        "Thạc sỹ": "master", "ThS": "master", "Tiến sỹ": "doctorate", "TS": "doctorate",
        "Tiến sĩ khoa học": "doctorate", "Cử nhân": "bachelor", "Kỹ sư": "bachelor",
        "Kiến trúc sư": "bachelor", "Bác sĩ": "bachelor", "Dược sĩ": "bachelor", "ĐH": "bachelor",
        "CĐ": "college", "TC": "intermediate", "Trung cấp chuyên nghiệp": "intermediate",
        "Trung cấp nghề": "intermediate", "CNKT": "technical_worker",
        "Sơ cấp nghề": "technical_worker",
    },
    Track.POLITICAL_THEORY: {
        "Cử nhân": "bachelor", "Cử nhân LLCT": "bachelor", "Cử nhân lý luận chính trị": "bachelor",
        "Cao cấp LLCT": "advanced", "Cao cấp lý luận chính trị": "advanced",
        "Cao cấp LLCT - hành chính": "advanced", "Cao cấp lý luận chính trị - hành chính": "advanced",
        "Trung cấp LLCT": "intermediate", "Trung cấp lý luận chính trị": "intermediate",
        "Trung cấp LLCT - hành chính": "intermediate",
        "Trung cấp lý luận chính trị - hành chính": "intermediate",
        "Sơ cấp LLCT": "elementary", "Sơ cấp lý luận chính trị": "elementary",
    },
    Track.STATE_MANAGEMENT: {"CV": "specialist", "CVC": "principal", "CVCC": "senior"},
    Track.LEADERSHIP: {"Cấp sở": "department", "Cấp cục": "department"},
    Track.DEFENSE_SECURITY: {f"ĐT{n}": f"group{n}" for n in range(1, 5)},
    Track.FOREIGN_LANGUAGE: {
        cefr: f"level{n}" for n, cefr in enumerate(("A1", "A2", "B1", "B2", "C1", "C2"), start=1)
    },
}
LEVELS: dict[Track, dict[str, str]] = {
    info.track: _choices(
        [
            pair
            for lv in info.levels
            for pair in ((lv.code, lv.code), (lv.label.vi, lv.code), (lv.label.en, lv.code))
        ]
        + list(LEVEL_ALIASES.get(info.track, {}).items())
    )
    for info in catalog.TRACKS.values()
}
