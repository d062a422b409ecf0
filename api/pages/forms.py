"""The registrar's forms: one page per write of the HTTP API (docs/workbench.md, "Forms").

Nothing about a write is said twice. A form's inputs are read off the API's request schema (its
fields, which are required, the choices of an enumeration); a submission is validated by that
schema and then runs the API's own route function, with a :class:`~api.writes.WriteContext` built
from the session: the same ledger command, the same named errors, the same ``If-Match`` (the
record's version, carried in the form) and ``Idempotency-Key`` (a random key, carried in the form)
handling. Errors come back beside the field they name, in the page's language.

Every form carries the session's CSRF token and is accepted only from this site (``Origin``);
only the registrar role sees a form, and any other role gets 403 on a POST.
"""


from __future__ import annotations

import json
import typing
from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from api.errors import ApiProblem
from api.idempotency import IdempotencyInProgress, IdempotencyKeyReused
from api.keys import Permission
from api.pages import evidence, group_form
from api.pages.dates import show_day
from api.pages.form_fields import (
    SCAN_INPUT,
    FormState,
    WriteForm,
    choices,
    grouped,
    posted_version,
    read_post,
    validation_problems,
)
from api.pages.forms_text import error_text
from api.pages.session_store import new_secret
from api.pages.web import PREFIX, Page, open_page
from api.routers import appointments as appointments_api
from api.routers import corrections as corrections_api
from api.routers import credentials as credentials_api
from api.routers import departures as departures_api
from api.routers import enrollments as enrollments_api
from api.routers import evaluations as evaluations_api
from api.routers import rotations as rotations_api
from api.routers import staff as staff_api
from api.scans import ScanRefused, scan_store
from api.schemas.appointments import AppointmentCreate
from api.schemas.corrections import CorrectionCreate
from api.schemas.credentials import CredentialCreate
from api.schemas.departures import DepartureCreate
from api.schemas.enrollments import CompletionCreate, EnrollmentCreate, WithdrawalCreate
from api.schemas.evaluations import EvaluationCreate
from api.schemas.rotations import RotationCreate
from api.schemas.staff import StaffCreate
from api.writes import WriteContext
from ledger.domain import errors
from ledger.standards import compliance

router = APIRouter(prefix=PREFIX, include_in_schema=False)
router.include_router(evidence.router)


def _staff(params: Mapping[str, str]) -> str:
    return params["staff_id"]


FORMS: dict[str, WriteForm] = {
    f.name: f
    for f in (
        WriteForm(
            "register",
            StaffCreate,
            lambda page, p, body, write: staff_api.register(typing.cast(StaffCreate, body), write),
            needs_staff=False,
        ),
        WriteForm(
            "enroll",
            EnrollmentCreate,
            lambda page, p, body, write: enrollments_api.enroll(
                _staff(p), typing.cast(EnrollmentCreate, body), write
            ),
        ),
        WriteForm(
            "complete",
            CompletionCreate,
            lambda page, p, body, write: enrollments_api.complete(
                _staff(p), p["enrollment_id"], typing.cast(CompletionCreate, body), write
            ),
            scans_into="credential.scans",
        ),
        WriteForm(
            "withdraw",
            WithdrawalCreate,
            lambda page, p, body, write: enrollments_api.withdraw(
                _staff(p), p["enrollment_id"], typing.cast(WithdrawalCreate, body), write
            ),
        ),
        WriteForm(
            "recognize",
            CredentialCreate,
            lambda page, p, body, write: credentials_api.recognize(
                _staff(p), typing.cast(CredentialCreate, body), write
            ),
            scans_into="evidence.scans",
        ),
        WriteForm(
            "rotate",
            RotationCreate,
            lambda page, p, body, write: rotations_api.rotate(
                _staff(p), typing.cast(RotationCreate, body), write
            ),
        ),
        WriteForm(
            "appoint",
            AppointmentCreate,
            lambda page, p, body, write: appointments_api.appoint(
                _staff(p), typing.cast(AppointmentCreate, body), write
            ),
        ),
        WriteForm(
            "evaluate",
            EvaluationCreate,
            lambda page, p, body, write: evaluations_api.evaluate(
                _staff(p), typing.cast(EvaluationCreate, body), write
            ),
        ),
        WriteForm(
            "depart",
            DepartureCreate,
            lambda page, p, body, write: departures_api.depart(
                _staff(p), typing.cast(DepartureCreate, body), write
            ),
        ),
        WriteForm(
            "correct",
            CorrectionCreate,
            lambda page, p, body, write: corrections_api.correct(
                _staff(p), typing.cast(CorrectionCreate, body), write
            ),
        ),
    )
}


def _person(page: Page, staff_id: str) -> tuple[str, int]:
    try:
        member = page.workbench.ledger.get_member(staff_id)
    except errors.StaffNotFound:
        raise page.fail(page.t("person.not_found", staff_id=staff_id), status=404) from None
    return member.record.full_name, member.version


def _action(form: WriteForm, params: Mapping[str, str]) -> str:
    staff = params.get("staff_id", "")
    paths = {
        "register": "/staff/new",
        "enroll": f"/staff/{staff}/enrollments/new",
        "complete": f"/staff/{staff}/enrollments/{params.get('enrollment_id', '')}/completion",
        "withdraw": f"/staff/{staff}/enrollments/{params.get('enrollment_id', '')}/withdrawal",
        "recognize": f"/staff/{staff}/credentials/new",
        "rotate": f"/staff/{staff}/rotations/new",
        "appoint": f"/staff/{staff}/appointments/new",
        "evaluate": f"/staff/{staff}/evaluations/new",
        "depart": f"/staff/{staff}/departure",
        "correct": f"/staff/{staff}/corrections/new",
    }
    return PREFIX + paths[form.name]


def _render(
    page: Page, form: WriteForm, params: Mapping[str, str], state: FormState, *, status: int = 200
) -> Response:
    staff_id = params.get("staff_id")
    full_name = None
    if staff_id is not None:
        full_name, version = _person(page, staff_id)
        if state.version is None:
            state.version = version
    enrollment = None
    if "enrollment_id" in params and staff_id is not None:
        enrollment = page.workbench.ledger.record(staff_id).enrollments.get(params["enrollment_id"])
        if enrollment is None:
            raise page.fail(page.t("form.no_enrollment", enrollment_id=params["enrollment_id"]), status=404)
    return page.render(
        "pages/forms/form.html",
        status=status,
        title=page.t(f"form.{form.name}.title"),
        form=form,
        action=_action(form, params),
        staff_id=staff_id,
        full_name=full_name,
        enrollment=enrollment,
        groups=grouped(form.inputs()),
        choices=choices(page, form, staff_id),
        state=state,
        multipart=form.scans_into is not None,
        scan_input=SCAN_INPUT,
        show_day=show_day,
    )


def _write_context(page: Page, version: int | None, key: str | None) -> WriteContext:
    app = page.request.app.state
    assert page.session is not None
    return WriteContext(
        page.request,
        page.session.principal,
        app.ledger,
        app.read_side,
        app.idempotency,
        f'"{version}"' if version is not None else None,
        key,
    )


def _store_scans(page: Page, form: FormData) -> list[str]:
    """Keep the uploaded files (checked by content); their digests go into the event."""
    files = [f for f in form.getlist(SCAN_INPUT) if isinstance(f, UploadFile) and f.filename]
    if not files:
        return []
    store = scan_store(page.request.app.state)
    assert page.session is not None
    digests = []
    for upload in files:
        content = upload.file.read(store.max_bytes + 1)
        info = store.put(content, stored_by=page.session.principal.name, now=page.now())
        digests.append(info.digest)
    return digests


async def _submit(request: Request, form_def: WriteForm, params: Mapping[str, str]) -> Response:
    page, form, body, state = await read_post(request, form_def.inputs())
    t = page.t
    state.version = posted_version(str(form.get("version") or "")) if form_def.needs_staff else None
    if form_def.name == "appoint" and form.get("action") == "check":
        return await run_in_threadpool(_preview_appointment, page, form_def, params, body, state)
    if state.problems:
        return await run_in_threadpool(_render, page, form_def, params, state, status=422)
    if form_def.scans_into is not None:
        try:
            digests = await run_in_threadpool(_store_scans, page, form)
        except ScanRefused as refused:
            state.problems[SCAN_INPUT] = error_text(refused.code, refused.message, t)
            return await run_in_threadpool(_render, page, form_def, params, state, status=422)
        if digests:
            group, _, name = form_def.scans_into.partition(".")
            body.setdefault(group, {})[name] = digests
    try:
        model = form_def.model.model_validate(body)
    except ValidationError as error:
        state.problems.update(validation_problems(error, t))
        return await run_in_threadpool(_render, page, form_def, params, state, status=422)
    write = _write_context(page, state.version, state.key)

    def run() -> Response:
        return form_def.run(page, params, model, write)

    try:
        response = await run_in_threadpool(run)
    except errors.LedgerError as error:
        return await run_in_threadpool(_refused, page, form_def, params, state, error)
    except ApiProblem as problem:
        for item in problem.extra.get("errors", []):
            state.problems[item["field"]] = error_text(problem.code, item["message"], t)
        state.problem = None if state.problems else problem.detail
        return await run_in_threadpool(_render, page, form_def, params, state, status=problem.status)
    except IdempotencyKeyReused:
        state.problem = t("form.already_sent")
        state.key = new_secret()
        return await run_in_threadpool(_render, page, form_def, params, state, status=422)
    except IdempotencyInProgress:
        state.problem = t("form.in_progress")
        return await run_in_threadpool(_render, page, form_def, params, state, status=409)
    result = json.loads(bytes(response.body))
    target = f"{PREFIX}/staff/{result['staff_id']}?recorded={result['event_id']}#ev-{result['version']}"
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


def _refused(
    page: Page, form_def: WriteForm, params: Mapping[str, str], state: FormState, error: errors.LedgerError
) -> Response:
    """A named domain error, beside its field (or above the form); a stale form is told so and
    shows the record's version now, so that a second submit is a decision, not a replay."""
    from api.errors import domain_status

    t = page.t
    message = error_text(error.code, error.message, t)
    if isinstance(error, errors.StaleVersion):
        state.problem = t("form.stale")
        state.version = None  # shown again with the record's current version
    elif isinstance(error, errors.RequirementsNotMet):
        state.unmet = list(error.unmet)
        state.problem = message
    elif error.field is not None and (
        error.field in state.values or error.field.split(".")[0] in state.values
    ):
        state.problems[error.field] = message
    elif error.field is not None and any(k.startswith(error.field) for k in state.values):
        state.problems[next(k for k in state.values if k.startswith(error.field))] = message
    else:
        state.problem = message
    return _render(page, form_def, params, state, status=domain_status(error))


def _preview_appointment(
    page: Page, form_def: WriteForm, params: Mapping[str, str], body: dict[str, Any], state: FormState
) -> Response:
    """Before it is submitted: the requirements of the standards in force on the chosen date that
    the person does not meet (nothing is recorded)."""
    t = page.t
    position = body.get("position")
    effective = body.get("effective_on")
    state.checked = True
    if not position:
        state.problems["position"] = t("form.required")
    if not effective:
        state.problems.setdefault("effective_on", t("form.required"))
    if position and effective:
        ledger = page.workbench.ledger
        record = ledger.record(params["staff_id"])
        try:
            on = date.fromisoformat(effective)
            check = compliance.check_appointment(record, position, on, ledger.rules)
        except errors.LedgerError as error:
            state.problems["position"] = error_text(error.code, error.message, t)
        else:
            state.unmet = compliance.unmet_for_appointment(check)
    return _render(page, form_def, params, state)


def _show(request: Request, form_def: WriteForm, params: Mapping[str, str]) -> Response:
    page = open_page(request, Permission.WRITE)
    state = FormState()
    if form_def.name == "correct":
        state.values["event_id"] = page.text("event_id", 80) or ""
    return _render(page, form_def, params, state)


def _routes(path: str, name: str) -> None:
    form_def = FORMS[name]

    def show(request: Request) -> Response:
        return _show(request, form_def, dict(request.path_params))

    async def submit(request: Request) -> Response:
        return await _submit(request, form_def, dict(request.path_params))

    router.add_api_route(path, show, methods=["GET"], name=f"form-{name}")
    router.add_api_route(path, submit, methods=["POST"], name=f"form-{name}-submit")


_routes("/staff/new", "register")
_routes("/staff/{staff_id}/enrollments/new", "enroll")
_routes("/staff/{staff_id}/enrollments/{enrollment_id}/completion", "complete")
_routes("/staff/{staff_id}/enrollments/{enrollment_id}/withdrawal", "withdraw")
_routes("/staff/{staff_id}/credentials/new", "recognize")
_routes("/staff/{staff_id}/rotations/new", "rotate")
_routes("/staff/{staff_id}/appointments/new", "appoint")
_routes("/staff/{staff_id}/evaluations/new", "evaluate")
_routes("/staff/{staff_id}/departure", "depart")
_routes("/staff/{staff_id}/corrections/new", "correct")


# The group enrollment's routes come after the one-person forms', as they always have.
router.include_router(group_form.router)
