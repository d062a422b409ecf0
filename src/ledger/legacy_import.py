"""Bulk import of legacy staff and training records kept in Excel (XLSX) or CSV.

Agencies keep their staff lists and training histories in spreadsheets. This module reads them
(one table of staff, one of credentials and enrollments; Vietnamese or English headers; dates as
agencies write them), checks every row twice, and only then records anything:

1. shape: required cells, date and number formats, known codes and labels (``parse_*``);
2. rules: each staff member's rows are run through the aggregate's own commands
   (``StaffMember.register``, ``enroll``, ``complete``, ``withdraw``, ``recognize_credential``) on an
   in-memory aggregate, so a row that breaks a rule of the record (a completion before its start, a
   level that does not belong to its track, a course dated before birth) is reported with its row
   number and column, exactly as the application would refuse it.

By default nothing is recorded when any row is bad; ``partial=True`` records the staff members whose
rows are all good (all of a person's rows or none). Re-running the same file records nothing twice:
enrollment and credential ids are derived from the staff code and the row's content (or taken from
the ``record_id`` column), facts already on the record are skipped, and a staff member already
registered with identical details is skipped.

The aggregates that pass are saved in batches (many aggregates per ``Ledger.save`` call, one
transaction each), which is what makes a 50,000-row file take seconds rather than minutes.

The template (every column, both languages, accepted values) is documented in
``docs/import-records.md``; the column tables below are its source of truth.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from eventsourcing.persistence import IntegrityError

from ledger import catalog, errors
from ledger.application import Ledger
from ledger.catalog import DepartureCategory, Employment, Funding, Gender, Mode, Outcome, Track
from ledger.record import CredentialAward, EnrollmentStatus, Evidence
from ledger.staff import StaffMember
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
def fold(text: str) -> str:
    """Lower case, no diacritics, words separated by one space: how headers and labels match."""
    return re.sub(r"[^0-9a-z]+", " ", without_diacritics(text).lower()).strip()


def _header_index(columns: Iterable[Column]) -> dict[str, str]:
    index: dict[str, str] = {}
    for column in columns:
        for name in (column.field, column.en, column.vi, *column.aliases):
            index[fold(name)] = column.field
    return index


HEADER_INDEX: dict[TableKind, dict[str, str]] = {
    kind: _header_index(columns) for kind, columns in COLUMNS.items()
}
IGNORED = {fold(h) for h in IGNORED_HEADERS}
# What the level column says of a course that awards no level (a refresher of a levelled track).
NO_LEVEL = {fold(t) for t in ("none", "Không", "Không cấp trình độ", "Không có")}
NO_LEVEL_MARKS = {"-", "—", "–"}
# A training sheet often repeats the person's name beside the code, for the reader: not an error.
IGNORED_IN = {
    TableKind.STAFF: IGNORED,
    TableKind.TRAINING: IGNORED | {fold(h) for h in ("full_name", "Họ và tên", "Họ tên", "Name")},
}

# ------------------------------------------------------------------------------ accepted values


def _choices(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {fold(text): value for text, value in pairs}


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
    **{fold(k): None for k in ("enrolled", "Đang học", "Chưa có kết quả")},
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

# --------------------------------------------------------------------------------------- errors


class LegacyFileError(errors.InvalidInput):
    """A file cannot be read as a template at all (encoding, format, missing columns)."""

    code = "legacy_file_error"


@dataclass(frozen=True)
class RowIssue:
    """A bad row: where it is (as the user sees it in Excel: the header is row 1) and why."""

    source: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    @property
    def place(self) -> str:
        place = self.source if self.sheet is None else f'{self.source}, sheet "{self.sheet}"'
        if self.row is not None:
            place += f", row {self.row}"
        if self.column:
            place += f', column "{self.column}"'
        return place

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class CellError(ValueError):
    """A cell that cannot be read as its column's kind of value."""


# ---------------------------------------------------------------------------------- cell parsing


def cell_text(value: Any) -> str:
    """A cell as text: composed Unicode (NFC), stripped; whole numbers without '.0'."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_MY = re.compile(r"(\d{1,2})[/.-](\d{4})")


def parse_date(value: Any) -> date:
    """A date as agencies write it: an Excel date cell, dd/mm/yyyy, d/m/yyyy (also with '-' or
    '.'), yyyy-mm-dd, or mm/yyyy (the first day of that month)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(
            f"{cell_text(value)} is a number, not a date: format the cell as a date or write "
            "it as dd/mm/yyyy."
        )
    text = cell_text(value)
    if (m := _DMY.fullmatch(text)) is not None:
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif (m := _YMD.fullmatch(text)) is not None:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif (m := _MY.fullmatch(text)) is not None:
        day, month, year = 1, int(m[1]), int(m[2])
    else:
        raise CellError(f"'{text}' is not a date: write dd/mm/yyyy, yyyy-mm-dd or mm/yyyy.")
    if not 1900 <= year <= 2100:
        raise CellError(f"'{text}': the year {year} is out of range.")
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(
            f"'{text}' is not a valid date (day {day}, month {month}, year {year}; "
            "dates are read day first: dd/mm/yyyy)."
        ) from None


def parse_decimal(value: Any, *, thousands: bool = False) -> Decimal:
    """A number; a decimal comma is accepted (8,5). With ``thousands``, 12.000.000 and
    12,000,000 read as twelve million."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    text = cell_text(value).replace(" ", "").replace("\u00a0", "")
    if thousands and re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        text = re.sub(r"[.,]", "", text)
    else:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"'{cell_text(value)}' is not a number.") from None
    if not number.is_finite():
        raise CellError(f"'{cell_text(value)}' is not a number.")
    return number


def parse_choice(value: Any, choices: dict[str, Any], what: str, accepted: str) -> Any:
    text = cell_text(value)
    key = fold(text)
    if key not in choices:
        raise CellError(f"'{text}' is not a known {what} (accepted: {accepted}).")
    return choices[key]


@functools.cache
def _accepted(enum_type: type[StrEnum]) -> str:
    parts = []
    for member in enum_type:
        label = catalog.ENUM_LABELS.get(member)
        parts.append(f"{label.vi} / {member.value}" if label else member.value)
    return ", ".join(parts)


TRACKS_ACCEPTED = ", ".join(f"{i.label.vi} / {i.track.value}" for i in catalog.TRACKS.values())
LEVELS_ACCEPTED = {
    info.track: ", ".join(f"{lv.label.vi} / {lv.code}" for lv in info.levels)
    for info in catalog.TRACKS.values()
}


def parse_track(value: Any) -> Track:
    return Track(parse_choice(value, TRACKS, "track", TRACKS_ACCEPTED))


def parse_level(track: Track, value: Any) -> str | None:
    """A level of ``track`` from its code or its Vietnamese or English name; None when empty."""
    text = cell_text(value)
    info = catalog.track_info(track)
    if not text:
        if info.has_levels:
            raise CellError(f"Track '{track.value}' has levels: say which level.")
        return None
    if not info.has_levels:
        raise CellError(f"Track '{track.value}' has no levels; leave the level empty.")
    return str(parse_choice(value, LEVELS[track], f"level of {info.label.vi}", LEVELS_ACCEPTED[track]))


# ------------------------------------------------------------------------------------ reading


@dataclass
class Table:
    """One sheet or CSV file, its header mapped to template fields."""

    source: str
    sheet: str | None
    kind: TableKind
    header_row: int
    columns: dict[str, tuple[int, str]]
    rows: list[tuple[int, tuple[Any, ...]]]
    unknown_headers: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.source if self.sheet is None else f'{self.source}, sheet "{self.sheet}"'

    @property
    def in_vietnamese(self) -> bool:
        """Whether the headers are mostly the template's Vietnamese ones (or their aliases)."""
        spec = {c.field: c for c in COLUMNS[self.kind]}
        english = sum(fold(h) in (fold(f), fold(spec[f].en)) for f, (_, h) in self.columns.items())
        return english * 2 < len(self.columns)

    def column_name(self, field_name: str) -> str:
        """The header as the file writes it; for a column the file lacks, the template's header
        in the file's language."""
        found = self.columns.get(field_name)
        if found:
            return found[1]
        spec = next((c for c in COLUMNS[self.kind] if c.field == field_name), None)
        if spec is None:
            return field_name
        return spec.vi if self.in_vietnamese else spec.en

    def value(self, cells: tuple[Any, ...], field_name: str) -> Any:
        found = self.columns.get(field_name)
        if found is None or found[0] >= len(cells):
            return None
        return cells[found[0]]

    def ref(self, row: int) -> str:
        """Where a row came from, as stored in the evidence of what it recorded."""
        return f"{self.source}#{self.sheet}!{row}" if self.sheet is not None else f"{self.source}!{row}"

    def issue(self, row: int | None, field_name: str | None, message: str) -> RowIssue:
        column = self.column_name(field_name) if field_name else None
        return RowIssue(self.source, self.sheet, row, column, message)


def _is_blank(cells: Sequence[Any]) -> bool:
    return all(cell_text(c) == "" for c in cells)


def _match_headers(
    cells: Sequence[Any], kind: TableKind
) -> tuple[dict[str, tuple[int, str]], list[str]]:
    index = HEADER_INDEX[kind]
    columns: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    for position, cell in enumerate(cells):
        header = cell_text(cell)
        key = fold(header)
        if not key or key in IGNORED_IN[kind]:
            continue
        field_name = index.get(key)
        if field_name is None or field_name in columns:
            unknown.append(header)
        else:
            columns[field_name] = (position, header)
    return columns, unknown


def _guess_kind(cells: Sequence[Any]) -> TableKind | None:
    """Which template a header row belongs to: the one with more of its own required columns
    (a training sheet may repeat the name; a staff list may have a 'Trình độ' column)."""
    staff, _ = _match_headers(cells, TableKind.STAFF)
    if "staff_id" not in staff:
        return None
    training, _ = _match_headers(cells, TableKind.TRAINING)
    scores = {
        kind: sum(c.required and c.field in found for c in COLUMNS[kind])
        for kind, found in ((TableKind.STAFF, staff), (TableKind.TRAINING, training))
    }
    if scores[TableKind.STAFF] == scores[TableKind.TRAINING]:
        return None
    return max(scores, key=lambda kind: scores[kind])


def _kind_from_sheet_name(sheet: str) -> TableKind | None:
    key = fold(sheet)
    for kind, names in SHEET_NAMES.items():
        if key in {fold(n) for n in names}:
            return kind
    return None


def _build_table(
    source: str, sheet: str | None, rows: Iterator[tuple[int, tuple[Any, ...]]],
    kind_hint: TableKind | None,
) -> Table | None:
    """Find the header (in the first rows: agencies put titles above it), map it, keep the rest.
    None when no header row is recognised."""
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        kind = _guess_kind(cells) or (kind_hint if _has_staff_id(cells) else None)
        if kind is None:
            continue
        columns, unknown = _match_headers(cells, kind)
        table = Table(source, sheet, kind, number, columns, [], unknown)
        missing = [c for c in COLUMNS[kind] if c.required and c.field not in columns]
        if missing:
            names = "; ".join(f"'{c.vi}' / '{c.en}'" for c in missing)
            raise LegacyFileError(
                f"{table.name}: the header (row {number}) lacks the required column(s) {names}."
            )
        table.rows = [(n, c) for n, c in rows if not _is_blank(c)]
        return table
    return None


def _has_staff_id(cells: Sequence[Any]) -> bool:
    return "staff_id" in _match_headers(cells, TableKind.STAFF)[0]


def read_xlsx(path: Path) -> list[Table]:
    """The staff and training sheets of a workbook (other sheets, e.g. instructions, are skipped)."""
    # A heavy import, made only when a workbook is read.
    import openpyxl  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise LegacyFileError(f"{path.name} cannot be opened as an Excel workbook: {error}") from None
    except Exception as error:
        # A damaged workbook (broken XML, a missing part) fails deep inside openpyxl in many
        # ways; whatever the way, it is the file that cannot be read, and a registrar needs one line.
        raise LegacyFileError(
            f"{path.name} is a damaged Excel workbook ({type(error).__name__}: {error}): open it "
            "in Excel and save it again, or save it as CSV UTF-8."
        ) from None
    try:
        tables = []
        for sheet in book.worksheets:
            numbered = ((n, tuple(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), 1))
            table = _build_table(path.name, sheet.title, numbered, _kind_from_sheet_name(sheet.title))
            if table is not None:
                tables.append(table)
        return tables
    except LegacyFileError:
        raise
    except Exception as error:  # as above: damage found while reading the sheets
        raise LegacyFileError(
            f"{path.name} is a damaged Excel workbook ({type(error).__name__}: {error}): open it "
            "in Excel and save it again, or save it as CSV UTF-8."
        ) from None
    finally:
        book.close()


def decode_csv(path: Path) -> str:
    """The text of a CSV file in UTF-8 (with or without BOM); any other encoding is refused."""
    raw = path.read_bytes()
    save_as = "open it in Excel and save it as 'CSV UTF-8 (Comma delimited) (*.csv)'"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LegacyFileError(f"{path.name} is UTF-16 text, not UTF-8: {save_as}.")
    if raw.startswith(b"PK\x03\x04"):
        raise LegacyFileError(f"{path.name} is an Excel workbook, not CSV: name it .xlsx.")
    head = raw[:4096]
    if head and head.count(0) * 4 >= len(head):
        # Text saved as UTF-16 without its byte-order mark: every other byte of Latin text is 0.
        raise LegacyFileError(
            f"{path.name} looks like UTF-16 text without a byte-order mark, not UTF-8: {save_as}."
        )
    if head and sum(b < 0x09 or 0x0E <= b < 0x20 for b in head) * 10 >= len(head):
        raise LegacyFileError(
            f"{path.name} is not a text file (it holds binary data): export the sheet as "
            "'CSV UTF-8 (Comma delimited) (*.csv)' or import the .xlsx workbook itself."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LegacyFileError(
            f"{path.name} is not UTF-8 (byte 0x{raw[error.start]:02x} on line {line}); it was "
            f"probably saved in a legacy encoding (Windows-1258, TCVN3 or VNI): {save_as}."
        ) from None


def read_csv(path: Path) -> list[Table]:
    text = decode_csv(path)
    first_line = text.split("\n", 1)[0]
    # Vietnamese regional settings make Excel write ';' between cells.
    delimiter = max(",;\t", key=first_line.count)
    # Lines split as the csv module expects (newline=""): str.splitlines would also split on
    # U+2028, U+0085 or a form feed inside a cell, and tear the row apart.
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = _build_table(path.name, None, _csv_rows(path, records), None)
    if table is None:
        raise LegacyFileError(
            f"{path.name}: no header row found in the first {HEADER_SEARCH_ROWS} rows. A staff file "
            "needs 'Mã cán bộ' / 'staff_id' with 'Họ và tên' / 'full_name'...; a training file "
            "needs 'Mã cán bộ' / 'staff_id' with 'Lĩnh vực' / 'track'... (see docs/import-records.md)."
        )
    return [table]


def _csv_rows(path: Path, records: Iterator[list[str]]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Numbered rows; a file the csv module cannot split (a cell over its 128 KiB limit, say)
    is refused as a whole, naming the line, rather than failing halfway with a traceback."""
    number = 0
    while True:
        try:
            cells = next(records)
        except StopIteration:
            return
        except csv.Error as error:
            reason = str(error)
            if "field larger than field limit" in reason:
                reason = (
                    f"a cell holds more than {csv.field_size_limit():,} characters, far more "
                    "than any column of the template takes"
                )
            raise LegacyFileError(
                f"{path.name}, line {number + 1}: cannot be read as CSV ({reason}). Check that "
                "this is the right file."
            ) from None
        number += 1
        yield number, tuple(cells)


def read_tables(paths: Sequence[Path]) -> list[Table]:
    """Every staff and training table of the given files."""
    tables: list[Table] = []
    for path in paths:
        if not path.is_file():
            raise LegacyFileError(f"{path} is not a file.")
        suffix = path.suffix.lower()
        if suffix in {".xlsx", ".xlsm"}:
            found = read_xlsx(path)
            if not found:
                raise LegacyFileError(
                    f"{path.name}: no sheet with a staff or training header in its first "
                    f"{HEADER_SEARCH_ROWS} rows (see docs/import-records.md)."
                )
            tables += found
        elif suffix == ".xls":
            raise LegacyFileError(
                f"{path.name} is an old Excel 97-2003 workbook: save it as .xlsx or as CSV UTF-8."
            )
        else:
            tables += read_csv(path)
    return tables


# ------------------------------------------------------------------------------------ row shape


@dataclass(frozen=True)
class RowRef:
    table: Table
    row: int

    @property
    def ref(self) -> str:
        return self.table.ref(self.row)

    def issue(self, field_name: str | None, message: str) -> RowIssue:
        return self.table.issue(self.row, field_name, message)


@dataclass(frozen=True)
class StaffRow:
    at: RowRef
    staff_id: str
    full_name: str
    gender: Gender
    birth_date: date
    unit: str
    joined_on: date
    position: str | None
    rank: str | None
    employment: Employment
    departed_on: date | None
    departure_reason: str | None
    departure_category: DepartureCategory | None


@dataclass(frozen=True)
class TrainingRow:
    at: RowRef
    staff_id: str
    kind: RecordKind
    record_id: str
    explicit_id: bool
    track: Track
    level: str | None
    awards_level: bool
    title: str
    course_code: str
    provider: str
    mode: Mode | None
    starts_on: date | None
    ends_on: date | None
    completed_on: date | None
    completed_from: str
    outcome: RowOutcome | None
    issued_on: date | None
    number: str | None
    decision_ref: str | None
    document_ref: str | None
    verified_by: str | None
    score: Decimal | None
    reason: str | None
    funding: Funding | None
    cost: Decimal | None
    country: str | None

    @property
    def sort_date(self) -> date:
        return (self.starts_on if self.kind == RecordKind.ENROLLMENT else self.issued_on) or date.max


T = TypeVar("T")


class _Cells:
    """Reads one row's cells by field, collecting every problem instead of stopping at the first."""

    def __init__(self, at: RowRef, cells: tuple[Any, ...]) -> None:
        self.at = at
        self.issues: list[RowIssue] = []
        width = len(cells)
        # Each cell read once: text cells become their clean text, dates and numbers stay typed.
        self.values: dict[str, Any] = {}
        self.texts: dict[str, str] = {}
        for name, (position, _) in at.table.columns.items():
            value = cells[position] if position < width else None
            text = cell_text(value)
            self.texts[name] = text
            self.values[name] = text if isinstance(value, str) or value is None else value

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def cell(self, name: str) -> str:
        return self.texts.get(name, "")

    def filled(self, name: str) -> bool:
        return self.cell(name) != ""

    def text(self, name: str, *, required: bool = False, what: str = "") -> str | None:
        text = self.cell(name)
        if not text:
            if required:
                self.missing(name, what)
            return None
        return text

    def missing(self, name: str, what: str) -> None:
        table = self.at.table
        column = table.column_name(name)
        if name in table.columns:
            self.problem(name, f"{column} is empty; {what or 'this column is required'}.")
        else:
            reason = what or "this column is required"
            self.problem(name, f"{reason[0].upper()}{reason[1:]}: the file has no '{column}' column.")

    def parsed(
        self, name: str, parse: Callable[[Any], T], *, required: bool = False, what: str = ""
    ) -> T | None:
        if not self.filled(name):
            if required:
                self.missing(name, what)
            return None
        try:
            return parse(self.raw(name))
        except CellError as error:
            self.problem(name, str(error))
            return None

    def problem(self, name: str, message: str) -> None:
        self.issues.append(self.at.issue(name, message))


def _staff_id(cells: _Cells) -> str | None:
    staff_id = cells.text("staff_id", required=True, what="every row names a staff member")
    if staff_id is not None and not STAFF_ID_PATTERN.fullmatch(staff_id):
        cells.problem(
            "staff_id",
            f"'{staff_id}' is not a staff code (1 to 40 letters, digits, '.', '_' or '-').",
        )
        return None
    return staff_id


def parse_staff_row(at: RowRef, raw: tuple[Any, ...]) -> tuple[StaffRow | None, list[RowIssue]]:
    """One staff row, or every problem with its shape."""
    cells = _Cells(at, raw)
    staff_id = _staff_id(cells)
    full_name = cells.text("full_name", required=True)
    gender = cells.parsed(
        "gender", lambda v: Gender(parse_choice(v, GENDERS, "gender", _accepted(Gender))),
        required=True,
    )
    birth_date = cells.parsed("birth_date", parse_date, required=True)
    unit = cells.text("unit", required=True)
    joined_on = cells.parsed("joined_on", parse_date, required=True)
    employment = cells.parsed(
        "employment",
        lambda v: Employment(parse_choice(v, EMPLOYMENTS, "employment", _accepted(Employment))),
    )
    departed_on = cells.parsed("departed_on", parse_date)
    departure_category = cells.parsed(
        "departure_category",
        lambda v: DepartureCategory(
            parse_choice(v, DEPARTURE_CATEGORIES, "departure category", _accepted(DepartureCategory))
        ),
    )
    if departed_on is None and (cells.filled("departure_reason") or departure_category is not None):
        cells.missing("departed_on", "a reason for leaving needs the date they left")
    if (
        cells.issues or staff_id is None or full_name is None or gender is None
        or birth_date is None or unit is None or joined_on is None
    ):
        return None, cells.issues
    return (
        StaffRow(
            at=at,
            staff_id=staff_id,
            full_name=full_name,
            gender=gender,
            birth_date=birth_date,
            unit=unit,
            joined_on=joined_on,
            position=cells.text("position"),
            rank=cells.text("rank"),
            employment=employment or Employment.CIVIL_SERVANT,
            departed_on=departed_on,
            departure_reason=cells.text("departure_reason"),
            departure_category=departure_category,
        ),
        [],
    )


def derived_id(prefix: str, staff_id: str, parts: Iterable[str]) -> str:
    """An id that depends only on whose fact it is and what it says, so a re-import finds it."""
    digest = hashlib.sha256("\x1f".join([staff_id, *parts]).encode()).hexdigest()
    return f"{prefix}-{digest[:16]}"


def parse_training_row(
    at: RowRef, raw: tuple[Any, ...]
) -> tuple[TrainingRow | None, list[RowIssue]]:
    """One credential or enrollment row, or every problem with its shape."""
    cells = _Cells(at, raw)
    staff_id = _staff_id(cells)
    record_id = cells.text("record_id")
    if record_id is not None and not RECORD_ID_PATTERN.fullmatch(record_id):
        cells.problem(
            "record_id", f"'{record_id}' is not an id (1 to 35 letters, digits, '.', '_' or '-')."
        )
    kind_choices = "Văn bằng, chứng chỉ / credential, Khóa học / enrollment"
    kind = cells.parsed("kind", lambda v: RecordKind(parse_choice(v, KINDS, "kind", kind_choices)))
    if kind is None and not cells.filled("kind"):
        kind = RecordKind.ENROLLMENT if cells.filled("starts_on") else RecordKind.CREDENTIAL
    track = cells.parsed("track", parse_track, required=True)
    level: str | None = None
    level_text = cells.cell("level")
    awards_level = not (fold(level_text) in NO_LEVEL or level_text in NO_LEVEL_MARKS)
    if track is not None and not awards_level:
        if kind == RecordKind.CREDENTIAL and catalog.track_info(track).has_levels:
            cells.problem("level", f"A credential of track '{track.value}' has a level: say which.")
    elif track is not None:
        try:
            level = parse_level(track, level_text)
        except CellError as error:
            message = str(error)
            if kind == RecordKind.ENROLLMENT and not level_text:
                message += " For a course that awards no level (a refresher), write 'Không' (none)."
            cells.problem("level", message)
    title = cells.text("title", required=True)
    provider = cells.text("provider", required=True)
    course_code = cells.text("course_code")
    number = cells.text("number")
    issued_on = cells.parsed("issued_on", parse_date)
    score = cells.parsed("score", parse_decimal)
    cost = cells.parsed("cost", lambda v: parse_decimal(v, thousands=True))
    funding = cells.parsed(
        "funding", lambda v: Funding(parse_choice(v, FUNDINGS, "funding", _accepted(Funding)))
    )
    mode: Mode | None = None
    starts_on = ends_on = completed_on = None
    completed_from = "completed_on"
    outcome: RowOutcome | None = None
    if kind == RecordKind.ENROLLMENT:
        mode = cells.parsed(
            "mode", lambda v: Mode(parse_choice(v, MODES, "mode", _accepted(Mode))),
            required=True, what="an enrollment needs its mode of study",
        )
        starts_on = cells.parsed(
            "starts_on", parse_date, required=True, what="an enrollment needs its start date"
        )
        ends_on = cells.parsed("ends_on", parse_date)
        completed_on = cells.parsed("completed_on", parse_date)
        accepted = "Đạt / passed, Không đạt / failed, Thôi học / withdrawn, or empty"
        outcome_value = cells.parsed(
            "outcome", lambda v: parse_choice(v, OUTCOMES, "outcome", accepted)
        )
        outcome = RowOutcome(outcome_value) if outcome_value else None
        if outcome is not None and completed_on is None:
            if ends_on is not None and not cells.filled("completed_on"):
                completed_on, completed_from = ends_on, "ends_on"
            elif not cells.filled("completed_on"):
                cells.problem(
                    "completed_on" if "completed_on" in at.table.columns else "outcome",
                    f"A course with a result ({outcome.value}) needs the date it ended: fill "
                    f"'{at.table.column_name('completed_on')}' or '{at.table.column_name('ends_on')}'.",
                )
        elif outcome is None and cells.filled("completed_on") and not cells.filled("outcome"):
            cells.problem(
                "outcome",
                f"The row has a completion date but no result: fill "
                f"'{at.table.column_name('outcome')}' (Đạt / passed, Không đạt / failed, "
                "Thôi học / withdrawn).",
            )
        if outcome != RowOutcome.PASSED and issued_on is not None:
            cells.problem("issued_on", "Only a passed course has a certificate issue date.")
        if outcome not in (RowOutcome.PASSED, RowOutcome.FAILED) and score is not None:
            cells.problem("score", "Only a passed or failed course has a score.")
    elif kind == RecordKind.CREDENTIAL:
        issued_on = cells.parsed(
            "issued_on", parse_date, required=True, what="a credential needs its issue date"
        )
        if cells.filled("outcome"):
            value = cells.parsed("outcome", lambda v: parse_choice(v, OUTCOMES, "outcome", "Đạt"))
            if value not in (None, RowOutcome.PASSED):
                cells.problem("outcome", "A recognized credential has no failed or withdrawn result.")
    if (
        cells.issues or staff_id is None or kind is None or track is None or title is None
        or provider is None
    ):
        return None, cells.issues
    if kind == RecordKind.ENROLLMENT:
        # Both were required above for an enrollment.
        assert starts_on is not None
        assert mode is not None
        identity = ["enrollment", track.value, level or "", title, course_code or "", provider,
                    mode.value, starts_on.isoformat()]
    else:
        assert issued_on is not None
        identity = ["credential", track.value, level or "", title, provider, issued_on.isoformat(),
                    number or ""]
    the_id = record_id or derived_id("imp-e" if kind == RecordKind.ENROLLMENT else "imp-c",
                                     staff_id, identity)
    awards_level = awards_level and catalog.track_info(track).has_levels
    return (
        TrainingRow(
            at=at,
            staff_id=staff_id,
            kind=kind,
            record_id=the_id,
            explicit_id=record_id is not None,
            track=track,
            level=level,
            awards_level=awards_level,
            title=title,
            course_code=course_code or ".".join(p for p in (track.value, level) if p),
            provider=provider,
            mode=mode,
            starts_on=starts_on,
            ends_on=ends_on,
            completed_on=completed_on,
            completed_from=completed_from,
            outcome=outcome,
            issued_on=issued_on,
            number=number,
            decision_ref=cells.text("decision_ref"),
            document_ref=cells.text("document_ref"),
            verified_by=cells.text("verified_by"),
            score=score,
            reason=cells.text("reason"),
            funding=funding,
            cost=cost,
            country=cells.text("country"),
        ),
        [],
    )


# ------------------------------------------------------------------------------------ the plan


@dataclass
class Counts:
    staff_registered: int = 0
    staff_unchanged: int = 0
    enrollments: int = 0
    completions: int = 0
    withdrawals: int = 0
    credentials: int = 0
    departures: int = 0
    facts_skipped: int = 0
    events: int = 0

    def add(self, other: Counts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class StaffGroup:
    """Everything the files say about one staff member."""

    staff_id: str
    staff_rows: list[StaffRow] = field(default_factory=list)
    training_rows: list[TrainingRow] = field(default_factory=list)
    bad_rows: list[RowRef] = field(default_factory=list)

    @property
    def has_bad_staff_row(self) -> bool:
        """A staff row that is already reported: its training rows need no second report."""
        return any(at.table.kind == TableKind.STAFF for at in self.bad_rows)

    @property
    def row_count(self) -> int:
        return len(self.staff_rows) + len(self.training_rows) + len(self.bad_rows)


@dataclass
class GroupPlan:
    group: StaffGroup
    member: StaffMember | None
    issues: list[RowIssue]
    counts: Counts
    warnings: list[str] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return len(self.member.pending_events) if self.member is not None else 0


# Where the domain's error fields are in the template (the column a registrar must fix).
FIELD_COLUMN = {
    "credential.issued_on": "issued_on",
    "credential.credential_id": "record_id",
    "credential_id": "record_id",
    "enrollment_id": "record_id",
    "evidence.document_ref": "document_ref",
    "evidence.verified_by": "verified_by",
    "course_title": "title",
    "issuer": "provider",
    "credential.title": "title",
    "credential.issuer": "provider",
    "credential.number": "number",
    "on": "completed_on",
}


def _column_of(row: TrainingRow | StaffRow, error: errors.LedgerError) -> str | None:
    name = error.field
    if name is None:
        return None
    name = FIELD_COLUMN.get(name, name)
    if isinstance(row, TrainingRow) and name == "completed_on":
        return row.completed_from
    return name


def _member_issue(row: TrainingRow | StaffRow, error: errors.LedgerError) -> RowIssue:
    return row.at.issue(_column_of(row, error), error.message)


def _registration_conflicts(member: StaffMember, row: StaffRow) -> list[RowIssue]:
    registered = member.history[0]
    assert isinstance(registered, StaffMember.Registered)
    on_record: dict[str, Any] = {
        "full_name": registered.full_name,
        "gender": registered.gender,
        "birth_date": registered.birth_date,
        "unit": registered.unit,
        "joined_on": registered.effective_on,
        "position": registered.position,
        "rank": registered.rank,
        "employment": registered.employment,
    }
    issues = []
    for name, recorded in on_record.items():
        given = getattr(row, name)
        if given != recorded:
            issues.append(
                row.at.issue(
                    name,
                    f"{row.staff_id} is already registered with {name} "
                    f"'{_show(recorded)}'; this row says '{_show(given)}'. Correct the file, or "
                    "correct the record through the application.",
                )
            )
    return issues


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _differences(pairs: Iterable[tuple[str, Any, Any]]) -> list[str]:
    return [f"{name} '{_show(old)}' ≠ '{_show(new)}'" for name, old, new in pairs if old != new]


class Planner:
    """Runs each staff member's rows through the aggregate's commands, in memory."""

    def __init__(self, ledger: Ledger, *, recorded_by: str, recorded_at: datetime) -> None:
        self.ledger = ledger
        self.recorded_by = recorded_by
        self.recorded_at = recorded_at
        # Facts in the files are checked against the agency's date of the import, as the API
        # checks them: a completion dated after it is a row error, not a record.
        self.today = ledger.day_of(recorded_at)

    def load(self, staff_id: str) -> StaffMember | None:
        try:
            return self.ledger.get_member(staff_id)
        except errors.StaffNotFound:
            return None

    def plan(self, group: StaffGroup) -> GroupPlan:
        issues: list[RowIssue] = []
        counts = Counts()
        plan = GroupPlan(group, None, issues, counts)
        existing = self.load(group.staff_id)
        member = existing
        first = group.staff_rows[0] if group.staff_rows else None
        for repeat in group.staff_rows[1:]:
            assert first is not None
            issues.append(
                repeat.at.issue(
                    "staff_id",
                    f"{group.staff_id} is already listed on {first.at.table.name}, "
                    f"row {first.at.row}; list each staff member once.",
                )
            )
        if first is not None:
            if existing is not None:
                conflicts = _registration_conflicts(existing, first)
                issues += conflicts
                if not conflicts:
                    counts.staff_unchanged += 1
            else:
                try:
                    member = StaffMember.register(
                        staff_id=first.staff_id,
                        full_name=first.full_name,
                        gender=first.gender,
                        birth_date=first.birth_date,
                        unit=first.unit,
                        joined_on=first.joined_on,
                        position=first.position,
                        rank=first.rank,
                        employment=first.employment,
                        recorded_by=self.recorded_by,
                        recorded_at=self.recorded_at,
                    )
                    counts.staff_registered += 1
                except errors.LedgerError as error:
                    issues.append(_member_issue(first, error))
        elif existing is None and not group.has_bad_staff_row:
            for row in group.training_rows:
                issues.append(
                    row.at.issue(
                        "staff_id",
                        f"No staff member '{group.staff_id}': add them to the staff table or "
                        "register them first.",
                    )
                )
        if member is not None:
            seen: dict[str, TrainingRow] = {}
            for row in sorted(group.training_rows, key=lambda r: r.sort_date):
                before = seen.get(row.record_id)
                if before is not None and not row.explicit_id:
                    plan.warnings.append(
                        f"{row.at.table.name}, row {row.at.row} repeats row {before.at.row}; "
                        "recorded once."
                    )
                    counts.facts_skipped += 1
                    continue
                seen[row.record_id] = row
                try:
                    self._apply(member, row, counts)
                except errors.LedgerError as error:
                    issues.append(_member_issue(row, error))
            if first is not None and first.departed_on is not None:
                # Last: a departure refuses facts dated after it, and facts after it are refused.
                issues += self._depart(member, first, counts)
        plan.member = member
        counts.events = plan.pending
        return plan

    def _depart(self, member: StaffMember, row: StaffRow, counts: Counts) -> list[RowIssue]:
        assert row.departed_on is not None
        departed = member.record.departed_on
        if departed == row.departed_on:
            counts.facts_skipped += 1
            return []
        if departed is not None:
            return [row.at.issue(
                "departed_on",
                f"{row.staff_id} already departed on {_show(departed)}; this row says "
                f"{_show(row.departed_on)}.",
            )]
        try:
            member.depart(
                on=row.departed_on,
                reason=row.departure_reason or NOT_STATED,
                category=row.departure_category,
                recorded_by=self.recorded_by,
                today=self.today,
                recorded_at=self.recorded_at,
            )
        except errors.LedgerError as error:
            column = {"reason": "departure_reason", "category": "departure_category"}.get(
                error.field or "", "departed_on"
            )
            return [row.at.issue(column, error.message)]
        counts.departures += 1
        return []

    def _apply(self, member: StaffMember, row: TrainingRow, counts: Counts) -> None:
        if row.kind == RecordKind.CREDENTIAL:
            self._recognize(member, row, counts)
        else:
            self._enroll(member, row, counts)

    def _recognize(self, member: StaffMember, row: TrainingRow, counts: Counts) -> None:
        assert row.issued_on is not None
        held = member.record.credentials.get(row.record_id)
        if held is not None:
            diff = _differences([
                ("track", held.track, row.track), ("level", held.level, row.level),
                ("title", held.title, row.title), ("issuer", held.issuer, row.provider),
                ("issued_on", held.issued_on, row.issued_on), ("number", held.number, row.number),
            ])
            if diff:
                raise errors.DuplicateCredential(
                    f"Credential '{row.record_id}' is already on the record with other details "
                    f"({'; '.join(diff)}).",
                    field="credential_id",
                )
            counts.facts_skipped += 1
            return
        document_ref = row.at.ref if not row.document_ref else f"{row.at.ref}; {row.document_ref}"
        member.recognize_credential(
            credential_id=row.record_id,
            track=row.track,
            level=row.level,
            title=row.title,
            issuer=row.provider,
            issued_on=row.issued_on,
            number=row.number,
            # Only the file says who checked the original: the importer did not, so a credential
            # is never shown as verified by whoever ran the import.
            evidence=Evidence(document_ref=document_ref, verified_by=row.verified_by),
            recorded_by=self.recorded_by,
            today=self.today,
            recorded_at=self.recorded_at,
        )
        counts.credentials += 1

    def _enroll(self, member: StaffMember, row: TrainingRow, counts: Counts) -> None:
        assert row.starts_on is not None
        assert row.mode is not None
        held = member.record.enrollments.get(row.record_id)
        if held is not None:
            diff = _differences([
                ("course_code", held.course_code, row.course_code),
                ("title", held.course_title, row.title), ("track", held.track, row.track),
                ("level", held.level, row.level), ("provider", held.provider, row.provider),
                ("mode", held.mode, row.mode), ("starts_on", held.starts_on, row.starts_on),
            ])
            if diff:
                raise errors.DuplicateEnrollment(
                    f"Enrollment '{row.record_id}' is already on the record with other details "
                    f"({'; '.join(diff)}).",
                    field="enrollment_id",
                )
            counts.facts_skipped += 1
        else:
            member.enroll(
                enrollment_id=row.record_id,
                course_code=row.course_code,
                course_title=row.title,
                track=row.track,
                level=row.level,
                provider=row.provider,
                mode=row.mode,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                decision_ref=row.decision_ref,
                funding=row.funding,
                cost=row.cost,
                country=row.country,
                awards_level=row.awards_level,
                recorded_by=self.recorded_by,
                recorded_at=self.recorded_at,
            )
            counts.enrollments += 1
        if row.outcome is None:
            return
        assert row.completed_on is not None
        enrollment = member.record.enrollments[row.record_id]
        if not enrollment.is_open:
            wanted = {
                RowOutcome.PASSED: EnrollmentStatus.COMPLETED,
                RowOutcome.FAILED: EnrollmentStatus.FAILED,
                RowOutcome.WITHDRAWN: EnrollmentStatus.WITHDRAWN,
            }[row.outcome]
            if enrollment.status == wanted and enrollment.closed_on == row.completed_on:
                counts.facts_skipped += 1
                return
            raise errors.EnrollmentClosed(
                f"Enrollment '{row.record_id}' is already {enrollment.status} on "
                f"{_show(enrollment.closed_on)}; this row says {row.outcome.value} on "
                f"{_show(row.completed_on)}.",
                field="completed_on",
            )
        if row.outcome == RowOutcome.WITHDRAWN:
            member.withdraw(
                enrollment_id=row.record_id,
                on=row.completed_on,
                reason=row.reason or NOT_STATED,
                recorded_by=self.recorded_by,
                today=self.today,
                recorded_at=self.recorded_at,
            )
            counts.withdrawals += 1
            return
        award = None
        if row.outcome == RowOutcome.PASSED and enrollment.level is not None:
            # The same defaults as Ledger.complete: the course's title and provider.
            award = CredentialAward(
                credential_id=f"{row.record_id}-cert",
                title=enrollment.course_title,
                issuer=enrollment.provider,
                issued_on=row.issued_on or row.completed_on,
                number=row.number,
            )
        member.complete(
            enrollment_id=row.record_id,
            completed_on=row.completed_on,
            outcome=Outcome.PASSED if row.outcome == RowOutcome.PASSED else Outcome.FAILED,
            credential=award,
            score=row.score,
            recorded_by=self.recorded_by,
            today=self.today,
            recorded_at=self.recorded_at,
        )
        counts.completions += 1


# ------------------------------------------------------------------------------------- running


@dataclass
class ImportReport:
    """What an import found and did (or, on a dry run or a refusal, would have done)."""

    files: list[str]
    dry_run: bool
    partial: bool
    tables: list[str] = field(default_factory=list)
    staff_rows: int = 0
    training_rows: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    staff_left_out: int = 0
    rows_left_out: int = 0
    recorded: bool = False
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.staff_rows + self.training_rows

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class ParsedRows:
    groups: dict[str, StaffGroup]
    issues: list[RowIssue]
    staff_rows: int
    training_rows: int
    ungrouped_bad_rows: int


def group_rows(tables: Sequence[Table]) -> ParsedRows:
    """Parse every row and gather them by staff member (bad rows too, when their staff code
    can be read, so that ``partial`` leaves that person out)."""
    groups: dict[str, StaffGroup] = {}
    issues: list[RowIssue] = []
    staff_rows = training_rows = ungrouped = 0

    def group_of(staff_id: str) -> StaffGroup:
        found = groups.get(staff_id)
        if found is None:
            found = groups[staff_id] = StaffGroup(staff_id)
        return found

    for table in tables:
        for number, cells in table.rows:
            at = RowRef(table, number)
            parsed: StaffRow | TrainingRow | None
            if table.kind == TableKind.STAFF:
                staff_rows += 1
                parsed, found = parse_staff_row(at, cells)
            else:
                training_rows += 1
                parsed, found = parse_training_row(at, cells)
            issues += found
            if parsed is None:
                staff_id = cell_text(table.value(cells, "staff_id"))
                if STAFF_ID_PATTERN.fullmatch(staff_id):
                    group_of(staff_id).bad_rows.append(at)
                else:
                    ungrouped += 1
            elif isinstance(parsed, StaffRow):
                group_of(parsed.staff_id).staff_rows.append(parsed)
            else:
                group_of(parsed.staff_id).training_rows.append(parsed)
    return ParsedRows(groups, issues, staff_rows, training_rows, ungrouped)


# Events per save: one transaction each. Larger batches amortise the commit; beyond a few thousand
# the gain is small and a failed batch costs more to redo.
BATCH_EVENTS = 2000


def import_records(
    ledger: Ledger,
    paths: Sequence[Path],
    *,
    dry_run: bool = False,
    partial: bool = False,
    recorded_by: str = DEFAULT_RECORDED_BY,
    batch_events: int = BATCH_EVENTS,
) -> ImportReport:
    """Validate every row of the files, then (unless ``dry_run``, and only if every row is good
    or ``partial``) record what is not yet on the ledger. Raises ``LegacyFileError`` when a file
    cannot be read as a template at all."""
    started = time.perf_counter()
    report = ImportReport(files=[p.name for p in paths], dry_run=dry_run, partial=partial)
    tables = read_tables(paths)
    report.tables = [f"{t.name} ({t.kind.value}, {len(t.rows)} rows)" for t in tables]
    for table in tables:
        if table.unknown_headers:
            names = ", ".join(f"'{h}'" for h in table.unknown_headers)
            report.warnings.append(f"{table.name}: column(s) {names} not in the template; ignored.")
    parsed = group_rows(tables)
    report.staff_rows, report.training_rows = parsed.staff_rows, parsed.training_rows
    report.issues += parsed.issues
    report.rows_left_out = parsed.ungrouped_bad_rows
    planner = Planner(ledger, recorded_by=recorded_by, recorded_at=ledger.clock())
    good: list[GroupPlan] = []
    for group in parsed.groups.values():
        plan = planner.plan(group)
        report.issues += plan.issues
        report.warnings += plan.warnings
        if plan.issues or group.bad_rows:
            report.staff_left_out += 1
            report.rows_left_out += group.row_count
        else:
            good.append(plan)
    report.issues.sort(key=lambda i: (i.source, i.sheet or "", i.row or 0))
    for plan in good:
        report.counts.add(plan.counts)
    if dry_run or (report.issues and not partial):
        report.seconds = time.perf_counter() - started
        return report
    save_plans(ledger, planner, good, report, batch_events)
    report.recorded = True
    report.seconds = time.perf_counter() - started
    return report


def save_plans(
    ledger: Ledger, planner: Planner, plans: list[GroupPlan], report: ImportReport, batch_events: int
) -> None:
    """Save the planned staff members, many per transaction; a batch that lost a race with
    another writer is planned again and saved one staff member at a time."""
    batch: list[GroupPlan] = []
    size = 0
    for plan in plans:
        if plan.pending == 0:
            continue
        batch.append(plan)
        size += plan.pending
        if size >= batch_events:
            _save_batch(ledger, planner, batch, report)
            batch, size = [], 0
    if batch:
        _save_batch(ledger, planner, batch, report)


def _save_batch(
    ledger: Ledger, planner: Planner, batch: list[GroupPlan], report: ImportReport
) -> None:
    try:
        ledger.save(*(p.member for p in batch))
    except IntegrityError:
        # Someone else wrote to one of these staff members since they were loaded: nothing of
        # this batch was recorded. Plan each again on its fresh record and save it alone.
        _redo_one_by_one(ledger, planner, batch, report)


def _redo_one_by_one(
    ledger: Ledger, planner: Planner, batch: list[GroupPlan], report: ImportReport
) -> None:
    for stale in batch:
        # What was counted at planning time was not recorded; count what this round records.
        _subtract(report.counts, stale.counts)
        plan = planner.plan(stale.group)
        issues = plan.issues
        if not issues and plan.member is not None and plan.pending:
            try:
                ledger.save(plan.member)
            except IntegrityError:
                first = (stale.group.staff_rows or stale.group.training_rows)[0].at
                issues = [
                    first.issue(
                        "staff_id",
                        f"{stale.group.staff_id} changed while it was being imported; nothing "
                        "was recorded for them: run the import again.",
                    )
                ]
        if issues:
            report.issues += issues
            report.staff_left_out += 1
            report.rows_left_out += stale.group.row_count
        else:
            report.counts.add(plan.counts)


def _subtract(total: Counts, part: Counts) -> None:
    for name in vars(total):
        setattr(total, name, getattr(total, name) - getattr(part, name))
