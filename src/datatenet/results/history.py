"""What `log` and `blame` return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datatenet.repo.diff import DatasetStatus

NO_STATEMENT = "(no statement)"


@dataclass(frozen=True)
class Stated:
    """What a commit says it reinforces."""

    statement: str | None  # the trailer's text (a registered id expanded to its statement)
    behaviour: str | None  # the registry id, when it names one

    @property
    def key(self) -> str:
        return self.behaviour or self.statement or NO_STATEMENT


@dataclass(frozen=True)
class DatasetCounts:
    path: str
    old_path: str | None
    status: DatasetStatus
    added: int
    removed: int
    modified: int
    base_samples: int
    head_samples: int


@dataclass(frozen=True)
class LogEntry:
    commit: str
    date: str
    author: str
    subject: str
    stated: Stated
    added: int
    removed: int
    modified: int
    datasets: tuple[DatasetCounts, ...]
    findings: int = 0  # filled in once the analyses run over history
    unreadable: tuple[str, ...] = ()  # datasets of this commit that could not be read


@dataclass(frozen=True)
class BlameLine:
    origin: str  # "data/train.jsonl:12"
    dataset: str
    position: int
    sample_id: str
    commit: str | None  # None: no commit in the history explains it (shallow clone, unreadable)
    date: str | None
    author: str | None
    stated: Stated


@dataclass(frozen=True)
class Composition:
    behaviour: str  # the registry id, the statement, or NO_STATEMENT
    statement: str | None
    samples: int
    commits: tuple[str, ...]


@dataclass(frozen=True)
class Blame:
    path: str
    revision: str
    commit: str
    lines: tuple[BlameLine, ...]
    composition: tuple[Composition, ...]  # largest first
    unstated: int  # samples from commits that state no behaviour
    unknown: int  # samples no commit explains
    notes: tuple[str, ...] = ()
    predating: int = 0  # of `unstated`: from commits older than the first that states one
    # the commits that state nothing although an older one does (--no-verify, no hooks)
    unstated_commits: tuple[str, ...] = ()
