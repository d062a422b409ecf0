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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.domain import catalog
from ledger.domain.catalog import RotationKind, Track
from ledger.domain.record import AppointmentState, EnrollmentStatus, StaffRecord, UnmetRequirement, Waiver
from ledger.standards.conditions import condition_check
from ledger.standards.model import PositionKind, Requirement
from ledger.standards.ruleset import RuleSet
from ledger.standards.verdicts import (
    RequirementCheck,
    StandardCheck,
    Tenure,
    best_holding,
    holdings_on,
    json_value,
    status_of,
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
                    condition = condition_check(
                        record, resolved, requirement, rule, rules, on, taken_on, tenure
                    )
                    if condition is not None:
                        checks.append(condition)
                    continue
                held = best_holding(holdings.get(requirement.track, ()))
                met = held is not None and held.tier >= requirement.tier
                status, deadline = status_of(met, rule, requirement.track, tenure, on)
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
