"""Reading the sections of a rules file that say what a post requires: the variant options, the
positions, the rules with their levels and periods, equivalences, restrictions and service
commitments."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from ledger.domain import catalog
from ledger.domain.catalog import Funding, Track
from ledger.standards.model import (
    AT_APPOINTMENT,
    AnyRequirement,
    CommitmentRule,
    CredentialMatch,
    Equivalence,
    Position,
    PositionKind,
    Requirement,
    RequirementKind,
    Restriction,
    Rule,
    Severity,
    Timing,
    VariantOption,
)
from ledger.standards.rule_file import (
    FileReader,
    InvalidValue,
    Problem,
    TableItem,
    code_value,
    date_value,
    enum_value,
    multiplier_value,
    positive_int_value,
    regex_value,
    table_value,
    text_value,
    texts_value,
    track_value,
)
from ledger.text import normalize_name


class SectionReader(FileReader):
    """Reads one table of a section into the model; a bad value becomes a problem, not an error."""

    def _options(self, value: Any) -> list[VariantOption]:
        if value is None:
            return []
        if not isinstance(value, dict):
            self.problems.append(Problem(self._top_level_line("variants"), "'variants' must be a table"))
            return []
        options = []
        for name, spec in value.items():
            item = TableItem(self, f"variants.{name}", None, spec if isinstance(spec, dict) else {})
            if not isinstance(spec, dict):
                item.problem(f"variant option '{name}' must be a table with choices and default")
                continue
            item.allow(("choices", "default", "doc"))
            choices = item.get(
                "choices", lambda v: tuple(code_value(c) for c in texts_value(v)), required=True, default=()
            )
            default = item.get("default", code_value, default=choices[0] if choices else "")
            doc = item.get("doc", text_value, default="")
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

    def _positions(self, items: list[TableItem]) -> list[Position]:
        positions: list[Position] = []
        names: dict[tuple[PositionKind, str], tuple[str, int]] = {}
        for item in items:
            item.allow(("code", "kind", "title", "title_en", "aliases"))
            code = item.get("code", code_value, required=True)
            kind = item.get("kind", enum_value(PositionKind), default=PositionKind.POST)
            title = item.get("title", text_value, required=True, default=code)
            title_en = item.get("title_en", text_value, default=title)
            aliases = item.get("aliases", texts_value, default=())
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
        self, item: TableItem, known: Mapping[str, Position], *, required: bool
    ) -> tuple[str, ...]:
        def convert(value: Any) -> tuple[str, ...]:
            codes = texts_value(value)
            if not codes:
                every = "" if required else " (leave the key out to mean every position)"
                raise InvalidValue(f"name at least one position{every}")
            for code in codes:
                if code not in known:
                    hint = difflib.get_close_matches(code, list(known), n=1)
                    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                    raise InvalidValue(f"unknown position '{code}'{suggestion}; declare it in a [[position]]")
            return codes

        if "position" in item.data and "positions" in item.data:
            item.problem("give either 'position' or 'positions', not both", "position")
        key = "position" if "position" in item.data else "positions"
        codes: tuple[str, ...] = item.get(key, convert, default=())
        if required and key not in item.data:
            item.problem(f"{item.name} needs 'positions' (a list of position codes)")
        return codes

    def _level_of(self, item: TableItem, track: Track | None, level: Any, path: Sequence[str]) -> str | None:
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

    def _requirement(self, item: TableItem, value: Any, path: Sequence[str]) -> Requirement | None:
        if not isinstance(value, dict):
            item.problem(f'\'{".".join(path)}\' must be a table {{ track = "...", level = "..." }}', *path)
            return None
        extra = set(value) - {"track", "level"}
        if extra:
            item.problem(
                f"unknown key '{sorted(extra)[0]}' in '{'.'.join(path)}' (allowed: track, level)", *path
            )
        sub = TableItem(self, item.table, item.index, value)
        track = sub.get("track", track_value, required=True, path=path)
        if "level" not in value:
            item.problem(f"'{'.'.join(path)}' needs 'level'", *path)
            return None
        level = self._level_of(item, track, value["level"], (*path, "level"))
        return Requirement(track, level) if track is not None and level is not None else None

    def _match(self, item: TableItem, value: Any) -> CredentialMatch | None:
        if not isinstance(value, dict):
            item.problem(
                "'match' must be a table, e.g. { track = \"political_theory\", title_contains = [...] }",
                "match",
            )
            return None
        sub = TableItem(self, item.table, item.index, value)
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
        track = sub.get("track", track_value, required=True, path=path)
        level = min_level = None
        if "level" in value:
            level = self._level_of(item, track, value["level"], ("match", "level"))
        if "min_level" in value:
            min_level = self._level_of(item, track, value["min_level"], ("match", "min_level"))
        contains = sub.get("title_contains", texts_value, default=(), path=path)
        regex = sub.get("title_regex", regex_value, path=path)
        before = sub.get("issued_before", date_value, path=path)
        after = sub.get("issued_on_or_after", date_value, path=path)
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

    def _period(self, item: TableItem, *, required: bool) -> tuple[date | None, date | None]:
        valid_from = item.get("valid_from", date_value, required=required)
        valid_to = item.get("valid_to", date_value)
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

    def _rule(self, item: TableItem, positions: Mapping[str, Position]) -> Rule | None:
        return self._any_rule(item, positions, ("requires",), lambda: self._requires(item))

    def _any_rule(
        self,
        item: TableItem,
        positions: Mapping[str, Position],
        own_keys: Sequence[str],
        requires_of: Callable[[], tuple[AnyRequirement, ...]],
        *,
        kind: RequirementKind = RequirementKind.TRAINING,
    ) -> Rule | None:
        """A ``[[rule]]`` or one of the sections of the conditions of appointment: the keys they
        share (id, positions, period, legal basis, timing, severity, variants) and their own."""
        item.allow((*self._RULE_KEYS[:3], *own_keys, *self._RULE_KEYS[3:]))
        rule_id = item.get("id", code_value, required=True)
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
        legal_basis = item.get("legal_basis", text_value, required=True)
        timing = item.get("timing", enum_value(Timing), required=True)
        grace = item.get("grace_months", positive_int_value)
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
        severity = item.get("severity", enum_value(Severity), default=default_severity)
        variants = self._variants(item)
        note = item.get("note", text_value, default="")
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

    def _requires(self, item: TableItem) -> tuple[Requirement, ...]:
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
                track = track_value(track_name)
            except InvalidValue as error:
                item.problem(f"'requires' in {item.name}: {error}", "requires", track_name)
                continue
            checked = self._level_of(item, track, level, ("requires", track_name))
            if checked is not None:
                found.append(Requirement(track, checked))
        return tuple(found)

    def _equivalence(self, item: TableItem, positions: Mapping[str, Position]) -> Equivalence | None:
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
        eq_id = item.get("id", code_value, required=True)
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
        legal_basis = item.get("legal_basis", text_value, required=True)
        variants = self._variants(item)
        note = item.get("note", text_value, default="")
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

    def _restriction(self, item: TableItem) -> Restriction | None:
        item.allow(("id", "match", "recognized_if", "legal_basis", "variants", "note"))
        restriction_id = item.get("id", code_value, required=True)
        match = self._match(item, item.data["match"]) if "match" in item.data else None
        if "match" not in item.data:
            item.problem(f"{item.name} needs 'match' (which credentials it is about)")
        condition = item.get("recognized_if", table_value, required=True, default={})
        sub = TableItem(self, item.table, item.index, condition)
        for key in condition:
            if key not in ("issued_before", "issued_on_or_after"):
                item.problem(
                    f"unknown key '{key}' in 'recognized_if' (allowed: issued_before, issued_on_or_after)",
                    "recognized_if",
                    key,
                )
        before = sub.get("issued_before", date_value, path=("recognized_if",))
        after = sub.get("issued_on_or_after", date_value, path=("recognized_if",))
        if condition and before is None and after is None and "recognized_if" in item.data:
            item.problem("'recognized_if' needs issued_before or issued_on_or_after", "recognized_if")
        legal_basis = item.get("legal_basis", text_value, required=True)
        variants = self._variants(item)
        note = item.get("note", text_value, default="")
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

    def _commitment(self, item: TableItem) -> CommitmentRule | None:
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
        commitment_id = item.get("id", code_value, required=True)

        def tracks(value: Any) -> tuple[Track, ...]:
            return tuple(track_value(v) for v in texts_value(value))

        track_list: tuple[Track, ...] = item.get("tracks", tracks, required=True, default=())
        levels: tuple[str, ...] = item.get("levels", texts_value, default=())
        for level in levels:
            if not any(catalog.level_of(t, level) for t in track_list):
                item.problem(
                    f"level '{level}' belongs to none of the tracks {', '.join(track_list) or '(none)'}",
                    "levels",
                )

        def fundings(value: Any) -> tuple[Funding, ...]:
            return tuple(enum_value(Funding)(v) for v in texts_value(value))

        funding = item.get("funding", fundings, required=True, default=())
        multiplier = item.get("multiplier", multiplier_value, required=True)
        valid_from, valid_to = self._period(item, required=True)
        legal_basis = item.get("legal_basis", text_value, required=True)
        note = item.get("note", text_value, default="")
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
