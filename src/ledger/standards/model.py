"""The model of position standards: positions, requirements and conditions, rules, equivalences,
restrictions, service commitments and retirement ages, as immutable values read from a rules
file (docs/domain.md §4). Safe to share between threads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from ledger.dates import in_period
from ledger.domain import catalog
from ledger.domain.catalog import Funding, Level, Track
from ledger.domain.record import CredentialState
from ledger.text import normalize_name


class Timing(StrEnum):
    """When a requirement must be met, counted from the day the person took the post."""

    BEFORE_APPOINTMENT = "before_appointment"
    WITHIN_MONTHS_AFTER = "within_months_after"
    ADVISORY = "advisory"


class Severity(StrEnum):
    """``error``: an unmet requirement breaks the standard; ``warning``: it is only reported."""

    ERROR = "error"
    WARNING = "warning"


class PositionKind(StrEnum):
    POST = "post"  # chức vụ: a leadership post, taken by appointment
    RANK = "rank"  # ngạch: a civil-service rank, held from joining (the ledger has no rank events)


class RequirementKind(StrEnum):
    """What a requirement is about. ``training``: a minimum level on a track (``[[rule]]``); the
    others are the conditions of appointment of their own sections. A requirement's *key* (the
    track of a training requirement, else the kind) is what a waiver covers and what two rules may
    not both require of one position on one day."""

    TRAINING = "training"
    EXPERIENCE = "experience"  # months in the post or an adjacent lower one ([[experience]])
    AGE_HEADROOM = "age_headroom"  # months left before retirement age ([[age_headroom]])
    FIELD_OF_STUDY = "field_of_study"  # a degree in a field fitting the post ([[field_of_study]])
    PLANNING_POOL = "planning_pool"  # in the planning pool for the post ([[planning_pool]])


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Position:
    """A post or rank a rule can name. ``aliases`` are the other spellings a record may use."""

    code: str
    kind: PositionKind
    title: str
    title_en: str
    aliases: tuple[str, ...] = ()
    line: int | None = None

    def names(self) -> tuple[str, ...]:
        return (self.code, self.title, *self.aliases)


@dataclass(frozen=True)
class Requirement:
    """At least ``level`` on ``track``, compared by the catalog's tier."""

    track: Track
    level: str

    @property
    def level_info(self) -> Level:
        found = catalog.level_of(self.track, self.level)
        assert found is not None  # validated at load
        return found

    @property
    def tier(self) -> int:
        return self.level_info.tier

    @property
    def kind(self) -> RequirementKind:
        return RequirementKind.TRAINING

    @property
    def key(self) -> str:
        return str(self.track)

    def describe(self) -> str:
        return f"{self.track} at least {self.level}"


class _Condition:
    """A condition of appointment other than a training level, keyed by its kind (where a training
    requirement is keyed by its track)."""

    kind: ClassVar[RequirementKind]

    @property
    def key(self) -> str:
        return str(self.kind)


@dataclass(frozen=True)
class ExperienceRequirement(_Condition):
    """At least ``months`` in the posts (or ranks) ``in_positions`` by the day the post is taken:
    separate periods add up when ``accumulate`` (else the longest unbroken one counts)."""

    kind: ClassVar[RequirementKind] = RequirementKind.EXPERIENCE

    months: int
    in_positions: tuple[str, ...]
    accumulate: bool = True

    def describe(self) -> str:
        how = "in all" if self.accumulate else "unbroken"
        return f"at least {self.months} months as {' or '.join(self.in_positions)} ({how})"


@dataclass(frozen=True)
class AgeHeadroomRequirement(_Condition):
    """At least ``months`` from the day the post is taken to the person's retirement age (by the
    ``[[retirement_age]]`` schedules); only at a first appointment when ``first_appointment_only``."""

    kind: ClassVar[RequirementKind] = RequirementKind.AGE_HEADROOM

    months: int
    first_appointment_only: bool = True

    def describe(self) -> str:
        when = "at a first appointment" if self.first_appointment_only else "at appointment"
        return f"at least {self.months} months before retirement age {when}"


@dataclass(frozen=True)
class FieldOfStudyRequirement(_Condition):
    """A credential of ``track`` at ``min_level`` or higher whose field of study (chuyên ngành) is
    one of ``fields`` (codes of the ``[[field]]`` taxonomy)."""

    kind: ClassVar[RequirementKind] = RequirementKind.FIELD_OF_STUDY

    track: Track
    min_level: str
    fields: tuple[str, ...]

    @property
    def level_info(self) -> Level:
        found = catalog.level_of(self.track, self.min_level)
        assert found is not None  # validated at load
        return found

    @property
    def tier(self) -> int:
        return self.level_info.tier

    def describe(self) -> str:
        return f"{self.track} at least {self.min_level} in {' or '.join(self.fields)}"


@dataclass(frozen=True)
class PlanningPoolRequirement(_Condition):
    """A place in the planning pool (quy hoạch) covering the day the post is taken, for the post
    itself or one of ``pool_positions``; only at a first appointment when ``first_appointment_only``."""

    kind: ClassVar[RequirementKind] = RequirementKind.PLANNING_POOL

    pool_positions: tuple[str, ...] = ()  # empty: the post being checked
    first_appointment_only: bool = True

    def describe(self) -> str:
        pools = " or ".join(self.pool_positions) if self.pool_positions else "the post"
        return f"in the planning pool for {pools}"


AnyRequirement = (
    Requirement
    | ExperienceRequirement
    | AgeHeadroomRequirement
    | FieldOfStudyRequirement
    | PlanningPoolRequirement
)

# Kinds judged on the day the post was taken (the appointment), not on the day checked.
AT_APPOINTMENT = frozenset(
    {RequirementKind.EXPERIENCE, RequirementKind.AGE_HEADROOM, RequirementKind.PLANNING_POOL}
)


@dataclass(frozen=True)
class Age:
    """An age in years and months."""

    years: int
    months: int = 0

    @property
    def in_months(self) -> int:
        return self.years * 12 + self.months

    @classmethod
    def of_months(cls, months: int) -> Age:
        return cls(months // 12, months % 12)

    def __str__(self) -> str:
        return f"{self.years}y{self.months}m" if self.months else f"{self.years}y"


@dataclass(frozen=True)
class RetirementAge:
    """The retirement age of one gender over a period: ``age`` in the year of ``valid_from``,
    rising by ``rises_by_months`` each later calendar year up to ``until`` (Labour Code 2019,
    Decree 135/2020/NĐ-CP: men 60y3m in 2021 to 62 in 2028; women 55y4m in 2021 to 60 in 2035)."""

    id: str
    gender: str
    age: Age
    valid_from: date | None
    valid_to: date | None
    legal_basis: str
    rises_by_months: int = 0
    until: Age | None = None
    note: str = ""
    line: int | None = None

    def in_year(self, year: int) -> Age:
        """The retirement age of someone reaching it in ``year``."""
        start = self.valid_from.year if self.valid_from is not None else year
        months = self.age.in_months + self.rises_by_months * max(0, year - start)
        if self.until is not None:
            months = min(months, self.until.in_months)
        return Age.of_months(months)


@dataclass(frozen=True)
class FieldOfStudy:
    """A field of study (ngành, chuyên ngành) of the taxonomy a ``[[field_of_study]]`` rule names:
    a credential's recorded field (else its title) is matched against the code, the title and the
    aliases, ignoring case and diacritics."""

    code: str
    title: str
    title_en: str
    aliases: tuple[str, ...] = ()
    line: int | None = None

    def names(self) -> tuple[str, ...]:
        return (self.code, self.title, *self.aliases)


def selected_under(
    variants: frozenset[str], selection: Mapping[str, str], option_of: Mapping[str, str]
) -> bool:
    """Whether an item tagged with ``variants`` applies under ``selection``.

    Tags are grouped by the option they belong to; the item applies when, for every option it
    names, the selected choice is among its tags (no tags: always).
    """
    wanted: dict[str, set[str]] = {}
    for choice in variants:
        wanted.setdefault(option_of[choice], set()).add(choice)
    return all(selection.get(option) in choices for option, choices in wanted.items())




@dataclass(frozen=True)
class Rule:
    id: str
    positions: tuple[str, ...]
    requires: tuple[AnyRequirement, ...]
    valid_from: date
    valid_to: date | None
    legal_basis: str
    timing: Timing
    grace_months: int | None
    severity: Severity
    variants: frozenset[str] = frozenset()
    note: str = ""
    line: int | None = None

    def in_force_on(self, day: date) -> bool:
        return in_period(day, self.valid_from, self.valid_to)

    @property
    def kind(self) -> RequirementKind:
        """``training`` for a ``[[rule]]``; else the kind of its section's one requirement."""
        return self.requires[0].kind if self.requires else RequirementKind.TRAINING


@dataclass(frozen=True)
class CredentialMatch:
    """Which credentials an equivalence or restriction is about."""

    track: Track
    level: str | None = None
    min_level: str | None = None
    title_contains: tuple[str, ...] = ()  # normalized; any of them
    title_regex: str | None = None
    issued_before: date | None = None
    issued_on_or_after: date | None = None

    def matches(self, credential: CredentialState) -> bool:
        if credential.track != self.track or credential.level is None:
            return False
        if self.level is not None and credential.level != self.level:
            return False
        if self.min_level is not None:
            held = catalog.level_of(credential.track, credential.level)
            wanted = catalog.level_of(self.track, self.min_level)
            if held is None or wanted is None or held.tier < wanted.tier:
                return False
        if not self.title_matches(credential.title):
            return False
        if self.issued_before is not None and not credential.issued_on < self.issued_before:
            return False
        return self.issued_on_or_after is None or credential.issued_on >= self.issued_on_or_after

    def title_matches(self, title: str) -> bool:
        normalized = normalize_name(title)
        if self.title_contains and not any(part in normalized for part in self.title_contains):
            return False
        if self.title_regex is not None:
            pattern = re.compile(self.title_regex, re.IGNORECASE)
            return bool(pattern.search(title) or pattern.search(normalized))
        return True


@dataclass(frozen=True)
class Equivalence:
    """A credential matching ``match`` also counts as ``counts_as`` (on days in its period, for
    its positions, under its variants)."""

    id: str
    match: CredentialMatch
    counts_as: Requirement
    legal_basis: str
    positions: tuple[str, ...] = ()  # empty: every position
    valid_from: date | None = None
    valid_to: date | None = None
    variants: frozenset[str] = frozenset()
    note: str = ""
    line: int | None = None

    def applies(self, position: str, day: date) -> bool:
        return (not self.positions or position in self.positions) and in_period(
            day, self.valid_from, self.valid_to
        )


@dataclass(frozen=True)
class Restriction:
    """Credentials matching ``match`` are recognized only when issued inside the given dates."""

    id: str
    match: CredentialMatch
    issued_before: date | None
    issued_on_or_after: date | None
    legal_basis: str
    variants: frozenset[str] = frozenset()
    note: str = ""
    line: int | None = None

    def excludes(self, credential: CredentialState) -> bool:
        if not self.match.matches(credential):
            return False
        issued = credential.issued_on
        recognized = (self.issued_before is None or issued < self.issued_before) and (
            self.issued_on_or_after is None or issued >= self.issued_on_or_after
        )
        return not recognized


@dataclass(frozen=True)
class CommitmentRule:
    """A funded course of these tracks/levels starting in the period commits the trainee to serve
    ``multiplier`` times its length afterwards."""

    id: str
    tracks: tuple[Track, ...]
    levels: tuple[str, ...]
    funding: tuple[Funding, ...]
    multiplier: Decimal
    valid_from: date
    valid_to: date | None
    legal_basis: str
    note: str = ""
    line: int | None = None

    def covers(self, track: Track, level: str | None, funding: Funding | None, starts_on: date) -> bool:
        return (
            track in self.tracks
            and (not self.levels or level in self.levels)
            and funding in self.funding
            and in_period(starts_on, self.valid_from, self.valid_to)
        )


@dataclass(frozen=True)
class VariantOption:
    name: str
    choices: tuple[str, ...]
    default: str
    doc: str = ""
