"""Data history: `log` (the data commits and what each says it reinforces) and `blame` (for
every sample of a version, the commit that introduced it and that commit's behaviour).

History is read once: one `git log` lists the commits with the paths each changed and its
`Reinforces:` trailers; only commits that touch watched data are diffed, each against its first
parent, and every version comes from the id cache after its first parse (a version shared by
two neighbouring commits is loaded once per run).

Blame works like `git blame`, by sample id: walking from the newest commit back, a commit that
added (or edited) a sample that is in the current version introduced it, one copy per addition.
Merge commits are skipped (their samples were introduced by the commits they merge) and only
consulted for samples no ordinary commit explains, e.g. a conflict resolved with new data.
"""

from __future__ import annotations

import os
import posixpath
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet import intent
from datatenet.config import Settings, load_settings
from datatenet.idcache import CachedVersion, IdCache
from datatenet.sources import dvc, git

if TYPE_CHECKING:
    from datatenet.repo.analyses import AnalyseDiff as Analyse
    from datatenet.repo_diff import DatasetChange, RepoDiff
    from datatenet.version import Version

NO_STATEMENT = "(no statement)"
_FORMAT = (
    "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f"
    "%(trailers:key=Reinforces,unfold,separator=%x1d)%x1f%B%x1f"
)


@dataclass(frozen=True)
class CommitInfo:
    commit: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: str  # author date, ISO 8601
    trailers: tuple[intent.Trailer, ...]  # the Reinforces trailers, as git parsed them
    message: str
    paths: tuple[str, ...]  # what it changed against its first parent

    @property
    def subject(self) -> str:
        return self.message.strip().split("\n", 1)[0] if self.message.strip() else ""

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def intent(self) -> intent.Message:
        return intent.Message(self.message, self.trailers)


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
    status: str
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


class MemoCache(IdCache):
    """The id cache, remembering in memory what this run loaded (neighbouring commits share
    versions: the head of one is the base of the next)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self._memo: dict[tuple[str, str], CachedVersion] = {}

    def get(self, address: str, options: str) -> CachedVersion | None:
        found = self._memo.get((address, options))
        if found is None:
            found = super().get(address, options)
            if found is not None:
                self._memo[(address, options)] = found
        return found

    def put(self, address: str, options: str, version: Version) -> bool:
        self._memo[(address, options)] = CachedVersion(
            version.file_format,
            version.schema,
            version.position_kind,
            version.entries,
            version.invalid,
        )
        return super().put(address, options, version)


# -- walking history -------------------------------------------------------------------------


def walk(root: Path, revisions: Sequence[str]) -> list[CommitInfo]:
    """Commits reachable as `git log REVISIONS` says, newest first (topological order), each
    with the paths it changed against its first parent and its `Reinforces:` trailers."""
    out = git.run(
        root,
        "log",
        "-z",
        "--topo-order",
        "--name-only",
        "--no-renames",
        "--diff-merges=first-parent",
        f"--format={_FORMAT}",
        *revisions,
        "--",
    )
    commits: list[CommitInfo] = []
    for chunk in out.split(b"\x1e")[1:]:
        end = chunk.rfind(b"\x1f")
        header, rest = chunk[:end], chunk[end + 1 :]
        fields = header.decode("utf-8", "replace").split("\x1f", 6)
        if len(fields) < 7:
            continue
        commit, parents, author, email, date, trailers, message = fields
        paths = tuple(os.fsdecode(p) for p in rest.lstrip(b"\0\n").split(b"\0") if p)
        commits.append(
            CommitInfo(
                commit,
                tuple(parents.split()),
                author,
                email,
                date,
                _trailers(trailers),
                message,
                paths,
            )
        )
    return commits


def _trailers(text: str) -> tuple[intent.Trailer, ...]:
    found: list[intent.Trailer] = []
    for item in text.split("\x1d"):
        key, separator, value = item.partition(":")
        if separator:
            found.append(intent.Trailer(key.strip(), value.strip()))
    return tuple(found)


def touches_data(paths: Sequence[str], settings: Settings) -> bool:
    """Could these changed paths change a watched dataset? (Cheap: no file is read.)"""
    return any(_data_path(path, settings) for path in paths)


def _data_path(path: str, settings: Settings) -> bool:
    name = posixpath.basename(path)
    return (
        dvc.is_pointer(path)
        or dvc.is_lock(path)
        or name == "dataset_info.json"
        or settings.is_dataset(path)
    )


def _touches(paths: Sequence[str], names: set[str]) -> bool:
    """Does a commit that changed `paths` touch one of the datasets `names` (or its pointer)?"""
    for path in paths:
        # a pointer may name any output path: every pointer change is a candidate
        if dvc.is_pointer(path) or dvc.is_lock(path):
            return True
        if posixpath.basename(path) == "dataset_info.json":
            return True
        if any(path == name or path.startswith(name + "/") for name in names):
            return True
    return False


def stated(message: intent.Message, rules: intent.Rules) -> Stated:
    """What a committed message states: the registry id it names, or its statement."""
    values = list(dict.fromkeys(" ".join(v.split()) for v in message.values()))
    values = [v for v in values if v]
    if not values:
        return Stated(None, None)
    matches = [intent.registry_match(v, rules.behaviours) for v in values]
    if len(values) == 1 and matches[0] is not None:
        return Stated(matches[0].statement, matches[0].id)
    return Stated(" | ".join(values), None)


def diff_commits(
    root: Path, commits: Sequence[CommitInfo], settings: Settings, cache: IdCache | None
) -> Iterator[tuple[CommitInfo, RepoDiff]]:
    """Each commit diffed against its first parent (the empty tree for a root commit)."""
    from datatenet.repo_diff import diff_repository

    empty: str | None = None
    for info in commits:
        if info.parents:
            base = info.parents[0]
        else:
            empty = empty or git.empty_tree(root)
            base = empty
        yield info, diff_repository(root, base, info.commit, settings=settings, cache=cache)


def rules_for(settings: Settings) -> intent.Rules:
    where = str(settings.source.name) if settings.source else "config"
    return intent.rules_from_config(settings.commit, settings.behaviours, where)


def memo_cache(root: Path) -> MemoCache:
    from datatenet.idcache import IDS_DIR, cache_root

    return MemoCache(cache_root(root) / IDS_DIR)


def _counts(change: DatasetChange) -> DatasetCounts:
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


# -- log -------------------------------------------------------------------------------------


def log(
    root: Path,
    path: str | None = None,
    *,
    revision: str = "HEAD",
    settings: Settings | None = None,
    analyse: Analyse | None = None,
) -> list[LogEntry]:
    """The data commits reachable from `revision`, newest first: who, when, what it states,
    and how many samples it added, removed and modified (in `path` only, when given).

    Merge commits are left out: the commits they bring in are listed themselves. With
    `analyse`, each entry counts the findings of its commit (in `path` only, when given)."""
    settings = settings if settings is not None else load_settings(root)
    if not git.has_commits(root):
        return []
    rules = rules_for(settings)
    names = {_dataset_path(path)} if path else None
    candidates = [
        info
        for info in walk(root, [revision])
        if not info.is_merge
        and (
            _touches(info.paths, names) if names is not None else touches_data(info.paths, settings)
        )
    ]
    entries: list[LogEntry] = []
    for info, diff in diff_commits(root, candidates, settings, memo_cache(root)):
        changes = [c for c in diff.changes if names is None or _selected(c, names)]
        unreadable = [f.message for f in diff.failures] + [
            f"{u.path} ({u.side}): {u.reason}" for u in diff.unavailable
        ]
        if not changes and not unreadable:
            continue
        counts = tuple(_counts(c) for c in changes)
        findings = 0
        if analyse is not None and changes:
            analyses = analyse(diff)
            findings = sum(
                len(analysis.findings)
                for change, analysis in zip(diff.changes, analyses, strict=True)
                if change in changes
            )
        entries.append(
            LogEntry(
                info.commit,
                info.date,
                info.author,
                info.subject,
                stated(info.intent, rules),
                sum(c.added for c in counts),
                sum(c.removed for c in counts),
                sum(c.modified for c in counts),
                counts,
                findings,
                tuple(unreadable),
            )
        )
    return entries


def _dataset_path(path: str) -> str:
    """A path as the user named it; a `.dvc` pointer names the output it tracks."""
    path = path.strip("/")
    return path[: -len(dvc.POINTER_SUFFIX)] if dvc.is_pointer(path) else path


def _selected(change: DatasetChange, names: set[str]) -> bool:
    for candidate in (change.path, change.old_path):
        if candidate is None:
            continue
        if any(candidate == n or candidate.startswith(n + "/") for n in names):
            return True
    return False


# -- blame -----------------------------------------------------------------------------------


def blame(
    root: Path, path: str, *, revision: str = "HEAD", settings: Settings | None = None
) -> Blame:
    """For every sample of the datasets at `path` (a file, a DVC output or a directory) in
    `revision`: the commit that introduced it and the behaviour that commit states."""
    from datatenet.errors import DatatenetError
    from datatenet.repo_diff import diff_repository

    settings = settings if settings is not None else load_settings(root)
    rules = rules_for(settings)
    path = _dataset_path(path)
    commit = git.resolve_revision(root, revision)
    cache = memo_cache(root)
    current = diff_repository(
        root, git.empty_tree(root), commit, (path,), settings=settings, cache=cache
    )
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
    history = walk(root, [commit])
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

    for info in history:
        if not remaining():
            break
        if info.is_merge:
            merges.append(info)
            continue
        if not _touches(info.paths, set(owner)):
            continue
        for _, diff in diff_commits(root, [info], settings, cache):
            attribute(info, diff)
    for info in merges:
        if not remaining():
            break
        if _touches(info.paths, set(owner)):
            for _, diff in diff_commits(root, [info], settings, cache):
                attribute(info, diff)

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
                statements[origin.commit] = stated(origin.intent, rules)
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
    return Blame(
        path,
        revision,
        commit,
        tuple(lines),
        _composition(lines),
        sum(1 for line in lines if line.commit is not None and line.stated.key == NO_STATEMENT),
        sum(1 for line in lines if line.commit is None),
        tuple(dict.fromkeys(notes)),
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
