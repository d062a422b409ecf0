"""Recording a plan through the ledger's own commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ledger.application import Ledger
from ledger.demo.agency import (
    AGENCY,
    AGENCY_RENAMED,
    AGENCY_RENAMED_ON,
    DEFAULT_SEED,
    SNAPSHOT,
    UNIT_FACT_KINDS,
)
from ledger.demo.model import DemoPlan, DemoSummary, Op, add_months_clamped
from ledger.demo.plan import build_plan
from ledger.domain import errors
from ledger.domain.commands import (
    Appoint,
    Complete,
    Correct,
    CreateUnit,
    Depart,
    DissolveUnit,
    Enroll,
    Evaluate,
    MergeUnit,
    Plan,
    RecognizeCredential,
    Register,
    RenameUnit,
    Rotate,
    SplitUnit,
    StaffCommand,
    UnitCommand,
    Withdraw,
)
from ledger.domain.record import Waiver
from ledger.service import WriteResult

ProgressCallback = Callable[[int, int], None]

# The write each kind of demo step is, made from the step's arguments.
STAFF_COMMANDS: dict[str, Callable[..., StaffCommand]] = {
    "recognize": RecognizeCredential,
    "enroll": Enroll,
    "complete": Complete,
    "withdraw": Withdraw,
    "rotate": Rotate,
    "plan": Plan,
    "evaluate": Evaluate,
    "depart": Depart,
    "correct": Correct,
}
UNIT_COMMANDS: dict[str, Callable[..., UnitCommand]] = {
    "create_unit": CreateUnit,
    "rename_unit": RenameUnit,
    "merge_unit": MergeUnit,
    "split_unit": SplitUnit,
    "dissolve_unit": DissolveUnit,
}


def load_demo(
    ledger: Ledger,
    *,
    seed: int = DEFAULT_SEED,
    snapshot: date = SNAPSHOT,
    on_progress: ProgressCallback | None = None,
) -> DemoSummary:
    """Record the demo agency in ``ledger`` through its own commands and say what was recorded.

    Deterministic: the same seed gives the same events, ids and recording times. Appointments are
    checked against the ledger's rules; one that the configured rules refuse goes ahead with a
    waiver (recorded, and listed in the summary): with the shipped rules none needs one.
    """
    plan = build_plan(seed, snapshot)
    return apply_plan(ledger, plan, on_progress=on_progress)


def apply_plan(ledger: Ledger, plan: DemoPlan, *, on_progress: ProgressCallback | None = None) -> DemoSummary:
    results: dict[str, WriteResult] = {}
    waived: list[str] = []
    corrections: list[str] = []
    tagged: dict[str, list[str]] = {"cdvt": [], "move": []}
    first = last = 0
    total = len(plan.ops)
    events = 0
    for done, op in enumerate(plan.ops, start=1):
        if op.kind in UNIT_FACT_KINDS:
            unit_command = UNIT_COMMANDS[op.kind](**op.args)
            fact = ledger.execute_unit(unit_command, recorded_by=op.by, recorded_at=op.at)
            events += fact.events
            first = first or fact.position
            last = fact.position
            continue
        events += 1
        result = _apply(ledger, plan, op, results, waived)
        if op.key:
            results[op.key] = result
        if op.kind == "correct":
            corrections.append(result.event_id)
        if op.tag is not None:
            tagged[op.tag].append(result.event_id)
        first = first or result.position
        last = result.position
        if on_progress is not None and (done % 50 == 0 or done == total):
            on_progress(done, total)
    people = plan.people
    current = tuple(sorted(p.staff_id for p in people.values() if not p.role.former))
    former = tuple(sorted(p.staff_id for p in people.values() if p.role.former))
    return DemoSummary(
        seed=plan.seed,
        snapshot=SNAPSHOT,
        agency=AGENCY,
        agency_renamed=AGENCY_RENAMED,
        agency_renamed_on=AGENCY_RENAMED_ON,
        staff_ids=tuple(sorted(current + former)),
        current_staff_ids=current,
        former_staff_ids=former,
        events=events,
        first_position=first,
        last_position=last,
        edge_cases=plan.edge_cases,
        planning_pool=plan.planning_pool,
        corrections=tuple(corrections),
        waived_appointments=tuple(waived),
        job_rotations=tuple(tagged["cdvt"]),
        internal_moves=tuple(tagged["move"]),
        names={p.staff_id: p.full_name for p in people.values()},
    )


def _apply(
    ledger: Ledger, plan: DemoPlan, op: Op, results: dict[str, WriteResult], waived: list[str]
) -> WriteResult:
    person = plan.person(op.staff_key)
    staff_id = person.staff_id
    at = op.at
    by = op.by
    args = dict(op.args)
    if op.kind == "register":
        return ledger.execute_registration(Register(**args), recorded_by=by, recorded_at=at)
    if op.kind == "correct":
        assert op.voids is not None
        args = {"event_id": results[op.voids].event_id, "reason": args["reason"]}
    if op.kind == "appoint":
        args.pop("reappointment", None)
        try:
            return ledger.execute(staff_id, Appoint(**args), recorded_by=by, recorded_at=at)
        except errors.RequirementsNotMet as refused:
            # The configured rules are stricter than the shipped ones: go ahead as an agency
            # would, with a waiver that gives a year to meet the standard.
            effective: date = args["effective_on"]
            missing = ", ".join(f"{u.track} {u.required_level}" for u in refused.unmet if u.blocking)
            waiver = Waiver(
                legal_basis="Quyết định bổ nhiệm trong trường hợp đặc biệt của cấp có thẩm quyền",
                deadline=add_months_clamped(effective, 12),
                reason=f"Bổ sung tiêu chuẩn còn thiếu ({missing}) trong 12 tháng",
            )
            command = Appoint(**{**args, "waiver": waiver})
            result = ledger.execute(staff_id, command, recorded_by=by, recorded_at=at)
            waived.append(result.event_id)
            return result
    if op.kind in STAFF_COMMANDS:
        return ledger.execute(staff_id, STAFF_COMMANDS[op.kind](**args), recorded_by=by, recorded_at=at)
    raise ValueError(f"unknown demo command {op.kind}")
