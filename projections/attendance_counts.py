"""The attendance report's splits (docs/domain.md §3.6) counted in the store: one statement over the
statistics view's bitemporal facts, on SQLite and PostgreSQL alike.

The statement first gives every attendance its key in each split (``attendance_keys``, CASE
expressions over the view's rows: the status on the report's last day, the post held and the age
on the first day, off the roll or not on the last day), materialized once; then each split is one
``GROUP BY`` of those keys counting attendances and distinct persons, all of them in one
``UNION ALL``. Python only sorts the few rows that come back. ``projections.splits.count`` is the
same count made row by row in Python (what the report did before; ``bench/reports.py`` compares
the two).

The post classes depend on the rules file, so they are not stored: the few distinct post titles
the view holds are classified at each question and named in the CASE (:func:`leader_posts`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from projections.results import ProgrammeTally, Tally
from projections.splits import (
    NON_LEADER,
    NOT_RECORDED,
    PROGRAMME_STATUS,
    SPLITS,
    YOUNG_AGE,
    PostClassifier,
    Splits,
)
from projections.statistics_sql import candidates_sql, live_at, placeholders, post_on_sql, unit_on_sql
from projections.store import Tx

WIDE_YEARS = 3  # a period spanning this many years or more is read by a scan of the attendances


@dataclass(frozen=True)
class AttendanceQuestion:
    """Which attendances a report counts: starting in [``start``, ``end``] (ISO dates), as known
    at ``known_at``; ``tracks``: only these; ``units``: only people whose unit on the course's
    first day is one of these names as the view holds them (the units that map onto the report's
    unit, ``StatisticsView.unit_names``)."""

    start: str
    end: str
    known_at: int
    tracks: tuple[str, ...] | None = None
    units: tuple[str, ...] | None = None


def leader_posts(tx: Tx, t: dict[str, str], classify: PostClassifier) -> dict[str, str]:
    """Every post title the view holds that the rules make a leader's post, with its class; any
    other title, and no post, is a non-leader's."""
    titles = tx.query(
        f"SELECT position FROM {t['posts']} "
        f"UNION SELECT position FROM {t['units']} WHERE position IS NOT NULL"
    )
    found = {title: classify(title) for (title,) in titles}
    assert classify(None) == NON_LEADER  # the CASE's ELSE covers "no post" as well
    return {title: kind for title, kind in found.items() if kind != NON_LEADER}


def attendance_keys(
    t: dict[str, str], question: AttendanceQuestion, leaders: dict[str, str], *, scan: bool = False
) -> tuple[str, list[Any]]:
    """The SELECT giving each attendance of ``question`` its staff id and its key in every split
    (columns named as :data:`projections.splits.SPLITS`), with its parameters. ``scan``: the
    index of first days is not offered (``|| ''``), so the attendances are read in a scan."""
    k = question.known_at
    params: list[Any] = []
    if leaders:
        # A simple CASE evaluates the post held on the first day once; NULL (no post) is ELSE.
        whens = " ".join("WHEN ? THEN ?" for _ in leaders)
        post_class = f"CASE {post_on_sql(t, 'e.staff_id', 'e.starts_on', many=True)} {whens} ELSE ? END"
        params += [k, k, k, k]
        for title, kind in leaders.items():
            params += [title, kind]
        params.append(NON_LEADER)
    else:
        post_class, params = "?", [NON_LEADER]
    starts = "e.starts_on || ''" if scan else "e.starts_on"
    # The unit on the first day (of a report of one unit): only selected here, for the people
    # ever in it, and compared after (see ``count_attendances``).
    unit_column = "NULL"
    if question.units is not None:
        unit_column = unit_on_sql(t, "e.staff_id", "e.starts_on", many=True)
        params += [k, k, k, k]
    # The age on the first day, from the dates as numbers: YYYYMMDD - YYYYMMDD is under 350000
    # exactly when the 35th birthday is after the first day (29 February included).
    young = YOUNG_AGE * 10000
    select = (
        f"SELECT e.staff_id AS staff_id, e.track AS track, SUBSTR(e.starts_on, 1, 4) AS year, "
        f"e.mode AS mode, COALESCE(c.status, 'enrolled') AS status, p.gender AS gender, "
        f"CASE WHEN e.abroad = 1 THEN 'abroad' ELSE 'in_country' END AS location, "
        f"COALESCE(e.funding, '{NOT_RECORDED}') AS funding, {post_class} AS post_at_start, "
        f"CASE WHEN CAST(REPLACE(e.starts_on, '-', '') AS INTEGER) "
        f"- CAST(REPLACE(p.birth_date, '-', '') AS INTEGER) < {young} "
        f"THEN 'under_35' ELSE '35_and_over' END AS age_at_start, "
        f"CASE WHEN d.staff_id IS NULL THEN 'current' ELSE 'former' END AS staff_status, "
        f"e.course_code AS programme, {unit_column} AS unit "
        f"FROM {t['enrollments']} e JOIN {t['people']} p ON p.staff_id = e.staff_id "
        # At most one closing of an enrollment is in force at any time of knowledge (closing it
        # again needs the first closing voided), so a left join finds its status on the last day.
        f"LEFT JOIN {t['closings']} c ON c.staff_id = e.staff_id "
        f"AND c.enrollment_id = e.enrollment_id AND c.version > e.version "
        f"AND {live_at('c')} AND c.effective_on <= ? "
        # Off the roll on the last day: one pass over the departures, not one look-up a row.
        f"LEFT JOIN (SELECT DISTINCT x.staff_id FROM {t['departures']} x "
        f"WHERE {live_at('x')} AND x.effective_on <= ?) d ON d.staff_id = e.staff_id "
        f"WHERE {live_at('e')} AND {starts} >= ? AND {starts} <= ?"
    )
    params += [k, k, question.end, k, k, question.end, k, k, question.start, question.end]
    if question.tracks:
        select += f" AND e.track IN ({','.join('?' for _ in question.tracks)})"
        params += list(question.tracks)
    if question.units is not None:
        select += f" AND p.staff_id IN ({candidates_sql(t, question.units)})"
        params += [*question.units, *question.units]
    return select, params


def count_attendances(
    tx: Tx,
    t: dict[str, str],
    question: AttendanceQuestion,
    classify: PostClassifier,
    cross: tuple[str, str] | None,
) -> tuple[Splits, dict[str, int]]:
    """Every split of the attendances ``question`` names (and the cross of two), counted in the
    store, with the number of attendances of each person who had any."""
    # A period of many years holds most attendances: SQLite, offered the index of first days,
    # would fetch each row apart through it (PostgreSQL weighs it by its statistics, and the
    # expression would hide them from it).
    wide = int(question.end[:4]) - int(question.start[:4]) >= WIDE_YEARS
    scan = wide and tx.dialect == "sqlite"
    select, params = attendance_keys(t, question, leader_posts(tx, t, classify), scan=scan)
    # The split names are the keys' column names (a fixed set: never text from a request). A
    # person's gender and staff status are the same on every attendance, so they are counted
    # from the rows per person; years only count attendances.
    per_person = ("gender", "staff_status")
    parts = [
        f"SELECT '{name}', {name}, NULL, COUNT(*), COUNT(DISTINCT staff_id) FROM a GROUP BY {name}"
        for name in SPLITS
        if name not in (*per_person, "year")
    ]
    parts += [
        "SELECT 'year', year, NULL, COUNT(*), 0 FROM a GROUP BY year",
        "SELECT 'outcome', programme, status, COUNT(*), 0 FROM a GROUP BY programme, status",
        "SELECT 'person', staff_id, gender || '|' || staff_status, COUNT(*), 0 FROM a "
        "GROUP BY staff_id, gender, staff_status",
    ]
    if cross is not None:
        first, second = cross
        assert first in SPLITS
        assert second in SPLITS
        parts.append(
            f"SELECT 'cross', {first}, {second}, COUNT(*), COUNT(DISTINCT staff_id) "
            f"FROM a GROUP BY {first}, {second}"
        )
    if question.units is None:
        keyed = f"WITH a AS MATERIALIZED ({select}) "
    else:
        # The unit on the first day is worked out for the people ever in the unit only, then
        # compared: written as one filter, PostgreSQL would work it out for every attendance
        # before narrowing to them (it does not know what the filter costs).
        keyed = (
            f"WITH keyed AS MATERIALIZED ({select}), "
            f"a AS MATERIALIZED (SELECT * FROM keyed WHERE unit IN ({placeholders(question.units)})) "
        )
        params += list(question.units)
    found = tx.query(keyed + " UNION ALL ".join(parts), params)
    return assemble(found)


def assemble(found: Sequence[Sequence[Any]]) -> tuple[Splits, dict[str, int]]:
    """The answer from the statement's rows: (split, key, second key, attendances, persons); a
    person's row gives their attendances and, as its second key, their gender and staff status."""
    by: dict[str, dict[str, Tally]] = {name: {} for name in SPLITS}
    outcomes: defaultdict[str, dict[str, int]] = defaultdict(dict)
    crossed: dict[str, dict[str, Tally]] = {}
    attended: dict[str, int] = {}
    of_person: dict[str, Counter[str]] = {"gender": Counter(), "staff_status": Counter()}
    in_person: dict[str, Counter[str]] = {"gender": Counter(), "staff_status": Counter()}
    for split, key, second, attendances, persons in found:
        if split == "outcome":
            outcomes[key][PROGRAMME_STATUS.get(second, second)] = attendances
        elif split == "person":
            attended[key] = attendances
            gender, _, status = second.partition("|")
            for name, value in (("gender", gender), ("staff_status", status)):
                of_person[name][value] += attendances
                in_person[name][value] += 1
        elif split == "cross":
            crossed.setdefault(key, {})[second] = Tally(attendances, persons)
        else:
            by[split][key] = Tally(attendances, persons)
    for name, counts in of_person.items():
        by[name] = {value: Tally(n, in_person[name][value]) for value, n in counts.items()}
    total = Tally(sum(attended.values()), len(attended))
    by = {name: dict(sorted(tallies.items())) for name, tallies in by.items()}
    programmes = {
        code: ProgrammeTally(
            attendances=tally.attendances,
            persons=tally.persons,
            completed=outcomes[code].get("completed", 0),
            in_progress=outcomes[code].get("in_progress", 0),
            withdrawn=outcomes[code].get("withdrawn", 0),
            failed=outcomes[code].get("failed", 0),
        )
        for code, tally in by["programme"].items()
    }
    crossed = {a: dict(sorted(row.items())) for a, row in sorted(crossed.items())}
    return Splits(total, by, programmes, crossed), attended

