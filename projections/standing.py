"""The standing view: each person's record as it stands, plus the staff directory.

The view holds, per person, the record ``ledger.domain.fold.fold_record`` gives from all their live
events: one row for the person's own fields and one row per item of each collection of the
record (enrollments, credentials, rotations, appointments, evaluations, planning places, and any
collection the record gains later), each stored as exact JSON (:mod:`projections.codec`), plus
two small index tables for the directory's filters (highest levels; postings away from home).

A page of events is applied with the domain's **own** ``fold`` methods, on a partial record per
person: the person's own fields and the enrollments the page's events name (the only state a
fold reads); only the items that changed are written back. So the view can never drift from the
write side's definition of a record. A correction refolds that person from the log (it can void
anything). Which unit and position are *current* depends on the day (a secondment ends without an
event), so those are worked out when the view is read.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from ledger.domain import catalog
from ledger.domain.fold import fold_record
from ledger.domain.ids import make_event_id
from ledger.domain.record import StaffRecord
from ledger.staff import StaffEvent, StaffMember
from projections import codec
from projections.base import Envelope, LogSource, Tables, View
from projections.generations import VIEWS_TABLE
from projections.results import (
    DirectoryEntry,
    Standing,
)
from projections.standing_changes import FoldProbe, PageChanges, fresh_rows
from projections.standing_records import (
    DELETE_ITEMS,
    DELETE_POSTING,
    DELETE_QUAL,
    DICTS,
    EMPTY,
    INSERT_POSTING,
    INSERT_QUAL,
    ITEM_CLASS,
    NO_DATE,
    UNQUALIFY,
    UPSERT_DOCUMENT,
    UPSERT_ITEM,
    UPSERT_PERSON,
    decode_scalars,
    document_row,
    latest_day,
    record_rows,
    voided_version,
)
from projections.store import Row, Tx
from projections.text import exact, has_marks, nfc, search_key

STATUSES = ("active", "departed", "not_joined")
# The directory's orders (``-`` before one reverses it); ``name`` is Vietnamese name order.
DIRECTORY_SORTS = ("name", "staff_id", "unit", "position", "joined_on")
CHUNK = 400  # keys per IN (...) list



class StandingView(View):
    name = "standing"
    # The rows are the record's own shape: when a field is added to it on the write side, the
    # version changes and engines rebuild the view on start. 4_000_000: units and positions are
    # held in NFC (the text policy), so views built before are rebuilt. 5_000_000: the directory's
    # word-prefix search (``name_text``) and Vietnamese name order (``order_key``). 6_000_000:
    # the standing as one document per person (``documents``), in the shape of ``Standing``.
    schema_version = 6_000_000 + (codec.fingerprint(StaffRecord) ^ codec.fingerprint(Standing)) % 1_000_000
    tables: ClassVar[dict[str, str]] = {
        "people": (
            "staff_id TEXT NOT NULL, name_key TEXT NOT NULL, full_name TEXT NOT NULL, "
            "gender TEXT NOT NULL, birth_date TEXT NOT NULL, employment TEXT NOT NULL, "
            "home_unit TEXT NOT NULL, position TEXT, joined_on TEXT NOT NULL, departed_on TEXT, "
            "version INTEGER NOT NULL, latest_on TEXT NOT NULL, data TEXT NOT NULL, "
            "name_text TEXT NOT NULL, order_key TEXT NOT NULL, PRIMARY KEY (staff_id)"
        ),
        "items": (
            "staff_id TEXT NOT NULL, field TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL, "
            "data TEXT NOT NULL, PRIMARY KEY (staff_id, field, key)"
        ),
        "quals": (
            "staff_id TEXT NOT NULL, credential_id TEXT NOT NULL, track TEXT NOT NULL, "
            "level_rank INTEGER NOT NULL, PRIMARY KEY (staff_id, credential_id)"
        ),
        "postings": (
            "staff_id TEXT NOT NULL, version INTEGER NOT NULL, to_unit TEXT NOT NULL, position TEXT, "
            "starts_on TEXT NOT NULL, ends_on TEXT, PRIMARY KEY (staff_id, version)"
        ),
        # One row per person: the current standing as served (projections.documents), so that
        # a current standing read is one statement that decodes nothing.
        "documents": (
            "staff_id TEXT NOT NULL, version INTEGER NOT NULL, latest_on TEXT NOT NULL, "
            "doc TEXT NOT NULL, courses TEXT NOT NULL, PRIMARY KEY (staff_id)"
        ),
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {
        "by_name": ("people", "order_key, staff_id"),
        "by_unit": ("people", "home_unit"),
        "by_track": ("quals", "track, level_rank"),
        "by_posting": ("postings", "to_unit"),
    }

    # ------------------------------------------------------------------ writes

    def apply(self, tx: Tx, tables: Tables, envelopes: Sequence[Envelope], log: LogSource) -> None:
        by_person: dict[str, list[Envelope]] = defaultdict(list)
        for env in envelopes:
            by_person[env.staff_id].append(env)
        # People whose whole history is in the page (new people; everyone in a rebuild, which
        # reads the log person by person): fold each at once and insert their rows.
        fresh = fresh_rows(by_person)
        voiding: dict[str, list[int]] = defaultdict(list)
        for sid, envs in by_person.items():
            for env in envs:
                if isinstance(env.event, StaffMember.Corrected):
                    voiding[sid].append(voided_version(env.event))
        known = self._load_people(tx, tables, list(by_person))
        refold: dict[str, tuple[UUID, int]] = {}
        quick: list[Row] = []
        for sid, versions in voiding.items():
            envs = by_person[sid]
            found = known.get(sid)
            if found is not None and self._voids_only_items(found[0], envs, versions, log):
                quick += [(sid, v) for v in versions]
            else:
                refold[sid] = (envs[-1].originator_id, envs[-1].version)

        follow = {sid: envs for sid, envs in by_person.items() if sid not in refold}
        wanted = {
            (sid, name)
            for sid, envs in follow.items()
            for env in envs
            if (name := getattr(env.event, "enrollment_id", None)) is not None
        }
        enrollments = self._load_items(tx, tables, "enrollments", sorted(wanted))

        changes = PageChanges()
        for sid, envs in follow.items():
            changes.follow(sid, envs, known.get(sid), enrollments.get(sid, {}))
        people, items = changes.people, changes.items
        quals_gone, quals = changes.quals_gone, changes.quals
        postings_gone, postings = changes.postings_gone, changes.postings

        def run(template: str, rows: list[Row]) -> None:
            if rows:
                tx.executemany(self.sql(tables, template), rows)

        run(UPSERT_PERSON, people)
        run(UPSERT_ITEM, items)
        run(DELETE_QUAL, quals_gone)
        run(INSERT_QUAL, quals)
        run(DELETE_POSTING, postings_gone)
        run(INSERT_POSTING, postings)
        # Voided events that only added items of their own: remove those items.
        run(UNQUALIFY, [(sid, sid, v) for sid, v in quick])
        run(DELETE_POSTING, quick)
        run(DELETE_ITEMS, quick)
        # The documents of the people the page changed, from their rows as now written (the
        # record folded above is partial: only the enrollments the page's events name).
        run(UPSERT_DOCUMENT, self._documents(tx, tables, [row[0] for row in people]))
        for sid, (oid, version) in refold.items():
            self._refold(tx, tables, sid, log.events_of(oid, version))
        for template, rows in fresh.items():
            run(template, rows)

    def _voids_only_items(
        self, record: StaffRecord, envs: list[Envelope], versions: list[int], log: LogSource
    ) -> bool:
        """Whether voiding ``versions`` only takes away items those events added (so the record
        without them is the record minus those items, no refold needed).

        True when each voided event predates this page, names no enrollment (whose state later
        events build on), and its own fold, tried on a copy of the person's fields with empty
        collections, changes none of the fields and adds only items carrying its own event id.
        """
        in_page = {env.version for env in envs}
        oid = envs[0].originator_id
        for version in versions:
            if version in in_page:
                return False
            event = log.event_at(oid, version)
            if event is None or isinstance(event, (StaffMember.Registered, StaffMember.Corrected)):
                return False
            if getattr(event, "enrollment_id", None) is not None:
                return False
            probe = FoldProbe.of(record)
            event_id = make_event_id(record.staff_id, version)
            event.fold(probe, event_id)
            if probe.assigned:
                return False
            for name in EMPTY:
                collection = getattr(probe, name)
                added = collection.values() if isinstance(collection, dict) else collection
                if any(getattr(item, "event_id", None) != event_id for item in added):
                    return False
        return True

    def _load_people(
        self, tx: Tx, tables: Tables, staff_ids: list[str]
    ) -> dict[str, tuple[StaffRecord, str]]:
        out = {}
        for start in range(0, len(staff_ids), CHUNK):
            chunk = staff_ids[start : start + CHUNK]
            marks = ",".join("?" for _ in chunk)
            for sid, data, latest in tx.query(
                f"SELECT staff_id, data, latest_on FROM {tables['people']} WHERE staff_id IN ({marks})",
                chunk,
            ):
                out[sid] = (decode_scalars(json.loads(data)), latest)
        return out

    def _load_items(
        self, tx: Tx, tables: Tables, field: str, keys: list[tuple[str, str]]
    ) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = defaultdict(dict)
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            marks = ",".join("(?, ?)" for _ in chunk)
            params: list[Any] = [field]
            for sid, key in chunk:
                params += [sid, key]
            for sid, key, data in tx.query(
                f"SELECT staff_id, key, data FROM {tables['items']} WHERE field = ? "
                f"AND (staff_id, key) IN (VALUES {marks})",
                params,
            ):
                out[sid][key] = data
        return out

    def _refold(self, tx: Tx, tables: Tables, staff_id: str, events: Sequence[StaffEvent]) -> None:
        """Rewrite one person's rows from their events (after a correction)."""
        for logical in self.tables:
            tx.execute(f"DELETE FROM {tables[logical]} WHERE staff_id = ?", (staff_id,))
        if not any(isinstance(e, StaffMember.Registered) for e in events):
            return
        record = fold_record(events)
        version = max(e.originator_version for e in events)
        for template, rows in record_rows(record, version, latest_day(events)).items():
            if rows:
                tx.executemany(self.sql(tables, template), rows)

    def _documents(self, tx: Tx, tables: Tables, staff_ids: list[str]) -> list[Row]:
        """The document rows of ``staff_ids``, from their rows in the view."""
        rows = []
        for start in range(0, len(staff_ids), CHUNK):
            chunk = staff_ids[start : start + CHUNK]
            for record, version, latest in self._records(tx, tables, chunk).values():
                rows.append(document_row(record, version, latest))
        return rows

    def _records(
        self, tx: Tx, tables: Tables, staff_ids: Sequence[str]
    ) -> dict[str, tuple[StaffRecord, int, str]]:
        """Whole records of some people as the view holds them, with their version and latest
        business date (as stored)."""
        if not staff_ids:
            return {}
        marks = ",".join("?" for _ in staff_ids)
        out: dict[str, tuple[StaffRecord, int, str]] = {}
        for sid, data, version, latest in tx.query(
            f"SELECT staff_id, data, version, latest_on FROM {tables['people']} "
            f"WHERE staff_id IN ({marks})",
            staff_ids,
        ):
            out[sid] = (decode_scalars(json.loads(data)), int(version), latest)
        for sid, field, key, text in tx.query(
            f"SELECT staff_id, field, key, data FROM {tables['items']} WHERE staff_id IN ({marks}) "
            "ORDER BY staff_id, field, version",
            staff_ids,
        ):
            if field not in ITEM_CLASS or sid not in out:
                continue
            item = codec.loads(ITEM_CLASS[field], text)
            collection = getattr(out[sid][0], field)
            if field in DICTS:
                collection[key] = item
            else:
                collection.append(item)
        return out

    # ----------------------------------------------------------------- reads

    def load(self, tx: Tx, tables: Tables, staff_id: str) -> tuple[StaffRecord, int, date | None] | None:
        """The person's record as the view holds it, their version and latest business date."""
        found = self._records(tx, tables, [staff_id]).get(staff_id)
        if found is None:
            return None
        record, version, latest = found
        return record, version, None if latest == NO_DATE else date.fromisoformat(latest)

    def document_sql(self, tables: Tables) -> str:
        """One statement that answers a current standing read: the live generation of this view
        (to check that ``tables`` are still the live ones) and the person's version, document
        and courses (NULLs if the view does not hold the person). One row, or none if the view
        was never made live."""
        return self.sql(
            tables,
            "SELECT v.live_generation, d.version, d.doc, d.courses "
            f"FROM {VIEWS_TABLE} v LEFT JOIN {{documents}} d ON d.staff_id = ? "
            f"WHERE v.view = '{self.name}'",
        )

    def directory(
        self,
        tx: Tx,
        tables: Tables,
        *,
        today: date,
        unit: str | None,
        status: str | None,
        q: str | None,
        gender: str | None,
        employment: str | None,
        track: str | None,
        rank: int | None,
        limit: int,
        after: tuple[str, str] | None,
        sort: str = "name",
        offset: int = 0,
    ) -> list[tuple[DirectoryEntry, tuple[str, str]]]:
        """Directory entries in ``sort`` order (default: Vietnamese name order, then staff_id),
        each with its cursor key. ``after`` (a cursor key) pages the default order; ``offset``
        pages any order."""
        t = tables.names
        day = today.isoformat()
        unit_sql, position_sql = _unit_sql(t), _position_sql(t)
        where, params = self._directory_where(
            t, day, unit=unit, status=status, q=q, gender=gender, employment=employment,
            track=track, rank=rank,
        )
        params = [day, day, day, day, *params]
        if after is not None:
            where.append("(p.order_key > ? OR (p.order_key = ? AND p.staff_id > ?))")
            params += [after[0], after[0], after[1]]
        descending = sort.startswith("-")
        column = {
            "name": "p.order_key",
            "staff_id": "p.staff_id",
            "unit": unit_sql,
            "position": position_sql,
            "joined_on": "p.joined_on",
        }[sort.lstrip("-")]
        params += [day] * column.count("?")
        direction = " DESC" if descending else ""
        order = f"{column}{direction}, p.order_key{direction}, p.staff_id{direction}"
        sql = (
            f"SELECT p.staff_id, p.full_name, p.gender, p.birth_date, {unit_sql}, {position_sql}, "
            "p.employment, p.joined_on, p.departed_on, p.version, p.order_key "
            f"FROM {t['people']} p"
            + (" WHERE " + " AND ".join(where) if where else "")
            + f" ORDER BY {order} LIMIT ?"
            + (" OFFSET ?" if offset else "")
        )
        params.append(limit)
        if offset:
            params.append(offset)
        rows = tx.query(sql, params)
        best: dict[str, dict[str, str]] = defaultdict(dict)
        if rows:
            ids = [r[0] for r in rows]
            marks = ",".join("?" for _ in ids)
            for sid, trk, top in tx.query(
                f"SELECT staff_id, track, MAX(level_rank) FROM {t['quals']} "
                f"WHERE staff_id IN ({marks}) GROUP BY staff_id, track",
                ids,
            ):
                best[sid][trk] = catalog.track_info(trk).levels[top - 1].code
        out = []
        for r in rows:
            joined = date.fromisoformat(r[7])
            departed = None if r[8] is None else date.fromisoformat(r[8])
            entry = DirectoryEntry(
                staff_id=r[0],
                full_name=r[1],
                gender=r[2],
                birth_date=date.fromisoformat(r[3]),
                unit=r[4],
                position=r[5],
                employment=r[6],
                status=_status(joined, departed, today),
                joined_on=joined,
                departed_on=departed,
                version=int(r[9]),
                qualifications=dict(sorted(best.get(r[0], {}).items())),
            )
            out.append((entry, (r[10], r[0])))
        return out


    def directory_count(
        self,
        tx: Tx,
        tables: Tables,
        *,
        today: date,
        unit: str | None,
        status: str | None,
        q: str | None,
        gender: str | None,
        employment: str | None,
        track: str | None,
        rank: int | None,
    ) -> int:
        """How many directory entries the filters select (the result count of the pages)."""
        t = tables.names
        where, params = self._directory_where(
            t, today.isoformat(), unit=unit, status=status, q=q, gender=gender,
            employment=employment, track=track, rank=rank,
        )
        sql = f"SELECT COUNT(*) FROM {t['people']} p" + (" WHERE " + " AND ".join(where) if where else "")
        return int(tx.query(sql, params)[0][0])

    @staticmethod
    def _directory_where(
        t: dict[str, str],
        day: str,
        *,
        unit: str | None,
        status: str | None,
        q: str | None,
        gender: str | None,
        employment: str | None,
        track: str | None,
        rank: int | None,
    ) -> tuple[list[str], list[Any]]:
        unit = nfc(unit)  # the view holds units in NFC (see projections.text.nfc)
        where: list[str] = []
        params: list[Any] = []
        if unit is not None:
            # Only people whose home unit it is or who were ever posted there can be in it today.
            posted = f"SELECT staff_id FROM {t['postings']} WHERE to_unit = ?"
            where.append(f"(p.home_unit = ? OR p.staff_id IN ({posted})) AND {_unit_sql(t)} = ?")
            params += [unit, unit, day, day, unit]
        if status == "active":
            where.append("p.joined_on <= ? AND (p.departed_on IS NULL OR p.departed_on > ?)")
            params += [day, day]
        elif status == "departed":
            where.append("p.joined_on <= ? AND p.departed_on <= ?")
            params += [day, day]
        elif status == "not_joined":
            where.append("p.joined_on > ?")
            params.append(day)
        if q is not None and q.strip():
            clause, values = _search(q)
            where.append(clause)
            params += values
        if gender is not None:
            where.append("p.gender = ?")
            params.append(gender)
        if employment is not None:
            where.append("p.employment = ?")
            params.append(employment)
        if track is not None and rank is None:
            where.append(
                f"EXISTS (SELECT 1 FROM {t['quals']} c WHERE c.staff_id = p.staff_id AND c.track = ?)"
            )
            params.append(track)
        elif track is not None:
            where.append(
                f"(SELECT MAX(c.level_rank) FROM {t['quals']} c WHERE c.staff_id = p.staff_id "
                "AND c.track = ?) = ?"
            )
            params += [track, rank]
        return where, params


def _running(t: dict[str, str]) -> str:
    return (
        f"FROM {t['postings']} r WHERE r.staff_id = p.staff_id "
        "AND r.starts_on <= ? AND (r.ends_on IS NULL OR r.ends_on >= ?) "
        "ORDER BY r.starts_on DESC, r.version LIMIT 1"
    )


def _unit_sql(t: dict[str, str]) -> str:
    """The unit a person works in on a day (a running rotation counts); two ``?`` for the day."""
    return f"COALESCE((SELECT r.to_unit {_running(t)}), p.home_unit)"


def _position_sql(t: dict[str, str]) -> str:
    return f"COALESCE((SELECT r.position {_running(t)}), p.position)"


def _search(q: str) -> tuple[str, list[Any]]:
    """Word-prefix search: every term begins some word of the name (``An`` finds An and Anh, not
    Thắng or Hoàng). A term typed with diacritics must match them (``Hường`` does not find
    ``Hương``); one typed without is compared with the folded name (``huong`` finds both). The
    whole text also finds a staff code it begins."""
    terms = q.split()
    clauses = []
    values: list[Any] = []
    for term in terms:
        if has_marks(term):
            clauses.append("(' ' || p.name_text) LIKE ? ESCAPE '\\'")
            values.append("% " + _like_escape(exact(term)) + "%")
        else:
            clauses.append("(' ' || p.name_key) LIKE ? ESCAPE '\\'")
            values.append("% " + _like_escape(search_key(term)) + "%")
    code = "LOWER(p.staff_id) LIKE ? ESCAPE '\\'"
    values.append(_like_escape(q.strip().lower()) + "%")
    return f"(({' AND '.join(clauses)}) OR {code})", values


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _status(joined: date, departed: date | None, day: date) -> str:
    if day < joined:
        return "not_joined"
    if departed is not None and departed <= day:
        return "departed"
    return "active"


__all__ = ["STATUSES", "StandingView"]
