"""Words of the report pages (the quality report, the annual report, needs, effectiveness,
anomalies), Vietnamese first, English second: merged into the pages' one translation table
(``api.pages.i18n.TEXT``)."""

REPORT_TEXT: dict[str, tuple[str, str]] = {
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
}
