"""Position standards as effective-dated data: the rules file, its model, loading and validation.

The rules change with the law (Decree 101/2017 → 89/2021 → 171/2025; Decree 29/2024 from
2024-05-01), so they are data with dates, never code. A rules file (TOML) declares:

* ``[rule_set]``: id, version, title;
* ``[variants.NAME]``: named options with their choices (the shipped file has ``standard``:
  lenient/strict and ``leadership_timing``: grace/before); one choice per option is selected when
  the file is loaded;
* ``[[position]]``: the posts and ranks rules talk about, with the titles and aliases a record's
  free-text position or rank is matched against;
* ``[[rule]]``: for some positions, minimum levels per track (compared by catalog *tier*), in force
  from ``valid_from`` to ``valid_to`` (inclusive), with a legal basis, a timing mode and a severity;
* ``[[equivalence]]``: a credential matching a pattern counts as another track/level, under its own
  date conditions;
* ``[[restriction]]``: credentials matching a pattern are recognized only under date conditions;
* ``[[commitment]]``: the service commitment a funded degree course creates (a multiple of its
  length), by course start date.

A file with a mistake is refused as a whole with :class:`RulesFileError`, which names the file, the
line and the reason of every problem found. The module does no I/O except in the ``load_*``
functions; the model is immutable and safe to share between threads.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import itertools
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from ledger.domain import catalog
from ledger.domain.catalog import Funding, Gender, Level, Track
from ledger.domain.record import CredentialState
from ledger.text import without_diacritics

RULES_PATH_VARIABLE = "LEDGER_RULES"
RULES_VARIANT_VARIABLE = "LEDGER_RULES_VARIANT"
DEFAULT_RULES_RESOURCE = "default_rules.toml"


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


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Problem:
    line: int | None
    reason: str
    column: int | None = None


class RulesFileError(ValueError):
    """A rules file that cannot be used: every problem found, each with its line."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__(str(self))

    @property
    def line(self) -> int | None:
        return self.problems[0].line if self.problems else None

    @property
    def reason(self) -> str:
        return self.problems[0].reason if self.problems else ""

    def __str__(self) -> str:
        return "\n".join(self._where(p) + p.reason for p in self.problems)

    def _where(self, problem: Problem) -> str:
        if problem.line is None:
            return f"{self.source}: "
        if problem.column is None:
            return f"{self.source}:{problem.line}: "
        return f"{self.source}:{problem.line}:{problem.column}: "


# --------------------------------------------------------------------------- names


@functools.lru_cache(maxsize=65536)
def normalize_name(text: str) -> str:
    """A title as compared: without diacritics (đ → d), case-folded, punctuation as spaces
    (remembered: the reports compare the same course titles over and over)."""
    plain = without_diacritics(text).casefold()
    return " ".join(re.sub(r"[^0-9a-z.]+", " ", plain).split())


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - date.resolution).day
    return date(year, month, min(day.day, last_day))


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (a month is complete on the same day of the month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def _end_of_month(day: date) -> date:
    return add_months(date(day.year, day.month, 1), 1) - date.resolution


def months_spanned(start: date, end: date) -> int:
    """Calendar length of a course in months, a started month counting as a whole one."""
    whole = months_between(start, end)
    return whole + (1 if add_months(start, whole) < end else 0)


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


def _selected(variants: frozenset[str], selection: Mapping[str, str], option_of: Mapping[str, str]) -> bool:
    """Whether an item tagged with ``variants`` applies under ``selection``.

    Tags are grouped by the option they belong to; the item applies when, for every option it
    names, the selected choice is among its tags (no tags: always).
    """
    wanted: dict[str, set[str]] = {}
    for choice in variants:
        wanted.setdefault(option_of[choice], set()).add(choice)
    return all(selection.get(option) in choices for option, choices in wanted.items())


def _in_period(day: date, valid_from: date | None, valid_to: date | None) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


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
        return _in_period(day, self.valid_from, self.valid_to)

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
        return (not self.positions or position in self.positions) and _in_period(
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
            and _in_period(starts_on, self.valid_from, self.valid_to)
        )


@dataclass(frozen=True)
class VariantOption:
    name: str
    choices: tuple[str, ...]
    default: str
    doc: str = ""


@dataclass(frozen=True)
class RuleSet:
    """A loaded rules file with one choice selected per variant option."""

    id: str
    version: str
    title: str
    source: str
    digest: str
    options: tuple[VariantOption, ...]
    selection: tuple[tuple[str, str], ...]
    positions: tuple[Position, ...]
    rules: tuple[Rule, ...]
    equivalences: tuple[Equivalence, ...]
    restrictions: tuple[Restriction, ...]
    commitments: tuple[CommitmentRule, ...]
    retirement_ages: tuple[RetirementAge, ...] = ()
    fields: tuple[FieldOfStudy, ...] = ()
    # The file's text, so another process (a worker of a parallel rebuild) can load the same rules.
    text: str = field(default="", compare=False, repr=False)
    _index: dict[tuple[PositionKind, str], Position] = field(default_factory=dict, compare=False, repr=False)
    # Answers remembered per rule set: the reports ask the same questions for every person.
    _in_force: dict[date, tuple[Rule, ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for position in self.positions:
            for name in position.names():
                self._index.setdefault((position.kind, normalize_name(name)), position)

    # ------------------------------------------------------------ selection

    @property
    def choices(self) -> dict[str, str]:
        return dict(self.selection)

    @property
    def variant(self) -> str:
        """The selected choices, e.g. ``lenient,grace``."""
        return ",".join(choice for _, choice in self.selection)

    @property
    def label(self) -> str:
        """What an event records as the rule set it was checked against."""
        variant = f"[{self.variant}]" if self.selection else ""
        return f"{self.id}@{self.version}{variant}#{self.digest[:12]}"

    def option_of(self) -> dict[str, str]:
        return {choice: option.name for option in self.options for choice in option.choices}

    @functools.cached_property
    def _selector(self) -> tuple[dict[str, str], dict[str, str]]:
        return self.choices, self.option_of()

    def applies(self, variants: frozenset[str]) -> bool:
        if not variants:
            return True
        selection, option_of = self._selector
        return _selected(variants, selection, option_of)

    def select(self, variant: str | Sequence[str] | None) -> RuleSet:
        """The same rules under another selection (``"strict"``, ``"strict,before"``,
        ``"standard=strict"``); options not named keep their current choice."""
        selection = parse_selection(variant, self.options, self.source, base=self.choices)
        return replace(self, selection=selection)

    # ------------------------------------------------------------ positions

    def position(self, code: str) -> Position | None:
        return next((p for p in self.positions if p.code == code), None)

    def resolve(self, name: str | None, kind: PositionKind | None = None) -> Position | None:
        """The position a free-text post or rank names: exact title, code or alias first, then the
        longest alias the text starts with ("Trưởng phòng Nghiệp vụ 1" → Trưởng phòng). Without
        ``kind``, posts are tried before ranks."""
        if not name or not name.strip():
            return None
        key = normalize_name(name)
        kinds = [kind] if kind is not None else [PositionKind.POST, PositionKind.RANK]
        for wanted in kinds:
            exact = self._index.get((wanted, key))
            if exact is not None:
                return exact
        for wanted in kinds:
            prefixes = [
                (len(alias), position)
                for (k, alias), position in self._index.items()
                if k == wanted and key.startswith(alias + " ")
            ]
            if prefixes:
                return max(prefixes, key=lambda item: item[0])[1]
        return None

    # ------------------------------------------------------------ queries

    def rules_in_force(self, day: date) -> tuple[Rule, ...]:
        found = self._in_force.get(day)
        if found is None:
            found = tuple(r for r in self.rules if r.in_force_on(day) and self.applies(r.variants))
            if len(self._in_force) < 4096:
                self._in_force[day] = found
        return found

    def rules_for(self, position: str, day: date) -> tuple[Rule, ...]:
        """The rules for a position code in force on ``day`` under this selection."""
        return tuple(r for r in self.rules_in_force(day) if position in r.positions)

    def equivalences_for(self, position: str, day: date) -> tuple[Equivalence, ...]:
        return tuple(e for e in self.equivalences if e.applies(position, day) and self.applies(e.variants))

    def active_restrictions(self) -> tuple[Restriction, ...]:
        return tuple(r for r in self.restrictions if self.applies(r.variants))

    def commitment_for(
        self, track: Track, level: str | None, funding: Funding | None, starts_on: date
    ) -> CommitmentRule | None:
        return next((c for c in self.commitments if c.covers(track, level, funding, starts_on)), None)

    # ------------------------------------------------------------ conditions of appointment

    def retirement_age_in(self, gender: str, year: int) -> tuple[Age, RetirementAge] | None:
        """The retirement age of ``gender`` for someone reaching it in ``year`` (the schedule in
        force on 1 January of that year), with the schedule that says so."""
        first = date(year, 1, 1)
        for schedule in self.retirement_ages:
            if schedule.gender == gender and _in_period(first, schedule.valid_from, schedule.valid_to):
                return schedule.in_year(year), schedule
        return None

    def retirement(self, gender: str, birth_date: date) -> tuple[date, Age, RetirementAge] | None:
        """When a person retires: the last day of the month in which they reach the retirement age
        of the year they reach it (Decree 135/2020/NĐ-CP: a man born 10/1961 reaches 60y3m, the age
        of 2021, only in 2022, whose age is 60y6m: he retires at the end of 4/2022). None when no
        schedule covers the years around it."""
        for year in range(birth_date.year + 40, birth_date.year + 81):
            found = self.retirement_age_in(gender, year)
            if found is None:
                continue
            age, schedule = found
            reached = add_months(birth_date, age.in_months)
            if reached.year <= year:
                return _end_of_month(reached), age, schedule
        return None

    @functools.cached_property
    def _field_index(self) -> dict[str, FieldOfStudy]:
        index: dict[str, FieldOfStudy] = {}
        for item in self.fields:
            for name in item.names():
                index.setdefault(normalize_name(name), item)
        return index

    def field_named(self, text: str | None) -> FieldOfStudy | None:
        """The field a recorded field of study names: exact code, title or alias, else the longest
        one the text starts with ("Luật kinh tế quốc tế" → Luật kinh tế)."""
        if not text or not text.strip():
            return None
        key = normalize_name(text)
        exact = self._field_index.get(key)
        if exact is not None:
            return exact
        prefixes = [
            (len(name), item) for name, item in self._field_index.items() if key.startswith(name + " ")
        ]
        return max(prefixes, key=lambda found: found[0])[1] if prefixes else None

    def field_in_title(self, title: str) -> FieldOfStudy | None:
        """The field a credential's title names, for credentials recorded without one ("Cử nhân
        Luật kinh tế" → Luật kinh tế): the longest title or alias found in it as whole words."""
        words = f" {normalize_name(title)} "
        found = [
            (len(name), item) for name, item in self._field_index.items() if f" {name} " in words
        ]
        return max(found, key=lambda hit: hit[0])[1] if found else None


def parse_selection(
    variant: str | Sequence[str] | None,
    options: Sequence[VariantOption],
    source: str,
    *,
    base: Mapping[str, str] | None = None,
) -> tuple[tuple[str, str], ...]:
    """Resolve a variant request against the declared options; unknown choices are refused."""
    chosen = {o.name: o.default for o in options}
    chosen.update(base or {})
    if isinstance(variant, str):
        parts = [p.strip() for p in variant.split(",")]
    else:
        parts = [p.strip() for p in variant or ()]
    option_of = {choice: o.name for o in options for choice in o.choices}
    by_name = {o.name: o for o in options}
    problems: list[Problem] = []
    for part in filter(None, parts):
        name, sep, choice = part.partition("=")
        if sep:
            option = by_name.get(name.strip())
            if option is None or choice.strip() not in option.choices:
                problems.append(Problem(None, f"unknown variant '{part}'{_known_choices(options)}"))
                continue
            chosen[option.name] = choice.strip()
        elif part in option_of:
            chosen[option_of[part]] = part
        else:
            problems.append(Problem(None, f"unknown variant '{part}'{_known_choices(options)}"))
    if problems:
        raise RulesFileError(f"{source} ({RULES_VARIANT_VARIABLE})", problems)
    return tuple((o.name, chosen[o.name]) for o in options)


def _known_choices(options: Sequence[VariantOption]) -> str:
    if not options:
        return "; this rules file declares no variants"
    listed = "; ".join(f"{o.name}: {', '.join(o.choices)}" for o in options)
    return f" (choices: {listed})"


# --------------------------------------------------------------------------- loading


def default_rules_text() -> str:
    """The rules file shipped with the package."""
    return resources.files("ledger.standards").joinpath(DEFAULT_RULES_RESOURCE).read_text(encoding="utf-8")


def load_rules(path: str | Path | None = None, *, variant: str | Sequence[str] | None = None) -> RuleSet:
    """Load and validate a rules file (the shipped one when ``path`` is None)."""
    if path is None:
        return parse_rules(default_rules_text(), source=f"<ledger>/{DEFAULT_RULES_RESOURCE}", variant=variant)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RulesFileError(str(path), [Problem(None, f"cannot read the rules file: {error}")]) from None
    return parse_rules(text, source=str(path), variant=variant)


def rules_from_environment(env: Mapping[str, str] | None = None) -> RuleSet:
    """The rules named by ``LEDGER_RULES`` (a path; default: the shipped file), with the choices
    of ``LEDGER_RULES_VARIANT`` (e.g. ``strict`` or ``strict,before``; default: the file's)."""
    env = os.environ if env is None else env
    path = env.get(RULES_PATH_VARIABLE) or None
    variant = env.get(RULES_VARIANT_VARIABLE) or None
    return load_rules(path, variant=variant)


def parse_rules(text: str, *, source: str = "<rules>", variant: str | Sequence[str] | None = None) -> RuleSet:
    """Parse and validate the text of a rules file; raise :class:`RulesFileError` on any mistake."""
    key = tuple(variant) if variant is not None and not isinstance(variant, str) else variant
    return _parse_cached(text, source, key)


@functools.lru_cache(maxsize=32)
def _parse_cached(text: str, source: str, variant: str | tuple[str, ...] | None) -> RuleSet:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, column = _toml_error_position(str(error))
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)\s*$", "", str(error))
        raise RulesFileError(source, [Problem(line, f"not valid TOML: {reason}", column)]) from None
    loader = _Loader(text, source)
    rule_set = loader.load(data)
    return rule_set.select(variant) if variant else rule_set


def _toml_error_position(message: str) -> tuple[int | None, int | None]:
    found = re.search(r"at line (\d+), column (\d+)", message)
    if found:
        return int(found[1]), int(found[2])
    return None, None


# --------------------------------------------------------------------------- source lines

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*\]\]?\s*(?:#.*)?$")


class _SourceMap:
    """Finds the line of a table, an array item or a key in the text tomllib parsed.

    tomllib reports lines only for syntax errors; for the meaning of a file (an unknown track, a
    bad date, overlapping periods) the loader asks this map where the offending item is: the n-th
    ``[[rule]]`` header, then the first line of each key on the path inside that item.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str, bool]] = []
        for number, line in enumerate(self.lines, start=1):
            found = _HEADER.match(line)
            if found:
                self.headers.append((number, re.sub(r"\s+", "", found[2]), found[1] == "[["))

    def block(self, table: str | None, index: int | None = None) -> tuple[int, int]:
        """First and one-past-last line of a table (``index``: the n-th item of an array)."""
        end_of_file = len(self.lines) + 1
        if table is None:  # top-level keys: before the first header
            first = self.headers[0][0] if self.headers else end_of_file
            return 1, first
        if index is not None:
            starts = [n for n, name, is_array in self.headers if is_array and name == table]
        else:
            starts = [n for n, name, is_array in self.headers if not is_array and name == table]
        if not starts:
            return 1, end_of_file
        start = starts[min(index or 0, len(starts) - 1)]
        for number, name, _ in self.headers:
            if number > start and not (name.startswith(table + ".")):
                return start, number
        return start, end_of_file

    def line_of(self, table: str | None, index: int | None = None, path: Sequence[str] = ()) -> int:
        start, end = self.block(table, index)
        line = start
        for key in path:
            found = self._find_key(key, line, end)
            if found is None:
                break
            line = found
        return line

    def _find_key(self, key: str, start: int, end: int) -> int | None:
        assignment = re.compile(rf'(^|[{{,\s]){re.escape(key)}\s*=|(^|[{{,\s])"{re.escape(key)}"\s*=')
        header_names = {n: name for n, name, _ in self.headers}
        for number in range(start, min(end, len(self.lines) + 1)):
            text = self.lines[number - 1].split("#", 1)[0]
            header = header_names.get(number)
            if header is not None and header.split(".")[-1] == key and number != start:
                return number
            if assignment.search(text):
                return number
        return None


# --------------------------------------------------------------------------- validation

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


class _Invalid(Exception):
    """One problem with a value; the loader records it with the value's line."""


@dataclass
class _Item:
    """One table of the file being read, with where it is, for messages and line numbers."""

    loader: _Loader
    table: str | None
    index: int | None
    data: Mapping[str, Any]

    @property
    def name(self) -> str:
        if self.table is None:
            return "the top level"
        return f"[[{self.table}]] #{self.index + 1}" if self.index is not None else f"[{self.table}]"

    def line(self, *path: str) -> int:
        return self.loader.map.line_of(self.table, self.index, path)

    def problem(self, reason: str, *path: str) -> None:
        self.loader.problems.append(Problem(self.line(*path), reason))

    def allow(self, keys: Iterable[str]) -> None:
        allowed = list(keys)
        for key in self.data:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problem(
                    f"unknown key '{key}' in {self.name}{suggestion}; allowed: {', '.join(allowed)}", key
                )

    def get(
        self,
        key: str,
        convert: Callable[[Any], Any],
        *,
        required: bool = False,
        default: Any = None,
        path: Sequence[str] = (),
    ) -> Any:
        """``data[key]`` converted, or ``default``; a missing required key or a bad value is
        recorded as a problem (and ``default`` returned) so that loading reports them all."""
        where = (*path, key)
        if key not in self.data:
            if required:
                self.problem(f"{self.name} needs '{'.'.join(where)}'", *path)
            return default
        try:
            return convert(self.data[key])
        except _Invalid as error:
            self.problem(f"'{'.'.join(where)}' in {self.name}: {error}", *where)
            return default


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("expected non-empty text")
    return value.strip()


def _version(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Invalid("expected text or a number")
    return str(value).strip()


def _code(value: Any) -> str:
    text = _text(value)
    if not _CODE.fullmatch(text):
        raise _Invalid(f"'{text}' is not a code (letters, digits, '_', '.', '-')")
    return text


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_text(value),)
    if not isinstance(value, list):
        raise _Invalid("expected a list of text")
    return tuple(_text(v) for v in value)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        raise _Invalid(f"expected a date without a time, got {value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise _Invalid(f"'{value}' is not a date (YYYY-MM-DD)") from None
    raise _Invalid(f"expected a date (YYYY-MM-DD), got {value!r}")


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _Invalid(f"expected a whole number above 0, got {value!r}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {value!r}")
    return value


def _age(value: Any) -> Age:
    if not isinstance(value, dict):
        raise _Invalid("expected a table { years = N, months = M }")
    extra = set(value) - {"years", "months"}
    if extra:
        raise _Invalid(f"unknown key '{sorted(extra)[0]}' (allowed: years, months)")
    years, months = value.get("years"), value.get("months", 0)
    if isinstance(years, bool) or not isinstance(years, int) or not 15 <= years <= 100:
        raise _Invalid(f"'years' must be a whole number of years from 15 to 100, got {years!r}")
    if isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= 11:
        raise _Invalid(f"'months' must be a whole number from 0 to 11, got {months!r}")
    return Age(years, months)


def _multiplier(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise _Invalid(f"expected a number above 0, got {value!r}")
    return Decimal(str(value))


def _enum(kind: type[StrEnum]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise _Invalid(f"'{value}' is not one of: {allowed}") from None

    return convert


def _track(value: Any) -> Track:
    try:
        return Track(value)
    except ValueError:
        allowed = ", ".join(t.value for t in Track if catalog.track_info(t).has_levels)
        raise _Invalid(f"unknown track '{value}' (tracks with levels: {allowed})") from None


def _table(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid('expected a table, e.g. { track = "...", level = "..." }')
    return value


def _regex(value: Any) -> str:
    text = _text(value)
    try:
        re.compile(text)
    except re.error as error:
        raise _Invalid(f"not a valid regular expression: {error}") from None
    return text


class _Loader:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.map = _SourceMap(text)
        self.problems: list[Problem] = []
        self.choice_option: dict[str, str] = {}

    def fail_if_any(self) -> None:
        if self.problems:
            ordered = sorted(self.problems, key=lambda p: p.line or 0)
            raise RulesFileError(self.source, ordered)

    # ------------------------------------------------------------ document

    def load(self, data: Mapping[str, Any]) -> RuleSet:
        top = _Item(self, None, None, data)
        sections = (
            "rule_set",
            "variants",
            "position",
            "rule",
            "equivalence",
            "restriction",
            "commitment",
            "experience",
            "age_headroom",
            "field_of_study",
            "planning_pool",
            "retirement_age",
            "field",
        )
        for key in data:
            if key not in sections:
                hint = difflib.get_close_matches(key, sections, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problems.append(
                    Problem(self._top_level_line(key), f"unknown section '{key}'{suggestion}")
                )
        head = self._table_item("rule_set", data.get("rule_set"), required=True)
        rule_set_id = version = title = ""
        if head is not None:
            head.allow(("id", "version", "title", "description"))
            rule_set_id = head.get("id", _code, required=True, default="")
            version = head.get("version", _version, required=True, default="")
            title = head.get("title", _text, default="")
            head.get("description", _text)
        options = self._options(data.get("variants"))
        positions = self._positions(self._array(top, "position"))
        position_codes = {p.code: p for p in positions}
        fields = self._fields(self._array(top, "field"))
        field_codes = {f.code: f for f in fields}
        retirement_ages = self._retirement_ages(self._array(top, "retirement_age"))
        rules = [r for r in (self._rule(item, position_codes) for item in self._array(top, "rule")) if r]
        conditions: list[Rule | None] = [
            *(self._experience(item, position_codes) for item in self._array(top, "experience")),
            *(self._age_headroom(item, position_codes) for item in self._array(top, "age_headroom")),
            *(
                self._field_of_study(item, position_codes, field_codes)
                for item in self._array(top, "field_of_study")
            ),
            *(self._planning_pool(item, position_codes) for item in self._array(top, "planning_pool")),
        ]
        rules += [r for r in conditions if r]
        if "age_headroom" in data and "retirement_age" not in data:
            self.problems.append(
                Problem(
                    self._top_level_line("age_headroom"),
                    "[[age_headroom]] needs the retirement ages: declare them in [[retirement_age]] tables",
                )
            )
        equivalences = [
            e
            for e in (self._equivalence(item, position_codes) for item in self._array(top, "equivalence"))
            if e
        ]
        restrictions = [r for r in (self._restriction(item) for item in self._array(top, "restriction")) if r]
        commitments = [c for c in (self._commitment(item) for item in self._array(top, "commitment")) if c]
        self._unique_ids("rule", rules)
        self._unique_ids("retirement_age", retirement_ages)
        self._unique_ids("equivalence", equivalences)
        self._unique_ids("restriction", restrictions)
        self._unique_ids("commitment", commitments)
        self.fail_if_any()
        self._no_overlapping_rules(rules, options)
        self._no_overlapping_commitments(commitments)
        self.fail_if_any()
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        return RuleSet(
            id=rule_set_id,
            version=version,
            title=title,
            source=self.source,
            digest=digest,
            options=tuple(options),
            selection=tuple((o.name, o.default) for o in options),
            positions=tuple(positions),
            rules=tuple(rules),
            equivalences=tuple(equivalences),
            restrictions=tuple(restrictions),
            commitments=tuple(commitments),
            retirement_ages=tuple(retirement_ages),
            fields=tuple(fields),
            text=self.text,
        )

    def _top_level_line(self, key: str) -> int:
        for number, name, _ in self.map.headers:
            if name == key or name.startswith(key + "."):
                return number
        return self.map.line_of(None, None, (key,))

    def _table_item(self, name: str, value: Any, *, required: bool = False) -> _Item | None:
        if value is None:
            if required:
                self.problems.append(Problem(1, f"the file needs a [{name}] table (id, version, title)"))
            return None
        if not isinstance(value, dict):
            self.problems.append(Problem(self._top_level_line(name), f"'{name}' must be a table: [{name}]"))
            return None
        return _Item(self, name, None, value)

    def _array(self, top: _Item, name: str) -> list[_Item]:
        value = top.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problems.append(
                Problem(self._top_level_line(name), f"'{name}' must be written as [[{name}]] tables")
            )
            return []
        return [_Item(self, name, index, item) for index, item in enumerate(value)]

    def _unique_ids(self, table: str, items: Sequence[Any]) -> None:
        seen: dict[str, int | None] = {}
        for item in items:
            if item.id in seen:
                self.problems.append(
                    Problem(
                        item.line, f"[[{table}]] id '{item.id}' is used twice (first at line {seen[item.id]})"
                    )
                )
            else:
                seen[item.id] = item.line

    def _variants(self, item: _Item) -> frozenset[str]:
        def convert(value: Any) -> frozenset[str]:
            names = _texts(value)
            unknown = [n for n in names if n not in self.choice_option]
            if unknown:
                declared = ", ".join(sorted(self.choice_option)) or "none declared"
                raise _Invalid(f"unknown variant choice '{unknown[0]}' (declared: {declared})")
            return frozenset(names)

        result: frozenset[str] = item.get("variants", convert, default=frozenset())
        return result

    # ------------------------------------------------------------ sections

    def _options(self, value: Any) -> list[VariantOption]:
        if value is None:
            return []
        if not isinstance(value, dict):
            self.problems.append(Problem(self._top_level_line("variants"), "'variants' must be a table"))
            return []
        options = []
        for name, spec in value.items():
            item = _Item(self, f"variants.{name}", None, spec if isinstance(spec, dict) else {})
            if not isinstance(spec, dict):
                item.problem(f"variant option '{name}' must be a table with choices and default")
                continue
            item.allow(("choices", "default", "doc"))
            choices = item.get(
                "choices", lambda v: tuple(_code(c) for c in _texts(v)), required=True, default=()
            )
            default = item.get("default", _code, default=choices[0] if choices else "")
            doc = item.get("doc", _text, default="")
            if not choices:
                continue
            if len(set(choices)) != len(choices):
                item.problem(f"variant option '{name}' lists a choice twice", "choices")
            if default not in choices:
                item.problem(f"default '{default}' is not one of the choices of '{name}'", "default")
            for choice in choices:
                if choice in self.choice_option and self.choice_option[choice] != name:
                    item.problem(
                        f"choice '{choice}' is declared by both '{self.choice_option[choice]}' and "
                        f"'{name}': choices must be unique across options",
                        "choices",
                    )
                self.choice_option.setdefault(choice, name)
            options.append(VariantOption(name, choices, default, doc))
        return options

    def _positions(self, items: list[_Item]) -> list[Position]:
        positions: list[Position] = []
        names: dict[tuple[PositionKind, str], tuple[str, int]] = {}
        for item in items:
            item.allow(("code", "kind", "title", "title_en", "aliases"))
            code = item.get("code", _code, required=True)
            kind = item.get("kind", _enum(PositionKind), default=PositionKind.POST)
            title = item.get("title", _text, required=True, default=code)
            title_en = item.get("title_en", _text, default=title)
            aliases = item.get("aliases", _texts, default=())
            if code is None:
                continue
            if any(p.code == code for p in positions):
                item.problem(f"position code '{code}' is declared twice", "code")
                continue
            position = Position(code, kind, title or code, title_en or code, aliases, item.line())
            for alias in position.names():
                key = (kind, normalize_name(alias))
                other = names.get(key)
                if other is not None and other[0] != code:
                    item.problem(
                        f"'{alias}' names both '{other[0]}' (line {other[1]}) and '{code}'",
                        "aliases" if alias in aliases else "title",
                    )
                names.setdefault(key, (code, item.line()))
            positions.append(position)
        return positions

    def _position_refs(
        self, item: _Item, known: Mapping[str, Position], *, required: bool
    ) -> tuple[str, ...]:
        def convert(value: Any) -> tuple[str, ...]:
            codes = _texts(value)
            if not codes:
                every = "" if required else " (leave the key out to mean every position)"
                raise _Invalid(f"name at least one position{every}")
            for code in codes:
                if code not in known:
                    hint = difflib.get_close_matches(code, list(known), n=1)
                    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                    raise _Invalid(f"unknown position '{code}'{suggestion}; declare it in a [[position]]")
            return codes

        if "position" in item.data and "positions" in item.data:
            item.problem("give either 'position' or 'positions', not both", "position")
        key = "position" if "position" in item.data else "positions"
        codes: tuple[str, ...] = item.get(key, convert, default=())
        if required and key not in item.data:
            item.problem(f"{item.name} needs 'positions' (a list of position codes)")
        return codes

    def _level_of(self, item: _Item, track: Track | None, level: Any, path: Sequence[str]) -> str | None:
        if track is None:
            return None
        info = catalog.track_info(track)
        if not info.has_levels:
            item.problem(f"track '{track}' has no levels, so it cannot be required by level", *path)
            return None
        if not isinstance(level, str) or info.level(level) is None:
            known = ", ".join(lv.code for lv in info.levels)
            item.problem(f"unknown level '{level}' for track '{track}' (levels: {known})", *path)
            return None
        return level

    def _requirement(self, item: _Item, value: Any, path: Sequence[str]) -> Requirement | None:
        if not isinstance(value, dict):
            item.problem(f'\'{".".join(path)}\' must be a table {{ track = "...", level = "..." }}', *path)
            return None
        extra = set(value) - {"track", "level"}
        if extra:
            item.problem(
                f"unknown key '{sorted(extra)[0]}' in '{'.'.join(path)}' (allowed: track, level)", *path
            )
        sub = _Item(self, item.table, item.index, value)
        track = sub.get("track", _track, required=True, path=path)
        if "level" not in value:
            item.problem(f"'{'.'.join(path)}' needs 'level'", *path)
            return None
        level = self._level_of(item, track, value["level"], (*path, "level"))
        return Requirement(track, level) if track is not None and level is not None else None

    def _match(self, item: _Item, value: Any) -> CredentialMatch | None:
        if not isinstance(value, dict):
            item.problem(
                "'match' must be a table, e.g. { track = \"political_theory\", title_contains = [...] }",
                "match",
            )
            return None
        sub = _Item(self, item.table, item.index, value)
        allowed = (
            "track",
            "level",
            "min_level",
            "title_contains",
            "title_regex",
            "issued_before",
            "issued_on_or_after",
        )
        for key in value:
            if key not in allowed:
                item.problem(f"unknown key '{key}' in 'match' (allowed: {', '.join(allowed)})", "match", key)
        path = ("match",)
        track = sub.get("track", _track, required=True, path=path)
        level = min_level = None
        if "level" in value:
            level = self._level_of(item, track, value["level"], ("match", "level"))
        if "min_level" in value:
            min_level = self._level_of(item, track, value["min_level"], ("match", "min_level"))
        contains = sub.get("title_contains", _texts, default=(), path=path)
        regex = sub.get("title_regex", _regex, path=path)
        before = sub.get("issued_before", _date, path=path)
        after = sub.get("issued_on_or_after", _date, path=path)
        if track is None:
            return None
        return CredentialMatch(
            track=track,
            level=level,
            min_level=min_level,
            title_contains=tuple(normalize_name(c) for c in contains),
            title_regex=regex,
            issued_before=before,
            issued_on_or_after=after,
        )

    def _period(self, item: _Item, *, required: bool) -> tuple[date | None, date | None]:
        valid_from = item.get("valid_from", _date, required=required)
        valid_to = item.get("valid_to", _date)
        if valid_from is not None and valid_to is not None and valid_to < valid_from:
            item.problem(f"valid_to {valid_to} is before valid_from {valid_from}", "valid_to")
        return valid_from, valid_to

    _RULE_KEYS = (
        "id",
        "position",
        "positions",
        "valid_from",
        "valid_to",
        "legal_basis",
        "timing",
        "grace_months",
        "severity",
        "variants",
        "note",
    )

    def _rule(self, item: _Item, positions: Mapping[str, Position]) -> Rule | None:
        return self._any_rule(item, positions, ("requires",), lambda: self._requires(item))

    def _any_rule(
        self,
        item: _Item,
        positions: Mapping[str, Position],
        own_keys: Sequence[str],
        requires_of: Callable[[], tuple[AnyRequirement, ...]],
        *,
        kind: RequirementKind = RequirementKind.TRAINING,
    ) -> Rule | None:
        """A ``[[rule]]`` or one of the sections of the conditions of appointment: the keys they
        share (id, positions, period, legal basis, timing, severity, variants) and their own."""
        item.allow((*self._RULE_KEYS[:3], *own_keys, *self._RULE_KEYS[3:]))
        rule_id = item.get("id", _code, required=True)
        codes = self._position_refs(item, positions, required=True)
        if kind in (RequirementKind.EXPERIENCE, RequirementKind.AGE_HEADROOM, RequirementKind.PLANNING_POOL):
            for code in codes:
                if positions[code].kind != PositionKind.POST:
                    item.problem(
                        f"{item.name}: '{code}' is a rank; conditions of appointment apply to posts",
                        "positions" if "positions" in item.data else "position",
                    )
        requires = requires_of()
        valid_from, valid_to = self._period(item, required=True)
        legal_basis = item.get("legal_basis", _text, required=True)
        timing = item.get("timing", _enum(Timing), required=True)
        grace = item.get("grace_months", _positive_int)
        if timing == Timing.WITHIN_MONTHS_AFTER and grace is None and "grace_months" not in item.data:
            item.problem("timing 'within_months_after' needs 'grace_months' (a number of months)", "timing")
        if timing is not None and timing != Timing.WITHIN_MONTHS_AFTER and "grace_months" in item.data:
            item.problem(
                f"'grace_months' only goes with timing 'within_months_after', not '{timing}'", "grace_months"
            )
        if timing == Timing.WITHIN_MONTHS_AFTER and kind in AT_APPOINTMENT:
            item.problem(
                f"{item.name} is judged on the day the post is taken: timing must be "
                "'before_appointment' or 'advisory'",
                "timing",
            )
        default_severity = Severity.WARNING if timing == Timing.ADVISORY else Severity.ERROR
        severity = item.get("severity", _enum(Severity), default=default_severity)
        variants = self._variants(item)
        note = item.get("note", _text, default="")
        if valid_from is None or None in (rule_id, legal_basis, timing) or not codes or not requires:
            return None
        return Rule(
            id=rule_id,
            positions=codes,
            requires=requires,
            valid_from=valid_from,
            valid_to=valid_to,
            legal_basis=legal_basis,
            timing=timing,
            grace_months=grace if timing == Timing.WITHIN_MONTHS_AFTER else None,
            severity=severity,
            variants=variants,
            note=note,
            line=item.line(),
        )

    # ------------------------------------------------------------ conditions of appointment

    def _experience(self, item: _Item, positions: Mapping[str, Position]) -> Rule | None:
        def requires() -> tuple[AnyRequirement, ...]:
            months = item.get("months", _positive_int, required=True)
            counted = self._codes_in(item, "in_positions", positions, required=True)
            accumulate = item.get("accumulate", _bool, default=True)
            if months is None or not counted:
                return ()
            return (ExperienceRequirement(months, counted, accumulate),)

        return self._any_rule(
            item,
            positions,
            ("months", "in_positions", "accumulate"),
            requires,
            kind=RequirementKind.EXPERIENCE,
        )

    def _age_headroom(self, item: _Item, positions: Mapping[str, Position]) -> Rule | None:
        def requires() -> tuple[AnyRequirement, ...]:
            months = item.get("months", _positive_int, required=True)
            first_only = item.get("first_appointment_only", _bool, default=True)
            return (AgeHeadroomRequirement(months, first_only),) if months is not None else ()

        return self._any_rule(
            item,
            positions,
            ("months", "first_appointment_only"),
            requires,
            kind=RequirementKind.AGE_HEADROOM,
        )

    def _field_of_study(
        self, item: _Item, positions: Mapping[str, Position], fields: Mapping[str, FieldOfStudy]
    ) -> Rule | None:
        def requires() -> tuple[AnyRequirement, ...]:
            track = item.get("track", _track, default=Track.PROFESSIONAL)
            level = self._level_of(item, track, item.data.get("min_level", "bachelor"), ("min_level",))
            accepted = self._codes_in(item, "fields", fields, required=True, what="field", section="field")
            if track is None or level is None or not accepted:
                return ()
            return (FieldOfStudyRequirement(track, level, accepted),)

        return self._any_rule(
            item,
            positions,
            ("track", "min_level", "fields"),
            requires,
            kind=RequirementKind.FIELD_OF_STUDY,
        )

    def _planning_pool(self, item: _Item, positions: Mapping[str, Position]) -> Rule | None:
        def requires() -> tuple[AnyRequirement, ...]:
            pools = self._codes_in(item, "pool_positions", positions, required=False)
            for code in pools:
                if positions[code].kind != PositionKind.POST:
                    item.problem(
                        f"'pool_positions': '{code}' is a rank; a planning pool is for a post",
                        "pool_positions",
                    )
            first_only = item.get("first_appointment_only", _bool, default=True)
            return (PlanningPoolRequirement(pools, first_only),)

        return self._any_rule(
            item,
            positions,
            ("pool_positions", "first_appointment_only"),
            requires,
            kind=RequirementKind.PLANNING_POOL,
        )

    def _codes_in(
        self,
        item: _Item,
        key: str,
        known: Mapping[str, Any],
        *,
        required: bool,
        what: str = "position",
        section: str = "position",
    ) -> tuple[str, ...]:
        """A list of codes declared elsewhere in the file (positions, fields), each checked."""

        def convert(value: Any) -> tuple[str, ...]:
            codes = _texts(value)
            if not codes:
                raise _Invalid(f"name at least one {what}")
            for code in codes:
                if code not in known:
                    hint = difflib.get_close_matches(code, list(known), n=1)
                    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                    raise _Invalid(f"unknown {what} '{code}'{suggestion}; declare it in a [[{section}]]")
            return codes

        codes: tuple[str, ...] = item.get(key, convert, required=required, default=())
        return codes

    def _retirement_ages(self, items: list[_Item]) -> list[RetirementAge]:
        schedules: list[RetirementAge] = []
        for item in items:
            item.allow(
                (
                    "id",
                    "gender",
                    "age",
                    "rises_by_months",
                    "until",
                    "valid_from",
                    "valid_to",
                    "legal_basis",
                    "note",
                )
            )
            schedule_id = item.get("id", _code, required=True)
            gender = item.get("gender", _enum(Gender), required=True)
            age = item.get("age", _age, required=True)
            rises = item.get("rises_by_months", _positive_int, default=0)
            until = item.get("until", _age)
            if rises and until is None and "until" not in item.data:
                item.problem(
                    "'rises_by_months' needs 'until' (the age where the rise stops)", "rises_by_months"
                )
            if until is not None and not rises:
                item.problem("'until' only goes with 'rises_by_months'", "until")
            if until is not None and age is not None and until.in_months < age.in_months:
                item.problem(f"'until' {until} is below 'age' {age}", "until")
            valid_from, valid_to = self._period(item, required=False)
            legal_basis = item.get("legal_basis", _text, required=True)
            note = item.get("note", _text, default="")
            if None in (schedule_id, gender, age, legal_basis):
                continue
            schedules.append(
                RetirementAge(
                    id=schedule_id,
                    gender=str(gender),
                    age=age,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    legal_basis=legal_basis,
                    rises_by_months=rises,
                    until=until,
                    note=note,
                    line=item.line(),
                )
            )
        for first, second in itertools.combinations(schedules, 2):
            if first.gender == second.gender and _overlap(
                first.valid_from or date.min, first.valid_to, second.valid_from or date.min, second.valid_to
            ):
                self.problems.append(
                    Problem(
                        second.line,
                        f"retirement age '{second.id}' overlaps '{first.id}' (line {first.line}) for "
                        f"{second.gender}: end one with valid_to",
                    )
                )
        return schedules

    def _fields(self, items: list[_Item]) -> list[FieldOfStudy]:
        found: list[FieldOfStudy] = []
        names: dict[str, tuple[str, int]] = {}
        for item in items:
            item.allow(("code", "title", "title_en", "aliases"))
            code = item.get("code", _code, required=True)
            title = item.get("title", _text, required=True, default=code)
            title_en = item.get("title_en", _text, default=title)
            aliases = item.get("aliases", _texts, default=())
            if code is None:
                continue
            if any(f.code == code for f in found):
                item.problem(f"field code '{code}' is declared twice", "code")
                continue
            entry = FieldOfStudy(code, title or code, title_en or code, aliases, item.line())
            for name in entry.names():
                key = normalize_name(name)
                other = names.get(key)
                if other is not None and other[0] != code:
                    item.problem(
                        f"'{name}' names both field '{other[0]}' (line {other[1]}) and '{code}'",
                        "aliases" if name in aliases else "title",
                    )
                names.setdefault(key, (code, item.line()))
            found.append(entry)
        return found

    def _requires(self, item: _Item) -> tuple[Requirement, ...]:
        value = item.data.get("requires")
        if value is None:
            item.problem(
                f"{item.name} needs 'requires' (e.g. requires = {{ political_theory = \"intermediate\" }})"
            )
            return ()
        if not isinstance(value, dict) or not value:
            item.problem("'requires' must be a non-empty table of track = \"minimum level\"", "requires")
            return ()
        found = []
        for track_name, level in value.items():
            try:
                track = _track(track_name)
            except _Invalid as error:
                item.problem(f"'requires' in {item.name}: {error}", "requires", track_name)
                continue
            checked = self._level_of(item, track, level, ("requires", track_name))
            if checked is not None:
                found.append(Requirement(track, checked))
        return tuple(found)

    def _equivalence(self, item: _Item, positions: Mapping[str, Position]) -> Equivalence | None:
        item.allow(
            (
                "id",
                "match",
                "counts_as",
                "positions",
                "position",
                "valid_from",
                "valid_to",
                "legal_basis",
                "variants",
                "note",
            )
        )
        eq_id = item.get("id", _code, required=True)
        match = self._match(item, item.data["match"]) if "match" in item.data else None
        if "match" not in item.data:
            item.problem(f"{item.name} needs 'match' (which credentials it is about)")
        counts_as = (
            self._requirement(item, item.data["counts_as"], ("counts_as",))
            if "counts_as" in item.data
            else None
        )
        if "counts_as" not in item.data:
            item.problem(f"{item.name} needs 'counts_as' ({{ track = ..., level = ... }})")
        codes = self._position_refs(item, positions, required=False)
        valid_from, valid_to = self._period(item, required=False)
        legal_basis = item.get("legal_basis", _text, required=True)
        variants = self._variants(item)
        note = item.get("note", _text, default="")
        if match is None or counts_as is None or None in (eq_id, legal_basis):
            return None
        return Equivalence(
            id=eq_id,
            match=match,
            counts_as=counts_as,
            legal_basis=legal_basis,
            positions=codes,
            valid_from=valid_from,
            valid_to=valid_to,
            variants=variants,
            note=note,
            line=item.line(),
        )

    def _restriction(self, item: _Item) -> Restriction | None:
        item.allow(("id", "match", "recognized_if", "legal_basis", "variants", "note"))
        restriction_id = item.get("id", _code, required=True)
        match = self._match(item, item.data["match"]) if "match" in item.data else None
        if "match" not in item.data:
            item.problem(f"{item.name} needs 'match' (which credentials it is about)")
        condition = item.get("recognized_if", _table, required=True, default={})
        sub = _Item(self, item.table, item.index, condition)
        for key in condition:
            if key not in ("issued_before", "issued_on_or_after"):
                item.problem(
                    f"unknown key '{key}' in 'recognized_if' (allowed: issued_before, issued_on_or_after)",
                    "recognized_if",
                    key,
                )
        before = sub.get("issued_before", _date, path=("recognized_if",))
        after = sub.get("issued_on_or_after", _date, path=("recognized_if",))
        if condition and before is None and after is None and "recognized_if" in item.data:
            item.problem("'recognized_if' needs issued_before or issued_on_or_after", "recognized_if")
        legal_basis = item.get("legal_basis", _text, required=True)
        variants = self._variants(item)
        note = item.get("note", _text, default="")
        if match is None or None in (restriction_id, legal_basis) or (before is None and after is None):
            return None
        return Restriction(
            id=restriction_id,
            match=match,
            issued_before=before,
            issued_on_or_after=after,
            legal_basis=legal_basis,
            variants=variants,
            note=note,
            line=item.line(),
        )

    def _commitment(self, item: _Item) -> CommitmentRule | None:
        item.allow(
            (
                "id",
                "tracks",
                "levels",
                "funding",
                "multiplier",
                "valid_from",
                "valid_to",
                "legal_basis",
                "note",
            )
        )
        commitment_id = item.get("id", _code, required=True)

        def tracks(value: Any) -> tuple[Track, ...]:
            return tuple(_track(v) for v in _texts(value))

        track_list: tuple[Track, ...] = item.get("tracks", tracks, required=True, default=())
        levels: tuple[str, ...] = item.get("levels", _texts, default=())
        for level in levels:
            if not any(catalog.level_of(t, level) for t in track_list):
                item.problem(
                    f"level '{level}' belongs to none of the tracks {', '.join(track_list) or '(none)'}",
                    "levels",
                )

        def fundings(value: Any) -> tuple[Funding, ...]:
            return tuple(_enum(Funding)(v) for v in _texts(value))

        funding = item.get("funding", fundings, required=True, default=())
        multiplier = item.get("multiplier", _multiplier, required=True)
        valid_from, valid_to = self._period(item, required=True)
        legal_basis = item.get("legal_basis", _text, required=True)
        note = item.get("note", _text, default="")
        if (
            valid_from is None
            or None in (commitment_id, multiplier, legal_basis)
            or not track_list
            or not funding
        ):
            return None
        return CommitmentRule(
            id=commitment_id,
            tracks=track_list,
            levels=levels,
            funding=funding,
            multiplier=multiplier,
            valid_from=valid_from,
            valid_to=valid_to,
            legal_basis=legal_basis,
            note=note,
            line=item.line(),
        )

    # ------------------------------------------------------------ consistency

    def _no_overlapping_rules(self, rules: Sequence[Rule], options: Sequence[VariantOption]) -> None:
        """Two rules may not require the same track of the same position on the same day under
        the same selection: which one applied would be a matter of file order."""
        selections = [
            dict(zip([o.name for o in options], combo, strict=True))
            for combo in itertools.product(*(o.choices for o in options))
        ] or [{}]
        reported: set[tuple[str, str]] = set()
        for first, second in itertools.combinations(rules, 2):
            if (second.id, first.id) in reported or not _overlap(
                first.valid_from, first.valid_to, second.valid_from, second.valid_to
            ):
                continue
            shared_positions = set(first.positions) & set(second.positions)
            shared_tracks = {r.key for r in first.requires} & {r.key for r in second.requires}
            if not shared_positions or not shared_tracks:
                continue
            together = [
                s
                for s in selections
                if _selected(first.variants, s, self.choice_option)
                and _selected(second.variants, s, self.choice_option)
            ]
            if not together:
                continue
            reported.add((second.id, first.id))
            later = second if (second.line or 0) >= (first.line or 0) else first
            other = first if later is second else second
            when = ",".join(together[0].values()) if together[0] else "every selection"
            self.problems.append(
                Problem(
                    later.line,
                    f"rule '{later.id}' overlaps rule '{other.id}' (line {other.line}): both require "
                    f"{sorted(shared_tracks)[0]} of '{sorted(shared_positions)[0]}' on "
                    f"{max(first.valid_from, second.valid_from)} under [{when}]; "
                    "end one with valid_to or tag them with different variants",
                )
            )

    def _no_overlapping_commitments(self, commitments: Sequence[CommitmentRule]) -> None:
        for first, second in itertools.combinations(commitments, 2):
            if not _overlap(first.valid_from, first.valid_to, second.valid_from, second.valid_to):
                continue
            if not set(first.tracks) & set(second.tracks) or not set(first.funding) & set(second.funding):
                continue
            if first.levels and second.levels and not set(first.levels) & set(second.levels):
                continue
            self.problems.append(
                Problem(
                    second.line,
                    f"commitment '{second.id}' overlaps commitment '{first.id}' (line {first.line}) "
                    "for the same courses and funding; end one with valid_to",
                )
            )


def _overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)
