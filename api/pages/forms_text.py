"""Words of the registrar's forms (Vietnamese first, English second), merged into the pages'
one translation table (``api.pages.i18n.TEXT``), and the named errors put into words.

A domain error carries an English sentence built from its facts; in Vietnamese the page shows the
sentence of its code (one per named error of ``ledger.domain.errors``), so no English is left in the
Vietnamese view.
"""

from __future__ import annotations

from typing import Any, Protocol


class Words(Protocol):
    @property
    def language(self) -> str: ...

    def __call__(self, key: str, **values: object) -> str: ...


FORM_TEXT: dict[str, tuple[str, str]] = {
    # titles and intros
    "form.register.title": ("Đăng ký cán bộ mới", "Register a staff member"),
    "form.enroll.title": ("Cử đi học", "Enroll in a course"),
    "form.group.title": ("Cử đi học theo nhóm", "Group enrollment"),
    "form.complete.title": ("Ghi kết quả khóa học", "Record a completion"),
    "form.withdraw.title": ("Ghi thôi học", "Record a withdrawal"),
    "form.recognize.title": ("Công nhận văn bằng, chứng chỉ", "Recognise a credential"),
    "form.rotate.title": ("Luân chuyển, điều động, biệt phái", "Rotation"),
    "form.appoint.title": ("Bổ nhiệm", "Appointment"),
    "form.evaluate.title": ("Đánh giá", "Evaluation"),
    "form.depart.title": ("Ghi thôi việc, nghỉ hưu", "Departure"),
    "form.correct.title": ("Đính chính", "Correction"),
    "form.group.intro": (
        "Một quyết định cử đi học cho nhiều người: hoặc ghi cho tất cả, hoặc không ghi cho ai.",
        "One dispatch decision for several people: recorded for every one of them or for none.",
    ),
    "form.correct.intro": (
        "Chọn một sự kiện để hủy, hoặc nhập số định danh cá nhân đúng (không làm cả hai). Sự kiện "
        "bị hủy và số cũ vẫn nằm trong lịch sử; mọi báo cáo coi như sự kiện bị hủy chưa từng xảy ra.",
        "Choose an event to void, or enter the correct personal identification number (not both). "
        "The voided event and the old number stay in the history; every report behaves as if the "
        "voided event had not happened.",
    ),
    "form.appoint.intro": (
        "Bấm «Kiểm tra tiêu chuẩn» để xem các yêu cầu chưa đáp ứng theo tiêu chuẩn có hiệu lực vào "
        "ngày bổ nhiệm trước khi ghi.",
        "Press “Check the standard” to see the unmet requirements of the standards in force on the "
        "chosen date before recording.",
    ),
    "form.footer": (
        "Mọi thông tin được dựng lại từ nhật ký sự kiện không sửa được; mỗi lần ghi thêm một sự kiện, "
        "không xóa gì.",
        "Everything here is projected from an append-only log of events; each form adds an event and "
        "erases nothing.",
    ),
    "form.for_person": ("Cán bộ", "Staff member"),
    "form.enrollment": ("Khóa học", "Course"),
    "form.submit": ("Ghi vào sổ", "Record"),
    "form.cancel": ("Quay lại", "Back"),
    "form.check": ("Kiểm tra tiêu chuẩn", "Check the standard"),
    "form.required_mark": ("bắt buộc", "required"),
    "form.date_hint": ("dd/mm/yyyy", "dd/mm/yyyy"),
    "form.choose": ("— chọn —", "— choose —"),
    "form.problems": ("Chưa ghi được; xem các ô được đánh dấu.", "Not recorded; see the marked fields."),
    "form.required": ("Cần điền ô này.", "This field is required."),
    "form.bad_date": (
        "Ngày phải viết dạng dd/mm/yyyy (ví dụ 05/03/2024).",
        "Write the date as dd/mm/yyyy (e.g. 05/03/2024).",
    ),
    "form.stale": (
        "Hồ sơ này vừa được người khác thay đổi sau khi bạn mở biểu mẫu, nên chưa ghi gì. Hãy xem lại "
        "hồ sơ rồi gửi lại nếu vẫn đúng.",
        "Someone changed this record after the form was shown, so nothing was recorded. Review the "
        "record and submit again if it still holds.",
    ),
    "form.already_sent": (
        "Biểu mẫu này đã được gửi với nội dung khác; hãy gửi lại từ biểu mẫu mới này.",
        "This form was already submitted with other values; submit again from this fresh form.",
    ),
    "form.in_progress": (
        "Lần gửi trước của biểu mẫu này chưa xong; hãy chờ giây lát rồi tải lại hồ sơ.",
        "The first submission of this form has not finished; wait a moment and reload the record.",
    ),
    "form.no_enrollment": ("Không có khóa học mã {enrollment_id}.", "No enrollment {enrollment_id}."),
    "form.unmet.title": ("Yêu cầu chưa đáp ứng", "Unmet requirements"),
    "form.unmet.none": (
        "Đáp ứng đủ tiêu chuẩn có hiệu lực vào ngày này.",
        "Every requirement of the standards in force that day is met.",
    ),
    "form.unmet.item": ("{track}: cần {required}, hiện có {held}", "{track}: needs {required}, holds {held}"),
    "form.unmet.nothing": ("chưa có", "nothing"),
    "form.unmet.blocking": ("phải có trước khi bổ nhiệm", "due before appointment"),
    "form.unmet.grace": ("được bổ sung đến {deadline}", "may be met by {deadline}"),
    "form.waiver": ("Miễn trừ (bổ nhiệm khi chưa đáp ứng đủ)", "Waiver (appoint without meeting them)"),
    "form.waiver.intro": (
        "Chỉ điền khi quyết định bổ nhiệm dù chưa đáp ứng: căn cứ pháp lý, hạn bổ sung và lý do.",
        "Fill in only to appoint without meeting them: the legal basis, the deadline and the reason.",
    ),
    "form.credential": ("Văn bằng, chứng chỉ được cấp", "Credential awarded"),
    "form.evidence": ("Minh chứng", "Evidence"),
    "form.scans": ("Bản quét (PDF, JPEG, PNG)", "Scans (PDF, JPEG, PNG)"),
    "form.scans.hint": (
        "Tối đa {size} mỗi tệp; loại tệp được kiểm tra theo nội dung.",
        "At most {size} each; the type is checked by content.",
    ),
    "form.group.people": ("Người được cử", "People dispatched"),
    "form.group.filter": ("Lọc danh sách", "Filter the list"),
    "form.group.none": ("Hãy chọn ít nhất một người.", "Choose at least one person."),
    "form.group.refused": (
        "Không ghi cho ai: có người không thể cử đi học theo quyết định này.",
        "Nobody was enrolled: some of these people cannot be enrolled under this decision.",
    ),
    "form.group.recorded": ("Đã cử đi học {count} người:", "Enrolled {count} people:"),
    "form.recorded": ("Đã ghi vào sổ.", "Recorded."),
    "form.actions": ("Ghi sự kiện", "Record an event"),
    "form.void": ("Hủy sự kiện này", "Void this event"),
    "form.new_staff": ("Đăng ký cán bộ", "Register staff"),
    "form.group.link": ("Cử đi học theo nhóm", "Group enrollment"),
    # codes the catalog has no label for
    "choice.passed": ("Đạt", "Passed"),
    "choice.failed": ("Không đạt", "Failed"),
    # the fields (the API's names, the last part of a nested one)
    "field.staff_id": ("Mã cán bộ", "Staff code"),
    "field.staff_ids": ("Người được cử", "People"),
    "field.full_name": ("Họ và tên", "Full name"),
    "field.gender": ("Giới tính", "Gender"),
    "field.birth_date": ("Ngày sinh", "Date of birth"),
    "field.unit": ("Đơn vị", "Unit"),
    "field.joined_on": ("Ngày vào cơ quan", "Joined on"),
    "field.position": ("Chức vụ", "Position"),
    "field.rank": ("Ngạch", "Rank"),
    "field.national_id": (
        "Số định danh cá nhân (12 chữ số)", "Personal identification number (12 digits)"
    ),
    "field.employment": ("Loại cán bộ", "Employment"),
    "field.enrollment_id": ("Mã khóa học (để trống: tự sinh)", "Enrollment id (empty: made for you)"),
    "field.course_code": ("Mã lớp", "Course code"),
    "field.course_title": ("Tên khóa học", "Course title"),
    "field.track": ("Lĩnh vực", "Track"),
    "field.level": ("Trình độ được cấp", "Level awarded"),
    "field.provider": ("Cơ sở đào tạo", "Provider"),
    "field.mode": ("Hình thức học", "Mode"),
    "field.starts_on": ("Ngày bắt đầu", "Starts on"),
    "field.ends_on": ("Ngày kết thúc", "Ends on"),
    "field.decision_ref": ("Số quyết định", "Decision number"),
    "field.funding": ("Nguồn kinh phí", "Funding"),
    "field.cost": ("Kinh phí (đồng)", "Cost (VND)"),
    "field.country": ("Nước (học ở nước ngoài)", "Country (abroad)"),
    "field.completed_on": ("Ngày kết thúc khóa học", "Completed on"),
    "field.outcome": ("Kết quả", "Outcome"),
    "field.credential_id": ("Mã văn bằng (để trống: tự sinh)", "Credential id (empty: made for you)"),
    "field.title": ("Tên văn bằng, chứng chỉ", "Title"),
    "field.number": ("Số hiệu", "Number"),
    "field.issuer": ("Nơi cấp", "Issuer"),
    "field.issued_on": ("Ngày cấp", "Issued on"),
    "field.score": ("Điểm", "Score"),
    "field.on": ("Ngày", "On"),
    "field.reason": ("Lý do", "Reason"),
    "field.document_ref": ("Số hồ sơ minh chứng", "Document reference"),
    "field.verified_by": ("Người đối chiếu bản gốc", "Verified by"),
    "field.to_unit": ("Đến đơn vị", "To unit"),
    "field.kind": ("Loại", "Kind"),
    "field.effective_on": ("Ngày có hiệu lực", "Effective on"),
    "field.legal_basis": ("Căn cứ pháp lý", "Legal basis"),
    "field.deadline": ("Hạn bổ sung", "Deadline"),
    "field.year": ("Năm", "Year"),
    "field.rating": ("Xếp loại", "Rating"),
    "field.evaluator": ("Người đánh giá", "Evaluator"),
    "field.notes": ("Ghi chú", "Notes"),
    "field.category": ("Hình thức", "Category"),
    "field.event_id": ("Sự kiện cần hủy", "Event to void"),
    "field.scan_files": ("Bản quét", "Scans"),
    # scans on the provenance page
    "scan.title": ("Bản quét minh chứng", "Evidence scans"),
    "scan.open": ("Mở", "Open"),
    "scan.matches": ("Khớp với mã băm trong chuỗi băm", "Matches the digest the hash chain holds"),
    "scan.yes": ("có", "yes"),
    "scan.no": ("KHÔNG", "NO"),
    "scan.missing": ("không còn trong kho", "missing from the store"),
}

# One Vietnamese sentence per named error (``ledger.domain.errors`` codes, the API's problem codes).
ERROR_VI: dict[str, str] = {
    "after_departure": "Cán bộ đã thôi việc trước ngày này.",
    "already_departed": "Cán bộ đã thôi việc.",
    "already_voided": "Sự kiện này đã bị hủy.",
    "before_joining": "Ngày này trước ngày vào cơ quan.",
    "cannot_void_correction": "Không thể hủy một lần hủy; hãy ghi lại sự kiện.",
    "cannot_void_event": "Không thể hủy sự kiện này (đăng ký, hoặc có sự kiện sau phụ thuộc vào nó).",
    "concurrent_write": "Hồ sơ đang được thay đổi liên tục; hãy thử lại.",
    "conflict": "Mâu thuẫn với hồ sơ hiện có.",
    "credential_not_found": "Không có văn bằng này.",
    "date_before_start": "Ngày này trước ngày bắt đầu khóa học.",
    "dated_before_birth": "Ngày này trước ngày sinh.",
    "dated_in_future": "Không ghi được sự việc có ngày sau hôm nay.",
    "duplicate_credential": "Mã văn bằng này đã có.",
    "duplicate_enrollment": "Mã khóa học này đã có.",
    "duplicate_evaluation": "Đã có đánh giá này.",
    "duplicate_national_id": "Số định danh cá nhân này đã được ghi cho một cán bộ khác.",
    "duplicate_registration": "Mã cán bộ này đã được đăng ký.",
    "enrollment_closed": "Khóa học đã kết thúc (hoàn thành, không đạt hoặc thôi học).",
    "enrollment_not_completed": "Khóa học chưa hoàn thành.",
    "enrollment_not_found": "Không có khóa học này.",
    "event_not_found": "Không có sự kiện này.",
    "event_of_another_staff": "Sự kiện này thuộc hồ sơ của người khác.",
    "events_after_departure": "Đã có sự kiện sau ngày này.",
    "invalid_dates": "Ngày không hợp lệ (ngày kết thúc trước ngày bắt đầu?).",
    "invalid_input": "Dữ liệu không hợp lệ.",
    "invalid_level": "Trình độ này không thuộc lĩnh vực đã chọn.",
    "invalid_text": "Có ký tự không được phép (ký tự điều khiển, ký tự ẩn).",
    "missing_evidence": "Thiếu minh chứng.",
    "not_found": "Không tìm thấy.",
    "nothing_to_correct": "Hồ sơ đã ghi đúng như vậy; không có gì để đính chính.",
    "requirements_not_met": (
        "Chưa đáp ứng tiêu chuẩn chức vụ vào ngày bổ nhiệm; xem danh sách, hoặc ghi kèm miễn trừ."
    ),
    "rule_violation": "Trái quy định ghi sổ.",
    "staff_not_found": "Không có cán bộ này.",
    "stale_version": "Hồ sơ đã thay đổi sau khi mở biểu mẫu.",
    "group_refused": "Không ghi cho ai.",
    "scan_type": "Tệp không phải PDF, JPEG hay PNG (kiểm tra theo nội dung tệp).",
    "scan_size": "Tệp quá lớn.",
    "scan_empty": "Tệp rỗng.",
    "validation_error": "Dữ liệu không hợp lệ.",
}

# pydantic's error types, in Vietnamese.
VALIDATION_VI: dict[str, str] = {
    "missing": "Cần điền ô này.",
    "string_pattern_mismatch": "Không đúng định dạng (chữ, số, dấu . _ -).",
    "string_too_long": "Quá dài.",
    "string_too_short": "Cần điền ô này.",
    "enum": "Hãy chọn một giá trị trong danh sách.",
    "literal_error": "Hãy chọn một giá trị trong danh sách.",
    "date_from_datetime_parsing": "Ngày phải viết dạng dd/mm/yyyy.",
    "date_parsing": "Ngày phải viết dạng dd/mm/yyyy.",
    "decimal_parsing": "Phải là một số.",
    "int_parsing": "Phải là một số nguyên.",
    "greater_than_equal": "Số quá nhỏ.",
    "less_than_equal": "Số quá lớn.",
    "decimal_max_places": "Quá nhiều chữ số thập phân.",
    "extra_forbidden": "Ô không được phép.",
}


def error_text(code: str, message: str, t: Words) -> str:
    """A named error in the page's language: its code's sentence in Vietnamese, the error's own
    sentence (which names the facts) in English."""
    if t.language == "vi":
        return ERROR_VI.get(code, ERROR_VI["invalid_input"])
    return message


def validation_text(item: Any, t: Words) -> str:
    """One of pydantic's errors in the page's language (the domain's text policy raises
    ``ValueError`` with a message; it is shown as a text error)."""
    kind = str(item.get("type", ""))
    if t.language == "vi":
        if kind == "value_error":
            return ERROR_VI["invalid_text"]
        return VALIDATION_VI.get(kind, ERROR_VI["invalid_input"])
    return str(item.get("msg", "Invalid value."))
