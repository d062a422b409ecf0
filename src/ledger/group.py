"""Group enrollment: one dispatch decision (quyết định cử đi học) for several people, recorded
for every one of them or for none.

Each person's ``Enrolled`` is checked by the aggregate's own rules, exactly as a single
enrollment is; the events of all of them are then saved in one transaction of the store (the
library saves several aggregates atomically), so a refusal, or a concurrent write to any one of
them, records nothing for anybody.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from eventsourcing.persistence import IntegrityError

from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.commands import Enroll
from ledger.service import WriteResult, new_id
from ledger.staff import StaffMember


class GroupRefused(errors.RuleViolation):
    """The group enrollment was refused for some of its people; nobody was enrolled."""

    code = "group_refused"

    def __init__(self, failures: Sequence[tuple[str, errors.LedgerError]]) -> None:
        listed = "; ".join(f"{staff_id}: {error.message}" for staff_id, error in failures)
        super().__init__(f"Nobody was enrolled: {listed}", field="staff_ids")
        self.failures = list(failures)


def enroll_group(
    ledger: Ledger,
    staff_ids: Sequence[str],
    course: Enroll,
    *,
    recorded_by: str,
    expected_versions: Mapping[str, int] | None = None,
    recorded_at: datetime | None = None,
) -> list[WriteResult]:
    """Enroll every one of ``staff_ids`` in ``course`` in one transaction, or nobody; each gets
    an enrollment id of their own (the course's own ``enrollment_id`` is not used).

    ``expected_versions`` (staff id → version, as shown to the user) makes a record changed since
    a ``StaleVersion``. Every person's refusal is collected, so one answer names them all.
    """
    people = list(dict.fromkeys(staff_ids))
    if not people:
        raise errors.InvalidInput("Choose at least one person.", field="staff_ids")
    at = recorded_at or ledger.clock()
    members: list[StaffMember] = []
    enrollment_ids: dict[str, str] = {}
    failures: list[tuple[str, errors.LedgerError]] = []
    for staff_id in people:
        try:
            member = ledger.get_member(staff_id)
            expected = (expected_versions or {}).get(staff_id)
            if expected is not None and member.version != expected:
                raise errors.StaleVersion(
                    f"The record of '{staff_id}' is at version {member.version}, not {expected}: "
                    "reload it and try again."
                )
            enrollment_ids[staff_id] = new_id()
            member.enroll(
                replace(course, enrollment_id=enrollment_ids[staff_id]),
                recorded_by=recorded_by,
                recorded_at=at,
            )
        except errors.StaleVersion:
            raise
        except errors.LedgerError as error:
            failures.append((staff_id, error))
            continue
        members.append(member)
    if failures:
        # The same input refused for everyone is one field error, not one per person.
        if len({(type(e), e.field) for _, e in failures}) == 1 and len(failures) == len(people):
            raise failures[0][1]
        raise GroupRefused(failures)
    try:
        recordings = ledger.save(*members)
    except IntegrityError:
        raise errors.StaleVersion(
            "One of these records changed while the group was being enrolled: nobody was enrolled; "
            "reload and try again."
        ) from None
    positions = {r.notification.originator_id: r.notification.id for r in recordings}
    results = []
    for member in members:
        last = member.history[-1]
        results.append(
            WriteResult(
                staff_id=member.staff_id,
                version=member.version,
                event_id=member.last_event_id,
                position=positions[member.id],
                recorded_at=last.timestamp,
                enrollment_id=enrollment_ids[member.staff_id],
            )
        )
    return results
