"""`report`: a change (the states of `diff`) analysed by every check, the repository's gates
over it, and the behaviour its commit states; the renderers (report/) turn it into HTML,
Markdown, JSON and metrics.

The statement is that of the head commit when the head is a commit (its `Reinforces:`
trailers, judged by the commit rules); the index and the work tree have none yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from datatenet.progress import QUIET, Progress
from datatenet.results.diff import DiffResult
from datatenet.results.report import ChangeReport, Statement

if TYPE_CHECKING:
    from pathlib import Path

    from datatenet.commit_message import CommitMessage
    from datatenet.formats.load import LoadOptions
    from datatenet.repo.diff import RepoDiff
    from datatenet.repo.repository import Repo
    from datatenet.repo.revisions import State
    from datatenet.results.commit import CheckResult


def report_files(
    old: Path,
    new: Path,
    options: LoadOptions,
    checks: str | None,
    repo: Repo | None,
    *,
    progress: Progress = QUIET,
) -> ChangeReport:
    """Two files compared directly. No gates: they are a repository's, for its states."""
    from datatenet.verbs.compare import diff_files

    with progress.status("analysing the change"):
        result = diff_files(old, new, options, checks, repo)
    return ChangeReport(result, None, None, _checks(checks))


def report_repository(
    repo: Repo,
    base: str | State,
    head: str | State,
    paths: Sequence[str] = (),
    *,
    options: LoadOptions | None = None,
    checks: str | None = None,
    include_untracked: bool = False,
    statement: Statement | None = None,
    progress: Progress = QUIET,
) -> ChangeReport:
    """Every watched dataset between two states, analysed, with the gates of the repository.
    `statement`: what the change states, when the caller knows better than the head commit
    (the demo's refused commit); otherwise the head commit's, when the head is a commit."""
    from datatenet.repo.analyses import commit_analyses, repo_analysis_config
    from datatenet.verbs.commit import gate_verdict

    with progress.status("reading the versions"):
        diff = repo.diff(base, head, paths, options=options, include_untracked=include_untracked)
    if statement is None:
        statement = head_statement(repo, diff)
    # Between two commits the analyses are kept on disk, keyed by what the commit states: the
    # history report finds them there.
    analyse = commit_analyses(repo_analysis_config(repo, checks), repo)
    with progress.status(f"analysing {len(diff.changes)} changed dataset(s)"):
        analyses = analyse(diff, *statement_parts(statement))
    verdict, paired = gate_verdict(repo, diff, lambda *_: analyses)
    return ChangeReport(DiffResult(paired, diff), verdict, statement, _checks(checks))


def report_of_check(result: CheckResult, checks: str) -> ChangeReport | None:
    """The report a pre-commit check leaves behind (`check --report DIR`): the staged change,
    what the check's analyses (`checks`) found and its verdict; no message is written yet."""
    if result.diff is None:
        return None
    return ChangeReport(
        DiffResult(result.datasets, result.diff), result.verdict, None, _checks(checks)
    )


def head_statement(repo: Repo, diff: RepoDiff) -> Statement | None:
    """The `Reinforces:` statement of the head commit of `diff`, judged by the commit rules."""
    if diff.head.kind != "revision" or diff.head.commit is None:
        return None
    if diff.head.commit == repo.revisions.empty_tree:
        return None
    from dataclasses import replace

    info = repo.commit_info(diff.head.commit)
    statement = judged_statement(repo, info.commit_message, needed=_adds_samples(diff))
    return replace(statement, commits=(info.commit,))


def judged_statement(repo: Repo, message: CommitMessage, *, needed: bool) -> Statement:
    """What a message states and whether the rules accept it (judged only when `needed`:
    a change that adds or edits samples)."""
    from datatenet.intent import judge
    from datatenet.verbs.history import stated

    said = stated(message, repo.rules)
    if not needed:
        return Statement(said.statement, said.behaviour, None, "")
    judgement = judge(message, repo.rules)
    return Statement(
        judgement.statement or said.statement,
        judgement.behaviour or said.behaviour,
        judgement.ok,
        judgement.problem,
    )


def statement_parts(statement: Statement | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the analyses are told the change reinforces (as `log` tells them of a commit)."""
    from datatenet.results.history import Stated
    from datatenet.verbs.history import stated_parts

    if statement is None:
        return (), ()
    return stated_parts(Stated(statement.statement, statement.behaviour))


def available_checks(semantic: bool | None = None) -> str:
    """Every check; the semantic tier only when asked for (None: when its model can be
    loaded, i.e. the embeddings extra is installed)."""
    from importlib.util import find_spec

    from datatenet.analysis.registry import ALL_CHECKS

    if semantic is None:
        semantic = find_spec("sentence_transformers") is not None
    return ",".join(c for c in ALL_CHECKS if semantic or c != "semantic")


def _adds_samples(diff: RepoDiff) -> bool:
    return any(c.changeset.added or c.changeset.modified for c in diff.changes)


def _checks(checks: str | None) -> tuple[str, ...]:
    from datatenet.analysis.registry import parse_checks

    return tuple(sorted(parse_checks(checks)))
