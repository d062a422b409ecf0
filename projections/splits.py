"""The splits of training attendances (docs/domain.md §3.6): every way the agency reports its lượt.

One attendance (lượt) is one enrollment, read from the statistics view with what the splits need
(``AttendanceRow``). Each split names a key for every attendance, so each sums to the total; any
two may be crossed. Everything is counted in one pass over the rows: no report folds the log.

Where a split depends on configuration, it says so:

* ``post_at_start`` classifies the post held on the course's first day through the position
  standards of the rules file (``ledger.standards.rules``): a post the rules resolve to ``cuc_truong`` or
  ``pho_cuc_truong`` is ``agency_leader``, to ``truong_phong`` or ``pho_truong_phong``
  ``division_leader``; any other post, or none, ``non_leader``. Aliases in the rules file (e.g.
  "Chánh Văn phòng") therefore change the answer.
* ``age_at_start``: "young cadres" are under :data:`YOUNG_AGE` on the course's first day.
* ``location``: ``abroad`` when the enrollment names a country other than Việt Nam.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from ledger.domain import errors
from ledger.standards.model import PositionKind
from ledger.standards.ruleset import RuleSet
from projections.results import ProgrammeTally, Tally
from projections.text import search_key

YOUNG_AGE = 35
AGENCY_LEADER, DIVISION_LEADER, NON_LEADER = "agency_leader", "division_leader", "non_leader"
# The position codes of the rules file (default_rules.toml) that make a post a leader's.
LEADER_POSTS = {
    "cuc_truong": AGENCY_LEADER,
    "pho_cuc_truong": AGENCY_LEADER,
    "truong_phong": DIVISION_LEADER,
    "pho_truong_phong": DIVISION_LEADER,
}
POST_CLASSES = (AGENCY_LEADER, DIVISION_LEADER, NON_LEADER)
# How Việt Nam may be written in an enrollment's free-text ``country`` (compared without diacritics).
HOME_COUNTRY = frozenset({"vn", "vnm", "viet nam", "vietnam"})
NOT_RECORDED = "not_recorded"  # the key of an enrollment whose funding was not recorded

PostClassifier = Callable[[str | None], str]


def post_classifier(rules: RuleSet) -> PostClassifier:
    """The class of a post (agency leader, division leader, non-leader) by the rules' position
    codes; remembered per post title, since every attendance asks it."""

    @lru_cache(maxsize=1024)
    def classify(post: str | None) -> str:
        found = rules.resolve(post, PositionKind.POST)
        return LEADER_POSTS.get(found.code, NON_LEADER) if found is not None else NON_LEADER

    return classify


def age_on(birth: date, day: date) -> int:
    """Age in whole years on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_abroad(country: str | None) -> bool:
    return bool(country and country.strip()) and search_key(country or "") not in HOME_COUNTRY


@dataclass(frozen=True)
class AttendanceRow:
    """One attendance as the statistics view holds it, with the person's facts the splits use.
    ``status`` is the enrollment's status on the report's last day; ``post`` the post held on
    ``starts_on`` (NULL: none recorded); ``departed``: off the roll on the report's last day."""

    staff_id: str
    track: str
    level_rank: int | None
    starts_on: str
    mode: str
    status: str
    gender: str
    birth_date: str
    employment: str
    course_code: str
    funding: str | None
    country: str | None
    cost: Decimal | None
    post: str | None
    departed: bool

    @property
    def abroad(self) -> bool:
        return is_abroad(self.country)

    def age_at_start(self) -> int:
        return age_on(date.fromisoformat(self.birth_date), date.fromisoformat(self.starts_on))


# Each split: its name (the report's ``by_NAME``, and the names ``cross`` takes) and the key it
# gives an attendance. ``post_at_start`` needs the rules, so it takes the classifier.
Split = Callable[[AttendanceRow, PostClassifier], str]
SPLITS: dict[str, Split] = {
    "track": lambda r, _: r.track,
    "year": lambda r, _: r.starts_on[:4],
    "mode": lambda r, _: r.mode,
    "status": lambda r, _: r.status,
    "gender": lambda r, _: r.gender,
    "location": lambda r, _: "abroad" if r.abroad else "in_country",
    "funding": lambda r, _: r.funding or NOT_RECORDED,
    "post_at_start": lambda r, classify: classify(r.post),
    "age_at_start": lambda r, _: "under_35" if r.age_at_start() < YOUNG_AGE else "35_and_over",
    "staff_status": lambda r, _: "former" if r.departed else "current",
    "programme": lambda r, _: r.course_code,
}


def parse_cross(names: Sequence[str] | None) -> tuple[str, str] | None:
    """The two splits ``cross`` names (e.g. ``gender,post_at_start``), or None; anything else is
    invalid input naming the field ``cross``."""
    if not names:
        return None
    chosen = [name.strip() for name in names if name.strip()]
    unknown = [name for name in chosen if name not in SPLITS]
    if unknown or len(chosen) != 2 or chosen[0] == chosen[1]:
        allowed = ", ".join(SPLITS)
        raise errors.InvalidInput(
            f"cross takes two different splits among: {allowed} (got '{','.join(names)}').", field="cross"
        )
    return chosen[0], chosen[1]


@dataclass(frozen=True)
class Splits:
    """What :func:`count` found: per split, key → tally; the programmes with their outcomes; the
    cross of two splits."""

    total: Tally
    by: dict[str, dict[str, Tally]]
    programmes: dict[str, ProgrammeTally]
    crossed: dict[str, dict[str, Tally]]


# The enrollment statuses as the programme table of §3.6 names them.
PROGRAMME_STATUS = {
    "completed": "completed",
    "enrolled": "in_progress",
    "withdrawn": "withdrawn",
    "failed": "failed",
}


def count(rows: Iterable[AttendanceRow], classify: PostClassifier, cross: tuple[str, str] | None) -> Splits:
    """Person-times and distinct persons of every split (and of the cross), in one pass."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in SPLITS}
    people: dict[str, defaultdict[str, set[str]]] = {name: defaultdict(set) for name in SPLITS}
    outcomes: defaultdict[str, Counter[str]] = defaultdict(Counter)
    cross_counts: Counter[tuple[str, str]] = Counter()
    cross_people: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    everyone: set[str] = set()
    attendances = 0
    for row in rows:
        attendances += 1
        everyone.add(row.staff_id)
        keys = {name: split(row, classify) for name, split in SPLITS.items()}
        for name, key in keys.items():
            counts[name][key] += 1
            people[name][key].add(row.staff_id)
        outcomes[keys["programme"]][PROGRAMME_STATUS.get(row.status, row.status)] += 1
        if cross is not None:
            pair = (keys[cross[0]], keys[cross[1]])
            cross_counts[pair] += 1
            cross_people[pair].add(row.staff_id)
    by = {
        name: {key: Tally(n, len(people[name][key])) for key, n in sorted(counts[name].items())}
        for name in SPLITS
    }
    programmes = {
        code: ProgrammeTally(
            attendances=tally.attendances,
            persons=tally.persons,
            completed=outcomes[code]["completed"],
            in_progress=outcomes[code]["in_progress"],
            withdrawn=outcomes[code]["withdrawn"],
            failed=outcomes[code]["failed"],
        )
        for code, tally in by["programme"].items()
    }
    crossed: dict[str, dict[str, Tally]] = {}
    for (a, b), n in sorted(cross_counts.items()):
        crossed.setdefault(a, {})[b] = Tally(n, len(cross_people[(a, b)]))
    return Splits(Tally(attendances, len(everyone)), by, programmes, crossed)


def per_person(roll: Iterable[str], attended: Mapping[str, int]) -> dict[str, int]:
    """How many people on the roll had how many attendances (``attended``: per staff id, those
    who had any): ``{"0": people, "1": people, …}``, every count from 0 to the highest listed
    (zeros included), so it sums to the roll."""
    spread = Counter(attended.get(staff_id, 0) for staff_id in roll)
    top = max(spread, default=0)
    return {str(n): spread[n] for n in range(top + 1)}
