"""Reading the conditions of appointment of a rules file: experience, age headroom (with the
retirement ages it counts from), field of study (with the fields declared) and planning pool."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Mapping
from datetime import date
from typing import Any

from ledger.dates import periods_overlap
from ledger.domain.catalog import Gender, Track
from ledger.standards.model import (
    AgeHeadroomRequirement,
    AnyRequirement,
    ExperienceRequirement,
    FieldOfStudy,
    FieldOfStudyRequirement,
    PlanningPoolRequirement,
    Position,
    PositionKind,
    RequirementKind,
    RetirementAge,
    Rule,
)
from ledger.standards.rule_file import (
    InvalidValue,
    Problem,
    TableItem,
    age_value,
    bool_value,
    code_value,
    enum_value,
    positive_int_value,
    text_value,
    texts_value,
    track_value,
)
from ledger.standards.rule_sections import SectionReader
from ledger.text import normalize_name


class ConditionReader(SectionReader):
    """Reads the condition sections; each becomes a rule with its own kind of requirement."""

    def _experience(self, item: TableItem, positions: Mapping[str, Position]) -> Rule | None:
        def requires() -> tuple[AnyRequirement, ...]:
            months = item.get("months", positive_int_value, required=True)
            counted = self._codes_in(item, "in_positions", positions, required=True)
            accumulate = item.get("accumulate", bool_value, default=True)
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

    def _age_headroom(self, item: TableItem, positions: Mapping[str, Position]) -> Rule | None:
        def requires() -> tuple[AnyRequirement, ...]:
            months = item.get("months", positive_int_value, required=True)
            first_only = item.get("first_appointment_only", bool_value, default=True)
            return (AgeHeadroomRequirement(months, first_only),) if months is not None else ()

        return self._any_rule(
            item,
            positions,
            ("months", "first_appointment_only"),
            requires,
            kind=RequirementKind.AGE_HEADROOM,
        )

    def _field_of_study(
        self, item: TableItem, positions: Mapping[str, Position], fields: Mapping[str, FieldOfStudy]
    ) -> Rule | None:
        def requires() -> tuple[AnyRequirement, ...]:
            track = item.get("track", track_value, default=Track.PROFESSIONAL)
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

    def _planning_pool(self, item: TableItem, positions: Mapping[str, Position]) -> Rule | None:
        def requires() -> tuple[AnyRequirement, ...]:
            pools = self._codes_in(item, "pool_positions", positions, required=False)
            for code in pools:
                if positions[code].kind != PositionKind.POST:
                    item.problem(
                        f"'pool_positions': '{code}' is a rank; a planning pool is for a post",
                        "pool_positions",
                    )
            first_only = item.get("first_appointment_only", bool_value, default=True)
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
        item: TableItem,
        key: str,
        known: Mapping[str, Any],
        *,
        required: bool,
        what: str = "position",
        section: str = "position",
    ) -> tuple[str, ...]:
        """A list of codes declared elsewhere in the file (positions, fields), each checked."""

        def convert(value: Any) -> tuple[str, ...]:
            codes = texts_value(value)
            if not codes:
                raise InvalidValue(f"name at least one {what}")
            for code in codes:
                if code not in known:
                    hint = difflib.get_close_matches(code, list(known), n=1)
                    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                    raise InvalidValue(f"unknown {what} '{code}'{suggestion}; declare it in a [[{section}]]")
            return codes

        codes: tuple[str, ...] = item.get(key, convert, required=required, default=())
        return codes

    def _retirement_ages(self, items: list[TableItem]) -> list[RetirementAge]:
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
            schedule_id = item.get("id", code_value, required=True)
            gender = item.get("gender", enum_value(Gender), required=True)
            age = item.get("age", age_value, required=True)
            rises = item.get("rises_by_months", positive_int_value, default=0)
            until = item.get("until", age_value)
            if rises and until is None and "until" not in item.data:
                item.problem(
                    "'rises_by_months' needs 'until' (the age where the rise stops)", "rises_by_months"
                )
            if until is not None and not rises:
                item.problem("'until' only goes with 'rises_by_months'", "until")
            if until is not None and age is not None and until.in_months < age.in_months:
                item.problem(f"'until' {until} is below 'age' {age}", "until")
            valid_from, valid_to = self._period(item, required=False)
            legal_basis = item.get("legal_basis", text_value, required=True)
            note = item.get("note", text_value, default="")
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
            if first.gender == second.gender and periods_overlap(
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

    def _fields(self, items: list[TableItem]) -> list[FieldOfStudy]:
        found: list[FieldOfStudy] = []
        names: dict[str, tuple[str, int]] = {}
        for item in items:
            item.allow(("code", "title", "title_en", "aliases"))
            code = item.get("code", code_value, required=True)
            title = item.get("title", text_value, required=True, default=code)
            title_en = item.get("title_en", text_value, default=title)
            aliases = item.get("aliases", texts_value, default=())
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
