"""Building generations beside the live ones: build, fill, rebuild, prune."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import psycopg

from ledger.application import Ledger
from projections import generations
from projections.base import View
from projections.bulk import bulk_load
from projections.generations import BUILDING, Generation
from projections.log import LogReader
from projections.pages import PositionMoved, Progress, apply_page
from projections.registry import default_views
from projections.store import Connection, Database

log = logging.getLogger("ledger.projections")


def build(
    ledger: Ledger,
    view: View,
    *,
    page_size: int = 5000,
    switch: bool = True,
    only_if_needed: bool = False,
    state: str = BUILDING,
    progress: Progress | None = None,
    stop_at: int | None = None,
    reader: LogReader | None = None,
) -> Generation:
    """Build a new generation of one view; see :func:`build_views`."""
    return build_views(
        ledger, [view], page_size=page_size, switch=switch, only_if_needed=only_if_needed,
        state=state, progress=progress, stop_at=stop_at, reader=reader,
    )[view.name]


def build_views(
    ledger: Ledger,
    views: Sequence[View],
    *,
    page_size: int = 5000,
    switch: bool = True,
    only_if_needed: bool = False,
    state: str = BUILDING,
    progress: Progress | None = None,
    stop_at: int | None = None,
    reader: LogReader | None = None,
    jobs: int | None = None,
) -> dict[str, Generation]:
    """Build a new generation of each of ``views`` from the whole log, beside the live ones.

    One pass over the log feeds every view: each page is read and decoded once, then applied to
    every new generation in one transaction with their tracking rows (so a crash loses nothing
    but the page in flight and abandoned generations). Secondary indexes are made after the bulk
    load. With ``switch`` each new generation becomes live in the transaction that brings it
    level with the live one (the live generation's tracking row is locked meanwhile), and the
    old generation is dropped afterwards: reads see the old complete generation or the new
    complete one, never a part. Without ``switch`` (``state=SCRATCH``) the generations stop at
    ``stop_at`` and stay unattached, for comparisons. ``only_if_needed`` abandons a view's build
    if someone else made a live generation of its schema meanwhile (two engines starting on an
    empty store).
    """
    reader = reader or LogReader(ledger)
    conn = Database(ledger.store).connect()
    generations.ensure_tables(conn)
    mine: dict[str, Generation] = {}
    settled: set[str] = set()  # switched live, or handed back: never dropped on failure
    by_name = {view.name: view for view in views}
    try:
        with conn.transaction(write=True) as tx:
            for view in views:
                mine[view.name] = generations.allocate(tx, view.name, view.schema_version, state)
                view.create(tx, view.table_set(mine[view.name].generation), indexes=False)
        head = reader.head() if stop_at is None else stop_at
        mine = bulk_load(
            conn, reader, views, mine, upto=head, batch=page_size, progress=progress, jobs=jobs
        )
        with conn.transaction(write=True) as tx:
            for view in views:
                view.create_indexes(tx, view.table_set(mine[view.name].generation))
                view.analyze(tx, view.table_set(mine[view.name].generation))
        if not switch:
            return mine
        # What arrived while indexing, outside the switch's locks.
        mine = fill_many(conn, reader, views, mine, page_size=page_size, progress=progress)
        retired: dict[str, int] = {}
        abandoned: list[str] = []
        with conn.transaction(write=True) as tx:
            current = generations.live(tx, list(by_name), lock=True)
            for name, view in by_name.items():
                live = current.get(name)
                if only_if_needed and live is not None and live.schema_version == view.schema_version:
                    abandoned.append(name)
                    continue
                locked = generations.get(tx, name, mine[name].generation, lock=True)
                if locked is None:
                    raise PositionMoved(f"generation {mine[name].generation} of {name} vanished")
                ours = locked
                target = live.position if live is not None else ours.position
                # Level with the live generation inside this transaction, so the switch never
                # shows readers an older view than the one they had.
                while ours.position < target:
                    page = reader.page(ours.position, page_size, stop=target)
                    if not page:
                        break
                    ours = apply_page(tx, view, ours, reader.decode(page), page[-1].id, reader)
                mine[name] = ours
                previous = generations.switch(tx, name, ours.generation)
                if previous is not None:
                    retired[name] = previous
        settled.update(n for n in by_name if n not in abandoned)
        for name, old in retired.items():
            drop_generation(conn, by_name[name], old)
        with conn.transaction() as tx:
            live_now = generations.live(tx, list(by_name))
        for name in abandoned:
            drop_generation(conn, by_name[name], mine[name].generation)
            mine[name] = live_now[name]
            settled.add(name)
        if progress is not None:
            reached = min(g.position for g in mine.values())
            progress(reached, max(head, reached))
        return mine
    except BaseException:
        for name, built in mine.items():
            if name in settled:
                continue
            try:
                drop_generation(conn, by_name[name], built.generation)
            except Exception:  # the original error matters more than a failed clean-up
                log.exception("could not drop abandoned generation %s of %s", built.generation, name)
        raise
    finally:
        conn.close()


def fill(
    conn: Connection,
    reader: LogReader,
    view: View,
    generation: Generation,
    *,
    page_size: int,
    stop_at: int | None = None,
    progress: Progress | None = None,
) -> Generation:
    """Apply the log to one generation that is not live; see :func:`fill_many`."""
    return fill_many(
        conn, reader, [view], {view.name: generation}, page_size=page_size, stop_at=stop_at,
        progress=progress,
    )[view.name]


def fill_many(
    conn: Connection,
    reader: LogReader,
    views: Sequence[View],
    positions: dict[str, Generation],
    *,
    page_size: int,
    stop_at: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Generation]:
    """Apply the log to generations that are not live (being built, or scratch), page by page,
    up to ``stop_at`` or to the head of the log; one transaction per page for all of them."""
    head = reader.head() if stop_at is None else stop_at
    mine = dict(positions)
    while True:
        start = min(g.position for g in mine.values())
        if stop_at is not None and start >= stop_at:
            break
        page = reader.page(start, page_size, stop=stop_at)
        if not page:
            break
        envelopes = reader.decode(page)
        with conn.transaction(write=True) as tx:
            for view in views:
                mine[view.name] = apply_page(
                    tx, view, mine[view.name], envelopes, page[-1].id, reader
                )
        if progress is not None:
            head = max(head, page[-1].id)
            progress(page[-1].id, head)
        if len(page) < page_size:
            break
    return mine


def drop_generation(conn: Connection, view: View, generation: int) -> None:
    """Drop one generation's tables and its tracking row."""
    for attempt in range(5):
        try:
            with conn.transaction(write=True) as tx:
                view.drop(tx, view.table_set(generation))
                generations.forget(tx, view.name, generation)
            return
        except psycopg.errors.LockNotAvailable:
            time.sleep(0.1 * (attempt + 1))


def follow_from_start(ledger: Ledger, view: View) -> None:
    """Make an empty generation of ``view`` live, for the engine to follow the log into page by
    page (unless a live generation of this schema appeared meanwhile)."""
    conn = Database(ledger.store).connect()
    previous = None
    try:
        generations.ensure_tables(conn)
        with conn.transaction(write=True) as tx:
            live_one = generations.live(tx, [view.name], lock=True).get(view.name)
            if live_one is not None and live_one.schema_version == view.schema_version:
                return
            mine = generations.allocate(tx, view.name, view.schema_version, BUILDING)
            view.create(tx, view.table_set(mine.generation), indexes=True)
            previous = generations.switch(tx, view.name, mine.generation)
        if previous is not None:
            drop_generation(conn, view, previous)
    finally:
        conn.close()


def rebuild(
    ledger: Ledger,
    views: Sequence[View] | None = None,
    *,
    page_size: int = 5000,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> dict[str, Generation]:
    """Rebuild views (default: all) into new generations in one pass over the log, then switch
    reads to them. ``jobs``: worker processes for the bulk load (default: one per CPU on a big
    log)."""
    chosen = list(views) if views is not None else default_views(ledger)
    return build_views(ledger, chosen, page_size=page_size, progress=progress, jobs=jobs)


def prune(ledger: Ledger) -> list[tuple[str, int]]:
    """Drop every generation that is not live (left by interrupted rebuilds or checks); returns
    what it dropped. Not while a rebuild is running: its generation is not live yet."""
    views = {view.name: view for view in default_views(ledger)}
    conn = Database(ledger.store).connect()
    dropped = []
    try:
        generations.ensure_tables(conn)
        with conn.transaction() as tx:
            every = generations.all_generations(tx)
            live = generations.live(tx, list({g.view for g in every}))
        for found in every:
            current = live.get(found.view)
            if found.view in views and (current is None or current.generation != found.generation):
                drop_generation(conn, views[found.view], found.generation)
                dropped.append((found.view, found.generation))
    finally:
        conn.close()
    return dropped
