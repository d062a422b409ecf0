"""Helpers for the HTTP API tests: a running app (the real ASGI app, its real lifespan, a real
store), keys for each role, and request bodies with Vietnamese content.

Starting an app (ledger, tables, projection engine) costs a fraction of a second on SQLite and
more on PostgreSQL, so most tests share one app per store for a module (``shared_api``) and keep
out of each other's way by using their own staff codes (``new_staff_id``); tests that need a log
of their own (restart, reports, the global log) start an app on the per-test ``store`` fixture.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from conftest import store_of_kind
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from ledger.service import Clock
from ledger.store.config import StoreConfig
from projections.base import View

REGISTRAR = "phong-tccb"
AUDITOR = "thanh-tra"
READER = "he-thong-bao-cao"
KEY_NAMES = {"registrar": REGISTRAR, "auditor": AUDITOR, "reader": READER}

VIETNAMESE_NAMES = (
    "Nguyễn Văn An",
    "Trần Thị Bích Ngọc",
    "Lê Hoàng Phúc",
    "Phạm Thị Thu Hương",
    "Đặng Quốc Bảo",
    "Võ Thị Ánh Tuyết",
    "Huỳnh Đức Mạnh",
    "Bùi Thị Ngọc Ánh",
)

_counter = itertools.count(1)


def new_staff_id(prefix: str = "CB") -> str:
    """A staff code no other test uses."""
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}{next(_counter)}"


def person(staff_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "staff_id": staff_id,
        "full_name": "Nguyễn Văn An",
        "gender": "male",
        "birth_date": "1985-04-12",
        "unit": "Phòng Tổ chức cán bộ",
        "joined_on": "2010-09-01",
        "position": "Chuyên viên",
        "rank": "01.003",
    }
    body.update(overrides)
    return body


def course(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "course_code": "TCLLCT-K45",
        "course_title": "Trung cấp lý luận chính trị - hành chính",
        "track": "political_theory",
        "level": "intermediate",
        "provider": "Trường Chính trị tỉnh Nghệ An",
        "mode": "part_time",
        "starts_on": "2020-03-02",
        "ends_on": "2020-09-25",
        "decision_ref": "QĐ 125/QĐ-CT",
    }
    body.update(overrides)
    return body


@dataclass
class Api:
    """A running app and a client for it, with a key per role."""

    app: FastAPI
    client: TestClient
    tokens: dict[str, str]

    def headers(self, role: str | None = "registrar", **extra: str) -> dict[str, str]:
        found = {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}
        found.update({k.replace("_", "-"): v for k, v in extra.items()})
        return found

    def post(self, path: str, body: Any, role: str | None = "registrar", **headers: str) -> httpx.Response:
        return self.client.post(path, json=body, headers=self.headers(role, **headers))

    def get(self, path: str, role: str | None = "registrar", **params: Any) -> httpx.Response:
        return self.client.get(path, params=params, headers=self.headers(role))

    def register(self, staff_id: str | None = None, **overrides: Any) -> str:
        staff_id = staff_id or new_staff_id()
        response = self.post("/staff", person(staff_id, **overrides))
        assert response.status_code == 201, response.text
        return staff_id

    def enroll(self, staff_id: str, **overrides: Any) -> str:
        response = self.post(f"/staff/{staff_id}/enrollments", course(**overrides))
        assert response.status_code == 201, response.text
        return str(response.json()["enrollment_id"])

    def log_head(self) -> int:
        return int(self.app.state.ledger.recorder.max_notification_id() or 0)


def settings_for(store: StoreConfig, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": store.url,
        "key_cache_seconds": 0,
        "read_your_writes_timeout": 30,
        "trusted_hosts": "testserver",  # the Host of Starlette's TestClient
    }
    values.update(overrides)
    return Settings(**values)


@contextmanager
def running_api(
    store: StoreConfig,
    *,
    make_keys: bool = True,
    views: Sequence[View] | None = None,
    clock: Clock | None = None,
    **settings: Any,
) -> Iterator[Api]:
    app = create_app(settings_for(store, **settings), views=views, clock=clock)
    with TestClient(app) as client:
        tokens: dict[str, str] = {}
        if make_keys:
            keys = app.state.keys
            existing = {k.name for k in keys.list()}
            for role, name in KEY_NAMES.items():
                tokens[role] = keys.rotate(name) if name in existing else keys.add(name, role)
        yield Api(app, client, tokens)


# A store for a whole module (or any scope): an SQLite file, or a PostgreSQL schema of its own.
module_store = store_of_kind


def signed_in(api: Api, role: str = "reader") -> TestClient:
    """A client of the pages signed in with the key of ``role``."""
    client = TestClient(api.app, follow_redirects=False)
    token = re.search(r'name="form_token" value="([^"]+)"', client.get("/ui/login").text)
    assert token is not None
    response = client.post(
        "/ui/login", data={"token": api.tokens[role], "form_token": token.group(1), "next": "/ui/staff"}
    )
    assert response.status_code == 303
    return client


def problem_of(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The problem document of an error response, checked for the RFC 9457 members."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    for member in ("type", "title", "status", "detail", "instance", "code"):
        assert member in body, body
    assert body["status"] == status
    assert body["type"].endswith(f"/{body['code']}")
    if code is not None:
        assert body["code"] == code, body
    return body


def form_token(client: TestClient, path: str = "/ui/login") -> str:
    page = client.get(path)
    found = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def sign_in(client: TestClient, token: str, next_page: str = "/ui/staff", **headers: str) -> httpx.Response:
    return client.post(
        "/ui/login",
        data={"token": token, "form_token": form_token(client), "next": next_page},
        headers=headers,
    )
