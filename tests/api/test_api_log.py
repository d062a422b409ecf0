"""The global log (`GET /events`) and the aggregate reports, each on a store of its own (SQLite and
PostgreSQL), since they count everything in it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_fixtures import Api, course, problem_of, running_api

from ledger.store.config import StoreConfig


@pytest.fixture
def api(store: StoreConfig) -> Iterator[Api]:
    with running_api(store) as running:
        yield running


def complete(api: Api, staff_id: str, enrollment_id: str, on: str = "2020-09-25") -> None:
    response = api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion", {"completed_on": on, "outcome": "passed"}
    )
    assert response.status_code == 201, response.text


# ------------------------------------------------------------------ /events


def test_the_log_pages_by_position_without_gaps_or_repeats(api: Api) -> None:
    for n in range(3):
        staff_id = api.register(f"CB{n}")
        api.enroll(staff_id)
    positions: list[int] = []
    after = 0
    while True:
        page = api.get("/events", after=after, limit=4).json()
        positions += [e["position"] for e in page["items"]]
        if not page["items"]:
            break
        assert page["next_after"] == page["items"][-1]["position"]
        after = page["next_after"]
    assert positions == sorted(positions)
    assert len(positions) == len(set(positions)) == 6
    assert positions[-1] == api.log_head()


def test_each_log_event_says_whose_it_is_and_who_recorded_it(api: Api) -> None:
    staff_id = api.register("CB0001", full_name="Trần Thị Bích Ngọc")
    api.enroll(staff_id, cost="12500000.50", enrollment_id="E1")
    items = api.get("/events").json()["items"]
    assert [(e["event_id"], e["staff_id"], e["type"], e["version"]) for e in items] == [
        ("CB0001:1", "CB0001", "Registered", 1),
        ("CB0001:2", "CB0001", "Enrolled", 2),
    ]
    enrolled = items[1]
    assert enrolled["topic"] == "staff.enrolled.v1"
    assert enrolled["recorded_by"] == "phong-tccb"
    assert enrolled["recorded_at"].endswith("Z")
    assert enrolled["effective_on"] == "2020-03-02"
    assert enrolled["data"]["cost"] == "12500000.50"
    assert enrolled["data"]["starts_on"] == "2020-03-02"
    assert enrolled["data"]["mode"] == "part_time"
    assert items[0]["data"]["full_name"] == "Trần Thị Bích Ngọc"


def test_the_log_filters_by_event_type(api: Api) -> None:
    staff_id = api.register("CB0001")
    enrollment_id = api.enroll(staff_id)
    complete(api, staff_id, enrollment_id)
    page = api.get("/events", types="Completed").json()
    assert [e["type"] for e in page["items"]] == ["Completed"]
    assert page["next_after"] == api.log_head()


def test_the_log_after_its_end_is_empty_and_keeps_the_position(api: Api) -> None:
    api.register("CB0001")
    page = api.get("/events", after=1).json()
    assert page == {"items": [], "next_after": 1, "last_position": 1}


@pytest.mark.parametrize(
    ("params", "field"), [({"limit": 501}, "limit"), ({"after": -1}, "after"), ({"types": "Hired"}, "types")]
)
def test_bad_log_parameters_are_422_naming_the_parameter(
    api: Api, params: dict[str, object], field: str
) -> None:
    problem = problem_of(api.get("/events", **params), 422, "validation_error")
    assert problem["errors"][0]["field"] == field


# ------------------------------------------------------------------ /reports/qualifications


def test_qualifications_count_each_person_once_under_their_highest_level(api: Api) -> None:
    first = api.register("CB0001")
    complete(api, first, api.enroll(first, level="intermediate", starts_on="2015-01-05"), on="2015-06-30")
    complete(api, first, api.enroll(first, level="advanced", starts_on="2019-01-07"), on="2019-12-20")
    second = api.register("CB0002", gender="female")
    complete(api, second, api.enroll(second, level="intermediate"))
    report = api.get("/reports/qualifications").json()
    assert report["headcount"] == 2
    assert report["tracks"]["political_theory"]["advanced"] == 1
    assert report["tracks"]["political_theory"]["intermediate"] == 1
    assert report["by_gender"] == {"female": 1, "male": 1}


def test_qualifications_as_of_an_earlier_date_count_what_was_held_then(api: Api) -> None:
    staff_id = api.register("CB0001")
    complete(api, staff_id, api.enroll(staff_id), on="2020-09-25")
    before = api.get("/reports/qualifications", as_of="2020-09-24").json()
    assert before["as_of"] == "2020-09-24"
    assert before["tracks"]["political_theory"]["intermediate"] == 0
    assert (
        api.get("/reports/qualifications", as_of="2020-09-25").json()["tracks"]["political_theory"][
            "intermediate"
        ]
        == 1
    )


def test_qualifications_filter_by_unit_and_employment(api: Api) -> None:
    api.register("CB0001", unit="Phòng Tổ chức cán bộ")
    api.register("CB0002", unit="Văn phòng Cục", employment="contract")
    assert api.get("/reports/qualifications", unit="Văn phòng Cục").json()["headcount"] == 1
    assert api.get("/reports/qualifications", employment="contract").json()["headcount"] == 1
    problem_of(api.get("/reports/qualifications", employment="temporary"), 422, "validation_error")


def test_departed_staff_are_not_counted_in_qualifications(api: Api) -> None:
    api.register("CB0001")
    leaver = api.register("CB0002")
    api.post(f"/staff/{leaver}/departure", {"on": "2022-12-31", "reason": "Nghỉ hưu"})
    assert api.get("/reports/qualifications").json()["headcount"] == 1


# ------------------------------------------------------------------ /reports/attendance


def test_attendance_counts_person_times_and_persons(api: Api) -> None:
    first = api.register("CB0001")
    api.enroll(first, starts_on="2019-03-04")
    api.enroll(first, starts_on="2021-03-01", ends_on=None, track="leadership", level="division")
    second = api.register("CB0002")
    api.enroll(second, starts_on="2021-05-03", ends_on=None)
    report = api.get("/reports/attendance", **{"from": "2019-01-01", "to": "2024-12-31"}).json()
    assert (report["attendances"], report["persons"]) == (3, 2)
    assert report["by_track"]["political_theory"] == {"attendances": 2, "persons": 2}
    assert report["by_year"] == {"2019": 1, "2021": 2}
    assert report["from"] == "2019-01-01"


def test_attendance_restricted_to_some_tracks(api: Api) -> None:
    staff_id = api.register("CB0001")
    api.enroll(staff_id)
    api.enroll(staff_id, track="leadership", level="division")
    report = api.get("/reports/attendance", tracks="leadership").json()
    assert report["attendances"] == 1
    assert report["tracks"] == ["leadership"]
    problem_of(api.get("/reports/attendance", tracks="leadership,cooking"), 422, "validation_error")


def test_attendance_leaves_out_voided_enrollments_and_keeps_leavers(api: Api) -> None:
    staff_id = api.register("CB0001")
    api.enroll(staff_id)
    api.enroll(staff_id)
    api.post(f"/staff/{staff_id}/corrections", {"event_id": f"{staff_id}:3", "reason": "Nhập trùng"})
    api.post(f"/staff/{staff_id}/departure", {"on": "2023-01-31", "reason": "Chuyển công tác"})
    assert api.get("/reports/attendance").json()["attendances"] == 1


def test_attendance_counts_an_enrollment_without_funding_as_not_recorded(api: Api) -> None:
    staff_id = api.register("CB0001")
    api.enroll(staff_id)
    api.enroll(staff_id, funding="self_funded", starts_on="2021-03-01", ends_on=None)
    report = api.get("/reports/attendance").json()
    assert report["by_funding"] == {
        "not_recorded": {"attendances": 1, "persons": 1},
        "self_funded": {"attendances": 1, "persons": 1},
    }


def test_attendance_classifies_the_post_held_on_the_first_day_by_the_rules_aliases(api: Api) -> None:
    # "Chánh Văn phòng" is an alias of truong_phong in the shipped rules file: a division leader.
    head = api.register("CB0001", position="Chánh Văn phòng")
    api.enroll(head)
    api.enroll(api.register("CB0002", position="Phó Cục trưởng"))
    api.enroll(api.register("CB0003", position=None))
    report = api.get("/reports/attendance").json()
    assert {k: b["attendances"] for k, b in report["by_post_at_start"].items()} == {
        "agency_leader": 1,
        "division_leader": 1,
        "non_leader": 1,
    }


def test_attendance_crosses_two_splits(api: Api) -> None:
    api.enroll(api.register("CB0001", gender="female", position="Trưởng phòng"))
    api.enroll(api.register("CB0002", gender="female"))
    api.enroll(api.register("CB0003", gender="male"))
    report = api.get("/reports/attendance", cross="gender,post_at_start").json()
    assert report["cross"] == ["gender", "post_at_start"]
    assert report["crossed"] == {
        "female": {
            "division_leader": {"attendances": 1, "persons": 1},
            "non_leader": {"attendances": 1, "persons": 1},
        },
        "male": {"non_leader": {"attendances": 1, "persons": 1}},
    }


@pytest.mark.parametrize("cross", ["gender,shoe_size", "gender", "gender,gender", "gender,mode,year"])
def test_attendance_refuses_a_cross_that_is_not_two_known_splits_naming_the_field(
    api: Api, cross: str
) -> None:
    body = problem_of(api.get("/reports/attendance", cross=cross), 422)
    assert [e["field"] for e in body["errors"]] == ["cross"]


def test_attendance_per_person_counts_everyone_on_the_roll_including_those_without_courses(api: Api) -> None:
    staff_id = api.register("CB0001")
    api.enroll(staff_id)
    api.enroll(staff_id, starts_on="2021-03-01", ends_on=None)
    api.register("CB0002")
    leaver = api.register("CB0003")
    api.enroll(leaver)
    api.post(f"/staff/{leaver}/departure", {"on": "2023-01-31", "reason": "Nghỉ hưu"})
    report = api.get("/reports/attendance").json()
    assert report["per_person"] == {"0": 1, "1": 0, "2": 1}
    assert report["by_staff_status"] == {
        "current": {"attendances": 2, "persons": 1},
        "former": {"attendances": 1, "persons": 1},
    }


# ------------------------------------------------------------------ /reports/annual


def test_the_annual_report_defaults_to_the_last_complete_year(api: Api) -> None:
    today = api.app.state.read_side.read_model.today()
    report = api.get("/reports/annual").json()
    assert report["year"] == today.year - 1
    assert (report["from"], report["to"]) == (f"{today.year - 1}-01-01", f"{today.year - 1}-12-31")


@pytest.mark.parametrize("year", ["2999", "1800", "last"])
def test_the_annual_report_refuses_a_year_to_come_or_not_a_year_naming_the_field(api: Api, year: str) -> None:
    body = problem_of(api.get("/reports/annual", year=year), 422)
    assert [e["field"] for e in body["errors"]] == ["year"]


def test_the_annual_report_counts_a_course_in_its_row_with_costs_in_million_vnd(api: Api) -> None:
    woman = api.register("CB0001", gender="female", position="Trưởng phòng")
    api.enroll(woman, starts_on="2021-03-01", ends_on=None, funding="state_budget", cost="12500000")
    api.enroll(api.register("CB0002", employment="contract"), starts_on="2021-05-03", ends_on=None)
    report = api.get("/reports/annual", year="2021").json()
    line = next(line for line in report["lines"] if line["key"] == "llct_intermediate")
    assert (line["attendances"], line["female"], line["persons"], line["in_progress"]) == (2, 1, 2, 2)
    assert line["target_groups"] == {
        "agency_leader": 0,
        "division_leader": 1,
        "civil_servant": 0,
        "contract": 1,
        "public_employee": None,
    }
    assert line["funding"] == {"state_budget": "12.5", "other": None}


def test_the_annual_report_as_known_before_a_correction_counts_the_voided_dispatch(api: Api) -> None:
    staff_id = api.register("CB0001")
    api.enroll(staff_id, starts_on="2021-03-01", ends_on=None)
    copy = api.post(f"/staff/{staff_id}/enrollments", course(starts_on="2021-03-01", ends_on=None))
    assert copy.status_code == 201, copy.text
    known_at = copy.json()["recorded_at"]
    api.post(f"/staff/{staff_id}/corrections", {"event_id": copy.json()["event_id"], "reason": "Nhập trùng"})

    def total(**params: str) -> int:
        report = api.get("/reports/annual", year="2021", **params).json()
        return int(next(line for line in report["lines"] if line["key"] == "total")["attendances"])

    assert total() == 1
    assert total(known_at=known_at) == 2


def test_the_annual_report_shows_what_is_not_recorded_as_null_and_empty_rows_as_zero(api: Api) -> None:
    api.register("CB0001")
    report = api.get("/reports/annual", year="2021").json()
    master = next(line for line in report["lines"] if line["key"] == "master")
    assert (master["attendances"], master["persons"], master["party_member"]) == (0, 0, None)
    assert master["funding"] == {"state_budget": None, "other": None}
    ethnic = next(line for line in report["lines"] if line["key"] == "ethnic_language")
    assert (ethnic["recorded"], ethnic["attendances"]) == (False, None)


# ------------------------------------------------------------------ /reports/needs
# People are registered without a rank here, so only the standards of posts are in play.


def test_needs_list_what_a_post_requires_and_the_person_lacks(api: Api) -> None:
    staff_id = api.register("CB0001", rank=None)
    api.post(
        f"/staff/{staff_id}/appointments",
        {
            "position": "Trưởng phòng",
            "effective_on": "2024-10-01",
            "decision_ref": "QĐ 1",
            "waiver": {"legal_basis": "NĐ 29/2024", "deadline": "2025-06-30", "reason": "Học sau"},
        },
    )
    api.register("CB0002", rank=None)
    report = api.get("/reports/needs", as_of="2026-01-01").json()
    assert [i["staff_id"] for i in report["items"]] == ["CB0001"]
    person = report["items"][0]
    assert {g["track"] for g in person["unmet"]} >= {"professional", "political_theory"}
    assert {g["status"] for g in person["unmet"]} == {"overdue"}
    assert "overdue" in person["flags"]
    assert report["summary"]["people"] == 2
    assert report["summary"]["with_gaps"] == 1
    assert report["rule_set"]


def test_needs_against_another_position_check_everyone_as_candidates(api: Api) -> None:
    api.register("CB0001", rank=None)
    api.register("CB0002", rank=None)
    report = api.get("/reports/needs", position="Trưởng phòng").json()
    assert [i["staff_id"] for i in report["items"]] == ["CB0001", "CB0002"]
    assert all(g["status"] == "unmet" for i in report["items"] for g in i["unmet"])


def test_needs_page_with_limit_and_cursor(api: Api) -> None:
    for n in range(3):
        api.register(f"CB000{n}", rank=None)
    first = api.get("/reports/needs", position="Trưởng phòng", limit=2).json()
    rest = api.get("/reports/needs", position="Trưởng phòng", limit=2, cursor=first["next_cursor"]).json()
    assert [i["staff_id"] for i in first["items"] + rest["items"]] == ["CB0000", "CB0001", "CB0002"]
    assert rest["next_cursor"] is None


def test_needs_against_an_unknown_position_is_422(api: Api) -> None:
    problem = problem_of(api.get("/reports/needs", position="Tổng Giám đốc vũ trụ"), 422)
    assert problem["errors"][0] == {"field": "position", "message": problem["detail"], "in": "query"}


def test_reports_answer_on_an_empty_ledger(api: Api) -> None:
    assert api.get("/reports/qualifications").json()["headcount"] == 0
    assert api.get("/reports/attendance").json()["attendances"] == 0
    assert api.get("/reports/needs").json()["items"] == []
