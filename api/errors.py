"""Every error the service answers is RFC 9457 ``application/problem+json``, mapped here once.

Members: ``type`` (a URI per error code, documented at ``/problems/{code}``), ``title`` (the same
for every occurrence of the code), ``status``, ``detail`` (this occurrence, in words a registrar
understands), ``instance`` (the request path), plus ``code`` (the bare error code). Validation
errors add ``errors: [{field, message, in}]`` with dotted field paths (``credential.issued_on``);
domain errors that name a field add the same list; an appointment refused for unmet requirements
adds ``unmet``.

Domain errors map by family: ``NotFound`` → 404, ``Conflict`` → 409, ``RuleViolation`` → 422,
``StaleVersion`` → 412.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypedDict

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.idempotency import IdempotencyInProgress, IdempotencyKeyReused
from ledger.domain import catalog
from ledger.domain import errors as domain
from ledger.standards.verdicts import json_value
from projections.queries import ViewNotReady

logger = logging.getLogger("api")

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    code: str
    status: int
    title: str
    description: str


# The problem types the HTTP layer itself raises; domain errors add one type per error code.
HTTP_PROBLEMS: dict[str, ProblemType] = {
    p.code: p
    for p in (
        ProblemType(
            "unauthorized",
            401,
            "Missing or unknown API key",
            "Send a valid key as `Authorization: Bearer <token>` (tokens come from `ledger keys add`).",
        ),
        ProblemType(
            "forbidden",
            403,
            "Role not allowed",
            "The key is valid but its role may not do this (see the roles in the API guide).",
        ),
        ProblemType("not_found", 404, "Not found", "No resource at this path."),
        ProblemType(
            "method_not_allowed",
            405,
            "Method not allowed",
            "The path exists but not with this method; the `Allow` header lists the methods.",
        ),
        ProblemType(
            "payload_too_large",
            413,
            "Body too large",
            "The request body is over the service's limit (`LEDGER_MAX_BODY_BYTES`, 1 MB by default); "
            "it was not read.",
        ),
        ProblemType(
            "untrusted_host",
            400,
            "Untrusted host",
            "The `Host` header names a host the service does not answer to (`LEDGER_TRUSTED_HOSTS`).",
        ),
        ProblemType("malformed_json", 400, "Malformed JSON", "The request body is not valid JSON."),
        ProblemType("bad_request", 400, "Bad request", "The request could not be understood."),
        ProblemType(
            "invalid_if_match",
            400,
            "Invalid If-Match",
            '`If-Match` must be `*` or one or more quoted versions, e.g. `"3"`.',
        ),
        ProblemType(
            "unsupported_media_type",
            415,
            "Unsupported media type",
            "Write requests carry a JSON body: `Content-Type: application/json`.",
        ),
        ProblemType(
            "validation_error",
            422,
            "Invalid input",
            "Some fields are missing or malformed; `errors` lists each one.",
        ),
        ProblemType(
            "stale_version",
            412,
            "Stale version",
            "`If-Match` named a version that is no longer current: reload the record and decide again.",
        ),
        ProblemType(
            "idempotency_key_reused",
            422,
            "Idempotency key reused",
            "The `Idempotency-Key` was first used for a different request (path or body).",
        ),
        ProblemType(
            "idempotency_in_progress",
            409,
            "Request in progress",
            "The first request with this `Idempotency-Key` has not finished; retry shortly.",
        ),
        ProblemType(
            "idempotency_outcome_unknown",
            409,
            "Outcome unknown",
            "A request with this `Idempotency-Key` never finished; check the history, retry with a new key.",
        ),
        ProblemType(
            "views_unavailable", 503, "Views unavailable", "The read views are not available in this process."
        ),
        ProblemType("internal_error", 500, "Internal error", "The service failed; the failure was logged."),
    )
}

FAMILY_STATUS: tuple[tuple[type[domain.LedgerError], int], ...] = (
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.StaleVersion, 412),
    (domain.RuleViolation, 422),
)


def domain_status(error: domain.LedgerError) -> int:
    for family, status in FAMILY_STATUS:
        if isinstance(error, family):
            return status
    return 422


def _title_of(code: str) -> str:
    return code.replace("_", " ").capitalize()


def domain_problem_types() -> list[ProblemType]:
    """One problem type per named domain error (walks the error classes)."""
    found: dict[str, ProblemType] = {}
    pending: list[type[domain.LedgerError]] = [domain.LedgerError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls is domain.LedgerError or cls.code in found:
            continue
        status = next((s for family, s in FAMILY_STATUS if issubclass(cls, family)), 422)
        doc = (cls.__doc__ or "").strip().splitlines()
        found[cls.code] = ProblemType(
            cls.code, status, _title_of(cls.code), doc[0] if doc else _title_of(cls.code)
        )
    return sorted(found.values(), key=lambda p: p.code)


def all_problem_types() -> dict[str, ProblemType]:
    return {**{p.code: p for p in domain_problem_types()}, **HTTP_PROBLEMS}


# One invalid field of a problem's ``errors``, as the contract's ``FieldError`` has it: every key is
# required, so a problem built by hand cannot leave out where the field is (``in``).
InvalidField = TypedDict("InvalidField", {"field": str, "message": str, "in": str})


class ApiProblem(Exception):
    """A problem raised by the HTTP layer (auth, headers, idempotency)."""

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        errors: Sequence[InvalidField] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status or HTTP_PROBLEMS[code].status
        self.headers = headers or {}
        self.extra = extra if errors is None else {**extra, "errors": list(errors)}


def problem_response(
    request: Request,
    *,
    code: str,
    status: int,
    detail: str,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    base = getattr(request.app.state, "problem_type_base", "/problems/")
    known = HTTP_PROBLEMS.get(code)
    body: dict[str, Any] = {
        "type": f"{base}{code}",
        "title": title or (known.title if known else _title_of(code)),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def field_errors(field: str | None, message: str, where: str = "body") -> list[InvalidField] | None:
    return [{"field": field, "message": message, "in": where}] if field else None


def _location(loc: Sequence[Any]) -> tuple[str, str]:
    """(where, dotted field) of a pydantic error location such as ('body', 'credential', 'issued_on')."""
    if not loc:
        return "body", "body"
    where = str(loc[0])
    if where not in {"body", "query", "path", "header", "cookie"}:
        return "body", ".".join(str(p) for p in loc)
    rest = [str(p) for p in loc[1:]]
    return where, ".".join(rest) if rest else where


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "Unknown field: this request has no such field."
    if kind == "missing":
        return "Required."
    message = str(error.get("msg", "Invalid value."))
    return message.removeprefix("Value error, ")


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = list(exc.errors())
    malformed = next((e for e in problems if e.get("type") == "json_invalid"), None)
    if malformed is not None:
        reason = (malformed.get("ctx") or {}).get("error", "invalid JSON")
        position = malformed["loc"][-1] if malformed.get("loc") else "?"
        return problem_response(
            request,
            code="malformed_json",
            status=400,
            detail=f"The body is not valid JSON: {reason} at character {position}.",
        )
    items: list[InvalidField] = []
    for error in problems:
        where, field = _location(error.get("loc", ()))
        items.append({"field": field, "message": _message(error), "in": where})
    fields = ", ".join(dict.fromkeys(i["field"] for i in items))
    return problem_response(
        request,
        code="validation_error",
        status=422,
        detail=f"The request has invalid or missing fields: {fields}.",
        errors=items,
    )


async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, domain.LedgerError)
    unmet = getattr(exc, "unmet", None)
    return problem_response(
        request,
        code=exc.code,
        status=domain_status(exc),
        detail=exc.message,
        # Reads take their arguments from the query string, writes from the body.
        errors=field_errors(exc.field, exc.message, "query" if request.method == "GET" else "body"),
        unmet=[unmet_item(u) for u in unmet] if unmet is not None else None,
    )


TRACK_CODES = frozenset(str(track) for track in catalog.Track)


def unmet_item(requirement: Any) -> dict[str, Any]:
    """One unmet requirement of a refused appointment, as the problem lists it: the recorded
    fields (``rule_id``, ``track``, ``required_level``, ``held_level``, ``timing``, ``deadline``,
    ``legal_basis``, ``blocking``) plus the tiers compared and the levels' Vietnamese labels (null
    for a condition of appointment, whose measures are months, fields or a planning pool)."""
    item: dict[str, Any] = json_value(requirement)
    track, required, held = item.get("track"), item.get("required_level"), item.get("held_level")
    # A condition of appointment (experience, age headroom, field of study, planning) names its
    # kind where a training requirement names its track: its measures are not catalog levels.
    catalog_track = track if track in TRACK_CODES else None
    required_level = catalog.level_of(catalog_track, required) if catalog_track else None
    held_level = catalog.level_of(catalog_track, held) if catalog_track else None
    item["required_tier"] = required_level.tier if required_level else None
    item["required_label"] = catalog.level_label(catalog_track, required) if catalog_track else None
    item["held_tier"] = held_level.tier if held_level else None
    item["held_label"] = catalog.level_label(catalog_track, held) if catalog_track and held else None
    return item


async def on_api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(
        request, code=exc.code, status=exc.status, detail=exc.detail, headers=exc.headers, **exc.extra
    )


async def on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = {
        404: "not_found",
        405: "method_not_allowed",
        401: "unauthorized",
        403: "forbidden",
        415: "unsupported_media_type",
    }.get(status, "bad_request" if status == 400 else f"http_{status}")
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    if status == 404 and detail == "Not Found":
        detail = f"There is nothing at {request.method} {request.url.path}."
    headers = dict(exc.headers) if exc.headers else {}
    if status == 405:
        allowed = allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        detail = f"{request.url.path} does not accept {request.method} (it accepts {', '.join(allowed)})."
    return problem_response(
        request,
        code=code,
        status=status,
        detail=detail,
        title=None if code in HTTP_PROBLEMS else phrase,
        headers=headers or None,
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route accepts at this path (Starlette reports only the first route's)."""
    methods = set()
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] == Match.FULL for route in request.app.router.routes):
            methods.add(method)
    return sorted(methods)


async def on_idempotency_reused(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, code="idempotency_key_reused", status=422, detail=str(exc))


async def on_idempotency_in_progress(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IdempotencyInProgress)
    code = "idempotency_outcome_unknown" if exc.abandoned else "idempotency_in_progress"
    headers = None if exc.abandoned else {"Retry-After": "1"}
    return problem_response(request, code=code, status=409, detail=str(exc), headers=headers)


async def on_view_not_ready(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        request,
        code="views_unavailable",
        status=503,
        detail=f"{exc} The views are being built from the log; /health shows their progress.",
        headers={"Retry-After": "5"},
    )


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Logged with its traceback; the client learns only that it failed (never the internals).
    logger.exception("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        code="internal_error",
        status=500,
        detail="The service failed to answer; the failure was logged.",
    )


def install(app: FastAPI) -> None:
    """Register the handlers: the one place errors become responses."""
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(domain.LedgerError, on_domain_error)
    app.add_exception_handler(ApiProblem, on_api_problem)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(IdempotencyKeyReused, on_idempotency_reused)
    app.add_exception_handler(IdempotencyInProgress, on_idempotency_in_progress)
    app.add_exception_handler(ViewNotReady, on_view_not_ready)
    app.add_exception_handler(Exception, on_unexpected)
