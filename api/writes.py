"""How every write runs: If-Match, Idempotency-Key, the ledger command, then read-your-writes.

1. With ``Idempotency-Key``, the key is reserved first (race-safe, see ``api.idempotency``); a
   repeat of a finished request replays its response and records nothing.
2. ``If-Match`` becomes the command's ``expected_version``: the ledger refuses a stale one (412)
   inside the same check that guards concurrent saves, so nothing is recorded.
3. The command runs with the key's NAME as ``recorded_by``; domain errors propagate unchanged
   (mapped once in ``api.errors``) and release the idempotency reservation.
4. The response (201, ``ETag`` of the new version, ``Location`` of the staff member) is stored
   for the idempotency key, then the write waits until the views have applied it: at most
   ``LEDGER_API_READ_YOUR_WRITES_TIMEOUT`` seconds, and not at all for a view stopped by a poison
   event. The event is recorded either way; a view still behind is named in ``Ledger-Views-Behind``
   (with ``X-Ledger-Views-Lagging: true``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import IdempotencyDep, LedgerDep, ReadSideDep, Registrar
from api.errors import ApiProblem
from api.idempotency import IdempotencyStore, StoredResponse, fingerprint
from api.keys import Principal
from api.readside import VIEWS_BEHIND, ReadSide, format_behind
from api.schemas.common import WriteResult as WriteResultModel
from api.schemas.units import UnitWriteResult as UnitWriteResultModel
from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.commands import StaffCommand, UnitCommand
from ledger.service import UnitWriteResult, WriteResult

ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')
VERSION = re.compile(r"[0-9]{1,18}")
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
VIEWS_LAGGING = "X-Ledger-Views-Lagging"


def parse_if_match(value: str) -> list[str] | None:
    """The strong entity tags of an If-Match value; None for ``*``; a 400 if malformed.

    Weak tags never match (RFC 9110 uses the strong comparison for If-Match), so they are dropped.
    """
    if value.strip() == "*":
        return None
    tags: list[str] = []
    position = 0
    text = value.strip()
    while position < len(text):
        match = ENTITY_TAG.match(text, position)
        if match is None or match.end() == position:
            raise ApiProblem(
                "invalid_if_match",
                f"If-Match '{value}' is not an entity tag: send the ETag you received, e.g. \"3\".",
            )
        if not match.group(1):
            tags.append(match.group(2))
        position = match.end()
    if not tags and not text:
        raise ApiProblem("invalid_if_match", 'If-Match is empty: send the ETag you received, e.g. "3".')
    return tags


def require_json(request: Request) -> None:
    """Writes carry JSON: another declared content type is a 415, not a confusing 422."""
    content_type = request.headers.get("content-type")
    if content_type is None:
        has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
        if not has_body:
            return  # no body at all: validation says which fields are required
        content_type = "(none)"
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise ApiProblem(
            "unsupported_media_type",
            f"The body must be JSON (Content-Type: application/json), not '{media}'.",
        )


class StaffLocks:
    """Writes to one staff member take turns inside a process (striped locks).

    Without them, concurrent writes to one record race to save the same version and all but one
    re-run their command; under a burst the ledger's bounded retries can run out (409). Queuing
    them is cheaper and always succeeds. Across processes the ledger's optimistic check still
    decides, so this is an optimisation, not the guarantee.
    """

    def __init__(self, stripes: int = 256) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    def for_staff(self, staff_id: str) -> threading.Lock:
        return self._locks[hash(staff_id) % len(self._locks)]


def staff_lock(request: Request, staff_id: str) -> threading.Lock:
    locks: StaffLocks = request.app.state.staff_locks
    return locks.for_staff(staff_id)


def etag(version: int) -> str:
    return f'"{version}"'


class WriteContext:
    """Everything a write route needs besides its body."""

    def __init__(
        self,
        request: Request,
        principal: Principal,
        ledger: Ledger,
        read_side: ReadSide,
        idempotency: IdempotencyStore,
        if_match: str | None,
        idempotency_key: str | None,
    ) -> None:
        self.request = request
        self.principal = principal
        self.ledger = ledger
        self.read_side = read_side
        self.idempotency = idempotency
        self.if_match = if_match
        self.idempotency_key = idempotency_key

    @classmethod
    async def dependency(
        cls,
        request: Request,
        principal: Registrar,
        ledger: LedgerDep,
        read_side: ReadSideDep,
        idempotency: IdempotencyDep,
        if_match: Annotated[
            str | None,
            Header(
                alias="If-Match",
                description='Only write if the staff member is still at this version (the ETag, e.g. "3"); '
                "otherwise 412 and nothing is recorded.",
            ),
        ] = None,
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                pattern=IDEMPOTENCY_KEY_PATTERN,
                description="Any string (1-255 visible ASCII characters) unique to this write: a repeat with "
                "the same key and body answers the first response and records nothing new.",
            ),
        ] = None,
    ) -> WriteContext:
        """Built per request (no I/O, so ``async``: no thread hop); declares the write headers for /docs."""
        require_json(request)
        return cls(request, principal, ledger, read_side, idempotency, if_match, idempotency_key)

    @property
    def recorded_by(self) -> str:
        return self.principal.name

    def run(
        self,
        staff_id: str,
        body: BaseModel,
        command: Callable[[int | None], WriteResult],
        *,
        registration: bool = False,
    ) -> JSONResponse:
        """Run ``command(expected_version)`` as described in the module docstring."""

        def record() -> StoredResponse:
            with staff_lock(self.request, staff_id):
                expected = self._expected_version(staff_id, registration=registration)
                result = command(expected)
            return StoredResponse(
                status=201,
                body=WriteResultModel.model_validate(result).model_dump(mode="json", exclude_none=True),
                headers={"ETag": etag(result.version), "Location": f"/staff/{result.staff_id}"},
                position=result.position,
            )

        return self._recorded(body, record)

    def execute(self, staff_id: str, body: BaseModel, command: StaffCommand) -> JSONResponse:
        """Run a staff member's write ``command`` (made from ``body``) as ``run`` does."""
        return self.run(
            staff_id,
            body,
            lambda expected: self.ledger.execute(
                staff_id, command, recorded_by=self.recorded_by, expected_version=expected
            ),
        )

    def execute_unit(self, body: BaseModel, command: UnitCommand) -> JSONResponse:
        """Record the unit fact ``command`` (made from ``body``) as ``run_unit`` does."""
        return self.run_unit(body, lambda: self.ledger.execute_unit(command, recorded_by=self.recorded_by))

    def run_unit(self, body: BaseModel, command: Callable[[], UnitWriteResult]) -> JSONResponse:
        """Run a unit fact's ``command`` like a staff write (idempotency, read-your-writes). Unit
        facts take no ``If-Match``: the organisation stream re-checks a fact that lost a race."""
        if self.if_match is not None:
            raise ApiProblem(
                "invalid_if_match",
                "Unit facts take no If-Match: the ledger checks each against the units as they stand.",
            )

        def record() -> StoredResponse:
            result = command()
            return StoredResponse(
                status=201,
                body=UnitWriteResultModel.model_validate(result).model_dump(mode="json"),
                headers={"Location": "/units"},
                position=result.position,
            )

        return self._recorded(body, record)

    def _recorded(self, body: BaseModel, record: Callable[[], StoredResponse]) -> JSONResponse:
        key = self.idempotency_key
        principal = self.principal.name
        if key is not None:
            print_ = fingerprint(self.request.method, self.request.url.path, body.model_dump(mode="json"))
            stored = self.idempotency.begin(principal, key, print_)
            if stored is not None:
                return self._replay(stored)
        try:
            response = record()
        except BaseException:
            if key is not None:
                self.idempotency.release(principal, key)
            raise
        if key is not None:
            self.idempotency.finish(principal, key, response)
        headers = dict(response.headers)
        if response.position is not None:
            self._wait_for_views(response.position, headers)
        return JSONResponse(response.body, status_code=response.status, headers=headers)

    def _replay(self, stored: StoredResponse) -> JSONResponse:
        headers = {**stored.headers, "Idempotent-Replayed": "true"}
        if stored.position is not None:
            self._wait_for_views(stored.position, headers)
        return JSONResponse(stored.body, status_code=stored.status, headers=headers)

    def _wait_for_views(self, position: int, headers: dict[str, str]) -> None:
        """Read-your-writes, bounded; names in the headers the views that are still behind."""
        behind = self.read_side.wait_views(position)
        if behind:
            headers[VIEWS_LAGGING] = "true"
            named = format_behind([(name, failing, None, None) for name, failing in behind])
            headers[VIEWS_BEHIND] = named or ""

    def _expected_version(self, staff_id: str, *, registration: bool) -> int | None:
        if self.if_match is None:
            return None
        tags = parse_if_match(self.if_match)
        if tags is not None and len(tags) == 1 and VERSION.fullmatch(tags[0]) and not registration:
            # One version: the ledger compares it with the record it loads, under the same
            # optimistic lock as the save, so a concurrent write cannot slip in between.
            return int(tags[0])
        if registration:
            raise errors.StaleVersion(
                f"If-Match cannot hold for a registration: '{staff_id}' has no current version to match."
            )
        current = self.read_side.current_version(staff_id)  # 404 for an unknown staff member
        if tags is None:  # "*": any current version will do
            return current
        if str(current) in tags:
            return current
        wanted = ", ".join(f'"{t}"' for t in tags) or "(weak tags only)"
        raise errors.StaleVersion(
            f"The record of '{staff_id}' is at version {current}, not {wanted}: reload it and try again."
        )


Write = Annotated[WriteContext, Depends(WriteContext.dependency)]
