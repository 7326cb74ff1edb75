"""What `report`, `report --history` and `demo` return: a change with its verdict and stated
behaviour, a dataset's history commit by commit, and the story the demo played."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datatenet.gates import GateVerdict
    from datatenet.results.diff import DiffResult
    from datatenet.results.history import LogEntry


@dataclass(frozen=True)
class Statement:
    """What the reported commit says its samples reinforce, and whether the commit rules
    accept it (None: not judged, e.g. a change that adds or edits no sample)."""

    statement: str | None
    behaviour: str | None  # the registry id, when the statement names one
    accepted: bool | None
    reason: str  # why it was refused; "" otherwise
    commits: tuple[str, ...] = ()  # the commits it comes from


@dataclass(frozen=True)
class ChangeReport:
    """A change (the same states as `diff`), its analyses, the gates over it, its statement."""

    diff: DiffResult
    verdict: GateVerdict | None  # None: no gates apply (two files outside a repository)
    statement: Statement | None  # None: no commit states it (the index, the work tree, files)
    checks: tuple[str, ...]  # the checks that ran
    title: str | None = None

    @property
    def semantic(self) -> bool:
        """Did the checks use an embedding model (rather than lexical vectors only)?"""
        return "semantic" in self.checks and not any(
            "no embedding model" in note
            for dataset in self.diff.datasets
            for note in dataset.analysis.notes
        )


@dataclass(frozen=True)
class HistoryCommit:
    """One data commit of a history report."""

    entry: LogEntry
    findings: tuple[tuple[str, int], ...]  # by kind
    measures: tuple[tuple[str, float], ...]  # the drift and coverage scores it measured
    composition: tuple[tuple[str, int], ...]  # samples by behaviour after it, largest first


@dataclass(frozen=True)
class HistoryReport:
    spec: str  # the range or revision reported, as given
    path: str | None  # the dataset (or directory) reported; None: every watched dataset
    commits: tuple[HistoryCommit, ...]  # oldest first
    checks: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoStep:
    name: str  # a slug: names the step's report files
    title: str  # what the step shows
    message: str  # the commit message tried
    committed: bool
    hook_output: str  # what the hooks said (the refusal, for a refused commit)
    report: ChangeReport  # the commit's change, or the staged change a refusal left


@dataclass(frozen=True)
class DemoRun:
    directory: Path  # where the repository and the reports are
    repository: Path
    steps: tuple[DemoStep, ...]
    history: HistoryReport
    semantic: bool  # whether the checks used the embedding model
