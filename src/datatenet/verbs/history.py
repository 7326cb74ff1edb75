"""`log`: the data commits, what each says it reinforces, and how many samples it changed.

History is read once: one `git log` lists the commits with the paths each changed and its
`Reinforces:` trailers; only commits that touch watched data are diffed, each against its first
parent, and every version comes from the id cache after its first parse (a version shared by
two neighbouring commits is loaded once per run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datatenet.intent import registry_match
from datatenet.repo.tree import dataset_path, touches, touches_data
from datatenet.results.history import DatasetCounts, LogEntry, Stated

if TYPE_CHECKING:
    from datatenet.commit_message import CommitMessage
    from datatenet.intent import Rules
    from datatenet.repo.analyses import AnalyseDiff
    from datatenet.repo.diff import ChangedDataset
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


def stated_parts(stated: Stated) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the analyses are told a commit reinforces: its statements, and the registry ids."""
    statements = tuple(stated.statement.split(" | ")) if stated.statement else ()
    return statements, (stated.behaviour,) if stated.behaviour else ()


def log(
    repo: Repo,
    path: str | None = None,
    *,
    revision: str = "HEAD",
    analyse: AnalyseDiff | None = None,
) -> list[LogEntry]:
    """The data commits reachable from `revision`, newest first: who, when, what it states,
    and how many samples it added, removed and modified (in `path` only, when given).

    Merge commits are left out: the commits they bring in are listed themselves. With
    `analyse`, each entry counts the findings of its commit (in `path` only, when given)."""
    settings = repo.settings
    if repo.head is None:
        return []
    rules = repo.rules
    names = {dataset_path(path)} if path else None
    entries: list[LogEntry] = []
    for info in repo.log(revision):
        if info.is_merge:
            continue
        if not (touches(info.paths, names) if names else touches_data(info.paths, settings)):
            continue
        diff = repo.commit_diff(info)
        wanted = [names is None or _selected(c, names) for c in diff.changes]
        changes = [c for c, keep in zip(diff.changes, wanted, strict=True) if keep]
        unreadable = [f.message for f in diff.failures] + [
            f"{u.path} ({u.side}): {u.reason}" for u in diff.unavailable
        ]
        if not changes and not unreadable:
            continue
        counts = tuple(dataset_counts(c) for c in changes)
        findings = 0
        commit_stated = stated(info.commit_message, rules)
        if analyse is not None and changes:
            analyses = analyse(diff, *stated_parts(commit_stated))
            findings = sum(
                len(analysis.findings)
                for analysis, keep in zip(analyses, wanted, strict=True)
                if keep
            )
        entries.append(
            LogEntry(
                info.commit,
                info.date,
                info.author,
                info.subject,
                commit_stated,
                sum(c.added for c in counts),
                sum(c.removed for c in counts),
                sum(c.modified for c in counts),
                counts,
                findings,
                tuple(unreadable),
            )
        )
    return entries


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
