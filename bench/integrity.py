"""Integrity and transfer benchmark: check, import, verify and export a large log, on both stores.

Run by hand (not in CI), from the repository root::

    /work/venv/bin/python bench/integrity.py --events 1000000          # both stores
    /work/venv/bin/python bench/integrity.py --events 20000 --stores sqlite   # smoke run

It writes a synthetic but valid export of N events (10 per staff member, 100 staff members
interleaved at a time, states copied from real ledger events so they decode), then on each store
(a fresh SQLite file in a temp dir; a fresh PostgreSQL schema, dropped afterwards): checks the
file alone, imports it (check + insert), verifies the log with and without decoding, exports it,
and compares the export with the source file (all but the header line, which names the store).
Peak RSS of the process is printed after each step: the steps stream, so it should stay flat.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg

from ledger.application import Ledger
from ledger.domain.catalog import Gender, Mode, Outcome, Track
from ledger.exports.transfer import check_export, export_log, import_log
from ledger.store.chain import ChainBuilder
from ledger.store.config import StoreConfig
from ledger.store.integrity import verify_log

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def seed_lines(folder: Path) -> list[dict[str, object]]:
    """A registration, an enrollment and a completion recorded by the real ledger."""
    app = Ledger(StoreConfig(f"sqlite:///{folder / 'seed.db'}"))
    at = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    app.register(
        staff_id="NV-001", full_name="Nguyễn Văn An", gender=Gender.MALE, birth_date=date(1985, 4, 30),
        unit="Phòng Tổ chức – Cán bộ", joined_on=date(2010, 9, 2), recorded_by="phong-to-chuc",
        recorded_at=at,
    )
    enrollment = app.enroll(
        "NV-001", course_code="QLNN-CV", course_title="Bồi dưỡng ngạch chuyên viên",
        track=Track.STATE_MANAGEMENT, level="specialist", provider="Học viện Hành chính Quốc gia",
        mode=Mode.FULL_TIME, starts_on=date(2024, 3, 4), cost=Decimal("4500000.50"),
        recorded_by="phong-to-chuc", recorded_at=at,
    )
    app.complete(
        "NV-001", enrollment.enrollment_id or "", completed_on=date(2024, 6, 28),
        outcome=Outcome.PASSED, recorded_by="phong-to-chuc", recorded_at=at,
    )
    export_log(app, folder / "seed.jsonl")
    app.close()
    with open(folder / "seed.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f][1:]


def make_export(path: Path, events: int, folder: Path) -> None:
    registration, enrollment, completion = seed_lines(folder)
    templates = [registration] + [enrollment, completion] * 4 + [enrollment]
    encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    chain = ChainBuilder()
    body = path.with_suffix(".body")
    with open(body, "wb") as out:
        position = 0
        staff = events // 10
        for block in range(0, staff, 100):
            members = range(block, min(block + 100, staff))
            for version in range(1, 11):
                template = templates[version - 1]
                state = encoder.encode(template["state"]).encode()
                for k in members:
                    oid = uuid.uuid5(uuid.NAMESPACE_OID, f"S{k}")
                    previous = chain.last_hash_of.get(str(oid), "0" * 64)
                    link = chain.link(previous, oid, version, str(template["topic"]), state)
                    position += 1
                    line = {
                        "position": position, "originator_id": str(oid), "version": version,
                        "topic": template["topic"], "state": template["state"],
                        "event_hash": link.event_hash, "chain_digest": link.chain_digest,
                    }
                    out.write(encoder.encode(line).encode() + b"\n")
    header = {
        "format": "ledger-log", "format_version": 1, "store": "sqlite", "events": chain.seq,
        "checkpoint": f"ledger-checkpoint-v1:{chain.seq}:{chain.digest}",
    }
    with open(path, "wb") as out, open(body, "rb") as f:
        out.write(encoder.encode(header).encode() + b"\n")
        while chunk := f.read(1 << 20):
            out.write(chunk)
    body.unlink()


def body_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        f.readline()
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def step(store: str, name: str, count: int, started: float, extra: str = "") -> None:
    elapsed = time.perf_counter() - started
    print(
        f"{store:10} {name:26} {count / elapsed:>9,.0f} events/s {elapsed:8.1f} s"
        f"   peak RSS {peak_mb():4} MB {extra}",
        flush=True,
    )


def run(kind: str, source: Path, folder: Path) -> None:
    schema = None
    if kind == "sqlite":
        store = StoreConfig(f"sqlite:///{folder / 'bench.db'}")
    else:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        store = StoreConfig(f"{POSTGRES_URL}?schema={schema}")
    try:
        app = Ledger(store)
        started = time.perf_counter()
        header = check_export(source, mapper=app.mapper)
        step(kind, "check file only", header.events, started)
        started = time.perf_counter()
        imported = import_log(app, source)
        step(kind, "import (check + insert)", imported.events, started)
        started = time.perf_counter()
        report = verify_log(app.chained_recorder, mapper=app.mapper)
        step(kind, "verify (hashes + decode)", report.events, started, f"ok={report.ok}")
        started = time.perf_counter()
        report = verify_log(app.chained_recorder)
        step(kind, "verify (hashes only)", report.events, started)
        exported = folder / f"export-{kind}.jsonl"
        started = time.perf_counter()
        result = export_log(app, exported)
        same = body_digest(exported) == body_digest(source)
        step(kind, "export", result.events, started, f"identical to source: {same}")
        exported.unlink()
        app.close()
    finally:
        if schema:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "log.jsonl"
        started = time.perf_counter()
        make_export(source, args.events, folder)
        print(f"made {source.stat().st_size / 1e6:,.0f} MB export of {args.events:,} events "
              f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        for kind in args.stores.split(","):
            run(kind, source, folder)


if __name__ == "__main__":
    main()
