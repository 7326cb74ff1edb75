"""What the commit hooks return: pre-commit, commit-msg, prepare-commit-msg."""

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
