"""The position-standards reports' answers as JSON (the shapes of docs/api.md)."""

from __future__ import annotations

from typing import Any

from projections.report_answers import (
    AppointmentsAnswer,
    CommitmentsAnswer,
    EffectivenessAnswer,
    NeedsAnswer,
)
from projections.shapes import needs_item


def needs_json(answer: NeedsAnswer, *, everyone: bool = False) -> dict[str, Any]:
    """The whole needs answer as JSON data (the command line's ``--json``; the API pages it)."""
    people = answer.report.people if everyone else answer.listed
    items = [needs_item(p) for p in people]
    return {
        "as_of": answer.report.as_of,
        "rule_set": answer.report.rule_set,
        "position": answer.report.position,
        "unit": answer.unit,
        "summary": answer.summary(),
        "items": items,
        "people": items,  # the name the command line gave them before it shared the API's shape
        "pools": [pool.as_dict() for pool in answer.report.pools],
    }


def appointments_json(answer: AppointmentsAnswer) -> dict[str, Any]:
    return {
        "as_of": answer.as_of,
        "rule_set": answer.rule_set,
        "summary": answer.summary(),
        "items": [row.as_dict() for row in answer.listed],
    }


def commitments_json(answer: CommitmentsAnswer) -> dict[str, Any]:
    return {
        "as_of": answer.report.as_of,
        "rule_set": answer.report.rule_set,
        "summary": answer.summary(),
        "items": [c.as_dict() for c in answer.listed],
    }


def effectiveness_json(answer: EffectivenessAnswer) -> dict[str, Any]:
    items = [e.as_dict() for e in answer.effects]
    return {
        "as_of": answer.as_of,
        "summary": answer.summary(),
        "by_track": answer.by_track(),
        "items": items,
        "programmes": items,  # the name the command line gave them before it shared the API's shape
    }
