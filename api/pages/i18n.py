"""The one translation table of the pages (Vietnamese first, English second), and the helpers that
put codes into words: tracks, levels and enumerations come from ``ledger.domain.catalog``; event names and
anomaly messages from ``projections.anomaly_flags``. Vietnamese is the default language."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from markupsafe import Markup, escape

from api.pages.bm01_text import BM01_TEXT
from api.pages.forms_text import FORM_TEXT
from api.pages.reports_text import REPORT_TEXT
from api.pages.splits_text import SPLIT_TEXT
from api.pages.staff_text import STAFF_TEXT
from ledger.domain import catalog
from ledger.domain.catalog import Label
from ledger.standards.model import RequirementKind
from ledger.standards.verdicts import RequirementCheck
from projections import anomaly_flags, anomaly_rules

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

TEXT: dict[str, tuple[str, str]] = {
    # the frame
    "app.title": ("Sổ đào tạo, bồi dưỡng cán bộ", "Staff training ledger"),
    "app.subtitle": ("Bàn làm việc của kiểm tra viên", "The auditor's workbench"),
    "nav.directory": ("Danh sách cán bộ", "Directory"),
    "nav.reports": ("Báo cáo chất lượng", "Quality report"),
    "nav.needs": ("Nhu cầu đào tạo", "Training needs"),
    "nav.effectiveness": ("Hiệu quả sau đào tạo", "Effectiveness"),
    "nav.anomalies": ("Dấu hiệu bất thường", "Anomalies"),
    "nav.operations": ("Vận hành", "Operations"),
    "nav.signed_in_as": ("Đăng nhập:", "Signed in:"),
    "nav.sign_out": ("Đăng xuất", "Sign out"),
    "nav.language": ("Ngôn ngữ", "Language"),
    "nav.skip": ("Bỏ qua, tới nội dung", "Skip to content"),
    "role.registrar": ("cán bộ tổ chức (ghi sổ)", "registrar"),
    "role.auditor": ("kiểm tra viên", "auditor"),
    "role.reader": ("chỉ xem báo cáo", "reader"),
    "footer.note": (
        "Mọi thông tin được dựng lại từ nhật ký sự kiện không sửa được; trang này chỉ đọc.",
        "Everything here is projected from an append-only log of events; these pages only read.",
    ),
    # sign-in
    "login.title": ("Đăng nhập", "Sign in"),
    "login.intro": (
        "Dùng khóa truy cập do quản trị cấp (lệnh {command}). Khóa có vai trò kiểm tra viên "
        "hoặc cán bộ tổ chức xem được lịch sử và nguồn gốc chứng chỉ; khóa chỉ xem báo cáo thì không.",
        "Use the access key you were given (made with {command}). Auditor and registrar keys "
        "see histories and credential trails; reader keys see standings and reports only.",
    ),
    "login.key": ("Khóa truy cập", "Access key"),
    "login.submit": ("Đăng nhập", "Sign in"),
    "login.bad_key": ("Khóa không đúng hoặc đã bị thu hồi.", "The key is unknown or revoked."),
    "login.no_key": ("Hãy nhập khóa truy cập.", "Enter your access key."),
    "login.bad_form": (
        "Biểu mẫu đã hết hạn hoặc không đến từ trang này; hãy thử lại.",
        "The form expired or did not come from this site; please try again.",
    ),
    "login.signed_out": ("Đã đăng xuất.", "You are signed out."),
    "login.expired": (
        "Phiên làm việc đã hết hạn; hãy đăng nhập lại.",
        "Your session ended; please sign in again.",
    ),
    # common words
    "common.search": ("Tìm", "Search"),
    "common.show": ("Xem", "Show"),
    "common.reset": ("Bỏ lọc", "Clear"),
    "common.all": ("Tất cả", "All"),
    "common.any": ("— bất kỳ —", "— any —"),
    "common.none": ("không có", "none"),
    "common.yes": ("có", "yes"),
    "common.no": ("không", "no"),
    "common.next_page": ("Trang sau →", "Next page →"),
    "common.first_page": ("← Trang đầu", "← First page"),
    "common.previous_page": ("← Trang trước", "← Previous page"),
    "common.export": ("Tải về", "Download"),
    "common.print": ("In", "Print"),
    "common.filters": ("Bộ lọc", "Filters"),
    "common.as_of": ("Ngày xem (theo ngày hiệu lực)", "As of (business date)"),
    "common.as_of_short": ("Tính đến ngày", "As of"),
    "common.known_at": ("Theo hiểu biết của sổ lúc", "As the ledger knew it at"),
    "reports.as_known_at": (
        "Báo cáo như sổ ghi nhận lúc {when} (giờ địa phương): các sự kiện ghi sau thời điểm đó, "
        "kể cả đính chính, không được tính.",
        "The report as the ledger knew it at {when} (local time): events recorded later, "
        "corrections included, are left out.",
    ),
    "common.known_at_hint": ("để trống: như sổ biết hiện nay", "leave empty: as the ledger knows it now"),
    "common.today": ("hôm nay", "today"),
    "common.generated_at": ("Lập lúc", "Generated at"),
    "common.unit": ("Đơn vị", "Unit"),
    "common.units_all": ("Toàn cơ quan", "Whole agency"),
    "common.status": ("Tình trạng", "Status"),
    "common.gender": ("Giới tính", "Gender"),
    "common.level": ("Trình độ", "Level"),
    "common.track": ("Lĩnh vực", "Track"),
    # Conditions of appointment, where a training requirement names its track (docs/rules.md).
    "condition.experience": ("Kinh nghiệm công tác", "Experience"),
    "condition.age_headroom": ("Tuổi bổ nhiệm", "Age headroom"),
    "condition.field_of_study": ("Chuyên ngành đào tạo", "Field of study"),
    "condition.planning_pool": ("Quy hoạch", "Planning pool"),
    "common.tracks": ("Lĩnh vực", "Tracks"),
    "common.name": ("Họ và tên", "Full name"),
    "common.staff_id": ("Mã cán bộ", "Staff code"),
    "common.position": ("Chức vụ", "Position"),
    "common.rank": ("Mã ngạch", "Rank code"),
    "common.national_id": ("Số định danh cá nhân", "Personal identification number"),
    "common.employment": ("Loại cán bộ", "Employment"),
    "common.birth_date": ("Ngày sinh", "Birth date"),
    "common.joined_on": ("Ngày vào cơ quan", "Joined on"),
    "common.departed_on": ("Ngày nghỉ việc", "Departed on"),
    "common.total": ("Tổng", "Total"),
    "common.count": ("Số lượng", "Count"),
    "common.persons": ("Số người", "Persons"),
    "common.attendances": ("Số lượt", "Attendances"),
    "common.headcount": ("Tổng số cán bộ", "Headcount"),
    "common.of_which_female": ("Trong đó nữ", "Of which female"),
    "common.from": ("Từ ngày", "From"),
    "common.to": ("Đến ngày", "To"),
    "common.date": ("Ngày", "Date"),
    "common.event": ("Sự kiện", "Event"),
    "common.details": ("Nội dung", "Details"),
    "common.recorded": ("Ghi sổ", "Recorded"),
    "common.recorded_by": ("Người ghi (khóa)", "Recorded by (key)"),
    "common.recorded_at": ("Thời điểm ghi", "Recorded at"),
    "common.event_id": ("Mã sự kiện", "Event id"),
    "common.position_in_log": ("Vị trí trong nhật ký", "Log position"),
    "common.credential": ("Văn bằng, chứng chỉ", "Credential"),
    "common.number": ("Số hiệu", "Number"),
    "common.issuer": ("Nơi cấp", "Issuer"),
    "common.issued_on": ("Ngày cấp", "Issued on"),
    "common.course": ("Khóa học", "Course"),
    "common.provider": ("Cơ sở đào tạo", "Provider"),
    "common.mode": ("Hình thức", "Mode"),
    "common.period": ("Thời gian", "Period"),
    "common.decision": ("Quyết định", "Decision"),
    "common.score": ("Điểm", "Score"),
    "common.reason": ("Lý do", "Reason"),
    "common.code": ("Loại", "Kind"),
    "common.message": ("Vì sao", "Why"),
    "common.open": ("chưa kết thúc", "still open"),
    "common.rows": ("dòng", "rows"),
    "common.people_found": ("người", "people"),
    "common.invalid_date": ("Ngày không hợp lệ (viết dạng dd/mm/yyyy): ", "Not a date (write dd/mm/yyyy): "),
    "common.invalid_time": (
        "Thời điểm không hợp lệ (viết dạng dd/mm/yyyy hh:mm): ",
        "Not a date and time (write dd/mm/yyyy hh:mm): ",
    ),
    "common.local_time": ("giờ Việt Nam", "Vietnam time"),
    # statuses
    "status.active": ("Đang công tác", "Active"),
    "status.departed": ("Đã nghỉ việc", "Departed"),
    "status.not_joined": ("Chưa vào cơ quan", "Not yet joined"),
    "enrollment.enrolled": ("Đang học", "Enrolled"),
    "enrollment.completed": ("Hoàn thành", "Completed"),
    "enrollment.failed": ("Không đạt", "Failed"),
    "enrollment.withdrawn": ("Thôi học", "Withdrawn"),
    "source.completion": ("Cấp khi hoàn thành khóa học", "Awarded by a recorded course"),
    "source.recognition": ("Công nhận văn bằng có sẵn", "Recognized (earned elsewhere)"),
    # the operator's page (api.pages.operations)
    "ops.title": ("Tình trạng vận hành", "Service operations"),
    "ops.intro": (
        "Trạng thái của dịch vụ: các bảng xem (view) đã cập nhật tới đâu trong nhật ký, chậm bao nhiêu, "
        "và có lỗi không. Trang này đọc cùng số liệu với /health và /metrics.",
        "The state of the service: how far each view has applied the log, how far behind it is, and "
        "whether it is failing. This page reads the same figures as /health and /metrics.",
    ),
    "ops.status": ("Trạng thái", "Status"),
    "ops.ok": ("Bình thường", "OK"),
    "ops.degraded": ("Suy giảm", "Degraded"),
    "ops.failing": ("Đang lỗi", "Failing"),
    "ops.lagging": ("Chậm", "Lagging"),
    "ops.head": ("Sự kiện trong nhật ký", "Events in the log"),
    "ops.store": ("Cơ sở dữ liệu", "Store"),
    "ops.version": ("Phiên bản", "Version"),
    "ops.mode": ("Bộ cập nhật bảng xem", "Projection engine"),
    "ops.mode.in_process": ("chạy trong máy chủ này", "runs in this server"),
    "ops.mode.external": ("chạy riêng (ledger projections run)", "runs separately (ledger projections run)"),
    "ops.mode.unavailable": ("không có", "unavailable"),
    "ops.threshold": ("Ngưỡng chậm (suy giảm khi vượt)", "Lag threshold (degraded beyond it)"),
    "ops.seconds": ("giây", "seconds"),
    "ops.signed_checkpoint": ("Điểm kiểm tra đã ký gần nhất", "Latest signed checkpoint"),
    "ops.signed_size": ("số sự kiện", "events"),
    "ops.signed_root": ("gốc Merkle", "Merkle root"),
    "ops.signed_key": ("khóa", "key"),
    "ops.signed_none": (
        "Chưa ký điểm kiểm tra nào (ledger checkpoint).",
        "None signed yet (ledger checkpoint).",
    ),
    "ops.checkpoint": (
        "Điểm kiểm tra gần nhất (độ dài nhật ký và mã băm cộng dồn)",
        "Latest checkpoint (log length and running digest)",
    ),
    "ops.checked_at": ("Thời điểm xem", "Checked at"),
    "ops.view": ("Bảng xem", "View"),
    "ops.view.standing": ("Hồ sơ và danh sách cán bộ", "Standings and directory"),
    "ops.view.credentials": ("Văn bằng, chứng chỉ và nguồn gốc", "Credentials and trails"),
    "ops.view.statistics": ("Số liệu thống kê", "Statistics"),
    "ops.view.anomalies": ("Dấu hiệu bất thường", "Anomalies"),
    "ops.generation": ("Thế hệ", "Generation"),
    "ops.position": ("Vị trí đã cập nhật", "Applied position"),
    "ops.lag_events": ("Chậm (sự kiện)", "Lag (events)"),
    "ops.lag_seconds": ("Chậm (giây)", "Lag (seconds)"),
    "ops.no_views": ("Chưa có bảng xem nào được dựng.", "No view has been built yet."),
    "ops.metrics_hint": (
        "Số liệu cho Prometheus: GET /metrics (không cần khóa; chỉ mở cho mạng nội bộ tin cậy).",
        "Prometheus metrics: GET /metrics (no key needed; expose it to trusted networks only).",
    ),
    # errors
    "error.title": ("Không hiển thị được", "Cannot show this"),
    "error.forbidden": (
        "Khóa '{name}' có vai trò {role}, không được xem trang này (chỉ kiểm tra viên và cán bộ tổ chức).",
        "Key '{name}' has role {role}, which may not see this page (auditors and registrars only).",
    ),
    "error.not_ready": (
        "Các bảng tổng hợp đang được dựng lại từ nhật ký; hãy thử lại sau ít giây.",
        "The views are being rebuilt from the log; try again in a few seconds.",
    ),
    "error.bad_input": ("Dữ liệu không hợp lệ: ", "Invalid input: "),
    "error.not_found": ("Không tìm thấy trang này.", "There is no such page."),
    # exports
    "export.filters": ("Điều kiện lọc", "Filters"),
    "export.report": ("Báo cáo", "Report"),
    "export.source": ("Nguồn", "Source"),
    "export.source_value": ("Sổ đào tạo cán bộ (nhật ký sự kiện)", "Staff training ledger (event log)"),
}

RATING_SHORT: dict[str, tuple[str, str]] = {
    "excellent": ("HTXSNV", "Excellent"),
    "good": ("HTTNV", "Good"),
    "completed": ("HTNV", "Completed"),
    "not_completed": ("KHTNV", "Not completed"),
}


# The staff pages, the reports, the registrar's forms and the BM01/BNV form keep their words in
# their own modules.
TEXT.update(STAFF_TEXT)
TEXT.update(REPORT_TEXT)
TEXT.update(FORM_TEXT)
TEXT.update(SPLIT_TEXT)
TEXT.update(BM01_TEXT)


def pick_language(*candidates: str | None) -> str:
    """The first supported language among ``candidates``, else Vietnamese."""
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass(frozen=True)
class Translator:
    """Words in one language; templates call it as ``t("key")`` and use its label helpers."""

    language: str
    # Recording times are shown on the agency's wall clock (LEDGER_TIMEZONE); the pages pass the
    # ledger's zone, the default is Vietnam's.
    zone: dt.tzinfo = anomaly_rules.VIETNAM_TIME

    def __call__(self, key: str, **values: object) -> str:
        pair = TEXT.get(key)
        if pair is None:
            return key
        text = pair[0] if self.language == "vi" else pair[1]
        return text.format(**values) if values else text

    def with_code(self, key: str, **commands: str) -> Markup:
        """The sentence ``key`` with each ``{name}`` set as a ``<code>`` element (a command the
        reader types), the rest escaped: no literal backticks on the page."""
        pair = TEXT.get(key)
        text = key if pair is None else (pair[0] if self.language == "vi" else pair[1])
        codes = {name: Markup("<code>{}</code>").format(value) for name, value in commands.items()}
        return Markup(escape(text).format(**codes))

    def label(self, label: Label) -> str:
        return label.in_language(self.language)

    def track(self, track: str | None) -> str:
        if not track:
            return ""
        condition = TEXT.get(f"condition.{track}")
        if condition is not None:
            return condition[0] if self.language == "vi" else condition[1]
        try:
            return catalog.track_info(track).label.in_language(self.language)
        except ValueError:
            return track

    def level(self, track: str | None, level: str | None) -> str:
        if not track or not level:
            return ""
        try:
            return catalog.level_label(track, level, self.language) or level
        except ValueError:
            return level

    def required(self, check: RequirementCheck) -> str:
        """What a requirement asks, as a cell: a level's label, or a condition's wording."""
        if check.kind != RequirementKind.TRAINING:
            return check.label_vi if self.language == "vi" else check.requirement
        return self.level(str(check.track), check.required_level)

    def held(self, check: RequirementCheck) -> str:
        """What is held against a requirement, as a cell ("" when nothing)."""
        if check.kind != RequirementKind.TRAINING:
            return check.held_text or ""
        return self.level(str(check.track), check.held.level) if check.held else ""

    def code(self, value: str | StrEnum | None) -> str:
        """The label of an enumeration code (gender, mode, rating …), or the code itself."""
        if value is None:
            return ""
        for member, label in catalog.ENUM_LABELS.items():
            if member.value == str(value):
                return label.in_language(self.language)
        return str(value)

    def rating_short(self, value: str | None) -> str:
        pair = RATING_SHORT.get(value or "")
        return (pair[0] if self.language == "vi" else pair[1]) if pair else self.code(value)

    def event(self, kind: str) -> str:
        label = anomaly_flags.EVENT_LABELS.get(kind)
        return label.in_language(self.language) if label else kind

    def anomaly_title(self, code: str) -> str:
        label = anomaly_flags.TITLES.get(code)
        if label is not None:
            return label.in_language(self.language)
        pair = TEXT.get(f"flag.{code}")
        return (pair[0] if self.language == "vi" else pair[1]) if pair else code

    def anomaly(self, anomaly: anomaly_flags.Anomaly) -> str:
        return self.dates_in(anomaly.text(self.language))

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        return value.strftime("%d/%m/%Y") if self.language == "vi" else value.isoformat()

    def month(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        return value.strftime("%m/%Y")

    def when(self, value: dt.datetime | None) -> str:
        """A recording time, on the agency's wall clock."""
        if value is None:
            return ""
        local = value.astimezone(self.zone)
        pattern = "%d/%m/%Y %H:%M" if self.language == "vi" else "%Y-%m-%d %H:%M"
        return local.strftime(pattern)

    def number(self, value: int | float | Decimal | None) -> str:
        if value is None:
            return ""
        if isinstance(value, int):
            text = f"{value:,}"
            return text.replace(",", ".") if self.language == "vi" else text
        text = f"{value:,.2f}"
        if self.language == "vi":
            text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
        return text

    def legal_basis(self, text: str | None) -> str:
        """A rule's legal basis as the pages show it: the rules file's provenance marks (``[S]``
        sourced, ``[P]`` proposal, ``[K]`` to check) in words of the language, not as codes."""
        if not text:
            return ""
        marks = _MARKS_VI if self.language == "vi" else _MARKS_EN

        def word(match: re.Match[str]) -> str:
            found = marks.get(match.group(1).split(",")[0].strip().upper(), "")
            return f" ({found})" if found else ""

        return " ".join(_MARK.sub(word, text).split())

    def dates_in(self, text: str) -> str:
        """ISO dates inside a message, written the Vietnamese way in Vietnamese."""
        if self.language != "vi":
            return text
        return _ISO_DAY.sub(lambda m: f"{m.group(3)}/{m.group(2)}/{m.group(1)}", text)


_MARK = re.compile(r"\s*\[([SPK](?:,[^\]]*)?)\]")
# [S] (confirmed in a published source) says nothing a reader of the page needs; the others do.
_MARKS_VI = {"P": "đề xuất", "K": "cần kiểm tra"}
_MARKS_EN = {"P": "proposal", "K": "to be checked"}


def translator(language: str) -> Translator:
    return Translator(pick_language(language))
