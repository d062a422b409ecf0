"""Properties of the write side, on both stores: random invalid commands, each breaking one rule,
raise the rule's named error and leave the log (events table and chain table, read with raw SQL)
byte-for-byte unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from property_fixtures import SETTINGS, TEXT, between
from write_fixtures import REGISTRAR, dump_log

from ledger.application import Ledger
from ledger.domain import catalog, errors
from ledger.domain.catalog import (
    EvaluationKind,
    Funding,
    Gender,
    Mode,
    Outcome,
    Rating,
    RotationKind,
    Track,
)
from ledger.domain.commands import (
    CredentialDetails,
)
from ledger.domain.record import Evidence

LEVELLED = [info.track for info in catalog.TRACKS.values() if info.has_levels]


# ---------------------------------------------------------------- invalid commands

# A fixed record to break rules against. A (born 1980-05-17, joined 2005-03-01):
#   A:1 Registered         A:2 Enrolled OPEN (2023-01-02)   A:3 Enrolled DONE (2019-03-01)
#   A:4 Completed DONE     A:5 Enrolled GONE (2021-02-01)   A:6 Withdrawn GONE
#   A:7 Enrolled FLOP      A:8 Failed FLOP                  A:9 Recognized R1
#   A:10 annual 2022       A:11 Recognized R2               A:12 Corrected A:11
#   A:13 post-training evaluation of DONE
# B: registered only. D (joined 2000-01-01): D:2 Enrolled OPEN-D (2024-01-02), D:3 Departed 2024-09-30.
A_BORN, A_JOINED = date(1980, 5, 17), date(2005, 3, 1)
D_DEPARTED = date(2024, 9, 30)
A_STARTS = {"OPEN": date(2023, 1, 2), "DONE": date(2019, 3, 1), "GONE": date(2021, 2, 1),
            "FLOP": date(2020, 1, 6)}


def _register(ledger: Ledger, staff_id: str, born: date, joined: date) -> None:
    ledger.register(
        staff_id=staff_id, full_name="Lê Văn Bình", gender=Gender.MALE, birth_date=born,
        unit="Văn phòng", joined_on=joined, recorded_by=REGISTRAR,
    )


def _enroll(ledger: Ledger, staff_id: str, enrollment_id: str, track: Track, level: str | None,
            starts_on: date) -> None:
    ledger.enroll(
        staff_id, enrollment_id=enrollment_id, course_code="K", course_title="Khoá học", track=track,
        level=level, provider="Trường", mode=Mode.FULL_TIME, starts_on=starts_on, recorded_by=REGISTRAR,
    )


def build_fixed_record(ledger: Ledger) -> None:
    _register(ledger, "A", A_BORN, A_JOINED)
    _enroll(ledger, "A", "OPEN", Track.POLITICAL_THEORY, "intermediate", A_STARTS["OPEN"])
    _enroll(ledger, "A", "DONE", Track.STATE_MANAGEMENT, "specialist", A_STARTS["DONE"])
    ledger.complete("A", "DONE", completed_on=date(2019, 6, 30), outcome=Outcome.PASSED,
                    credential=CredentialDetails(credential_id="C-DONE"), recorded_by=REGISTRAR)
    _enroll(ledger, "A", "GONE", Track.IT, "basic", A_STARTS["GONE"])
    ledger.withdraw("A", "GONE", on=date(2021, 3, 1), reason="Bận", recorded_by=REGISTRAR)
    _enroll(ledger, "A", "FLOP", Track.FOREIGN_LANGUAGE, "level2", A_STARTS["FLOP"])
    ledger.complete("A", "FLOP", completed_on=date(2020, 5, 5), outcome=Outcome.FAILED,
                    recorded_by=REGISTRAR)
    for credential_id, track, level in (("R1", Track.PROFESSIONAL, "bachelor"), ("R2", Track.IT, "basic")):
        if credential_id == "R2":
            ledger.evaluate("A", kind=EvaluationKind.ANNUAL, year=2022, rating=Rating.GOOD, evaluator="X",
                            recorded_by=REGISTRAR)
        ledger.recognize_credential(
            "A", credential_id=credential_id, track=track, level=level, title="Bằng", issuer="Trường",
            issued_on=date(2002, 6, 15), evidence=Evidence("HS-1"), recorded_by=REGISTRAR,
        )
    ledger.correct("A", event_id="A:11", reason="Trùng", recorded_by=REGISTRAR)
    ledger.evaluate("A", kind=EvaluationKind.POST_TRAINING, enrollment_id="DONE", on=date(2020, 1, 10),
                    rating=Rating.GOOD, evaluator="X", recorded_by=REGISTRAR)
    _register(ledger, "B", A_BORN, A_JOINED)
    _register(ledger, "D", date(1975, 1, 1), date(2000, 1, 1))
    _enroll(ledger, "D", "OPEN-D", Track.IT, "basic", date(2024, 1, 2))
    ledger.depart("D", on=D_DEPARTED, reason="Nghỉ hưu", recorded_by=REGISTRAR)
    assert ledger.get_member("A").version == 13


@dataclass
class Invalid:
    """One command that breaks one rule, and the error that names it."""

    rule: str
    run: Callable[[Ledger], object]
    error: type[errors.LedgerError]


def invalid(rule: str, error: type[errors.LedgerError]) -> Callable[..., Callable[..., Invalid]]:
    """Decorate a function of drawn values returning the command to run."""

    def wrap(make: Callable[..., Callable[[Ledger], object]]) -> Callable[..., Invalid]:
        def build(**drawn: Any) -> Invalid:
            return Invalid(rule, make(**drawn), error)

        return build

    return wrap


def enroll_cmd(staff_id: str = "A", **overrides: Any) -> Callable[[Ledger], object]:
    fields: dict[str, Any] = {
        "enrollment_id": "NEW", "course_code": "K", "course_title": "Khoá học",
        "track": Track.IT, "level": "basic", "provider": "Trường", "mode": Mode.ONLINE,
        "starts_on": date(2023, 5, 1), "recorded_by": REGISTRAR,
    }
    fields.update(overrides)
    return lambda ledger: ledger.enroll(staff_id, **fields)


def close_cmd(how: str, staff_id: str, enrollment_id: str, on: date) -> Callable[[Ledger], object]:
    if how == "withdraw":
        return lambda ledger: ledger.withdraw(
            staff_id, enrollment_id, on=on, reason="Lý do", recorded_by=REGISTRAR
        )
    outcome = Outcome.PASSED if how == "complete" else Outcome.FAILED
    return lambda ledger: ledger.complete(
        staff_id, enrollment_id, completed_on=on, outcome=outcome, recorded_by=REGISTRAR
    )


def correct_cmd(staff_id: str, event_id: str) -> Callable[[Ledger], object]:
    return lambda ledger: ledger.correct(staff_id, event_id=event_id, reason="Sai", recorded_by=REGISTRAR)


CLOSE = st.sampled_from(["complete", "fail", "withdraw"])
BEFORE_A_BIRTH = between(date(1900, 1, 1), A_BORN - timedelta(days=1))
A_BEFORE_JOINING = between(A_BORN, A_JOINED - timedelta(days=1))
AFTER_D_DEPARTURE = between(D_DEPARTED + timedelta(days=1), date(2035, 12, 31))
ALL_LEVEL_CODES = sorted({level.code for info in catalog.TRACKS.values() for level in info.levels})


def foreign_level(track: Track) -> st.SearchStrategy[tuple[Track, str]]:
    own = {level.code for level in catalog.track_info(track).levels}
    return st.sampled_from([code for code in ALL_LEVEL_CODES if code not in own]).map(
        lambda code: (track, code)
    ) | TEXT.filter(lambda text: text not in own).map(lambda text: (track, text))


INVALID_COMMANDS: list[st.SearchStrategy[Invalid]] = [
    st.builds(
        invalid("duplicate registration", errors.DuplicateRegistration)(
            lambda staff_id: lambda ledger: _register(ledger, staff_id, A_BORN, A_JOINED)
        ),
        staff_id=st.sampled_from(["A", "B", "D"]),
    ),
    st.builds(
        invalid("joined before birth", errors.DatedBeforeBirth)(
            lambda days: lambda ledger: _register(ledger, "NEW", A_BORN, A_BORN - timedelta(days=days))
        ),
        days=st.integers(min_value=1, max_value=20000),
    ),
    st.builds(
        invalid("staff id outside the code alphabet", errors.InvalidInput)(
            lambda staff_id: lambda ledger: _register(ledger, staff_id, A_BORN, A_JOINED)
        ),
        staff_id=st.sampled_from(["", "A B", "A:1", "x" * 41]) | TEXT.filter(lambda t: not t.isascii()),
    ),
    st.builds(
        invalid("level not in its track", errors.InvalidLevel)(
            lambda pair: enroll_cmd(track=pair[0], level=pair[1])
        ),
        pair=st.sampled_from(LEVELLED).flatmap(foreign_level),
    ),
    st.builds(
        invalid("levelled track without a level", errors.InvalidLevel)(
            lambda track: enroll_cmd(track=track, level=None)
        ),
        track=st.sampled_from(LEVELLED),
    ),
    st.builds(
        invalid("level on the other track", errors.InvalidLevel)(
            lambda level: enroll_cmd(track=Track.OTHER, level=level)
        ),
        level=st.sampled_from(ALL_LEVEL_CODES) | TEXT,
    ),
    st.builds(
        invalid("enrollment before joining", errors.BeforeJoining)(
            lambda day: enroll_cmd(starts_on=day)
        ),
        day=A_BEFORE_JOINING,
    ),
    st.builds(
        invalid("enrollment before birth", errors.DatedBeforeBirth)(lambda day: enroll_cmd(starts_on=day)),
        day=BEFORE_A_BIRTH,
    ),
    st.builds(
        invalid("course ends before it starts", errors.InvalidDates)(
            lambda days: enroll_cmd(ends_on=date(2023, 5, 1) - timedelta(days=days))
        ),
        days=st.integers(min_value=1, max_value=3000),
    ),
    st.builds(
        invalid("duplicate enrollment id", errors.DuplicateEnrollment)(
            lambda enrollment_id: enroll_cmd(enrollment_id=enrollment_id)
        ),
        enrollment_id=st.sampled_from(sorted(A_STARTS)),
    ),
    st.builds(
        invalid("closing an unknown enrollment", errors.EnrollmentNotFound)(
            lambda how, enrollment_id: close_cmd(how, "A", enrollment_id, date(2024, 1, 1))
        ),
        how=CLOSE,
        enrollment_id=st.from_regex(r"[A-Z0-9]{1,8}", fullmatch=True).filter(lambda i: i not in A_STARTS),
    ),
    st.builds(
        invalid("closing a closed enrollment", errors.EnrollmentClosed)(
            lambda how, enrollment_id: close_cmd(how, "A", enrollment_id, date(2024, 1, 1))
        ),
        how=CLOSE,
        enrollment_id=st.sampled_from(["DONE", "GONE", "FLOP"]),
    ),
    st.builds(
        invalid("closing before the start", errors.DateBeforeStart)(
            lambda how, day: close_cmd(how, "A", "OPEN", day)
        ),
        how=CLOSE,
        day=between(A_JOINED, A_STARTS["OPEN"] - timedelta(days=1)),
    ),
    st.builds(
        invalid("an event after departure", errors.AfterDeparture)(
            lambda what, day: {
                "enroll": enroll_cmd("D", starts_on=day),
                "complete": close_cmd("complete", "D", "OPEN-D", day),
                "fail": close_cmd("fail", "D", "OPEN-D", day),
                "withdraw": close_cmd("withdraw", "D", "OPEN-D", day),
                "recognize": lambda ledger: ledger.recognize_credential(
                    "D", track=Track.IT, level="basic", title="T", issuer="I", issued_on=day,
                    evidence=Evidence("HS"), recorded_by=REGISTRAR,
                ),
                "rotate": lambda ledger: ledger.rotate(
                    "D", to_unit="U", kind=RotationKind.TRANSFER, starts_on=day, decision_ref="QĐ",
                    recorded_by=REGISTRAR,
                ),
                "appoint": lambda ledger: ledger.appoint(
                    "D", position="P", effective_on=day, decision_ref="QĐ", recorded_by=REGISTRAR
                ),
                "rate": lambda ledger: ledger.evaluate(
                    "D", kind=EvaluationKind.ANNUAL, year=min(max(day.year, 2025), date.today().year),
                    rating=Rating.GOOD, evaluator="X", recorded_by=REGISTRAR,
                ),
            }[what]
        ),
        what=st.sampled_from(
            ["enroll", "complete", "fail", "withdraw", "recognize", "rotate", "appoint", "rate"]
        ),
        day=AFTER_D_DEPARTURE,
    ),
    st.builds(
        invalid("second departure", errors.AlreadyDeparted)(
            lambda day: lambda ledger: ledger.depart("D", on=day, reason="Lần hai", recorded_by=REGISTRAR)
        ),
        day=between(date(2000, 1, 1), date(2035, 1, 1)),
    ),
    st.builds(
        invalid("departure before events on the record", errors.EventsAfterDeparture)(
            lambda day: lambda ledger: ledger.depart("A", on=day, reason="Thôi việc", recorded_by=REGISTRAR)
        ),
        day=between(A_JOINED, A_STARTS["OPEN"] - timedelta(days=1)),
    ),
    st.builds(
        invalid("appointment, rotation or departure before joining", errors.BeforeJoining)(
            lambda what, day: {
                "appoint": lambda ledger: ledger.appoint(
                    "A", position="P", effective_on=day, decision_ref="QĐ", recorded_by=REGISTRAR
                ),
                "rotate": lambda ledger: ledger.rotate(
                    "A", to_unit="U", kind=RotationKind.ROTATION, starts_on=day, decision_ref="QĐ",
                    recorded_by=REGISTRAR,
                ),
                "depart": lambda ledger: ledger.depart(
                    "A", on=day, reason="R", recorded_by=REGISTRAR
                ),
            }[what]
        ),
        what=st.sampled_from(["appoint", "rotate", "depart"]),
        day=A_BEFORE_JOINING,
    ),
    st.builds(
        invalid("recognized credential without evidence", errors.MissingEvidence)(
            lambda blank: lambda ledger: ledger.recognize_credential(
                "A", track=Track.IT, level="basic", title="T", issuer="I", issued_on=date(2010, 1, 1),
                evidence=Evidence(blank), recorded_by=REGISTRAR,
            )
        ),
        blank=st.text(alphabet=" \t\n", max_size=3),
    ),
    st.builds(
        invalid("duplicate credential id", errors.DuplicateCredential)(
            lambda credential_id: lambda ledger: ledger.recognize_credential(
                "A", credential_id=credential_id, track=Track.IT, level="basic", title="T", issuer="I",
                issued_on=date(2010, 1, 1), evidence=Evidence("HS"), recorded_by=REGISTRAR,
            )
        ),
        credential_id=st.sampled_from(["R1", "C-DONE"]),
    ),
    st.builds(
        invalid("annual rating twice for a year", errors.DuplicateEvaluation)(
            lambda rating: lambda ledger: ledger.evaluate(
                "A", kind=EvaluationKind.ANNUAL, year=2022, rating=rating, evaluator="X",
                recorded_by=REGISTRAR,
            )
        ),
        rating=st.sampled_from(list(Rating)),
    ),
    st.builds(
        invalid("post-training evaluation of a course not completed", errors.EnrollmentNotCompleted)(
            lambda enrollment_id: lambda ledger: ledger.evaluate(
                "A", kind=EvaluationKind.POST_TRAINING, enrollment_id=enrollment_id,
                on=date(2024, 1, 1), rating=Rating.GOOD, evaluator="X", recorded_by=REGISTRAR,
            )
        ),
        enrollment_id=st.sampled_from(["OPEN", "GONE", "FLOP"]),
    ),
    st.builds(
        invalid("voiding an event that does not exist", errors.EventNotFound)(
            lambda event_id: correct_cmd("A", event_id)
        ),
        event_id=st.integers(min_value=14, max_value=10**6).map(lambda v: f"A:{v}")
        | st.sampled_from(["A:0", "A", "bogus", "A:-1"]),
    ),
    st.builds(
        invalid("voiding an event of someone else", errors.EventOfAnotherStaff)(
            lambda event_id: correct_cmd("A", event_id)
        ),
        event_id=st.sampled_from(["B:1", "D:2", "D:3"]),
    ),
    st.just(Invalid("voiding a voided event", correct_cmd("A", "A:11"), errors.AlreadyVoided)),
    st.just(Invalid("voiding a correction", correct_cmd("A", "A:12"), errors.CannotVoidCorrection)),
    st.builds(
        invalid("voiding the registration or an event with live dependants", errors.CannotVoidEvent)(
            lambda event_id: correct_cmd("A", event_id)
        ),
        event_id=st.sampled_from(["A:1", "A:3", "A:4", "A:5", "A:7"]),
    ),
    st.builds(
        invalid("stale expected version", errors.StaleVersion)(
            lambda version: lambda ledger: ledger.appoint(
                "A", position="P", effective_on=date(2024, 1, 1), decision_ref="QĐ",
                recorded_by=REGISTRAR, expected_version=version,
            )
        ),
        version=st.integers(min_value=0, max_value=12) | st.integers(min_value=14, max_value=99),
    ),
    st.builds(
        invalid("unknown staff member", errors.StaffNotFound)(
            lambda staff_id: lambda ledger: ledger.depart(
                staff_id, on=date(2024, 1, 1), reason="R", recorded_by=REGISTRAR
            )
        ),
        staff_id=st.from_regex(r"Z[0-9]{1,6}", fullmatch=True),
    ),
    st.builds(
        invalid("unknown code", errors.InvalidInput)(
            lambda field, value: enroll_cmd(**{field: value})
        ),
        field=st.sampled_from(["track", "mode", "funding"]),
        value=TEXT.filter(lambda text: text not in {m.value for m in (*Track, *Mode, *Funding)}),
    ),
]


@settings(SETTINGS, max_examples=12)
@given(commands=st.tuples(*INVALID_COMMANDS))
def test_invalid_commands_raise_a_named_error_and_leave_the_log_unchanged(
    ledger: Ledger, commands: tuple[Invalid, ...]
) -> None:
    # Every example tries one drawn command per rule, so each run covers every rule.
    if not ledger.staff_exists("A"):
        build_fixed_record(ledger)
    before = dump_log(ledger.store)
    last_position = ledger.recorder.max_notification_id()
    for command in commands:
        with pytest.raises(command.error) as caught:
            command.run(ledger)
        assert caught.value.message.strip(), command.rule
        assert ledger.recorder.max_notification_id() == last_position, command.rule
    assert dump_log(ledger.store) == before
