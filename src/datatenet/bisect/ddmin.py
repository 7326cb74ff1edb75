"""Delta debugging over the new samples of a culprit commit. Pure: no git, no files.

The units are the culprit's added and modified samples, numbered 0..k-1; a test applies a
subset of them to the parent's data and says whether the degradation shows ("fail"), does not
("pass"), or cannot be told ("unresolved", counted as not failing).

The search is Zeller's ddmin (Zeller and Hildebrandt, "Simplifying and Isolating
Failure-Inducing Input", 2002): test each group of a partition, then each complement, then
split every group in halves. Here the first partition is the topics the samples fall into,
not halves, so that a harmful topic is isolated in a few probes. ddmin ends at a group from
which no sample can be left out; when what remains without that group still fails, the search
goes on in the remainder, so that several independent harmful groups are all found.

The algorithm is a generator of tests, replayed from the outcomes known so far: the state of
an interrupted (or hand-driven) search is nothing but its outcomes.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["fail", "pass", "unresolved"]
OUTCOMES: tuple[Outcome, ...] = ("fail", "pass", "unresolved")
Subset = frozenset[int]
_Tests = Generator[Subset, Outcome, tuple[int, ...]]


@dataclass(frozen=True)
class NeedTest:
    subset: Subset


@dataclass(frozen=True)
class Minimal:
    """The result: groups each of which reproduces on its own and loses the degradation when
    any one sample is left out. Empty with `reproduced` False when all the new samples
    together do not reproduce it (the commit's removals, or nothing in the data, did)."""

    groups: tuple[tuple[int, ...], ...]
    reproduced: bool = True

    @property
    def units(self) -> tuple[int, ...]:
        return tuple(sorted(u for group in self.groups for u in group))


def step(
    count: int, topics: Sequence[Sequence[int]], known: Mapping[Subset, Outcome]
) -> NeedTest | Minimal:
    """The next subset to test, or the result once every test it needs is known.

    The empty subset (the parent's data) is known to pass. `topics` partitions 0..count-1."""
    tests = _search(count, [tuple(t) for t in topics if t])
    try:
        subset = next(tests)
        while True:
            outcome = known.get(subset, "pass" if not subset else None)
            if outcome is None:
                return NeedTest(subset)
            subset = tests.send(outcome)
    except StopIteration as stop:
        result: Minimal = stop.value
        return result


def _search(count: int, topics: list[tuple[int, ...]]) -> Generator[Subset, Outcome, Minimal]:
    everything = tuple(range(count))
    if not everything or (yield frozenset(everything)) != "fail":
        return Minimal((), reproduced=False)
    groups: list[tuple[int, ...]] = []
    remaining = everything
    cleared: set[int] = set()  # units of subsets that passed: tried last from then on
    while True:
        taken = set(remaining) - cleared
        partition = [kept for t in topics if (kept := tuple(u for u in t if u in taken))]
        spared = tuple(u for u in remaining if u in cleared)
        group = yield from _ddmin(remaining, partition + ([spared] if spared else []), cleared)
        groups.append(group)
        left = set(group)
        remaining = tuple(u for u in remaining if u not in left)
        if not remaining or (yield frozenset(remaining)) != "fail":
            return Minimal(tuple(groups))


def _ddmin(config: tuple[int, ...], partition: list[tuple[int, ...]], cleared: set[int]) -> _Tests:
    """A 1-minimal failing subset of `config` (which fails), starting from `partition`.

    Units seen in a passing subset are `cleared`: a failing group is split into the others
    and them (rather than in halves), the others first. This orders the tests only: the
    result is 1-minimal whatever the order."""
    if len(partition) < 2:
        partition = _split(config, cleared)
    while len(config) > 1:
        reduced = False
        for part in partition:
            if len(part) < len(config) and (yield from _fails(part, cleared)):
                config, partition, reduced = part, _split(part, cleared), True
                break
        if not reduced and len(partition) > 2:
            for part in partition:
                removed = set(part)
                rest = tuple(u for u in config if u not in removed)
                if (yield from _fails(rest, cleared)):
                    config, reduced = rest, True
                    partition = [p for p in partition if p is not part]
                    break
        if reduced:
            continue
        if all(len(part) == 1 for part in partition):
            break
        partition = [half for part in partition for half in _halves(part)]
    return config


def _fails(subset: tuple[int, ...], cleared: set[int]) -> Generator[Subset, Outcome, bool]:
    outcome = yield frozenset(subset)
    if outcome == "pass":
        cleared.update(subset)
    return outcome == "fail"


def _split(units: tuple[int, ...], cleared: set[int]) -> list[tuple[int, ...]]:
    """Two groups: the units not cleared and those cleared, or else halves."""
    suspects = tuple(u for u in units if u not in cleared)
    if 0 < len(suspects) < len(units):
        return [suspects, tuple(u for u in units if u in cleared)]
    return _halves(units)


def _halves(units: tuple[int, ...]) -> list[tuple[int, ...]]:
    if len(units) < 2:
        return [units]
    middle = (len(units) + 1) // 2
    return [units[:middle], units[middle:]]
