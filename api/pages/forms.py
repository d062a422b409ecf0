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

import enum
import json
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from api.errors import ApiProblem
from api.idempotency import IdempotencyInProgress, IdempotencyKeyReused, StoredResponse, fingerprint
from api.keys import Permission
from api.pages import evidence
from api.pages.dates import parse_day, show_day
from api.pages.forms_text import error_text, validation_text
from api.pages.i18n import Translator
from api.pages.session import same_origin
from api.pages.sessions import new_secret, same_secret
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
from ledger import catalog, errors, standards, text
from ledger.group import Course, GroupRefused, enroll_group
from ledger.record import UnmetRequirement

router = APIRouter(prefix=PREFIX, include_in_schema=False)
router.include_router(evidence.router)

SCAN_INPUT = "scan_files"
NOT_VOIDABLE = ("Registered", "Corrected", "NationalIdCorrected")


# ------------------------------------------------------------------ the fields


@dataclass(frozen=True)
class Input:
    """One input of a form, read off the request schema: ``name`` is the schema's field path
    (``credential.number``), ``kind`` how it is typed (text, textarea, date, number, select)."""

    name: str
    kind: str
    required: bool
    choices: tuple[str, ...] = ()
    group: str | None = None

    @property
    def label_key(self) -> str:
        return f"field.{self.name.rsplit('.', 1)[-1]}"


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X`` (a form leaves an optional input empty)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return inner[0] if len(inner) == 1 else annotation
    return annotation


def inputs_of(model: type[BaseModel], *, skip: Sequence[str] = (), prefix: str = "") -> list[Input]:
    """The inputs of a request schema, nested models flattened with dotted names; lists (scan
    digests) are left to the form's file input."""
    found: list[Input] = []
    for name, info in model.model_fields.items():
        path = prefix + name
        if path in skip:
            continue
        kind_of = _unwrap(info.annotation)
        required = info.is_required()
        if isinstance(kind_of, type) and issubclass(kind_of, BaseModel):
            for inner in inputs_of(kind_of, skip=skip, prefix=path + "."):
                found.append(Input(inner.name, inner.kind, inner.required and required, inner.choices, name))
            continue
        if typing.get_origin(kind_of) is list:
            continue
        group = prefix.rstrip(".") or None
        if isinstance(kind_of, type) and issubclass(kind_of, enum.Enum):
            found.append(Input(path, "select", required, tuple(str(m.value) for m in kind_of), group))
        elif kind_of is date:
            found.append(Input(path, "date", required, (), group))
        elif kind_of in (int, Decimal):
            found.append(Input(path, "number", required, (), group))
        else:
            longest = max((getattr(m, "max_length", 0) or 0 for m in info.metadata), default=0)
            kind = "textarea" if longest >= text.MULTILINE_MAX else "text"
            found.append(Input(path, kind, required, (), group))
    return found


def read_inputs(
    inputs: Sequence[Input], form: FormData, t: Translator
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The form's values as the schema's JSON body, the raw values (to show again) and the
    inputs that could not even be read (a date not written dd/mm/yyyy)."""
    body: dict[str, Any] = {}
    raw: dict[str, str] = {}
    problems: dict[str, str] = {}
    for item in inputs:
        value = form.get(item.name)
        value = value.strip() if isinstance(value, str) else ""
        raw[item.name] = value
        if not value:
            continue
        if item.kind == "date":
            iso = parse_day(value)
            if iso is None:
                problems[item.name] = t("form.bad_date")
                continue
            value = iso
        target = body
        *groups, last = item.name.split(".")
        for group in groups:
            target = target.setdefault(group, {})
        target[last] = value
    return body, raw, problems


def validation_problems(error: ValidationError, t: Translator) -> dict[str, str]:
    """pydantic's errors, by field path, in the page's language."""
    found: dict[str, str] = {}
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"] if not isinstance(part, int))
        found.setdefault(path or "form", validation_text(item, t))
    return found


# ------------------------------------------------------------------- the forms


@dataclass(frozen=True)
class WriteForm:
    """A form for one write: its schema, the API route it runs, and what it leaves out."""

    name: str
    model: type[BaseModel]
    run: Callable[[Page, Mapping[str, str], BaseModel, WriteContext], Response]
    skip: tuple[str, ...] = ()
    scans_into: str | None = None  # the schema's list of scan digests the file input fills
    needs_staff: bool = True

    def inputs(self) -> list[Input]:
        return inputs_of(self.model, skip=self.skip)


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


@dataclass
class FormState:
    """What a form page shows: values, problems by field, a problem for the whole form."""

    values: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    key: str = field(default_factory=new_secret)
    version: int | None = None
    unmet: list[UnmetRequirement] | None = None
    checked: bool = False


def _choices(page: Page, form: WriteForm, staff_id: str | None) -> dict[str, list[tuple[str, str, str]]]:
    """Choices of the select inputs as (value, label, group): enumerations in words, levels by
    track, and the person's own enrollments and events where a form names one."""
    t = page.t
    found: dict[str, list[tuple[str, str, str]]] = {}
    for item in form.inputs():
        if item.kind != "select":
            continue
        found[item.name] = [(c, _choice_label(t, item.name, c), "") for c in item.choices]
    levels = [
        (level.code, t.level(str(info.track), level.code), t.track(str(info.track)))
        for info in catalog.TRACKS.values()
        for level in info.levels
    ]
    found["level"] = levels
    if staff_id is not None and form.name in ("evaluate", "correct"):
        ledger = page.workbench.ledger
        if form.name == "evaluate":
            record = ledger.record(staff_id)
            found["enrollment_id"] = [
                (e.enrollment_id, f"{e.course_title} ({t.date(e.starts_on)})", "")
                for e in record.enrollments.values()
            ]
        else:
            history = ledger.history(staff_id)
            voided = {h.data.get("voided_event_id") for h in history if h.type == "Corrected"}
            found["event_id"] = [
                (h.event_id, f"{h.event_id} · {t.event(h.type)} · {t.date(h.effective_on)}", "")
                for h in history
                if h.type not in NOT_VOIDABLE and h.event_id not in voided and h.voided_by is None
            ]
    return found


def _choice_label(t: Translator, name: str, code: str) -> str:
    """A code in words: the catalog's labels, else the forms' own (``choice.CODE``)."""
    if name.endswith("track"):
        return t.track(code)
    label = t.code(code)
    if label == code:
        own = t(f"choice.{code}")
        return code if own == f"choice.{code}" else own
    return label


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
    inputs = form.inputs()
    groups: dict[str | None, list[Input]] = {}
    for item in inputs:
        groups.setdefault(item.group, []).append(item)
    return page.render(
        "pages/forms/form.html",
        status=status,
        title=page.t(f"form.{form.name}.title"),
        form=form,
        action=_action(form, params),
        staff_id=staff_id,
        full_name=full_name,
        enrollment=enrollment,
        groups=groups,
        choices=_choices(page, form, staff_id),
        state=state,
        multipart=form.scans_into is not None,
        scan_input=SCAN_INPUT,
        show_day=show_day,
    )


def _check_post(page: Page, form: FormData) -> None:
    """CSRF: the session's token in the form, and the request from this site."""
    assert page.session is not None
    if not same_origin(page.request) or not same_secret(str(form.get("csrf") or ""), page.session.csrf):
        raise page.fail(page.t("login.bad_form"), status=403)


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


def _version_field(form: FormData) -> int | None:
    raw = str(form.get("version") or "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


async def _submit(request: Request, form_def: WriteForm, params: Mapping[str, str]) -> Response:
    page = open_page(request, Permission.WRITE)
    form = await request.form()
    _check_post(page, form)
    t = page.t
    body, raw, problems = read_inputs(form_def.inputs(), form, t)
    state = FormState(
        values=raw, problems=problems, key=str(form.get("idempotency_key") or new_secret())[:255]
    )
    state.version = _version_field(form) if form_def.needs_staff else None
    if form_def.name == "appoint" and form.get("action") == "check":
        return await run_in_threadpool(_preview_appointment, page, form_def, params, body, state)
    if problems:
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
            check = standards.check_appointment(record, position, date.fromisoformat(effective), ledger.rules)
        except errors.LedgerError as error:
            state.problems["position"] = error_text(error.code, error.message, t)
        else:
            state.unmet = standards.unmet_for_appointment(check)
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


# ----------------------------------------------------------- group enrollment

GROUP_SKIP = ("enrollment_id",)
GROUP_FORM = WriteForm("group", EnrollmentCreate, lambda *a: Response(), skip=GROUP_SKIP, needs_staff=False)


def _group_people(page: Page, q: str | None, unit: str | None) -> list[Any]:
    found = page.workbench.read_model.directory(q=q, unit=unit, status="active", limit=200)
    return list(found.items)


def _render_group(
    page: Page,
    state: FormState,
    *,
    q: str | None,
    unit: str | None,
    chosen: Sequence[str] = (),
    versions: Mapping[str, int] | None = None,
    status: int = 200,
    recorded: Sequence[Mapping[str, Any]] = (),
) -> Response:
    people = _group_people(page, q, unit)
    groups: dict[str | None, list[Input]] = {}
    for item in GROUP_FORM.inputs():
        groups.setdefault(item.group, []).append(item)
    return page.render(
        "pages/forms/group.html",
        status=status,
        title=page.t("form.group.title"),
        form=GROUP_FORM,
        action=f"{PREFIX}/enrollments/group",
        groups=groups,
        choices=_choices(page, GROUP_FORM, None),
        state=state,
        people=people,
        chosen=set(chosen),
        versions=dict(versions or {}),
        q=q or "",
        unit=unit or "",
        recorded=list(recorded),
        show_day=show_day,
        staff_id=None,
        full_name=None,
        enrollment=None,
        multipart=False,
        scan_input=SCAN_INPUT,
    )


@router.get("/enrollments/group")
def group_form(request: Request) -> Response:
    page = open_page(request, Permission.WRITE)
    return _render_group(page, FormState(), q=page.text("q", 100), unit=page.text("unit"))


@router.post("/enrollments/group")
async def group_submit(request: Request) -> Response:
    page = open_page(request, Permission.WRITE)
    form = await request.form()
    _check_post(page, form)
    t = page.t
    body, raw, problems = read_inputs(GROUP_FORM.inputs(), form, t)
    state = FormState(
        values=raw, problems=problems, key=str(form.get("idempotency_key") or new_secret())[:255]
    )
    chosen = [str(s) for s in form.getlist("staff_ids") if isinstance(s, str)][:500]
    versions: dict[str, int] = {}
    for staff_id in chosen:
        value = str(form.get(f"version.{staff_id}") or "")
        if value.isdigit() and len(value) < 19:
            versions[staff_id] = int(value)
    q = str(form.get("q") or "") or None
    unit = str(form.get("unit") or "") or None

    def again(status: int) -> Response:
        return _render_group(page, state, q=q, unit=unit, chosen=chosen, versions=versions, status=status)

    if not chosen:
        state.problems["staff_ids"] = t("form.group.none")
    if state.problems:
        return await run_in_threadpool(again, 422)
    try:
        model = EnrollmentCreate.model_validate(body)
    except ValidationError as error:
        state.problems.update(validation_problems(error, t))
        return await run_in_threadpool(again, 422)
    course = Course(
        course_code=model.course_code,
        course_title=model.course_title,
        track=model.track,
        level=model.level,
        provider=model.provider,
        mode=model.mode,
        starts_on=model.starts_on,
        ends_on=model.ends_on,
        decision_ref=model.decision_ref,
        funding=model.funding,
        cost=model.cost,
        country=model.country,
    )
    assert page.session is not None
    principal = page.session.principal.name
    app = request.app.state
    print_ = fingerprint(
        "POST", request.url.path, {"people": sorted(chosen), **model.model_dump(mode="json")}
    )

    def run() -> list[dict[str, Any]]:
        stored = app.idempotency.begin(principal, state.key, print_)
        if stored is not None:
            app.read_side.wait_views(stored.position)
            return list(stored.body["recorded"])
        try:
            results = enroll_group(
                app.ledger, chosen, course, recorded_by=principal, expected_versions=versions
            )
        except BaseException:
            app.idempotency.release(principal, state.key)
            raise
        recorded = [
            {"staff_id": r.staff_id, "enrollment_id": r.enrollment_id, "event_id": r.event_id}
            for r in results
        ]
        position = max(r.position for r in results)
        app.idempotency.finish(
            principal,
            state.key,
            StoredResponse(status=201, body={"recorded": recorded}, headers={}, position=position),
        )
        app.read_side.wait_views(position)
        return recorded

    try:
        recorded = await run_in_threadpool(run)
    except GroupRefused as refused:
        state.problem = t("form.group.refused")
        state.problems["staff_ids"] = "; ".join(
            f"{staff_id}: {error_text(e.code, e.message, t)}" for staff_id, e in refused.failures
        )
        return await run_in_threadpool(again, 422)
    except errors.StaleVersion:
        state.problem = t("form.stale")
        versions.clear()
        return await run_in_threadpool(again, 412)
    except errors.LedgerError as error:
        message = error_text(error.code, error.message, t)
        if error.field and error.field in state.values:
            state.problems[error.field] = message
        else:
            state.problem = message
        return await run_in_threadpool(again, 422)
    except IdempotencyKeyReused:
        state.problem = t("form.already_sent")
        state.key = new_secret()
        return await run_in_threadpool(again, 422)
    except IdempotencyInProgress:
        state.problem = t("form.in_progress")
        return await run_in_threadpool(again, 409)
    done = FormState()
    return await run_in_threadpool(lambda: _render_group(page, done, q=q, unit=unit, recorded=recorded))
