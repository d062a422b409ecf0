"""The figures the demo reproduces (docs/domain.md §3.10) and their one-line description."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ledger.demo.agency import SNAPSHOT, UNIT_HEADCOUNTS
from ledger.domain.catalog import Track

TARGETS: dict[str, Any] = {
    "on_roll": 61,
    "female_on_roll": 26,
    "unit_headcounts": UNIT_HEADCOUNTS,
    "professional": {"master": 9, "bachelor": 42, "college": 2, "intermediate": 5, "technical_worker": 3},
    "political_theory": {"bachelor": 1, "advanced": 6, "intermediate": 21, "none": 33},
    "state_management": {"senior": 2, "principal": 14, "specialist": 31, "officer": 1, "none": 13},
    "leadership": {"department": 3, "division": 18, "none": 40},
    "age_bands": {
        "<30": {"male": 3, "female": 4},
        "30-34": {"male": 4, "female": 5},
        "35-39": {"male": 6, "female": 5},
        "40-44": {"male": 6, "female": 4},
        "45-49": {"male": 5, "female": 4},
        "50-54": {"male": 6, "female": 3},
        "55+": {"male": 5, "female": 1},
    },
    "attendances": 167,
    "attendances_by_year_and_track": {
        2019: {"political_theory": 7, "state_management": 9, "leadership": 10},
        2020: {"political_theory": 5, "state_management": 6, "leadership": 7},
        2021: {"political_theory": 4, "state_management": 5, "leadership": 8},
        2022: {"political_theory": 7, "state_management": 8, "leadership": 13},
        2023: {"political_theory": 6, "state_management": 8, "leadership": 15},
        2024: {"political_theory": 6, "state_management": 6, "leadership": 15},
        2025: {"political_theory": 5, "state_management": 5, "leadership": 12},
    },
    "attendances_by_track": {"political_theory": 40, "state_management": 47, "leadership": 80},
    "attendance_status": {"completed": 161, "enrolled": 4, "withdrawn": 2},
    "attendance_mode": {"full_time": 88, "part_time": 14, "online": 45, "blended": 20},
    "attendance_funding": {"state_budget": 158, "self_funded": 4, "sponsored": 5},
    "attendance_abroad": 2,
    "attendance_gender": {"female": 64, "male": 103},
    "attendance_post": {"agency": 14, "division": 58, "none": 95},
    "attendance_young": 41,
    "attendance_young_female": 18,
    "attendances_per_current_person": {0: 9, 1: 10, 2: 13, 3: 13, 4: 7, 5: 4, 6: 3, 7: 2},
    "attendances_per_former_person": [4, 3, 2, 2, 1],
    "persons_with_attendances": 57,
    "out_of_scope": {
        "defense_security": 12,
        "other": 103,  # 95 job-position courses + 8 party and mass-organisation work
        "it": 20,
        "foreign_language": 4,
        "professional": 4,  # master's degrees
    },
    "annual_ratings": {
        2019: {"excellent": 8, "good": 44, "completed": 4, "not_completed": 0},
        2020: {"excellent": 8, "good": 44, "completed": 4, "not_completed": 0},
        2021: {"excellent": 8, "good": 43, "completed": 3, "not_completed": 1},
        2022: {"excellent": 9, "good": 45, "completed": 2, "not_completed": 0},
        2023: {"excellent": 8, "good": 45, "completed": 2, "not_completed": 0},
        2024: {"excellent": 8, "good": 43, "completed": 3, "not_completed": 0},
        2025: {"excellent": 8, "good": 42, "completed": 3, "not_completed": 1},
    },
    "appointments": {
        "new_truong_phong": 3,
        "new_pho_truong_phong": 5,
        "new_pho_cuc_truong": 1,
        "reappointments": 6,
    },
    "planning_pool": {"members": 12, "female": 5, "young": 4, "young_female": 2},
}
"""The figures the demo reproduces at :data:`SNAPSHOT` (docs/domain.md §3.10), for tests and docs.

Attendances are the enrollments of tracks political_theory, state_management and leadership
starting in 2019–2025, any status, departed staff included, voided ones excluded; "young" is under
35 on the course's first day; "post" is the post held that day.
"""

IN_SCOPE_TRACKS = (Track.POLITICAL_THEORY, Track.STATE_MANAGEMENT, Track.LEADERSHIP)
# Mistyped entries voided and recorded again: a level, a completion date, a duplicated dispatch,
# an annual rating and a retirement recorded on the wrong person.
CORRECTIONS = 5


def describe_targets() -> Iterable[str]:
    """One line per headline figure, for the CLI and docs."""
    t = TARGETS
    yield f"{t['on_roll']} on the roll at {SNAPSHOT.isoformat()} ({t['female_on_roll']} women)"
    prof = t["professional"]
    yield (
        f"Highest professional level: Thạc sĩ {prof['master']}, Đại học {prof['bachelor']}, Cao đẳng "
        f"{prof['college']}, Trung cấp {prof['intermediate']} + CNKT {prof['technical_worker']}"
    )
    llct = t["political_theory"]
    yield (
        f"Political theory: Cử nhân {llct['bachelor']}, Cao cấp {llct['advanced']}, "
        f"Trung cấp {llct['intermediate']}"
    )
    by_track = t["attendances_by_track"]
    yield (
        f"{t['attendances']} attendances (lượt) since 2019: political theory {by_track['political_theory']}, "
        f"state management {by_track['state_management']}, leadership {by_track['leadership']}"
    )
