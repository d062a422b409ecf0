"""Search keys for Vietnamese names: case and diacritics ignored, nothing else lost."""

from __future__ import annotations

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def nfc(text: str | None) -> str | None:
    """``text`` composed (NFC), so units and positions compare equal whatever Unicode form they
    were written in: the ledger stores NFC since its text policy, but events recorded before it
    may hold decomposed (NFD) text, and the views and filters normalise both sides."""
    return None if text is None else unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """``Nguyễn Văn Đạt`` → ``nguyen van dat``: NFD, combining marks dropped, đ → d, lowercase,
    runs of white space made one space. (đ is a letter of its own, not d plus a mark, so NFD
    alone does not strip it.)"""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
