"""Vietnamese names for the demo's staff: weighted family and middle names, given names, and the
names every seed contains. Pure data."""

from __future__ import annotations

FAMILY = (
    ("Nguyễn", 30),
    ("Trần", 10),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 4),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 3),
    ("Huỳnh", 2),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 1),
    ("Ngô", 1),
    ("Dương", 1),
    ("Lý", 1),
    ("Đinh", 1),
    ("Trịnh", 1),
    ("Mai", 1),
    ("Tạ", 1),
)
MALE_MIDDLE = (
    ("Văn", 8),
    ("Đức", 3),
    ("Minh", 3),
    ("Quang", 2),
    ("Hữu", 2),
    ("Thành", 2),
    ("Đình", 2),
    ("Công", 1),
    ("Xuân", 1),
    ("Hoàng", 1),
    ("Ngọc", 1),
    ("Tuấn", 1),
    ("Mạnh", 1),
    ("Trung", 1),
)
# fmt: off
MALE_GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Đức", "Giang", "Hải", "Hiếu", "Hòa", "Hoàng", "Hùng", "Huy",
    "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Mạnh", "Minh", "Nam", "Nghĩa", "Phong", "Phúc",
    "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn", "Tùng", "Việt",
    "Vinh", "Hưng", "Khải", "Thái", "Tiến", "Trọng", "Dương", "Khôi",
)
# fmt: on
FEMALE_MIDDLE = (
    ("Thị", 8),
    ("Thu", 2),
    ("Thanh", 2),
    ("Ngọc", 2),
    ("Minh", 1),
    ("Phương", 1),
    ("Hồng", 1),
    ("Kim", 1),
    ("Thùy", 1),
    ("Hải", 1),
    ("Khánh", 1),
    ("Diệu", 1),
    ("Bảo", 1),
)
# fmt: off
FEMALE_GIVEN = (
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huyền", "Hương", "Lan", "Linh",
    "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo",
    "Thủy", "Trang", "Uyên", "Vân", "Yến", "Lệ", "Xuân", "Diệp", "Hậu", "Bích Ngọc", "Thu Hà",
    "Minh Châu", "Thanh Hương", "Hồng Nhung", "Kim Oanh",
)
# fmt: on
# Names every seed contains, so that a search for "nguyen van" or "tran thi bich ngoc" finds
# someone (docs/api.md, "Names": name search ignores diacritics).
NGUYEN_VAN = ("An", "Hùng", "Dũng", "Nam", "Thắng")
