"""What a check of the position standards answers: the status of each requirement, the credential
that meets it, the tenure it is measured against, and the whole check of a post or a rank, with
their JSON shapes (docs/domain.md §4). Also what a person holds on a day, track by track."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ledger.dates import add_months
from ledger.domain import catalog
from ledger.domain.catalog import Track
from ledger.domain.record import CredentialState, StaffRecord, UnmetRequirement, Waiver
from ledger.standards.model import AT_APPOINTMENT, Position, RequirementKind, Rule, Severity, Timing
from ledger.standards.ruleset import RuleSet


def json_value(value: Any) -> Any:
    """Plain JSON data for a report value: dates as ISO text, decimals as text, dataclasses as
    dicts of their fields, enums as their codes."""
    kind = type(value)
    how = _JSON_KINDS.get(kind)
    if how is None:
        how = _json_kind(kind)
    if how == _PLAIN:
        return value
    if how == _TEXT:
        return str(value)
    if how == _ISO:
        return value.isoformat()
    if how == _FIELDS:
        return {name: json_value(getattr(value, name)) for name in _JSON_FIELDS[kind]}
    if how == _MAPPING:
        return {str(k): json_value(v) for k, v in value.items()}
    items = [json_value(v) for v in value]
    return sorted(items) if how == _SET else items


# How :func:`json_value` shapes a value of each type, worked out once per type: the findings view
# shapes every person's report items at each rebuild, and the ``isinstance``/``fields`` questions
# at each node were a large part of its cost.
_PLAIN, _TEXT, _ISO, _FIELDS, _MAPPING, _LIST, _SET = range(7)
_JSON_KINDS: dict[type, int] = {}
_JSON_FIELDS: dict[type, tuple[str, ...]] = {}


def _json_kind(kind: type) -> int:
    if issubclass(kind, StrEnum) or issubclass(kind, Decimal):
        how = _TEXT
    elif issubclass(kind, date):
        how = _ISO
    elif is_dataclass(kind) and not issubclass(kind, type):
        how = _FIELDS
        _JSON_FIELDS[kind] = tuple(f.name for f in fields(kind) if not f.name.startswith("_"))
    elif issubclass(kind, Mapping):
        how = _MAPPING
    elif issubclass(kind, (set, frozenset)):
        how = _SET
    elif issubclass(kind, (list, tuple)):
        how = _LIST
    else:
        how = _PLAIN
    _JSON_KINDS[kind] = how
    return how


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


def status_of(
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
