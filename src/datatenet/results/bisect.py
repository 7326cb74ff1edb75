"""What `bisect` returns: the candidates and what is known of each, the probe handed out, where
a bisect driven by hand stands, and the answer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datatenet.analysis.findings import Finding
    from datatenet.results.history import DatasetCounts, Stated


@dataclass(frozen=True)
class Facts:
    """What a candidate commit changed (the watched datasets only) and what the analyses
    found in its new samples."""

    commit: str
    subject: str
    author: str
    date: str
    stated: Stated
    datasets: tuple[DatasetCounts, ...]
    findings: tuple[Finding, ...] = ()
    unreadable: tuple[str, ...] = ()
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def added(self) -> int:
        return sum(d.added for d in self.datasets)

    @property
    def removed(self) -> int:
        return sum(d.removed for d in self.datasets)

    @property
    def modified(self) -> int:
        return sum(d.modified for d in self.datasets)

    @property
    def changed(self) -> int:
        return self.added + self.removed + self.modified


@dataclass(frozen=True)
class FoundSample:
    """A new sample of the culprit that belongs to a group reproducing the degradation."""

    origin: str  # "data/train.jsonl:42", in the culprit
    dataset: str
    kind: str  # "added" or "modified"
    sample_id: str
    prompt: str  # excerpts (untrusted text: renderers escape it)
    response: str


@dataclass(frozen=True)
class WithinCommit:
    reproduced: bool  # False: the new samples together do not reproduce the degradation
    groups: tuple[tuple[FoundSample, ...], ...]  # each reproduces on its own, and is minimal
    units: int  # new samples searched
    grouping: str  # how the first groups were made
    runs: int  # runs of CMD in this search

    @property
    def samples(self) -> tuple[FoundSample, ...]:
        return tuple(s for group in self.groups for s in group)


@dataclass(frozen=True)
class Expectation:
    """Expected probes under the prior: weighted search against plain halving."""

    weighted: float
    halving: float
    worst_case: int  # at most, weighted, without skips: ceil(log2 n) + 1


@dataclass(frozen=True)
class Outcome:
    """The answer of a bisect."""

    culprit: Facts | None  # None when skips left several suspects
    suspects: tuple[str, ...]  # the commits that may be the first bad one (skipped ones)
    candidates: int
    runs: int  # runs of CMD (or verdicts given by hand) over the commits
    halving_bound: int  # ceil(log2(candidates))
    expected: Expectation | None
    within: WithinCommit | None
    inconsistent: tuple[str, ...]  # commits found good after a bad one: a noisy CMD?
    log: Path
    only_bad: bool = False  # every probe said bad and the oldest candidate is the answer


@dataclass(frozen=True)
class Handout:
    """A probe handed to the user (`bisect next`): what to test and where its data is."""

    target: str  # the commit whose data it is
    subject: str
    place: Path  # the worktree, or the export directory
    exported: bool  # place is an export directory (only the dataset files), not a worktree
    datasets: tuple[Path, ...]
    missing: tuple[str, ...]
    samples: int | None  # for a probe inside the culprit: how many of its new samples
    remaining: int  # candidates still suspect (inside the culprit: its new samples)
    steps_left: int | None  # probes left at most (without skips); None inside the culprit


@dataclass(frozen=True)
class Progress:
    """Where a bisect driven by hand stands after a verdict (or at its start)."""

    candidates: int
    remaining: int  # suspects left
    next_target: str | None  # what `bisect next` will hand out (None: done)
    outcome: Outcome | None  # set once the answer is known
    expected: Expectation | None = None


@dataclass(frozen=True)
class DryRunEntry:
    facts: Facts
    weight: float
    share: float  # of the prior mass


@dataclass(frozen=True)
class DryRun:
    good: str
    bad: str
    walked: int
    entries: tuple[DryRunEntry, ...]
    expected: Expectation | None
