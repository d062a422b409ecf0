"""When each command is recorded and by whom, and the unit facts among them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from ledger.demo.agency import KEY_HR, KEY_IMPORT, RECORDING_CAP, UNIT_FACTS
from ledger.demo.draft import Draft
from ledger.demo.model import Op, Person, weekday_on_or_after


def assign_recording_times(draft: Draft) -> list[Op]:
    rng = draft.rng
    by_person: dict[str, list[Op]] = {}
    for index, op in enumerate(draft.ops):
        op.seq = index
        by_person.setdefault(op.staff_key, []).append(op)
    keyed = {op.key: op for op in draft.ops if op.key}
    ordered: list[Op] = []
    for key, ops in by_person.items():
        person = draft.p(key)
        # Registration first, then the dossier, then business-date order; a correction right
        # after what it voids.
        ops.sort(key=lambda o: (o.kind != "register", o.lag != "golive", o.order, o.seq))
        last: datetime | None = None
        for op in ops:
            desired = desired_time(draft, op, person, keyed)
            if last is not None and desired <= last:
                desired = last + timedelta(minutes=rng.randint(1, 9), seconds=rng.randint(0, 59))
            op.at = desired
            op.by = KEY_IMPORT if op.lag == "golive" else KEY_HR[rng.random() < 0.4]
            # A late entry (a certificate handed in months later) is recorded when it is, and
            # nothing of the person's later record depends on it: it stays off the chain.
            if op.lag != "late":
                last = desired
            ordered.append(op)
    if any(op.at is None or op.at > RECORDING_CAP + timedelta(hours=6) for op in ordered):
        raise RuntimeError("a recording time falls after the snapshot")
    ordered.sort(key=lambda o: (o.at, draft.p(o.staff_key).staff_id, o.seq))
    return ordered


def desired_time(draft: Draft, op: Op, person: Person, keyed: dict[str, Op]) -> datetime:
    rng = draft.rng
    office = time(rng.randint(1, 9), rng.randint(0, 59), rng.randint(0, 59))
    if op.lag == "correction":
        target = keyed.get(op.voids) if op.voids else None
        if target is not None and target.at is not None:
            return target.at + timedelta(hours=rng.randint(20, 70), minutes=rng.randint(0, 59))
        day = op.order + timedelta(days=1)
    elif op.lag == "golive" or (person.go_live is not None and op.order < person.go_live):
        assert person.go_live is not None
        day = person.go_live
    elif op.lag == "rating":
        day = op.order + timedelta(days=rng.randint(0, 3))
    elif op.lag == "prompt":
        day = op.order + timedelta(days=rng.randint(0, 2))
    elif op.lag == "late":
        day = op.order + timedelta(days=rng.randint(60, 300))
    else:
        roll = rng.random()
        delay = (
            rng.randint(0, 3) if roll < 0.75 else rng.randint(4, 14) if roll < 0.95 else rng.randint(15, 45)
        )
        day = op.order + timedelta(days=delay)
    day = weekday_on_or_after(day)
    at = datetime.combine(day, office, tzinfo=UTC)
    if at > RECORDING_CAP:
        at = RECORDING_CAP - timedelta(hours=rng.randint(1, 8), minutes=rng.randint(0, 59))
        at = max(at, datetime.combine(op.order, time(1, 0), tzinfo=UTC))
    return at


def with_unit_facts(ops: list[Op]) -> list[Op]:
    """The plan's commands with the unit facts (``UNIT_FACTS``) in recording order. They take no
    random draw, so the rest of the plan is the same for a seed as it was without them."""
    merged = list(ops)
    for kind, args, at in UNIT_FACTS:
        index = next((i for i, op in enumerate(merged) if op.at is not None and op.at > at), len(merged))
        merged.insert(index, Op("", kind, args["on"], dict(args), lag="at", at=at, by=KEY_HR[0]))
    return merged
