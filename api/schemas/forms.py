"""Forms an agency files: BM01/BNV, the numbers and quality of civil servants on a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ConfigDict, Field

from api.schemas.common import ResponseModel, Timestamp

NOT_RECORDED = "Not recorded by the ledger: always null (not recorded), never 0."


class Bm01Row(ResponseModel):
    """One row of the form: people on the roll counted once per group."""

    unit: str | None = Field(description="The unit (people working in it on as_of); null: the agency.")
    total: int = Field(description="Tổng số: people on the roll.")
    female: int = Field(description="Nữ.")
    party_members: int | None = Field(description=f"Đảng viên. {NOT_RECORDED}")
    ethnic_minority: int | None = Field(description=f"Dân tộc thiểu số. {NOT_RECORDED}")
    religion: int | None = Field(description=f"Tôn giáo. {NOT_RECORDED}")
    leaders: dict[str, int] = Field(
        description="Post held on as_of, by the position standards' codes: `agency` (cuc_truong, "
        "pho_cuc_truong), `division` (truong_phong, pho_truong_phong)."
    )
    ranks: dict[str, int] = Field(
        description="Rank at registration: `senior` (01.001 CVCC), `principal` (01.002 CVC), "
        "`specialist` (01.003 CV), `officer` (01.004 cán sự), each with its equivalents; `clerk` "
        "(01.005 nhân viên); `contract` (employment contract, whatever the rank); `other`."
    )
    professional: dict[str, int] = Field(
        description="Highest professional level: doctorate, master, bachelor, college, intermediate, "
        "`elementary_or_below` (technical worker, or none recorded)."
    )
    political_theory: dict[str, int] = Field(
        description="Highest: bachelor, advanced, intermediate, elementary."
    )
    state_management: dict[str, int] = Field(description="Highest: senior, principal, specialist, officer.")
    it: dict[str, int] = Field(description="Highest IT skills standard: advanced, basic.")
    foreign_language: dict[str, int] = Field(description="Highest level (bậc) level6 … level1.")
    ethnic_language: int | None = Field(description=f"Tiếng dân tộc thiểu số. {NOT_RECORDED}")
    age_bands: dict[str, int] = Field(
        description="Age on as_of: `up_to_30`, `31_to_40`, `41_to_50`, `51_to_retirement` (51 up to "
        "the person's retirement age), `above_retirement` (past it: the rules file's retirement "
        "age of the year they reach it)."
    )


class RetirementAge(ResponseModel):
    gender: str
    years: int
    months: int
    rule_id: str = Field(description="The `[[retirement_age]]` schedule of the rules file.")


def _demo_row(unit: str | None, counts: dict[str, Any]) -> dict[str, Any]:
    nulls = dict.fromkeys(("party_members", "ethnic_minority", "religion", "ethnic_language"))
    return {"unit": unit, **nulls, **counts}


DEMO_TOTAL = _demo_row(
    None,
    {
        "total": 61,
        "female": 26,
        "leaders": {"agency": 3, "division": 14},
        "ranks": {
            "senior": 1, "principal": 12, "specialist": 36, "officer": 3, "clerk": 2, "contract": 7,
            "other": 0,
        },
        "professional": {
            "doctorate": 0, "master": 9, "bachelor": 42, "college": 2, "intermediate": 5,
            "elementary_or_below": 3,
        },
        "political_theory": {"bachelor": 1, "advanced": 6, "intermediate": 21, "elementary": 0},
        "state_management": {"senior": 2, "principal": 14, "specialist": 31, "officer": 1},
        "it": {"advanced": 7, "basic": 37},
        "foreign_language": {"level6": 0, "level5": 0, "level4": 0, "level3": 17, "level2": 14, "level1": 0},
        "age_bands": {
            "up_to_30": 8, "31_to_40": 20, "41_to_50": 19, "51_to_retirement": 14, "above_retirement": 0,
        },
    },
)


class Bm01Report(ResponseModel):
    """Form BM01/BNV (TT 11/2012/TT-BNV): the staff on the roll on `as_of`, per unit and in total.

    The example is the demo agency's answer (`ledger serve --demo`) on 2025-12-31, with its total
    row only (it has seven units)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "as_of": "2025-12-31",
                    "known_at": None,
                    "unit": None,
                    "total": DEMO_TOTAL,
                    "units": [],
                    "retirement_ages": [
                        {"gender": "female", "years": 56, "months": 8, "rule_id": "blld-2019.nu"},
                        {"gender": "male", "years": 61, "months": 3, "rule_id": "blld-2019.nam"},
                    ],
                    "not_recorded": ["party_members", "ethnic_minority", "religion", "ethnic_language"],
                    "note": "The ledger records no Party membership, ethnicity, religion or ethnic-minority "
                    "language: those columns are null (not recorded), never zero.",
                }
            ]
        }
    )

    as_of: date
    known_at: Timestamp | None = None
    unit: str | None = None
    total: Bm01Row = Field(description="The agency (or the one `unit` asked for).")
    units: list[Bm01Row] = Field(description="One row per unit people work in on as_of, by name.")
    retirement_ages: list[RetirementAge] = Field(
        description="The retirement ages of those reaching it in as_of's year (the top age bands' bound)."
    )
    not_recorded: list[str] = Field(description="The columns the ledger does not record (null in every row).")
    note: str = Field(description="What null means in this form.")
