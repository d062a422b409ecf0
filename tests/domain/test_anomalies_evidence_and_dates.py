"""Anomaly flags, one by one, on crafted histories: a completion without an enrollment or evidence,
a completion before its start, facts dated in the future and backdated ones; each present when it
should be, absent otherwise.

The histories are built from event objects directly (no store, no commands), so they can hold what
the commands would refuse today: that is exactly what an auditor must find in imported or old data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from anomaly_fixtures import History, at, clean_course

from ledger.domain import errors
from projections.anomaly_checks import person_anomalies
from projections.anomaly_rules import ENVIRONMENT, AnomalyRules


def test_a_clean_history_has_no_anomalies() -> None:
    history = History()
    history.recognize("VB-DH", date(2007, 6, 30), recorded=at(date(2019, 1, 9)))
    clean_course(history)
    assert history.anomalies() == []


def test_a_history_without_registration_has_no_anomalies() -> None:
    history = History()
    clean_course(history)
    assert person_anomalies(history.events[1:]) == []


# ------------------------------------------------------------ no enrollment, no evidence


def test_a_recognition_without_a_document_is_flagged_as_having_no_enrollment_and_no_evidence() -> None:
    history = History()
    history.recognize("VB-X", date(2015, 5, 5), document="  ", recorded=at(date(2019, 1, 10)))
    found = history.only("no_enrollment_no_evidence")
    assert [a.credential_ids for a in found] == [("VB-X",)]
    assert "no document reference" in found[0].message


def test_a_recognition_with_a_document_is_not_flagged_as_without_evidence() -> None:
    history = History()
    history.recognize("VB-X", date(2015, 5, 5), document="Bản sao số 9", recorded=at(date(2019, 1, 10)))
    assert "no_enrollment_no_evidence" not in history.codes()


def test_a_completion_whose_enrollment_was_voided_and_whose_certificate_has_no_number_is_flagged() -> None:
    history = History()
    enrolled = history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 4, 10), credential_id="VB-E1", number=None)
    history.correct(enrolled, reason="Nhập nhầm người", recorded=at(date(2021, 4, 20)))
    found = history.only("no_enrollment_no_evidence")
    assert [(a.variant, a.credential_ids) for a in found] == [("completion", ("VB-E1",))]


def test_a_completion_with_a_live_enrollment_and_no_certificate_number_is_not_flagged() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 4, 10), credential_id="VB-E1", number=None)
    assert "no_enrollment_no_evidence" not in history.codes()


def test_a_completion_without_enrollment_but_with_a_numbered_certificate_is_not_flagged() -> None:
    history = History()
    enrolled = history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 4, 10), credential_id="VB-E1", number="CC-77")
    history.correct(enrolled, reason="Nhập nhầm", recorded=at(date(2021, 4, 20)))
    assert "no_enrollment_no_evidence" not in history.codes()


# ------------------------------------------------------------ completed before start


def test_a_completion_dated_before_its_start_is_flagged() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 2, 20), credential_id="VB-E1", issued_on=date(2021, 3, 5))
    found = history.only("completed_before_start")
    assert [a.variant for a in found] == ["completion"]
    assert "2021-02-20" in found[0].message
    assert "2021-03-01" in found[0].message


def test_a_failure_dated_before_its_start_is_flagged() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.fail("E1", date(2021, 2, 1))
    assert [a.variant for a in history.only("completed_before_start")] == ["failure"]


def test_a_certificate_dated_before_the_course_started_is_flagged() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 4, 1), credential_id="VB-E1", issued_on=date(2021, 1, 15))
    found = history.only("completed_before_start")
    assert [(a.variant, a.credential_ids) for a in found] == [("certificate", ("VB-E1",))]


def test_a_one_day_course_completed_on_its_start_day_is_not_flagged() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 3, 1), credential_id="VB-E1")
    assert "completed_before_start" not in history.codes()


# ------------------------------------------------------------ dated in the future


def test_a_completion_recorded_before_its_date_is_flagged_as_dated_in_the_future() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 6, 30), recorded=at(date(2021, 6, 1)))
    found = history.only("dated_in_future")
    assert [a.variant for a in found] == ["completion"]
    assert "2021-06-01" in found[0].message


def test_a_certificate_dated_after_its_recording_is_flagged_as_dated_in_the_future() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 4, 1), credential_id="VB-E1", issued_on=date(2021, 5, 1))
    assert [a.variant for a in history.only("dated_in_future")] == ["certificate"]


def test_a_recognition_issued_after_its_recording_is_flagged_as_dated_in_the_future() -> None:
    history = History()
    history.recognize("VB-X", date(2022, 9, 1), recorded=at(date(2022, 8, 1)))
    assert [a.credential_ids for a in history.only("dated_in_future")] == [("VB-X",)]


def test_a_completion_dated_the_local_day_it_was_recorded_is_not_in_the_future() -> None:
    # 18:30 UTC on 1 March is 01:30 on 2 March in Hà Nội: the business day had begun.
    history = History()
    history.enroll("E1", date(2021, 1, 4))
    history.complete("E1", date(2021, 3, 2), recorded=datetime(2021, 3, 1, 18, 30, tzinfo=UTC))
    assert "dated_in_future" not in history.codes()


def test_a_completion_recorded_after_its_date_is_not_dated_in_the_future() -> None:
    history = History()
    clean_course(history)
    assert "dated_in_future" not in history.codes()


# ------------------------------------------------------------ backdated


def test_a_completion_recorded_long_after_its_date_is_flagged_as_backdated() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 4, 1), recorded=at(date(2021, 9, 1)))
    found = history.only("backdated")
    assert len(found) == 1
    assert found[0].fact("days") == "153"
    assert "153 days later" in found[0].message


def test_a_record_made_exactly_at_the_threshold_is_not_backdated() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 4, 1), recorded=at(date(2021, 4, 1) + timedelta(days=90)))
    assert "backdated" not in history.codes()


def test_the_opening_balance_entered_when_the_ledger_went_live_is_not_backdated() -> None:
    history = History(joined=date(2001, 9, 1), registered_at=at(date(2019, 1, 7)))
    history.recognize("VB-DH", date(2000, 6, 30), recorded=at(date(2019, 2, 20)))
    assert "backdated" not in history.codes()


def test_a_credential_recognized_long_after_the_person_was_entered_is_backdated() -> None:
    history = History(joined=date(2001, 9, 1), registered_at=at(date(2019, 1, 7)))
    history.recognize("VB-TS", date(2018, 6, 30), recorded=at(date(2020, 2, 20)))
    assert [a.credential_ids for a in history.only("backdated")] == [("VB-TS",)]


def test_the_backdating_threshold_is_configurable() -> None:
    history = History()
    history.enroll("E1", date(2021, 3, 1))
    history.complete("E1", date(2021, 4, 1), recorded=at(date(2021, 5, 16)))
    assert "backdated" not in history.codes()
    assert "backdated" in history.codes(AnomalyRules(backdated_after_days=30))


def test_thresholds_are_read_from_the_environment() -> None:
    rules = AnomalyRules.from_environment(
        {
            "LEDGER_ANOMALY_BACKDATED_AFTER_DAYS": "30",
            "LEDGER_ANOMALY_MASTER_MIN_MONTHS": "15",
            "LEDGER_ANOMALY_DOCTORATE_MIN_MONTHS": "",
        }
    )
    assert (rules.backdated_after_days, rules.master_min_months, rules.doctorate_min_months) == (30, 15, 24)
    assert {name for name, _ in ENVIRONMENT} == {
        "LEDGER_ANOMALY_BACKDATED_AFTER_DAYS",
        "LEDGER_ANOMALY_MASTER_MIN_MONTHS",
        "LEDGER_ANOMALY_DOCTORATE_MIN_MONTHS",
    }


def test_a_threshold_that_is_not_a_number_is_refused_naming_the_variable() -> None:
    with pytest.raises(errors.InvalidInput) as refused:
        AnomalyRules.from_environment({"LEDGER_ANOMALY_BACKDATED_AFTER_DAYS": "ba tháng"})
    assert refused.value.field == "LEDGER_ANOMALY_BACKDATED_AFTER_DAYS"


def test_a_negative_threshold_is_refused() -> None:
    with pytest.raises(errors.InvalidInput):
        AnomalyRules(backdated_after_days=-1)
