"""A staff record measured against the position standards in force on a date. Pure: no I/O.

Every function takes the record, the day ``on`` and the :class:`~ledger.standards.ruleset.RuleSet`, and
answers from the credentials issued on or before ``on``, so the same current record answers
"did the appointment of 2021 meet the rules in force then?" (rules and credentials of 2021) and
"does the person meet today's rules?" (rules and credentials of today).

For each requirement the answer is a :class:`Status`:

* ``met``: the person holds the track at the required tier (directly or through an equivalence);
* ``unmet``: not met and not yet due: the person does not hold the post (a planned or
  hypothetical post), the requirement is advisory, or it is the appointment day itself;
* ``pending``: not met, inside the grace period that runs after taking the post;
* ``waived``: not met, covered by the waiver recorded with the appointment until its deadline;
* ``overdue``: not met after the day it was due (the appointment day for a requirement due before
  appointment, the end of the grace period, or the waiver's deadline).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ledger.dates import add_months, months_between
from ledger.domain import catalog
from ledger.domain.catalog import RotationKind, Track
from ledger.domain.record import (
    AppointmentState,
    CredentialState,
    EnrollmentStatus,
    StaffRecord,
    UnmetRequirement,
    Waiver,
)
from ledger.standards.model import (
    AT_APPOINTMENT,
    AgeHeadroomRequirement,
    AnyRequirement,
    ExperienceRequirement,
    FieldOfStudyRequirement,
    PlanningPoolRequirement,
    Position,
    PositionKind,
    Requirement,
    RequirementKind,
    Rule,
    Severity,
    Timing,
)
from ledger.standards.ruleset import RuleSet


def json_value(value: Any) -> Any:
    """Plain JSON data for a report value: dates as ISO text, decimals as text, dataclasses as
    dicts of their fields, enums as their codes."""
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: json_value(getattr(value, f.name)) for f in fields(value) if not f.name.startswith("_")
        }
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [json_value(v) for v in value]
        return sorted(items) if isinstance(value, (set, frozenset)) else items
    return value


class Status(StrEnum):
    MET = "met"
    UNMET = "unmet"
    PENDING = "pending"
    WAIVED = "waived"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Holding:
    """What a person holds on a track as of a day: a credential, or one that counts as this
    track/level through an equivalence (``via``)."""

    track: Track
    level: str
    tier: int
    rank: int
    credential_id: str
    title: str
    issued_on: date
    via: str | None = None
    via_track: Track | None = None
    via_level: str | None = None

    @classmethod
    def of(cls, credential: CredentialState, level: catalog.Level, *, via: str | None = None) -> Holding:
        """A credential held as its own track and level (``via`` says why it counts, if not plainly)."""
        return cls(
            credential.track,
            level.code,
            level.tier,
            level.rank,
            credential.credential_id,
            credential.title,
            credential.issued_on,
            via=via,
        )


@dataclass(frozen=True)
class Tenure:
    """How long the person has held the post being checked, and the waiver that covers it."""

    since: date
    event_id: str | None = None
    waiver: Waiver | None = None
    waived_tracks: frozenset[str] | None = None  # None: the waiver covers every track
    waiver_event_id: str | None = None
    # Held since joining (registered in the post): the appointment is older than the ledger, so
    # the conditions of appointment (experience, age, planning) cannot be judged.
    before_ledger: bool = False

    def waiver_covers(self, track: str) -> bool:
        return self.waiver is not None and (self.waived_tracks is None or track in self.waived_tracks)


@dataclass(frozen=True)
class RequirementCheck:
    """One requirement of a standard for one person on one day.

    For a training requirement ``track`` is the track and ``required_level`` its minimum level.
    For a condition of appointment ``track`` is the kind's code (``experience``, ``age_headroom``,
    ``field_of_study``, ``planning_pool``: what a waiver covers) and the levels are its measures:
    ``P24M`` (ISO 8601 months) for experience and age headroom, the minimum degree level for a
    field of study, the pool's post code for planning. ``held_text`` says what is held in words
    ("18 months", "4 years 2 months to retirement"), ``judged_on`` the day it was judged on (the day
    the post was taken, for experience, age and planning)."""

    rule_id: str
    position: str
    track: Track | str
    required_level: str
    required_tier: int
    held: Holding | None
    status: Status
    timing: Timing
    grace_months: int | None
    deadline: date | None
    severity: Severity
    legal_basis: str
    in_training: str | None = None  # an enrollment running on the day that would meet it
    kind: RequirementKind = RequirementKind.TRAINING
    requirement: str = ""  # the requirement in words (English)
    required_label: str | None = None  # its Vietnamese wording (a training level's label if None)
    held_text: str | None = None
    held_level: str | None = None  # the measure held (a condition of appointment)
    judged_on: date | None = None

    @property
    def met(self) -> bool:
        return self.status == Status.MET

    @property
    def blocking(self) -> bool:
        """Whether this would stop an appointment made on the day checked."""
        return (
            self.status == Status.UNMET
            and self.timing == Timing.BEFORE_APPOINTMENT
            and self.severity == Severity.ERROR
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "position": self.position,
            "track": str(self.track),
            "required_level": self.required_level,
            "required_tier": self.required_tier,
            "required_label": self.label_vi,
            "held": json_value(self.held),
            "status": str(self.status),
            "timing": str(self.timing),
            "grace_months": self.grace_months,
            "deadline": json_value(self.deadline),
            "severity": str(self.severity),
            "legal_basis": self.legal_basis,
            "in_training": self.in_training,
            "blocking": self.blocking,
            "kind": str(self.kind),
            "requirement": self.requirement,
            "held_text": self.held_text,
            "judged_on": json_value(self.judged_on),
        }

    @property
    def label_vi(self) -> str:
        if self.required_label is not None:
            return self.required_label
        return catalog.level_label(self.track, self.required_level, "vi")

    @property
    def held_measure(self) -> str | None:
        """What the appointment records as held: the level, or a condition's measure."""
        if self.kind == RequirementKind.TRAINING:
            return self.held.level if self.held else None
        return self.held_level

    def as_unmet(self, waiver: Waiver | None = None) -> UnmetRequirement:
        """How an appointment records this requirement when it goes ahead without it."""
        deadline = self.deadline
        if self.blocking:
            deadline = waiver.deadline if waiver is not None else None
        return UnmetRequirement(
            rule_id=self.rule_id,
            track=str(self.track),
            required_level=self.required_level,
            held_level=self.held_measure,
            timing=str(self.timing),
            deadline=deadline,
            legal_basis=self.legal_basis,
            blocking=self.blocking,
        )


@dataclass(frozen=True)
class StandardCheck:
    """One person against the standard of one post (or rank) on one day."""

    staff_id: str
    position_name: str | None
    position: Position | None
    on: date
    rule_set: str
    tenure: Tenure | None
    checks: tuple[RequirementCheck, ...]

    @property
    def known(self) -> bool:
        """Whether the rule set knows the position at all."""
        return self.position is not None

    @property
    def gaps(self) -> tuple[RequirementCheck, ...]:
        return tuple(c for c in self.checks if not c.met)

    @property
    def blocking(self) -> tuple[RequirementCheck, ...]:
        return tuple(c for c in self.checks if c.blocking)

    @property
    def compliant(self) -> bool:
        """No requirement of severity ``error`` is unmet or overdue (pending and waived ones are
        allowed: the rules allow them for now)."""
        return all(
            c.status in (Status.MET, Status.PENDING, Status.WAIVED)
            for c in self.checks
            if c.severity == Severity.ERROR
        )

    @property
    def fully_met(self) -> bool:
        return all(c.met for c in self.checks)

    def as_dict(self, *, gaps_only: bool = False) -> dict[str, Any]:
        tenure = self.tenure
        return {
            "staff_id": self.staff_id,
            "position_name": self.position_name,
            "position": self.position.code if self.position else None,
            "position_title": self.position.title if self.position else None,
            "kind": str(self.position.kind) if self.position else None,
            "on": self.on.isoformat(),
            "rule_set": self.rule_set,
            "held_since": tenure.since.isoformat() if tenure else None,
            "waiver": json_value(tenure.waiver) if tenure else None,
            "waiver_event_id": tenure.waiver_event_id if tenure else None,
            "compliant": self.compliant,
            "fully_met": self.fully_met,
            "requirements": [c.as_dict() for c in (self.gaps if gaps_only else self.checks)],
        }


# --------------------------------------------------------------------------- holdings


def recognized_credentials(record: StaffRecord, on: date, rules: RuleSet) -> list[CredentialState]:
    """The credentials issued on or before ``on`` that the rule set's restrictions let count."""
    restrictions = rules.active_restrictions()
    return [
        c
        for c in record.credentials.values()
        if c.issued_on <= on and c.level is not None and not any(r.excludes(c) for r in restrictions)
    ]


def holdings_on(
    record: StaffRecord,
    on: date,
    rules: RuleSet,
    position: str | None = None,
    *,
    equivalences_on: date | None = None,
) -> dict[Track, list[Holding]]:
    """Per track, every credential issued by ``on`` that counts for ``position``: its own, and
    those that count through an equivalence in force on ``equivalences_on`` (default ``on``)."""
    found: dict[Track, list[Holding]] = {}
    credentials = recognized_credentials(record, on, rules)
    for credential in credentials:
        level = catalog.level_of(credential.track, credential.level)
        if level is None:
            continue
        found.setdefault(credential.track, []).append(Holding.of(credential, level))
    equivalences = rules.equivalences_for(position, equivalences_on or on) if position else ()
    for equivalence in equivalences:
        target = equivalence.counts_as
        for credential in credentials:
            if equivalence.match.matches(credential):
                found.setdefault(target.track, []).append(
                    Holding(
                        target.track,
                        target.level,
                        target.tier,
                        target.level_info.rank,
                        credential.credential_id,
                        credential.title,
                        credential.issued_on,
                        via=equivalence.id,
                        via_track=credential.track,
                        via_level=credential.level,
                    )
                )
    return found


def best_holding(holdings: Iterable[Holding]) -> Holding | None:
    """The highest tier; among equals a direct credential before an equivalence, then the higher
    rank (cử nhân over cao cấp), then the later one."""
    return max(
        holdings,
        key=lambda h: (h.tier, h.via is None, h.rank, h.issued_on),
        default=None,
    )


def _in_training(record: StaffRecord, track: Track, tier: int, on: date) -> str | None:
    for enrollment in record.enrollments.values():
        running = enrollment.starts_on <= on and (
            enrollment.status == EnrollmentStatus.ENROLLED
            or (enrollment.closed_on is not None and enrollment.closed_on > on)
        )
        level = catalog.level_of(enrollment.track, enrollment.level)
        if running and enrollment.track == track and level is not None and level.tier >= tier:
            return enrollment.enrollment_id
    return None


# --------------------------------------------------------------------------- evaluation


def _status(
    met: bool, rule: Rule, track: Track | str, tenure: Tenure | None, on: date
) -> tuple[Status, date | None]:
    if met:
        return Status.MET, None
    if rule.timing == Timing.ADVISORY or tenure is None:
        return Status.UNMET, None
    if rule.kind in AT_APPOINTMENT and tenure.waiver is not None and tenure.waiver_covers(str(track)):
        # Judged on the day the post was taken: nothing can be made up later, so the waiver
        # recorded with the appointment covers it for good.
        return Status.WAIVED, None
    if rule.timing == Timing.WITHIN_MONTHS_AFTER:
        due = add_months(tenure.since, rule.grace_months or 0)
        if on <= due:
            return Status.PENDING, due
    else:
        due = tenure.since
    if tenure.waiver is not None and tenure.waiver_covers(str(track)):
        if on <= tenure.waiver.deadline:
            return Status.WAIVED, tenure.waiver.deadline
        return Status.OVERDUE, max(due, tenure.waiver.deadline)
    if rule.timing == Timing.BEFORE_APPOINTMENT and on <= due:
        return Status.UNMET, due
    return Status.OVERDUE, due


def evaluate(
    record: StaffRecord,
    position: str | None,
    on: date,
    rules: RuleSet,
    *,
    kind: PositionKind | None = None,
    tenure: Tenure | None = None,
    rules_on: date | None = None,
) -> StandardCheck:
    """The requirements of ``position`` (free text, resolved through the rule set's aliases) in
    force on ``on``, each with its status for this person on ``on``. ``tenure`` says since when
    the person holds the post (None: they do not; nothing is due yet). ``rules_on`` applies the
    rules (and equivalences) in force on another day to the credentials held on ``on``: today's
    rules on a past appointment."""
    resolved = rules.resolve(position, kind)
    rules_day = rules_on or on
    checks: list[RequirementCheck] = []
    if resolved is not None:
        holdings = holdings_on(record, on, rules, resolved.code, equivalences_on=rules_day)
        taken_on = tenure.since if tenure is not None else on
        for rule in rules.rules_for(resolved.code, rules_day):
            for requirement in rule.requires:
                if not isinstance(requirement, Requirement):
                    condition = _condition_check(
                        record, resolved, requirement, rule, rules, on, taken_on, tenure
                    )
                    if condition is not None:
                        checks.append(condition)
                    continue
                held = best_holding(holdings.get(requirement.track, ()))
                met = held is not None and held.tier >= requirement.tier
                status, deadline = _status(met, rule, requirement.track, tenure, on)
                checks.append(
                    RequirementCheck(
                        rule_id=rule.id,
                        position=resolved.code,
                        track=requirement.track,
                        required_level=requirement.level,
                        required_tier=requirement.tier,
                        held=held,
                        status=status,
                        timing=rule.timing,
                        grace_months=rule.grace_months,
                        deadline=deadline,
                        severity=rule.severity,
                        legal_basis=rule.legal_basis,
                        in_training=None
                        if met
                        else _in_training(record, requirement.track, requirement.tier, on),
                    )
                )
    return StandardCheck(
        staff_id=record.staff_id,
        position_name=position,
        position=resolved,
        on=on,
        rule_set=rules.label,
        tenure=tenure,
        checks=tuple(checks),
    )


# --------------------------------------------------------------------------- conditions


def _event_version(event_id: str) -> int:
    _, _, version = event_id.rpartition(":")
    return int(version) if version.isdigit() else 0


def post_periods(record: StaffRecord, until: date) -> list[tuple[date, date, str | None]]:
    """The posts a person held from joining up to ``until`` (excluded), as written: ``(start,
    end, post)`` with ``end`` excluded. From the registration, the appointments and transfers into
    a post, and the temporary rotations into one (which hold the post while they run). The post
    held before a first transfer is not recorded anywhere: that period reads as ``None``."""
    setters: list[tuple[date, int, str, str | None, bool]] = [
        (a.effective_on, _event_version(a.event_id), a.position, a.previous_position, True)
        for a in record.appointments
    ]
    setters += [
        (r.starts_on, _event_version(r.event_id), r.position, None, False)
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
    for rotation in sorted(record.rotations, key=lambda r: (r.starts_on, _event_version(r.event_id))):
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


def _condition_check(
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
    status, deadline = _status(met, rule, requirement.key, tenure, on)
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


def check_appointment(
    record: StaffRecord, position: str, effective_on: date, rules: RuleSet
) -> StandardCheck:
    """The standard in force on ``effective_on`` applied to an appointment made that day: the
    requirements due before appointment that are not met are ``blocking``; those with a grace
    period are ``pending`` with their deadline."""
    return evaluate(
        record, position, effective_on, rules, kind=PositionKind.POST, tenure=Tenure(since=effective_on)
    )


def unmet_for_appointment(check: StandardCheck, waiver: Waiver | None = None) -> list[UnmetRequirement]:
    """What an appointment records about the requirements it went ahead without."""
    return [c.as_unmet(waiver) for c in check.gaps]


# --------------------------------------------------------------------------- tenure


def _waived_tracks(appointment: AppointmentState) -> frozenset[str] | None:
    # Appointments recorded before standards were checked carry no list: their waiver covers all.
    if appointment.rule_set is None:
        return None
    return frozenset(u.track for u in appointment.unmet)


def appointment_tenure(appointment: AppointmentState) -> Tenure:
    return Tenure(
        since=appointment.effective_on,
        event_id=appointment.event_id,
        waiver=appointment.waiver,
        waived_tracks=_waived_tracks(appointment) if appointment.waiver else None,
        waiver_event_id=appointment.event_id if appointment.waiver else None,
    )


def tenure_of(record: StaffRecord, position_code: str, on: date, rules: RuleSet) -> Tenure:
    """Since when the person holds ``position_code`` on ``on``: the start of a running rotation
    into it, else the first of the unbroken run of appointments or transfers into it (a
    re-appointment does not restart a grace period), else the day they joined (registered in the
    post). The waiver is the latest one recorded in that run."""
    rotation = record.running_rotation(on)
    if rotation is not None and rotation.position:
        found = rules.resolve(rotation.position, PositionKind.POST)
        if found is not None and found.code == position_code:
            return Tenure(since=rotation.starts_on, event_id=rotation.event_id)
    setters: list[tuple[date, str, AppointmentState | None, str]] = [
        (a.effective_on, a.position, a, a.event_id) for a in record.appointments if a.effective_on <= on
    ]
    setters += [
        (r.starts_on, r.position, None, r.event_id)
        for r in record.rotations
        if r.kind == RotationKind.TRANSFER and r.position and r.starts_on <= on
    ]
    setters.sort(key=lambda s: s[0])
    run: list[tuple[date, str, AppointmentState | None, str]] = []
    for setter in reversed(setters):
        found = rules.resolve(setter[1], PositionKind.POST)
        if found is None or found.code != position_code:
            break
        run.append(setter)
    if not run:
        return Tenure(since=record.joined_on, before_ledger=True)
    since, _, _, event_id = run[-1]
    waived = next((s[2] for s in run if s[2] is not None and s[2].waiver is not None), None)
    if waived is None:
        return Tenure(since=since, event_id=event_id)
    return Tenure(
        since=since,
        event_id=event_id,
        waiver=waived.waiver,
        waived_tracks=_waived_tracks(waived),
        waiver_event_id=waived.event_id,
    )


def post_check(record: StaffRecord, on: date, rules: RuleSet, position: str | None = None) -> StandardCheck:
    """The person against their post on ``on`` (or against ``position``: as its holder when it is
    their post, else as a candidate, for whom nothing is due yet)."""
    current = record.position_on(on)
    name = position if position is not None else current
    resolved = rules.resolve(name, PositionKind.POST)
    holder = resolved is not None and (
        position is None or resolved == rules.resolve(current, PositionKind.POST)
    )
    tenure = tenure_of(record, resolved.code, on, rules) if holder and resolved is not None else None
    return evaluate(record, name, on, rules, kind=PositionKind.POST, tenure=tenure)


def rank_check(record: StaffRecord, on: date, rules: RuleSet) -> StandardCheck | None:
    """The person against their rank's standard (the rank is held since joining)."""
    if rules.resolve(record.rank, PositionKind.RANK) is None:
        return None
    return evaluate(
        record, record.rank, on, rules, kind=PositionKind.RANK, tenure=Tenure(since=record.joined_on)
    )


# --------------------------------------------------------------------------- appointments


@dataclass(frozen=True)
class AppointmentReview:
    """A past appointment judged twice: by the rules in force then, and by today's."""

    staff_id: str
    event_id: str
    position_name: str
    effective_on: date
    decision_ref: str
    waiver: Waiver | None
    recorded_rule_set: str | None
    recorded_unmet: tuple[UnmetRequirement, ...]
    then: StandardCheck  # rules in force on effective_on, credentials held that day
    today_rules_then: StandardCheck  # rules in force on as_of, credentials held on effective_on
    now: StandardCheck  # rules in force on as_of, credentials held on as_of

    @property
    def met_rules_then(self) -> bool:
        """Whether every requirement due before appointment was met on the appointment day."""
        return not self.then.blocking

    @property
    def appointed_without_meeting_standard(self) -> bool:
        return not self.met_rules_then

    @property
    def would_meet_todays_rules_then(self) -> bool:
        """Whether the appointment would pass today's rules on the day it was made."""
        return not self.today_rules_then.blocking

    @property
    def meets_todays_rules(self) -> bool:
        """Whether the person meets today's rules for this post today."""
        return self.now.compliant

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "position": self.position_name,
            "effective_on": self.effective_on.isoformat(),
            "decision_ref": self.decision_ref,
            "waiver": json_value(self.waiver),
            "recorded_rule_set": self.recorded_rule_set,
            "recorded_unmet": json_value(self.recorded_unmet),
            "met_rules_then": self.met_rules_then,
            "appointed_without_meeting_standard": self.appointed_without_meeting_standard,
            "would_meet_todays_rules_then": self.would_meet_todays_rules_then,
            "meets_todays_rules": self.meets_todays_rules,
            "then": self.then.as_dict(gaps_only=True),
            "today_rules_then": self.today_rules_then.as_dict(gaps_only=True),
            "now": self.now.as_dict(gaps_only=True),
        }


def review_appointment(
    record: StaffRecord, appointment: AppointmentState, as_of: date, rules: RuleSet
) -> AppointmentReview:
    day = appointment.effective_on
    return AppointmentReview(
        staff_id=record.staff_id,
        event_id=appointment.event_id,
        position_name=appointment.position,
        effective_on=day,
        decision_ref=appointment.decision_ref,
        waiver=appointment.waiver,
        recorded_rule_set=appointment.rule_set,
        recorded_unmet=tuple(appointment.unmet),
        then=check_appointment(record, appointment.position, day, rules),
        today_rules_then=evaluate(
            record,
            appointment.position,
            day,
            rules,
            kind=PositionKind.POST,
            tenure=Tenure(since=day),
            rules_on=as_of,
        ),
        now=evaluate(
            record,
            appointment.position,
            as_of,
            rules,
            kind=PositionKind.POST,
            tenure=appointment_tenure(appointment),
        ),
    )


def review_appointments(record: StaffRecord, as_of: date, rules: RuleSet) -> list[AppointmentReview]:
    return [
        review_appointment(record, a, as_of, rules)
        for a in sorted(record.appointments, key=lambda a: a.effective_on)
        if a.effective_on <= as_of
    ]


def describe(checks: Sequence[RequirementCheck]) -> str:
    """One line per requirement, for messages."""
    lines = []
    for c in checks:
        required = catalog.level_label(c.track, c.required_level, "vi")
        held = f"{c.held.level}" if c.held else "nothing"
        lines.append(
            f"- {c.track} at least {c.required_level} ({required}), holds {held} "
            f"[rule {c.rule_id}; {c.legal_basis}]"
        )
    return "\n".join(lines)
