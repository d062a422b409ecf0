"""The one catalog of codes every layer reads: tracks, levels, rank, tier and their labels.

Codes are the contract (docs/api.md, "Codes"); labels come in Vietnamese and English. ``rank`` orders
levels within a track for "highest level held"; ``tier`` groups levels that satisfy the same
requirement in rule checks (a political-theory bachelor is in the advanced tier, docs/domain.md §1.3).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum


class Track(StrEnum):
    PROFESSIONAL = "professional"
    POLITICAL_THEORY = "political_theory"
    STATE_MANAGEMENT = "state_management"
    LEADERSHIP = "leadership"
    DEFENSE_SECURITY = "defense_security"
    IT = "it"
    FOREIGN_LANGUAGE = "foreign_language"
    OTHER = "other"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Employment(StrEnum):
    CIVIL_SERVANT = "civil_servant"
    CADRE = "cadre"
    CONTRACT = "contract"


class Mode(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    ONLINE = "online"
    BLENDED = "blended"
    SELF_STUDY = "self_study"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class RotationKind(StrEnum):
    ROTATION = "rotation"
    TRANSFER = "transfer"
    SECONDMENT = "secondment"


class EvaluationKind(StrEnum):
    ANNUAL = "annual"
    POST_TRAINING = "post_training"


class Rating(StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"


class Funding(StrEnum):
    STATE_BUDGET = "state_budget"
    SELF_FUNDED = "self_funded"
    SPONSORED = "sponsored"


class DepartureCategory(StrEnum):
    """Why a person left, as far as a service commitment cares (reimbursement, docs/domain.md §2.2)."""

    RESIGNED = "resigned"
    TRANSFER_WITH_CONSENT = "transfer_with_consent"
    RETIRED = "retired"
    DISMISSED = "dismissed"
    DECEASED = "deceased"
    OTHER = "other"


@dataclass(frozen=True)
class Label:
    vi: str
    en: str

    def in_language(self, language: str) -> str:
        return self.vi if language == "vi" else self.en


@dataclass(frozen=True)
class Level:
    track: Track
    code: str
    rank: int
    tier: int
    label: Label


@dataclass(frozen=True)
class TrackInfo:
    track: Track
    label: Label
    levels: tuple[Level, ...]

    @property
    def has_levels(self) -> bool:
        return bool(self.levels)

    def level(self, code: str) -> Level | None:
        for level in self.levels:
            if level.code == code:
                return level
        return None


def _levels(track: Track, *items: tuple[str, str, str] | tuple[str, str, str, int]) -> tuple[Level, ...]:
    """Build levels lowest first; rank is the position, tier defaults to the rank."""
    levels = []
    for rank, item in enumerate(items, start=1):
        code, vi, en = item[0], item[1], item[2]
        tier = item[3] if len(item) == 4 else rank
        levels.append(Level(track, code, rank, tier, Label(vi, en)))
    return tuple(levels)


TRACKS: dict[Track, TrackInfo] = {
    info.track: info
    for info in (
        TrackInfo(
            Track.PROFESSIONAL,
            Label("Trình độ chuyên môn", "Professional qualification"),
            _levels(
                Track.PROFESSIONAL,
                ("technical_worker", "Công nhân kỹ thuật", "Technical worker"),
                ("intermediate", "Trung cấp", "Intermediate"),
                ("college", "Cao đẳng", "College"),
                ("bachelor", "Đại học", "Bachelor"),
                ("master", "Thạc sĩ", "Master"),
                ("doctorate", "Tiến sĩ", "Doctorate"),
            ),
        ),
        TrackInfo(
            Track.POLITICAL_THEORY,
            Label("Lý luận chính trị", "Political theory"),
            _levels(
                Track.POLITICAL_THEORY,
                ("elementary", "Sơ cấp", "Elementary"),
                ("intermediate", "Trung cấp", "Intermediate"),
                ("advanced", "Cao cấp", "Advanced"),
                # Same tier as advanced for rule checks; ranked above it so a person holding
                # both is counted once, under bachelor (docs/domain.md §1.3).
                ("bachelor", "Cử nhân chính trị", "Bachelor of political theory", 3),
            ),
        ),
        TrackInfo(
            Track.STATE_MANAGEMENT,
            Label("Quản lý nhà nước", "State management"),
            _levels(
                Track.STATE_MANAGEMENT,
                ("officer", "Cán sự", "Officer"),
                ("specialist", "Chuyên viên", "Specialist"),
                ("principal", "Chuyên viên chính", "Principal specialist"),
                ("senior", "Chuyên viên cao cấp", "Senior specialist"),
            ),
        ),
        TrackInfo(
            Track.LEADERSHIP,
            Label("Lãnh đạo, quản lý", "Leadership and management"),
            _levels(
                Track.LEADERSHIP,
                ("division", "Cấp phòng", "Division level"),
                ("department", "Cấp sở, cục", "Department level"),
                ("ministry", "Cấp vụ", "Ministry level"),
            ),
        ),
        TrackInfo(
            Track.DEFENSE_SECURITY,
            Label("Quốc phòng và an ninh", "Defence and security"),
            _levels(
                Track.DEFENSE_SECURITY,
                ("group4", "Đối tượng 4", "Group 4"),
                ("group3", "Đối tượng 3", "Group 3"),
                ("group2", "Đối tượng 2", "Group 2"),
                ("group1", "Đối tượng 1", "Group 1"),
            ),
        ),
        TrackInfo(
            Track.IT,
            Label("Tin học", "Information technology"),
            _levels(
                Track.IT,
                ("basic", "Cơ bản", "Basic"),
                ("advanced", "Nâng cao", "Advanced"),
            ),
        ),
        TrackInfo(
            Track.FOREIGN_LANGUAGE,
            Label("Ngoại ngữ", "Foreign language"),
            _levels(
                Track.FOREIGN_LANGUAGE,
                *((f"level{n}", f"Bậc {n}", f"Level {n}") for n in range(1, 7)),
            ),
        ),
        TrackInfo(Track.OTHER, Label("Khác", "Other"), ()),
    )
}

ENUM_LABELS: dict[StrEnum, Label] = {
    Gender.FEMALE: Label("Nữ", "Female"),
    Gender.MALE: Label("Nam", "Male"),
    Employment.CIVIL_SERVANT: Label("Công chức", "Civil servant"),
    Employment.CADRE: Label("Cán bộ", "Cadre"),
    Employment.CONTRACT: Label("Hợp đồng lao động", "Contract worker"),
    Mode.FULL_TIME: Label("Tập trung", "Full time"),
    Mode.PART_TIME: Label("Vừa làm vừa học", "Part time"),
    Mode.ONLINE: Label("Trực tuyến", "Online"),
    Mode.BLENDED: Label("Kết hợp", "Blended"),
    Mode.SELF_STUDY: Label("Tự học", "Self-study"),
    RotationKind.ROTATION: Label("Luân chuyển", "Rotation"),
    RotationKind.TRANSFER: Label("Điều động", "Transfer"),
    RotationKind.SECONDMENT: Label("Biệt phái", "Secondment"),
    EvaluationKind.ANNUAL: Label("Đánh giá hằng năm", "Annual evaluation"),
    EvaluationKind.POST_TRAINING: Label("Đánh giá sau đào tạo", "Post-training evaluation"),
    Rating.EXCELLENT: Label("Hoàn thành xuất sắc nhiệm vụ", "Excellently completed"),
    Rating.GOOD: Label("Hoàn thành tốt nhiệm vụ", "Well completed"),
    Rating.COMPLETED: Label("Hoàn thành nhiệm vụ", "Completed"),
    Rating.NOT_COMPLETED: Label("Không hoàn thành nhiệm vụ", "Not completed"),
    Funding.STATE_BUDGET: Label("Ngân sách nhà nước", "State budget"),
    Funding.SELF_FUNDED: Label("Tự túc", "Self-funded"),
    Funding.SPONSORED: Label("Tài trợ, dự án", "Sponsored or project"),
    DepartureCategory.RESIGNED: Label("Thôi việc, nghỉ việc", "Resigned"),
    DepartureCategory.TRANSFER_WITH_CONSENT: Label(
        "Chuyển công tác được cơ quan đồng ý", "Transferred with the agency's consent"
    ),
    DepartureCategory.RETIRED: Label("Nghỉ hưu", "Retired"),
    DepartureCategory.DISMISSED: Label("Buộc thôi việc", "Dismissed"),
    DepartureCategory.DECEASED: Label("Từ trần", "Deceased"),
    DepartureCategory.OTHER: Label("Lý do khác", "Other"),
}


def track_info(track: Track | str) -> TrackInfo:
    return TRACKS[Track(track)]


@functools.lru_cache(maxsize=4096)
def level_of(track: Track | str, level: str | None) -> Level | None:
    """The catalog entry for a level of a track, or None when absent or unknown (remembered:
    the reports ask it for every credential of every person)."""
    if level is None:
        return None
    return track_info(track).level(level)


def level_label(track: Track | str, level: str | None, language: str = "vi") -> str:
    found = level_of(track, level)
    return found.label.in_language(language) if found else ""


def is_higher(track: Track | str, candidate: str | None, current: str | None) -> bool:
    """Whether ``candidate`` outranks ``current`` within a track (None is lowest)."""
    candidate_level = level_of(track, candidate)
    if candidate_level is None:
        return False
    current_level = level_of(track, current)
    return current_level is None or candidate_level.rank > current_level.rank
