"""Position-standards reports through the one query layer (``projections.reports``), beside the
way every request answered them before it: read the whole log, fold every record, apply the
rules. Run by hand, from the repository root::

    .venv/bin/python bench/reports.py                       # the demo agency in a fresh SQLite file
    .venv/bin/python bench/reports.py --url sqlite:////var/tmp/ledger-bench-scale/<file>.db

For each report it prints the median of ``--runs`` first answers (the answer cache emptied each
time, the log already read into memory once, as in a running server), the median of the same
report asked again (the remembered answer, what paging and repeated requests cost), and the
baseline from the same run: one read of the log, a fold of every record and the same pure
functions, as ``ledger.needs.load_records`` and the routes did before (a fresh ``RecordSource``
does exactly that read and fold). Ratios are baseline / new.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ledger.application import Ledger
from ledger.commitments import commitments_report
from ledger.config import StoreConfig
from ledger.demo import load_demo
from ledger.effectiveness import effectiveness_report
from ledger.needs import needs_report
from ledger.record import StaffRecord
from ledger.standards import review_appointments
from projections.reports import RecordSource, Reports


def median_ms(run: Callable[[], object], runs: int, before: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="an existing store (default: the demo agency in a fresh SQLite file)")
    parser.add_argument("--as-of", default="2025-12-31", help="the reports' business date")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    day = date.fromisoformat(args.as_of)
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'ledger.db'}"
        ledger = Ledger(StoreConfig(url))
        if args.url is None:
            load_demo(ledger)
        reports = Reports(ledger)
        start = time.perf_counter()
        reports.source.refresh()
        print(f"{url}: log read into memory in {time.perf_counter() - start:.1f} s (once per process)")
        rules = ledger.rules
        asks: list[tuple[str, Callable[[], object], Callable[[list[StaffRecord]], object]]] = [
            ("needs", lambda: reports.needs(as_of=day), lambda rs: needs_report(rs, day, rules)),
            (
                "appointments",
                lambda: reports.appointments(as_of=day),
                lambda rs: [review_appointments(r, day, rules) for r in rs],
            ),
            (
                "commitments",
                lambda: reports.commitments(as_of=day),
                lambda rs: commitments_report(rs, rules, day),
            ),
            (
                "effectiveness",
                lambda: reports.effectiveness(as_of=day),
                lambda rs: effectiveness_report(rs, day),
            ),
        ]
        print(
            "| report | baseline: read log + fold + judge (ms) | first answer (ms) | again (ms) "
            "| baseline / first |"
        )
        print("|---|---:|---:|---:|---:|")
        for name, ask, judge in asks:
            old = median_ms(lambda j=judge: j(RecordSource(ledger).records(day, None)), args.runs)  # type: ignore[misc]
            first = median_ms(ask, args.runs, before=reports._cache.clear)
            again = median_ms(ask, args.runs)
            print(f"| {name} | {old:,.0f} | {first:,.0f} | {again:.2f} | {old / first:.1f}× |")
        ledger.close()


if __name__ == "__main__":
    main()
