"""Position standards as effective-dated data: loading and validating the rules file.

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

Here: the entry points and the whole-file checks. The model is in ``ledger.standards.model`` and
``ledger.standards.ruleset``; reading the file's tables in ``ledger.standards.rule_file``,
``ledger.standards.rule_sections`` and ``ledger.standards.rule_conditions``.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import itertools
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from ledger.dates import periods_overlap
from ledger.standards.model import CommitmentRule, Rule, VariantOption, selected_under
from ledger.standards.rule_conditions import ConditionReader
from ledger.standards.rule_file import (
    RULES_PATH_VARIABLE,
    RULES_VARIANT_VARIABLE,
    Problem,
    RulesFileError,
    TableItem,
    code_value,
    text_value,
    version_value,
)
from ledger.standards.ruleset import RuleSet

DEFAULT_RULES_RESOURCE = "default_rules.toml"


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
    loader = RulesLoader(text, source)
    rule_set = loader.load(data)
    return rule_set.select(variant) if variant else rule_set


def _toml_error_position(message: str) -> tuple[int | None, int | None]:
    found = re.search(r"at line (\d+), column (\d+)", message)
    if found:
        return int(found[1]), int(found[2])
    return None, None


class RulesLoader(ConditionReader):
    """Reads a whole rules file into a :class:`RuleSet`, then checks the rules against each other."""

    # ------------------------------------------------------------ document

    def load(self, data: Mapping[str, Any]) -> RuleSet:
        top = TableItem(self, None, None, data)
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
            rule_set_id = head.get("id", code_value, required=True, default="")
            version = head.get("version", version_value, required=True, default="")
            title = head.get("title", text_value, default="")
            head.get("description", text_value)
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
            if (second.id, first.id) in reported or not periods_overlap(
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
                if selected_under(first.variants, s, self.choice_option)
                and selected_under(second.variants, s, self.choice_option)
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
            if not periods_overlap(first.valid_from, first.valid_to, second.valid_from, second.valid_to):
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
