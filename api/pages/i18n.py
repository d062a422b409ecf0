"""The one translation table of the pages (Vietnamese first, English second), and the helpers that
put codes into words: tracks, levels and enumerations come from ``ledger.catalog``; event names and
anomaly messages from ``projections.anomalies``. Vietnamese is the default language."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from markupsafe import Markup, escape

from api.pages.bm01_text import BM01_TEXT
from api.pages.forms_text import FORM_TEXT
from api.pages.splits_text import SPLIT_TEXT
from ledger import catalog
from ledger.catalog import Label
from ledger.rules import RequirementKind
from ledger.standards import RequirementCheck
from projections import anomalies

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
    # directory
    "directory.title": ("Danh sách cán bộ", "Staff directory"),
    "directory.q": (
        "Họ tên hoặc mã (gõ đầu mỗi từ; không dấu thì tìm cả có dấu)",
        "Name or code (the start of each word; without diacritics finds any)",
    ),
    "directory.level_any": ("— mọi trình độ —", "— any level —"),
    "directory.empty": ("Không có ai khớp bộ lọc.", "Nobody matches these filters."),
    "directory.professional": ("Chuyên môn", "Professional"),
    "directory.political": ("LLCT", "Political theory"),
    "directory.found": ("Tìm thấy", "Found"),
    "directory.count": ("Tìm thấy {n} người", "{n} people found"),
    "directory.page_of": ("trang {n}/{pages}", "page {n} of {pages}"),
    "directory.pages": ("Các trang kết quả", "Result pages"),
    # person
    "person.standing": ("Tình trạng hồ sơ", "Standing"),
    "person.standing_on": ("Hồ sơ tính đến ngày", "The record as of"),
    "person.as_known_at": ("theo hiểu biết của sổ lúc", "as the ledger knew it at"),
    "person.qualifications": ("Trình độ cao nhất theo lĩnh vực", "Highest level per track"),
    "person.no_qualifications": ("Chưa có văn bằng, chứng chỉ nào.", "No credentials yet."),
    "person.credentials": ("Văn bằng, chứng chỉ", "Credentials"),
    "person.enrollments": ("Các khóa đào tạo, bồi dưỡng", "Courses"),
    "person.appointments": ("Bổ nhiệm", "Appointments"),
    "person.rotations": ("Luân chuyển, điều động, biệt phái", "Rotations and transfers"),
    "person.evaluations": ("Đánh giá, xếp loại", "Evaluations"),
    "person.timeline": ("Dòng thời gian các sự kiện", "Timeline of every event"),
    "person.timeline_intro": (
        "Xếp theo ngày hiệu lực. Mỗi sự kiện ghi rõ lúc nào, ai đã ghi sổ; sự kiện bị hủy được gạch "
        "ngang và vẫn giữ trong lịch sử.",
        "On the business-date axis. Each event shows when and by whom it was recorded; voided events "
        "are struck through and stay in the history.",
    ),
    "person.after_as_of": ("sau ngày xem", "after the as-of date"),
    "person.not_yet_known": ("chưa được ghi vào lúc đó", "not yet recorded then"),
    "person.voided_by": ("Đã bị hủy bởi", "Voided by"),
    "person.trail": ("Nguồn gốc", "Trail"),
    "person.dossier": ("Phiếu 2C – đào tạo, bồi dưỡng", "Dossier (training section)"),
    "person.reader_note": (
        "Khóa của bạn chỉ được xem tình trạng hồ sơ; lịch sử và nguồn gốc chứng chỉ dành cho kiểm tra "
        "viên và cán bộ tổ chức.",
        "Your key may see standings only; histories and credential trails are for auditors and registrars.",
    ),
    "person.not_found": ("Không có cán bộ mã {staff_id}.", "No staff member {staff_id}."),
    "person.not_registered_then": (
        "Cán bộ {staff_id} chưa được ghi vào sổ lúc {known_at}.",
        "Staff member {staff_id} was not yet registered at {known_at}.",
    ),
    "person.anomalies": ("Dấu hiệu bất thường", "Anomalies"),
    "person.waiver": ("Miễn trừ", "Waiver"),
    "person.unmet": ("Chưa đạt chuẩn khi bổ nhiệm", "Unmet on appointment"),
    # trail
    "trail.title": ("Nguồn gốc văn bằng, chứng chỉ", "Credential provenance"),
    "trail.steps": ("Các bước dẫn tới chứng chỉ", "The steps that led to it"),
    "trail.evidence": ("Căn cứ", "Evidence"),
    "trail.chain": ("Kiểm tra chuỗi băm của hồ sơ", "Hash chain of this record"),
    "trail.chain_ok": ("Đã xác minh", "Verified"),
    "trail.chain_ok_detail": (
        "{events} sự kiện của hồ sơ khớp chuỗi băm (mã băm cuối {tail}…); không sự kiện nào bị sửa, "
        "xóa, chèn hay đảo thứ tự.",
        "All {events} events of this record match their hash chain (last hash {tail}…): none was "
        "changed, removed, inserted or reordered.",
    ),
    "trail.chain_broken": ("Chuỗi băm bị phá vỡ", "Broken"),
    "trail.flags": ("Dấu hiệu cần xem xét", "Flags"),
    "trail.badge": ("Tải chứng chỉ số (Open Badges 3.0)", "Download the badge (Open Badges 3.0)"),
    "trail.badge_hint": (
        "Tệp ký số kèm bằng chứng trong sổ; kiểm tra ngoại tuyến bằng ledger verify-credential.",
        "A signed file with its proofs from the ledger; check it offline with ledger verify-credential.",
    ),
    "trail.no_flags": ("Không có dấu hiệu bất thường.", "Nothing unusual."),
    "trail.status.valid": ("Còn hiệu lực", "Valid"),
    "trail.status.voided": ("Đã bị hủy", "Voided"),
    "trail.dispatch": ("Quyết định cử đi học", "Dispatch decision"),
    "trail.certificate": ("Chứng chỉ được cấp", "Certificate awarded"),
    "trail.document": ("Văn bản chứng minh", "Proving document"),
    "trail.verified_by": ("Người kiểm tra văn bản", "Checked by"),
    "trail.not_found": (
        "Hồ sơ {staff_id} không có chứng chỉ {credential_id}.",
        "The record of {staff_id} has no credential {credential_id}.",
    ),
    "trail.role.registration": ("Tiếp nhận", "Registration"),
    "trail.role.enrollment": ("Cử đi học", "Enrollment"),
    "trail.role.completion": ("Hoàn thành", "Completion"),
    "trail.role.failure": ("Không đạt", "Failure"),
    "trail.role.withdrawal": ("Thôi học", "Withdrawal"),
    "trail.role.recognition": ("Công nhận", "Recognition"),
    "trail.role.evaluation": ("Đánh giá sau đào tạo", "Post-training evaluation"),
    "trail.role.correction": ("Đính chính", "Correction"),
    "trail.back": ("← Hồ sơ của {name}", "← Record of {name}"),
    # the trail's own flags (projections.credentials), in words
    "flag.voided": ("Chứng chỉ đã bị hủy", "Credential voided"),
    "flag.voided.text": (
        "Sự kiện ghi nhận chứng chỉ này đã bị hủy bởi {voided_by}.",
        "The event that put this credential on the record was voided by {voided_by}.",
    ),
    "flag.recognized_without_verifier": ("Không ai kiểm tra văn bản", "Nobody checked the document"),
    "flag.recognized_without_verifier.text": (
        "Được công nhận dựa trên {document} nhưng không ghi người đã kiểm tra văn bản.",
        "Recognized on the strength of {document} with nobody named as having checked the document.",
    ),
    "flag.recorded_late": ("Ghi sổ muộn", "Recorded late"),
    "flag.recorded_late.text": (
        "Được ghi sổ ngày {recorded_on}, muộn {days} ngày so với ngày {since}.",
        "Recorded on {recorded_on}, {days} days after {since}.",
    ),
    "flag.no_dispatch_decision": ("Không có quyết định cử đi học", "No dispatch decision"),
    "flag.no_dispatch_decision.text": (
        "Việc cử đi học không ghi quyết định cử.",
        "The enrollment records no decision sending the person to the course.",
    ),
    "flag.issued_before_completion": ("Cấp trước khi hoàn thành", "Issued before completion"),
    "flag.issued_before_completion.text": (
        "Chứng chỉ ghi ngày cấp {issued_on}, trước ngày hoàn thành khóa học {completed_on}.",
        "The certificate is dated {issued_on}, before the course was completed on {completed_on}.",
    ),
    "flag.not_evaluated_after_training": ("Chưa đánh giá sau đào tạo", "Not evaluated after training"),
    "flag.not_evaluated_after_training.text": (
        "Hoàn thành từ {completed_on} mà chưa có đánh giá sau đào tạo.",
        "Completed on {completed_on} and never evaluated after training.",
    ),
    "flag.corrected": ("Có đính chính", "Corrected"),
    "flag.corrected.text": (
        "Một số sự kiện của quá trình này đã bị hủy bằng đính chính (xem các bước).",
        "Some events of this trail were voided by corrections (see the steps).",
    ),
    # reports
    "reports.title": ("Báo cáo chất lượng đội ngũ và kết quả đào tạo", "Staff quality and training report"),
    "reports.intro": (
        "Bảng số liệu của bài viết: trình độ cao nhất của cán bộ đang công tác (mỗi người tính một "
        "lần cho mỗi lĩnh vực) và số lượt, số người được cử đi đào tạo, bồi dưỡng.",
        "The article's table: the highest level of staff on the roll (each person counted once per "
        "track), and training attendances as person-times (lượt) and persons.",
    ),
    "reports.qualifications": ("Trình độ của cán bộ đang công tác", "Qualifications of staff on the roll"),
    "reports.attendance": ("Số lượt, số người được cử đi đào tạo, bồi dưỡng", "Training attendances"),
    "reports.attendance_window": ("Khóa học bắt đầu trong khoảng", "Courses starting between"),
    "reports.attendance_unit_note": (
        "Theo đơn vị người học công tác vào ngày khóa học bắt đầu; gồm cả người đã nghỉ việc, không "
        "tính khóa đã bị hủy.",
        "By the unit the person worked in when the course started; people who have left count, "
        "voided enrollments do not.",
    ),
    "reports.by_year": ("Số lượt theo năm bắt đầu", "Attendances by starting year"),
    "reports.by_gender": ("Theo giới tính", "By gender"),
    "reports.by_age": ("Theo độ tuổi", "By age band"),
    "reports.by_track": ("Theo lĩnh vực", "By track"),
    "reports.by_status": ("Theo kết quả", "By outcome"),
    "reports.chart": ("Biểu đồ", "Chart"),
    "reports.no_data": ("Không có số liệu.", "No data."),
    "reports.in_scope_hint": (
        "Bài viết tính LLCT, QLNN và lãnh đạo quản lý từ 2019.",
        "The article counts political theory, state management and leadership since 2019.",
    ),
    "needs.title": ("Nhu cầu đào tạo theo tiêu chuẩn chức danh", "Training needs against position standards"),
    "needs.intro": (
        "Những tiêu chuẩn của chức vụ, ngạch mà cán bộ đang công tác chưa đạt vào ngày xem "
        "(bộ tiêu chuẩn: {rule_set}).",
        "The requirements of their post and rank that staff on the roll do not meet on the day (rule "
        "set {rule_set}).",
    ),
    "needs.position": (
        "Xét theo chức vụ (để trống: chức vụ hiện tại)",
        "Check against post (empty: their own)",
    ),
    "needs.people": ("Số người được xét", "People checked"),
    "needs.with_gaps": ("Số người còn thiếu", "People with gaps"),
    "needs.by_status": ("Theo tình trạng", "By status"),
    "needs.required": ("Yêu cầu", "Required"),
    "needs.held": ("Đang có", "Held"),
    "needs.deadline": ("Hạn", "Deadline"),
    "needs.legal_basis": ("Căn cứ", "Legal basis"),
    "needs.rules_version": ("phiên bản", "version"),
    "needs.in_training": ("Đang học", "In training"),
    "needs.empty": ("Không ai thiếu tiêu chuẩn.", "Nobody has a gap."),
    "needs.status.met": ("đạt", "met"),
    "needs.status.unmet": ("chưa đạt", "unmet"),
    "needs.status.pending": ("trong thời hạn bổ sung", "in grace period"),
    "needs.status.waived": ("được miễn trừ", "waived"),
    "needs.status.overdue": ("quá hạn", "overdue"),
    "needs.bad_position": ("Bộ quy tắc không biết chức vụ này: ", "The rule set does not know this post: "),
    "effect.title": ("Hiệu quả sau đào tạo", "Training effectiveness"),
    "effect.intro": (
        "Mỗi chương trình, theo năm hoàn thành: xếp loại năm trước khi học so với năm sau khi học "
        "(xuất sắc 4, tốt 3, hoàn thành 2, không hoàn thành 1) và các đánh giá sau đào tạo.",
        "Per programme and year of completion: the annual rating of the year before the course against "
        "the year after (excellent 4, good 3, completed 2, not completed 1), and post-training evaluations.",
    ),
    "effect.programme": ("Chương trình", "Programme"),
    "effect.year": ("Năm", "Year"),
    "effect.completions": ("Hoàn thành", "Completions"),
    "effect.compared": ("So sánh được", "Compared"),
    "effect.improved": ("Tiến bộ", "Improved"),
    "effect.unchanged": ("Giữ nguyên", "Unchanged"),
    "effect.declined": ("Giảm", "Declined"),
    "effect.mean_before": ("Điểm TB trước", "Mean before"),
    "effect.mean_after": ("Điểm TB sau", "Mean after"),
    "effect.evaluated": ("Số đánh giá sau ĐT", "Post-training evaluations"),
    "effect.applied": ("Tỷ lệ áp dụng tốt", "Share applied"),
    "effect.chart": ("Kết quả sau đào tạo theo lĩnh vực", "What followed training, by track"),
    "effect.empty": ("Chưa có khóa học nào hoàn thành.", "No completed course yet."),
    "anom.title": ("Dấu hiệu bất thường trong hồ sơ", "Anomalies in the records"),
    "anom.intro": (
        "Những điểm kiểm tra viên nên xem lại, mỗi điểm nêu rõ vì sao. Ngưỡng ghi sổ muộn: {days} "
        "ngày; thạc sĩ ít nhất {master} tháng, tiến sĩ ít nhất {doctorate} tháng.",
        "What an auditor should look at, each saying why. Backdated after {days} days; a master's "
        "degree takes at least {master} months, a doctorate {doctorate}.",
    ),
    "anom.kind": ("Loại dấu hiệu", "Kind"),
    "anom.empty": ("Không có dấu hiệu nào.", "Nothing found."),
    "anom.by_code": ("Số dấu hiệu theo loại", "Findings by kind"),
    # dossier
    "dossier.title": (
        "Đào tạo, bồi dưỡng về chuyên môn, nghiệp vụ, lý luận chính trị, ngoại ngữ, tin học",
        "Training in profession, political theory, foreign languages and IT",
    ),
    "dossier.form": (
        "Phiếu 2C – Sơ yếu lý lịch cán bộ, công chức (trích)",
        "Personnel file form 2C (extract)",
    ),
    "dossier.institution": ("Tên trường", "Institution"),
    "dossier.field": ("Chuyên ngành đào tạo, bồi dưỡng", "Field"),
    "dossier.period": ("Từ tháng, năm – đến tháng, năm", "From – to (month/year)"),
    "dossier.mode": ("Hình thức đào tạo", "Mode"),
    "dossier.award": ("Văn bằng, chứng chỉ, trình độ gì", "Award"),
    "dossier.summary": ("Trình độ", "Levels held"),
    "dossier.pdf": ("Tải PDF", "Download PDF"),
    "dossier.empty": ("Chưa có khóa đào tạo, văn bằng nào.", "No training or credentials yet."),
    "dossier.in_progress": ("đang học", "in progress"),
    "dossier.page_of": ("Trang {n}/{pages}", "Page {n} of {pages}"),
    "dossier.parent_agency": ("Cơ quan quản lý CBCC", "Managing agency"),
    "dossier.agency": ("Cơ quan, đơn vị sử dụng CBCC", "Employing agency"),
    "dossier.staff_number": ("Số hiệu cán bộ, công chức", "Staff number"),
    "dossier.prepared_by": ("Người lập biểu", "Prepared by"),
    "dossier.head_of_agency": ("Thủ trưởng cơ quan", "Head of agency"),
    "dossier.sign_name": ("(Ký, ghi rõ họ tên)", "(Signature and full name)"),
    "dossier.sign_seal": ("(Ký tên, đóng dấu)", "(Signature and seal)"),
    "dossier.no_font": (
        "Máy chủ thiếu phông chữ Unicode để tạo PDF (gói fonts-dejavu-core); hãy dùng nút In.",
        "The server lacks the Unicode font needed for PDF (package fonts-dejavu-core); use Print instead.",
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


# The registrar's forms and the BM01/BNV form keep their words in their own modules.
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
    zone: dt.tzinfo = anomalies.VIETNAM_TIME

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
        label = anomalies.EVENT_LABELS.get(kind)
        return label.in_language(self.language) if label else kind

    def anomaly_title(self, code: str) -> str:
        label = anomalies.TITLES.get(code)
        if label is not None:
            return label.in_language(self.language)
        pair = TEXT.get(f"flag.{code}")
        return (pair[0] if self.language == "vi" else pair[1]) if pair else code

    def anomaly(self, anomaly: anomalies.Anomaly) -> str:
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
