"""Settings of the pages, read from the environment (``LEDGER_PAGES_*``; anomaly thresholds from
``LEDGER_ANOMALY_*``, see :class:`projections.anomaly_rules.AnomalyRules`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PagesSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_PAGES_", extra="ignore", frozen=True)

    session_hours: float = Field(
        default=8.0,
        gt=0,
        le=24 * 30,
        description="How long a sign-in lasts (hours); the session ends earlier at sign-out, or when "
        "its key is revoked or rotated.",
    )
    secure_cookies: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="Mark cookies Secure: `auto` when the request came over HTTPS (or a proxy said "
        "so in X-Forwarded-Proto), `always`, or `never`.",
    )
    font_dir: str = Field(
        default="/usr/share/fonts/truetype/dejavu",
        description="Where DejaVuSans.ttf and DejaVuSans-Bold.ttf are (Debian: fonts-dejavu-core), for "
        "the PDF dossier; without them the dossier is offered for printing only.",
    )
    agency_name: str = Field(
        default="",
        max_length=200,
        description="The agency's name on the PDF dossier (Phiếu 2C: cơ quan, đơn vị sử dụng); empty: a "
        "dotted line to fill in by hand.",
    )
    agency_parent: str = Field(
        default="",
        max_length=200,
        description="The agency that manages it (cơ quan quản lý), on the PDF dossier.",
    )
    agency_place: str = Field(
        default="",
        max_length=100,
        description="The place written before the date of signature on the PDF dossier (`Hà Nội`).",
    )
    page_size: int = Field(default=50, ge=1, le=500, description="Rows per page of the directory.")
