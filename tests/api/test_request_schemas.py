"""The request schemas are made from the commands (api/schemas/command_request.py): every field a
write's command has shows up in its request schema, with the command's description, unless the
schema says it does not travel in the body. No store: these read the schemas themselves."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from datetime import date
from typing import Any, get_args

import pytest
from pydantic import Field, ValidationError

import api.schemas
from api.schemas.command_request import CommandRequest
from api.schemas.corrections import CorrectionCreate
from api.schemas.enrollments import EnrollmentCreate
from api.schemas.plans import PlanCreate
from ledger import text
from ledger.domain import commands
from ledger.text import TextKind

for module in pkgutil.iter_modules(api.schemas.__path__):
    importlib.import_module(f"api.schemas.{module.name}")


def derived_schemas() -> list[type[CommandRequest]]:
    found: list[type[CommandRequest]] = []
    waiting = list(CommandRequest.__subclasses__())
    while waiting:
        schema = waiting.pop()
        found.append(schema)
        waiting.extend(schema.__subclasses__())
    return sorted((s for s in found if s.derived_from is not None), key=lambda s: s.__name__)


SCHEMAS = derived_schemas()
# The command fields a request leaves out, and why: an id the path gives, or a field only the
# importer and the demo set. A field a command gains travels in its request unless named here.
NOT_IN_THE_BODY = {
    "EnrollmentCreate": ("awards_level",),  # the importer's courses that award no level
    "CompletionCreate": ("enrollment_id",),  # the path's
    "WithdrawalCreate": ("enrollment_id",),
    "UnitRename": ("unit_id",),
    "UnitMerge": ("unit_id",),
    "UnitSplit": ("unit_id",),
    "UnitDissolve": ("unit_id",),
}


def carried(schema: type[CommandRequest]) -> list[str]:
    assert schema.derived_from is not None
    return [f.name for f in dataclasses.fields(schema.derived_from) if f.name not in schema.not_on_the_wire]


def description_in_command(schema: type[CommandRequest], name: str) -> str | None:
    assert schema.derived_from is not None
    field = {f.name: f for f in dataclasses.fields(schema.derived_from)}[name]
    found: str | None = field.metadata.get("description")
    return found


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.__name__)
def test_a_request_schema_carries_every_field_of_its_command_but_those_named_here(
    schema: type[CommandRequest],
) -> None:
    assert schema.not_on_the_wire == NOT_IN_THE_BODY.get(schema.__name__, ())
    missing = [name for name in carried(schema) if name not in schema.model_fields]
    assert missing == []


def test_every_write_command_has_a_request_schema() -> None:
    writes = {commands.Register, *get_args(commands.StaffCommand), *get_args(commands.UnitCommand)}
    with_schema = {schema.derived_from for schema in SCHEMAS}
    # A correction's body is one of two commands: voiding an event, or correcting the national_id.
    assert writes - with_schema == {commands.CorrectNationalId}
    national_id_fields = [f.name for f in dataclasses.fields(commands.CorrectNationalId)]
    assert set(national_id_fields) <= set(CorrectionCreate.model_fields)


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.__name__)
def test_a_request_field_is_described_as_its_command_describes_it(schema: type[CommandRequest]) -> None:
    for name in carried(schema):
        described = description_in_command(schema, name)
        if described is not None:
            assert schema.model_fields[name].description == described, name


def enrollment(**given: Any) -> dict[str, Any]:
    course = {
        "course_code": "K1",
        "course_title": "Course",
        "track": "other",
        "provider": "School",
        "mode": "full_time",
        "starts_on": "2024-03-04",
    }
    return {**course, **given}


def test_a_text_field_travels_with_the_limit_of_its_kind_in_the_text_policy() -> None:
    assert text.kind_of("country") is TextKind.NAME
    EnrollmentCreate.model_validate(enrollment(country="x" * text.NAME_MAX))
    with pytest.raises(ValidationError, match="country"):
        EnrollmentCreate.model_validate(enrollment(country="x" * (text.NAME_MAX + 1)))


def test_a_field_declared_only_in_the_schema_stands_where_the_class_writes_it() -> None:
    expected = ["position", "period", "from_year", "to_year", "decision_ref", "on"]
    assert list(PlanCreate.model_fields) == expected


@dataclasses.dataclass(frozen=True, kw_only=True)
class Memo:
    on: date = dataclasses.field(metadata={"description": "The memo's date."})
    memo: str  # one-line text the text policy does not classify


def test_a_command_field_the_domain_cannot_type_must_be_declared_in_its_schema() -> None:
    with pytest.raises(TypeError, match=r"Memo\.memo"):

        class MemoCreate(CommandRequest, command=Memo):
            pass


def test_a_field_declared_in_the_schema_keeps_the_commands_description() -> None:
    class MemoCreate(CommandRequest, command=Memo):
        on: str | None = Field(default=None, max_length=10)
        memo: Any = None

    assert MemoCreate.model_fields["on"].description == "The memo's date."
    with pytest.raises(ValidationError, match="at most 10"):
        MemoCreate.model_validate({"on": "x" * 11})


def test_a_field_declared_in_the_schema_replaces_the_derived_one() -> None:
    class MemoCreate(CommandRequest, command=Memo):
        memo: Any = None

    assert list(MemoCreate.model_fields) == ["on", "memo"]
    read = MemoCreate.model_validate({"on": "2024-01-02"})
    assert read.model_dump() == {"on": date(2024, 1, 2), "memo": None}
