"""Benchmark of ``ledger import-records``: a generated legacy file of N rows into a fresh store.

    /work/venv/bin/python bench/bench_legacy_import.py --rows 50000 --stores sqlite,postgresql

For each store: the first import (everything recorded, batched saves), the same files again
(nothing recorded: the idempotent re-run), and, side by side, the same kind of rows recorded one
command at a time through the Ledger's methods (one transaction per event) on a subset.
PostgreSQL is the server of ``LEDGER_TEST_POSTGRES_URL`` (default the development one), in a
fresh schema dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import psycopg

from ledger.application import Ledger
from ledger.domain.catalog import Employment, Gender, Mode, Outcome, Track
from ledger.domain.record import Evidence
from ledger.importing import BATCH_EVENTS, import_records
from ledger.service import CredentialDetails
from ledger.store.config import StoreConfig

POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

STAFF_HEADER = ["Mã cán bộ", "Họ và tên", "Giới tính", "Ngày sinh", "Đơn vị", "Ngày vào cơ quan",
                "Chức vụ", "Ngạch", "Loại hình"]
TRAINING_HEADER = ["Mã cán bộ", "Loại bản ghi", "Lĩnh vực", "Trình độ", "Tên khóa học, văn bằng",
                   "Cơ sở đào tạo", "Hình thức", "Từ ngày", "Đến ngày", "Kết quả", "Ngày cấp",
                   "Số hiệu văn bằng"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Quốc", "Thu"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Hằng", "Hương", "Khánh", "Lan", "Long", "Việt"]
UNITS = ["Văn phòng", "Phòng Tổ chức", "Phòng Kế hoạch", "Phòng Thanh tra", "Chi cục 1"]
COURSES = [
    ("Lý luận chính trị", "Trung cấp", "Trung cấp lý luận chính trị - hành chính"),
    ("Lý luận chính trị", "Cao cấp", "Cao cấp lý luận chính trị"),
    ("Quản lý nhà nước", "Chuyên viên", "Bồi dưỡng kiến thức QLNN ngạch chuyên viên"),
    ("Quản lý nhà nước", "Chuyên viên chính", "Bồi dưỡng kiến thức QLNN ngạch chuyên viên chính"),
    ("Lãnh đạo, quản lý", "Cấp phòng", "Bồi dưỡng lãnh đạo cấp phòng"),
    ("Quốc phòng và an ninh", "Đối tượng 3", "Bồi dưỡng kiến thức QP-AN đối tượng 3"),
    ("Khác", "", "Hội thảo cải cách hành chính"),
]
RESULTS = ["Đạt"] * 16 + ["Không đạt", "Thôi học", ""]


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def generate(folder: Path, rows: int, training_per_staff: int = 9, seed: int = 7) -> tuple[Path, Path]:
    """A staff file and a training file of ``rows`` rows in all (1 staff row per 9 training rows:
    2 recognized credentials, 7 enrollments, most passed)."""
    rng = random.Random(seed)
    staff_count = rows // (training_per_staff + 1)
    staff_path, training_path = folder / "can-bo.csv", folder / "dao-tao.csv"
    with staff_path.open("w", encoding="utf-8-sig", newline="") as staff_file, \
            training_path.open("w", encoding="utf-8-sig", newline="") as training_file:
        staff, training = csv.writer(staff_file), csv.writer(training_file)
        staff.writerow(STAFF_HEADER)
        training.writerow(TRAINING_HEADER)
        written = 0
        for n in range(staff_count):
            staff_id = f"CB{n:06d}"
            female = rng.random() < 0.45
            born = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 35 * 365))
            joined = born + timedelta(days=rng.randrange(22 * 365, 26 * 365))
            name = f"{rng.choice(SURNAMES)} {'Thị' if female else rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            staff.writerow([staff_id, name, "Nữ" if female else "Nam", dmy(born), rng.choice(UNITS),
                            dmy(joined), "Chuyên viên", "01.003", "Công chức"])
            written += 1
            degree_on = joined - timedelta(days=rng.randrange(200, 900))
            training.writerow([staff_id, "Văn bằng", "Chuyên môn", "Đại học", "Cử nhân Kinh tế",
                               "Đại học Kinh tế Quốc dân", "", "", "", "", dmy(degree_on), f"DH{n}"])
            training.writerow([staff_id, "Văn bằng", "Ngoại ngữ", "B1", "Tiếng Anh bậc 3",
                               "Đại học Ngoại ngữ", "", "", "", "", dmy(degree_on), f"NN{n}"])
            written += 2
            starts = joined + timedelta(days=rng.randrange(30, 400))
            for k in range(training_per_staff - 2):
                track, level, title = COURSES[k % len(COURSES)]
                length = rng.randrange(14, 300)
                training.writerow([staff_id, "Khóa học", track, level, title, "Trường Chính trị tỉnh",
                                   "Tập trung", dmy(starts), dmy(starts + timedelta(days=length)),
                                   rng.choice(RESULTS), "", ""])
                written += 1
                starts += timedelta(days=length + rng.randrange(30, 200))
    assert written == staff_count * (training_per_staff + 1)
    return staff_path, training_path


def to_workbook(staff: Path, training: Path) -> Path:
    """The two CSV files as one workbook with sheets "Cán bộ" and "Đào tạo" (dates as text)."""
    import openpyxl  # type: ignore[import-untyped]

    book = openpyxl.Workbook(write_only=True)
    for title, path in (("Cán bộ", staff), ("Đào tạo", training)):
        sheet = book.create_sheet(title)
        with path.open(encoding="utf-8-sig", newline="") as source:
            for row in csv.reader(source):
                sheet.append(row)
    target = staff.with_name("ho-so.xlsx")
    book.save(target)
    return target


@contextmanager
def fresh_store(kind: str, folder: Path) -> Iterator[StoreConfig]:
    if kind == "sqlite":
        path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
        yield StoreConfig(f"sqlite:///{path}")
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield StoreConfig(f"{POSTGRES_URL}?schema={schema}")
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def command_by_command(store: StoreConfig, staff_count: int) -> tuple[int, int, float]:
    """The same shape of rows through the Ledger's one-transaction-per-command methods."""
    rng = random.Random(3)
    rows = events = 0
    with Ledger(store) as ledger:
        started = time.perf_counter()
        for n in range(staff_count):
            staff_id = f"CMD{n:05d}"
            joined = date(2005, 1, 1) + timedelta(days=rng.randrange(0, 3000))
            ledger.register(staff_id=staff_id, full_name="Nguyễn Văn An", gender=Gender.MALE,
                            birth_date=date(1980, 1, 1), unit="Văn phòng", joined_on=joined,
                            employment=Employment.CIVIL_SERVANT, recorded_by="bench")
            ledger.recognize_credential(staff_id, track=Track.PROFESSIONAL, level="bachelor",
                                        title="Cử nhân", issuer="ĐH", issued_on=joined,
                                        evidence=Evidence("bench", "bench"), recorded_by="bench")
            ledger.recognize_credential(staff_id, track=Track.FOREIGN_LANGUAGE, level="level3",
                                        title="B1", issuer="ĐH", issued_on=joined,
                                        evidence=Evidence("bench", "bench"), recorded_by="bench")
            rows, events = rows + 3, events + 3
            starts = joined + timedelta(days=30)
            for _ in range(7):
                result = ledger.enroll(staff_id, course_code="c", course_title="Khóa học",
                                       track=Track.OTHER, level=None, provider="Trường",
                                       mode=Mode.FULL_TIME, starts_on=starts, recorded_by="bench")
                ledger.complete(staff_id, result.enrollment_id or "",
                                completed_on=starts + timedelta(days=20), outcome=Outcome.PASSED,
                                credential=CredentialDetails(), recorded_by="bench")
                rows, events = rows + 1, events + 2
                starts += timedelta(days=60)
        return rows, events, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=1, help="runs per store (median reported)")
    parser.add_argument("--batch-events", type=int, default=BATCH_EVENTS)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv",
                        help="two CSV files, or one workbook with both sheets")
    parser.add_argument("--baseline-staff", type=int, default=100,
                        help="staff members (10 rows each) recorded command by command; 0 to skip")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = list(generate(folder, args.rows))
        if args.format == "xlsx":
            files = [to_workbook(*files)]
        print(f"{args.rows:,} rows: {', '.join(f'{p.name} {p.stat().st_size / 1e6:.1f} MB' for p in files)}")
        for kind in args.stores.split(","):
            firsts, again, cpu_first, cpu_again = [], [], [], []
            for _ in range(args.repeat):
                with fresh_store(kind, folder) as store, Ledger(store) as ledger:
                    cpu = time.process_time()
                    first = import_records(ledger, files, batch_events=args.batch_events)
                    cpu_first.append(time.process_time() - cpu)
                    cpu = time.process_time()
                    second = import_records(ledger, files)
                    cpu_again.append(time.process_time() - cpu)
                    if not (first.ok and first.recorded and second.ok and second.counts.events == 0):
                        raise SystemExit(f"unexpected: {[str(i) for i in first.issues[:5]]}")
                    firsts.append(first)
                    again.append(second.seconds)
            seconds = statistics.median(r.seconds for r in firsts)
            events = firsts[0].counts.events
            print(f"{kind:10s} first import: {seconds:6.1f} s  {args.rows / seconds:8,.0f} rows/s  "
                  f"{events / seconds:8,.0f} events/s  ({events:,} events; "
                  f"this process's CPU {statistics.median(cpu_first):.1f} s)")
            redo = statistics.median(again)
            print(f"{kind:10s} same files again (nothing recorded): {redo:6.1f} s  "
                  f"{args.rows / redo:8,.0f} rows/s  (CPU {statistics.median(cpu_again):.1f} s)")
            if args.baseline_staff:
                with fresh_store(kind, folder) as store:
                    rows, events, took = command_by_command(store, args.baseline_staff)
                print(f"{kind:10s} command by command ({rows:,} rows): {rows / took:8,.0f} rows/s  "
                      f"{events / took:8,.0f} events/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
