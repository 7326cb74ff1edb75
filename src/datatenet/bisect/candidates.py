"""The candidates of a bisect and what is known about each: the commits between good and bad
that change the watched data, with their statements, change sizes and findings.

The candidates lie on the first-parent line from bad back to good, oldest first, so that
each holds the data of everything before it (a commit on a merged branch is probed through
the merge that brought it in). A commit is a candidate when its data key differs from the
one before it: commits that touch only code, or that rewrite a dataset to the same content
addresses, are never probed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from datatenet.bisect.datasets import DataReader, DataState, may_change
from datatenet.errors import DatatenetError
from datatenet.results.bisect import Facts
from datatenet.verbs.history import dataset_counts, stated

if TYPE_CHECKING:
    from datatenet.analysis.findings import Finding
    from datatenet.repo.analyses import AnalyseDiff
    from datatenet.repo.commits import CommitInfo
    from datatenet.repo.repository import Repo

# The analyses whose findings make up the prior: all but the tier that loads a model.
PRIOR_CHECKS_EXCLUDED = ("semantic",)


@dataclass(frozen=True)
class Span:
    """Good and bad resolved and checked, and the candidates between them."""

    good: str
    bad: str
    good_state: DataState
    bad_state: DataState
    commits: tuple[CommitInfo, ...]  # the candidates, oldest first
    states: tuple[DataState, ...]  # their data, in the same order
    walked: int  # commits on the first-parent line between good and bad


def refuse_busy_repository(repo: Repo) -> None:
    """A merge, rebase, cherry-pick, revert or `git bisect` under way is refused."""
    busy = repo.operation_in_progress()
    if busy is not None:
        what, hint = busy
        raise DatatenetError(f"the repository is in the middle of {what}", hint)


def resolve_commit(repo: Repo, revision: str, role: str) -> str:
    (found,) = repo.revisions.lookup(f"{revision}^{{commit}}") if revision else (None,)
    if found is None or revision.startswith("-"):
        raise DatatenetError(
            f"{role} {revision!r}: not a commit here",
            "name a commit, branch or tag; see `git log --oneline`",
        )
    return found


def span(repo: Repo, reader: DataReader, good_spec: str, bad_spec: str) -> Span:
    """Resolve and check good and bad, and find the candidates between them."""
    good = resolve_commit(repo, good_spec, "--good")
    bad = resolve_commit(repo, bad_spec, "--bad")
    if good == bad:
        raise DatatenetError(
            f"--good {good_spec} and --bad {bad_spec} are the same commit",
            "name a good commit older than the bad one",
        )
    if not repo.revisions.is_ancestor(good, bad):
        raise DatatenetError(
            f"--good {good_spec} ({good[:10]}) is not an ancestor of --bad {bad_spec} ({bad[:10]})",
            "a bisect looks for the change between an older good commit and a newer bad one "
            "on the same history: name a good commit that the bad one descends from",
        )
    line = first_parent_line(repo, good, bad)
    good_state, bad_state = reader.state(good), reader.state(bad)
    if good_state.key == bad_state.key:
        raise DatatenetError(
            f"the watched datasets are the same at {good_spec} and {bad_spec}"
            + (f" ({', '.join(reader.selection)})" if reader.selection else ""),
            "the data cannot explain the difference; check --dataset and the `datasets` "
            "globs of .datatenet.toml",
        )
    commits: list[CommitInfo] = []
    states: list[DataState] = []
    previous = good_state.key
    for info in line:
        if not may_change(info.paths, reader.settings, reader.selection):
            continue
        state = reader.state(info.commit)
        if state.key != previous:
            commits.append(info)
            states.append(state)
            previous = state.key
    return Span(good, bad, good_state, bad_state, tuple(commits), tuple(states), len(line))


def first_parent_line(repo: Repo, good: str, bad: str) -> list[CommitInfo]:
    """The commits from bad back along first parents until one good already holds, oldest
    first (what `git log --first-parent ^good bad` lists)."""
    between = {info.commit: info for info in repo.log(f"^{good}", bad)}
    line: list[CommitInfo] = []
    commit: str | None = bad
    while commit is not None and commit in between:
        info = between[commit]
        line.append(info)
        commit = info.parents[0] if info.parents else None
    return line[::-1]


def commit_info(repo: Repo, commit: str) -> CommitInfo:
    (info,) = repo.log(f"{commit}^!")
    return info


def facts(
    repo: Repo, commits: Sequence[CommitInfo], selection: Sequence[str], *, findings: bool
) -> list[Facts]:
    """Each commit's change against its first parent (the selected datasets only), its
    statement, and with `findings` what the analyses (all but the model-based tier) find."""
    analyse = _analyser(repo) if findings else None
    out: list[Facts] = []
    for info in commits:
        base = repo.revisions.parent_of(info.parents)
        diff = repo.diff(base, repo.revisions.commit(info.commit), selection)
        found: list[Finding] = []
        if analyse is not None and diff.changes:
            found = [f for analysis in analyse(diff) for f in analysis.findings]
        out.append(
            Facts(
                info.commit,
                info.subject,
                info.author,
                info.date,
                stated(info.commit_message, repo.rules),
                tuple(dataset_counts(change) for change in diff.changes),
                tuple(found),
                tuple(f.message for f in diff.failures)
                + tuple(f"{u.path}: {u.reason}" for u in diff.unavailable),
                Counter(f.kind for f in found),
            )
        )
    return out


def _analyser(repo: Repo) -> AnalyseDiff:
    """The analyses of commit pairs (cached on disk), without the tier that loads a model."""
    from datatenet.analysis.registry import ALL_CHECKS
    from datatenet.repo.analyses import analyses_for

    return analyses_for(repo, ",".join(c for c in ALL_CHECKS if c not in PRIOR_CHECKS_EXCLUDED))
