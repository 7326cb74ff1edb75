"""`check-range` (CI): every data commit of a range must state its behaviour and pass the gates,
because `git commit --no-verify` skips the hooks. Merge commits need no statement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from datatenet.progress import shared
from datatenet.repo.tree import touches_data
from datatenet.results.range import CommitCheck, RangeCheck
from datatenet.verbs.commit import gate_verdict, needs_statement
from datatenet.verbs.history import stated, stated_parts

if TYPE_CHECKING:
    from datatenet.repo.analyses import AnalyseDiff
    from datatenet.repo.repository import Repo


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
    progress = shared()
    with progress.bar(len(commits), "checking commits", unit=" commits"):
        for info in reversed(commits):
            diff = repo.commit_diff(info)
            progress.advance()
            if diff.is_empty:
                continue
            judgement = judge(info.commit_message, rules) if needs_statement(diff) else None
            statements, behaviours = stated_parts(stated(info.commit_message, rules))
            verdict, datasets = gate_verdict(repo, diff, analyse, statements, behaviours)
            checked.append(
                CommitCheck(
                    info.commit, info.subject, judgement, verdict, datasets, diff.unavailable
                )
            )
    return RangeCheck(spec, tuple(checked))
