"""A loaded rules file with one choice selected per variant option: the rules in force on a day
for a position, and the answers the checks ask of them."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from ledger.dates import add_months, end_of_month, in_period
from ledger.domain.catalog import Funding, Track
from ledger.standards.model import (
    Age,
    CommitmentRule,
    Equivalence,
    FieldOfStudy,
    Position,
    PositionKind,
    Restriction,
    RetirementAge,
    Rule,
    VariantOption,
    selected_under,
)
from ledger.standards.rule_file import RULES_VARIANT_VARIABLE, Problem, RulesFileError
from ledger.text import normalize_name


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
        return selected_under(variants, selection, option_of)

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
            if schedule.gender == gender and in_period(first, schedule.valid_from, schedule.valid_to):
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
                return end_of_month(reached), age, schedule
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
