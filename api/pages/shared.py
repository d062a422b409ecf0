"""What the staff pages, the report pages and form BM01 share: a read that fails as a page (never
a 5xx), the export formats they offer, the header of an export, and per-track figures in the
catalog's order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from api.pages.web import Page
from ledger.domain import catalog, errors
from projections.queries import ViewNotReady

T = TypeVar("T")

FORMATS = ("csv", "xlsx")
LEVELLED = [info for info in catalog.TRACKS.values() if info.has_levels]


def guarded(page: Page, run: Any) -> Any:
    """Run a read; named errors become a page that says what was wrong (never a 5xx)."""
    try:
        return run()
    except ViewNotReady:
        raise page.fail(page.t("error.not_ready"), status=503) from None
    except errors.InvalidInput as error:
        raise page.fail(page.t("error.bad_input") + error.message, status=400) from None


def filters_header(
    page: Page,
    pairs: Sequence[tuple[str, str | None]],
    as_of: date | None,
    known_at: datetime | None = None,
) -> list[tuple[str, Any]]:
    """The header of an export: the filters as chosen, the day and knowledge time it is read at,
    when it was made, and its source."""
    t = page.t
    shown = [f"{label}: {value}" for label, value in pairs if value]
    header = [
        (t("export.filters"), "; ".join(shown) if shown else t("common.all")),
    ]
    if as_of is not None:
        header.append((t("common.as_of_short"), t.date(as_of)))
    if known_at is not None:
        header.append((t("common.known_at"), f"{t.when(known_at)} ({t('common.local_time')})"))
    header.append((t("common.generated_at"), f"{t.when(page.now())} ({t('common.local_time')})"))
    header.append((t("export.source"), t("export.source_value")))
    return header


def catalog_order(by_track: dict[str, T]) -> dict[str, T]:
    """Per-track figures in the catalog's order of tracks (professional first)."""
    order = [str(track) for track in catalog.TRACKS]
    return dict(sorted(by_track.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99))
