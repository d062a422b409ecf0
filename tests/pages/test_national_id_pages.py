"""The pages and the national_id: the registration form accepts it, the correction form changes
it, the person page shows it to registrars and auditors, and a reader's pages never carry it. The
real app on a real SQLite file and a real PostgreSQL, over HTTP (no browser)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_fixtures import running_api
from form_fixtures import REGISTRATION, Office, problem_beside, submit

from ledger.store.config import StoreConfig

NUMBER = "001190012345"


@pytest.fixture
def office(store: StoreConfig) -> Iterator[Office]:
    with running_api(store) as api:
        yield Office(api)


def test_the_registration_form_records_a_national_id(office: Office) -> None:
    response = submit(office.browser(), "/ui/staff/new", {**REGISTRATION, "national_id": NUMBER})
    assert response.status_code == 303, response.text
    assert office.api.get("/staff/CB-HUONG").json()["national_id"] == NUMBER


def test_the_registration_form_names_a_national_id_held_by_someone_else_beside_it(office: Office) -> None:
    office.api.register("CB-FIRST", national_id=NUMBER)
    response = submit(office.browser(), "/ui/staff/new", {**REGISTRATION, "national_id": NUMBER})
    assert response.status_code == 409
    expected = "Số định danh cá nhân này đã được ghi cho một cán bộ khác."
    assert problem_beside(response, "national_id") == expected
    assert office.api.get("/staff/CB-HUONG").status_code == 404


def test_the_correction_form_changes_the_national_id(office: Office) -> None:
    office.api.register("CB-SUA", national_id=NUMBER)
    response = submit(
        office.browser(), "/ui/staff/CB-SUA/corrections/new",
        {"national_id": "001190054321", "reason": "Sai một chữ số"},
    )
    assert response.status_code == 303, response.text
    assert office.api.get("/staff/CB-SUA").json()["national_id"] == "001190054321"


def test_the_person_page_shows_the_national_id_to_registrars_and_auditors_only(office: Office) -> None:
    office.api.register("CB-XEM", national_id=NUMBER)
    for role in ("registrar", "auditor"):
        page = office.browser(role).get("/ui/staff/CB-XEM")
        assert page.status_code == 200
        assert 'id="national-id"' in page.text
        assert NUMBER in page.text
    page = office.browser("reader").get("/ui/staff/CB-XEM")
    assert page.status_code == 200
    assert NUMBER not in page.text
    assert 'id="national-id"' not in page.text


def test_a_readers_directory_and_dossier_pages_never_carry_the_national_id(office: Office) -> None:
    office.api.register("CB-DANH", national_id=NUMBER)
    reader = office.browser("reader")
    for path in ("/ui/staff", "/ui/staff?q=CB-DANH", "/ui/staff/CB-DANH/dossier"):
        page = reader.get(path)
        assert page.status_code == 200, path
        assert NUMBER not in page.text, path
