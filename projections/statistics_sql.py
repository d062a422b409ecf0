"""SQL fragments and helpers over the statistics view's bitemporal facts: what was live at an instant,
a person's unit and post on a day, highest levels, age bands."""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import date
from typing import Any

from ledger.domain import catalog
from projections.results import AGE_BANDS
from projections.store import Tx

LIVE = "{a}.recorded_at <= ? AND ({a}.voided_at IS NULL OR {a}.voided_at > ?)"


VOIDABLE = ("credentials", "departures", "units", "enrollments", "closings", "posts")


def live_at(alias: str) -> str:
    return LIVE.format(a=alias)


def unit_on_sql(t: dict[str, str], staff: str, day: str, *, many: bool = False) -> str:
    """SQL for the unit ``staff`` worked in on ``day`` (both SQL expressions), as
    ``StaffRecord.unit_on`` decides: a running rotation or secondment (the latest started), else
    the latest transfer, else the unit at registration (``p`` must be that person's ``people``
    row). Its placeholders, in order: ``known_at`` twice (then ``day`` twice if it is ``?``)
    for the rotation, ``known_at`` twice (then ``day``) for the transfer. ``many``: asked for
    many rows, so moves are looked for only for the people who ever had one (see
    :func:`post_on_sql`)."""
    running = (
        f"SELECT u.to_unit FROM {t['units']} u WHERE u.staff_id = {staff} AND u.kind <> 'transfer' "
        f"AND {live_at('u')} AND u.starts_on <= {day} AND (u.ends_on IS NULL OR u.ends_on >= {day}) "
        "ORDER BY u.starts_on DESC, u.version LIMIT 1"
    )
    transfer = (
        f"SELECT u.to_unit FROM {t['units']} u WHERE u.staff_id = {staff} AND u.kind = 'transfer' "
        f"AND {live_at('u')} AND u.starts_on <= {day} ORDER BY u.version DESC LIMIT 1"
    )
    if many:
        running = f"CASE WHEN {staff} IN ({moved(t, '<>')}) THEN ({running}) END"
        transfer = f"CASE WHEN {staff} IN ({moved(t, '=')}) THEN ({transfer}) END"
    return f"COALESCE(({running}), ({transfer}), p.unit)"


def moved(t: dict[str, str], kind: str) -> str:
    """SQL for the staff ids with a move whose kind is (``=``) or is not (``<>``) a transfer."""
    return f"SELECT r.staff_id FROM {t['units']} r WHERE r.kind {kind} 'transfer'"


def post_on_sql(t: dict[str, str], staff: str, day: str, *, many: bool = False) -> str:
    """SQL for the post (chức vụ) ``staff`` held on ``day``, as ``StaffRecord.position_on``
    decides: the post of the running rotation (the latest started) if it names one, else the
    post of the latest event in recording order (registration, appointment, transfer) taking
    effect on or before ``day``; NULL when none names one. Placeholders as ``unit_on_sql``.
    ``many``: asked for many rows, so rotations are looked for only for the people who ever had
    one (a set made once), not by a sorted look-up a row."""
    running = (
        f"SELECT u.position FROM {t['units']} u WHERE u.staff_id = {staff} AND u.kind <> 'transfer' "
        f"AND {live_at('u')} AND u.starts_on <= {day} AND (u.ends_on IS NULL OR u.ends_on >= {day}) "
        "ORDER BY u.starts_on DESC, u.version LIMIT 1"
    )
    held = (
        f"SELECT o.position FROM {t['posts']} o WHERE o.staff_id = {staff} "
        f"AND {live_at('o')} AND o.starts_on <= {day} ORDER BY o.version DESC LIMIT 1"
    )
    if many:
        running = f"CASE WHEN {staff} IN ({moved(t, '<>')}) THEN ({running}) END"
    return f"COALESCE(({running}), ({held}))"


def placeholders(values: Sequence[object]) -> str:
    """The placeholders of an ``IN (…)`` list of ``values``; ``NULL`` (matching nothing) for none,
    since PostgreSQL refuses an empty list."""
    return ",".join("?" for _ in values) or "NULL"


def candidates_sql(t: dict[str, str], units: Sequence[str]) -> str:
    """SQL for the staff ids that were ever in one of ``units`` (registered there or moved there,
    whenever and as known whenever): a superset of whoever was there on any day, small enough to
    narrow a report of one unit before each person's unit on a day is worked out. Placeholders:
    ``units`` twice."""
    marks = placeholders(units)
    return (
        f"SELECT n.staff_id FROM {t['people']} n WHERE n.unit IN ({marks}) "
        f"UNION SELECT m.staff_id FROM {t['units']} m WHERE m.to_unit IN ({marks})"
    )


def in_units(
    t: dict[str, str], sql: str, units: Sequence[str], day: str, known_at: int
) -> tuple[str, list[Any]]:
    """``sql`` (a query over ``people p`` ending in its WHERE clause) narrowed to the people whose
    unit on ``day`` as known at ``known_at`` is one of ``units``, and the parameters it adds
    (after those of ``sql``): the people ever in them first, by index, then each one's unit."""
    marks = placeholders(units)
    narrowed = (
        f"{sql} AND p.staff_id IN ({candidates_sql(t, units)}) "
        f"AND {unit_on_sql(t, 'p.staff_id', '?')} IN ({marks})"
    )
    k = known_at
    return narrowed, [*units, *units, k, k, day, day, k, k, day, *units]


def highest_levels(
    tx: Tx, t: dict[str, str], *, day: str, known_at: int, people: Container[str],
    tracks: Sequence[str] | None = None, units: Sequence[str] = (),
) -> dict[tuple[str, str], int]:
    """The rank of the highest level each of ``people`` holds per track on ``day`` as known at
    ``known_at`` (``tracks``: only those), kept while streaming the credential facts: a plain
    scan, where a GROUP BY would sort hundreds of thousands of rows first. ``units``: ``people``
    are all of these units, so only the credentials of people ever in them are read."""
    track_filter, params = "", [known_at, known_at, day]
    if tracks:
        track_filter = f" AND c.track IN ({','.join('?' for _ in tracks)})"
        params += list(tracks)
    if units:
        track_filter += f" AND c.staff_id IN ({candidates_sql(t, units)})"
        params += [*units, *units]
    best: dict[tuple[str, str], int] = {}
    for staff_id, track, rank in tx.query(
        f"SELECT c.staff_id, c.track, c.level_rank FROM {t['credentials']} c "
        f"WHERE {live_at('c')} AND c.effective_on <= ?{track_filter}",
        params,
    ):
        if staff_id in people and best.get((staff_id, track), 0) < rank:
            best[(staff_id, track)] = rank
    return best


def age_band(birth: date, day: date) -> str:
    age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    if age < 30:
        return AGE_BANDS[0]
    if age >= 55:
        return AGE_BANDS[-1]
    return AGE_BANDS[(age - 30) // 5 + 1]


LEVEL_CODES = {
    (str(info.track), level.rank): level.code for info in catalog.TRACKS.values() for level in info.levels
}


def empty_tracks() -> dict[str, dict[str, int]]:
    return {
        str(info.track): {level.code: 0 for level in info.levels}
        for info in catalog.TRACKS.values()
        if info.has_levels
    }
