"""What the tests of the pages' write forms share: a signed-in office, filling and posting a
form with its hidden fields, the problem shown beside a field, and a registration to post."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import httpx
from api_fixtures import Api, signed_in
from fastapi.testclient import TestClient


@dataclass
class Office:
    """The app, its API client, and a browser-like client signed in as a registrar."""

    api: Api

    def browser(self, role: str = "registrar") -> TestClient:
        return signed_in(self.api, role)


def hidden(page: httpx.Response) -> dict[str, str]:
    """The hidden inputs of the page's write form (CSRF token, idempotency key, version)."""
    found = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    assert "csrf" in found, page.text
    return found


def submit(client: TestClient, path: str, values: dict[str, Any], **kwargs: Any) -> httpx.Response:
    """Open the form, then post it with its hidden fields and ``values``."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={**hidden(page), **values}, **kwargs)


def problem_beside(page: httpx.Response, field: str) -> str:
    found = re.search(rf'<small class="problem"[^>]*data-field="{re.escape(field)}">([^<]*)<', page.text)
    assert found is not None, page.text
    return html.unescape(found.group(1))


REGISTRATION = {
    "staff_id": "CB-HUONG",
    "full_name": "Phạm Thị Hường",
    "gender": "female",
    "birth_date": "12/04/1990",
    "unit": "Phòng Tổ chức – Hành chính",
    "joined_on": "01/09/2015",
    "position": "Chuyên viên",
}
