"""The statistics view: bitemporal facts, so reports answer for any date as known at any time.

Each fact row carries the business date it takes effect (``effective_on`` or ``starts_on``),
when it was recorded (``recorded_at``) and, once a correction voids it, when that correction
was recorded (``voided_at``). A fact counts in a report on business date D as known at time K
when it took effect on or before D, was recorded at or before K, and was not voided at or before
K. So a correction recorded in 2025 of a 2021 enrollment removes it from the 2021 report as
known today, but not from the 2021 report as known in 2022. These are the rules of
``ledger.domain.fold.fold_record`` written as SQL filters, which keeps agency-wide reports fast.

Reports (docs/domain.md §3, §4): active headcount by highest level per track (rank order: each person
counted once per track), by gender, age band, unit and employment; training attendances as
person-times (lượt) and distinct persons by track, year, mode, status and gender, departed
staff included, voided enrollments excluded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from projections import splits
from projections.attendance_counts import AttendanceQuestion, count_attendances
from projections.base import Envelope, LogSource, Tables, View
from projections.results import AGE_BANDS, AttendanceReport, QualificationsReport
from projections.splits import AttendanceRow, PostClassifier
from projections.statistics_rows import PageRows, page_voids
from projections.statistics_sql import (
    LEVEL_CODES,
    VOIDABLE,
    age_band,
    empty_tracks,
    highest_levels,
    in_units,
    live_at,
    post_on_sql,
    unit_on_sql,
)
from projections.store import Row, Tx
from projections.text import nfc
from projections.units import INSERT_FACT, UNIT_TABLES, Structure, apply_unit_facts


class StatisticsView(View):
    name = "statistics"
    # 2: units held in NFC (the text policy), so views built before are rebuilt.
    # 3: the rank at registration, the posts held over time, and each enrollment's course code,
    # funding, country and cost (the splits and forms agencies file, docs/domain.md §3.6, §4);
    # the unit facts of the organisation stream (``unit_facts``, projections.units).
    # 4: whether each enrollment is abroad (``abroad``), and the units people were registered in
    # or moved to indexed, so that the attendance report is counted in SQL
    # (projections.attendance_counts) and a report of one unit reads only its people. ``abroad``
    # is ``splits.is_abroad`` of the enrollment's country, fixed in code (not in the rules file):
    # a change to ``splits.HOME_COUNTRY`` needs a new version here.
    schema_version = 4
    reads_organisation = True
    tables: ClassVar[dict[str, str]] = {
        "people": (
            "staff_id TEXT NOT NULL, gender TEXT NOT NULL, birth_date TEXT NOT NULL, "
            "employment TEXT NOT NULL, joined_on TEXT NOT NULL, unit TEXT NOT NULL, rank TEXT, "
            "recorded_at BIGINT NOT NULL, PRIMARY KEY (staff_id)"
        ),
        "credentials": (
            "staff_id TEXT NOT NULL, version INTEGER NOT NULL, track TEXT NOT NULL, "
            "level_rank INTEGER NOT NULL, effective_on TEXT NOT NULL, recorded_at BIGINT NOT NULL, "
            "voided_at BIGINT, PRIMARY KEY (staff_id, version)"
        ),
        "departures": (
            "staff_id TEXT NOT NULL, version INTEGER NOT NULL, effective_on TEXT NOT NULL, "
            "recorded_at BIGINT NOT NULL, voided_at BIGINT, PRIMARY KEY (staff_id, version)"
        ),
        "units": (
            "staff_id TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, "
            "to_unit TEXT NOT NULL, starts_on TEXT NOT NULL, ends_on TEXT, position TEXT, "
            "recorded_at BIGINT NOT NULL, voided_at BIGINT, PRIMARY KEY (staff_id, version)"
        ),
        "enrollments": (
            "staff_id TEXT NOT NULL, version INTEGER NOT NULL, enrollment_id TEXT NOT NULL, "
            "track TEXT NOT NULL, level_rank INTEGER, mode TEXT NOT NULL, starts_on TEXT NOT NULL, "
            "course_code TEXT NOT NULL, funding TEXT, country TEXT, abroad INTEGER NOT NULL, cost TEXT, "
            "recorded_at BIGINT NOT NULL, voided_at BIGINT, PRIMARY KEY (staff_id, version)"
        ),
        # The post (chức vụ) held from ``starts_on``: the registration's, then each appointment
        # and each transfer that names one. The post on a day is the latest live row starting on
        # or before it (ties: the later version), as ``StaffRecord.position_on`` decides.
        "posts": (
            "staff_id TEXT NOT NULL, version INTEGER NOT NULL, position TEXT NOT NULL, "
            "starts_on TEXT NOT NULL, recorded_at BIGINT NOT NULL, voided_at BIGINT, "
            "PRIMARY KEY (staff_id, version)"
        ),
        "closings": (
            "staff_id TEXT NOT NULL, version INTEGER NOT NULL, enrollment_id TEXT NOT NULL, "
            "status TEXT NOT NULL, effective_on TEXT NOT NULL, recorded_at BIGINT NOT NULL, "
            "voided_at BIGINT, PRIMARY KEY (staff_id, version)"
        ),
        **UNIT_TABLES,
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {
        "by_start": ("enrollments", "starts_on"),
        "by_enrollment": ("closings", "staff_id, enrollment_id"),
        "by_incarnation": ("enrollments", "staff_id, enrollment_id"),
        "by_post_start": ("posts", "staff_id, starts_on"),
        "by_unit": ("people", "unit"),
        "by_to_unit": ("units", "to_unit"),
    }

    INSERT_PERSON = (
        "INSERT INTO {people} (staff_id, gender, birth_date, employment, joined_on, unit, rank, "
        "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    INSERT_CREDENTIAL = (
        "INSERT INTO {credentials} (staff_id, version, track, level_rank, effective_on, recorded_at, "
        "voided_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    # A completion's credential has the level of the enrollment it closes: the latest
    # incarnation of that enrollment id before the completion.
    AWARD = (
        "INSERT INTO {credentials} (staff_id, version, track, level_rank, effective_on, recorded_at) "
        "SELECT e.staff_id, ?, e.track, e.level_rank, ?, ? FROM {enrollments} e "
        "WHERE e.staff_id = ? AND e.enrollment_id = ? AND e.version < ? AND e.level_rank IS NOT NULL "
        "ORDER BY e.version DESC LIMIT 1"
    )
    INSERT_DEPARTURE = (
        "INSERT INTO {departures} (staff_id, version, effective_on, recorded_at, voided_at) "
        "VALUES (?, ?, ?, ?, ?)"
    )
    INSERT_UNIT = (
        "INSERT INTO {units} (staff_id, version, kind, to_unit, starts_on, ends_on, position, "
        "recorded_at, voided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    INSERT_ENROLLMENT = (
        "INSERT INTO {enrollments} (staff_id, version, enrollment_id, track, level_rank, mode, "
        "starts_on, course_code, funding, country, abroad, cost, recorded_at, voided_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    INSERT_POST = (
        "INSERT INTO {posts} (staff_id, version, position, starts_on, recorded_at, voided_at) "
        "VALUES (?, ?, ?, ?, ?, ?)"
    )
    INSERT_CLOSING = (
        "INSERT INTO {closings} (staff_id, version, enrollment_id, status, effective_on, recorded_at, "
        "voided_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    # The earliest correction wins if (against the rules) an event were voided twice.
    VOID = (
        "UPDATE {%s} SET voided_at = ? WHERE staff_id = ? AND version = ? "
        "AND (voided_at IS NULL OR voided_at > ?)"
    )

    def apply(self, tx: Tx, tables: Tables, envelopes: Sequence[Envelope], log: LogSource) -> None:
        apply_unit_facts(tx, self.sql(tables, INSERT_FACT), envelopes)
        voided_at, voids = page_voids(envelopes)
        page = PageRows.of(envelopes, voided_at.get)

        def run(template: str, batch: Sequence[Sequence[Any]]) -> None:
            if batch:
                tx.executemany(self.sql(tables, template), batch)

        run(self.INSERT_PERSON, page.people)
        run(self.INSERT_ENROLLMENT, page.enrollments)
        run(self.INSERT_CLOSING, page.closings)
        # Completions of enrollments from earlier pages take the level from the view.
        run(self.AWARD, page.awards)
        run(self.INSERT_CREDENTIAL, page.credentials)
        run(self.INSERT_UNIT, page.units)
        run(self.INSERT_DEPARTURE, page.departures)
        run(self.INSERT_POST, page.posts)
        # A completion of this page whose enrollment came earlier got its credential row from
        # AWARD, which knows no voids: voids of this page's events reach it here too.
        for award in page.awards:
            key = (award[3], award[0])
            if key in voided_at:
                voids.append((voided_at[key], key[0], key[1], voided_at[key]))
        if voids:
            for logical in VOIDABLE:
                run(self.VOID % logical, voids)

    # ------------------------------------------------------------------ reports

    def units(self, tx: Tx, tables: Tables) -> list[str]:
        """Every unit anyone was ever in: at registration, or moved to (the unit moved from was
        one of these before)."""
        t = tables.names
        found = tx.query(
            f"SELECT unit FROM {t['people']} UNION SELECT to_unit FROM {t['units']} "
            f"UNION SELECT unit_id FROM {t['unit_facts']} WHERE kind = 'created'"
        )
        return sorted({unit for (unit,) in found})

    def structure(self, tx: Tx, tables: Tables, *, known_at: int, first_use: bool = False) -> Structure:
        """The organisation's units as known at ``known_at`` (``projections.units``)."""
        return Structure.load(tx, tables, known_at, first_use=first_use)

    def qualifications(
        self,
        tx: Tx,
        tables: Tables,
        *,
        as_of: date,
        known_at: int,
        unit: str | None,
        employment: str | None,
        known_at_value: datetime | None,
        structure_on: date | None = None,
    ) -> QualificationsReport:
        """``structure_on``: the date whose structure maps each person's unit (default ``as_of``:
        a unit merged by then counts under the unit it was merged into)."""
        t = tables.names
        d, k = as_of.isoformat(), known_at
        unit = nfc(unit)  # the view holds units in NFC
        roll = (
            f"SELECT p.staff_id, p.gender, p.birth_date, p.employment, "
            f"{unit_on_sql(t, 'p.staff_id', '?')} AS unit FROM {t['people']} p "
            f"WHERE p.recorded_at <= ? AND p.joined_on <= ? AND NOT EXISTS (SELECT 1 FROM "
            f"{t['departures']} x WHERE x.staff_id = p.staff_id AND {live_at('x')} AND x.effective_on <= ?)"
        )
        # Parameters in the order their placeholders appear in the text.
        params: list[Any] = [k, k, d, d, k, k, d, k, d, k, k, d]
        on = structure_on or as_of
        names: tuple[str, ...] = ()
        if unit is not None:
            # Only the people of the unit (and of the units merged into it) are read.
            names = self.unit_names(tx, tables, known_at=k, day=on, unit=unit)
            roll, more = in_units(t, roll, names, d, k)
            params += more
        people = self._mapped(tx, tables, k, on, tx.query(roll, params))
        chosen = {
            staff_id: (gender, birth, emp, unit_on)
            for staff_id, gender, birth, emp, unit_on in people
            if (unit is None or unit_on == unit) and (employment is None or emp == employment)
        }
        best = highest_levels(tx, t, day=d, known_at=k, people=chosen, units=names)
        rows = [(*key, top) for key, top in best.items()]
        tracks = empty_tracks()
        by_gender_tracks: dict[str, dict[str, dict[str, int]]] = {}
        for staff_id, track, top in rows:
            code = LEVEL_CODES[(track, top)]
            tracks[track][code] += 1
            gender = chosen[staff_id][0]
            split = by_gender_tracks.get(gender)
            if split is None:
                split = by_gender_tracks[gender] = empty_tracks()
            split[track][code] += 1
        seen = chosen
        genders: Counter[str] = Counter()
        bands: Counter[str] = Counter(dict.fromkeys(AGE_BANDS, 0))
        units: Counter[str] = Counter()
        employments: Counter[str] = Counter()
        for gender, birth, emp, unit_on in seen.values():
            genders[gender] += 1
            bands[age_band(date.fromisoformat(birth), as_of)] += 1
            units[unit_on] += 1
            employments[emp] += 1
        return QualificationsReport(
            as_of=as_of,
            known_at=known_at_value,
            unit=unit,
            employment=employment,
            headcount=len(seen),
            tracks=tracks,
            by_gender=dict(sorted(genders.items())),
            by_age_band={band: bands[band] for band in AGE_BANDS},
            by_unit=dict(sorted(units.items())),
            by_employment=dict(sorted(employments.items())),
            tracks_by_gender=dict(sorted(by_gender_tracks.items())),
        )

    def staff_in_unit(
        self, tx: Tx, tables: Tables, *, day: date, known_at: int, unit: str, structure_on: date
    ) -> set[str]:
        """Everyone recorded by ``known_at`` (on the roll or not) whose unit on ``day``, mapped
        onto the structure of ``structure_on`` as known then, is ``unit``."""
        t = tables.names
        d, k = day.isoformat(), known_at
        found = tx.query(
            f"SELECT p.staff_id, {unit_on_sql(t, 'p.staff_id', '?')} AS unit FROM {t['people']} p "
            "WHERE p.recorded_at <= ?",
            [k, k, d, d, k, k, d, k],
        )
        wanted = nfc(unit)
        mapped = self._mapped(tx, tables, k, structure_on, found)
        return {staff_id for staff_id, unit_on in mapped if unit_on == wanted}

    def _mapped(
        self, tx: Tx, tables: Tables, known_at: int, day: date, rows: Sequence[Row]
    ) -> list[Row]:
        """``rows`` whose last column is a unit, with that unit mapped onto the structure in force
        on ``day`` (as known at ``known_at``); untouched when no unit was ever merged."""
        return Structure.load(tx, tables, known_at).mapped(rows, day)

    def attendance(
        self,
        tx: Tx,
        tables: Tables,
        *,
        from_: date | None,
        to: date,
        tracks: tuple[str, ...] | None,
        known_at: int,
        known_at_value: datetime | None,
        unit: str | None = None,
        classify_post: PostClassifier,
        cross: tuple[str, str] | None = None,
        structure_on: date | None = None,
    ) -> AttendanceReport:
        """The attendance report (``ReadModel.attendance``), every split counted in the store
        (``projections.attendance_counts``); ``classify_post`` classes the post held on the
        first day (``projections.splits.post_classifier`` of the rules in force);
        ``structure_on``: the date whose structure maps the unit of each attendance (default
        ``to``)."""
        t = tables.names
        k = known_at
        unit = nfc(unit)  # the view holds units in NFC
        if from_ is None:
            earliest = f"SELECT MIN(e.starts_on) FROM {t['enrollments']} e WHERE {live_at('e')}"
            first = tx.scalar(earliest, (k, k))
            from_ = date.fromisoformat(first) if first is not None and first <= to.isoformat() else to
        on = structure_on or to
        names = None if unit is None else self.unit_names(tx, tables, known_at=k, day=on, unit=unit)
        question = AttendanceQuestion(from_.isoformat(), to.isoformat(), k, tracks, names)
        found, attended = count_attendances(tx, t, question, classify_post, cross)
        by = found.by
        return AttendanceReport(
            from_=from_,
            to=to,
            tracks=tracks,
            known_at=known_at_value,
            attendances=found.total.attendances,
            persons=found.total.persons,
            by_track=by["track"],
            by_year={year: tally.attendances for year, tally in by["year"].items()},
            by_mode=by["mode"],
            by_status=by["status"],
            by_gender=by["gender"],
            unit=unit,
            by_location=by["location"],
            by_funding=by["funding"],
            by_post_at_start=by["post_at_start"],
            by_age_at_start=by["age_at_start"],
            by_staff_status=by["staff_status"],
            by_programme=found.programmes,
            per_person=splits.per_person(
                self.roll(tx, tables, day=to, known_at=k, unit=unit, structure_on=on), attended
            ),
            cross=cross,
            crossed=found.crossed,
        )

    def unit_names(self, tx: Tx, tables: Tables, *, known_at: int, day: date, unit: str) -> tuple[str, ...]:
        """The units (as the view holds them, NFC) whose people count under ``unit`` on the
        structure in force on ``day`` as known at ``known_at``: ``unit`` itself and those merged
        into it by then. A report of one unit keeps the people whose unit is one of these."""
        structure = Structure.load(tx, tables, known_at)
        if not structure.facts:
            return (unit,)
        t = tables.names
        found = tx.query(f"SELECT unit FROM {t['people']} UNION SELECT to_unit FROM {t['units']}")
        held = {u for (u,) in found}
        # ``unit`` itself only while it is not merged into another by then.
        return tuple(sorted(u for u in held | {unit} if structure.successor(u, day) == unit))

    def attendance_rows(
        self,
        tx: Tx,
        tables: Tables,
        *,
        from_: date,
        to: date,
        tracks: Sequence[str] | None,
        known_at: int,
        unit: str | None = None,
        structure_on: date | None = None,
    ) -> list[AttendanceRow]:
        """The enrollments (attendances) starting in [``from_``, ``to``] as known at ``known_at``,
        voided ones excluded, with their status on ``to``, the post held on their first day and
        whether the person is off the roll on ``to``; ``unit`` (NFC): only people who worked in
        that unit on the day their course started, that unit mapped onto the structure in force on
        ``structure_on`` (default ``to``: a unit merged by then counts under the one it joined)."""
        t = tables.names
        k = known_at
        start, end = from_.isoformat(), to.isoformat()
        # Placeholders in the order they appear: the post (four), the departure, the unit (four,
        # when asked), the closing, the enrollment. At most one closing of an enrollment is in
        # force at any time of knowledge (closing it again needs the first closing voided), so a
        # left join finds its status on ``to``.
        unit_column, unit_params = "NULL", []
        if unit is not None:
            unit_column, unit_params = unit_on_sql(t, "e.staff_id", "e.starts_on"), [k, k, k, k]
        params: list[Any] = [k, k, k, k, k, k, end, *unit_params, k, k, end, k, k, start, end]
        track_filter = ""
        if tracks:
            track_filter = f" AND e.track IN ({','.join('?' for _ in tracks)})"
            params += list(tracks)
        found = tx.query(
            f"SELECT e.staff_id, e.track, e.level_rank, e.starts_on, e.mode, c.status, p.gender, "
            f"p.birth_date, p.employment, e.course_code, e.funding, e.country, e.cost, "
            f"{post_on_sql(t, 'e.staff_id', 'e.starts_on')} AS post, "
            f"EXISTS (SELECT 1 FROM {t['departures']} x WHERE x.staff_id = e.staff_id "
            f"AND {live_at('x')} AND x.effective_on <= ?) AS departed, {unit_column} AS unit "
            f"FROM {t['enrollments']} e JOIN {t['people']} p ON p.staff_id = e.staff_id "
            f"LEFT JOIN {t['closings']} c ON c.staff_id = e.staff_id "
            f"AND c.enrollment_id = e.enrollment_id AND c.version > e.version "
            f"AND {live_at('c')} AND c.effective_on <= ? "
            f"WHERE {live_at('e')} AND e.starts_on >= ? AND e.starts_on <= ?{track_filter}",
            params,
        )
        if unit is not None:
            # Selected, not filtered in SQL: the unit is mapped onto the structure first.
            found = [row for row in self._mapped(tx, tables, k, structure_on or to, found) if row[-1] == unit]
        return [
            AttendanceRow(
                staff_id=staff_id, track=track, level_rank=rank, starts_on=starts_on, mode=mode,
                status=status or "enrolled", gender=gender, birth_date=birth, employment=employment,
                course_code=code, funding=funding, country=country,
                cost=None if cost is None else Decimal(cost), post=post, departed=bool(departed),
            )
            for (
                staff_id, track, rank, starts_on, mode, status, gender, birth, employment, code,
                funding, country, cost, post, departed, _,
            ) in found
        ]

    def roll(
        self, tx: Tx, tables: Tables, *, day: date, known_at: int, unit: str | None = None,
        structure_on: date | None = None,
    ) -> list[str]:
        """The staff ids on the roll on ``day`` as known at ``known_at`` (joined, not departed);
        ``unit`` (NFC): only those working in it on ``day``, mapped onto the structure in force
        on ``structure_on`` (default ``day``)."""
        t = tables.names
        d, k = day.isoformat(), known_at
        params: list[Any] = [k, d, k, k, d]
        sql = (
            f"SELECT p.staff_id FROM {t['people']} p "
            f"WHERE p.recorded_at <= ? AND p.joined_on <= ? AND NOT EXISTS (SELECT 1 FROM "
            f"{t['departures']} x WHERE x.staff_id = p.staff_id AND {live_at('x')} AND x.effective_on <= ?)"
        )
        if unit is not None:
            names = self.unit_names(tx, tables, known_at=k, day=structure_on or day, unit=unit)
            sql, more = in_units(t, sql, names, d, k)
            params += more
        return [staff_id for (staff_id,) in tx.query(sql, params)]
