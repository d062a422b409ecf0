"""Appointments against position standards, planning, departures and commitments, on a real store.

Every test runs on an SQLite file and on PostgreSQL (the ``store`` fixture). The ledger is given
its rule set explicitly, so each test says which variant of the shipped rules it assumes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent
from typer.testing import CliRunner

from api.cli.app import make_app
from api.cli.reports import register as register_report_commands
from api.cli.rules import register as register_rules_commands
from ledger.application import Ledger
from ledger.domain import errors
from ledger.domain.catalog import DepartureCategory, Funding, Gender, Mode, Outcome, Track
from ledger.domain.record import Evidence, Waiver
from ledger.staff import StaffMember
from ledger.standards.commitments import CommitmentsReport, CommitmentStatus
from ledger.standards.needs import NeedsReport
from ledger.standards.rule_file import RulesFileError
from ledger.standards.rules import default_rules_text, load_rules, parse_rules
from ledger.standards.ruleset import RuleSet
from ledger.standards.verdicts import Status
from ledger.store.config import StoreConfig
from projections.reports import Reports

AS_OF = date(2025, 12, 31)
AT = datetime(2025, 12, 1, 8, 0, tzinfo=UTC)

MakeLedger = Callable[..., Ledger]


def ledger_needs(ledger: Ledger, *, as_of: date) -> NeedsReport:
    return Reports(ledger).needs(as_of=as_of).report


def ledger_commitments(ledger: Ledger, *, as_of: date) -> CommitmentsReport:
    return Reports(ledger).commitments(as_of=as_of).report


@pytest.fixture
def make_ledger(store: StoreConfig) -> Iterator[MakeLedger]:
    opened: list[Ledger] = []

    def make(variant: str = "lenient,grace", *, rules: RuleSet | None = None) -> Ledger:
        app = Ledger(store, rules=rules or load_rules(variant=variant))
        opened.append(app)
        return app

    yield make
    for app in opened:
        app.close()


def register(
    ledger: Ledger, staff_id: str, *, joined: date = date(2005, 3, 1), position: str = "Chuyên viên"
) -> None:
    ledger.register(
        staff_id=staff_id,
        full_name=f"Trần Thị {staff_id}",
        gender=Gender.FEMALE,
        birth_date=date(1985, 7, 7),
        unit="Phòng Nghiệp vụ 2",
        joined_on=joined,
        position=position,
        rank="CV",
        recorded_by="hr",
        recorded_at=AT,
    )


def hold(
    ledger: Ledger,
    staff_id: str,
    track: Track,
    level: str,
    issued_on: date = date(2012, 1, 1),
    title: str = "",
) -> None:
    ledger.recognize_credential(
        staff_id,
        track=track,
        level=level,
        title=title or f"{track} {level}",
        issuer="Học viện Hành chính Quốc gia",
        issued_on=issued_on,
        evidence=Evidence("Phiếu 2C số 15"),
        recorded_by="hr",
        recorded_at=AT,
    )


def deputy_head_kit(ledger: Ledger, staff_id: str, *, without: frozenset[Track] = frozenset()) -> None:
    for track, level in (
        (Track.PROFESSIONAL, "bachelor"),
        (Track.POLITICAL_THEORY, "intermediate"),
        (Track.STATE_MANAGEMENT, "specialist"),
        (Track.LEADERSHIP, "division"),
        (Track.DEFENSE_SECURITY, "group3"),
    ):
        if track not in without:
            hold(ledger, staff_id, track, level)


def test_an_appointment_without_the_training_due_before_it_is_refused_listing_every_unmet_requirement(
    make_ledger: MakeLedger,
) -> None:
    ledger = make_ledger("strict,before")
    register(ledger, "A1")
    hold(ledger, "A1", Track.PROFESSIONAL, "bachelor")
    version = ledger.get_member("A1").version
    with pytest.raises(errors.RequirementsNotMet) as caught:
        ledger.appoint(
            "A1",
            position="Phó trưởng phòng",
            effective_on=date(2025, 3, 1),
            decision_ref="QĐ 7/QĐ-CT",
            recorded_by="hr",
            recorded_at=AT,
        )
    error = caught.value
    assert isinstance(error, errors.RuleViolation)  # rendered as 422
    listed = {(u.track, u.required_level, u.held_level, u.blocking, u.rule_id) for u in error.unmet}
    assert listed == {
        ("political_theory", "intermediate", None, True, "nd29-2024.pho-truong-phong.llct-strict"),
        ("state_management", "specialist", None, True, "nd29-2024.pho-truong-phong"),
        ("leadership", "division", None, True, "2022.lanh-dao.phong.before"),
        ("defense_security", "group3", None, False, "nd29-2024.qpan.phong"),
    }
    assert all(u.legal_basis for u in error.unmet)
    assert "Chỉ thị 28/CT-TTg" in next(u.legal_basis for u in error.unmet if u.track == "leadership")
    assert ledger.get_member("A1").version == version


def test_the_same_appointment_goes_through_when_the_training_may_follow_it(make_ledger: MakeLedger) -> None:
    ledger = make_ledger("lenient,grace")
    register(ledger, "A2")
    deputy_head_kit(ledger, "A2", without=frozenset({Track.LEADERSHIP, Track.DEFENSE_SECURITY}))
    result = ledger.appoint(
        "A2",
        position="Phó trưởng phòng",
        effective_on=date(2025, 3, 1),
        decision_ref="QĐ 8/QĐ-CT",
        recorded_by="hr",
        recorded_at=AT,
    )
    appointed = ledger.events_of("A2")[result.version - 1]
    assert isinstance(appointed, StaffMember.Appointed)
    assert [(u.track, u.blocking, u.deadline) for u in appointed.unmet] == [
        ("defense_security", False, date(2026, 3, 1)),
        ("leadership", False, date(2026, 3, 1)),
    ]
    assert appointed.rule_set == ledger.rules.label
    report = ledger_needs(ledger, as_of=AS_OF)
    (person,) = report.people
    assert {(c.track, c.status, c.deadline) for c in person.gaps} == {
        (Track.LEADERSHIP, Status.PENDING, date(2026, 3, 1)),
        (Track.DEFENSE_SECURITY, Status.PENDING, date(2026, 3, 1)),
    }
    assert "grace_running" in person.flags


def test_a_waived_appointment_is_recorded_with_the_waiver_and_what_it_waived(make_ledger: MakeLedger) -> None:
    ledger = make_ledger("strict,before")
    register(ledger, "A3")
    deputy_head_kit(ledger, "A3", without=frozenset({Track.LEADERSHIP}))
    waiver = Waiver("Quyết định 45/QĐ-TCT", date(2025, 12, 31), "Lớp cấp phòng khai giảng tháng 6/2025")
    result = ledger.appoint(
        "A3",
        position="Phó trưởng phòng",
        effective_on=date(2025, 3, 1),
        decision_ref="QĐ 9/QĐ-CT",
        waiver=waiver,
        recorded_by="hr",
        recorded_at=AT,
    )
    reread = Ledger(ledger.store, rules=ledger.rules)
    try:
        appointed = reread.events_of("A3")[result.version - 1]
        assert isinstance(appointed, StaffMember.Appointed)
        assert appointed.waiver == waiver
        (waived,) = appointed.unmet
        assert (waived.track, waived.blocking, waived.deadline) == ("leadership", True, date(2025, 12, 31))
        assert appointed.rule_set is not None
        assert appointed.rule_set.startswith("vn-cuc-tong-cuc@2026.1[strict,before,training_only]#")
        history = reread.history("A3")[-1]
        assert history.data["unmet"] == appointed.unmet
        record = reread.record("A3")
        assert record.appointments[-1].unmet == appointed.unmet
    finally:
        reread.close()
    running = ledger_needs(ledger, as_of=date(2025, 12, 31)).people[0]
    expired = ledger_needs(ledger, as_of=date(2026, 1, 1)).people[0]
    assert [(c.track, c.status) for c in running.gaps] == [(Track.LEADERSHIP, Status.WAIVED)]
    assert [(c.track, c.status) for c in expired.gaps] == [(Track.LEADERSHIP, Status.OVERDUE)]
    assert running.appointments[0].appointed_without_meeting_standard


def test_appointments_recorded_before_standards_were_checked_read_back_with_an_empty_verdict(
    make_ledger: MakeLedger,
) -> None:
    ledger = make_ledger()
    register(ledger, "V1")
    member = ledger.get_member("V1")
    current = StaffMember.Appointed(  # type: ignore[call-arg]
        originator_id=member.id,
        originator_version=member.version + 1,
        timestamp=AT,
        recorded_by="legacy",
        effective_on=date(2018, 1, 2),
        position="Trưởng phòng",
        previous_position="Chuyên viên",
        decision_ref="QĐ 1/2018",
        waiver=Waiver("QĐ 2/2018", date(2019, 1, 1), "Chưa có trung cấp LLCT"),
        unmet=[],
        rule_set=None,
    )
    stored = ledger.mapper.to_stored_event(current)
    state = ledger.mapper.transcoder.decode(stored.state)
    for key in ("unmet", "rule_set", "class_version"):
        del state[key]
    ledger.recorder.insert_events(
        [
            StoredEvent(
                stored.originator_id,
                stored.originator_version,
                stored.topic,
                ledger.mapper.transcoder.encode(state),
            )
        ]
    )
    read = ledger.events_of("V1")[-1]
    assert isinstance(read, StaffMember.Appointed)
    assert (read.unmet, read.rule_set) == ([], None)
    appointment = ledger.record("V1").appointments[-1]
    assert (appointment.position, appointment.unmet, appointment.rule_set) == ("Trưởng phòng", [], None)


def test_departures_recorded_before_categories_read_back_without_one(make_ledger: MakeLedger) -> None:
    ledger = make_ledger()
    register(ledger, "V2")
    member = ledger.get_member("V2")
    current = StaffMember.Departed(  # type: ignore[call-arg]
        originator_id=member.id,
        originator_version=member.version + 1,
        timestamp=AT,
        recorded_by="legacy",
        effective_on=date(2023, 3, 1),
        reason="Chuyển công tác",
        category=None,
    )
    stored = ledger.mapper.to_stored_event(current)
    state = ledger.mapper.transcoder.decode(stored.state)
    del state["category"], state["class_version"]
    ledger.recorder.insert_events(
        [
            StoredEvent(
                stored.originator_id,
                stored.originator_version,
                stored.topic,
                ledger.mapper.transcoder.encode(state),
            )
        ]
    )
    record = ledger.record("V2")
    assert (record.departed_on, record.departure_category) == (date(2023, 3, 1), None)


def test_a_departure_category_is_recorded_and_read_back(make_ledger: MakeLedger) -> None:
    ledger = make_ledger()
    register(ledger, "D1")
    ledger.depart(
        "D1",
        on=date(2024, 5, 1),
        reason="Chuyển công tác sang Cục Hải quan",
        category=DepartureCategory.TRANSFER_WITH_CONSENT,
        recorded_by="hr",
        recorded_at=AT,
    )
    event = ledger.events_of("D1")[-1]
    assert isinstance(event, StaffMember.Departed)
    assert event.category is DepartureCategory.TRANSFER_WITH_CONSENT
    assert ledger.record("D1").departure_category is DepartureCategory.TRANSFER_WITH_CONSENT


def test_an_unknown_departure_category_is_refused_by_name(make_ledger: MakeLedger) -> None:
    ledger = make_ledger()
    register(ledger, "D2")
    with pytest.raises(errors.InvalidInput) as caught:
        ledger.depart("D2", on=date(2024, 5, 1), reason="?", category="fled", recorded_by="hr")  # type: ignore[arg-type]
    assert caught.value.field == "category"


def test_a_planning_decision_is_recorded_and_shown_in_the_pool(make_ledger: MakeLedger) -> None:
    ledger = make_ledger()
    register(ledger, "Q1")
    deputy_head_kit(ledger, "Q1", without=frozenset({Track.LEADERSHIP}))
    result = ledger.plan(
        "Q1",
        position="Phó trưởng phòng",
        from_year=2025,
        to_year=2030,
        decision_ref="QĐ 3/QĐ-ĐU",
        on=date(2025, 4, 2),
        recorded_by="hr",
        recorded_at=AT,
    )
    (plan,) = ledger.record("Q1").planned
    assert (plan.position, plan.from_year, plan.to_year, plan.decided_on, plan.event_id) == (
        "Phó trưởng phòng",
        2025,
        2030,
        date(2025, 4, 2),
        result.event_id,
    )
    entry = ledger.history("Q1")[-1]
    assert (entry.type, entry.data["on"]) == ("Planned", date(2025, 4, 2))
    (pool,) = ledger_needs(ledger, as_of=AS_OF).pools
    assert (pool.position_name, len(pool.candidates), pool.ready) == ("Phó trưởng phòng", 1, 1)


def test_needs_over_the_ledger_leave_out_people_who_have_left(make_ledger: MakeLedger) -> None:
    ledger = make_ledger()
    for staff_id in ("N1", "N2"):
        register(ledger, staff_id, position="Phó trưởng phòng")
    ledger.depart("N2", on=date(2024, 1, 1), reason="Nghỉ hưu", recorded_by="hr", recorded_at=AT)
    assert [r.staff_id for r in Reports(ledger).source.records(AS_OF, None)] == ["N1", "N2"]
    report = ledger_needs(ledger, as_of=AS_OF)
    assert [p.staff_id for p in report.people] == ["N1"]
    assert report.by_track()["political_theory"] == {"overdue": 1}


def _graduate(ledger: Ledger, staff_id: str) -> None:
    register(ledger, staff_id, joined=date(2012, 1, 1))
    ledger.enroll(
        staff_id,
        enrollment_id="THS-2019",
        course_code="THS-QLC",
        course_title="Thạc sĩ Quản lý công",
        track=Track.PROFESSIONAL,
        level="master",
        provider="Học viện Hành chính Quốc gia",
        mode=Mode.PART_TIME,
        starts_on=date(2019, 9, 1),
        ends_on=date(2021, 8, 31),
        funding=Funding.STATE_BUDGET,
        cost=Decimal("120000000"),
        recorded_by="hr",
        recorded_at=AT,
    )
    ledger.complete(
        staff_id,
        "THS-2019",
        completed_on=date(2021, 9, 15),
        outcome=Outcome.PASSED,
        recorded_by="hr",
        recorded_at=AT,
    )


def test_edge_11_a_transfer_with_consent_owes_nothing_where_resigning_owes_the_prorated_share(
    make_ledger: MakeLedger,
) -> None:
    ledger = make_ledger()
    _graduate(ledger, "F1")
    _graduate(ledger, "F2")
    ledger.depart(
        "F1",
        on=date(2023, 3, 1),
        reason="Điều động sang Cục Thuế tỉnh B",
        category=DepartureCategory.TRANSFER_WITH_CONSENT,
        recorded_by="hr",
        recorded_at=AT,
    )
    ledger.depart(
        "F2",
        on=date(2023, 3, 1),
        reason="Xin thôi việc",
        category=DepartureCategory.RESIGNED,
        recorded_by="hr",
        recorded_at=AT,
    )
    report = ledger_commitments(ledger, as_of=AS_OF)
    by_staff = {c.staff_id: c for c in report.items}
    assert (by_staff["F1"].status, by_staff["F1"].reimbursement) == (CommitmentStatus.RELEASED, Decimal(0))
    breached = by_staff["F2"]
    f, t1, t2 = Decimal("120000000"), 48, 17
    assert (breached.status, breached.committed_months, breached.served_months) == (
        CommitmentStatus.BREACHED,
        t1,
        t2,
    )
    assert breached.reimbursement == f / t1 * (t1 - t2)
    assert report.total_owed == Decimal("77500000")


def test_changing_the_rules_file_changes_no_event_only_the_results(
    make_ledger: MakeLedger, tmp_path: Path
) -> None:
    original = tmp_path / "original.toml"
    original.write_text(default_rules_text(), encoding="utf-8")
    ledger = make_ledger(rules=load_rules(original, variant="strict"))
    register(ledger, "R1", position="Trưởng phòng")
    for track, level in (
        (Track.PROFESSIONAL, "master"),
        (Track.POLITICAL_THEORY, "intermediate"),
        (Track.STATE_MANAGEMENT, "principal"),
        (Track.LEADERSHIP, "department"),
        (Track.DEFENSE_SECURITY, "group2"),
    ):
        hold(ledger, "R1", track, level, date(2015, 1, 1))
    ledger.appoint(
        "R1",
        position="Phó Cục trưởng",
        effective_on=date(2021, 6, 1),
        decision_ref="QĐ 21/QĐ-TCT",
        recorded_by="hr",
        recorded_at=AT,
    )
    stored_before = [(n.id, n.topic, n.state) for n in ledger.chained_recorder.select_notifications(1, 1000)]
    strict_today = ledger_needs(ledger, as_of=AS_OF).people[0]
    assert not strict_today.post.compliant

    edited = tmp_path / "edited.toml"
    edited.write_text(
        default_rules_text().replace(
            'id = "nd29-2024.pho-cuc-truong.llct-strict"\npositions = ["pho_cuc_truong"]\n'
            'requires = { political_theory = "advanced" }',
            'id = "nd29-2024.pho-cuc-truong.llct-strict"\npositions = ["pho_cuc_truong"]\n'
            'requires = { political_theory = "intermediate" }',
        ),
        encoding="utf-8",
    )
    other = make_ledger(rules=load_rules(edited, variant="strict"))
    assert other.rules.label != ledger.rules.label
    edited_today = ledger_needs(other, as_of=AS_OF).people[0]
    assert edited_today.post.compliant
    assert edited_today.appointments[0].met_rules_then
    stored_after = [(n.id, n.topic, n.state) for n in other.chained_recorder.select_notifications(1, 1000)]
    assert stored_after == stored_before


def test_a_ledger_refuses_to_start_on_a_rules_file_with_a_mistake(store: StoreConfig, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    text = default_rules_text().replace(
        'requires = { defense_security = "group3" }', 'requires = { defence = "group3" }', 1
    )
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(RulesFileError) as caught:
        Ledger(store, env={"LEDGER_RULES": str(broken)})
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "defence =" in row)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{broken}:{line}: ")
    assert "unknown track 'defence'" in str(caught.value)


def test_a_ledger_without_rules_given_uses_the_shipped_file(
    store: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEDGER_RULES", raising=False)
    monkeypatch.setenv("LEDGER_RULES_VARIANT", "strict")
    ledger = Ledger(store)
    try:
        assert ledger.rules.label == parse_rules(default_rules_text(), variant="strict").label
    finally:
        ledger.close()


def test_the_needs_and_commitments_commands_read_the_configured_store(
    make_ledger: MakeLedger, store: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = make_ledger()
    register(ledger, "C1", position="Phó trưởng phòng")
    _graduate(ledger, "C2")
    ledger.depart("C2", on=date(2023, 3, 1), reason="Xin thôi việc", recorded_by="hr", recorded_at=AT)
    monkeypatch.setenv("LEDGER_DATABASE_URL", store.url)
    monkeypatch.delenv("LEDGER_RULES", raising=False)
    monkeypatch.delenv("LEDGER_RULES_VARIANT", raising=False)
    app = make_app()
    register_rules_commands(app)
    register_report_commands(app)
    needs = CliRunner().invoke(app, ["needs", "--as-of", "2025-12-31", "--json"])
    assert needs.exit_code == 0, needs.output
    shown = json.loads(needs.output)
    assert [p["staff_id"] for p in shown["people"]] == ["C1"]
    assert shown["summary"]["by_track"]["political_theory"] == {"overdue": 1}
    owed = CliRunner().invoke(app, ["commitments", "--as-of", "2025-12-31", "--json"])
    assert owed.exit_code == 0, owed.output
    (item,) = json.loads(owed.output)["items"]
    assert (item["staff_id"], item["status"], item["category_source"]) == ("C2", "breached", "inferred")
    assert item["reimbursement"] == "77500000"
    table = CliRunner().invoke(app, ["needs", "--as-of", "2025-12-31"])
    assert table.exit_code == 0, table.output
    assert "C1" in table.output
