"""The ledger's one text policy: what text a fact may carry, whichever way it enters.

Every way in (the HTTP API, ``ledger import-records``, ``ledger import`` of an export, the demo,
the Python ``Ledger``) ends in a ``StaffMember`` command, and the aggregate runs
:func:`clean_fields` over every field of the event it is about to trigger; ``ledger import``, which
inserts stored events as they are, runs :func:`check_event_fields` over each decoded event. So a
new event field cannot skip the policy: a text field whose name is not in :data:`FIELD_KINDS`
gets the strictest one-line treatment until it is classified (a test keeps the table complete).

The policy, by kind of field:

- every text is stored NFC-normalised (the form Vietnamese keyboards produce), and limits are
  counted in code points of that form;
- C0 and C1 control characters (NUL, ESC, DEL, U+0085, U+009B …) and unpaired surrogates are
  refused everywhere; multi-line text alone may hold tab, line feed and carriage return;
- line and paragraph separators (U+2028, U+2029) are refused outside multi-line text;
- bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are refused
  everywhere: they reorder what a reader sees without changing what is stored;
- names, codes and references also refuse every other invisible format character (Unicode category Cf:
  zero-width space, joiners, word joiner, BOM, soft hyphen, directional marks …), so two names
  that look the same are the same;
- blank text is refused (an optional field is left out, not given as spaces);
- identifiers (staff, enrollment and credential ids) are 1 to 40 of ``A-Za-z0-9._-`` and are
  neither ``.`` nor ``..``, which no URL can reach.

The domain raises :class:`ledger.domain.errors.InvalidText` naming the field; the API builds its request
types from the same limits (``api/schemas/common.py``), so both refuse the same text.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Collection, Mapping
from enum import Enum, StrEnum
from typing import Any

from ledger.domain import errors


class TextKind(StrEnum):
    IDENTIFIER = "identifier"  # staff, enrollment and credential ids: they appear in URLs
    NAME = "name"  # a person, unit, position, course, institution: one line, shown everywhere
    CODE = "code"  # a number or code (decision, certificate, rank, course code): one line, short
    REFERENCE = "reference"  # a citation (a legal basis, a document reference): one line, longer
    LINE = "line"  # one-line text not yet classified
    MULTILINE = "multiline"  # reasons and notes


# đ/Đ is a letter of its own, not d plus a mark, so NFD alone does not strip it; ð/Ð (the Latin
# eth) stands in for it in text typed on keyboards without Vietnamese.
_D_WITH_STROKE = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def without_diacritics(text: str) -> str:
    """``Nguyễn Văn Đạt`` → ``Nguyen Van Dat``: the one way the ledger strips diacritics, so a
    name that matches in one place (search, rules, import headers, file names) matches in all.
    Case, spacing and punctuation are the caller's policy."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_WITH_STROKE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Lengths in code points of the NFC text. The API's request types take theirs from here.
IDENTIFIER_MAX = 40
NAME_MAX = 200
CODE_MAX = 100
# Legal bases cite a decree and its article (the shipped rules have some of 125 characters) and
# document references name the file and row they came from: longer than a number.
REFERENCE_MAX = 200
LINE_MAX = 100
MULTILINE_MAX = 2000

MAX_LENGTH: dict[TextKind, int] = {
    TextKind.IDENTIFIER: IDENTIFIER_MAX,
    TextKind.NAME: NAME_MAX,
    TextKind.CODE: CODE_MAX,
    TextKind.REFERENCE: REFERENCE_MAX,
    TextKind.LINE: LINE_MAX,
    TextKind.MULTILINE: MULTILINE_MAX,
}

# Every text field of every event, by its own name (nested fields by their last name: the
# ``title`` of a credential award, the ``reason`` of a waiver). Keep it complete: the test
# ``test_every_text_field_of_every_event_has_a_kind`` fails when an event gains an unlisted one.
FIELD_KINDS: dict[str, TextKind] = {
    "staff_id": TextKind.IDENTIFIER,
    "enrollment_id": TextKind.IDENTIFIER,
    "credential_id": TextKind.IDENTIFIER,
    "full_name": TextKind.NAME,
    "unit": TextKind.NAME,
    "from_unit": TextKind.NAME,
    "to_unit": TextKind.NAME,
    "position": TextKind.NAME,
    # Unit facts (ledger.organisation): units are named by free-text ids, as staff facts name them.
    "unit_id": TextKind.NAME,
    "name": TextKind.NAME,
    "parent_id": TextKind.NAME,
    "into_id": TextKind.NAME,
    "parts": TextKind.NAME,
    "part_names": TextKind.NAME,
    "previous_position": TextKind.NAME,
    "course_title": TextKind.NAME,
    "provider": TextKind.NAME,
    "title": TextKind.NAME,
    "issuer": TextKind.NAME,
    "evaluator": TextKind.NAME,
    "verified_by": TextKind.NAME,
    "recorded_by": TextKind.NAME,
    "country": TextKind.NAME,
    "field": TextKind.NAME,  # field of study (chuyên ngành)
    "rank": TextKind.CODE,
    "course_code": TextKind.CODE,
    "decision_ref": TextKind.CODE,
    "number": TextKind.CODE,
    "document_ref": TextKind.REFERENCE,
    "scans": TextKind.CODE,  # SHA-256 digests (64 hex digits) of evidence scans
    "voided_event_id": TextKind.CODE,
    "national_id": TextKind.CODE,  # 12 ASCII digits, checked by ledger.domain.national_id
    "previous_national_id": TextKind.CODE,
    "rule_set": TextKind.CODE,
    "rule_id": TextKind.CODE,
    "track": TextKind.CODE,
    "required_level": TextKind.CODE,
    "held_level": TextKind.CODE,
    "level": TextKind.CODE,
    "timing": TextKind.CODE,
    "legal_basis": TextKind.REFERENCE,
    "reason": TextKind.MULTILINE,
    "notes": TextKind.MULTILINE,
}

IDENTIFIER_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,40}")
# C0 and C1 controls and DEL; multi-line text may keep tab, LF and CR.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MULTILINE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SEPARATORS = re.compile("[\u2028\u2029]")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SURROGATES = re.compile("[\ud800-\udfff]")

_WHAT = {
    TextKind.IDENTIFIER: "an id",
    TextKind.NAME: "a name",
    TextKind.CODE: "a code",
    TextKind.REFERENCE: "a reference",
    TextKind.LINE: "one-line text",
    TextKind.MULTILINE: "text",
}


def kind_of(field: str) -> TextKind:
    """The kind of a (possibly dotted) field; unlisted fields get the one-line policy."""
    leaf = re.sub(r"\[\d+\]$", "", field.rsplit(".", 1)[-1])
    return FIELD_KINDS.get(leaf, TextKind.LINE)


def _refuse(field: str, message: str) -> errors.InvalidText:
    # The field travels apart (problem+json "field", the import's column), not in the message.
    return errors.InvalidText(message, field=field)


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def clean(value: str, kind: TextKind, field: str) -> str:
    """``value`` as the ledger stores it (NFC), or :class:`errors.InvalidText` naming ``field``."""
    if not isinstance(value, str):
        raise _refuse(field, f"expected text, not {type(value).__name__}.")
    surrogate = _SURROGATES.search(value)
    if surrogate:
        raise _refuse(field, "the text is not valid Unicode (an unpaired surrogate).")
    # Refused characters are looked for before normalising, so the message names what was sent.
    controls = _MULTILINE_CONTROLS if kind is TextKind.MULTILINE else _CONTROLS
    found = controls.search(value)
    if found:
        raise _refuse(field, f"control character {_describe(found.group())} is not allowed in {_WHAT[kind]}.")
    if kind is not TextKind.MULTILINE:
        found = _SEPARATORS.search(value)
        if found:
            raise _refuse(field, f"{_describe(found.group())} is not allowed: {_WHAT[kind]} is one line.")
    found = _BIDI_CONTROLS.search(value)
    if found:
        raise _refuse(
            field,
            f"bidirectional control {_describe(found.group())} is not allowed: it changes how the "
            "text reads without changing what is stored.",
        )
    if kind in (TextKind.IDENTIFIER, TextKind.NAME, TextKind.CODE, TextKind.REFERENCE):
        for ch in value:
            if unicodedata.category(ch) == "Cf":
                raise _refuse(
                    field,
                    f"invisible character {_describe(ch)} is not allowed in {_WHAT[kind]}: two "
                    "names that look the same must be the same.",
                )
    text = unicodedata.normalize("NFC", value)
    if not text.strip():
        raise _refuse(field, "the text must not be blank.")
    limit = MAX_LENGTH[kind]
    if len(text) > limit:
        raise _refuse(field, f"{len(text):,} characters is too long; at most {limit}.")
    if kind is TextKind.IDENTIFIER:
        if IDENTIFIER_PATTERN.fullmatch(text) is None:
            raise _refuse(
                field, f"'{text}' is not a valid id: use 1 to 40 letters, digits, '.', '_' or '-'."
            )
        if text in (".", ".."):
            raise _refuse(field, f"'{text}' cannot be an id: no URL can reach it.")
    return text


def clean_value(value: Any, field: str) -> Any:
    """``value`` with every text inside it cleaned (dataclasses and lists walked), by field name."""
    if value is None or isinstance(value, bool | int | float | Enum):
        # Enum members are catalog codes, already checked against the catalog.
        return value
    if isinstance(value, str):
        return clean(value, kind_of(field), field)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: clean_value(getattr(value, f.name), f"{field}.{f.name}")
            for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, list | tuple):
        cleaned = [clean_value(item, f"{field}[{i}]") for i, item in enumerate(value)]
        return type(value)(cleaned)
    if isinstance(value, Mapping):
        return {key: clean_value(item, f"{field}.{key}") for key, item in value.items()}
    return value  # dates, decimals, UUIDs: not text


def clean_fields(fields: Mapping[str, Any], *, copied: Collection[str] = ()) -> dict[str, Any]:
    """The keyword arguments of an event about to be triggered, every text cleaned. ``copied``
    names fields the aggregate copies from its own record (a rotation's ``from_unit``): they are
    facts already on the record, so text recorded before this policy must not block new facts."""
    return {
        name: value if name in copied else clean_value(value, name) for name, value in fields.items()
    }


def check_event_fields(fields: Mapping[str, Any]) -> None:
    """Refuse a stored event whose text breaks the policy (``ledger import``).

    Text that is only not NFC is accepted: an export written before the policy may hold it, and
    the hash chain covers the stored bytes, so it is imported exactly as it was (the views compare
    units and positions in NFC, so it still matches)."""
    clean_fields(fields)


@functools.lru_cache(maxsize=65536)
def normalize_name(text: str) -> str:
    """A title as compared: without diacritics (đ → d), case-folded, punctuation as spaces
    (remembered: the reports compare the same course titles over and over)."""
    plain = without_diacritics(text).casefold()
    return " ".join(re.sub(r"[^0-9a-z.]+", " ", plain).split())
