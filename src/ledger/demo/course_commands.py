"""The courses as commands: dispatches, withdrawals and completions, with the corrections of §3.9."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from ledger.demo.draft import Draft
from ledger.domain.catalog import Outcome
from ledger.domain.commands import CredentialDetails


def build_course_ops(draft: Draft) -> None:
    typo_done = False
    for course in sorted(draft.courses, key=lambda c: (c.starts_on, c.person, c.enrollment_id)):
        enroll = draft.op(
            course.person,
            "enroll",
            course.starts_on,
            "normal",
            enrollment_id=course.enrollment_id,
            course_code=course.code,
            course_title=course.title,
            track=course.track,
            level=course.level,
            provider=course.provider,
            mode=course.mode,
            starts_on=course.starts_on,
            ends_on=course.ends_on,
            decision_ref=course.decision_ref,
            funding=course.funding,
            cost=course.cost,
            country=course.country,
            awards_level=course.awards_level,
        )
        if (
            course.kind == "lead"
            and course.starts_on.year == 2023
            and "duplicate" not in {o.key for o in draft.ops}
        ):
            # §3.9 correction: the dispatch was entered twice; the copy is voided the next day.
            copy = draft.op(course.person, "enroll", course.starts_on, "normal", **dict(enroll.args))
            copy.args["enrollment_id"] = f"{course.enrollment_id}-2"
            copy.key = "duplicate"
            draft.op(
                course.person,
                "correct",
                course.starts_on,
                "correction",
                voids="duplicate",
                reason=f"Nhập trùng quyết định cử đi học {course.decision_ref}",
            )
        if course.status == "enrolled":
            continue
        assert course.closed_on is not None
        late = "late" if course.level is None and draft.rng.random() < 0.06 else "normal"
        if course.status == "withdrawn":
            draft.op(
                course.person,
                "withdraw",
                course.closed_on,
                "normal",
                enrollment_id=course.enrollment_id,
                on=course.closed_on,
                reason=course.reason,
            )
            continue
        details = None
        if course.level is not None and course.status == "completed":
            course.credential_id = draft.credential_id(course.person)
            issued = course.closed_on
            details = CredentialDetails(
                credential_id=course.credential_id,
                title=course.credential_title,
                number=course.credential_number,
                issuer=course.provider,
                issued_on=issued,
            )
        outcome = Outcome.FAILED if course.status == "failed" else Outcome.PASSED
        if not typo_done and course.kind == "cvc" and course.person == "PTP_TCHC_A":
            # §3.9 correction: the completion date was typed wrong, voided and typed again.
            # The slip is into the past: a completion dated after the day it is recorded is
            # refused outright, so it never needs a correction.
            typo_done = True
            wrong_day = course.closed_on - timedelta(days=10)
            assert details is not None
            wrong = draft.op(
                course.person,
                "complete",
                course.closed_on,
                "prompt",
                enrollment_id=course.enrollment_id,
                completed_on=wrong_day,
                outcome=outcome,
                credential=replace(details, issued_on=wrong_day),
                score=course.score,
            )
            wrong.key = "typo"
            draft.op(
                course.person,
                "correct",
                course.closed_on,
                "correction",
                voids="typo",
                reason=(
                    f"Nhập sai ngày hoàn thành: {wrong_day:%d/%m/%Y}, đúng là {course.closed_on:%d/%m/%Y}"
                ),
            )
            late = "correction"
        draft.op(
            course.person,
            "complete",
            course.closed_on,
            late,
            enrollment_id=course.enrollment_id,
            completed_on=course.closed_on,
            outcome=outcome,
            credential=details,
            score=course.score,
        )
