"""The conditions of appointment measured on a record: the months served in posts (experience),
the age headroom, the field of study a credential names and the place in the planning pool."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from ledger.dates import months_between
from ledger.domain import catalog
from ledger.domain.catalog import RotationKind
from ledger.domain.record import StaffRecord
from ledger.standards.model import (
    AT_APPOINTMENT,
    AgeHeadroomRequirement,
    AnyRequirement,
    ExperienceRequirement,
    FieldOfStudyRequirement,
    PlanningPoolRequirement,
    Position,
    PositionKind,
    Rule,
)
from ledger.standards.ruleset import RuleSet
from ledger.standards.verdicts import (
    Holding,
    RequirementCheck,
    Tenure,
    best_holding,
    recognized_credentials,
    status_of,
)


def event_version(event_id: str) -> int:
    _, _, version = event_id.rpartition(":")
    return int(version) if version.isdigit() else 0


def post_periods(record: StaffRecord, until: date) -> list[tuple[date, date, str | None]]:
    """The posts a person held from joining up to ``until`` (excluded), as written: ``(start,
    end, post)`` with ``end`` excluded. From the registration, the appointments and transfers into
    a post, and the temporary rotations into one (which hold the post while they run). The post
    held before a first transfer is not recorded anywhere: that period reads as ``None``."""
    setters: list[tuple[date, int, str, str | None, bool]] = [
        (a.effective_on, event_version(a.event_id), a.position, a.previous_position, True)
        for a in record.appointments
    ]
    setters += [
        (r.starts_on, event_version(r.event_id), r.position, None, False)
        for r in record.rotations
        if r.kind == RotationKind.TRANSFER and r.position
    ]
    setters.sort(key=lambda s: (s[0], s[1]))
    # Before the first appointment: the post it replaced (the registration's, unless a transfer
    # came first, whose previous post no event records).
    current = (setters[0][3] if setters[0][4] else None) if setters else record.position
    periods: list[tuple[date, date, str | None]] = []
    start = record.joined_on
    for day, _, position, _, _ in setters:
        if day >= until:
            break
        if day > start:
            periods.append((start, day, current))
            start = day
        current = position
    if until > start:
        periods.append((start, until, current))
    for rotation in sorted(record.rotations, key=lambda r: (r.starts_on, event_version(r.event_id))):
        if rotation.kind == RotationKind.TRANSFER or not rotation.position or rotation.starts_on >= until:
            continue
        begin = rotation.starts_on
        end = until if rotation.ends_on is None else min(until, rotation.ends_on + date.resolution)
        painted: list[tuple[date, date, str | None]] = []
        for s, e, p in periods:
            if e <= begin or s >= end:
                painted.append((s, e, p))
                continue
            if s < begin:
                painted.append((s, begin, p))
            if e > end:
                painted.append((end, e, p))
        painted.append((begin, end, rotation.position))
        periods = sorted(painted, key=lambda period: period[0])
    return periods


def _merged(intervals: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def experience_months(
    record: StaffRecord, codes: Sequence[str], on: date, rules: RuleSet, *, accumulate: bool = True
) -> int:
    """Whole months the person held one of the posts (or ranks) ``codes`` before ``on``: the
    periods added up (``accumulate``) or the longest unbroken one. A rank counts from joining (the
    ledger records no rank changes)."""
    wanted = set(codes)
    intervals = []
    for start, end, position in post_periods(record, on):
        found = rules.resolve(position, PositionKind.POST)
        if found is not None and found.code in wanted:
            intervals.append((start, end))
    rank = rules.resolve(record.rank, PositionKind.RANK)
    if rank is not None and rank.code in wanted and record.joined_on < on:
        intervals.append((record.joined_on, on))
    months = [months_between(start, end) for start, end in _merged(intervals)]
    if not months:
        return 0
    return sum(months) if accumulate else max(months)


def _duration(months: int) -> str:
    years, rest = divmod(abs(months), 12)
    parts = ([f"{years} year{'s' if years != 1 else ''}"] if years else []) + (
        [f"{rest} month{'s' if rest != 1 else ''}"] if rest or not years else []
    )
    return " ".join(parts)


def _titles(rules: RuleSet, codes: Iterable[str]) -> str:
    return ", ".join((found.title if (found := rules.position(code)) else code) for code in codes)


def _held_post_before(record: StaffRecord, code: str, day: date, rules: RuleSet) -> bool:
    """Whether the person held post ``code`` the day before ``day`` (a re-appointment)."""
    periods = post_periods(record, day)
    if not periods or periods[-1][1] != day:
        return False
    found = rules.resolve(periods[-1][2], PositionKind.POST)
    return found is not None and found.code == code


def condition_check(
    record: StaffRecord,
    position: Position,
    requirement: AnyRequirement,
    rule: Rule,
    rules: RuleSet,
    on: date,
    taken_on: date,
    tenure: Tenure | None,
) -> RequirementCheck | None:
    """A condition of appointment (or a field of study) as a :class:`RequirementCheck`; None when
    it does not apply (an appointment older than the ledger, a re-appointment)."""
    kind = requirement.kind
    day = taken_on if kind in AT_APPOINTMENT else on
    if kind in AT_APPOINTMENT and tenure is not None and tenure.before_ledger:
        return None
    first_only = getattr(requirement, "first_appointment_only", False)
    if first_only and _held_post_before(record, position.code, day, rules):
        return None
    held: Holding | None = None
    held_level: str | None
    if isinstance(requirement, ExperienceRequirement):
        months = experience_months(
            record, requirement.in_positions, day, rules, accumulate=requirement.accumulate
        )
        met = months >= requirement.months
        required_level, required_tier = f"P{requirement.months}M", requirement.months
        held_level, held_text = f"P{months}M", f"{months} months"
        label = f"ít nhất {requirement.months} tháng giữ chức vụ {_titles(rules, requirement.in_positions)}"
    elif isinstance(requirement, AgeHeadroomRequirement):
        required_level, required_tier = f"P{requirement.months}M", requirement.months
        label = f"còn ít nhất {requirement.months} tháng công tác đến tuổi nghỉ hưu"
        retirement = rules.retirement(str(record.gender), record.birth_date)
        if retirement is None:
            met, held_level = False, None
            held_text = f"no retirement age for {record.gender} in the rules"
        else:
            retires_on, age, _ = retirement
            left = months_between(day, retires_on) if day <= retires_on else -months_between(retires_on, day)
            met = left >= requirement.months
            held_level = f"P{max(left, 0)}M"
            when = f"retirement age {_duration(age.in_months)} on {retires_on}"
            held_text = (
                f"{_duration(left)} to retirement ({when})" if left >= 0 else f"past retirement age ({when})"
            )
    elif isinstance(requirement, FieldOfStudyRequirement):
        required_level, required_tier = requirement.min_level, requirement.tier
        fields = ", ".join(
            (f.title if (f := next((x for x in rules.fields if x.code == code), None)) else code)
            for code in requirement.fields
        )
        label = f"{catalog.level_label(requirement.track, requirement.min_level, 'vi')} chuyên ngành {fields}"
        held, held_text = _field_holding(record, requirement, day, rules)
        met = held is not None
        held_level = held.level if held is not None else None
    else:
        assert isinstance(requirement, PlanningPoolRequirement)
        pools = requirement.pool_positions or (position.code,)
        required_level, required_tier = pools[0], 0
        label = f"trong quy hoạch {_titles(rules, pools)}"
        plans = [
            plan
            for plan in record.plans_on(day)
            if (found := rules.resolve(plan.position, PositionKind.POST)) is not None and found.code in pools
        ]
        met = bool(plans)
        if plans:
            plan = max(plans, key=lambda p: p.decided_on)
            found_pool = rules.resolve(plan.position, PositionKind.POST)
            held_level = found_pool.code if found_pool else None
            held_text = (
                f"planned for {plan.position} {plan.from_year}–{plan.to_year} "
                f"({plan.decision_ref}, {plan.decided_on})"
            )
        else:
            held_level, held_text = None, f"not in the planning pool for {' or '.join(pools)} on {day}"
    status, deadline = status_of(met, rule, requirement.key, tenure, on)
    return RequirementCheck(
        rule_id=rule.id,
        position=position.code,
        track=requirement.key,
        required_level=required_level,
        required_tier=required_tier,
        held=held,
        status=status,
        timing=rule.timing,
        grace_months=rule.grace_months,
        deadline=deadline,
        severity=rule.severity,
        legal_basis=rule.legal_basis,
        kind=kind,
        requirement=requirement.describe(),
        required_label=label,
        held_text=held_text,
        held_level=held_level,
        judged_on=day,
    )


def _field_holding(
    record: StaffRecord, requirement: FieldOfStudyRequirement, on: date, rules: RuleSet
) -> tuple[Holding | None, str]:
    """The best credential of the track, at the level or higher, in an accepted field (its
    recorded field, else the field its title names), and what is held in words."""
    fitting: list[Holding] = []
    others: list[str] = []
    for credential in recognized_credentials(record, on, rules):
        level = catalog.level_of(credential.track, credential.level)
        if credential.track != requirement.track or level is None or level.tier < requirement.tier:
            continue
        named = rules.field_named(credential.field) if credential.field else None
        found = named or rules.field_in_title(credential.title)
        source = "" if named is not None else " (read from the title)"
        if found is not None and found.code in requirement.fields:
            fitting.append(Holding.of(credential, level, via=f"field:{found.code}"))
            others.insert(0, f"{level.code} in {found.title}{source}")
        else:
            what = found.title if found is not None else (credential.field or "no field recorded")
            others.append(f"{level.code} in {what}{source if found is not None else ''}")
    best = best_holding(fitting)
    if best is not None:
        return best, others[0]
    return None, "; ".join(others) if others else f"no {requirement.track} at least {requirement.min_level}"
