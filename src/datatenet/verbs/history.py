"""`log`: the data commits, what each says it reinforces, and how many samples it changed.

History is read once: one `git log` lists the commits with the paths each changed and its
`Reinforces:` trailers; only commits that touch watched data are diffed, each against its first
parent, and every version comes from the id cache after its first parse (a version shared by
two neighbouring commits is loaded once per run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from datatenet.errors import DatatenetError
from datatenet.intent import registry_match
from datatenet.progress import shared
from datatenet.repo.tree import dataset_path, touches, touches_data
from datatenet.results.history import DatasetCounts, LogEntry, Stated

if TYPE_CHECKING:
    from datatenet.analysis.base import Analysis
    from datatenet.commit_message import CommitMessage
    from datatenet.intent import Rules
    from datatenet.repo.analyses import AnalyseDiff
    from datatenet.repo.commits import CommitInfo
    from datatenet.repo.diff import ChangedDataset, RepoDiff
    from datatenet.repo.repository import Repo


def stated(message: CommitMessage, rules: Rules) -> Stated:
    """What a committed message states: the registry id it names, or its statement."""
    values = list(dict.fromkeys(" ".join(v.split()) for v in message.values()))
    values = [v for v in values if v]
    if not values:
        return Stated(None, None)
    matches = [registry_match(v, rules.behaviours) for v in values]
    if len(values) == 1 and matches[0] is not None:
        return Stated(matches[0].statement, matches[0].id)
    return Stated(" | ".join(values), None)


def require_path(repo: Repo, path: str) -> None:
    """A path `log` or `blame` is given must be in the working tree or the history, as in
    `git log` (a typo is an error, not an empty history)."""
    if not repo.known_path(path):
        raise DatatenetError(
            f"{path}: no such path in the working tree or the history",
            "check the spelling (paths are relative to the current directory); "
            "`datatenet log` lists every data commit",
        )


def stated_parts(stated: Stated) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the analyses are told a commit reinforces: its statements, and the registry ids."""
    statements = tuple(stated.statement.split(" | ")) if stated.statement else ()
    return statements, (stated.behaviour,) if stated.behaviour else ()


@dataclass(frozen=True)
class DataCommit:
    """A data commit as `log` reads it: its entry, its diff against its first parent, and the
    changed datasets it counts (those under the path asked for) with their analyses."""

    info: CommitInfo
    entry: LogEntry
    diff: RepoDiff
    changes: tuple[ChangedDataset, ...]
    analyses: tuple[Analysis, ...]  # of `changes`; empty without `analyse`


def log(
    repo: Repo,
    path: str | None = None,
    *,
    revision: str = "HEAD",
    analyse: AnalyseDiff | None = None,
    limit: int | None = None,
    since: str | None = None,
    author: str | None = None,
) -> list[LogEntry]:
    """The data commits reachable from `revision`, newest first: who, when, what it states,
    and how many samples it added, removed and modified (in `path` only, when given).

    Merge commits are left out: the commits they bring in are listed themselves. With
    `analyse`, each entry counts the findings of its commit (in `path` only, when given).
    `limit` stops after that many data commits; `since` and `author` filter as `git log
    --since` and `--author` do."""
    if path:
        require_path(repo, path)
    if limit == 0:
        return []
    infos = data_commit_infos(repo, path, revision, since=since, author=author)
    entries: list[LogEntry] = []
    progress = shared()
    with progress.bar(len(infos), "reading history", unit=" commits"):
        for commit in data_commits(
            repo, path, revision, analyse, infos, on_commit=progress.advance
        ):
            entries.append(commit.entry)
            if limit is not None and len(entries) >= limit:
                break
    return entries


def data_commits(
    repo: Repo,
    path: str | None = None,
    revision: str = "HEAD",
    analyse: AnalyseDiff | None = None,
    infos: Sequence[CommitInfo] | None = None,
    on_commit: Callable[[], object] | None = None,
) -> Iterator[DataCommit]:
    """`log`, commit by commit, with each commit's diff and its analyses (told what the commit
    states); `infos`: the commits, when the caller has listed them already
    (`data_commit_infos`); `on_commit` is called after each commit is read."""
    if repo.head is None:
        return
    rules = repo.rules
    names = {dataset_path(path)} if path else None
    for info in data_commit_infos(repo, path, revision) if infos is None else infos:
        commit = _data_commit(repo, info, names, analyse, rules)
        if on_commit is not None:
            on_commit()
        if commit is not None:
            yield commit


def _data_commit(
    repo: Repo,
    info: CommitInfo,
    names: set[str] | None,
    analyse: AnalyseDiff | None,
    rules: Rules,
) -> DataCommit | None:
    """One commit read as `log` reads it, or None when it changed no watched sample after all."""
    diff = repo.commit_diff(info)
    wanted = [names is None or _selected(c, names) for c in diff.changes]
    changes = tuple(c for c, keep in zip(diff.changes, wanted, strict=True) if keep)
    unreadable = [f.message for f in diff.failures] + [
        f"{u.path} ({u.side}): {u.reason}" for u in diff.unavailable
    ]
    if not changes and not unreadable:
        return None
    counts = tuple(dataset_counts(c) for c in changes)
    commit_stated = stated(info.commit_message, rules)
    analyses: tuple[Analysis, ...] = ()
    if analyse is not None and changes:
        everything = analyse(diff, *stated_parts(commit_stated))
        analyses = tuple(a for a, keep in zip(everything, wanted, strict=True) if keep)
    entry = LogEntry(
        info.commit,
        info.date,
        info.author,
        info.subject,
        commit_stated,
        sum(c.added for c in counts),
        sum(c.removed for c in counts),
        sum(c.modified for c in counts),
        counts,
        sum(len(analysis.findings) for analysis in analyses),
        tuple(unreadable),
    )
    return DataCommit(info, entry, diff, changes, analyses)


def data_commit_infos(
    repo: Repo,
    path: str | None,
    revision: str = "HEAD",
    *,
    since: str | None = None,
    author: str | None = None,
) -> list[CommitInfo]:
    """The commits reachable from `revision` (or in a range) that touch watched data (or
    `path`), newest first, merges left out; from one `git log` (filtered as its `--since`
    and `--author` do)."""
    if repo.head is None:
        return []
    settings = repo.settings
    names = {dataset_path(path)} if path else None
    filters = [f"--since={since}"] * bool(since) + [f"--author={author}"] * bool(author)
    return [
        info
        for info in repo.log(revision, *filters)
        if not info.is_merge
        and (touches(info.paths, names) if names else touches_data(info.paths, settings))
    ]


def dataset_counts(change: ChangedDataset) -> DatasetCounts:
    """How many samples a changed dataset gained, lost and had modified."""
    s = change.changeset.summary
    return DatasetCounts(
        change.path,
        change.old_path,
        change.status,
        s.added,
        s.removed,
        s.modified,
        s.base_samples,
        s.head_samples,
    )


def _selected(change: ChangedDataset, names: set[str]) -> bool:
    for candidate in (change.path, change.old_path):
        if candidate is None:
            continue
        if any(candidate == n or candidate.startswith(n + "/") for n in names):
            return True
    return False
