"""What the verbs return (`verbs/`) and the renderers render (`report/`): plain typed values.

A diff is a list of datasets, each a change set paired with its analysis (and, in a repository,
where it sits); the hooks return their verdicts; check-range one record per data commit; log
one entry per data commit; blame one line per sample. Nothing here reads git or prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from datatenet.errors import DatatenetError

if TYPE_CHECKING:
    from datatenet.analysis.base import Analysis
    from datatenet.commit_message import CommitMessage
    from datatenet.diff import ChangeSet
    from datatenet.gates import GateVerdict
    from datatenet.intent import Judgement, Rules
    from datatenet.repo.diff import ChangedDataset, DatasetStatus, RepoDiff
    from datatenet.repo.tree import Failure
    from datatenet.version import Version

NO_STATEMENT = "(no statement)"


# -- diff and scan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetResult:
    """One dataset of a diff and what the analyses found in its change."""

    changeset: ChangeSet
    analysis: Analysis
    change: ChangedDataset | None = None  # its place in a repository diff; None for two files


@dataclass(frozen=True)
class DiffResult:
    datasets: tuple[DatasetResult, ...]
    repository: RepoDiff | None = None  # None: two files compared

    def error(self) -> DatatenetError | None:
        """What to exit with after the report is shown: datasets that could not be read."""
        if self.repository is None or not self.repository.failures:
            return None
        return failures_error(self.repository.failures)


@dataclass(frozen=True)
class ScanResult:
    version: Version
    analysis: Analysis


def failures_error(failures: Sequence[Failure]) -> DatatenetError:
    if len(failures) == 1:
        return failures[0].error()
    listed = "\n".join(f"  {failure.message}" for failure in failures)
    return DatatenetError(
        f"{len(failures)} datasets could not be read:\n{listed}", failures[0].hint
    )


# -- the commit hooks and check-range ------------------------------------------------------


MessageOutcome = Literal[
    "no-statement-needed",  # nothing staged adds or edits samples (or a merge, an empty message)
    "accepted",
    "only-trailer",  # the message is the empty trailer prepare-msg left, nothing else
    "refused",
]


@dataclass(frozen=True)
class CheckResult:
    """pre-commit: the staged data change held against the gates (None: nothing relevant)."""

    diff: RepoDiff | None = None
    datasets: tuple[DatasetResult, ...] = ()  # each changed dataset with its analysis
    verdict: GateVerdict | None = None
    semantic_missing: bool = False  # the semantic tier was asked for but cannot run

    @property
    def ok(self) -> bool:
        return self.verdict is None or self.verdict.ok


@dataclass(frozen=True)
class MessageCheck:
    """commit-msg: does the message state the one behaviour the staged samples teach?"""

    outcome: MessageOutcome
    diff: RepoDiff | None = None
    message: CommitMessage | None = None
    judgement: Judgement | None = None
    rules: Rules | None = None
    message_file: Path | None = None  # as shown: relative to the repository where it is inside

    @property
    def ok(self) -> bool:
        return self.outcome in ("no-statement-needed", "accepted")


@dataclass(frozen=True)
class Prefill:
    """prepare-commit-msg: what to add to the message the editor opens."""

    text: str  # the message file as git wrote it
    diff: RepoDiff
    rules: Rules
    comment: str  # the comment character of the message
    statement: bool  # whether the change needs a statement (it adds or edits samples)
    comments: bool  # whether comment lines survive (not with commit.cleanup verbatim/whitespace)
    message_file: Path


@dataclass(frozen=True)
class CommitCheck:
    """One data commit of the range, checked as the hooks would have checked it."""

    commit: str
    subject: str
    judgement: Judgement | None  # None: the commit adds or edits no samples
    verdict: GateVerdict
    datasets: tuple[DatasetResult, ...] = ()  # each changed dataset with its analysis

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


@dataclass(frozen=True)
class Installed:
    """What `install` wrote: git hooks, or datatenet's entry in `.pre-commit-config.yaml`."""

    hooks: tuple[tuple[Path, str], ...] = ()  # (hook file, the datatenet command it runs)
    pre_commit_config: Path | None = None  # the file datatenet's entry was added to
    already: bool = False  # `.pre-commit-config.yaml` had datatenet's hooks already
    missing_hook_types: bool = False  # its default_install_hook_types lacks ours


# -- history ------------------------------------------------------------------------------------


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
    unstated: int  # samples from commits that state no behaviour (e.g. before datatenet)
    unknown: int  # samples no commit explains
    notes: tuple[str, ...] = ()
