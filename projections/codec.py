"""Record state to JSON and back, driven by the dataclasses' own type hints.

The standing view stores the pieces of a ``StaffRecord`` (the person's own fields, each
enrollment, credential, rotation, …) as compact JSON, so a field added to the record on the write
side is carried by the view without a change here (:func:`fingerprint` changes, and with it the
view's schema version, so the view is rebuilt). The codec is exact: dates, Decimals (digits
kept), enums and nested value objects come back equal.

Encoders and decoders are compiled once per class from its type hints: a rebuild encodes and
decodes hundreds of thousands of items, so the per-item work is a dict copy and a few calls.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
import zlib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

Convert = Callable[[Any], Any]

_ENCODERS: dict[type[Any], Convert] = {}
_DECODERS: dict[type[Any], Convert] = {}
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
_loads = json.JSONDecoder().decode


def unwrap_optional(hint: Any) -> tuple[Any, bool]:
    """``X | None`` → (``X``, True); any other hint → (itself, False)."""
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        others = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(others) == 1:
            return others[0], True
    return hint, False


def _optional(inner: Convert) -> Convert:
    def convert(value: Any) -> Any:
        return None if value is None else inner(value)

    return convert


def _encoder_for(hint: Any) -> Convert | None:
    """How to turn a value of type ``hint`` into JSON data (None: it already is)."""
    hint, optional = unwrap_optional(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    encode: Convert | None
    if origin in (list, tuple) or hint in (list, tuple):
        item = _encoder_for(args[0]) if args else to_plain
        encode = (lambda v: [item(x) for x in v]) if item else list
    elif origin is dict or hint is dict:
        value = _encoder_for(args[1]) if len(args) == 2 else to_plain
        encode = (lambda v: {str(k): value(x) for k, x in v.items()}) if value else dict
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        # A str-valued enum already is JSON text to the encoder; others need their value.
        encode = None if issubclass(hint, str) else _enum_value
    elif hint is date or hint is datetime:
        encode = _isoformat
    elif hint is Decimal:
        encode = str
    elif isinstance(hint, type) and dataclasses.is_dataclass(hint):
        encode = encoder(hint)
    elif hint in (str, int, bool, float):
        encode = None
    else:
        encode = to_plain  # Any, unions of several types: decide at run time
    if encode is not None and optional:
        return _optional(encode)
    return encode


def _decoder_for(hint: Any) -> Convert | None:
    """How to rebuild a value of type ``hint`` from JSON data (None: it already is)."""
    hint, optional = unwrap_optional(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    decode: Convert | None
    if origin in (list, tuple) or hint in (list, tuple):
        item = _decoder_for(args[0]) if args else None
        maker: Convert = tuple if origin is tuple or hint is tuple else list
        decode = (lambda v: maker(item(x) for x in v)) if item else maker
    elif origin is dict or hint is dict:
        value = _decoder_for(args[1]) if len(args) == 2 else None
        decode = (lambda v: {k: value(x) for k, x in v.items()}) if value else None
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        decode = hint
    elif hint is date:
        decode = date.fromisoformat
    elif hint is datetime:
        decode = datetime.fromisoformat
    elif hint is Decimal:
        decode = Decimal
    elif isinstance(hint, type) and dataclasses.is_dataclass(hint):
        decode = decoder(hint)
    else:
        decode = None
    if decode is not None and optional:
        return _optional(decode)
    return decode


def _enum_value(value: Any) -> Any:
    return value.value


def _isoformat(value: Any) -> Any:
    return value.isoformat()


def encoder(cls: type[Any], only: tuple[str, ...] | None = None) -> Convert:
    """A function turning an instance of dataclass ``cls`` into JSON data: the list of its field
    values in declaration order (or of the fields named in ``only``). Lists, not objects: the
    names would be most of the text, and the shape is pinned by :func:`fingerprint`."""
    found = _ENCODERS.get(cls) if only is None else None
    if found is not None:
        return found
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in dataclasses.fields(cls) if only is None or f.name in only)
    converters = tuple(
        (index, convert)
        for index, name in enumerate(names)
        if (convert := _encoder_for(hints[name])) is not None
    )

    def encode(obj: Any) -> list[Any]:
        state = obj.__dict__
        data = [state[name] for name in names]
        for index, convert in converters:
            value = data[index]
            if value is not None:
                data[index] = convert(value)
        return data

    if only is None:
        _ENCODERS[cls] = encode
    return encode


def decoder(cls: type[Any], only: tuple[str, ...] | None = None) -> Convert:
    """A function rebuilding an instance of dataclass ``cls`` from :func:`encoder` data (made
    with the same ``only``; the other fields keep their defaults)."""
    found = _DECODERS.get(cls) if only is None else None
    if found is not None:
        return found
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in dataclasses.fields(cls) if only is None or f.name in only)
    converters = tuple(
        (index, convert)
        for index, name in enumerate(names)
        if (convert := _decoder_for(hints[name])) is not None
    )

    def decode(data: list[Any]) -> Any:
        for index, convert in converters:
            value = data[index]
            if value is not None:
                data[index] = convert(value)
        return cls(**dict(zip(names, data, strict=True)))

    if only is None:
        _DECODERS[cls] = decode
    return decode


def to_plain(value: Any) -> Any:
    """Any value as JSON data, deciding by its run-time type (the slow, general path)."""
    if value is None or (isinstance(value, (bool, int, float, str)) and not isinstance(value, enum.Enum)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return encoder(type(value))(value)
    return value


def dumps(value: Any) -> str:
    """A dataclass instance as compact JSON (same instance, same text)."""
    return _dumps(encoder(type(value))(value))


def loads(cls: type[Any], text: str) -> Any:
    return decoder(cls)(_loads(text))


def scalar_fields(cls: type[Any]) -> tuple[str, ...]:
    """A record's own fields (not its collections)."""
    hints = typing.get_type_hints(cls)
    return tuple(
        f.name for f in dataclasses.fields(cls) if typing.get_origin(hints[f.name]) not in (list, dict)
    )


def collection_fields(cls: type[Any]) -> tuple[tuple[str, str, type[Any]], ...]:
    """A record's collections as (field name, "dict" or "list", item class)."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        origin = typing.get_origin(hints[f.name])
        if origin is dict:
            out.append((f.name, "dict", typing.get_args(hints[f.name])[1]))
        elif origin is list:
            out.append((f.name, "list", typing.get_args(hints[f.name])[0]))
    return tuple(out)


def fingerprint(cls: type[Any]) -> int:
    """A number that changes when the shape of ``cls`` (or of any dataclass in it) changes."""
    seen: set[type[Any]] = set()
    parts: list[str] = []

    def visit(kind: type[Any]) -> None:
        if kind in seen:
            return
        seen.add(kind)
        hints = typing.get_type_hints(kind)
        for f in dataclasses.fields(kind):
            parts.append(f"{kind.__qualname__}.{f.name}:{hints[f.name]}")
            for arg in _leaves(hints[f.name]):
                if isinstance(arg, type) and dataclasses.is_dataclass(arg):
                    visit(arg)

    visit(cls)
    return zlib.crc32("\n".join(parts).encode())


def _leaves(hint: Any) -> list[Any]:
    args = typing.get_args(hint)
    if not args:
        return [hint]
    out: list[Any] = []
    for arg in args:
        out += _leaves(arg)
    return out
