"""Position-standards reports through the one query layer (``projections.reports``), three ways
side by side, beside the way every request answered them before. Run by hand, from the
repository root::

    .venv/bin/python bench/reports.py                       # the demo agency in a fresh SQLite file
    .venv/bin/python bench/reports.py --url sqlite:////var/tmp/ledger-bench-scale/<file>.db

For each report, today as known now (the question the findings view answers):

* **baseline**: one read of the log, a fold of every record and the same pure functions, as the
  routes did before the query layer (a fresh ``RecordSource`` does exactly that read and fold);
* **fold**: the query layer without the findings view (the log already read into memory, the
  answer cache emptied each time): what any other day or ``known_at`` costs;
* **view**: the query layer of a ``ReadModel`` whose engine keeps the findings view (caches
  emptied each time), whole agency and one unit (the unit of the first person listed): the first
  page of 50 with the summary over everyone, as the API answers (effectiveness: every
  programme-year, summed in the store);
* **view, whole answer**: ``Reports.needs()`` and its kin from the view, whole agency, as the
  pages and the command line take them (every person's findings loaded, not judged again);
* **again**: the remembered answer (what paging and repeated requests cost).

Figures are medians of ``--runs``; ratios are baseline / view. The views are built (or brought
level) first, and that time is printed too.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ledger.application import Ledger
from ledger.demo import load_demo
from ledger.domain.record import StaffRecord
from ledger.standards.commitments import commitments_report
from ledger.standards.compliance import review_appointments
from ledger.standards.effectiveness import effectiveness_report
from ledger.standards.needs import needs_report
from ledger.store.config import StoreConfig
from projections.engine import Engine
from projections.queries import ReadModel
from projections.records import RecordSource
from projections.reports import Reports

Judge = Callable[[list[StaffRecord]], object]
PAGE = 50  # the first page, as the API asks for it


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
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'ledger.db'}"
        ledger = Ledger(StoreConfig(url))
        if args.url is None:
            load_demo(ledger)
        day = ledger.today()
        start = time.perf_counter()
        Engine(ledger).run_until_idle()
        print(f"{url}: views built or brought level in {time.perf_counter() - start:.1f} s")
        reads = ReadModel(ledger)
        assert reads.findings_stamp(day) is not None, "the findings view is not judged for today"
        viewed = reads.reports
        folded = Reports(ledger)
        start = time.perf_counter()
        folded.source.refresh()
        print(f"log read into memory in {time.perf_counter() - start:.1f} s (once per process, fold only)")
        unit = str(viewed.needs_page(after="", limit=PAGE).page.items[0]["unit"])
        people = viewed.needs_page(unit=unit, after="", limit=PAGE).page.summary["people"]
        print(f"as of {day}, one unit: {unit} ({people} active people)")
        rules = ledger.rules
        asks: list[tuple[str, Callable[[Reports, str | None], object], Judge]] = [
            (
                "needs",
                lambda r, u: r.needs_page(unit=u, after="", limit=PAGE),
                lambda rs: needs_report(rs, day, rules),
            ),
            (
                "appointments",
                lambda r, u: r.appointments_page(unit=u, after="", limit=PAGE),
                lambda rs: [review_appointments(r, day, rules) for r in rs],
            ),
            (
                "commitments",
                lambda r, u: r.commitments_page(unit=u, after="", limit=PAGE),
                lambda rs: commitments_report(rs, rules, day),
            ),
            ("effectiveness", lambda r, u: r.effectiveness(unit=u), lambda rs: effectiveness_report(rs, day)),
        ]
        print(
            "| report | baseline: read log + fold + judge (ms) | fold (ms) | view, agency (ms) "
            "| view, one unit (ms) | view, whole answer (ms) | again (ms) | baseline / view, agency |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, ask, judge in asks:
            old = median_ms(lambda j=judge: j(RecordSource(ledger).records(day, None)), args.runs)  # type: ignore[misc]
            fold = median_ms(lambda a=ask: a(folded, None), args.runs, before=folded._cache.clear)  # type: ignore[misc]
            agency = median_ms(lambda a=ask: a(viewed, None), args.runs, before=viewed._cache.clear)  # type: ignore[misc]
            one = median_ms(lambda a=ask: a(viewed, unit), args.runs, before=viewed._cache.clear)  # type: ignore[misc]
            # The whole answer the pages and the command line take (every person's findings loaded).
            whole = median_ms(getattr(viewed, name), args.runs, before=viewed._cache.clear)
            again = median_ms(lambda a=ask: a(viewed, None), args.runs)  # type: ignore[misc]
            print(
                f"| {name} | {old:,.0f} | {fold:,.0f} | {agency:,.1f} | {one:,.1f} | {whole:,.1f} "
                f"| {again:.2f} | {old / agency:.1f}× |"
            )
        reads.close()
        ledger.close()


if __name__ == "__main__":
    main()
