"""Registrations and the opening balance of every dossier (Phiếu 2C) at go-live or on joining."""

from __future__ import annotations

import random
from datetime import date, timedelta

from ledger.demo.agency import (
    FINANCE_SCHOOL,
    HCMA,
    MILITARY_REGION_SCHOOL,
    MILITARY_SCHOOL,
    NAPA,
    POLITICAL_SCHOOL,
)
from ledger.demo.draft import Draft
from ledger.demo.model import Op, Person
from ledger.demo.roster import Role
from ledger.demo.training import CC_TITLE, OPENINGS
from ledger.domain.catalog import Employment, Track


def build_registrations(draft: Draft) -> None:
    for person in draft.people.values():
        role = person.role
        go_live = person.go_live
        lag = "golive" if go_live else "prompt"
        order = person.joined_on
        draft.op(
            role.key,
            "register",
            order,
            lag,
            staff_id=person.staff_id,
            full_name=person.full_name,
            gender=role.gender,
            birth_date=person.birth_date,
            unit=role.reg_unit or role.unit,
            joined_on=person.joined_on,
            position=role.position,
            rank=role.rank,
            employment=role.employment,
        )
        build_openings(draft, person, lag)


def recognize(
    draft: Draft, person: Person, lag: str, track: Track, level: str, issued_on: date, title: str, issuer: str
) -> Op:
    number = draft.certificate(
        {"professional": "B", "political_theory": "LL"}.get(track.value, "C"), issued_on.year
    )
    return draft.op(
        person.key,
        "recognize",
        person.joined_on,
        lag,
        credential_id=draft.credential_id(person.key),
        track=track,
        level=level,
        title=title,
        issuer=issuer,
        issued_on=issued_on,
        number=number,
        evidence=draft.evidence(person.key, f"bản sao {title.lower()} số {number}"),
    )


def build_openings(draft: Draft, person: Person, lag: str) -> None:
    rng = draft.rng
    role = person.role
    born = person.birth_date.year

    def on(year: int, months: tuple[int, int] = (6, 8)) -> date:
        day = draft.random_day(year, months)
        return min(day, person.joined_on - timedelta(days=1)) if year <= person.joined_on.year else day

    for index, (track, level, year, title, issuer) in enumerate(_professional_openings(role, born, rng)):
        issued = on(year)
        if index == 0:  # the first degree came before the job
            issued = min(issued, person.joined_on - timedelta(days=rng.randint(20, 120)))
        recognize(draft, person, lag, track, level, issued, title, issuer)
    for track, level, year, title in OPENINGS.get(role.key, ()):
        issuer = {
            Track.POLITICAL_THEORY: HCMA if level in ("advanced", "bachelor") else POLITICAL_SCHOOL,
            Track.STATE_MANAGEMENT: NAPA if level in ("principal", "senior") else FINANCE_SCHOOL,
            Track.LEADERSHIP: NAPA,
            Track.DEFENSE_SECURITY: MILITARY_REGION_SCHOOL if level == "group2" else MILITARY_SCHOOL,
        }.get(track, NAPA)
        if title.startswith("Giấy xác nhận"):
            issuer = "Ban Tuyên giáo Tỉnh ủy An Khánh"
        issued = on(year, (3, 11))
        if role.key == "CVC_NV1" and track == Track.POLITICAL_THEORY:
            # §3.9: a correction. The dossier import first typed the level as advanced.
            wrong = recognize(draft, person, lag, track, "advanced", issued, CC_TITLE, HCMA)
            wrong.key = "wrong-level"
            credential = wrong.args["credential_id"]
            draft.op(
                person.key,
                "correct",
                person.joined_on,
                "correction",
                voids="wrong-level",
                reason="Nhập nhầm trình độ: văn bằng là trung cấp lý luận chính trị, không phải cao cấp",
            )
            fixed = recognize(draft, person, "correction", track, level, issued, title, issuer)
            fixed.args["credential_id"] = credential
            fixed.args["number"] = wrong.args["number"]
            continue
        recognize(draft, person, lag, track, level, issued, title, issuer)
    if role.employment == Employment.CIVIL_SERVANT and role.key not in ("REC_M", "REC_F"):
        first = max(born + 20, 2000, person.joined_on.year - 2)
        if rng.random() < 0.6 and first <= 2018:
            year = rng.randint(first, 2018)
            recognize(
                draft,
                person,
                lag,
                Track.IT,
                "basic",
                on(year, (1, 12)),
                "Chứng chỉ tin học trình độ B",
                "Trung tâm Tin học – Ngoại ngữ tỉnh An Khánh",
            )
        if rng.random() < 0.55 and first <= 2018:
            year = rng.randint(first, 2018)
            level, title = rng.choice(
                (
                    ("level2", "Chứng chỉ tiếng Anh trình độ B"),
                    ("level3", "Chứng chỉ tiếng Anh bậc 3 (B1)"),
                )
            )
            recognize(
                draft,
                person,
                lag,
                Track.FOREIGN_LANGUAGE,
                level,
                on(year, (1, 12)),
                title,
                "Trung tâm Tin học – Ngoại ngữ tỉnh An Khánh",
            )


def _professional_openings(
    role: Role, born: int, rng: random.Random
) -> list[tuple[Track, str, int, str, str]]:
    """The degrees on file when the person joined (or on go-live): (track, level, year, title, issuer)."""
    universities = (
        ("Cử nhân Kinh tế", "Trường Đại học Kinh tế Quốc dân"),
        ("Cử nhân Tài chính – Ngân hàng", "Học viện Tài chính"),
        ("Cử nhân Kế toán", "Học viện Tài chính"),
        ("Cử nhân Luật", "Trường Đại học Luật Hà Nội"),
        ("Cử nhân Quản trị kinh doanh", "Trường Đại học Thương mại"),
        ("Kỹ sư Công nghệ thông tin", "Trường Đại học Bách khoa Hà Nội"),
    )
    masters = (
        ("Thạc sĩ Quản lý kinh tế", "Học viện Tài chính"),
        ("Thạc sỹ Kinh tế", "Trường Đại học Kinh tế Quốc dân"),
        ("Thạc sĩ Tài chính – Ngân hàng", "Học viện Tài chính"),
        ("Thạc sĩ Luật kinh tế", "Trường Đại học Luật Hà Nội"),
    )
    prof = role.prof
    pro = Track.PROFESSIONAL
    if prof in ("ĐH", "ThS", "ThS*"):
        title, issuer = rng.choice(universities)
        found = [(pro, "bachelor", born + rng.randint(22, 23), title, issuer)]
        if prof == "ThS":
            title, issuer = rng.choice(masters)
            year = min(born + rng.randint(29, 38), 2018 if role.joined < 2019 else role.joined - 1)
            found.append((pro, "master", year, title, issuer))
        return found
    if prof == "CĐ":
        return [(pro, "college", born + 21, "Cao đẳng Kế toán", "Trường Cao đẳng Tài chính – Hải quan")]
    if prof == "TC":
        return [
            (pro, "intermediate", born + 20, "Trung cấp Văn thư – Lưu trữ", "Trường Trung cấp Nội vụ Hà Nội")
        ]
    if prof == "CNKT":
        return [(pro, "technical_worker", born + 19, "Công nhân kỹ thuật", "Trường Cao đẳng nghề An Khánh")]
    if prof == "CNKT+TC":
        return [
            (
                pro,
                "technical_worker",
                born + 19,
                "Công nhân kỹ thuật lái xe ô tô",
                "Trường Cao đẳng nghề An Khánh",
            ),
            (pro, "intermediate", 2015, "Trung cấp nghề Công nghệ ô tô", "Trường Cao đẳng nghề An Khánh"),
        ]
    raise ValueError(prof)
