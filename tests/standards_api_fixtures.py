"""Helpers for the position standards over HTTP (tests/api/test_api_standards_*.py): the rules
file and variant a running app reads, and a person made to hold credentials and be appointed through
the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from api_fixtures import Api

# What a Trưởng phòng needs from 2024-05-01 under the shipped rules (lenient, grace): these before
# appointment; a division leadership course and defence group 3 within 12 months after.
BEFORE = {"professional": "bachelor", "political_theory": "intermediate", "state_management": "specialist"}


@contextmanager
def rules_environment(variant: str | None = None) -> Iterator[None]:
    """The shipped rules file, with ``variant`` (default: the file's defaults), whatever the
    environment running the tests says."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("LEDGER_RULES", raising=False)
        if variant is None:
            patch.delenv("LEDGER_RULES_VARIANT", raising=False)
        else:
            patch.setenv("LEDGER_RULES_VARIANT", variant)
        yield


def hold(api: Api, staff_id: str, track: str, level: str, issued_on: str = "2020-06-30") -> None:
    """Recognise a credential earned elsewhere."""
    response = api.post(
        f"/staff/{staff_id}/credentials",
        {
            "track": track,
            "level": level,
            "title": f"Chứng chỉ {track} {level}",
            "issuer": "Học viện Hành chính Quốc gia",
            "issued_on": issued_on,
            "evidence": {"document_ref": f"HS-{staff_id}-{track}"},
        },
    )
    assert response.status_code == 201, response.text


def appoint(api: Api, staff_id: str, **fields: Any) -> Any:
    body = {"position": "Trưởng phòng", "effective_on": "2024-10-01", "decision_ref": "QĐ 301/QĐ-CT"}
    body.update(fields)
    return api.post(f"/staff/{staff_id}/appointments", body)
