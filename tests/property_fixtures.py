"""Helpers for the property tests of the write side (tests/domain/test_properties_*.py): the
hypothesis settings both share, text as registrars type it, and a day drawn between two dates.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as registrars type it: Vietnamese letters with their marks in either Unicode form, digits,
# punctuation, spaces (never lone surrogates: they cannot come out of UTF-8).
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐ"),
        st.characters(codec="utf-8", categories=("L", "M", "N", "P", "Zs")),
    ),
    min_size=1,
    max_size=24,
).filter(lambda text: text.strip() != "")


def between(lo: date, hi: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=lo, max_value=hi)
