"""Search keys for Vietnamese names: case and diacritics ignored, nothing else lost."""

from __future__ import annotations

import unicodedata

from ledger.text import without_diacritics


def nfc(text: str | None) -> str | None:
    """``text`` composed (NFC), so units and positions compare equal whatever Unicode form they
    were written in: the ledger stores NFC since its text policy, but events recorded before it
    may hold decomposed (NFD) text, and the views and filters normalise both sides."""
    return None if text is None else unicodedata.normalize("NFC", text)


def search_key(text: str) -> str:
    """``Nguyễn Văn Đạt`` → ``nguyen van dat``: NFD, combining marks dropped, đ → d, lowercase,
    runs of white space made one space. (đ is a letter of its own, not d plus a mark, so NFD
    alone does not strip it.)"""
    return " ".join(without_diacritics(text).casefold().split())


def exact(text: str) -> str:
    """``Nguyễn  Văn ĐẠT`` → ``nguyễn văn đạt``: NFC, lowercase, runs of white space made one space;
    the diacritics kept. What a search term typed *with* diacritics is matched against."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def has_marks(term: str) -> bool:
    """Whether a search term was typed with Vietnamese diacritics (or đ): then they count."""
    return search_key(term) != exact(term)


# The letters of the Vietnamese alphabet that carry a vowel or consonant mark, each after its base
# letter (a ă â, d đ, e ê, o ô ơ, u ư); tone marks come second, in the customary order: none,
# huyền, hỏi, ngã, sắc, nặng.
_VARIANT = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve, circumflex, horn
_TONE = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letter_keys(word: str) -> tuple[str, str]:
    primary: list[str] = []
    tones: list[str] = []
    for ch in unicodedata.normalize("NFC", word.casefold()):
        if ch == "đ":
            primary.append("d1")
            tones.append("0")
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        if not base.isalnum() or not base.isascii():
            if base.isalnum():  # a letter of another script: kept, after the Latin ones
                primary.append("z9" + base)
                tones.append("0")
            continue
        variant = max((_VARIANT.get(m, 0) for m in marks), default=0)
        primary.append(f"{base}{variant}")
        tones.append(str(max((_TONE.get(m, 0) for m in marks), default=0)))
    return "".join(primary), "".join(tones)


def name_order_key(full_name: str) -> str:
    """A key that sorts names the Vietnamese way: by the given name (the last word), then the
    family name (the first), then the middle names; within a word, letters in the Vietnamese
    alphabet's order (a ă â b c d đ …), then tones (none, huyền, hỏi, ngã, sắc, nặng): Hương
    before Hường whatever their family names.

    The key holds only ASCII digits and lower-case letters, each letter followed by a digit, a
    word's tones after its letters and words joined by ``00``, so it sorts the same byte by byte
    and under any database collation, and a word sorts before the longer words it begins (``An``
    before ``Anh``)."""
    words = full_name.split()
    if not words:
        return ""
    ordered = [words[-1], words[0], *words[1:-1]] if len(words) > 1 else words
    return "00".join(primary + "0" + tones for primary, tones in map(_letter_keys, ordered))
