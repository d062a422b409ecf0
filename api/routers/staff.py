"""Staff members: register, standing, directory, history."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from api.deps import Auditor, Reader, ReadSideDep, forbidden_detail
from api.errors import ApiProblem
from api.keys import Permission, Principal
from api.readside import ReadSide
from api.routers.common import ETAG_HEADER, READ_STAFF_RESPONSES, WRITE_RESPONSES, StaffId, command_from
from api.schemas.common import (
    BusinessDate,
    CursorText,
    LevelCode,
    NationalId,
    QueryText,
    Timestamp,
    WriteResult,
)
from api.schemas.problem import problems
from api.schemas.staff import HistoryPage, StaffCreate, StaffPage, StaffPublic
from api.staff_export import staff_export
from api.writes import Write, etag
from ledger.domain.catalog import Employment, Gender, Track
from ledger.domain.commands import Register
from projections.queries import Standing

router = APIRouter(prefix="/staff", tags=["staff"])


@dataclasses.dataclass(frozen=True)
class StandingAnswer(Standing):
    """The read model's standing plus what the rules make of it (``ledger.standards.commitments``)."""

    commitments: tuple[dict[str, Any], ...] = ()


STANDING_FIELDS = tuple(f.name for f in dataclasses.fields(Standing))
# Personal data a reader's answers never carry (docs/national-id.md).


def refuse_reader(who: Principal, parameter: str) -> None:
    """403 naming ``parameter`` unless the caller may read personal data (registrar, auditor)."""
    if not who.may(Permission.AUDIT):
        raise ApiProblem(
            "forbidden",
            f"{forbidden_detail(who, Permission.AUDIT)} The parameter {parameter} is personal data: "
            "registrars and auditors only.",
            errors=[{"field": parameter, "message": "Registrars and auditors only.", "in": "query"}],
        )
STANDING_JSON = TypeAdapter(StandingAnswer)

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (default 50, at most 500).")]
Cursor = Annotated[
    CursorText | None,
    Query(description="The `next_cursor` of the previous page; omit for the first."),
]


@router.post(
    "",
    status_code=201,
    response_model=WriteResult,
    responses=WRITE_RESPONSES,
    summary="Register a staff member",
)
def register(body: StaffCreate, write: Write) -> JSONResponse:
    """Record a `Registered` event: the person joins the roll on `joined_on`.

    409 if the staff code is already registered, or if another staff member holds `national_id`
    (the problem names the field, never the number). Names are stored NFC-normalised, never trimmed:
    `"Nguyễn Văn An"` comes back with its diacritics, composed, whatever form it was typed in.
    """
    command = command_from(Register, body)
    return write.run(
        command.staff_id,
        body,
        lambda _expected: write.ledger.execute_registration(command, recorded_by=write.recorded_by),
        registration=True,
    )


@router.get(
    "",
    response_model=StaffPage,
    responses={**problems(401, 403, 422, 503)},
    summary="Directory of staff",
)
def directory(
    who: Reader,
    read_side: ReadSideDep,
    unit: Annotated[QueryText | None, Query(description="Only this unit (exact name).")] = None,
    status: Annotated[
        Literal["active", "departed", "not_joined"] | None,
        Query(description="Only people on the roll today, only leavers, or only people joining later."),
    ] = None,
    q: Annotated[
        QueryText | None,
        Query(
            description="Name search, word by word: each word begins a word of the name (`An` finds "
            "An and Anh, not Thắng). Case is ignored; diacritics are ignored when the word is typed "
            "without them (`nguyen van an` finds `Nguyễn Văn An`) and must match when typed with "
            "them (`Hường` does not find `Hương`). Also finds a staff code it begins.",
        ),
    ] = None,
    gender: Annotated[Gender | None, Query()] = None,
    employment: Annotated[Employment | None, Query()] = None,
    track: Annotated[Track | None, Query(description="Only people holding some level of this track.")] = None,
    level: Annotated[
        LevelCode | None, Query(description="With `track`: only people whose highest level in it is this.")
    ] = None,
    national_id: Annotated[
        NationalId | None,
        Query(
            description="The person holding this personal identification number (12 digits): "
            "their entry, or no entry. Registrars and auditors only (a reader gets 403); it finds "
            "one person, so it takes no other filter.",
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """The staff directory as of today, in Vietnamese name order (given name, then family name),
    paged with `limit` and `cursor`; `total` counts every match. `unit` is the unit people work
    in today (a running rotation counts); `q` also matches the staff code it begins.
    `national_id` finds the one person holding that number (registrars and auditors only)."""
    if national_id is not None:
        refuse_reader(who, "national_id")
        others = {"unit": unit, "status": status, "q": q, "gender": gender,
                  "employment": employment, "track": track, "level": level, "cursor": cursor}
        given = [name for name, value in others.items() if value is not None]
        if given:
            raise ApiProblem(
                "validation_error",
                f"national_id finds one person and takes no other filter (also given: {', '.join(given)}).",
                errors=[{"field": "national_id", "message": "Use national_id alone.", "in": "query"}],
            )
        return read_side.directory_by_national_id(national_id)
    return read_side.directory(
        unit=unit,
        status=status,
        q=q,
        gender=gender,
        employment=employment,
        track=track,
        level=level,
        limit=limit,
        cursor=cursor,
    )


@router.get(
    "/{staff_id}",
    response_model=StaffPublic,
    responses={
        **READ_STAFF_RESPONSES,
        304: {"description": "Not modified (If-None-Match)", "headers": ETAG_HEADER},
    },
    summary="A staff member's standing",
)
async def standing(
    staff_id: StaffId,
    who: Reader,
    read_side: ReadSideDep,
    as_of: Annotated[
        BusinessDate | None, Query(description="Business date: the standing on that day (default today).")
    ] = None,
    known_at: Annotated[
        Timestamp | None,
        Query(
            description="Recording time (RFC 3339): the standing as the ledger knew it then (default now)."
        ),
    ] = None,
    if_none_match: Annotated[
        str | None, Header(alias="If-None-Match", description="An ETag you hold: 304 if still current.")
    ] = None,
) -> Any:
    """Qualifications (highest level per track), credentials, enrollments, rotations, appointments
    (with the waiver and the requirements they went ahead without), evaluations, places in
    planning pools and service commitments, on business date `as_of` as known at `known_at` (both
    optional, combinable).

    `ETag` is the version the answer reflects; send it back as `If-Match` on a write to make sure
    nobody changed the record in between.
    """
    # This endpoint is `async`: the usual read, the current standing, is one statement whose
    # answer is already JSON (ReadSide.current_standing_json), awaited in the event loop; a worker
    # thread would cost more than the read. Any other read runs in a thread, as plain `def`
    # endpoints do.
    current = None
    if known_at is None:
        current = await read_side.current_standing_json_async(staff_id, as_of=as_of)
    if current is not None:
        body, version = current
    else:
        body, version = await run_in_threadpool(_standing_json, read_side, staff_id, as_of, known_at)
    if not who.may(Permission.AUDIT):
        body = without_personal_data(body)
    tag = etag(version)
    if if_none_match is not None and tag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers={"ETag": tag})
    return Response(body, media_type="application/json", headers={"ETag": tag})


# The national identifier as a standing's JSON carries it: always 12 ASCII digits or null (the
# domain refuses anything else), never the last member (``commitments`` is).
_NATIONAL_ID_MEMBER = re.compile(rb'"national_id":(?:null|"[0-9]{12}"),')


def without_personal_data(body: bytes) -> bytes:
    """A standing's JSON as a reader may see it: no ``national_id`` member at all (not even
    null, which would say "none recorded"). Done on the bytes, so the current standing is still
    served straight from its stored document."""
    return _NATIONAL_ID_MEMBER.sub(b"", body, count=1)


def _standing_json(
    read_side: ReadSide, staff_id: str, as_of: date | None, known_at: datetime | None
) -> tuple[bytes, int]:
    answer = read_side.standing(staff_id, as_of=as_of, known_at=known_at)
    full = StandingAnswer(
        **{name: getattr(answer, name) for name in STANDING_FIELDS},
        commitments=read_side.standing_commitments(answer),
    )
    # The read model's answer has the shape of StaffPublic: serialised straight to JSON (in Rust),
    # without building the response model first. The schema tests check the two agree.
    return STANDING_JSON.dump_json(full), answer.version


@router.get(
    "/{staff_id}/history",
    response_model=HistoryPage,
    responses=READ_STAFF_RESPONSES,
    summary="Every event of a staff member",
)
def history(
    staff_id: StaffId,
    _who: Auditor,
    read_side: ReadSideDep,
    response: Response,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Every event in order, voided ones included (with `voided_by`): who recorded it (`recorded_by`),
    when (`recorded_at`), its business date (`effective_on`) and its data. Auditors and registrars only."""
    page = read_side.history(staff_id, limit=limit, cursor=cursor)
    response.headers["ETag"] = etag(page["version"])
    return page


@router.get(
    "/{staff_id}/export",
    responses=READ_STAFF_RESPONSES,
    summary="A person's whole training history, keyed by national_id",
)
def export(staff_id: StaffId, _who: Auditor, read_side: ReadSideDep, response: Response) -> Any:
    """The person's complete training history as one JSON document keyed by `national_id` (null
    when none is recorded): identity, every enrollment with its outcomes, credentials with how
    each was obtained, evaluations, appointments, rotations, planning, departure and every
    correction, each item with its event id, business date, recording time and the key that
    recorded it; voided items are kept and marked (`voided_by`). For the national database of
    officials and for the person's own access request (Personal Data Protection Law
    91/2025/QH15). The shape: docs/national-id.md and the JSON Schema
    docs/schemas/staff-export.schema.json (draft 2020-12). Registrars and auditors only.
    """
    ledger = read_side.ledger
    events = ledger.events_of(staff_id)
    entries = ledger.history(staff_id)
    document = staff_export(entries, events, exported_at=ledger.clock())
    response.headers["ETag"] = etag(document["version"])
    return document
