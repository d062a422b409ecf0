"""Properties of the write side, on both stores.

1. Random valid command sequences, applied through the Ledger to the store, replay (a fresh Ledger
   on the same store) to exactly the record and events of the same commands applied in memory.
2. Random invalid commands, each breaking one rule, raise the rule's named error and leave the log
   (events table and chain table, read with raw SQL) byte-for-byte unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from write_fixtures import REGISTRAR, dump_log, event_summary

from ledger.application import Ledger
from ledger.domain import catalog, errors
from ledger.domain.catalog import (
    DepartureCategory,
    Employment,
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
    Appoint,
    Complete,
    Correct,
    CredentialDetails,
    Depart,
    Enroll,
    Evaluate,
    Plan,
    RecognizeCredential,
    Register,
    Rotate,
    Withdraw,
)
from ledger.domain.fold import live_events
from ledger.domain.record import CredentialAward, EnrollmentStatus, Evidence, Waiver
from ledger.staff import StaffMember
from ledger.standards import compliance
from ledger.store.config import StoreConfig

HORIZON = date(2026, 12, 31)
# Facts are recorded after the last business date drawn: a completion or departure can only be
# recorded once it has happened (the agency's today is the day of the recording).
RECORDED_FROM = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
# The commands that refuse a fact dated after the agency's today, and so take it.
DATED_IN_THE_PAST = {"complete", "withdraw", "recognize_credential", "evaluate", "depart"}
LEADERSHIP_POSTS = ["Trưởng phòng", "Phó trưởng phòng", "Cục trưởng", "Phó Chi cục trưởng"]
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as registrars type it: Vietnamese letters with their marks in either Unicode form, digits,
# punctuation, spaces (never lone surrogates: they cannot come out of UTF-8).
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐ"),
        st.characters(codec="utf-8", categories=("L", "M", "N", "P", "Zs")),
    ),
    min_size=1,
    max_size=24,
).filter(lambda text: text.strip() != "")
OPTIONAL_TEXT = st.none() | TEXT
MONEY = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2)
SCORE = st.none() | st.decimals(min_value=0, max_value=100, places=2)
LEVELLED = [info.track for info in catalog.TRACKS.values() if info.has_levels]


@pytest.fixture
def reader(store: StoreConfig) -> Iterator[Ledger]:
    """A second Ledger on the same store: replays from the store, shares nothing in memory."""
    app = Ledger(store)
    try:
        yield app
    finally:
        app.close()


def between(lo: date, hi: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=lo, max_value=hi)


def track_and_level() -> st.SearchStrategy[tuple[Track, str | None]]:
    def levels(track: Track) -> st.SearchStrategy[tuple[Track, str | None]]:
        codes = [level.code for level in catalog.track_info(track).levels]
        if not codes:
            return st.just((track, None))
        return st.sampled_from(codes).map(lambda code: (track, code))

    return st.sampled_from(list(Track)).flatmap(levels)


# --------------------------------------------------------------- valid sequences


# What the application resolves and hands the aggregate beside the command.
BESIDE = {"complete": ("credential",), "appoint": ("unmet", "rule_set")}
# Each write's command, by the name of its method.
COMMAND_OF: dict[str, Any] = {
    "enroll": Enroll,
    "complete": Complete,
    "withdraw": Withdraw,
    "recognize_credential": RecognizeCredential,
    "evaluate": Evaluate,
    "rotate": Rotate,
    "appoint": Appoint,
    "plan": Plan,
    "depart": Depart,
    "correct": Correct,
}

class Scenario:
    """Applies each drawn command to an in-memory aggregate (the model) and through the Ledger."""

    def __init__(self, ledger: Ledger, draw: Callable[..., Any], staff_id: str) -> None:
        self.ledger = ledger
        self.draw = draw
        self.staff_id = staff_id
        self.step = 0
        born = draw(between(date(1960, 1, 1), date(1995, 12, 31)), label="birth_date")
        joined = draw(
            between(born + timedelta(days=18 * 366), date(2020, 12, 31)), label="joined_on"
        )
        fields = {
            "staff_id": staff_id,
            "full_name": draw(TEXT, label="full_name"),
            "gender": draw(st.sampled_from(list(Gender))),
            "birth_date": born,
            "unit": draw(TEXT, label="unit"),
            "joined_on": joined,
            "position": draw(OPTIONAL_TEXT),
            "rank": draw(st.none() | st.sampled_from(["01.003", "01.002", "01.001"])),
            "employment": draw(st.sampled_from(list(Employment))),
            "recorded_by": REGISTRAR,
            "recorded_at": self.tick(),
        }
        envelope = {"recorded_by": fields.pop("recorded_by"), "recorded_at": fields.pop("recorded_at")}
        self.model = StaffMember.register(Register(**fields), **envelope)
        result = ledger.register(**fields, **envelope)
        assert result.version == 1

    def tick(self) -> datetime:
        self.step += 1
        return RECORDED_FROM + timedelta(minutes=self.step)

    @property
    def limit(self) -> date:
        return self.model.record.departed_on or HORIZON

    def apply(self, name: str, model_kwargs: dict[str, Any], ledger_kwargs: dict[str, Any] | None = None,
              *, positional: tuple[str, ...] = ()) -> None:
        """Run the command on the model first (it must accept it), then through the Ledger."""
        at = self.tick()
        today = {"today": self.ledger.day_of(at)} if name in DATED_IN_THE_PAST else {}
        model_call = getattr(self.model, name)
        # The aggregate takes each write as its command, with what the application resolves beside it.
        fields = dict(model_kwargs)
        beside = {key: fields.pop(key) for key in BESIDE.get(name, ())}
        model_call(COMMAND_OF[name](**fields), **beside, **today, recorded_by=REGISTRAR, recorded_at=at)
        kwargs = dict(ledger_kwargs if ledger_kwargs is not None else model_kwargs)
        result = getattr(self.ledger, name)(
            self.staff_id, *positional, **kwargs, recorded_by=REGISTRAR, recorded_at=at
        )
        assert result.version == self.model.version
        assert result.event_id == self.model.last_event_id

    # Each returns False when the record gives it nothing to act on.

    def enroll(self) -> bool:
        record, draw = self.model.record, self.draw
        track, level = draw(track_and_level())
        starts_on = draw(between(record.joined_on, self.limit))
        kwargs = {
            "enrollment_id": f"E{self.step}",
            "course_code": draw(st.sampled_from(["LLCT-TC", "QLNN-CV", "QP-AN-4", "TH-CB", "WS"])),
            "course_title": draw(TEXT),
            "track": track,
            "level": level,
            "provider": draw(TEXT),
            "mode": draw(st.sampled_from(list(Mode))),
            "starts_on": starts_on,
            "ends_on": draw(st.none() | between(starts_on, starts_on + timedelta(days=900))),
            "decision_ref": draw(OPTIONAL_TEXT),
            "funding": draw(st.none() | st.sampled_from(list(Funding))),
            "cost": draw(st.none() | MONEY),
            "country": draw(st.none() | st.sampled_from(["VN", "JP", "SG"])),
        }
        self.apply("enroll", kwargs)
        if draw(st.booleans(), label="close it now"):
            self.complete()
        return True

    def _open(self) -> list[str]:
        return sorted(e.enrollment_id for e in self.model.record.enrollments.values() if e.is_open)

    def complete(self) -> bool:
        open_ids = self._open()
        if not open_ids:
            return False
        draw = self.draw
        enrollment = self.model.record.enrollments[draw(st.sampled_from(open_ids))]
        completed_on = draw(between(enrollment.starts_on, self.limit))
        outcome = draw(st.sampled_from(list(Outcome)))
        score = draw(SCORE)
        details = award = None
        if outcome == Outcome.PASSED and enrollment.level is not None:
            full = draw(st.booleans())
            details = CredentialDetails(
                credential_id=f"C{self.step}",
                title=draw(TEXT) if full else None,
                number=draw(OPTIONAL_TEXT),
                issuer=draw(TEXT) if full else None,
                issued_on=draw(between(enrollment.starts_on, self.limit)) if full else None,
            )
            # What the Ledger makes of the details (its defaults come from the course).
            award = CredentialAward(
                credential_id=f"C{self.step}",
                title=details.title or enrollment.course_title,
                issuer=details.issuer or enrollment.provider,
                issued_on=details.issued_on or completed_on,
                number=details.number,
            )
        common = {"completed_on": completed_on, "outcome": outcome, "score": score}
        self.apply(
            "complete",
            {"enrollment_id": enrollment.enrollment_id, "credential": award, **common},
            {"credential": details, **common},
            positional=(enrollment.enrollment_id,),
        )
        return True

    def withdraw(self) -> bool:
        open_ids = self._open()
        if not open_ids:
            return False
        enrollment = self.model.record.enrollments[self.draw(st.sampled_from(open_ids))]
        common = {"on": self.draw(between(enrollment.starts_on, self.limit)), "reason": self.draw(TEXT)}
        self.apply(
            "withdraw",
            {"enrollment_id": enrollment.enrollment_id, **common},
            common,
            positional=(enrollment.enrollment_id,),
        )
        return True

    def recognize_credential(self) -> bool:
        draw, record = self.draw, self.model.record
        track, level = draw(track_and_level())
        kwargs = {
            "credential_id": f"R{self.step}",
            "track": track,
            "level": level,
            "title": draw(TEXT),
            "issuer": draw(TEXT),
            "issued_on": draw(between(record.birth_date, self.limit)),
            "number": draw(OPTIONAL_TEXT),
            "evidence": Evidence(document_ref=draw(TEXT), verified_by=draw(OPTIONAL_TEXT)),
        }
        self.apply("recognize_credential", kwargs)
        return True

    def rotate(self) -> bool:
        draw = self.draw
        starts_on = draw(between(self.model.record.joined_on, self.limit))
        kwargs = {
            "to_unit": draw(TEXT),
            "kind": draw(st.sampled_from(list(RotationKind))),
            "starts_on": starts_on,
            "decision_ref": draw(TEXT),
            "position": draw(OPTIONAL_TEXT),
            "ends_on": draw(st.none() | between(starts_on, starts_on + timedelta(days=1500))),
        }
        self.apply("rotate", kwargs)
        return True

    def appoint(self) -> bool:
        draw = self.draw
        effective_on = draw(between(self.model.record.joined_on, self.limit))
        position = draw(st.sampled_from(LEADERSHIP_POSTS) | TEXT.map(lambda text: f"Nhân viên {text}"))
        waivers = st.builds(
            Waiver,
            legal_basis=TEXT,
            deadline=between(effective_on, effective_on + timedelta(days=730)),
            reason=TEXT,
        )
        # What the Ledger makes of it: the position standard in force that day, from its rules.
        rules = self.ledger.rules
        check = compliance.check_appointment(self.model.record, position, effective_on, rules)
        # A post whose standard is not met needs a waiver to be valid.
        waiver = draw(waivers if check.blocking else st.none() | waivers)
        common = {"position": position, "effective_on": effective_on, "decision_ref": draw(TEXT),
                  "waiver": waiver}
        self.apply(
            "appoint",
            {**common, "unmet": compliance.unmet_for_appointment(check, waiver), "rule_set": rules.label},
            common,
        )
        return True

    def rate(self) -> bool:
        record = self.model.record
        last = (record.departed_on or HORIZON).year
        free = [
            year for year in range(record.joined_on.year, last + 1) if record.annual_rating(year) is None
        ]
        if not free:
            return False
        kwargs = {
            "kind": EvaluationKind.ANNUAL,
            "year": self.draw(st.sampled_from(free)),
            "rating": self.draw(st.sampled_from(list(Rating))),
            "score": self.draw(SCORE),
            "evaluator": self.draw(TEXT),
            "notes": self.draw(OPTIONAL_TEXT),
        }
        self.apply("evaluate", kwargs)
        return True

    def evaluate_after(self) -> bool:
        done = sorted(
            e.enrollment_id
            for e in self.model.record.enrollments.values()
            if e.status == EnrollmentStatus.COMPLETED
        )
        if not done:
            return False
        enrollment = self.model.record.enrollments[self.draw(st.sampled_from(done))]
        assert enrollment.closed_on is not None
        kwargs = {
            "kind": EvaluationKind.POST_TRAINING,
            "enrollment_id": enrollment.enrollment_id,
            "on": self.draw(between(enrollment.closed_on, self.limit)),
            "rating": self.draw(st.sampled_from(list(Rating))),
            "score": self.draw(SCORE),
            "evaluator": self.draw(TEXT),
        }
        self.apply("evaluate", kwargs)
        return True

    def plan(self) -> bool:
        draw = self.draw
        on = draw(between(self.model.record.joined_on, self.limit))
        from_year = draw(st.integers(min_value=on.year, max_value=on.year + 5))
        kwargs = {
            "position": draw(st.sampled_from(LEADERSHIP_POSTS) | TEXT),
            "from_year": from_year,
            "to_year": draw(st.integers(min_value=from_year, max_value=from_year + 5)),
            "decision_ref": draw(TEXT),
            "on": on,
        }
        self.apply("plan", kwargs)
        return True

    def depart(self) -> bool:
        record = self.model.record
        if record.departed_on is not None:
            return False
        kwargs = {
            "on": self.draw(between(record.joined_on, HORIZON)),
            "reason": self.draw(TEXT),
            "category": self.draw(st.none() | st.sampled_from(list(DepartureCategory))),
        }
        try:
            self.apply("depart", kwargs)
        except errors.EventsAfterDeparture:
            # The model refused before anything was triggered: facts are dated after that day.
            # Every drawn date is on or before HORIZON, so a departure then always fits.
            self.apply("depart", {**kwargs, "on": HORIZON})
        return True

    def correct(self) -> bool:
        voidable = [
            e.originator_version
            for e in live_events(self.model.history)
            if not isinstance(e, StaffMember.Registered)
        ]
        if not voidable:
            return False
        order = self.draw(st.permutations(voidable))
        for version in order:
            event_id = f"{self.staff_id}:{version}"
            at = self.tick()
            try:
                self.model.correct(
                    Correct(event_id=event_id, reason="Nhập nhầm"), on=self.ledger.day_of(at),
                    recorded_by=REGISTRAR, recorded_at=at,
                )
            except errors.CannotVoidEvent:
                continue  # it has live dependants; the model is unchanged
            result = self.ledger.correct(
                self.staff_id, event_id=event_id, reason="Nhập nhầm", recorded_by=REGISTRAR,
                recorded_at=at,
            )
            assert result.version == self.model.version
            return True
        return False


# Weighted towards the enrollment life cycle; a departure narrows what may follow, so it is rarer.
COMMANDS = [
    "enroll", "complete", "enroll", "complete", "enroll", "complete", "evaluate_after",
    "evaluate_after", "withdraw", "recognize_credential", "rotate", "appoint", "rate", "correct",
    "correct", "plan", "depart",
]
STAFF_IDS = itertools.count(1)


@SETTINGS
@given(data=st.data())
def test_valid_command_sequences_replay_to_the_in_memory_record(
    ledger: Ledger, reader: Ledger, data: st.DataObject
) -> None:
    sequence = Scenario(ledger, data.draw, f"P{next(STAFF_IDS)}")
    for _ in range(data.draw(st.integers(min_value=1, max_value=12), label="length")):
        while not getattr(sequence, data.draw(st.sampled_from(COMMANDS), label="command"))():
            pass
    replayed = reader.get_member(sequence.staff_id)
    assert replayed.version == sequence.model.version
    assert replayed.record == sequence.model.record
    assert [event_summary(e) for e in reader.events_of(sequence.staff_id)] == [
        event_summary(e) for e in sequence.model.history
    ]


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
