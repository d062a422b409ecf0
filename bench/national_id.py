"""What the national-id index costs a registration: ``Ledger.register`` with a ``national_id``
beside ``Ledger.register`` without one, in lock-step on two fresh stores of the same kind.

Run by hand (not in CI), from the repository root::

    .venv/bin/python bench/national_id.py                  # 3 runs x 1,000 registrations, both stores
    .venv/bin/python bench/national_id.py --stores sqlite --count 200 --runs 1

With a number, the transaction that records the registration also looks the number up and inserts
it into ``stored_events_national_ids`` (on PostgreSQL after taking the events table's lock). The
two sides alternate registration by registration, so a busy neighbour slows both alike.
Printed: registrations/s of each side (median of the runs, min..max) and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg

from ledger.application import Ledger
from ledger.domain.catalog import Gender
from ledger.store.config import StoreConfig

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def fresh_store(kind: str, folder: Path, name: str) -> Iterator[StoreConfig]:
    if kind == "sqlite":
        yield StoreConfig(f"sqlite:///{folder / f'{name}.db'}")
        return
    schema = f"b_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield StoreConfig(f"{POSTGRES_URL}?schema={schema}")
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def run(kind: str, count: int, folder: Path) -> tuple[float, float]:
    """(registrations/s with a number, without), one run on fresh stores."""
    spent = {True: 0.0, False: 0.0}
    with fresh_store(kind, folder, "with") as with_store, fresh_store(kind, folder, "without") as bare:
        ledgers = {True: Ledger(with_store), False: Ledger(bare)}
        try:
            for i in range(count):
                for numbered in (True, False) if i % 2 == 0 else (False, True):
                    started = time.perf_counter()
                    ledgers[numbered].register(
                        staff_id=f"B{i:06d}", full_name="Nguyễn Văn An", gender=Gender.MALE,
                        birth_date=date(1985, 4, 12), unit="Phòng Tổ chức cán bộ",
                        joined_on=date(2010, 9, 1), recorded_by="bench",
                        national_id=f"001085{i:06d}" if numbered else None,
                    )
                    spent[numbered] += time.perf_counter() - started
        finally:
            for ledger in ledgers.values():
                ledger.close()
    return count / spent[True], count / spent[False]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for kind in args.stores.split(","):
        results = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as folder:
                results.append(run(kind, args.count, Path(folder)))
        with_id = [r[0] for r in results]
        without = [r[1] for r in results]
        ratios = [a / b for a, b in results]
        print(
            f"{kind}: register with national_id {statistics.median(with_id):,.0f}/s "
            f"({min(with_id):,.0f}..{max(with_id):,.0f}), without {statistics.median(without):,.0f}/s "
            f"({min(without):,.0f}..{max(without):,.0f}), ratio {statistics.median(ratios):.2f}"
        )


if __name__ == "__main__":
    main()
