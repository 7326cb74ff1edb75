"""`check-range` (CI): every data commit of a range must state its behaviour and pass the gates,
because `git commit --no-verify` skips the hooks. Merge commits need no statement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from datatenet.repo.tree import touches_data
from datatenet.verbs.commit import gate_verdict, needs_statement

if TYPE_CHECKING:
    from datatenet.gates import GateVerdict
    from datatenet.intent import Judgement
    from datatenet.repo.analyses import AnalyseDiff
    from datatenet.repo.repository import Repo
    from datatenet.verbs.compare import DatasetResult


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


def check_range(repo: Repo, spec: str, *, analyse: AnalyseDiff | None = None) -> RangeCheck:
    """Every data commit of `BASE..HEAD` (or `BASE...HEAD`, or BASE meaning BASE..HEAD)."""
    from datatenet.intent import judge

    rules, settings = repo.rules, repo.settings
    base, head = repo.revisions.span(spec)
    commits = [
        info
        for info in repo.log(f"{base}..{head}")
        if not info.is_merge and touches_data(info.paths, settings)
    ]
    checked: list[CommitCheck] = []
    for info in reversed(commits):
        diff = repo.commit_diff(info)
        if diff.is_empty:
            continue
        judgement = judge(info.commit_message, rules) if needs_statement(diff) else None
        verdict, datasets = gate_verdict(repo, diff, analyse)
        checked.append(CommitCheck(info.commit, info.subject, judgement, verdict, datasets))
    return RangeCheck(spec, tuple(checked))
