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

Then the statistics view's reports (``--reports statistics``, or both by default), attendance
(§3.6, every split) and qualifications, whole agency and one unit (the unit with the headcount
nearest 500), today as known now and on 2020-12-31 as known on 2021-06-30 (attendance: ``to``):

* **rows in Python** (attendance only): the statistics view's attendance rows read one by one and
  counted by every split in Python (``splits.count``), as the report did before it was counted
  in the store;
* **view, agency / one unit**: ``ReadModel.attendance()`` / ``qualifications()``, caches emptied.

Figures are medians of ``--runs``; ratios are baseline / view. The views are built (or brought
level) first, and that time is printed too.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from ledger.application import Ledger
from ledger.demo import load_demo
from ledger.domain.record import StaffRecord
from ledger.standards.commitments import commitments_report
from ledger.standards.compliance import review_appointments
from ledger.standards.effectiveness import effectiveness_report
from ledger.standards.needs import needs_report
from ledger.store.config import StoreConfig
from projections import splits
from projections.base import FOREVER, Tables, micros
from projections.engine import Engine
from projections.queries import ReadModel
from projections.records import RecordSource
from projections.reports import Reports
from projections.store import Tx

Judge = Callable[[list[StaffRecord]], object]
PAGE = 50  # the first page, as the API asks for it
PAST_DAY = date(2020, 12, 31)  # bench/scale.py's past question: this day as known on PAST_KNOWN
PAST_KNOWN = datetime(2021, 6, 30, tzinfo=UTC)
UNIT_SIZE = 500  # the one unit measured: the unit whose headcount is nearest this


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
    parser.add_argument(
        "--reports", choices=["all", "standards", "statistics"], default="all",
        help="the position-standards reports, the statistics view's, or both",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'ledger.db'}"
        ledger = Ledger(StoreConfig(url))
        if args.url is None:
            load_demo(ledger)
        start = time.perf_counter()
        Engine(ledger).run_until_idle()
        print(f"{url}: views built or brought level in {time.perf_counter() - start:.1f} s")
        reads = ReadModel(ledger)
        if args.reports in ("all", "standards"):
            standards(ledger, reads, args.runs)
        if args.reports in ("all", "statistics"):
            statistics_reports(reads, args.runs)
        reads.close()
        ledger.close()


def standards(ledger: Ledger, reads: ReadModel, runs: int) -> None:
    """Needs, appointments, commitments and effectiveness: fold, view, beside the baseline."""
    day = ledger.today()
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
        old = median_ms(lambda j=judge: j(RecordSource(ledger).records(day, None)), runs)  # type: ignore[misc]
        fold = median_ms(lambda a=ask: a(folded, None), runs, before=folded._cache.clear)  # type: ignore[misc]
        agency = median_ms(lambda a=ask: a(viewed, None), runs, before=viewed._cache.clear)  # type: ignore[misc]
        one = median_ms(lambda a=ask: a(viewed, unit), runs, before=viewed._cache.clear)  # type: ignore[misc]
        # The whole answer the pages and the command line take (every person's findings loaded).
        whole = median_ms(getattr(viewed, name), runs, before=viewed._cache.clear)
        again = median_ms(lambda a=ask: a(viewed, None), runs)  # type: ignore[misc]
        print(
            f"| {name} | {old:,.0f} | {fold:,.0f} | {agency:,.1f} | {one:,.1f} | {whole:,.1f} "
            f"| {again:.2f} | {old / agency:.1f}× |"
        )


def statistics_reports(reads: ReadModel, runs: int) -> None:
    """Attendance and qualifications, whole agency and one unit, today and a past day as known
    then; attendance beside its rows counted in Python (the report before it was counted in SQL)."""
    headcounts = reads.qualifications().by_unit
    unit = min(headcounts, key=lambda u: (abs(headcounts[u] - UNIT_SIZE), u))
    print(f"statistics: one unit: {unit} ({headcounts[unit]} on the roll today)")
    view = reads.statistics_view
    classify = splits.post_classifier(reads.ledger.rules)

    def rows_in_python(to: date | None, known: datetime | None, in_unit: str | None) -> object:
        end = to or reads.today()
        k = FOREVER if known is None else micros(known)

        def run(tx: Tx, t: dict[str, Tables]) -> object:
            first = date(1900, 1, 1)
            rows = view.attendance_rows(
                tx, t["statistics"], from_=first, to=end, tracks=None, known_at=k, unit=in_unit
            )
            roll = view.roll(tx, t["statistics"], day=end, known_at=k, unit=in_unit)
            attended = Counter(row.staff_id for row in rows)
            return splits.count(rows, classify, None), splits.per_person(roll, attended)

        return reads._with_views(["statistics"], run)

    questions: list[tuple[str, date | None, datetime | None]] = [
        ("today", None, None),
        (f"{PAST_DAY} as known {PAST_KNOWN.date()}", PAST_DAY, PAST_KNOWN),
    ]
    print(
        "| report | question | rows in Python, agency (ms) | view, agency (ms) "
        "| rows in Python, one unit (ms) | view, one unit (ms) |"
    )
    print("|---|---|---:|---:|---:|---:|")
    clear = reads._cache.clear
    for label, day, known in questions:
        figures = []
        for in_unit in (None, unit):
            figures.append(median_ms(partial(rows_in_python, day, known, in_unit), runs))
            report = partial(reads.attendance, to=day, known_at=known, unit=in_unit)
            figures.append(median_ms(report, runs, before=clear))
        print(f"| attendance | {label} | " + " | ".join(f"{ms:,.1f}" for ms in figures) + " |")
    for label, day, known in questions:
        agency, one = (
            median_ms(partial(reads.qualifications, as_of=day, known_at=known, unit=u), runs, before=clear)
            for u in (None, unit)
        )
        print(f"| qualifications | {label} | | {agency:,.1f} | | {one:,.1f} |")

if __name__ == "__main__":
    main()
