"""Every way a fact enters the ledger, driven the same way, for the text-policy tests.

``write_person(path, ...)`` registers one person through the HTTP API (the real ASGI app), the
Python ``Ledger``, ``ledger import-records`` (the CLI on a CSV file) or ``ledger import`` (an export
whose event text was rewritten and re-hashed, as an older or hostile ledger might have written it),
and says whether it was recorded or refused, and which field the refusal named. Nothing is mocked.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from api_fixtures import Api, person
from typer.testing import CliRunner
from write_fixtures import dump_log, register

from api.cli.app import make_app
from api.cli.legacy import register as register_import_records
from ledger.application import Ledger
from ledger.domain import errors
from ledger.exports.transfer import ImportRefused, export_log, import_log
from ledger.store.chain import GENESIS, Checkpoint, chain_digest, event_hash
from ledger.store.config import StoreConfig
from ledger.store.persistence import iter_notifications
from projections.engine import Engine
from projections.queries import ReadModel
from projections.status import status

PATHS = ("http", "ledger", "import-records", "import")

STAFF_HEADER = ["staff_id", "full_name", "gender", "birth_date", "unit", "joined_on", "position"]


@dataclass(frozen=True)
class Outcome:
    recorded: bool
    field: str | None = None  # the field (or column) a refusal names
    message: str = ""


def event_count(ledger: Ledger) -> int:
    return sum(1 for _ in iter_notifications(ledger.chained_recorder))


def import_records_cli() -> typer.Typer:
    app = make_app()
    register_import_records(app)

    @app.command("version")
    def version() -> None:  # a second command, so Typer keeps subcommand names
        """Unused."""

    return app


def staff_csv(path: Path, staff_id: str, **cells: str) -> Path:
    row = {
        "staff_id": staff_id, "full_name": "Nguyễn Văn An", "gender": "Nam",
        "birth_date": "15/03/1980", "unit": "Phòng Tổ chức", "joined_on": "01/09/2005",
        "position": "Chuyên viên",
    }
    row.update(cells)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(STAFF_HEADER)
        writer.writerow([row[name] for name in STAFF_HEADER])
    return path


def rewrite_export(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``change`` to every event state of an export and recompute every hash, the digest
    chain and the header's checkpoint: a file as sound as a real export, holding other text."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    tails: dict[str, str] = {}
    digest = GENESIS
    out = []
    for line in lines[1:]:
        event = json.loads(line)
        change(event["state"])
        state = json.dumps(event["state"], separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        oid = event["originator_id"]
        previous = tails.get(oid, GENESIS)
        event["event_hash"] = event_hash(previous, oid, event["version"], event["topic"], state)
        tails[oid] = event["event_hash"]
        digest = chain_digest(digest, event["event_hash"])
        event["chain_digest"] = digest
        out.append(json.dumps(event, separators=(",", ":"), ensure_ascii=False))
    header["checkpoint"] = str(Checkpoint(len(out), digest))
    text = "\n".join([json.dumps(header, separators=(",", ":"), ensure_ascii=False), *out]) + "\n"
    path.write_text(text, encoding="utf-8")


@contextmanager
def opened(store: StoreConfig) -> Iterator[Ledger]:
    ledger = Ledger(store)
    try:
        yield ledger
    finally:
        ledger.close()


def write_person(
    path: str,
    store: StoreConfig,
    folder: Path,
    staff_id: str,
    *,
    api: Api | None = None,
    fresh_store: Callable[[], StoreConfig] | None = None,
    **fields: str,
) -> tuple[Outcome, StoreConfig]:
    """Register ``staff_id`` with ``fields`` through ``path``; returns the outcome and the store
    written to (``import`` needs an empty store: ``fresh_store`` gives one)."""
    if path == "http":
        assert api is not None
        response = api.post("/staff", person(staff_id, **fields))
        if response.status_code == 201:
            return Outcome(True), store
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        named = problem.get("field") or ",".join(
            str(e.get("field") or e.get("loc")) for e in problem.get("errors", [])
        )
        return Outcome(False, named, problem["detail"]), store
    if path == "ledger":
        with opened(store) as ledger:
            try:
                register(ledger, staff_id, **fields)
            except errors.LedgerError as error:
                return Outcome(False, error.field, error.message), store
        return Outcome(True), store
    if path == "import-records":
        csv_path = staff_csv(folder / f"{staff_id}.csv", staff_id, **fields)
        result = CliRunner().invoke(
            import_records_cli(), ["import-records", str(csv_path)],
            env={"LEDGER_DATABASE_URL": store.url},
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert result.exit_code in (0, 1), result.output
        if result.exit_code == 0:
            return Outcome(True), store
        line = next(line for line in result.output.splitlines() if "column" in line)
        column = line.split('column "', 1)[1].split('"', 1)[0]
        return Outcome(False, column, line), store
    assert path == "import"
    assert fresh_store is not None
    export = folder / f"export-{uuid.uuid4().hex[:8]}.jsonl"
    # The source ledger records what it accepts; the export is then given the text to try.
    recordable = staff_id not in (".", "..")
    with opened(fresh_store()) as source:  # an export of this one registration
        register(source, staff_id if recordable else "SRC001")
        export_log(source, export)

    def change(state: dict[str, Any]) -> None:
        state.update(fields)
        state["staff_id"] = staff_id

    rewrite_export(export, change)
    target = fresh_store()
    with opened(target) as ledger:
        try:
            import_log(ledger, export)
        except ImportRefused as error:
            field = error.reason.split("field ", 1)[1].split(":", 1)[0] if "field " in error.reason else None
            return Outcome(False, field, error.message), target
    return Outcome(True), target


def views_hold(store: StoreConfig, staff_id: str) -> dict[str, Any]:
    """Run the projection engine to the log's head; every view must have applied every event.
    Returns what the standing view says of ``staff_id``."""
    with opened(store) as ledger:
        engine = Engine(ledger)
        reads = ReadModel(ledger, engine=engine)
        try:
            engine.run_until_idle()
            assert engine.last_error is None
            lags = {row["view"]: row["lag"] for row in status(ledger) if row["state"] == "live"}
            assert lags, "no view was built"
            assert all(lag == 0 for lag in lags.values()), lags
            standing = reads.standing(staff_id)
            assert standing is not None
            return {"full_name": standing.full_name, "unit": standing.home_unit}
        finally:
            reads.close()
            engine.stop()


__all__ = [
    "PATHS",
    "Outcome",
    "dump_log",
    "event_count",
    "import_records_cli",
    "rewrite_export",
    "staff_csv",
    "views_hold",
    "write_person",
]
