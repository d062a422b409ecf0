"""Field types shared by the request and response models.

Shape is checked here, at the edge; the rules of the record are checked by the domain. Text fields
apply the domain's text policy (``ledger.text``) with its limits, so the API refuses exactly what
the domain refuses, naming the field: control characters, unpaired surrogates, line breaks in
one-line fields, bidirectional controls, invisible characters in names and codes, blank values,
text over its length. Text is normalised to NFC (before its length is counted) and otherwise kept
as sent (no trimming), so Vietnamese names round-trip with their diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)

from ledger import text
from ledger.domain import catalog, errors
from ledger.text import TextKind

# 1 to 40 of A-Za-z0-9._- but not "." or ".." (no URL reaches them), without look-ahead, which
# pydantic's regex engine lacks: a first character other than '.', or ".x…", or "..x…".
CODE_PATTERN = (
    r"^([A-Za-z0-9_-][A-Za-z0-9._-]{0,39}|\.[A-Za-z0-9_-][A-Za-z0-9._-]{0,38}"
    r"|\.\.[A-Za-z0-9._-]{1,38})$"
)
EVENT_ID_PATTERN = r"^[A-Za-z0-9._-]{1,40}:[1-9][0-9]{0,8}$"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPACED_OFFSET = re.compile(r"(?<=\d) (\d{2}:?\d{2})$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?$")
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)

LEVEL_CODES: tuple[str, ...] = tuple(
    dict.fromkeys(level.code for info in catalog.TRACKS.values() for level in info.levels)
)


def _clean_text(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode (no unpaired surrogates).") from None
    if _CONTROL.search(value):
        raise ValueError("Text must not contain control characters.")
    if not value.strip():
        raise ValueError("Text must not be blank.")
    return value


def _multiline(value: str) -> str:
    # Notes and reasons may span lines; tabs and newlines are allowed there, nothing else.
    return _clean_text(value)


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value or "\t" in value:
        raise ValueError("Text must be on one line.")
    return _clean_text(value)


def _nfc(value: Any) -> Any:
    # Normalised before the length is counted, as the domain counts it.
    if isinstance(value, str):
        try:
            return unicodedata.normalize("NFC", value)
        except UnicodeError:  # an unpaired surrogate: the policy names it
            return value
    return value


def _policy(kind: TextKind) -> AfterValidator:
    def check(value: str) -> str:
        try:
            return text.clean(value, kind, kind.value)
        except errors.InvalidText as error:
            raise ValueError(error.message) from None

    return AfterValidator(check)


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("Dates are written YYYY-MM-DD.")
    if not isinstance(value, str | date):
        raise ValueError("Dates are written as strings, YYYY-MM-DD.")
    return value


def _rfc3339(value: Any) -> Any:
    # Pydantic would also read a number as a Unix time; the contract says RFC 3339.
    if isinstance(value, str):
        # An unencoded "+07:00" in a query string arrives as " 07:00".
        value = _SPACED_OFFSET.sub(r"+\1", value)
        if not _RFC3339.match(value):
            raise ValueError("Timestamps are RFC 3339 with a time zone, e.g. 2025-01-31T08:00:00Z.")
        return value
    if isinstance(value, datetime):
        return value
    raise ValueError("Timestamps are written as strings, RFC 3339, e.g. 2025-01-31T08:00:00Z.")


def _date_in_range(value: date) -> date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"Dates must lie between {FIRST_DATE} and {LAST_DATE}.")
    return value


def _known_level(value: str) -> str:
    if value not in LEVEL_CODES:
        raise ValueError(f"'{value}' is not a level of any track (see the codes in the API guide).")
    return value


ScanDigest = Annotated[
    str, Field(pattern=r"^[0-9a-f]{64}$", description="A scan's SHA-256 digest (64 hex digits).")
]
Code = Annotated[str, Field(pattern=CODE_PATTERN, examples=["CB0001"])]
# Query-string text (a unit's name, a search): the same guard as body text, for it reaches SQL too.
QueryText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_single_line)]
CursorText = Annotated[str, Field(pattern=r"^[A-Za-z0-9_=-]{1,400}$")]
CodeList = Annotated[str, Field(pattern=r"^[A-Za-z_ ]+(,[A-Za-z_ ]+)*$", max_length=500)]
EventId = Annotated[str, Field(pattern=EVENT_ID_PATTERN, examples=["CB0001:3"])]
# The personal identification number: exactly 12 ASCII digits (``ledger.domain.national_id``). The
# pattern's message never repeats the value, nor does any other error about it.
NationalId = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{12}$",
        min_length=12,
        max_length=12,
        examples=["001085012345"],
        description="Personal identification number (số định danh cá nhân): exactly 12 digits.",
    ),
]
Name = Annotated[
    str,
    BeforeValidator(_nfc),
    Field(min_length=1, max_length=text.NAME_MAX),
    AfterValidator(_single_line),
    _policy(TextKind.NAME),
]
# A code or reference (decision number, certificate number, rank): one line, no invisible characters.
ShortText = Annotated[
    str,
    BeforeValidator(_nfc),
    Field(min_length=1, max_length=text.CODE_MAX),
    AfterValidator(_single_line),
    _policy(TextKind.CODE),
]
# A citation: a legal basis, the reference of a document (one line, longer than a code).
Reference = Annotated[
    str,
    BeforeValidator(_nfc),
    Field(min_length=1, max_length=text.REFERENCE_MAX),
    AfterValidator(_single_line),
    _policy(TextKind.REFERENCE),
]
LongText = Annotated[
    str,
    BeforeValidator(_nfc),
    Field(min_length=1, max_length=text.MULTILINE_MAX),
    AfterValidator(_multiline),
    _policy(TextKind.MULTILINE),
]
BusinessDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    AfterValidator(_date_in_range),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2024-03-04"]}),
]
Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2025-01-31T08:00:00Z"]}),
]
LevelCode = Annotated[
    str,
    AfterValidator(_known_level),
    WithJsonSchema({"type": "string", "enum": list(LEVEL_CODES)}),
]
Score = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=2, examples=["8.50"])]
Money = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2, examples=["12500000"])]
Year = Annotated[int, Field(ge=1900, le=2199, examples=[2024])]


class RequestModel(BaseModel):
    """Requests refuse unknown fields, so a misspelt field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class WriteResult(ResponseModel):
    """What every write answers (201)."""

    staff_id: str = Field(examples=["CB0001"])
    version: int = Field(
        description="The staff member's version after the write (the new ETag).", examples=[4]
    )
    event_id: str = Field(description="The recorded event: STAFF_ID:VERSION.", examples=["CB0001:4"])
    position: int = Field(description="The event's place in the global log (see /events).", examples=[1207])
    recorded_at: Timestamp = Field(description="When the event was recorded (UTC).")
    enrollment_id: str | None = Field(
        default=None, description="The enrollment this write created or closed."
    )
    credential_id: str | None = Field(default=None, description="The credential this write created.")
