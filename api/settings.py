"""Settings of the HTTP service, read from the environment (pydantic-settings).

Only ``LEDGER_DATABASE_URL`` is shared with the rest of the ledger; everything else the API reads
is prefixed ``LEDGER_API_`` (``LEDGER_API_RUN_PROJECTIONS=false`` and so on).
"""

from __future__ import annotations

import socket

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.store.config import DEFAULT_DATABASE_URL, StoreConfig, store_from_environment


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_API_", extra="ignore", frozen=True)

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("LEDGER_DATABASE_URL", "database_url"),
        description="The store: sqlite:///PATH or postgresql://USER@HOST:PORT/DBNAME[?schema=NAME].",
    )
    run_projections: bool = Field(
        default=True,
        description="Run the projection engine inside this process. Turn it off when a separate "
        "`ledger projections run` process feeds the views (several workers or machines).",
    )
    startup_wait_seconds: float = Field(
        default=10.0,
        ge=0,
        description="At start-up, how long to wait for the in-process engine to bring the views level "
        "with the log before serving (reads from views answer 503 while they are still being built).",
    )
    read_your_writes_timeout: float = Field(
        default=5.0,
        ge=0,
        description="At most how long (seconds) a write waits for the views to apply it before answering "
        "(never for a view stopped by a poison event). The write is recorded either way; a view still "
        "behind is named in the `Ledger-Views-Behind` header.",
    )
    key_cache_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How long a verified key is trusted without asking the store again; a revoked "
        "key stops working at most this long after `ledger keys revoke`.",
    )
    idempotency_retention_hours: float = Field(
        default=24 * 7,
        gt=0,
        description="How long an Idempotency-Key is remembered (pruned at start-up).",
    )
    idempotency_wait_seconds: float = Field(
        default=10.0,
        ge=0,
        description="How long a repeat waits for the first request with the same key to finish.",
    )
    problem_type_base: str = Field(
        default="/problems/",
        description="Prefix of the `type` URI of every problem (RFC 9457); the service documents "
        "each type under /problems/{code}.",
    )
    threads: int = Field(
        default=8,
        ge=1,
        le=1000,
        description="Worker threads for the synchronous endpoints. Requests beyond it queue. On two "
        "cores a small pool keeps the GIL from thrashing (GET p99 halves from 40 threads to 8); the "
        "store serialises writes anyway, so more threads do not raise write throughput.",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1,
        validation_alias=AliasChoices("LEDGER_MAX_BODY_BYTES", "LEDGER_API_MAX_BODY_BYTES", "max_body_bytes"),
        description="Largest request body (bytes) the service reads; larger ones answer 413 before "
        "they are read, whether `Content-Length` says so or the bytes stream in chunks.",
    )
    max_scan_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1,
        validation_alias=AliasChoices("LEDGER_MAX_SCAN_BYTES", "LEDGER_API_MAX_SCAN_BYTES", "max_scan_bytes"),
        description="Largest evidence scan (bytes) accepted by `POST /scans` and the forms; the body "
        "limit of those paths is raised to fit it.",
    )
    trusted_hosts: str = Field(
        default="",
        validation_alias=AliasChoices("LEDGER_TRUSTED_HOSTS", "LEDGER_API_TRUSTED_HOSTS", "trusted_hosts"),
        description="Comma-separated host names the service answers to (`*.example.org` for "
        "subdomains, `*` for any); other `Host` headers answer 400. Empty: localhost, 127.0.0.1, "
        "::1, this machine's name and the address `ledger serve --host` listens on.",
    )
    degraded_lag_seconds: float = Field(
        default=60.0,
        gt=0,
        description="`/health` says `degraded` when a view's first unapplied event has waited longer "
        "than this (a stuck or overloaded engine), as well as when a view is stopped by an event.",
    )
    serve_host: str = Field(default="", description="Set by `ledger serve` to its --host.")
    title: str = "Ledger of staff training records"

    def allowed_hosts(self) -> list[str]:
        if self.trusted_hosts.strip():
            return [h.strip() for h in self.trusted_hosts.split(",") if h.strip()]
        found = ["localhost", "127.0.0.1", "::1", socket.gethostname()]
        if self.serve_host.strip("[]") not in ("", "0.0.0.0", "::"):
            found.append(self.serve_host.strip("[]"))
        return found

    def store(self) -> StoreConfig:
        return store_from_environment({"LEDGER_DATABASE_URL": self.database_url})
