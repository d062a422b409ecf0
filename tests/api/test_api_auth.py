"""Keys and roles: 401 without a valid key, 403 for a role that may not, the key's name on every
event, and the `ledger keys` commands. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from api_fixtures import Api, course, module_store, new_staff_id, person, problem_of, running_api
from typer.testing import CliRunner

from api.cli.app import make_app
from api.cli.keys import register
from api.keys import KEYS_TABLE, KeyStore
from ledger.store.config import StoreConfig
from projections.service_tables import ServiceTables


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_store(request.param, tmp_path_factory.mktemp("auth")) as store, running_api(store) as running:
        yield running


@pytest.fixture(scope="module")
def subject(api: Api) -> str:
    """A staff member with an enrollment and a credential, for the paths that need one."""
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id, enrollment_id="E1")
    api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion",
        {"completed_on": "2020-09-25", "outcome": "passed", "credential": {"credential_id": "C1"}},
    )
    return staff_id


WRITES = [
    ("/staff", lambda s: person(new_staff_id())),
    ("/staff/{s}/enrollments", lambda s: course()),
    ("/staff/{s}/enrollments/E1/completion", lambda s: {"completed_on": "2020-09-25", "outcome": "passed"}),
    ("/staff/{s}/enrollments/E1/withdrawal", lambda s: {"on": "2020-05-01", "reason": "Lý do"}),
    (
        "/staff/{s}/credentials",
        lambda s: {
            "track": "other",
            "title": "Hội thảo",
            "issuer": "Sở Nội vụ",
            "issued_on": "2019-01-01",
            "evidence": {"document_ref": "GCN-1"},
        },
    ),
    (
        "/staff/{s}/rotations",
        lambda s: {
            "to_unit": "Chi cục",
            "kind": "transfer",
            "starts_on": "2021-01-01",
            "decision_ref": "QĐ 1",
        },
    ),
    (
        "/staff/{s}/appointments",
        lambda s: {"position": "Chuyên viên chính", "effective_on": "2021-01-01", "decision_ref": "QĐ 2"},
    ),
    (
        "/staff/{s}/evaluations",
        lambda s: {"kind": "annual", "year": 2021, "rating": "good", "evaluator": "Lê Văn"},
    ),
    (
        "/staff/{s}/plans",
        lambda s: {
            "position": "Trưởng phòng",
            "from_year": 2025,
            "to_year": 2030,
            "decision_ref": "QĐ 3",
            "on": "2025-01-02",
        },
    ),
    ("/staff/{s}/departure", lambda s: {"on": "2030-01-01", "reason": "Nghỉ hưu"}),
    ("/staff/{s}/corrections", lambda s: {"event_id": f"{s}:2", "reason": "Nhầm"}),
]
AUDIT_READS = ["/staff/{s}/history", "/staff/{s}/credentials/C1/trail", "/events"]
READS = ["/staff/{s}", "/staff", "/reports/qualifications", "/reports/attendance", "/reports/needs"]
ALL_PATHS = [("POST", path) for path, _ in WRITES] + [("GET", path) for path in AUDIT_READS + READS]


@pytest.mark.parametrize(("method", "path"), ALL_PATHS)
def test_a_request_without_a_key_is_401_with_a_bearer_challenge(
    api: Api, subject: str, method: str, path: str
) -> None:
    response = api.client.request(method, path.format(s=subject), json={})
    problem_of(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer lgr_not-a-real-token", "Bearer ", "Basic YWRtaW46YWRtaW4=", "lgr_x"]
)
def test_an_unknown_or_malformed_key_is_401(api: Api, subject: str, header: str) -> None:
    response = api.client.get(f"/staff/{subject}", headers={"Authorization": header})
    problem_of(response, 401, "unauthorized")


def test_an_unauthenticated_malformed_body_is_401_not_400(api: Api) -> None:
    response = api.client.post("/staff", content=b"{oops", headers={"Content-Type": "application/json"})
    problem_of(response, 401, "unauthorized")


@pytest.mark.parametrize(("path", "body"), WRITES)
@pytest.mark.parametrize("role", ["auditor", "reader"])
def test_only_a_registrar_may_write(api: Api, subject: str, role: str, path: str, body: object) -> None:
    head = api.log_head()
    response = api.post(path.format(s=subject), body(subject), role=role)  # type: ignore[operator]
    problem = problem_of(response, 403, "forbidden")
    assert role in problem["detail"]
    assert api.log_head() == head


@pytest.mark.parametrize("path", AUDIT_READS)
def test_a_reader_may_not_read_histories_trails_or_the_log(api: Api, subject: str, path: str) -> None:
    problem_of(api.get(path.format(s=subject), role="reader"), 403, "forbidden")


@pytest.mark.parametrize("path", AUDIT_READS)
@pytest.mark.parametrize("role", ["registrar", "auditor"])
def test_registrars_and_auditors_read_histories_trails_and_the_log(
    api: Api, subject: str, role: str, path: str
) -> None:
    assert api.get(path.format(s=subject), role=role).status_code == 200


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("role", ["registrar", "auditor", "reader"])
def test_every_role_reads_standings_the_directory_and_reports(
    api: Api, subject: str, role: str, path: str
) -> None:
    assert api.get(path.format(s=subject), role=role).status_code == 200


def test_every_event_records_the_name_of_the_key_that_wrote_it(api: Api) -> None:
    other = api.app.state.keys.add(f"van-thu-{new_staff_id().lower()}", "registrar")
    staff_id = api.register()
    response = api.client.post(
        f"/staff/{staff_id}/enrollments", json=course(), headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 201
    history = api.get(f"/staff/{staff_id}/history").json()["items"]
    other_name = api.app.state.keys.authenticate(other).name
    assert [e["recorded_by"] for e in history] == ["phong-tccb", other_name]
    assert history[1]["data"]["recorded_by"] == other_name


def test_a_revoked_key_is_401(api: Api, subject: str) -> None:
    name = f"tam-thoi-{new_staff_id().lower()}"
    token = api.app.state.keys.add(name, "reader")
    assert (
        api.client.get(f"/staff/{subject}", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    api.app.state.keys.revoke(name)
    response = api.client.get(f"/staff/{subject}", headers={"Authorization": f"Bearer {token}"})
    problem_of(response, 401, "unauthorized")


def test_a_rotated_key_stops_accepting_the_old_token(api: Api, subject: str) -> None:
    name = f"xoay-{new_staff_id().lower()}"
    old = api.app.state.keys.add(name, "reader")
    new = api.app.state.keys.rotate(name)
    problem_of(api.client.get(f"/staff/{subject}", headers={"Authorization": f"Bearer {old}"}), 401)
    assert api.client.get(f"/staff/{subject}", headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_health_docs_and_the_schema_need_no_key(api: Api) -> None:
    for path in ("/health", "/openapi.json", "/docs", "/problems"):
        assert api.client.get(path).status_code == 200, path


# ------------------------------------------------------------------ the `ledger keys` commands


def run_cli(store: StoreConfig, *args: str) -> tuple[int, str]:
    app = make_app()
    register(app)
    result = CliRunner().invoke(app, list(args), env={"LEDGER_DATABASE_URL": store.url})
    return result.exit_code, result.output


def test_keys_add_prints_the_token_as_the_last_line_and_it_authenticates(store: StoreConfig) -> None:
    code, output = run_cli(store, "keys", "add", "phong-tccb", "--role", "registrar")
    assert code == 0, output
    token = output.strip().splitlines()[-1]
    db = ServiceTables(store)
    try:
        principal = KeyStore(db).authenticate(token)
    finally:
        db.close()
    assert principal is not None
    assert (principal.name, principal.role) == ("phong-tccb", "registrar")


def test_tokens_are_stored_only_as_sha256_hashes(store: StoreConfig) -> None:
    _, output = run_cli(store, "keys", "add", "thanh-tra", "--role", "auditor")
    token = output.strip().splitlines()[-1]
    db = ServiceTables(store)
    try:
        with db.reading() as c:
            rows = c.records(f"SELECT * FROM {KEYS_TABLE}")
    finally:
        db.close()
    assert len(rows) == 1
    assert token not in repr(rows)
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()


def test_keys_list_shows_names_and_roles_but_no_tokens(store: StoreConfig) -> None:
    _, added = run_cli(store, "keys", "add", "doc-gia", "--role", "reader")
    code, output = run_cli(store, "keys", "list")
    assert code == 0
    assert "doc-gia" in output
    assert "reader" in output
    assert added.strip().splitlines()[-1] not in output


def test_keys_revoke_marks_the_key_revoked_and_it_stops_working(store: StoreConfig) -> None:
    _, added = run_cli(store, "keys", "add", "tam-thoi", "--role", "reader")
    code, _ = run_cli(store, "keys", "revoke", "tam-thoi")
    assert code == 0
    assert "revoked" in run_cli(store, "keys", "list")[1]
    db = ServiceTables(store)
    try:
        assert KeyStore(db).authenticate(added.strip().splitlines()[-1]) is None
    finally:
        db.close()


def test_keys_add_refuses_an_unknown_role(store: StoreConfig) -> None:
    code, _ = run_cli(store, "keys", "add", "ai-do", "--role", "admin")
    assert code != 0


def test_keys_add_refuses_to_reuse_a_name(store: StoreConfig) -> None:
    run_cli(store, "keys", "add", "phong-tccb", "--role", "registrar")
    code, output = run_cli(store, "keys", "add", "phong-tccb", "--role", "reader")
    assert code == 1
    assert "already exists" in output


def test_revoking_an_unknown_key_fails(store: StoreConfig) -> None:
    code, output = run_cli(store, "keys", "revoke", "nobody")
    assert code == 1
    assert "No active key" in output


class FakeClock:
    """A monotonic clock the test moves by hand (no sleeps)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_revoked_by_another_process_stops_working_when_its_cache_entry_expires(
    store: StoreConfig,
) -> None:
    db = ServiceTables(store)
    clock = FakeClock()
    try:
        server = KeyStore(db, cache_seconds=1.0, clock=clock)  # as `ledger serve` keeps it
        server.create_table()
        token = server.add("doc-gia", "reader")
        assert server.authenticate(token) is not None
        KeyStore(db).revoke("doc-gia")  # `ledger keys revoke`, another process
        clock.now += 0.5
        assert server.cached(token) is not None  # within the documented bound
        clock.now += 0.6
        assert server.cached(token) is None
        assert server.authenticate(token) is None
    finally:
        db.close()


def test_a_revoked_key_is_401_at_once_over_http_when_revoked_through_the_server(store: StoreConfig) -> None:
    with running_api(store, key_cache_seconds=60) as api:
        subject = api.register()
        token = api.app.state.keys.add("tam-thoi", "reader")
        headers = {"Authorization": f"Bearer {token}"}
        assert api.client.get(f"/staff/{subject}", headers=headers).status_code == 200
        api.app.state.keys.revoke("tam-thoi")
        problem_of(api.client.get(f"/staff/{subject}", headers=headers), 401, "unauthorized")


def test_a_key_revoked_with_the_cli_is_401_over_http_once_the_cache_bound_passes(store: StoreConfig) -> None:
    with running_api(store, key_cache_seconds=1.0) as api:
        clock = FakeClock()
        api.app.state.keys.clock = clock
        subject = api.register()
        _, added = run_cli(store, "keys", "add", "tam-thoi", "--role", "reader")
        headers = {"Authorization": f"Bearer {added.strip().splitlines()[-1]}"}
        assert api.client.get(f"/staff/{subject}", headers=headers).status_code == 200
        assert run_cli(store, "keys", "revoke", "tam-thoi")[0] == 0
        clock.now += 1.0
        problem_of(api.client.get(f"/staff/{subject}", headers=headers), 401, "unauthorized")


def test_the_key_cache_remembers_at_most_its_bound_of_tokens(store: StoreConfig) -> None:
    db = ServiceTables(store)
    try:
        keys = KeyStore(db, cache_seconds=60.0, max_cached=2, clock=FakeClock())
        keys.create_table()
        tokens = [keys.add(f"k{n}", "reader") for n in range(3)]
        for token in tokens:
            assert keys.authenticate(token) is not None
        assert keys.cached(tokens[0]) is None  # the oldest made room
        assert keys.cached(tokens[1]) is not None
        assert keys.cached(tokens[2]) is not None
    finally:
        db.close()


def test_a_key_in_use_is_verified_again_before_its_cache_entry_expires_and_a_revocation_is_seen(
    store: StoreConfig,
) -> None:
    db = ServiceTables(store)
    clock = FakeClock()
    try:
        server = KeyStore(db, cache_seconds=1.0, clock=clock)
        server.create_table()
        token = server.add("doc-gia", "reader")
        assert server.authenticate(token) is not None
        assert not server.claim_refresh(token)  # young entry
        clock.now += 0.6
        assert server.claim_refresh(token)
        assert not server.claim_refresh(token)  # once
        server.refresh(token)
        clock.now += 0.6  # past the first entry's expiry: the refreshed one still holds
        assert server.cached(token) is not None
        KeyStore(db).revoke("doc-gia")
        assert server.claim_refresh(token)
        server.refresh(token)
        assert server.cached(token) is None
    finally:
        db.close()
