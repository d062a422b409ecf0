"""Property-based tests of the app against its own OpenAPI schema (schemathesis), on SQLite and
PostgreSQL, with a registrar key: no input gives a 5xx, every response conforms to the schema
(status code, content type, headers, body), and every rejected request leaves the log as it was.

The examples of the schema's path parameters (``CB0001``, ``E-2024-017``, ``TC-LLCT-01``) are
seeded, so generated requests reach real records as well as unknown ones. Examples per operation
are kept low so the whole module runs in a minute or two.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from api_fixtures import Api, course, module_store, person, running_api
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def seed(client: TestClient, token: str) -> None:
    """The records the schema's examples name."""
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/staff", json=person("CB0001"), headers=auth).status_code == 201
    enrolled = client.post("/staff/CB0001/enrollments", json=course(enrollment_id="E-2024-017"), headers=auth)
    assert enrolled.status_code == 201
    other = course(enrollment_id="E-2019-003", starts_on="2019-03-04", ends_on="2019-06-28")
    assert client.post("/staff/CB0001/enrollments", json=other, headers=auth).status_code == 201
    completed = client.post(
        "/staff/CB0001/enrollments/E-2019-003/completion",
        json={
            "completed_on": "2019-06-28",
            "outcome": "passed",
            "credential": {"credential_id": "TC-LLCT-01"},
        },
        headers=auth,
    )
    assert completed.status_code == 201


def document() -> dict[str, Any]:
    """The app's OpenAPI document, without its security requirements: every request here carries
    a registrar's key (added by `send`), so a case without one is not invalid input. Keys and roles
    are tested in test_api_auth.py. The document does not depend on the store: one serves both."""
    found = create_app().openapi()
    for path_item in found["paths"].values():
        for operation in path_item.values():
            operation.pop("security", None)
    return found


SCHEMA = schemathesis.openapi.from_dict(document())
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_store(request.param, tmp_path_factory.mktemp("fuzz")) as store, running_api(store) as running:
        seed(running.client, running.tokens["registrar"])
        yield running


def send(api: Api, case: Any) -> httpx.Response:
    """Send a generated case through the app's test client (the app's lifespan stays ours)."""
    kwargs = case.as_transport_kwargs(
        base_url="http://testserver", headers={"Authorization": f"Bearer {api.tokens['registrar']}"}
    )
    data = kwargs.pop("data", None)
    if isinstance(data, bytes | str):
        kwargs["content"] = data
    elif data is not None:
        kwargs["data"] = data
    kwargs.pop("cookies", None)
    return api.client.request(**kwargs)


def log_rows(api: Api) -> list[tuple[int, str]]:
    recorder = api.app.state.ledger.recorder
    return [(n.id, n.topic) for n in recorder.select_notifications(0, 100_000, inclusive_of_start=False)]


# Their only input is free-form: a path segment (every string is valid), or a scan's bytes (any
# bytes are a valid body; the type is judged by content, after the schema), so no invalid case exists.
ACCEPTS_ANY_INPUT = {"GET /problems/{code}", "POST /scans"}


def has_input(label: str) -> bool:
    """Whether an operation takes any parameter or body that a generated case could get wrong."""
    operation = OPERATIONS[label].definition.raw
    has_any = bool(operation.get("parameters") or operation.get("requestBody"))
    return has_any and label not in ACCEPTS_ANY_INPUT


CASES = [
    (label, mode)
    for label in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE or has_input(label)
]


@pytest.mark.parametrize(("label", "mode"), CASES)
def test_no_input_breaks_the_contract_or_changes_the_log_when_refused(
    api: Api, label: str, mode: GenerationMode
) -> None:
    operation = OPERATIONS[label]
    strategies = [operation.as_strategy(generation_mode=mode)]
    if mode == GenerationMode.POSITIVE:
        strategies += SCHEMA.get_strategies_from_examples(operation)

    @given(case=st.one_of(strategies))
    @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def exercise(case: Any) -> None:
        before = log_rows(api)
        response = send(api, case)
        case.validate_response(response, checks=CHECKS)
        after = log_rows(api)
        if response.status_code >= 400 or case.method.upper() == "GET":
            assert after == before, (
                f"{case.method} {case.formatted_path} -> {response.status_code} changed the log"
            )
        else:
            assert after[: len(before)] == before

    exercise()
