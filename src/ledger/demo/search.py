"""The seeded search that places the short in-scope courses to the exact splits of docs/domain.md §3.6.

Listed exception to the complexity limit (ruff C901, 20): ``_Placement.place``, a data builder.
Its local search draws from the seeded generator in one fixed order; splitting it would change the
order of the draws and with it every seed's demo data.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta

from ledger.demo.draft import Draft
from ledger.demo.model import weekday_on_or_after
from ledger.demo.programmes import SHORTS
from ledger.demo.roster import ZERO_ATTENDANCE
from ledger.demo.targets import TARGETS
from ledger.demo.training import FORMER_SHORTS, LEAD_SHORT_PER_YEAR, OPENINGS
from ledger.domain.catalog import Track


class ShortCourseSearch:
    """Assigns the 87 short in-scope courses to people and days so that, with the credential
    courses already placed, every split of §3.6 is exact: attendances per person (current and
    former), by gender, by age under 35 (and young women), and by post held that day.

    Two seeded local searches, restarted until exact. First, how many short courses each person
    attends (the per-person distribution and the gender split depend only on that), keeping the
    age and post splits within reach. Then which course and day each of those is, by swapping
    people between courses and moving days, for the age and post splits.
    """

    STATS = ("young", "young_female", "agency", "division")

    def __init__(self, draft: Draft, slots: list[tuple[str, int]]) -> None:
        self.draft = draft
        self.rng = draft.rng
        self.slots = slots
        people = draft.people
        self.current = [k for k, p in people.items() if not p.role.former and k not in ZERO_ATTENDANCE]
        self.former_fixed = dict(FORMER_SHORTS)
        self.base: Counter[str] = Counter()
        base_stats: Counter[str] = Counter()
        for course in draft.courses:
            if course.in_scope:
                self.base[course.person] += 1
                base_stats.update(self.features(course.person, course.starts_on))
        targets = TARGETS
        self.need: dict[str, int] = {
            "female": targets["attendance_gender"]["female"] - base_stats["female"],
            "young": targets["attendance_young"] - base_stats["young"],
            "young_female": targets["attendance_young_female"] - base_stats["young_female"],
            "agency": targets["attendance_post"]["agency"] - base_stats["agency"],
            "division": targets["attendance_post"]["division"] - base_stats["division"],
        }
        self.target_hist = Counter(targets["attendances_per_current_person"])
        self.target_hist[0] -= len(ZERO_ATTENDANCE)
        del self.target_hist[0]
        if sum(self.target_hist.values()) != len(self.current):
            raise RuntimeError("the per-person distribution does not match the staff list")
        expected = sum(self.base.values()) + len(slots)
        if expected != targets["attendances"]:
            raise RuntimeError(f"{expected} attendances planned, not {targets['attendances']}")
        self.eligible: dict[tuple[str, int], list[str]] = {
            (kind, year): self.eligible_for(kind, year) for kind, year in set(slots)
        }
        self.people_keys = self.current + [k for k, n in self.former_fixed.items() if n]
        # Per person: the features a short course may carry in each year it could be held.
        self.profile = {key: self.features_by_year(key) for key in self.people_keys}
        self.always = {name: {k for k in self.people_keys if self.bounds(k, name)[0]} for name in self.STATS}
        self.ever = {name: {k for k in self.people_keys if self.bounds(k, name)[1]} for name in self.STATS}
        self.women = {k for k in self.people_keys if self.draft.p(k).female}

    def eligible_for(self, kind: str, year: int) -> list[str]:
        """Who may attend a short course of ``kind`` in ``year``, in the roster's order."""
        return [
            k
            for k, p in self.draft.people.items()
            if p.civil_servant
            and k not in ZERO_ATTENDANCE
            and (p.on_roll(date(year, 11, 15)) or p.on_roll(date(year, 1, 15)))
            and (kind != "party" or self.no_theory(k, year))
            and (not p.role.former or self.former_fixed.get(k, 0) > 0)
        ]

    def features_by_year(self, key: str) -> dict[int, list[frozenset[str]]]:
        person = self.draft.p(key)
        years: dict[int, list[frozenset[str]]] = {}
        for year in LEAD_SHORT_PER_YEAR:
            days = [date(year, month, 15) for month in range(1, 12)]
            options = {frozenset(self.features(key, d)) for d in days if person.on_roll(d)}
            if options:
                years[year] = sorted(options, key=sorted)
        return years

    def no_theory(self, key: str, year: int) -> bool:
        """New party members: no political theory held or studied before that year."""
        if key in OPENINGS and any(t == Track.POLITICAL_THEORY for t, *_ in OPENINGS[key]):
            return False
        return not any(
            c.person == key and c.track == Track.POLITICAL_THEORY and c.starts_on.year <= year
            for c in self.draft.courses
        )

    def features(self, key: str, day: date) -> list[str]:
        person = self.draft.p(key)
        found = []
        if person.female:
            found.append("female")
        if person.age_on(day) < 35:
            found.append("young")
            if person.female:
                found.append("young_female")
        kind = person.post_kind_on(day)
        if kind != "none":
            found.append(kind)
        return found

    def solve(self) -> list[tuple[str, date]]:
        for _attempt in range(60):
            counts = self.choose_counts()
            if counts is None:
                continue
            found = _Placement(self).place(counts)
            if found is not None:
                return found
        raise RuntimeError("could not place the short courses exactly")

    # -------------------------------------------------------------- phase 1: how many each

    def bounds(self, key: str, name: str) -> tuple[bool, bool]:
        """Whether a short course of this person always / ever carries a feature."""
        options = [f for fs in self.profile[key].values() for f in fs]
        return all(name in f for f in options), any(name in f for f in options)

    def choose_counts(self) -> Counter[str] | None:
        rng = self.rng
        total_current = len(self.slots) - sum(self.former_fixed.values())
        counts: Counter[str] = Counter(self.former_fixed)
        current = list(self.current)
        for _ in range(total_current):
            counts[rng.choice(current)] += 1
        value = self.counts_cost(counts)
        temperature = 1.5
        for step in range(20000):
            if value == 0:
                return counts
            if step % 1000 == 999:
                temperature = max(0.05, temperature * 0.85)
            giver = rng.choice(current)
            taker = rng.choice(current)
            if giver == taker or counts[giver] == 0 or len(self.profile[taker]) * 3 <= counts[taker]:
                continue
            counts[giver] -= 1
            counts[taker] += 1
            new = self.counts_cost(counts)
            if new <= value or rng.random() < math.exp((value - new) / temperature):
                value = new
            else:
                counts[giver] += 1
                counts[taker] -= 1
        return None

    def counts_cost(self, counts: Counter[str]) -> float:
        """How far the counts are from the per-person distribution and the gender split, and from
        keeping the age and post splits within reach."""
        hist = Counter(counts[k] + self.base[k] for k in self.current)
        misplaced = sum(abs(hist[n] - self.target_hist[n]) for n in set(hist) | set(self.target_hist))
        female = abs(sum(counts[k] for k in self.women) - self.need["female"])
        reach = 0
        for name in self.STATS:
            low = sum(counts[k] for k in self.always[name])
            high = sum(counts[k] for k in self.ever[name])
            need = self.need[name]
            reach += max(0, low - need) + max(0, need - high)
        return misplaced + female + reach


class _Placement:
    """Phase 2 of the search: which course and which day each of a person's short courses is, by
    swapping people between courses and moving days until the age and post splits are exact."""

    def __init__(self, search: ShortCourseSearch) -> None:
        self.search = search
        self.draft = search.draft
        self.rng = search.rng
        self.slots = search.slots
        self.eligible = search.eligible

    def match(self, seats: list[str], order: list[int]) -> dict[int, int] | None:
        """A course for every seat (a person's place in a short course) among those they may
        attend: bipartite matching by augmenting paths, in a seeded order."""
        seat_of: dict[int, int] = {}  # slot -> seat
        slot_of: dict[int, int] = {}  # seat -> slot
        # Lists, not sets: the order of a set of strings changes from one process to the next,
        # and the log must not.
        allowed = {i: self.eligible[self.slots[i]] for i in order}
        by_key: dict[str, list[int]] = {}
        for seat, key in enumerate(seats):
            by_key.setdefault(key, []).append(seat)

        def augment(slot: int, seen: set[int]) -> bool:
            keys = [k for k in allowed[slot] if k in by_key]
            self.rng.shuffle(keys)
            for key in keys:
                for seat in by_key[key]:
                    if seat in seen:
                        continue
                    seen.add(seat)
                    if seat not in slot_of or augment(slot_of[seat], seen):
                        seat_of[slot] = seat
                        slot_of[seat] = slot
                        return True
            return False

        for slot in order:
            if not augment(slot, set()):
                return None
        return seat_of

    def day_for(self, key: str, kind: str, year: int, taken: list[tuple[date, date]]) -> date | None:
        person = self.draft.p(key)
        spec = SHORTS[kind]
        for _ in range(10):
            start = weekday_on_or_after(self.draft.random_day(year, (1, 11)))
            end = start + timedelta(days=spec.days[1] - 1)
            if start.year != year or not person.on_roll(start) or not person.on_roll(end):
                continue
            if not person.is_free(start - timedelta(days=1), end + timedelta(days=1)):
                continue
            if any(not (end < s - timedelta(days=1) or start > e + timedelta(days=1)) for s, e in taken):
                continue
            return start
        return None

    # A listed data builder: this search draws from the seeded generator in a fixed order, and
    # splitting it would change the order of the draws and with it every seed's demo data.
    def place(self, counts: Counter[str]) -> list[tuple[str, date]] | None:  # noqa: C901
        rng = self.rng
        n = len(self.slots)
        # Initial: each person's courses onto slots they may attend, hardest slots first.
        seats = [k for k, c in counts.items() for _ in range(c)]
        order = sorted(range(n), key=lambda i: (len(self.eligible[self.slots[i]]), rng.random()))
        assign: list[tuple[str, date] | None] = [None] * n
        taken: dict[str, list[tuple[date, date]]] = {}
        stats: Counter[str] = Counter()

        def span(index: int, start: date) -> tuple[date, date]:
            kind, _year = self.slots[index]
            return start, start + timedelta(days=SHORTS[kind].days[1] - 1)

        def put(index: int, key: str, start: date) -> None:
            assign[index] = (key, start)
            taken.setdefault(key, []).append(span(index, start))
            stats.update(self.search.features(key, start))

        def lift(index: int) -> tuple[str, date]:
            found = assign[index]
            assert found is not None
            key, start = found
            taken[key].remove(span(index, start))
            stats.subtract(self.search.features(key, start))
            assign[index] = None
            return found

        matched = self.match(seats, order)
        if matched is None:
            return None
        for index in order:
            kind, year = self.slots[index]
            key = seats[matched[index]]
            start = self.day_for(key, kind, year, taken.get(key, []))
            if start is None:
                return None
            put(index, key, start)

        def cost() -> int:
            return sum(abs(stats[name] - self.search.need[name]) for name in self.search.STATS)

        value = cost()
        temperature = 1.0
        totals = Counter({k: self.search.base[k] + c for k, c in counts.items()})
        same_gender = {
            key: [
                k
                for k in self.search.people_keys
                if k != key and self.draft.p(k).female == self.draft.p(key).female
            ]
            for key in self.search.people_keys
        }
        former = {k for k in self.search.people_keys if self.draft.p(k).role.former}
        for step in range(12000):
            if value == 0:
                return [a for a in assign if a is not None]
            if step % 500 == 499:
                temperature = max(0.05, temperature * 0.85)
            first = rng.randrange(n)
            move = rng.random()
            if move < 0.3:
                # Hand a course to someone of the same gender who attends one fewer: the
                # per-person distribution and the gender split stay exact.
                giver, old_start = assign[first] or ("", date.min)
                if giver in former:
                    continue
                kind, year = self.slots[first]
                takers = [
                    k
                    for k in same_gender[giver]
                    if k not in former and totals[k] == totals[giver] - 1 and k in self.eligible[(kind, year)]
                ]
                if not takers:
                    continue
                taker = rng.choice(takers)
                lift(first)
                start = self.day_for(taker, kind, year, taken.get(taker, []))
                if start is None:
                    put(first, giver, old_start)
                    continue
                put(first, taker, start)
                new = cost()
                if new <= value or rng.random() < math.exp((value - new) / temperature):
                    value = new
                    totals[giver] -= 1
                    totals[taker] += 1
                else:
                    lift(first)
                    put(first, giver, old_start)
                continue
            if move < 0.5:
                # Another day for the same course.
                key, old_start = lift(first)
                kind, year = self.slots[first]
                start = self.day_for(key, kind, year, taken.get(key, []))
                put(first, key, start or old_start)
                if start is None:
                    continue
                new = cost()
                if new <= value or rng.random() < math.exp((value - new) / temperature):
                    value = new
                else:
                    lift(first)
                    put(first, key, old_start)
                continue
            second = rng.randrange(n)
            a, b = assign[first], assign[second]
            assert a is not None
            assert b is not None
            if a[0] == b[0]:
                continue
            if b[0] not in self.eligible[self.slots[first]] or a[0] not in self.eligible[self.slots[second]]:
                continue
            lift(first)
            lift(second)
            start_b = self.day_for(b[0], *self.slots[first], taken.get(b[0], []))
            start_a = self.day_for(a[0], *self.slots[second], taken.get(a[0], []))
            if start_a is None or start_b is None:
                put(first, *a)
                put(second, *b)
                continue
            put(first, b[0], start_b)
            put(second, a[0], start_a)
            new = cost()
            if new <= value or rng.random() < math.exp((value - new) / temperature):
                value = new
            else:
                lift(first)
                lift(second)
                put(first, *a)
                put(second, *b)
        return [a for a in assign if a is not None] if value == 0 else None
