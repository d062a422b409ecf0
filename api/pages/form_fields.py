"""The parts of the registrar's forms that every form shares, the one-person writes
(``api.pages.forms``) and the group enrollment (``api.pages.group_form``) alike: the inputs read
off the API's request schema, the values read back from a submission, what a form page shows, the
choices of its select inputs, and the CSRF check of a submission."""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from api.keys import Permission
from api.pages.dates import parse_day
from api.pages.forms_text import validation_text
from api.pages.i18n import Translator
from api.pages.session import same_origin
from api.pages.session_store import new_secret, same_secret
from api.pages.web import Page, open_page
from api.writes import WriteContext
from ledger import text
from ledger.domain import catalog
from ledger.domain.record import UnmetRequirement

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


def grouped(inputs: Sequence[Input]) -> dict[str | None, list[Input]]:
    """Inputs by the nested model they belong to (None: the schema's own), in schema order."""
    groups: dict[str | None, list[Input]] = {}
    for item in inputs:
        groups.setdefault(item.group, []).append(item)
    return groups


def posted_version(raw: str) -> int | None:
    """A record's version as a form carries it back (anything else: not given)."""
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


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


def choices(page: Page, form: WriteForm, staff_id: str | None) -> dict[str, list[tuple[str, str, str]]]:
    """Choices of the select inputs as (value, label, group): enumerations in words, levels by
    track, and the person's own enrollments and events where a form names one."""
    t = page.t
    found: dict[str, list[tuple[str, str, str]]] = {}
    for item in form.inputs():
        if item.kind != "select":
            continue
        found[item.name] = [(c, choice_label(t, item.name, c), "") for c in item.choices]
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


def choice_label(t: Translator, name: str, code: str) -> str:
    """A code in words: the catalog's labels, else the forms' own (``choice.CODE``)."""
    if name.endswith("track"):
        return t.track(code)
    label = t.code(code)
    if label == code:
        own = t(f"choice.{code}")
        return code if own == f"choice.{code}" else own
    return label



def _check_post(page: Page, form: FormData) -> None:
    """CSRF: the session's token in the form, and the request from this site."""
    assert page.session is not None
    if not same_origin(page.request) or not same_secret(str(form.get("csrf") or ""), page.session.csrf):
        raise page.fail(page.t("login.bad_form"), status=403)


async def read_post(
    request: Request, inputs: Sequence[Input]
) -> tuple[Page, FormData, dict[str, Any], FormState]:
    """A registrar's submission: the page (the write role, else 403), the form (CSRF-checked),
    its values as the schema's JSON body, and the state to show it again with (its values, what
    could not be read, its idempotency key: a new one if the form carried none)."""
    page = open_page(request, Permission.WRITE)
    form = await request.form()
    _check_post(page, form)
    body, raw, problems = read_inputs(inputs, form, page.t)
    state = FormState(
        values=raw, problems=problems, key=str(form.get("idempotency_key") or new_secret())[:255]
    )
    return page, form, body, state
