"""The credentials view: for each credential, which events make up its trail.

A credential's trail is its *thread* of events: for a credential awarded by a course, every event
of that enrollment (the enrollment with its dispatch decision, its completion with the
certificate, earlier closings that were voided, later post-training evaluations) and every
correction of one of them; for a recognized credential, the recognition (with its evidence) and
any correction of it. The person's registration opens every trail (the context: who, which unit,
since when).

The view stores the threads as references (staff, thread, version, role) and one row per award
(live or voided); a trail query reads those few events from the person's own stream in the log,
so the view stays small and the steps show exactly what was recorded. Provenance flags are
worked out at query time from the steps (thresholds in :class:`FlagRules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from ledger.clock import DEFAULT_TIMEZONE
from ledger.domain.history import BUSINESS_DATE_FIELD, event_data
from ledger.domain.ids import make_event_id
from ledger.staff import StaffEvent, StaffMember
from projections.base import Envelope, LogSource, Tables, View
from projections.results import Credential, Flag, Trail, TrailStep
from projections.store import Row, Tx

ROLES: dict[type[StaffEvent], str] = {
    StaffMember.Enrolled: "enrollment",
    StaffMember.Completed: "completion",
    StaffMember.Failed: "failure",
    StaffMember.Withdrawn: "withdrawal",
    StaffMember.Evaluated: "evaluation",
    StaffMember.CredentialRecognized: "recognition",
    StaffMember.Corrected: "correction",
}


@dataclass(frozen=True)
class FlagRules:
    """Thresholds of the provenance flags."""

    late_after_days: int = 90  # a completion or recognition recorded later than this is flagged
    evaluation_due_days: int = 365  # a completed course not evaluated after training by then
    # The day a fact was recorded is the agency's day (LEDGER_TIMEZONE), as "today" is.
    local_time: tzinfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))


@dataclass(frozen=True)
class Award:
    staff_id: str
    credential_id: str
    version: int
    thread: str
    source: str
    voided_by: int | None


@dataclass(frozen=True)
class ThreadStep:
    version: int
    role: str
    voids: int | None


def enrollment_thread(enrollment_id: str) -> str:
    return f"enrollment:{enrollment_id}"


def recognition_thread(credential_id: str) -> str:
    return f"credential:{credential_id}"


class CredentialsView(View):
    name = "credentials"
    schema_version = 1
    tables: ClassVar[dict[str, str]] = {
        "threads": (
            "staff_id TEXT NOT NULL, thread TEXT NOT NULL, version INTEGER NOT NULL, "
            "role TEXT NOT NULL, voids INTEGER, PRIMARY KEY (staff_id, thread, version)"
        ),
        "awards": (
            "staff_id TEXT NOT NULL, credential_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "thread TEXT NOT NULL, source TEXT NOT NULL, voided_by INTEGER, "
            "PRIMARY KEY (staff_id, credential_id, version)"
        ),
    }
    indexes: ClassVar[dict[str, tuple[str, str]]] = {
        "by_event": ("threads", "staff_id, version"),
        "by_award": ("awards", "staff_id, version"),
    }

    INSERT_STEP = (
        "INSERT INTO {threads} (staff_id, thread, version, role, voids) VALUES (?, ?, ?, ?, ?)"
    )
    INSERT_AWARD = (
        "INSERT INTO {awards} (staff_id, credential_id, version, thread, source, voided_by) "
        "VALUES (?, ?, ?, ?, ?, ?)"
    )
    VOID_AWARD = (
        "UPDATE {awards} SET voided_by = ? WHERE staff_id = ? AND version = ? AND voided_by IS NULL"
    )
    THREADS_OF_EVENT = "SELECT thread FROM {threads} WHERE staff_id = ? AND version = ?"

    def apply(self, tx: Tx, tables: Tables, envelopes: Sequence[Envelope], log: LogSource) -> None:
        steps: list[Row] = []
        awards: list[list[Any]] = []
        award_of: dict[tuple[str, int], list[Any]] = {}  # this page's awards, by event
        voids: list[Row] = []
        in_page: dict[tuple[str, int], str | None] = {}
        for env in envelopes:
            e = env.event
            sid, v = env.staff_id, env.version
            thread: str | None = None
            in_page[(sid, v)] = None
            if isinstance(e, (StaffMember.Enrolled, StaffMember.Failed, StaffMember.Withdrawn)):
                thread = enrollment_thread(e.enrollment_id)
            elif isinstance(e, StaffMember.Completed):
                thread = enrollment_thread(e.enrollment_id)
                if e.credential is not None:
                    awards.append(award := [sid, e.credential.credential_id, v, thread, "completion", None])
                    award_of[(sid, v)] = award
            elif isinstance(e, StaffMember.Evaluated) and e.enrollment_id is not None:
                thread = enrollment_thread(e.enrollment_id)
            elif isinstance(e, StaffMember.CredentialRecognized):
                thread = recognition_thread(e.credential_id)
                awards.append(award := [sid, e.credential_id, v, thread, "recognition", None])
                award_of[(sid, v)] = award
            elif isinstance(e, StaffMember.Corrected):
                target = e.voided_event_id.rpartition(":")[2]
                if not target.isdigit():
                    continue
                voided = int(target)
                if (sid, voided) in in_page:
                    found = in_page[(sid, voided)]
                else:
                    rows = tx.query(self.sql(tables, self.THREADS_OF_EVENT), (sid, voided))
                    found = rows[0][0] if rows else None
                if found is not None:
                    steps.append((sid, found, v, "correction", voided))
                    in_page[(sid, v)] = found
                if (sid, voided) in award_of:
                    award_of[(sid, voided)][-1] = award_of[(sid, voided)][-1] or v
                elif (sid, voided) not in in_page:
                    voids.append((v, sid, voided))  # an award of an earlier page, if it is one
                continue
            if thread is not None:
                steps.append((sid, thread, v, ROLES[type(e)], None))
                in_page[(sid, v)] = thread
        if steps:
            tx.executemany(self.sql(tables, self.INSERT_STEP), steps)
        if awards:
            tx.executemany(self.sql(tables, self.INSERT_AWARD), awards)
        if voids:
            tx.executemany(self.sql(tables, self.VOID_AWARD), voids)

    def lookup(
        self, tx: Tx, tables: Tables, staff_id: str, credential_id: str
    ) -> tuple[Award, list[ThreadStep]] | None:
        """The award of ``credential_id`` (the live one if any, else the latest) and its thread."""
        rows = tx.query(
            f"SELECT staff_id, credential_id, version, thread, source, voided_by FROM {tables['awards']} "
            "WHERE staff_id = ? AND credential_id = ? "
            "ORDER BY CASE WHEN voided_by IS NULL THEN 0 ELSE 1 END, version DESC LIMIT 1",
            (staff_id, credential_id),
        )
        if not rows:
            return None
        award = Award(*rows[0])
        thread = [
            ThreadStep(int(r[0]), r[1], r[2])
            for r in tx.query(
                f"SELECT version, role, voids FROM {tables['threads']} "
                "WHERE staff_id = ? AND thread = ? ORDER BY version",
                (staff_id, award.thread),
            )
        ]
        return award, thread


def _step(
    staff_id: str, event: StaffEvent, role: str, position: int | None, voided_by: str | None
) -> TrailStep:
    kind = type(event).__name__
    data = event_data(event)
    data[BUSINESS_DATE_FIELD[kind]] = data["effective_on"]
    return TrailStep(
        event_id=make_event_id(staff_id, event.originator_version),
        type=kind,
        role=role,
        version=event.originator_version,
        position=position,
        recorded_at=event.timestamp,
        recorded_by=event.recorded_by,
        effective_on=event.effective_on,
        data=data,
        voided_by=voided_by,
    )


def build_trail(
    staff_id: str,
    events: Sequence[StaffEvent],
    positions: dict[int, int],
    award: Award,
    thread: Sequence[ThreadStep],
    *,
    rules: FlagRules,
    today: date,
) -> Trail:
    """The trail of one award from the person's events (those up to the thread's last version)."""
    by_version = {e.originator_version: e for e in events}
    voided_by = {
        s.voids: make_event_id(staff_id, s.version) for s in thread if s.voids is not None
    }
    registration = by_version[1]
    steps = [_step(staff_id, registration, "registration", positions.get(1), None)]
    for s in thread:
        steps.append(
            _step(staff_id, by_version[s.version], s.role, positions.get(s.version), voided_by.get(s.version))
        )
    awarding = by_version[award.version]
    enrollment: StaffMember.Enrolled | None = None
    if isinstance(awarding, StaffMember.Completed):
        for s in thread:
            candidate = by_version[s.version]
            if s.version < award.version and isinstance(candidate, StaffMember.Enrolled):
                enrollment = candidate
        credential = _completion_credential(staff_id, awarding, enrollment)
    else:
        assert isinstance(awarding, StaffMember.CredentialRecognized)
        credential = Credential(
            credential_id=awarding.credential_id,
            track=str(awarding.track),
            level=awarding.level,
            title=awarding.title,
            issuer=awarding.issuer,
            issued_on=awarding.effective_on,
            number=awarding.number,
            source="recognition",
            event_id=make_event_id(staff_id, award.version),
            enrollment_id=None,
            document_ref=awarding.evidence.document_ref,
            verified_by=awarding.evidence.verified_by,
            field=awarding.field,
        )
    voider = make_event_id(staff_id, award.voided_by) if award.voided_by is not None else None
    assert isinstance(registration, StaffMember.Registered)
    flags = _flags(
        staff_id, registration, awarding, enrollment, credential, thread, by_version, voider, rules, today
    )
    return Trail(
        staff_id=staff_id,
        credential=credential,
        status="voided" if voider else "valid",
        voided_by=voider,
        steps=tuple(steps),
        flags=tuple(flags),
    )


def _completion_credential(
    staff_id: str, completed: StaffMember.Completed, enrollment: StaffMember.Enrolled | None
) -> Credential:
    award = completed.credential
    assert award is not None
    return Credential(
        credential_id=award.credential_id,
        track=str(enrollment.track) if enrollment else "",
        level=enrollment.level if enrollment else None,
        title=award.title,
        issuer=award.issuer,
        issued_on=award.issued_on,
        number=award.number,
        source="completion",
        event_id=make_event_id(staff_id, completed.originator_version),
        enrollment_id=completed.enrollment_id,
        document_ref=None,
        verified_by=None,
        field=award.field,
    )


def _flags(
    staff_id: str,
    registration: StaffMember.Registered,
    awarding: StaffEvent,
    enrollment: StaffMember.Enrolled | None,
    credential: Credential,
    thread: Sequence[ThreadStep],
    by_version: dict[int, Any],
    voider: str | None,
    rules: FlagRules,
    today: date,
) -> list[Flag]:
    flags: list[Flag] = []
    if voider is not None:
        flags.append(
            Flag("voided", f"The event that put this credential on the record was voided by {voider}.")
        )
    recorded_on = awarding.timestamp.astimezone(rules.local_time).date()
    if isinstance(awarding, StaffMember.CredentialRecognized):
        if not (awarding.evidence.verified_by or "").strip():
            flags.append(
                Flag(
                    "recognized_without_verifier",
                    f"Recognized on the strength of {awarding.evidence.document_ref} with nobody "
                    "named as having checked the document.",
                )
            )
        since = max(awarding.effective_on, registration.effective_on)
        delay = (recorded_on - since).days
        if delay > rules.late_after_days:
            flags.append(
                Flag(
                    "recorded_late",
                    f"Recognized {delay} days after it could first have been recorded ({since}).",
                )
            )
    else:
        assert isinstance(awarding, StaffMember.Completed)
        delay = (recorded_on - awarding.effective_on).days
        if delay > rules.late_after_days:
            flags.append(
                Flag(
                    "recorded_late",
                    f"The completion of {awarding.effective_on} was recorded {delay} days later, "
                    f"on {recorded_on}.",
                )
            )
        if enrollment is not None and not (enrollment.decision_ref or "").strip():
            flags.append(
                Flag(
                    "no_dispatch_decision",
                    "The enrollment records no decision sending the person to the course.",
                )
            )
        if credential.issued_on < awarding.effective_on:
            flags.append(
                Flag(
                    "issued_before_completion",
                    f"The certificate is dated {credential.issued_on}, before the course was "
                    f"completed on {awarding.effective_on}.",
                )
            )
        evaluated = any(
            s.role == "evaluation"
            and s.version > awarding.originator_version
            and not any(c.voids == s.version for c in thread)
            for s in thread
        )
        waited = (today - awarding.effective_on).days
        if voider is None and not evaluated and waited > rules.evaluation_due_days:
            flags.append(
                Flag(
                    "not_evaluated_after_training",
                    f"Completed {waited} days ago and never evaluated after training.",
                )
            )
    if any(s.voids is not None for s in thread):
        flags.append(
            Flag("corrected", "Some events of this trail were voided by corrections (see the steps).")
        )
    return flags
