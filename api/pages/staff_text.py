"""Words of the staff pages (directory, person, trail and its flags, the form 2C extract),
Vietnamese first, English second: merged into the pages' one translation table
(``api.pages.i18n.TEXT``)."""

STAFF_TEXT: dict[str, tuple[str, str]] = {
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
}
