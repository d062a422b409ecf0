"""The problem document (RFC 9457) every error answers, as documented in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROBLEM_REF = "#/components/schemas/Problem"


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. 'credential.issued_on'.")
    message: str
    in_: str = Field(alias="in", description="Where the field is: body, query, path or header.")


class Problem(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/enrollment_closed",
                    "title": "Enrollment closed",
                    "status": 409,
                    "detail": "Enrollment 'E-2024-017' is already withdrawn (on 2024-05-10).",
                    "instance": "/staff/CB0001/enrollments/E-2024-017/completion",
                    "code": "enrollment_closed",
                    "errors": [{"field": "enrollment_id", "message": "…", "in": "body"}],
                }
            ]
        },
    )

    type: str = Field(description="URI of the problem type; /problems/{code} describes it.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The request path.")
    code: str = Field(description="The error code (last segment of `type`).")
    errors: list[FieldError] | None = Field(default=None, description="Each invalid field.")
    unmet: list[dict[str, Any]] | None = Field(
        default=None,
        description="An appointment refused by the position standard: every requirement not met on "
        "the day (`rule_id`, `track`, `required_level`, `required_tier`, `required_label`, "
        "`held_level`, `held_tier`, `held_label`, `timing`, `deadline`, `legal_basis`, `blocking`).",
    )


DESCRIPTIONS = {
    400: "Malformed JSON or header (problem+json).",
    401: "No key or an unknown or revoked key (problem+json; `WWW-Authenticate: Bearer`).",
    403: "The key's role may not do this (problem+json).",
    404: "Unknown staff member, enrollment, credential or event (problem+json).",
    409: "The write contradicts the record, or the same Idempotency-Key is still in progress (problem+json).",
    412: "`If-Match` names a version that is no longer current; nothing was recorded (problem+json).",
    413: "The body is over `LEDGER_MAX_BODY_BYTES` (1 MB by default); it was not read (problem+json).",
    415: "The body is not JSON (problem+json).",
    422: "Invalid input, a broken rule, or an Idempotency-Key reused for another request (problem+json).",
    503: "The read views are not available (problem+json).",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these error statuses, all problem+json."""
    return {
        status: {
            "description": DESCRIPTIONS[status],
            "content": {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}},
        }
        for status in statuses
    }
