"""The registrar's group enrollment (``/ui/enrollments/group``): one course for many people at
once, through ``ledger.group.enroll_group`` (all or none), with the same idempotency handling as
the API's writes. Its inputs are the API's enrollment schema's (``api.pages.form_fields``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from api.idempotency import IdempotencyInProgress, IdempotencyKeyReused, StoredResponse, fingerprint
from api.keys import Permission
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
from api.schemas.enrollments import EnrollmentCreate
from ledger.domain import errors
from ledger.domain.commands import Enroll
from ledger.group import GroupRefused, enroll_group

# Included by the forms' router, which carries the pages' prefix.
router = APIRouter(include_in_schema=False)

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
    return page.render(
        "pages/forms/group.html",
        status=status,
        title=page.t("form.group.title"),
        form=GROUP_FORM,
        action=f"{PREFIX}/enrollments/group",
        groups=grouped(GROUP_FORM.inputs()),
        choices=choices(page, GROUP_FORM, None),
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
    page, form, body, state = await read_post(request, GROUP_FORM.inputs())
    t = page.t
    chosen = [str(s) for s in form.getlist("staff_ids") if isinstance(s, str)][:500]
    versions: dict[str, int] = {}
    for staff_id in chosen:
        version = posted_version(str(form.get(f"version.{staff_id}") or ""))
        if version is not None:
            versions[staff_id] = version
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
    course = Enroll(**dict(model))
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
