"""What the commit hooks, check-range and install return."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from datatenet.commit_message import CommitMessage
    from datatenet.gates import GateVerdict
    from datatenet.intent import Judgement, Rules
    from datatenet.repo.diff import RepoDiff
    from datatenet.results.diff import DatasetResult


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
