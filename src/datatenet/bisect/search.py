"""Which candidate to probe next: plain halving, skips as `git bisect` handles them, and a
search weighted by a prior. Pure: no git, no files.

The states are numbered 0..n: 0 is the good revision, 1..n are the candidate commits oldest
first, and n holds the bad revision's data. The culprit is the first bad state. Verdicts are
given per state; a state can also be known without a probe (its data is the same as a probed
state's).

Weighted search chooses the probe that splits the prior mass of the remaining suspects most
evenly, but only among the probes that keep the worst case within ceil(log2 n) + 1 probes
(with no skips): a prior that points the wrong way costs at most one probe over halving.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["good", "bad", "skip"]
VERDICTS: tuple[Verdict, ...] = ("good", "bad", "skip")

# Weights of the prior by finding kind: how much more likely a commit is the culprit for each
# kind of finding its new samples have (contradictions and a drifted style teach a model
# something other than what it was taught; a duplicate only re-weights a signal).
FINDING_WEIGHTS: Mapping[str, float] = {
    "contradiction": 3.0,
    "style-drift": 3.0,
    "coverage-shift": 2.0,
    "noise": 2.0,
    "contamination": 2.0,
    "expression-instability": 1.0,
    "unfocused": 1.0,
    "boundary": 1.0,
    "exact-duplicate": 0.5,
    "near-duplicate": 0.5,
    "semantic-duplicate": 0.5,
    "possible-duplicate": 0.25,
}
_PRN_MODULO = 32768


@dataclass(frozen=True)
class Probe:
    index: int  # the state to test


@dataclass(frozen=True)
class Found:
    index: int  # the first bad state


@dataclass(frozen=True)
class OnlySkipped:
    """Every state left between the last good and the first bad was skipped: the first bad
    state is one of these (as `git bisect` says: "only 'skip'ped commits left to test")."""

    indices: tuple[int, ...]


Step = Probe | Found | OnlySkipped


def prior_weight(changed: int, findings: Mapping[str, int]) -> float:
    """How likely a commit is the culprit, before any probe, relative to the others.

    Grows with the logarithm of the samples it changed (a commit twice as large is not twice
    as suspect) and with each kind of finding among its new samples, with diminishing returns
    in their number."""
    size = 1.0 + math.log2(1 + max(changed, 0))
    evidence = sum(
        FINDING_WEIGHTS.get(kind, 1.0) * math.log2(1 + count)
        for kind, count in findings.items()
        if count > 0
    )
    return size * (1.0 + evidence)


def bounds(size: int, verdicts: Mapping[int, Verdict]) -> tuple[int, int]:
    """(last good state, first bad state) that the verdicts allow: the culprit is in
    (lo, hi]. A good verdict above the first bad one contradicts it and is set aside."""
    hi = min((i for i, v in verdicts.items() if v == "bad" and 0 < i <= size), default=size)
    lo = max((i for i, v in verdicts.items() if v == "good" and 0 <= i < hi), default=0)
    return lo, hi


def inconsistent(size: int, verdicts: Mapping[int, Verdict]) -> tuple[int, ...]:
    """Good states above the first bad one: the data does not degrade once and for all (a
    noisy CMD, or a commit that fixed what an earlier one broke)."""
    _, hi = bounds(size, verdicts)
    return tuple(sorted(i for i, v in verdicts.items() if v == "good" and i > hi))


def worst_case(size: int) -> int:
    """Probes that plain halving needs at most for `size` candidates (no skips)."""
    return math.ceil(math.log2(size)) if size > 1 else 0


def choose(
    size: int,
    verdicts: Mapping[int, Verdict],
    weights: Sequence[float] | None = None,
    runs: int = 0,
) -> Step:
    """The next step. `weights[i - 1]` is the prior of candidate i (None: plain halving);
    `runs` counts the probes that gave good or bad so far (the weighted budget)."""
    lo, hi = bounds(size, verdicts)
    if hi - lo <= 1:
        return Found(hi)
    between = range(lo + 1, hi)
    untested = [i for i in between if i not in verdicts]
    if not untested:
        return OnlySkipped((*between, hi))
    ranked = _ranked(lo, hi, list(between), weights, runs)
    best = ranked[0]
    if verdicts.get(best) != "skip":
        return Probe(best)
    # The best split was skipped: its neighbours are likely untestable too (a broken stretch
    # of history), so move away from it, pseudo-randomly but reproducibly, towards the
    # better splits (the way git bisect does).
    ranked = [i for i in ranked if i not in verdicts]
    return Probe(ranked[_skip_away(len(ranked))])


def _ranked(
    lo: int, hi: int, between: list[int], weights: Sequence[float] | None, runs: int
) -> list[int]:
    """The states between lo and hi, best split first."""
    if weights is None:
        return sorted(between, key=lambda i: (abs((i - lo) - (hi - i)), i))
    # the budget: after this probe, at most ceil(log2 n) + 1 - runs - 1 more may follow
    budget = worst_case(len(weights)) + 1 - runs - 1
    allowed = [i for i in between if max(i - lo, hi - i) <= 2 ** max(budget, 0)]
    prefix = [0.0]
    for weight in weights:
        prefix.append(prefix[-1] + max(weight, 0.0))
    total = prefix[hi] - prefix[lo]

    def imbalance(i: int) -> tuple[float, int, int]:
        left = prefix[i] - prefix[lo]
        return (abs(2 * left - total), abs((i - lo) - (hi - i)), i)

    preferred = sorted(allowed, key=imbalance)
    return preferred + sorted((i for i in between if i not in allowed), key=imbalance)


def _skip_away(count: int) -> int:
    """An index into `count` ranked choices, biased towards the first ones."""
    value = (count * 1103515245 + 12345) // 65536 % _PRN_MODULO
    share = value / _PRN_MODULO
    return min(count - 1, int(count * share * math.sqrt(share)))


def probes_to_find(size: int, culprit: int, weights: Sequence[float] | None = None) -> int:
    """How many probes the search takes when candidate `culprit` is the first bad one."""
    verdicts: dict[int, Verdict] = {}
    runs = 0
    while True:
        step = choose(size, verdicts, weights, runs)
        if not isinstance(step, Probe):
            return runs
        verdicts[step.index] = "bad" if step.index >= culprit else "good"
        runs += 1


def expected_probes(size: int, prior: Sequence[float], weighted: bool) -> float:
    """The expected number of probes under the prior, searching weighted or by halving."""
    total = sum(max(p, 0.0) for p in prior)
    if size < 1 or total <= 0:
        return 0.0
    weights = prior if weighted else None
    return sum(
        max(p, 0.0) / total * probes_to_find(size, culprit, weights)
        for culprit, p in enumerate(prior, start=1)
    )
