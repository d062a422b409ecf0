"""SQL fragments and helpers over the statistics view's bitemporal facts: what was live at an instant,
a person's unit and post on a day, highest levels, age bands."""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import date

from ledger.domain import catalog
from projections.results import AGE_BANDS
from projections.store import Tx

LIVE = "{a}.recorded_at <= ? AND ({a}.voided_at IS NULL OR {a}.voided_at > ?)"


VOIDABLE = ("credentials", "departures", "units", "enrollments", "closings", "posts")


def live_at(alias: str) -> str:
    return LIVE.format(a=alias)


def unit_on_sql(t: dict[str, str], staff: str, day: str) -> str:
    """SQL for the unit ``staff`` worked in on ``day`` (both SQL expressions), as
    ``StaffRecord.unit_on`` decides: a running rotation or secondment (the latest started), else
    the latest transfer, else the unit at registration (``p`` must be that person's ``people``
    row). Its placeholders, in order: ``known_at`` twice (then ``day`` twice if it is ``?``)
    for the rotation, ``known_at`` twice (then ``day``) for the transfer."""
    running = (
        f"SELECT u.to_unit FROM {t['units']} u WHERE u.staff_id = {staff} AND u.kind <> 'transfer' "
        f"AND {live_at('u')} AND u.starts_on <= {day} AND (u.ends_on IS NULL OR u.ends_on >= {day}) "
        "ORDER BY u.starts_on DESC, u.version LIMIT 1"
    )
    transfer = (
        f"SELECT u.to_unit FROM {t['units']} u WHERE u.staff_id = {staff} AND u.kind = 'transfer' "
        f"AND {live_at('u')} AND u.starts_on <= {day} ORDER BY u.version DESC LIMIT 1"
    )
    return f"COALESCE(({running}), ({transfer}), p.unit)"


def post_on_sql(t: dict[str, str], staff: str, day: str) -> str:
    """SQL for the post (chức vụ) ``staff`` held on ``day``, as ``StaffRecord.position_on``
    decides: the post of the running rotation (the latest started) if it names one, else the
    post of the latest event in recording order (registration, appointment, transfer) taking
    effect on or before ``day``; NULL when none names one. Placeholders as ``unit_on_sql``."""
    running = (
        f"SELECT u.position FROM {t['units']} u WHERE u.staff_id = {staff} AND u.kind <> 'transfer' "
        f"AND {live_at('u')} AND u.starts_on <= {day} AND (u.ends_on IS NULL OR u.ends_on >= {day}) "
        "ORDER BY u.starts_on DESC, u.version LIMIT 1"
    )
    held = (
        f"SELECT o.position FROM {t['posts']} o WHERE o.staff_id = {staff} "
        f"AND {live_at('o')} AND o.starts_on <= {day} ORDER BY o.version DESC LIMIT 1"
    )
    return f"COALESCE(({running}), ({held}))"


def highest_levels(
    tx: Tx, t: dict[str, str], *, day: str, known_at: int, people: Container[str],
    tracks: Sequence[str] | None = None,
) -> dict[tuple[str, str], int]:
    """The rank of the highest level each of ``people`` holds per track on ``day`` as known at
    ``known_at`` (``tracks``: only those), kept while streaming the credential facts: a plain
    scan, where a GROUP BY would sort hundreds of thousands of rows first."""
    track_filter, params = "", [known_at, known_at, day]
    if tracks:
        track_filter = f" AND c.track IN ({','.join('?' for _ in tracks)})"
        params += list(tracks)
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
