"""Anomaly flags: what in a person's history an auditor should look at, each saying why.

Pure functions over one staff member's events as stored (corrections included, in version
order); no store, no clock. The flags (``Anomaly.code``):

``no_enrollment_no_evidence``
    a credential with no recorded enrollment behind it and no evidence: a recognition without a
    document reference, or a completion whose enrollment is missing or voided and whose
    certificate has no number;
``completed_before_start``
    a completion (or failure) dated before its enrollment started, or a certificate dated before
    the course started;
``dated_in_future``
    a completion, failure, certificate or recognized credential dated after the day it was
    recorded (recorded before it happened);
``backdated``
    an event recorded long after its business date (more than ``backdated_after_days``). The
    clock starts at the later of the business date and the day the person was entered in the
    ledger, so the opening balance of every dossier recorded when the ledger went live is not
    flagged;
``overlapping_full_time``
    two full-time (tập trung) courses whose periods overlap (a course runs from its start to its
    closing, else its planned end, else it is still open; one ending the day the next starts is
    back to back, not overlapping);
``degree_too_fast``
    a master's or doctoral degree completed in fewer months than plausible after the course
    started, or dated too soon after the degree below it;
``self_verified``
    a recognized credential whose evidence was verified by the very key that recorded it;
``voided``
    an event voided by a correction (who voided it, when, and why).

Messages come in Vietnamese and English (:meth:`Anomaly.text`); ``Anomaly.message`` is English.
:func:`for_trail` picks the anomalies of one credential's trail and drops whatever the trail's
own flags (``projections.credentials``) already say, so a trail lists each finding once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from ledger.staff import StaffMember
from projections.anomaly_checks import (
    person_anomalies,
)
from projections.anomaly_flags import Anomaly, count_by_code
from projections.anomaly_rules import AnomalyRules, rules_digest, rules_document, rules_from_document
from projections.base import FOREVER, Envelope, LogSource, Tables, View
from projections.store import Tx
from projections.text import nfc
from projections.units import Structure

# --------------------------------------------------------------------------- the checks


# --------------------------------------------------------------------------- trails


# --------------------------------------------------------------------------- the view


def _encode(anomaly: Anomaly) -> str:
    return json.dumps(
        {
            "event_ids": anomaly.event_ids,
            "credential_ids": anomaly.credential_ids,
            "enrollment_ids": anomaly.enrollment_ids,
            "variant": anomaly.variant,
            "facts": anomaly.facts,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _decode(staff_id: str, code: str, on: str, data: str) -> Anomaly:
    fields = json.loads(data)
    return Anomaly(
        staff_id=staff_id,
        code=code,
        on=date.fromisoformat(on),
        event_ids=tuple(fields["event_ids"]),
        credential_ids=tuple(fields["credential_ids"]),
        enrollment_ids=tuple(fields["enrollment_ids"]),
        variant=fields["variant"],
        facts=tuple((name, value) for name, value in fields["facts"]),
    )


@dataclass(frozen=True)
class AnomalyEntry:
    """One anomaly with whose it is: the person's name and the unit they work in on the day."""

    anomaly: Anomaly
    full_name: str
    unit: str


@dataclass(frozen=True)
class AnomalyList:
    """Anomalies by staff code then business date; ``counts`` per code (every code, zeros
    included) over the unit chosen, before the ``code`` filter."""

    as_of: date
    unit: str | None
    code: str | None
    counts: dict[str, int]
    entries: tuple[AnomalyEntry, ...]


class AnomaliesView(View):
    """Every anomaly of every staff member, one row each, kept by the projection engine.

    When an event of a person arrives, that person's anomalies are worked out again from their
    whole stream up to it (:func:`person_anomalies`, the one definition) and their rows replaced:
    the checks look at a person's history as a whole (a correction can clear or raise a finding
    about an event long before it). A person first seen in a page (always so in a rebuild, which
    reads each history whole) needs no read of the log and no delete.

    The thresholds are configuration (``LEDGER_ANOMALY_*`` and the agency's time zone): the view
    records them and their digest in its ``rules`` table, and its schema version includes the
    digest, so under other thresholds the engine builds a new generation beside the live one on
    its next start and switches to it, instead of serving findings made under the old ones.
    """

    name = "anomalies"
    tables: ClassVar[dict[str, str]] = {
        "found": (
            "staff_id TEXT NOT NULL, seq INTEGER NOT NULL, code TEXT NOT NULL, on_date TEXT NOT NULL, "
            "full_name TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (staff_id, seq)"
        ),
        "rules": "digest TEXT NOT NULL, rules TEXT NOT NULL",
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {"by_code": ("found", "code")}

    DELETE = "DELETE FROM {found} WHERE staff_id = ?"
    INSERT = (
        "INSERT INTO {found} (staff_id, seq, code, on_date, full_name, data) VALUES (?, ?, ?, ?, ?, ?)"
    )

    def __init__(self, rules: AnomalyRules | Mapping[str, Any] | None = None) -> None:
        super().__init__()
        if isinstance(rules, Mapping):
            rules = rules_from_document(rules)
        self.rules = rules or AnomalyRules()
        self.digest = rules_digest(self.rules)
        self.schema_version = 8_000_000 + int(self.digest[:12], 16) % 1_000_000

    def settings(self) -> dict[str, Any]:
        return {"rules": rules_document(self.rules)}

    def create(self, tx: Tx, tables: Tables, *, indexes: bool) -> None:
        super().create(tx, tables, indexes=indexes)
        tx.execute(f"DELETE FROM {tables['rules']}")
        tx.execute(
            f"INSERT INTO {tables['rules']} (digest, rules) VALUES (?, ?)",
            (self.digest, json.dumps(rules_document(self.rules), sort_keys=True)),
        )

    def apply(self, tx: Tx, tables: Tables, envelopes: Sequence[Envelope], log: LogSource) -> None:
        pages: dict[UUID, list[Envelope]] = {}
        for env in envelopes:
            pages.setdefault(env.originator_id, []).append(env)
        stale: list[tuple[str]] = []
        rows: list[tuple[str, int, str, str, str, str]] = []
        for oid, mine in pages.items():
            first, last = mine[0].version, mine[-1].version
            whole = first == 1 and last == len(mine)
            events = [e.event for e in mine] if whole else log.events_of(oid, last)
            staff_id = mine[0].staff_id
            if first > 1:
                stale.append((staff_id,))
            registration = next((e for e in events if isinstance(e, StaffMember.Registered)), None)
            name = registration.full_name if registration is not None else ""
            for seq, anomaly in enumerate(person_anomalies(events, self.rules)):
                rows.append((staff_id, seq, anomaly.code, anomaly.on.isoformat(), name, _encode(anomaly)))
        if stale:
            tx.executemany(self.sql(tables, self.DELETE), stale)
        if rows:
            tx.executemany(self.sql(tables, self.INSERT), rows)

    # ------------------------------------------------------------------ reads

    def recorded_rules(self, tx: Tx, tables: Tables) -> tuple[str, AnomalyRules] | None:
        """The digest and thresholds this generation was built with."""
        row = tx.record(f"SELECT digest, rules FROM {tables['rules']}")
        if row is None:
            return None
        return str(row["digest"]), rules_from_document(json.loads(row["rules"]))

    def of_person(self, tx: Tx, tables: Tables, staff_id: str) -> list[Anomaly]:
        return [
            _decode(staff_id, code, on, data)
            for code, on, data in tx.query(
                f"SELECT code, on_date, data FROM {tables['found']} WHERE staff_id = ? ORDER BY seq",
                (staff_id,),
            )
        ]

    def listing(
        self,
        tx: Tx,
        tables: Tables,
        statistics: Tables,
        *,
        as_of: date,
        unit: str | None,
        code: str | None,
    ) -> AnomalyList:
        """Every anomaly (of people in ``unit`` on ``as_of``, as known now), with counts per
        code, then those of ``code``. The unit on the day is the statistics view's (the rule of
        the qualifications report: a running rotation or secondment, else the latest transfer,
        else the unit at registration), mapped onto the structure in force on ``as_of``."""
        s = statistics.names
        d = as_of.isoformat()
        live = "u.voided_at IS NULL"
        running = (
            f"SELECT u.to_unit FROM {s['units']} u WHERE u.staff_id = a.staff_id AND u.kind <> 'transfer' "
            f"AND {live} AND u.starts_on <= ? AND (u.ends_on IS NULL OR u.ends_on >= ?) "
            "ORDER BY u.starts_on DESC, u.version LIMIT 1"
        )
        transfer = (
            f"SELECT u.to_unit FROM {s['units']} u WHERE u.staff_id = a.staff_id AND u.kind = 'transfer' "
            f"AND {live} AND u.starts_on <= ? ORDER BY u.version DESC LIMIT 1"
        )
        found = tx.query(
            f"SELECT a.staff_id, a.code, a.on_date, a.data, a.full_name, "
            f"COALESCE(({running}), ({transfer}), p.unit) AS unit_on "
            f"FROM {tables['found']} a LEFT JOIN {s['people']} p ON p.staff_id = a.staff_id "
            "ORDER BY a.staff_id, a.seq",
            (d, d, d),
        )
        # A unit merged by ``as_of`` counts under the unit it joined (the structure of the day).
        found = Structure.load(tx, statistics, FOREVER).mapped(found, as_of)
        wanted = nfc(unit)
        entries = [
            AnomalyEntry(_decode(staff_id, kind, on, data), name, unit_on or "")
            for staff_id, kind, on, data, name, unit_on in found
            if wanted is None or unit_on == wanted
        ]
        counts = count_by_code(entry.anomaly for entry in entries)
        if code is not None:
            entries = [entry for entry in entries if entry.anomaly.code == code]
        return AnomalyList(as_of, unit, code, counts, tuple(entries))
