"""Properties of the write side, on both stores: random valid command sequences, applied through
the Ledger to the store, replay (a fresh Ledger on the same store) to exactly the record and events
of the same commands applied in memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from property_fixtures import SETTINGS, TEXT, between
from write_fixtures import REGISTRAR, event_summary

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
OPTIONAL_TEXT = st.none() | TEXT
MONEY = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2)
SCORE = st.none() | st.decimals(min_value=0, max_value=100, places=2)


@pytest.fixture
def reader(store: StoreConfig) -> Iterator[Ledger]:
    """A second Ledger on the same store: replays from the store, shares nothing in memory."""
    app = Ledger(store)
    try:
        yield app
    finally:
        app.close()


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
