"""Path parameters and OpenAPI fragments the routers share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Path
from pydantic import BaseModel

from api.schemas.common import CODE_PATTERN
from api.schemas.problem import problems

Command = TypeVar("Command")


def command_from(
    kind: Callable[..., Command], body: BaseModel, *, omit: tuple[str, ...] = (), **given: Any
) -> Command:
    """The write ``kind`` made from a request body, whose fields are the command's: the path's
    ids and what the route resolves (``given``) complete or replace them; ``omit`` names the
    body's fields that only say how to read the others."""
    fields = {name: value for name, value in dict(body).items() if name not in omit}
    return kind(**{**fields, **given})


StaffId = Annotated[
    str,
    Path(pattern=CODE_PATTERN, description="The agency's staff code.", examples=["CB0001"]),
]
EnrollmentId = Annotated[
    str,
    Path(
        pattern=CODE_PATTERN,
        description="The enrollment's id (given at enrollment).",
        examples=["E-2024-017"],
    ),
]
CredentialId = Annotated[
    str,
    Path(pattern=CODE_PATTERN, description="The credential's id.", examples=["TC-LLCT-01"]),
]

ETAG_HEADER = {
    "ETag": {"description": 'The staff member\'s version, quoted: "4".', "schema": {"type": "string"}}
}

WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Recorded. `ETag` is the new version; `Location` the staff member.",
        "headers": {
            **ETAG_HEADER,
            "Location": {"description": "The staff member's URL.", "schema": {"type": "string"}},
        },
    },
    **problems(400, 401, 403, 404, 409, 412, 413, 415, 422),
}

READ_STAFF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": ETAG_HEADER},
    **problems(401, 403, 404, 422, 503),
}
