"""Service commitments (cam kết thời gian phục vụ) and reimbursement (đền bù chi phí đào tạo).

A degree course funded by the agency commits the trainee to serve a multiple of the course's
length after it (the ``[[commitment]]`` rules of the rules file, dated by the course's start:
2× under Decree 101/2017 Art. 7–8, 3× for courses starting on or after 2025-07-01 under Decree
171/2025). Leaving early costs a share of the recorded cost F:

* dropping out (withdrawn, or leaving while in training) or not being awarded the degree → 100%;
* leaving after it before the commitment is served → S = F / T1 × (T1 − T2), T1 the committed
  months, T2 the whole months served since completion;
* a transfer with the agency's consent, retirement or death is not "self-quitting" → nothing.

Pure functions over a record and a rule set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from ledger.dates import add_months, months_between, months_spanned
from ledger.domain.catalog import DepartureCategory, Funding, Track
from ledger.domain.record import EnrollmentState, EnrollmentStatus, StaffRecord
from ledger.standards.model import CommitmentRule
from ledger.standards.ruleset import RuleSet
from ledger.standards.verdicts import json_value
from ledger.text import normalize_name


class CommitmentStatus(StrEnum):
    IN_TRAINING = "in_training"
    SERVING = "serving"
    FULFILLED = "fulfilled"
    RELEASED = "released"  # left early for a reason that owes nothing (transfer with consent…)
    BREACHED = "breached"  # left early: prorated reimbursement
    DROPPED_OUT = "dropped_out"  # withdrew or left during the course: 100%
    NOT_AWARDED = "not_awarded"  # failed: 100%


# Departures that are not "self-quitting": nothing to reimburse (docs/domain.md §2.2; the cited Q&A
# applied this to a transfer with consent).
RELEASING = frozenset(
    {DepartureCategory.TRANSFER_WITH_CONSENT, DepartureCategory.RETIRED, DepartureCategory.DECEASED}
)

# How a free-text reason is read when no category was recorded (diacritics ignored; first match).
_REASON_WORDS: tuple[tuple[DepartureCategory, tuple[str, ...]], ...] = (
    (DepartureCategory.DISMISSED, ("buoc thoi viec", "ky luat buoc", "dismiss")),
    (DepartureCategory.TRANSFER_WITH_CONSENT, ("dieu dong", "chuyen cong tac", "transfer")),
    (DepartureCategory.RETIRED, ("nghi huu", "huu tri", "retire")),
    (DepartureCategory.DECEASED, ("tu tran", "qua doi", "deceased", "died")),
    (DepartureCategory.RESIGNED, ("thoi viec", "nghi viec", "bo viec", "resign", "quit")),
)


def departure_category(record: StaffRecord) -> tuple[DepartureCategory | None, str]:
    """The category of a departure and where it came from: ``recorded`` (the event's field),
    ``inferred`` (words of the reason), ``unknown`` (neither), ``none`` (not departed)."""
    if record.departed_on is None:
        return None, "none"
    if record.departure_category is not None:
        return record.departure_category, "recorded"
    reason = normalize_name(record.departure_reason or "")
    for category, words in _REASON_WORDS:
        if any(word in reason for word in words):
            return category, "inferred"
    return None, "unknown"


@dataclass(frozen=True)
class Commitment:
    staff_id: str
    full_name: str
    enrollment_id: str
    course_code: str
    course_title: str
    track: Track
    level: str | None
    funding: Funding | None
    cost: Decimal | None  # F
    starts_on: date
    ends_on: date | None
    course_months: int | None
    multiplier: Decimal
    committed_months: int | None  # T1
    service_from: date | None
    service_until: date | None
    served_months: int | None  # T2 (to the departure, or to as_of while serving)
    status: CommitmentStatus
    departed_on: date | None
    departure_category: DepartureCategory | None
    category_source: str
    reimbursement: Decimal | None  # S; None when the cost was not recorded
    formula: str
    rule_id: str
    legal_basis: str

    @property
    def open(self) -> bool:
        return self.status in (CommitmentStatus.IN_TRAINING, CommitmentStatus.SERVING)

    @property
    def remaining_months(self) -> int | None:
        if self.status != CommitmentStatus.SERVING or self.committed_months is None:
            return None
        return max(self.committed_months - (self.served_months or 0), 0)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = json_value(self)
        data["open"] = self.open
        data["remaining_months"] = self.remaining_months
        return data


def _course_months(enrollment: EnrollmentState) -> int | None:
    end = enrollment.ends_on or enrollment.closed_on
    if end is None or end < enrollment.starts_on:
        return None
    return max(months_spanned(enrollment.starts_on, end), 1)


def _money(value: Decimal, like: Decimal) -> Decimal:
    exponent = like.as_tuple().exponent
    places = Decimal(1).scaleb(exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return value.quantize(places, rounding=ROUND_HALF_UP)


def commitment_of(
    record: StaffRecord, enrollment: EnrollmentState, rule: CommitmentRule, as_of: date
) -> Commitment:
    """The commitment one funded enrollment creates, as it stands on ``as_of``."""
    departed = record.departed_on if record.departed_on and record.departed_on <= as_of else None
    category, source = departure_category(record) if departed else (None, "none")
    months = _course_months(enrollment)
    committed = (
        int((rule.multiplier * months).to_integral_value(rounding=ROUND_CEILING))
        if months is not None
        else None
    )
    cost = enrollment.cost
    service_from: date | None = None
    service_until: date | None = None
    served: int | None = None
    share: Decimal | None = None  # of F
    formula = ""
    releases = category in RELEASING
    closed = enrollment.closed_on if enrollment.closed_on and enrollment.closed_on <= as_of else None
    status_now = enrollment.status if closed else EnrollmentStatus.ENROLLED

    if status_now == EnrollmentStatus.WITHDRAWN:
        status, share, formula = CommitmentStatus.DROPPED_OUT, Decimal(1), "S = F (withdrew from the course)"
    elif status_now == EnrollmentStatus.FAILED:
        status, share, formula = CommitmentStatus.NOT_AWARDED, Decimal(1), "S = F (degree not awarded)"
    elif status_now == EnrollmentStatus.ENROLLED:
        if departed is None:
            status, formula = CommitmentStatus.IN_TRAINING, "in training"
        elif releases:
            status, share, formula = (
                CommitmentStatus.RELEASED,
                Decimal(0),
                f"S = 0 (left during the course: {category})",
            )
        else:
            status, share, formula = (
                CommitmentStatus.DROPPED_OUT,
                Decimal(1),
                "S = F (left during the course)",
            )
    else:  # completed
        service_from = closed
        assert service_from is not None
        service_until = add_months(service_from, committed) if committed is not None else None
        if departed is not None and (service_until is None or departed < service_until):
            served = months_between(service_from, departed)
            if releases:
                status, share = CommitmentStatus.RELEASED, Decimal(0)
                formula = f"S = 0 ({category}: not a self-quitting departure)"
            else:
                status = CommitmentStatus.BREACHED
                if committed:
                    share = Decimal(max(committed - served, 0)) / Decimal(committed)
                    formula = f"S = F / T1 × (T1 − T2) = F / {committed} × ({committed} − {served})"
                else:
                    formula = "S = F / T1 × (T1 − T2): course length unknown"
        elif service_until is not None and as_of >= service_until:
            status, served = CommitmentStatus.FULFILLED, committed
            formula = "served"
        else:
            status = CommitmentStatus.SERVING
            served = (
                months_between(service_from, min(as_of, departed or as_of)) if as_of >= service_from else 0
            )
            formula = "serving"
    reimbursement = None
    if share is not None and cost is not None:
        reimbursement = _money(cost * share, cost)
    elif share == 0:
        reimbursement = Decimal(0)
    return Commitment(
        staff_id=record.staff_id,
        full_name=record.full_name,
        enrollment_id=enrollment.enrollment_id,
        course_code=enrollment.course_code,
        course_title=enrollment.course_title,
        track=enrollment.track,
        level=enrollment.level,
        funding=enrollment.funding,
        cost=cost,
        starts_on=enrollment.starts_on,
        ends_on=enrollment.ends_on,
        course_months=months,
        multiplier=rule.multiplier,
        committed_months=committed,
        service_from=service_from,
        service_until=service_until,
        served_months=served,
        status=status,
        departed_on=departed,
        departure_category=category,
        category_source=source,
        reimbursement=reimbursement,
        formula=formula,
        rule_id=rule.id,
        legal_basis=rule.legal_basis,
    )


def commitments_of(record: StaffRecord, rules: RuleSet, as_of: date) -> list[Commitment]:
    """The service commitments of one person on ``as_of``: one per funded degree course started
    by then that a ``[[commitment]]`` rule covers."""
    found = []
    for enrollment in sorted(record.enrollments.values(), key=lambda e: e.starts_on):
        if enrollment.starts_on > as_of:
            continue
        rule = rules.commitment_for(
            enrollment.track, enrollment.level, enrollment.funding, enrollment.starts_on
        )
        if rule is not None:
            found.append(commitment_of(record, enrollment, rule, as_of))
    return found


@dataclass(frozen=True)
class CommitmentsReport:
    as_of: date
    rule_set: str
    items: tuple[Commitment, ...]

    @property
    def open(self) -> tuple[Commitment, ...]:
        return tuple(c for c in self.items if c.open)

    @property
    def owed(self) -> tuple[Commitment, ...]:
        return tuple(c for c in self.items if c.reimbursement)

    @property
    def total_owed(self) -> Decimal:
        return sum((c.reimbursement or Decimal(0) for c in self.items), Decimal(0))

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "rule_set": self.rule_set,
            "summary": {
                "commitments": len(self.items),
                "open": len(self.open),
                "owing": len(self.owed),
                "total_owed": str(self.total_owed),
            },
            "items": [c.as_dict() for c in self.items],
        }


def commitments_report(records: Iterable[StaffRecord], rules: RuleSet, as_of: date) -> CommitmentsReport:
    """Every commitment of current and former staff on ``as_of``."""
    items = [c for record in records for c in commitments_of(record, rules, as_of)]
    items.sort(key=lambda c: (c.staff_id, c.starts_on))
    return CommitmentsReport(as_of=as_of, rule_set=rules.label, items=tuple(items))
