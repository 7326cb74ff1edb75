"""`blame`: for every sample of a version, the commit that introduced it and that commit's
behaviour.

Blame works like `git blame`, by sample id: walking from the newest commit back, a commit that
added (or edited) a sample that is in the current version introduced it, one copy per addition.
Merge commits are skipped (their samples were introduced by the commits they merge) and only
consulted for samples no ordinary commit explains, e.g. a conflict resolved with new data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from datatenet.errors import DatatenetError
from datatenet.progress import shared
from datatenet.repo.tree import dataset_path, touches
from datatenet.results.history import NO_STATEMENT, Blame, BlameLine, Composition, Stated
from datatenet.verbs.history import require_path, stated

if TYPE_CHECKING:
    from datatenet.repo.commits import CommitInfo
    from datatenet.repo.diff import RepoDiff
    from datatenet.repo.repository import Repo


def blame(repo: Repo, path: str, *, revision: str = "HEAD") -> Blame:
    """For every sample of the datasets at `path` (a file, a DVC output or a directory) in
    `revision`: the commit that introduced it and the behaviour that commit states."""
    rules = repo.rules
    require_path(repo, path)
    path = dataset_path(path)
    commit = repo.revisions.resolve(revision)
    empty = repo.revisions.commit(repo.revisions.empty_tree)
    current = repo.diff(empty, repo.revisions.commit(commit), (path,))
    if current.failures:
        raise current.failures[0].error()
    versions = {c.path: c.changeset.head for c in current.changes}
    if not versions:
        reason = (
            f"{current.unavailable[0].reason}; {current.unavailable[0].fetch or ''}".rstrip("; ")
            if current.unavailable
            else "no watched dataset there"
        )
        raise DatatenetError(
            f"{path}: nothing to blame at {revision} ({reason})",
            "name a watched dataset file, DVC output or directory; see `datatenet log`",
        )

    # which dataset each historical name belongs to (renames extend it while walking back)
    owner: dict[str, str] = {name: name for name in versions}
    need: dict[str, Counter[str]] = {
        name: Counter(version.entries.sample_ids) for name, version in versions.items()
    }
    found: dict[tuple[str, str], list[CommitInfo]] = {}
    notes: list[str] = []
    history = repo.log(commit)
    merges: list[CommitInfo] = []

    def attribute(info: CommitInfo, diff: RepoDiff) -> None:
        for change in diff.changes:
            target = owner.get(change.path)
            if target is None:
                continue
            if change.old_path is not None and change.old_path not in owner:
                owner[change.old_path] = target
            changeset = change.changeset
            head_ids = changeset.head.entries.sample_ids
            introduced = [*changeset.added, *(h for _, h in changeset.modified)]
            wanted = need[target]
            for index in introduced:
                sample_id = head_ids[index]
                if wanted[sample_id] > 0:
                    wanted[sample_id] -= 1
                    found.setdefault((target, sample_id), []).append(info)
        for item in diff.unavailable:
            if item.path in owner:
                notes.append(f"{info.commit[:10]}: {item.path} unavailable ({item.reason})")
        for failure in diff.failures:
            if failure.path in owner:
                notes.append(f"{info.commit[:10]}: {failure.message}")

    def remaining() -> bool:
        return any(+wanted for wanted in need.values())

    progress = shared()
    with progress.bar(len(history), "reading history", unit=" commits"):
        for info in history:
            if not remaining():
                break
            progress.advance()
            if info.is_merge:
                merges.append(info)
                continue
            if touches(info.paths, set(owner)):
                attribute(info, repo.commit_diff(info))
    for info in merges:
        if not remaining():
            break
        if touches(info.paths, set(owner)):
            attribute(info, repo.commit_diff(info))

    lines: list[BlameLine] = []
    statements: dict[str, Stated] = {}
    for name in sorted(versions):
        version = versions[name]
        # copies of one sample: the oldest introduction goes to the first copy
        queues = {key: list(reversed(infos)) for key, infos in found.items() if key[0] == name}
        for entry in version.entries:
            queue = queues.get((name, entry.sample_id))
            origin = queue.pop(0) if queue else None
            if origin is not None and origin.commit not in statements:
                statements[origin.commit] = stated(origin.commit_message, rules)
            lines.append(
                BlameLine(
                    str(version.origin(entry.position)),
                    name,
                    entry.position,
                    entry.sample_id,
                    origin.commit if origin else None,
                    origin.date if origin else None,
                    origin.author if origin else None,
                    statements[origin.commit] if origin else Stated(None, None),
                )
            )
    for name, version in sorted(versions.items()):
        if version.invalid:
            notes.append(f"{name}: {len(version.invalid)} invalid records skipped")
    unstated = [
        line for line in lines if line.commit is not None and line.stated.key == NO_STATEMENT
    ]
    later = _stated_since(history, unstated)
    return Blame(
        path,
        revision,
        commit,
        tuple(lines),
        _composition(lines),
        len(unstated),
        sum(1 for line in lines if line.commit is None),
        tuple(dict.fromkeys(notes)),
        len(unstated) - sum(later.values()),
        tuple(later),
    )


def _stated_since(history: Sequence[CommitInfo], unstated: list[BlameLine]) -> Counter[str]:
    """The commits stating no behaviour that are newer than the oldest commit of the history
    that states one (made with --no-verify, or without the hooks), with how many samples each
    introduced. The samples of the others predate any statement."""
    order = {info.commit: index for index, info in enumerate(history)}  # newest first
    stating = [index for index, info in enumerate(history) if info.commit_message.values()]
    if not stating:
        return Counter()
    oldest = max(stating)
    return Counter(
        line.commit
        for line in unstated
        if line.commit is not None and order.get(line.commit, oldest) < oldest
    )


def _composition(lines: Sequence[BlameLine]) -> tuple[Composition, ...]:
    samples: Counter[str] = Counter()
    commits: dict[str, dict[str, None]] = {}
    statements: dict[str, str | None] = {}
    for line in lines:
        key = line.stated.key if line.commit is not None else "(unknown origin)"
        samples[key] += 1
        statements.setdefault(key, line.stated.statement)
        if line.commit is not None:
            commits.setdefault(key, {})[line.commit] = None
    return tuple(
        Composition(key, statements[key], count, tuple(commits.get(key, {})))
        for key, count in sorted(samples.items(), key=lambda item: (-item[1], item[0]))
    )
