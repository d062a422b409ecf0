"""Each staff member's rows run through the aggregate's own commands on an in-memory aggregate, so
a row that breaks a rule of the record is reported with its row and column before anything is
recorded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import Outcome
from ledger.domain.commands import (
    Complete,
    CredentialDetails,
    Depart,
    Enroll,
    RecognizeCredential,
    Register,
    Withdraw,
)
from ledger.domain.record import EnrollmentStatus, Evidence
from ledger.importing.cells import RowIssue
from ledger.importing.rows import RowRef, StaffRow, TrainingRow
from ledger.importing.template import NOT_STATED, RecordKind, RowOutcome, TableKind
from ledger.staff import StaffMember

# ------------------------------------------------------------------------------------ the plan


@dataclass
class Counts:
    staff_registered: int = 0
    staff_unchanged: int = 0
    enrollments: int = 0
    completions: int = 0
    withdrawals: int = 0
    credentials: int = 0
    departures: int = 0
    facts_skipped: int = 0
    events: int = 0

    def add(self, other: Counts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class StaffGroup:
    """Everything the files say about one staff member."""

    staff_id: str
    staff_rows: list[StaffRow] = field(default_factory=list)
    training_rows: list[TrainingRow] = field(default_factory=list)
    bad_rows: list[RowRef] = field(default_factory=list)

    @property
    def has_bad_staff_row(self) -> bool:
        """A staff row that is already reported: its training rows need no second report."""
        return any(at.table.kind == TableKind.STAFF for at in self.bad_rows)

    @property
    def row_count(self) -> int:
        return len(self.staff_rows) + len(self.training_rows) + len(self.bad_rows)


@dataclass
class GroupPlan:
    group: StaffGroup
    member: StaffMember | None
    issues: list[RowIssue]
    counts: Counts
    warnings: list[str] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return len(self.member.pending_events) if self.member is not None else 0


# Where the domain's error fields are in the template (the column a registrar must fix).
FIELD_COLUMN = {
    "credential.issued_on": "issued_on",
    "credential.credential_id": "record_id",
    "credential_id": "record_id",
    "enrollment_id": "record_id",
    "evidence.document_ref": "document_ref",
    "evidence.verified_by": "verified_by",
    "course_title": "title",
    "issuer": "provider",
    "credential.title": "title",
    "credential.issuer": "provider",
    "credential.number": "number",
    "on": "completed_on",
}


def _column_of(row: TrainingRow | StaffRow, error: errors.LedgerError) -> str | None:
    name = error.field
    if name is None:
        return None
    name = FIELD_COLUMN.get(name, name)
    if isinstance(row, TrainingRow) and name == "completed_on":
        return row.completed_from
    return name


def _member_issue(row: TrainingRow | StaffRow, error: errors.LedgerError) -> RowIssue:
    return row.at.issue(_column_of(row, error), error.message)


def _registration_conflicts(member: StaffMember, row: StaffRow) -> list[RowIssue]:
    registered = member.history[0]
    assert isinstance(registered, StaffMember.Registered)
    on_record: dict[str, Any] = {
        "full_name": registered.full_name,
        "gender": registered.gender,
        "birth_date": registered.birth_date,
        "unit": registered.unit,
        "joined_on": registered.effective_on,
        "position": registered.position,
        "rank": registered.rank,
        "employment": registered.employment,
    }
    issues = []
    for name, recorded in on_record.items():
        given = getattr(row, name)
        if given != recorded:
            issues.append(
                row.at.issue(
                    name,
                    f"{row.staff_id} is already registered with {name} "
                    f"'{_show(recorded)}'; this row says '{_show(given)}'. Correct the file, or "
                    "correct the record through the application.",
                )
            )
    return issues


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _differences(pairs: Iterable[tuple[str, Any, Any]]) -> list[str]:
    return [f"{name} '{_show(old)}' ≠ '{_show(new)}'" for name, old, new in pairs if old != new]


class Planner:
    """Runs each staff member's rows through the aggregate's commands, in memory."""

    def __init__(self, ledger: Ledger, *, recorded_by: str, recorded_at: datetime) -> None:
        self.ledger = ledger
        self.recorded_by = recorded_by
        self.recorded_at = recorded_at
        # Facts in the files are checked against the agency's date of the import, as the API
        # checks them: a completion dated after it is a row error, not a record.
        self.today = ledger.day_of(recorded_at)

    def load(self, staff_id: str) -> StaffMember | None:
        try:
            return self.ledger.get_member(staff_id)
        except errors.StaffNotFound:
            return None

    def plan(self, group: StaffGroup) -> GroupPlan:
        issues: list[RowIssue] = []
        counts = Counts()
        plan = GroupPlan(group, None, issues, counts)
        existing = self.load(group.staff_id)
        member = existing
        first = group.staff_rows[0] if group.staff_rows else None
        for repeat in group.staff_rows[1:]:
            assert first is not None
            issues.append(
                repeat.at.issue(
                    "staff_id",
                    f"{group.staff_id} is already listed on {first.at.table.name}, "
                    f"row {first.at.row}; list each staff member once.",
                )
            )
        if first is not None:
            if existing is not None:
                conflicts = _registration_conflicts(existing, first)
                issues += conflicts
                if not conflicts:
                    counts.staff_unchanged += 1
            else:
                try:
                    member = StaffMember.register(
                        Register(
                            staff_id=first.staff_id,
                            full_name=first.full_name,
                            gender=first.gender,
                            birth_date=first.birth_date,
                            unit=first.unit,
                            joined_on=first.joined_on,
                            position=first.position,
                            rank=first.rank,
                            employment=first.employment,
                        ),
                        recorded_by=self.recorded_by,
                        recorded_at=self.recorded_at,
                    )
                    counts.staff_registered += 1
                except errors.LedgerError as error:
                    issues.append(_member_issue(first, error))
        elif existing is None and not group.has_bad_staff_row:
            for row in group.training_rows:
                issues.append(
                    row.at.issue(
                        "staff_id",
                        f"No staff member '{group.staff_id}': add them to the staff table or "
                        "register them first.",
                    )
                )
        if member is not None:
            seen: dict[str, TrainingRow] = {}
            for row in sorted(group.training_rows, key=lambda r: r.sort_date):
                before = seen.get(row.record_id)
                if before is not None and not row.explicit_id:
                    plan.warnings.append(
                        f"{row.at.table.name}, row {row.at.row} repeats row {before.at.row}; "
                        "recorded once."
                    )
                    counts.facts_skipped += 1
                    continue
                seen[row.record_id] = row
                try:
                    self._apply(member, row, counts)
                except errors.LedgerError as error:
                    issues.append(_member_issue(row, error))
            if first is not None and first.departed_on is not None:
                # Last: a departure refuses facts dated after it, and facts after it are refused.
                issues += self._depart(member, first, counts)
        plan.member = member
        counts.events = plan.pending
        return plan

    def _depart(self, member: StaffMember, row: StaffRow, counts: Counts) -> list[RowIssue]:
        assert row.departed_on is not None
        departed = member.record.departed_on
        if departed == row.departed_on:
            counts.facts_skipped += 1
            return []
        if departed is not None:
            return [row.at.issue(
                "departed_on",
                f"{row.staff_id} already departed on {_show(departed)}; this row says "
                f"{_show(row.departed_on)}.",
            )]
        try:
            member.depart(
                Depart(
                    on=row.departed_on,
                    reason=row.departure_reason or NOT_STATED,
                    category=row.departure_category,
                ),
                recorded_by=self.recorded_by,
                today=self.today,
                recorded_at=self.recorded_at,
            )
        except errors.LedgerError as error:
            column = {"reason": "departure_reason", "category": "departure_category"}.get(
                error.field or "", "departed_on"
            )
            return [row.at.issue(column, error.message)]
        counts.departures += 1
        return []

    def _apply(self, member: StaffMember, row: TrainingRow, counts: Counts) -> None:
        if row.kind == RecordKind.CREDENTIAL:
            self._recognize(member, row, counts)
        else:
            self._enroll(member, row, counts)

    def _recognize(self, member: StaffMember, row: TrainingRow, counts: Counts) -> None:
        assert row.issued_on is not None
        held = member.record.credentials.get(row.record_id)
        if held is not None:
            diff = _differences([
                ("track", held.track, row.track), ("level", held.level, row.level),
                ("title", held.title, row.title), ("issuer", held.issuer, row.provider),
                ("issued_on", held.issued_on, row.issued_on), ("number", held.number, row.number),
            ])
            if diff:
                raise errors.DuplicateCredential(
                    f"Credential '{row.record_id}' is already on the record with other details "
                    f"({'; '.join(diff)}).",
                    field="credential_id",
                )
            counts.facts_skipped += 1
            return
        document_ref = row.at.ref if not row.document_ref else f"{row.at.ref}; {row.document_ref}"
        member.recognize_credential(
            RecognizeCredential(
                credential_id=row.record_id,
                track=row.track,
                level=row.level,
                title=row.title,
                issuer=row.provider,
                issued_on=row.issued_on,
                number=row.number,
                # Only the file says who checked the original: the importer did not, so a
                # credential is never shown as verified by whoever ran the import.
                evidence=Evidence(document_ref=document_ref, verified_by=row.verified_by),
            ),
            recorded_by=self.recorded_by,
            today=self.today,
            recorded_at=self.recorded_at,
        )
        counts.credentials += 1

    def _enroll(self, member: StaffMember, row: TrainingRow, counts: Counts) -> None:
        assert row.starts_on is not None
        assert row.mode is not None
        held = member.record.enrollments.get(row.record_id)
        if held is not None:
            diff = _differences([
                ("course_code", held.course_code, row.course_code),
                ("title", held.course_title, row.title), ("track", held.track, row.track),
                ("level", held.level, row.level), ("provider", held.provider, row.provider),
                ("mode", held.mode, row.mode), ("starts_on", held.starts_on, row.starts_on),
            ])
            if diff:
                raise errors.DuplicateEnrollment(
                    f"Enrollment '{row.record_id}' is already on the record with other details "
                    f"({'; '.join(diff)}).",
                    field="enrollment_id",
                )
            counts.facts_skipped += 1
        else:
            member.enroll(
                Enroll(
                enrollment_id=row.record_id,
                course_code=row.course_code,
                course_title=row.title,
                track=row.track,
                level=row.level,
                provider=row.provider,
                mode=row.mode,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                decision_ref=row.decision_ref,
                funding=row.funding,
                cost=row.cost,
                country=row.country,
                awards_level=row.awards_level,
                ),
                recorded_by=self.recorded_by,
                recorded_at=self.recorded_at,
            )
            counts.enrollments += 1
        if row.outcome is None:
            return
        assert row.completed_on is not None
        enrollment = member.record.enrollments[row.record_id]
        if not enrollment.is_open:
            wanted = {
                RowOutcome.PASSED: EnrollmentStatus.COMPLETED,
                RowOutcome.FAILED: EnrollmentStatus.FAILED,
                RowOutcome.WITHDRAWN: EnrollmentStatus.WITHDRAWN,
            }[row.outcome]
            if enrollment.status == wanted and enrollment.closed_on == row.completed_on:
                counts.facts_skipped += 1
                return
            raise errors.EnrollmentClosed(
                f"Enrollment '{row.record_id}' is already {enrollment.status} on "
                f"{_show(enrollment.closed_on)}; this row says {row.outcome.value} on "
                f"{_show(row.completed_on)}.",
                field="completed_on",
            )
        if row.outcome == RowOutcome.WITHDRAWN:
            member.withdraw(
                Withdraw(enrollment_id=row.record_id, on=row.completed_on, reason=row.reason or NOT_STATED),
                recorded_by=self.recorded_by,
                today=self.today,
                recorded_at=self.recorded_at,
            )
            counts.withdrawals += 1
            return
        award = None
        if row.outcome == RowOutcome.PASSED and enrollment.level is not None:
            # The same defaults as Ledger.execute: the course's title and provider.
            details = CredentialDetails(issued_on=row.issued_on, number=row.number)
            award = details.award(enrollment, row.completed_on, f"{row.record_id}-cert")
        member.complete(
            Complete(
                enrollment_id=row.record_id,
                completed_on=row.completed_on,
                outcome=Outcome.PASSED if row.outcome == RowOutcome.PASSED else Outcome.FAILED,
                score=row.score,
            ),
            credential=award,
            recorded_by=self.recorded_by,
            today=self.today,
            recorded_at=self.recorded_at,
        )
        counts.completions += 1
