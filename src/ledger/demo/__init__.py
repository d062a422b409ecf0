"""The demo agency: a provincial Cục of 61 staff whose training history reproduces the reference
article's figures (docs/domain.md §3), generated through the ledger's own commands.

``load_demo(ledger, seed=2019)`` records about 1,400 events: registrations and the opening balance
of every dossier (Phiếu 2C) when the ledger went live in early 2019, then seven years of
dispatches to courses, completions, withdrawals, appointments, rotations, transfers, planning-pool
decisions, annual ratings, post-training evaluations, departures, and a few corrections of
mistyped entries. Every event goes through ``Ledger.register/enroll/complete/...``, so every rule
of the record holds, and appointments are checked against the position standards in force.

What the seed decides: names, birth and joining days, course dates, who attends the short
courses (within the exact per-person, gender, age and post splits of §3.6), ratings, modes,
recording delays, numbers on decisions and certificates. What it does not: the organisation, who
holds which post, qualification and rank, and every figure of §3.10: those hold for every seed.
The same seed gives a byte-identical log (recording times come from the seed, never the clock).

The story is told at the snapshot date 2025-12-31; ``docs/demo.md`` lists the figures, the staff
ids of the edge cases of §3.9 and the few places where §3 could not be followed to the letter.

The package is split by concept. Pure data tables: ``agency`` (units, posts, ranks, providers),
``targets`` (the figures), ``roster`` (roles, moves, appointments, departures), ``training`` (the
dossiers' opening balance and the courses per year), ``programmes`` (course specifications) and
``names``. The plan is drawn by stages that share one seeded generator (``draft``), called by
``plan.build_plan`` in a fixed order: ``people``, ``dossier``, ``careers``, ``courses`` (with the
short-course ``search``), ``out_of_scope``, ``course_commands``, ``ratings``, ``recording``.
``load`` records a plan through the ledger's commands.
"""

from __future__ import annotations

from ledger.demo.agency import (
    AGENCY,
    AGENCY_PARENT,
    AGENCY_RENAMED,
    AGENCY_RENAMED_ON,
    DEFAULT_SEED,
    DONG_HAI,
    SNAPSHOT,
    TTKT,
    UNIT_FACT_KINDS,
    UNIT_HEADCOUNTS,
    UNITS,
    WINDOW_START,
)
from ledger.demo.load import ProgressCallback, apply_plan, load_demo
from ledger.demo.model import DemoPlan, DemoSummary
from ledger.demo.plan import build_plan, demo_digest, plan_misses, plan_statistics
from ledger.demo.targets import CORRECTIONS, IN_SCOPE_TRACKS, TARGETS, describe_targets

__all__ = [
    "AGENCY",
    "AGENCY_PARENT",
    "AGENCY_RENAMED",
    "AGENCY_RENAMED_ON",
    "CORRECTIONS",
    "DEFAULT_SEED",
    "DONG_HAI",
    "IN_SCOPE_TRACKS",
    "SNAPSHOT",
    "TARGETS",
    "TTKT",
    "UNITS",
    "UNIT_FACT_KINDS",
    "UNIT_HEADCOUNTS",
    "WINDOW_START",
    "DemoPlan",
    "DemoSummary",
    "ProgressCallback",
    "apply_plan",
    "build_plan",
    "demo_digest",
    "describe_targets",
    "load_demo",
    "plan_misses",
    "plan_statistics",
]
