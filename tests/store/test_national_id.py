"""The personal identification number (``national_id``): optional on the registration, changed by
a correction, unique in the ledger (also against concurrent writers), found by registrars and
auditors, never shown to readers, and the key of the person's export, which validates against
its published JSON Schema. On a real SQLite file and a real PostgreSQL schema, over HTTP."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from api_fixtures import Api, module_store, new_staff_id, problem_of, running_api

from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import Employment, Gender
from ledger.domain.commands import CorrectNationalId, Register
from ledger.domain.fold import fold_record
from ledger.exports.transfer import export_log, import_log
from ledger.staff import StaffMember
from ledger.store.config import StoreConfig

SCHEMA_PATH = Path(__file__).parents[2] / "docs" / "schemas" / "staff-export.schema.json"
_serial = iter(range(10**6))


def new_national_id() -> str:
    """A 12-digit number no other test of this module uses."""
    return f"0010{next(_serial):08d}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_store(request.param, tmp_path_factory.mktemp("nid")) as store, running_api(store) as api:
        yield api


@pytest.fixture(scope="module")
def export_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def register(api: Api, national_id: str | None, **overrides: Any) -> str:
    body: dict[str, Any] = {"national_id": national_id} if national_id is not None else {}
    return api.register(**body, **overrides)


def correct(api: Api, staff_id: str, national_id: str | None) -> Any:
    return api.post(
        f"/staff/{staff_id}/corrections", {"national_id": national_id, "reason": "Theo CCCD gắn chip"}
    )


# ------------------------------------------------------------------ registration


def test_a_registration_with_a_national_id_shows_it_to_a_registrar_and_an_auditor(api: Api) -> None:
    number = new_national_id()
    staff_id = register(api, number)
    for role in ("registrar", "auditor"):
        assert api.get(f"/staff/{staff_id}", role=role).json()["national_id"] == number


def test_a_registration_without_a_national_id_has_none(api: Api) -> None:
    staff_id = register(api, None)
    assert api.get(f"/staff/{staff_id}").json()["national_id"] is None


NOT_TWELVE_DIGITS = [
    "00108501234", "0010850123456", "00108501234a", "001 08501234", "００１０８５０１２３４５", 1085012345
]


@pytest.mark.parametrize("bad", NOT_TWELVE_DIGITS)
def test_a_national_id_that_is_not_twelve_ascii_digits_is_refused_naming_the_field_without_echoing_it(
    api: Api, bad: Any
) -> None:
    staff_id = new_staff_id()
    response = api.post("/staff", {**_person(staff_id), "national_id": bad})
    problem = problem_of(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["national_id"]
    assert str(bad) not in response.text
    assert api.get(f"/staff/{staff_id}").status_code == 404


def test_registering_a_national_id_another_person_holds_is_refused_with_409(api: Api) -> None:
    number = new_national_id()
    holder = register(api, number)
    staff_id = new_staff_id()
    response = api.post("/staff", {**_person(staff_id), "national_id": number})
    problem = problem_of(response, 409, "duplicate_national_id")
    assert problem["errors"][0]["field"] == "national_id"
    assert holder in problem["detail"]
    assert number not in response.text
    assert api.get(f"/staff/{staff_id}").status_code == 404


def test_a_duplicate_staff_code_is_still_a_duplicate_registration(api: Api) -> None:
    staff_id = register(api, new_national_id())
    response = api.post("/staff", {**_person(staff_id), "national_id": new_national_id()})
    assert problem_of(response, 409, "duplicate_registration")["errors"][0]["field"] == "staff_id"


def test_concurrent_registrations_with_the_same_national_id_let_exactly_one_win(api: Api) -> None:
    number = new_national_id()
    staff_ids = [new_staff_id() for _ in range(6)]
    statuses: dict[str, int] = {}
    start = threading.Barrier(len(staff_ids))

    def attempt(staff_id: str) -> None:
        start.wait()
        statuses[staff_id] = api.post("/staff", {**_person(staff_id), "national_id": number}).status_code

    threads = [threading.Thread(target=attempt, args=(s,)) for s in staff_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [201] + [409] * (len(staff_ids) - 1)
    (winner,) = [s for s, status in statuses.items() if status == 201]
    found = api.get("/staff", national_id=number).json()["items"]
    assert [item["staff_id"] for item in found] == [winner]


# ------------------------------------------------------------------- corrections


def test_a_correction_sets_a_national_id_the_registration_lacked(api: Api) -> None:
    staff_id = register(api, None)
    number = new_national_id()
    response = correct(api, staff_id, number)
    assert response.status_code == 201, response.text
    assert api.get(f"/staff/{staff_id}").json()["national_id"] == number


def test_a_corrected_national_id_counts_at_every_business_date_and_not_as_known_before(api: Api) -> None:
    old, new = new_national_id(), new_national_id()
    staff_id = register(api, old)
    before = api.get(f"/staff/{staff_id}").json()
    recorded_at = api.get(f"/staff/{staff_id}/history").json()["items"][-1]["recorded_at"]
    assert correct(api, staff_id, new).status_code == 201
    assert api.get(f"/staff/{staff_id}", as_of="2011-01-01").json()["national_id"] == new
    assert api.get(f"/staff/{staff_id}", known_at=recorded_at).json()["national_id"] == old
    assert before["national_id"] == old


def test_a_correction_keeps_the_old_national_id_in_the_history(api: Api) -> None:
    old, new = new_national_id(), new_national_id()
    staff_id = register(api, old)
    assert correct(api, staff_id, new).status_code == 201
    items = api.get(f"/staff/{staff_id}/history", role="auditor").json()["items"]
    assert items[0]["data"]["national_id"] == old
    assert items[-1]["type"] == "NationalIdCorrected"
    assert items[-1]["recorded_by"] == "phong-tccb"
    assert (items[-1]["data"]["previous_national_id"], items[-1]["data"]["national_id"]) == (old, new)


def test_correcting_to_a_national_id_another_person_holds_is_refused_with_409(api: Api) -> None:
    number = new_national_id()
    holder = register(api, number)
    staff_id = register(api, new_national_id())
    version = api.get(f"/staff/{staff_id}").json()["version"]
    problem = problem_of(correct(api, staff_id, number), 409, "duplicate_national_id")
    assert problem["errors"][0]["field"] == "national_id"
    assert api.get(f"/staff/{staff_id}").json()["version"] == version
    assert api.get("/staff", national_id=number).json()["items"][0]["staff_id"] == holder


def test_a_national_id_freed_by_a_correction_can_be_given_to_someone_else(api: Api) -> None:
    number = new_national_id()
    first = register(api, number)
    assert correct(api, first, None).status_code == 201
    assert api.get(f"/staff/{first}").json()["national_id"] is None
    second = register(api, number)
    assert api.get("/staff", national_id=number).json()["items"][0]["staff_id"] == second


def test_a_correction_to_the_number_already_held_is_refused(api: Api) -> None:
    number = new_national_id()
    staff_id = register(api, number)
    problem = problem_of(correct(api, staff_id, number), 409, "nothing_to_correct")
    assert problem["errors"][0]["field"] == "national_id"


def test_a_national_id_correction_cannot_be_voided(api: Api) -> None:
    staff_id = register(api, None)
    event_id = correct(api, staff_id, new_national_id()).json()["event_id"]
    response = api.post(f"/staff/{staff_id}/corrections", {"event_id": event_id, "reason": "Nhầm"})
    assert problem_of(response, 409, "cannot_void_correction")["errors"][0]["field"] == "event_id"


def test_a_correction_naming_both_an_event_and_a_national_id_is_refused(api: Api) -> None:
    staff_id = register(api, None)
    body = {"event_id": f"{staff_id}:1", "national_id": new_national_id(), "reason": "Nhầm"}
    problem = problem_of(api.post(f"/staff/{staff_id}/corrections", body), 422)
    assert problem["errors"][0]["field"] == "event_id"


# ------------------------------------------------------------- finding and hiding


def test_a_registrar_and_an_auditor_find_the_person_by_national_id(api: Api) -> None:
    number = new_national_id()
    staff_id = register(api, number, full_name="Trần Thị Bích Ngọc", gender="female")
    for role in ("registrar", "auditor"):
        page = api.get("/staff", role=role, national_id=number).json()
        assert page["total"] == 1
        assert page["items"][0]["staff_id"] == staff_id
        assert page["items"][0]["full_name"] == "Trần Thị Bích Ngọc"
        assert "national_id" not in page["items"][0]


def test_an_unknown_national_id_finds_no_one(api: Api) -> None:
    page = api.get("/staff", national_id="999999999999").json()
    assert page == {"items": [], "next_cursor": None, "total": 0}


def test_a_reader_asking_by_national_id_gets_403_naming_the_parameter(api: Api) -> None:
    number = new_national_id()
    register(api, number)
    response = api.get("/staff", role="reader", national_id=number)
    problem = problem_of(response, 403, "forbidden")
    assert problem["errors"][0]["field"] == "national_id"
    assert number not in response.text


def test_a_reader_never_sees_national_id_in_a_standing(api: Api) -> None:
    number = new_national_id()
    staff_id = register(api, number)
    for params in ({}, {"as_of": "2020-01-01"}, {"known_at": "2100-01-01T00:00:00Z"}):
        response = api.get(f"/staff/{staff_id}", role="reader", **params)
        assert response.status_code == 200
        assert "national_id" not in response.json()
        assert number not in response.text


def test_a_reader_never_sees_national_id_in_the_directory(api: Api) -> None:
    number = new_national_id()
    staff_id = register(api, number)
    response = api.get("/staff", role="reader", q=staff_id)
    assert [i["staff_id"] for i in response.json()["items"]] == [staff_id]
    assert number not in response.text


def test_a_reader_may_not_export_a_person(api: Api) -> None:
    staff_id = register(api, new_national_id())
    problem_of(api.get(f"/staff/{staff_id}/export", role="reader"), 403, "forbidden")


def test_national_id_with_another_filter_is_refused(api: Api) -> None:
    problem = problem_of(api.get("/staff", national_id=new_national_id(), q="an"), 422)
    assert problem["errors"][0]["field"] == "national_id"


# ------------------------------------------------------------------------ export


def _ok(api: Api, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(path, body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _full_history(api: Api, national_id: str | None) -> str:
    """A person with one of each kind of fact, Vietnamese text everywhere, and a voided event."""
    staff_id = register(
        api, national_id, full_name="Phạm Thị Thu Hương", gender="female", unit="Phòng Tổ chức – Cán bộ"
    )
    at = f"/staff/{staff_id}"
    passed = api.enroll(staff_id)
    _ok(api, f"{at}/enrollments/{passed}/completion",
        {"completed_on": "2020-09-25", "outcome": "passed", "credential": {"number": "TC-0042"}})
    withdrawn = api.enroll(staff_id, course_code="QLNN-CV", course_title="Bồi dưỡng ngạch chuyên viên",
                           track="state_management", level="specialist", starts_on="2021-03-01",
                           ends_on="2021-05-30")
    _ok(api, f"{at}/enrollments/{withdrawn}/withdrawal", {"on": "2021-04-01", "reason": "Ốm dài ngày"})
    _ok(api, f"{at}/credentials", {
        "track": "it", "level": "basic", "title": "Chứng chỉ ứng dụng CNTT cơ bản",
        "issuer": "Trường Đại học Vinh", "issued_on": "2015-06-01",
        "evidence": {"document_ref": "Bản sao chứng thực số 12/2015", "verified_by": "Lê Hoàng Phúc"},
    })
    _ok(api, f"{at}/evaluations",
        {"kind": "annual", "year": 2021, "rating": "good", "evaluator": "Đặng Quốc Bảo"})
    _ok(api, f"{at}/rotations", {
        "to_unit": "Chi cục Thuế khu vực Đô Lương", "kind": "rotation", "starts_on": "2022-01-01",
        "ends_on": "2022-12-31", "decision_ref": "QĐ 12/QĐ-CT",
    })
    wrong = _ok(api, f"{at}/evaluations",
                {"kind": "annual", "year": 2022, "rating": "excellent", "evaluator": "Đặng Quốc Bảo"})
    _ok(api, f"{at}/corrections", {"event_id": wrong["event_id"], "reason": "Nhập nhầm xếp loại"})
    _ok(api, f"{at}/departure", {"on": "2023-06-30", "reason": "Nghỉ hưu"})
    return staff_id


def test_the_export_validates_against_its_published_schema(api: Api, export_schema: dict[str, Any]) -> None:
    number = new_national_id()
    staff_id = _full_history(api, number)
    assert correct(api, staff_id, new_national_id()).status_code == 201
    for role in ("registrar", "auditor"):
        response = api.get(f"/staff/{staff_id}/export", role=role)
        assert response.status_code == 200, response.text
        jsonschema.validate(response.json(), export_schema, cls=jsonschema.Draft202012Validator)


def test_an_export_without_a_national_id_validates_too(api: Api, export_schema: dict[str, Any]) -> None:
    staff_id = register(api, None)
    document = api.get(f"/staff/{staff_id}/export").json()
    assert document["national_id"] is None
    jsonschema.validate(document, export_schema, cls=jsonschema.Draft202012Validator)


def test_the_export_is_keyed_by_the_current_national_id_and_holds_the_whole_history(api: Api) -> None:
    old, new = new_national_id(), new_national_id()
    staff_id = _full_history(api, old)
    assert correct(api, staff_id, new).status_code == 201
    document = api.get(f"/staff/{staff_id}/export").json()
    history = api.get(f"/staff/{staff_id}/history", limit=500).json()["items"]
    assert document["national_id"] == new
    assert document["identity"]["national_id_at_registration"] == old
    exported = [document["identity"], *document["enrollments"], *document["evaluations"],
                *document["rotations"], *document["departures"], *document["corrections"]]
    exported += [o for e in document["enrollments"] for o in e["outcomes"]]
    exported += [c for c in document["credentials"] if c["obtained"] == "recognition"]
    assert sorted(i["event_id"] for i in exported) == sorted(h["event_id"] for h in history)
    assert [e["status"] for e in document["enrollments"]] == ["completed", "withdrawn"]
    assert sorted(c["obtained"] for c in document["credentials"]) == ["completion", "recognition"]
    voided = [e for e in document["evaluations"] if e["voided_by"]]
    assert [e["year"] for e in voided] == [2022]
    assert document["departure"]["reason"] == "Nghỉ hưu"
    assert [c["event_type"] for c in document["corrections"]] == ["Corrected", "NationalIdCorrected"]


def test_vietnamese_text_round_trips_exactly_in_the_export(api: Api) -> None:
    staff_id = _full_history(api, new_national_id())
    response = api.get(f"/staff/{staff_id}/export")
    document = response.json()
    assert document["identity"]["full_name"] == "Phạm Thị Thu Hương"
    assert document["identity"]["unit"] == "Phòng Tổ chức – Cán bộ"
    assert document["rotations"][0]["to_unit"] == "Chi cục Thuế khu vực Đô Lương"
    assert document["enrollments"][1]["outcomes"][0]["reason"] == "Ốm dài ngày"
    assert "Phạm Thị Thu Hương".encode() in response.content  # UTF-8 itself, not \\u escapes


def _person(staff_id: str) -> dict[str, Any]:
    from api_fixtures import person

    return person(staff_id)


# --------------------------------------------------------------------- the store


def test_registrations_recorded_before_national_ids_existed_read_back_without_one(store: StoreConfig) -> None:
    ledger = Ledger(store)
    try:
        member = StaffMember.register(
            Register(
                staff_id="CU0001",
                full_name="Võ Thị Ánh Tuyết",
                gender=Gender.FEMALE,
                birth_date=date(1979, 2, 3),
                unit="Văn phòng",
                joined_on=date(2001, 8, 1),
                position=None,
                rank=None,
                employment=Employment.CIVIL_SERVANT,
            ),
            recorded_by="cu",
        )
        stored = ledger.mapper.to_stored_event(member.collect_events()[0])
        # The registration as version 1 of the event wrote it: no national_id, no class_version.
        state = json.loads(stored.state)
        del state["national_id"], state["class_version"]
        old = dataclasses.replace(stored, state=json.dumps(state).encode())
        ledger.chained_recorder.import_events([(1, old)])
        assert ledger.record("CU0001").national_id is None
        assert ledger.record("CU0001").full_name == "Võ Thị Ánh Tuyết"
        ledger.correct_national_id("CU0001", national_id="079179000001", reason="Bổ sung", recorded_by="cu")
        assert ledger.staff_id_of_national_id("079179000001") == "CU0001"
    finally:
        ledger.close()


def test_the_stores_topics_for_national_ids_are_the_events_topics() -> None:
    from eventsourcing.utils import get_topic

    from ledger.store.persistence import NATIONAL_ID_CORRECTED_TOPIC, REGISTERED_TOPIC

    assert get_topic(StaffMember.Registered) == REGISTERED_TOPIC
    assert get_topic(StaffMember.NationalIdCorrected) == NATIONAL_ID_CORRECTED_TOPIC


# ------------------------------------------------------------- domain, no store


def _member(national_id: str | None = None) -> StaffMember:
    return StaffMember.register(
        Register(
            staff_id="CB-D1",
            full_name="Huỳnh Đức Mạnh",
            gender=Gender.MALE,
            birth_date=date(1980, 1, 2),
            unit="Văn phòng",
            joined_on=date(2005, 3, 1),
            position=None,
            rank=None,
            employment=Employment.CIVIL_SERVANT,
            national_id=national_id,
        ),
        recorded_by="cu",
    )


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "12345678901x", "١٢٣٤٥٦٧٨٩٠١٢", ""])
def test_the_domain_refuses_a_national_id_that_is_not_twelve_ascii_digits(bad: str) -> None:
    with pytest.raises(errors.InvalidInput) as refused:
        _member(bad)
    assert refused.value.field == "national_id"
    assert bad not in refused.value.message or not bad


def test_a_national_id_correction_counts_before_the_registration_date_as_the_registration_does() -> None:
    member = _member("001080000001")
    member.correct_national_id(
        CorrectNationalId(national_id="001080000002", reason="Sai số"),
        recorded_by="cu",
    )
    events = list(member.history)
    assert fold_record(events, as_of=date(2000, 1, 1)).national_id == "001080000002"
    assert fold_record(events[:1], as_of=date(2000, 1, 1)).national_id == "001080000001"


def test_a_national_id_correction_records_the_value_it_replaces() -> None:
    member = _member("001080000001")
    member.correct_national_id(
        CorrectNationalId(national_id=None, reason="Nhập nhầm người"),
        recorded_by="cu",
    )
    last = member.history[-1]
    assert isinstance(last, StaffMember.NationalIdCorrected)
    assert (last.previous_national_id, last.national_id) == ("001080000001", None)
    assert last.effective_on == date(2005, 3, 1)
    assert member.record.national_id is None


# ---------------------------------------------------------- whole-log transfer


def test_a_log_imported_into_a_fresh_store_keeps_its_national_ids_unique(
    store: StoreConfig, tmp_path: Path
) -> None:
    source = Ledger(StoreConfig(f"sqlite:///{tmp_path / 'source.db'}"))
    try:
        base = {"full_name": "Bùi Thị Ngọc Ánh", "gender": Gender.FEMALE, "birth_date": date(1990, 5, 6),
                "unit": "Phòng Kế hoạch", "joined_on": date(2014, 2, 3), "recorded_by": "cu"}
        source.register(staff_id="CB-T1", national_id="001190000001", **base)
        source.register(staff_id="CB-T2", national_id="001190000002", **base)
        source.correct_national_id("CB-T2", national_id="001190000003", reason="Sai", recorded_by="cu")
        exported = export_log(source, tmp_path / "log.jsonl")
    finally:
        source.close()
    copy = Ledger(store)
    try:
        import_log(copy, exported.path)
        assert copy.staff_id_of_national_id("001190000001") == "CB-T1"
        assert copy.staff_id_of_national_id("001190000002") is None
        assert copy.staff_id_of_national_id("001190000003") == "CB-T2"
        with pytest.raises(errors.DuplicateNationalId):
            copy.register(staff_id="CB-T3", national_id="001190000003", **base)
        copy.register(staff_id="CB-T3", national_id="001190000002", **base)
    finally:
        copy.close()
