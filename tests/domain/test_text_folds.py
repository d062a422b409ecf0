"""One way of stripping diacritics behind every place that compares or names things by text:
the directory search, the position standards, the legacy importer's headers and file names."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from api.pages.exports import ascii_slug
from ledger.importing import header_key
from ledger.text import normalize_name
from projections.text import search_key

VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
# Vietnamese words, upper or lower case, in either Unicode form, with the eth (ð/Ð) that stands
# in for đ/Đ on keyboards without Vietnamese.
WORDS = st.lists(
    st.text(alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + "ðÐ", min_size=1, max_size=8),
    min_size=1,
    max_size=4,
).flatmap(
    lambda words: st.sampled_from(["NFC", "NFD"]).map(
        lambda form: unicodedata.normalize(form, " ".join(words))
    )
)


@given(WORDS)
def test_every_comparison_of_names_strips_the_same_diacritics(name: str) -> None:
    words = search_key(name)
    assert normalize_name(name) == words
    assert header_key(name) == words
    assert ascii_slug(name) == words.replace(" ", "-")


def test_the_eth_that_stands_in_for_d_with_stroke_matches_it_everywhere() -> None:
    assert normalize_name("Ðào tạo") == normalize_name("Đào tạo") == "dao tao"
    assert header_key("ðơn vị") == header_key("đơn vị") == "don vi"
