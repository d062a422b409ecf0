"""The read model's reads of the standing view: a person's standing and document, and the directory."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from datetime import UTC, date, datetime
from typing import Literal

from ledger.domain import catalog, errors
from ledger.domain.catalog import Employment, Gender, Track
from ledger.domain.fold import fold_record
from projections import documents
from projections.base import Tables
from projections.read_base import MAX_PAGE, ViewNotReady, ViewReads, check_code
from projections.results import (
    DirectoryEntry,
    Page,
    Standing,
    StandingDocument,
)
from projections.standing import DIRECTORY_SORTS, STATUSES
from projections.standing_records import record_to_standing
from projections.store import Row, Tx, is_missing_table


class StandingReads(ViewReads):
    """Reads of the standing view (part of :class:`projections.queries.ReadModel`)."""

    # ------------------------------------------------------------------ standing

    def standing(
        self, staff_id: str, as_of: date | None = None, known_at: datetime | None = None
    ) -> Standing | None:
        """The standing of ``staff_id`` on business date ``as_of`` (default today) as the ledger
        knew it at ``known_at`` (default now); None if the person is unknown (or was not yet
        registered at ``known_at``).

        The current standing comes from the standing view. A question about another date or an
        earlier state of knowledge is answered by folding the person's own events from the log
        (an indexed read of one stream) with ``ledger.domain.fold.fold_record``: the definition the
        write side uses, so both can never disagree.
        """
        day = as_of or self.today()
        if known_at is None:
            found = self._document(staff_id)
            if found is None:
                return None
            body = documents.render(found[1], day)
            if body is not None:
                return documents.decode(body)
        try:
            events = self.ledger.events_of(staff_id)
        except errors.StaffNotFound:
            return None
        if known_at is not None:
            if known_at.tzinfo is None:
                known_at = known_at.replace(tzinfo=UTC)
            events = [e for e in events if e.timestamp <= known_at]
            if not events:
                return None
        record = fold_record(events, as_of=day, known_at=known_at)
        version = max(e.originator_version for e in events)
        return record_to_standing(record, as_of=day, known_at=known_at, version=version)

    def standing_document(self, staff_id: str, as_of: date | None = None) -> StandingDocument | None:
        """The current standing of ``staff_id`` as JSON, straight from the standing view's
        document (:mod:`projections.documents`): the bytes ``STANDING_JSON.dump_json`` gives for
        ``standing(staff_id, as_of)``. One statement (one round trip on PostgreSQL), nothing
        decoded. None when the document cannot answer: the person is unknown to the view, or
        ``as_of`` is before their latest business date (ask :meth:`standing`, which folds)."""
        return self._standing_document(staff_id, as_of or self.today(), self._document(staff_id))

    async def standing_document_async(
        self, staff_id: str, as_of: date | None = None
    ) -> StandingDocument | None:
        """:meth:`standing_document` for an event loop (after :meth:`open_async`): the statement
        is awaited (PostgreSQL) or run at once (SQLite: microseconds), with no worker thread."""
        day = as_of or self.today()
        for _ in range(3):
            live = self._standing_live
            if live is None:
                # Rare (start, rebuild): a few queries in a thread rather than in the loop.
                live = await asyncio.to_thread(self._standing_generation)
            try:
                row = await self._async_readers.one(live[1], (staff_id,))
            except Exception as error:
                if not is_missing_table(error):
                    raise
                row = None
            found = self._document_of(live, row)
            if found is not False:
                return self._standing_document(staff_id, day, found)
        raise ViewNotReady("The standing view is being rebuilt; try again shortly.")

    def _standing_document(
        self, staff_id: str, day: date, found: tuple[int, str, str] | None
    ) -> StandingDocument | None:
        if found is None:
            return None
        version, doc, courses = found
        body = documents.render(doc, day)
        if body is None:
            return None
        terms = () if courses == "[]" else tuple(
            (track, level, funding, date.fromisoformat(starts))
            for track, level, funding, starts in json.loads(courses)
        )
        return StandingDocument(staff_id, version, day, body, terms)

    def _document(self, staff_id: str) -> tuple[int, str, str] | None:
        """(version, document, courses) of a person in the live standing
        view, in one statement; None if the view does not hold them.

        The live generation is remembered, and the statement itself reads the view's live
        pointer beside the person's row (one snapshot), so a rebuild or a first build that
        switched generations is noticed by the very read that would otherwise use the old
        tables: we look the generation up again and retry (the old tables may even be gone)."""
        for _ in range(3):
            live = self._standing_live or self._standing_generation()
            try:
                row = self._readers.one(live[1], (staff_id,))
            except Exception as error:
                if not is_missing_table(error):
                    raise
                row = None
            found = self._document_of(live, row)
            if found is not False:
                return found
        raise ViewNotReady("The standing view is being rebuilt; try again shortly.")

    def _standing_generation(self) -> tuple[int, str]:
        """Look up the standing view's live generation (ViewNotReady if it has none built by
        this code) and remember it with the statement that reads a document from it."""
        live = self._with_views(
            ["standing"],
            lambda _tx, t: (t["standing"].generation, self.standing_view.document_sql(t["standing"])),
        )
        self._standing_live = live
        return live

    def _document_of(
        self, live: tuple[int, str], row: Row | None
    ) -> tuple[int, str, str] | Literal[False] | None:
        """What a document statement's ``row`` says: the person's (version, document, courses),
        None if the view does not hold them, or False if ``live`` is no longer the live
        generation (the row is from another generation's pointer, or the tables were gone):
        then it is forgotten, and the caller looks it up again."""
        if row is None or row[0] != live[0]:
            self._standing_live = None
            return False
        if row[1] is None:
            return None
        return int(row[1]), row[2], row[3]

    def directory(
        self,
        *,
        unit: str | None = None,
        status: str | None = None,
        q: str | None = None,
        gender: str | None = None,
        track: str | None = None,
        level: str | None = None,
        employment: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        sort: str = "name",
        offset: int = 0,
    ) -> Page[DirectoryEntry]:
        """The staff directory as of today, in Vietnamese name order (given name, then family
        name, then middle names) then staff_id, with the number of entries the filters select.

        Filters: ``unit`` (the unit they work in today, a running rotation counts), ``status``
        (active / departed / not_joined), ``q`` (words of the name, each the beginning of a word
        of it: ``An`` finds An and Anh, not Thắng; a word typed without diacritics ignores them,
        ``nguyen van an`` finds ``Nguyễn Văn An``, one typed with them must match them, ``Hường``
        does not find ``Hương``; the text also finds a staff code it begins), ``gender``,
        ``employment``, ``track`` (holds some level of it) and ``track`` + ``level`` (their
        highest level in that track is ``level``). ``limit`` 1..500; ``cursor`` from the previous
        page. ``sort`` (one of ``DIRECTORY_SORTS``, ``-`` before it reverses) and ``offset`` page
        by number (the pages); the cursor pages only the default order.
        """
        if sort.lstrip("-") not in DIRECTORY_SORTS:
            raise errors.InvalidInput(
                f"'{sort}' is not a sort order (expected one of: {', '.join(DIRECTORY_SORTS)}).",
                field="sort",
            )
        if offset < 0:
            raise errors.InvalidInput("offset cannot be negative.", field="offset")
        if cursor is not None and (sort != "name" or offset):
            raise errors.InvalidInput("A cursor pages only the default order.", field="cursor")
        if status is not None and status not in STATUSES:
            raise errors.InvalidInput(
                f"'{status}' is not a status (expected one of: {', '.join(STATUSES)}).", field="status"
            )
        check_code(Gender, gender, "gender")
        check_code(Employment, employment, "employment")
        check_code(Track, track, "track")
        rank = None
        if level is not None:
            if track is None:
                raise errors.InvalidInput("A level filter needs the track it belongs to.", field="level")
            found = catalog.level_of(track, level)
            if found is None:
                raise errors.InvalidInput(
                    f"Level '{level}' does not belong to track '{track}'.", field="level"
                )
            rank = found.rank
        if not 1 <= limit <= MAX_PAGE:
            raise errors.InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
        after = _decode_cursor(cursor)
        today = self.today()

        def run(tx: Tx, tables: dict[str, Tables]) -> Page[DirectoryEntry]:
            entries = self.standing_view.directory(
                tx,
                tables["standing"],
                today=today,
                unit=unit,
                status=status,
                q=q,
                gender=gender,
                employment=employment,
                track=track,
                rank=rank,
                limit=limit + 1,
                after=after,
                sort=sort,
                offset=offset,
            )
            more = len(entries) > limit
            items = tuple(entry for entry, _ in entries[:limit])
            next_cursor = _encode_cursor(entries[limit - 1][1]) if more and sort == "name" else None
            total = self.standing_view.directory_count(
                tx,
                tables["standing"],
                today=today,
                unit=unit,
                status=status,
                q=q,
                gender=gender,
                employment=employment,
                track=track,
                rank=rank,
            )
            return Page(items, next_cursor, total)

        return self._with_views(["standing"], run)



def _encode_cursor(key: tuple[str, str]) -> str:
    raw = json.dumps(list(key), ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> tuple[str, str] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(part, str) for part in value)
        ):
            return value[0], value[1]
    except (binascii.Error, ValueError, UnicodeDecodeError):
        pass
    raise errors.InvalidInput("The cursor is not one this server gave out.", field="cursor")
