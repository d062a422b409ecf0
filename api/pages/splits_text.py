"""Words of the attendance splits (docs/domain.md §3.6) and of the annual report (§4.1), Vietnamese
first: merged into the pages' one translation table (``api.pages.i18n.TEXT``)."""

from __future__ import annotations

SPLIT_TEXT: dict[str, tuple[str, str]] = {
    "split.heading": ("Phân tổ số lượt đào tạo, bồi dưỡng", "Attendances split every way"),
    # the splits, by their names in the attendance report (``by_NAME``)
    "split.mode": ("Theo hình thức đào tạo", "By mode"),
    "split.location": ("Theo địa điểm", "By location"),
    "split.funding": ("Theo nguồn kinh phí", "By funding"),
    "split.gender": ("Theo giới tính", "By gender"),
    "split.post_at_start": ("Theo chức vụ khi đi học", "By post on the first day"),
    "split.age_at_start": ("Theo độ tuổi khi đi học", "By age on the first day"),
    "split.staff_status": ("Theo tình trạng công tác", "By staff status"),
    "split.programme": ("Theo chương trình (mã khóa học)", "By programme (course code)"),
    "split.per_person": (
        "Số cán bộ đang công tác theo số lượt đã đi học",
        "Staff on the roll by number of attendances",
    ),
    "split.courses": ("Số lượt", "Attendances"),
    "split.course_code": ("Mã khóa học", "Course code"),
    "split.people": ("Số người", "People"),
    # the keys of the splits
    "key.in_country": ("Trong nước", "In the country"),
    "key.abroad": ("Nước ngoài", "Abroad"),
    "key.not_recorded": ("Chưa ghi nhận", "Not recorded"),
    "key.agency_leader": ("Lãnh đạo cấp cục", "Agency leaders"),
    "key.division_leader": ("Lãnh đạo cấp phòng", "Division leaders"),
    "key.non_leader": ("Không giữ chức vụ lãnh đạo", "Not in a leader's post"),
    "key.under_35": ("Dưới 35 tuổi (cán bộ trẻ)", "Under 35 (young cadres)"),
    "key.35_and_over": ("Từ 35 tuổi trở lên", "35 and over"),
    "key.current": ("Đang công tác", "Current staff"),
    "key.former": ("Đã nghỉ, chuyển công tác", "Former staff"),
    "key.completed": ("Hoàn thành", "Completed"),
    "key.in_progress": ("Đang học", "In progress"),
    "key.withdrawn": ("Thôi học", "Withdrawn"),
    "key.failed": ("Không đạt", "Failed"),
    # the annual report (Báo cáo kết quả đào tạo, bồi dưỡng)
    "nav.annual": ("Kết quả đào tạo, bồi dưỡng", "Annual training results"),
    "annual.title": ("Kết quả đào tạo, bồi dưỡng năm", "Training results of the year"),
    "annual.intro": (
        "Các khóa học bắt đầu trong năm (mọi kết quả, kể cả người đã nghỉ), theo nội dung và trình độ; "
        "kết quả tính đến ngày 31/12. Ô “chưa ghi nhận” là thông tin sổ không lưu, không phải số 0.",
        "Courses starting in the year (any outcome, former staff included), by content and level; "
        "outcomes as on 31 December. “Not recorded” marks facts the ledger does not hold, not zero.",
    ),
    "annual.year": ("Năm", "Year"),
    "annual.content": ("Nội dung", "Content"),
    "annual.classes": ("Số lớp", "Classes"),
    "annual.attendances": ("Số lượt", "Attendances"),
    "annual.female": ("Nữ", "Women"),
    "annual.ethnic_minority": ("Dân tộc thiểu số", "Ethnic minority"),
    "annual.party_member": ("Đảng viên", "Party members"),
    "annual.target_groups": ("Theo đối tượng", "By target group"),
    "annual.agency_leader": ("Lãnh đạo cấp cục", "Agency leaders"),
    "annual.division_leader": ("Lãnh đạo cấp phòng", "Division leaders"),
    "annual.civil_servant": ("Công chức không giữ chức vụ", "Civil servants without posts"),
    "annual.public_employee": ("Viên chức", "Public employees"),
    "annual.contract": ("Hợp đồng lao động", "Contract workers"),
    "annual.persons": ("Số người", "Persons"),
    "annual.outcomes": ("Kết quả", "Outcome"),
    "annual.completed": ("Hoàn thành", "Completed"),
    "annual.in_progress": ("Đang học", "In progress"),
    "annual.not_completed": ("Không hoàn thành", "Not completed"),
    "annual.funding": ("Kinh phí (triệu đồng)", "Funding (million VND)"),
    "annual.state_budget": ("Ngân sách nhà nước", "State budget"),
    "annual.other_funding": ("Nguồn khác", "Other"),
    "annual.plan_percent": ("So với kế hoạch (%)", "Against plan (%)"),
    "annual.notes": ("Ghi chú", "Notes"),
    "annual.not_recorded": ("chưa ghi nhận", "not recorded"),
    "annual.agency": ("Cơ quan", "Agency"),
    "annual.made_on": ("Ngày lập", "Made on"),
    "annual.bad_year": ("Năm không hợp lệ: ", "Not a valid year: "),
    # why a column is "not recorded" (projections.annual.NOT_RECORDED, in both languages)
    "annual.nr.ethnic_minority": ("Sổ không ghi dân tộc.", "The ledger does not record ethnicity."),
    "annual.nr.party_member": ("Sổ không ghi đảng viên.", "The ledger does not record Party membership."),
    "annual.nr.public_employee": (
        "Sổ chỉ ghi cán bộ, công chức và hợp đồng lao động; không có viên chức.",
        "The record's employment codes have no public employee (viên chức).",
    ),
    "annual.nr.classes": (
        "Sổ không ghi số lớp cơ quan tự tổ chức.",
        "The classes the agency organised itself are not recorded.",
    ),
    "annual.nr.plan_percent": (
        "Sổ không ghi kế hoạch đào tạo nên không so sánh được với kế hoạch.",
        "No training plan is recorded, so there is no plan to compare with.",
    ),
    "annual.nr.delegations": (
        "Sổ không ghi số đoàn đi nước ngoài, chỉ ghi từng lượt.",
        "Delegations abroad are not recorded (only each person's attendance).",
    ),
    "annual.nr.ethnic_language": (
        "Danh mục không có lĩnh vực tiếng dân tộc thiểu số.",
        "The catalog has no track for ethnic-minority languages.",
    ),
}
