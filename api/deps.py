"""Dependencies of the routes, as ``Annotated`` aliases: the services built by the lifespan, and who
may call (roles are checked here; the key itself was verified by ``api.auth``).

They do no I/O, so they are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool,
and a thread hop per dependency would cost more than the dependency itself. The endpoints, which
call the synchronous library, stay plain ``def``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from api.errors import ApiProblem
from api.idempotency import IdempotencyStore
from api.keys import Permission, Principal
from api.readside import ReadSide
from api.settings import Settings
from ledger.application import Ledger


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


async def get_read_side(request: Request) -> ReadSide:
    read_side: ReadSide = request.app.state.read_side
    return read_side


async def get_idempotency(request: Request) -> IdempotencyStore:
    store: IdempotencyStore = request.app.state.idempotency
    return store


def current_principal(request: Request) -> Principal:
    """The caller, as authenticated by ``api.auth`` (the OpenAPI document declares the bearer
    scheme itself, see ``api.app.build_openapi``)."""
    principal: Principal | None = request.scope.get("state", {}).get("principal")
    if principal is None:  # only if the middleware was bypassed: fail closed
        raise ApiProblem(
            "unauthorized", "This request needs an API key.", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


WHAT = {
    Permission.WRITE: "record events (registrar only)",
    Permission.AUDIT: "read histories, trails and the global log (registrar and auditor)",
    Permission.READ: "read standings, the directory and reports",
}


def forbidden_detail(principal: Principal, permission: Permission) -> str:
    return f"Key '{principal.name}' has role '{principal.role}', which may not {WHAT[permission]}."


class RoleCheck:
    """The dependency that lets only keys with ``permission`` through. A class rather than a
    closure so that ``api.auth`` can read each route's permission and refuse a write before its
    body is read (dependencies only run after FastAPI has parsed the body)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Principal:
        principal = current_principal(request)
        if not principal.may(self.permission):
            raise ApiProblem("forbidden", forbidden_detail(principal, self.permission))
        return principal


def require(permission: Permission) -> RoleCheck:
    return RoleCheck(permission)


def route_permissions(dependant: Any) -> frozenset[Permission]:
    """Every permission a route's dependencies (its ``dependant``, at any depth) require."""
    found: set[Permission] = set()
    pending = [dependant]
    while pending:
        dependant = pending.pop()
        if isinstance(dependant.call, RoleCheck):
            found.add(dependant.call.permission)
        pending.extend(dependant.dependencies)
    return frozenset(found)


_QUERY_NAMES: dict[int, frozenset[str]] = {}


def _query_names(dependant: Any) -> frozenset[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


async def reject_unknown_query(request: Request) -> None:
    """Refuse query parameters the operation does not declare: a misspelt filter (``?asof=``)
    is an error, not silently ignored, as unknown body fields are."""
    if not request.query_params:
        return
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _QUERY_NAMES.get(id(route))
    if known is None:
        known = _QUERY_NAMES[id(route)] = _query_names(dependant)
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise ApiProblem(
            "validation_error",
            f"Unknown query parameters: {', '.join(unknown)} (this operation takes: {allowed}).",
            errors=[{"field": n, "message": "Unknown query parameter.", "in": "query"} for n in unknown],
        )


SettingsDep = Annotated[Settings, Depends(get_settings)]
LedgerDep = Annotated[Ledger, Depends(get_ledger)]
ReadSideDep = Annotated[ReadSide, Depends(get_read_side)]
IdempotencyDep = Annotated[IdempotencyStore, Depends(get_idempotency)]
Registrar = Annotated[Principal, Depends(require(Permission.WRITE))]
Auditor = Annotated[Principal, Depends(require(Permission.AUDIT))]
Reader = Annotated[Principal, Depends(require(Permission.READ))]
