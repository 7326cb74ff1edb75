"""What `check-range` returns: one record per data commit of the range."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datatenet.gates import GateVerdict
    from datatenet.intent import Judgement
    from datatenet.repo.tree import Unavailable
    from datatenet.results.diff import DatasetResult


@dataclass(frozen=True)
class CommitCheck:
    """One data commit of the range, checked as the hooks would have checked it."""

    commit: str
    subject: str
    judgement: Judgement | None  # None: the commit adds or edits no samples
    verdict: GateVerdict
    datasets: tuple[DatasetResult, ...] = ()  # each changed dataset with its analysis
    unavailable: tuple[Unavailable, ...] = ()  # data of the commit that cannot be had here

    @property
    def ok(self) -> bool:
        return (self.judgement is None or self.judgement.ok) and self.verdict.ok


@dataclass(frozen=True)
class RangeCheck:
    spec: str  # the range as the user wrote it
    commits: tuple[CommitCheck, ...]  # the data commits, oldest first

    @property
    def offending(self) -> tuple[CommitCheck, ...]:
        return tuple(commit for commit in self.commits if not commit.ok)

    @property
    def ok(self) -> bool:
        return not self.offending

    @property
    def unavailable(self) -> tuple[Unavailable, ...]:
        """Data of the range's commits that cannot be had here: the range is not vouched for."""
        return tuple(item for commit in self.commits for item in commit.unavailable)
