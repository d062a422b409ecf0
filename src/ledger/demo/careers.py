"""Appointments, transfers, rotations, departures and planning-pool decisions since 2019."""

from __future__ import annotations

from datetime import date

from ledger.demo.agency import CVC, LEAD, LONG_GIANG, NV1, PCT, PTP, TP, TTKT
from ledger.demo.draft import Draft
from ledger.demo.model import Op
from ledger.demo.roster import APPOINTMENTS, DEPARTURES, MOVES, POOL_2020, POOL_2023
from ledger.domain.catalog import RotationKind


def build_careers(draft: Draft) -> None:
    """Posts and units over time. The steps draw decision numbers from the seeded generator in
    this order."""
    _appointments(draft)
    _transfer_in_and_rotations(draft)
    _moves(draft)
    _departures(draft)
    _planning_pool(draft)


def _appointments(draft: Draft) -> None:
    """Appointments since 2019, and the move to the agency's leadership that goes with one."""
    for key, day, post, new, by_parent in APPOINTMENTS:
        person = draft.p(key)
        person.posts.append((day, post))
        issuer = "QĐ-TCT" if by_parent else "QĐ-CT"
        draft.op(
            key,
            "appoint",
            day,
            "prompt",
            position=post,
            effective_on=day,
            decision_ref=draft.decision(day, issuer),
            reappointment=not new,
        )
        if key == "PCT_B":
            # Promoted to the agency's leadership: the move to "Lãnh đạo Cục" goes with it.
            person.units.append((day, LEAD))
            draft.op(
                key,
                "rotate",
                day,
                "prompt",
                to_unit=LEAD,
                kind=RotationKind.TRANSFER,
                starts_on=day,
                decision_ref=draft.ops[-1].args["decision_ref"],
            )


def _transfer_in_and_rotations(draft: Draft) -> None:
    # Transferred in (điều động), 2021: registered at the sending agency, moved in the same day.
    tp = draft.p("TP_NV1")
    tp.posts.append((tp.joined_on, CVC))
    tp.units.append((tp.joined_on, NV1))
    draft.op(
        "TP_NV1",
        "rotate",
        tp.joined_on,
        "prompt",
        to_unit=NV1,
        kind=RotationKind.TRANSFER,
        position=CVC,
        starts_on=tp.joined_on,
        decision_ref=draft.decision(tp.joined_on, "QĐ-TCT"),
    )
    # Rotations (luân chuyển): the deputy director away for three years; a head of division
    # rotated in from another Cục until 2026.
    pct = draft.p("PCT_A")
    start, end = date(2019, 10, 1), date(2022, 9, 30)
    pct.rotations.append((start, end, PCT))
    draft.op(
        "PCT_A",
        "rotate",
        start,
        "prompt",
        to_unit=LONG_GIANG,
        kind=RotationKind.ROTATION,
        position=PCT,
        starts_on=start,
        ends_on=end,
        decision_ref=draft.decision(start, "QĐ-TCT"),
    )
    tp = draft.p("TP_TTKT")
    start, end = tp.joined_on, date(2026, 2, 28)
    tp.rotations.append((start, end, TP))
    tp.units.append((start, TTKT))
    draft.op(
        "TP_TTKT",
        "rotate",
        start,
        "prompt",
        to_unit=TTKT,
        kind=RotationKind.ROTATION,
        position=TP,
        starts_on=start,
        ends_on=end,
        decision_ref=draft.decision(start, "QĐ-TCT"),
    )


def _moves(draft: Draft) -> None:
    """Moves between divisions: job rotations (CĐVT) and ordinary moves."""
    for key, day, to_unit, move_kind in MOVES:
        draft.p(key).units.append((day, to_unit))
        move = draft.op(
            key,
            "rotate",
            day,
            "normal",
            to_unit=to_unit,
            kind=RotationKind.TRANSFER,
            starts_on=day,
            decision_ref=draft.decision(day),
        )
        move.tag = move_kind


def _departures(draft: Draft) -> None:
    """Retirements and transfers out, with the retirement first recorded on the wrong person."""
    for key, day, category, reason, destination in DEPARTURES:
        if destination is not None:
            draft.op(
                key,
                "rotate",
                day,
                "prompt",
                to_unit=destination,
                kind=RotationKind.TRANSFER,
                starts_on=day,
                decision_ref=draft.decision(day, "QĐ-TCT"),
            )
        depart = draft.op(key, "depart", day, "prompt", on=day, reason=reason, category=category)
        if key == "F_CV_R":
            # §3.9 correction: the retirement was first recorded on the wrong person.
            wrong = Op(
                staff_key="CVF_K",
                kind="depart",
                order=day,
                lag="prompt",
                args=dict(depart.args),
                key="wrong-departure",
            )
            draft.ops.append(wrong)
            draft.op(
                "CVF_K",
                "correct",
                day,
                "correction",
                voids="wrong-departure",
                reason=f"Ghi nhầm người: quyết định nghỉ hưu là của {draft.p('F_CV_R').full_name} "
                f"({draft.p('F_CV_R').staff_id})",
            )


def _planning_pool(draft: Draft) -> None:
    """The decisions that put staff in the planning pool for deputy head of division."""
    for keys, day, years in (
        ((*POOL_2020, "F_CVC"), date(2020, 12, 15), (2021, 2026)),
        (POOL_2023, date(2023, 6, 20), (2021, 2026)),
    ):
        ref = draft.decision(day)
        for key in keys:
            draft.op(
                key,
                "plan",
                day,
                "normal",
                position=PTP,
                from_year=years[0],
                to_year=years[1],
                decision_ref=ref,
                on=day,
            )
