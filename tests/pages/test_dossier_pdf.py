"""The dossier in the official form (issue 14, item 5): the training section of Phiếu 2C as a PDF,
checked by rendering its pages to images (pypdfium2) and reading each page's text: the national
heading, the configured agency, the person's name and "page n of N" on every page, the signature
block and the date of signature in agency time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from api_fixtures import Api, running_api, signed_in
from PIL import Image

from ledger.store.config import StoreConfig

# 18:30 UTC on 4 December is already 5 December in Hà Nội: the form must say the 5th.
NOW = datetime(2026, 12, 4, 18, 30, tzinfo=UTC)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@dataclass
class Rendered:
    texts: list[str]
    images: list[Image.Image]


def render(content: bytes, name: str) -> Rendered:
    document = pdfium.PdfDocument(content)
    texts, images = [], []
    SCREENSHOTS.mkdir(exist_ok=True)
    for number, page in enumerate(document, start=1):
        texts.append(page.get_textpage().get_text_range())
        image = page.render(scale=1.5).to_pil().convert("L")
        image.save(SCREENSHOTS / f"dossier-{name}-page{number}.png")
        images.append(image)
    return Rendered(texts, images)


def ink(image: Image.Image, box: tuple[float, float, float, float] = (0, 0, 1, 1)) -> float:
    """The share of dark pixels in ``box`` (fractions of the width and height)."""
    w, h = image.size
    part = image.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    histogram = part.histogram()  # grey levels 0..255
    return sum(histogram[:128]) / sum(histogram)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    # The PDF is made from the standing view: one store (SQLite) shows the layout; the views'
    # equality on PostgreSQL is the projections' tests' business.
    store = StoreConfig(f"sqlite:///{tmp_path_factory.mktemp('dossier') / 'ledger.db'}")
    with running_api(store, clock=lambda: NOW) as running:
        running.register("CB-2C", full_name="Nguyễn Thị Thanh Hương")
        for n in range(30):
            running.enroll(
                "CB-2C",
                course_code=f"BD-{n:02d}",
                course_title=f"Bồi dưỡng kiến thức quản lý nhà nước chuyên đề số {n + 1}",
                starts_on=f"{2011 + n % 12}-0{1 + n % 9}-01",
                ends_on=f"{2011 + n % 12}-0{1 + n % 9}-28",
            )
        settings = running.app.state.pages.settings
        running.app.state.pages.settings = settings.model_copy(
            update={
                "agency_name": "Sở Nội vụ tỉnh Nghệ An",
                "agency_parent": "Ủy ban nhân dân tỉnh Nghệ An",
                "agency_place": "Nghệ An",
            }
        )
        yield running


@pytest.fixture(scope="module")
def vietnamese(api: Api) -> Rendered:
    response = signed_in(api, "reader").get("/ui/staff/CB-2C/dossier", params={"format": "pdf"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    return render(response.content, "vi")


def test_the_dossier_runs_to_several_pages_none_of_them_blank(vietnamese: Rendered) -> None:
    assert len(vietnamese.images) >= 2
    for image in vietnamese.images:
        assert ink(image) > 0.01


def test_the_first_page_carries_the_national_heading_at_its_top_right(vietnamese: Rendered) -> None:
    first = vietnamese.texts[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
    assert "Độc lập - Tự do - Hạnh phúc" in first
    assert ink(vietnamese.images[0], (0.5, 0.02, 0.98, 0.08)) > 0.01


def test_the_first_page_names_the_configured_agencies(vietnamese: Rendered) -> None:
    first = " ".join(vietnamese.texts[0].split())
    assert "Cơ quan, đơn vị sử dụng CBCC: Sở Nội vụ tỉnh Nghệ An" in first
    assert "Cơ quan quản lý CBCC: Ủy ban nhân dân tỉnh Nghệ An" in first


def test_every_page_repeats_the_name_and_numbers_itself(vietnamese: Rendered) -> None:
    pages = len(vietnamese.texts)
    for number, text in enumerate(vietnamese.texts, start=1):
        assert "Nguyễn Thị Thanh Hương – CB-2C" in text
        assert f"Trang {number}/{pages}" in text


def test_every_page_of_the_table_repeats_its_headings(vietnamese: Rendered) -> None:
    for text in vietnamese.texts:
        if "Bồi dưỡng kiến thức" in text:
            assert "Tên trường" in text


def test_the_last_page_has_the_signature_block_dated_in_agency_time(vietnamese: Rendered) -> None:
    last = " ".join(vietnamese.texts[-1].split())
    assert "NGƯỜI LẬP BIỂU" in last
    assert "THỦ TRƯỞNG CƠ QUAN" in last
    assert "Nghệ An, ngày 05 tháng 12 năm 2026" in last
    assert "(Ký tên, đóng dấu)" in last


def test_the_dossier_in_english_keeps_the_national_heading_in_vietnamese(api: Api) -> None:
    response = signed_in(api, "reader").get(
        "/ui/staff/CB-2C/dossier", params={"format": "pdf", "lang": "en"}
    )
    english = render(response.content, "en")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in english.texts[0]
    assert f"Page 1 of {len(english.texts)}" in english.texts[0]
    assert "5 December 2026" in " ".join(english.texts[-1].split())
