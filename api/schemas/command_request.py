"""Request schemas made from the ledger's commands, so a write's fields are written once.

A command (``ledger.domain.commands``) is a frozen dataclass of a write's business fields, each
field's ``metadata["description"]`` saying what it holds. A request schema names its command::

    class EnrollmentCreate(CommandRequest, command=Enroll):
        \"\"\"Dispatch the staff member to a course (`Enrolled`, effective on `starts_on`).\"\"\"

and gets one field per command field, in the command's order: its wire type picked by what the
domain knows of it (:func:`wire_type`), the command's default (a field without one is required)
and its description. The class body says only where the wire differs from the command:

- ``omit=(...)`` names the command fields the body does not carry (an id the path gives, a field
  only the importer sets);
- a field annotated in the class replaces the derived one (a nested model, a field the body may
  leave out for another); it keeps the command's description unless it gives its own;
- a field of the class that is not the command's (a plan's ``period``) stands after the field
  written before it in the class, or, written first, before the field written after it.

A command's value objects (``Evidence``, ``Waiver``, ``CredentialDetails``) make their nested
request models the same way.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from datetime import date
from typing import Any, ClassVar

from pydantic import Field
from pydantic._internal._model_construction import ModelMetaclass
from pydantic.fields import FieldInfo

from api.schemas.common import (
    BusinessDate,
    Code,
    EventId,
    LevelCode,
    LongText,
    Money,
    Name,
    NationalId,
    Reference,
    RequestModel,
    Score,
    ShortText,
    Year,
)
from ledger import text
from ledger.text import TextKind
from projections.codec import unwrap_optional

# A text field travels as the request type of its kind in the domain's text policy, whose limits
# and checks it applies. One-line text the policy has not classified has none: classify it first.
TEXT_TYPES: dict[TextKind, Any] = {
    TextKind.IDENTIFIER: Code,
    TextKind.NAME: Name,
    TextKind.CODE: ShortText,
    TextKind.REFERENCE: Reference,
    TextKind.MULTILINE: LongText,
}
# Fields whose wire type says more than their kind of text or number: an exact format, the
# catalog's levels, a range.
TYPES_BY_NAME: dict[str, Any] = {
    "national_id": NationalId,
    "event_id": EventId,
    "level": LevelCode,
    "score": Score,
    "cost": Money,
    "year": Year,
    "from_year": Year,
    "to_year": Year,
}


def _by_type(name: str, kind: Any) -> Any:
    """The request type a field's Python type gives (text by its kind), or None."""
    if kind is str:
        return TEXT_TYPES.get(text.kind_of(name))
    if kind is date:
        return BusinessDate
    if kind is bool:
        return bool
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind  # the catalog's codes, as they are
    return None


def wire_type(command: type, name: str) -> Any:
    """The request type of ``command``'s field ``name``, or TypeError when the domain does not say
    enough to pick one (declare that field in the request schema)."""
    hint = typing.get_type_hints(command)[name]
    kind, optional = unwrap_optional(hint)
    found = TYPES_BY_NAME.get(name) or _by_type(name, kind)
    if found is None:
        raise TypeError(
            f"{command.__name__}.{name} ({hint}) has no wire type: declare it in its request schema, "
            "or classify its text in ledger.text.FIELD_KINDS."
        )
    return found | None if optional else found


def description_of(command: type, name: str) -> str | None:
    """What ``command``'s field ``name`` holds, as the command describes it."""
    found: str | None = _command_fields(command)[name].metadata.get("description")
    return found


def described(command: type, name: str, **given: Any) -> Any:
    """A ``Field`` described as ``command`` describes its field ``name``: for a request field taken
    from another command than the schema's own (a correction's ``national_id``)."""
    return Field(**given, description=description_of(command, name))


def _command_fields(command: type) -> dict[str, dataclasses.Field[Any]]:
    if not dataclasses.is_dataclass(command):
        raise TypeError(f"{command!r} is not a command (a dataclass).")
    return {field.name: field for field in dataclasses.fields(command)}


def _derived_field(field: dataclasses.Field[Any]) -> Any:
    given: dict[str, Any] = {}
    if field.default is not dataclasses.MISSING:
        given["default"] = field.default
    elif field.default_factory is not dataclasses.MISSING:
        given["default_factory"] = field.default_factory
    if "description" in field.metadata:
        given["description"] = field.metadata["description"]
    return Field(**given)


_ABSENT = object()


def _with_description(value: Any, field: dataclasses.Field[Any]) -> Any:
    """A declared field's value (absent, a default or a ``Field``) with the command's description,
    unless it gives its own."""
    description = field.metadata.get("description")
    if description is None:
        return value
    if value is _ABSENT:
        return Field(description=description)
    if isinstance(value, FieldInfo):
        if value.description is not None:
            return value
        return FieldInfo.merge_field_infos(value, description=description)
    return Field(default=value, description=description)


def _in_order(derived: list[str], declared: list[str]) -> list[str]:
    """The command's fields in its order, each declared field that is not the command's after the
    field declared before it (or, declared first, before the field declared after it)."""
    order = list(derived)
    for at, name in enumerate(declared):
        if name in order:
            continue
        if at > 0:
            order.insert(order.index(declared[at - 1]) + 1, name)
            continue
        after = [other for other in declared[1:] if other in derived]
        order.insert(order.index(after[0]) if after else len(order), name)
    return order


def _derive(cls_name: str, command: type, omit: tuple[str, ...], namespace: dict[str, Any]) -> dict[str, Any]:
    fields = _command_fields(command)
    unknown = [name for name in omit if name not in fields]
    if unknown:
        raise TypeError(f"{cls_name} omits {unknown}, which {command.__name__} does not have.")
    declared: dict[str, Any] = dict(namespace.get("__annotations__", {}))
    both = [name for name in omit if name in declared]
    if both:
        raise TypeError(f"{cls_name} both omits and declares {both}.")
    carried = [name for name in fields if name not in omit]
    annotations: dict[str, Any] = {}
    for name in _in_order(carried, list(declared)):
        if name in declared:
            annotations[name] = declared[name]
            if name in fields:
                value = _with_description(namespace.get(name, _ABSENT), fields[name])
                if value is not _ABSENT:
                    namespace[name] = value
        else:
            annotations[name] = wire_type(command, name)
            namespace[name] = _derived_field(fields[name])
    namespace["__annotations__"] = annotations
    namespace["derived_from"] = command
    namespace["not_on_the_wire"] = omit
    return namespace


class _DerivedFromCommand(ModelMetaclass):
    """Pydantic reads a model's fields from the class namespace in ``ModelMetaclass.__new__``, so
    the derived fields are put into the namespace just before it. A metaclass keeps the ordinary
    class statement (a class mypy and a reader see as one, with its own methods and validators),
    where ``pydantic.create_model`` would give a value mypy only knows as ``type[BaseModel]``."""

    def __new__(
        mcs,
        cls_name: str,
        bases: tuple[type[Any], ...],
        namespace: dict[str, Any],
        command: type | None = None,
        omit: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> type:
        if command is not None:
            namespace = _derive(cls_name, command, omit, dict(namespace))
        return super().__new__(mcs, cls_name, bases, namespace, **kwargs)


class CommandRequest(RequestModel, metaclass=_DerivedFromCommand):
    """A request schema whose fields are its command's (see the module's docstring)."""

    derived_from: ClassVar[type | None] = None
    not_on_the_wire: ClassVar[tuple[str, ...]] = ()

    # The class keywords the metaclass takes, declared here too so a type checker knows them.
    def __init_subclass__(
        cls, *, command: type | None = None, omit: tuple[str, ...] = (), **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
