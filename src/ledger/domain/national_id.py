"""The personal identification number (số định danh cá nhân, ``national_id``).

What the ledger checks is only what it can check honestly: the number is exactly twelve ASCII
digits. The number is said to be structured (a province code, a century-and-gender digit, the
last two digits of the birth year, then a serial), but the project's domain reference does not
confirm that structure, and the number carries no check digit; refusing a real number because
of an unconfirmed rule would leave that person's record without it. So the structure is
documented (docs/national-id.md) and not enforced.

Messages never repeat the number: it is personal data, and error bodies end up in logs and
screenshots.
"""

from __future__ import annotations

import re

from ledger.domain import errors

NATIONAL_ID_PATTERN = re.compile(r"[0-9]{12}")
NATIONAL_ID_LENGTH = 12


def check_national_id(value: object, field: str = "national_id") -> str:
    """``value`` if it is twelve ASCII digits, else :class:`errors.InvalidInput` naming ``field``.

    Other digits (full-width, Arabic-Indic …), spaces and separators are refused rather than
    converted: the number is compared byte for byte, so it is stored exactly as issued."""
    if not isinstance(value, str):
        raise errors.InvalidInput(f"{field} must be text of 12 digits.", field=field)
    if NATIONAL_ID_PATTERN.fullmatch(value) is None:
        raise errors.InvalidInput(
            f"{field} must be exactly 12 digits 0-9, with no spaces or separators "
            f"(this value has {len(value)} characters).",
            field=field,
        )
    return value
