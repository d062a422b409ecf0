"""The people of the demo: staff ids, names, birth and joining days, and the go-live days."""

from __future__ import annotations

from datetime import date, timedelta

from ledger.demo.agency import GO_LIVE_FIRST, GO_LIVE_LAST
from ledger.demo.draft import Draft, weighted_choice
from ledger.demo.model import Person
from ledger.demo.names import FAMILY, FEMALE_GIVEN, FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE, NGUYEN_VAN
from ledger.demo.roster import DEPARTURES, ROLES
from ledger.domain.catalog import Gender


def build_people(draft: Draft) -> None:
    order = sorted(range(len(ROLES)), key=lambda i: (ROLES[i].joined, i))
    names: set[str] = set()
    for number, index in enumerate(order, start=1):
        role = ROLES[index]
        person = Person(role=role, staff_id=f"CB{number:04d}")
        born_month = draft.rng.randint(*role.born_months)
        person.birth_date = date(role.born, born_month, draft.rng.randint(1, 28))
        if role.joined_month is not None:
            day = {"REC_M": 3, "TP_NV1": 2}.get(role.key, 1)
            person.joined_on = date(role.joined, role.joined_month, day)
        elif role.joined >= 2019:
            person.joined_on = date(role.joined, draft.rng.randint(1, 5), draft.rng.choice((1, 15)))
        else:
            person.joined_on = date(role.joined, draft.rng.randint(1, 12), draft.rng.choice((1, 15)))
        person.full_name = new_name(draft, role.gender, names)
        names.add(person.full_name)
        draft.people[role.key] = person
    for key, left_on, _category, _reason, _to in DEPARTURES:
        draft.p(key).departed_on = left_on
    force_names(draft)
    plan_go_live(draft)


def new_name(draft: Draft, gender: Gender, taken: set[str]) -> str:
    while True:
        family = weighted_choice(draft.rng, FAMILY)
        if gender == Gender.MALE:
            given = draft.rng.choice(MALE_GIVEN)
            middle = weighted_choice(draft.rng, MALE_MIDDLE)
        else:
            given = draft.rng.choice(FEMALE_GIVEN)
            middle = "Thị" if " " in given else weighted_choice(draft.rng, FEMALE_MIDDLE)
        name = f"{family} {middle} {given}"
        # Keep given names varied: at most two people share one (the last word, as it is used).
        last = given.split()[-1]
        if sum(t.rsplit(" ", 1)[-1] == last for t in taken) >= 2:
            continue
        if name not in taken and middle != given and not given.startswith(middle):
            return name


def force_names(draft: Draft) -> None:
    men = [p for p in draft.people.values() if p.role.gender == Gender.MALE and not p.role.former]
    women = [p for p in draft.people.values() if p.role.gender == Gender.FEMALE and not p.role.former]
    chosen = draft.rng.sample(men, len(NGUYEN_VAN))
    taken = {p.full_name for p in draft.people.values()}
    for person, given in zip(chosen, NGUYEN_VAN, strict=True):
        name = f"Nguyễn Văn {given}"
        if name in taken:
            owner = next(p for p in draft.people.values() if p.full_name == name)
            owner.full_name = new_name(draft, owner.role.gender, taken | {name})
        person.full_name = name
        taken = {p.full_name for p in draft.people.values()}
    woman = draft.rng.choice(women)
    name = "Trần Thị Bích Ngọc"
    for owner in draft.people.values():
        if owner.full_name == name and owner is not woman:
            owner.full_name = new_name(draft, owner.role.gender, taken | {name})
    woman.full_name = name


def plan_go_live(draft: Draft) -> None:
    """Staff on the roll in early 2019 were registered in the go-live window, oldest first."""
    days: list[date] = []
    day = GO_LIVE_FIRST
    while day <= GO_LIVE_LAST:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    present = sorted(
        (p for p in draft.people.values() if p.joined_on < GO_LIVE_FIRST),
        key=lambda p: p.staff_id,
    )
    for index, person in enumerate(present):
        person.go_live = days[min(index * len(days) // max(len(present), 1), len(days) - 1)]
