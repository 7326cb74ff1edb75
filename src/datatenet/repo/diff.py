"""Diff the watched datasets of a repository between two states (like DVC's repo/diff.py).

Each state is listed (`repo/tree.py`) as {dataset path: content address}; only paths whose
address differs are read (`repo/store.py`), so an unchanged dataset costs nothing. Renames pair
the old path with the new one: git's rename detection first, then equal content. What cannot be
read is reported beside the changes, never raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from datatenet.diff import ChangeSet, diff_versions
from datatenet.formats.load import LoadOptions
from datatenet.repo.revisions import State
from datatenet.repo.tree import (
    Failure,
    Item,
    Side,
    StateFiles,
    Unavailable,
    selected,
    would_be_dataset,
)
from datatenet.sources import dvc
from datatenet.version import Version

if TYPE_CHECKING:
    from datatenet.config import Settings
    from datatenet.repo.store import VersionStore
    from datatenet.sources.git import PathChange

DatasetStatus = Literal["added", "deleted", "modified", "renamed"]
Storage = Literal["git", "git-lfs", "dvc"]
_RENAME_PATHSPEC_LIMIT = 500


@dataclass(frozen=True)
class ChangedDataset:
    """One dataset whose samples may have changed between the two states of a repository
    diff: where it is, how it is stored, and its change set (samples added, removed, ...)."""

    path: str  # the path in head (in base for a deleted dataset)
    old_path: str | None  # the path in base, for a rename
    status: DatasetStatus
    storage: Storage
    changeset: ChangeSet


@dataclass(frozen=True)
class RepoDiff:
    root: Path
    base: State
    head: State
    changes: tuple[ChangedDataset, ...]
    renames: tuple[tuple[str, str], ...]  # (old path, new path), edited or not
    unavailable: tuple[Unavailable, ...]
    failures: tuple[Failure, ...]
    unchanged: int  # datasets compared and found the same (not those behind unchanged pointers)
    parsed: int  # versions parsed for this diff
    cached: int  # versions served by the id cache
    untracked: tuple[str, ...] = ()  # untracked files that would be datasets, left out

    @property
    def changesets(self) -> list[ChangeSet]:
        return [change.changeset for change in self.changes]

    @property
    def totals(self) -> tuple[int, int, int]:
        """Samples added, removed and modified, over all datasets."""
        summaries = [change.changeset.summary for change in self.changes]
        return (
            sum(s.added for s in summaries),
            sum(s.removed for s in summaries),
            sum(s.modified for s in summaries),
        )

    @property
    def is_empty(self) -> bool:
        """Nothing changed and nothing went unread."""
        return not (self.changes or self.unavailable or self.failures)


class DiffSource(Protocol):
    """What a diff asks of the repository (`repo/repository.py: Repo` answers it)."""

    @property
    def root(self) -> Path: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def store(self) -> VersionStore: ...
    def files(self, state: State, *, include_untracked: bool = False) -> StateFiles: ...
    def changed_paths(self, base: State, head: State, specs: Sequence[str]) -> list[PathChange]: ...


@dataclass
class _Pair:
    base: Item | None
    head: Item | None
    status: DatasetStatus


def diff_states(
    repo: DiffSource,
    base: State,
    head: State,
    paths: tuple[str, ...] = (),
    *,
    options: LoadOptions | None = None,
    include_untracked: bool = False,
) -> RepoDiff:
    """Every watched dataset between two states (under `paths`, when given: files,
    directories, globs or `.dvc` pointers)."""
    store = repo.store
    parsed, cached = store.parsed, store.cached
    base_listing = repo.files(base, include_untracked=include_untracked)
    head_listing = repo.files(head, include_untracked=include_untracked)
    base_files, head_files = dict(base_listing.files), dict(head_listing.files)
    if base.kind != "worktree" and head.kind != "worktree":
        # a pointer staged or committed unchanged declares the same outputs: skip it
        for path in [p for p in base_files if dvc.is_pointer(p) or dvc.is_lock(p)]:
            oid = base_files[path]
            if oid is not None and head_files.get(path) == oid:
                del base_files[path], head_files[path]
    base_items = store.lister.items(base, base_files, paths)
    head_items = store.lister.items(head, head_files, paths)
    unchanged = store.lister.open_directories(base_items, head_items, paths)
    pairs: list[_Pair] = []
    for path in sorted(base_items.keys() | head_items.keys()):
        old, new = base_items.get(path), head_items.get(path)
        if old is not None and new is not None:
            if _same(repo, old, new):
                unchanged += 1
            else:
                pairs.append(_Pair(old, new, "modified"))
        elif old is not None:
            pairs.append(_Pair(old, None, "deleted"))
        elif new is not None:
            pairs.append(_Pair(None, new, "added"))
    pairs = _pair_renames(repo, base, head, pairs)
    changes: list[ChangedDataset] = []
    unavailable: list[Unavailable] = []
    failures: list[Failure] = []
    for pair in pairs:
        versions: list[Version] = []
        sides: tuple[tuple[Side, State, Item | None, Item | None], ...] = (
            ("base", base, pair.base, pair.head),
            ("head", head, pair.head, pair.base),
        )
        for side, state, item, other in sides:
            if item is None:
                assert other is not None
                versions.append(Version(other.path, "none", "empty", "line"))
                continue
            loaded = store.load(state, item, options or LoadOptions())
            if isinstance(loaded, Unavailable):
                unavailable.append(Unavailable(loaded.path, side, loaded.reason, loaded.fetch))
            elif isinstance(loaded, Failure):
                failures.append(Failure(loaded.path, side, loaded.message, loaded.hint))
            else:
                versions.append(loaded)
        if len(versions) != 2:
            continue
        current = _item(pair)
        storage: Storage = "git-lfs" if current.path in store.lfs else current.storage
        old_path = pair.base.path if pair.status == "renamed" and pair.base else None
        changes.append(
            ChangedDataset(current.path, old_path, pair.status, storage, diff_versions(*versions))
        )
    renames = tuple((c.old_path, c.path) for c in changes if c.old_path is not None)
    return RepoDiff(
        repo.root,
        base,
        head,
        tuple(changes),
        renames,
        tuple(unavailable),
        tuple(failures),
        unchanged,
        store.parsed - parsed,
        store.cached - cached,
        _left_out(repo, (base_listing, head_listing), paths, base_items.keys() | head_items),
    )


def _left_out(
    repo: DiffSource, listings: tuple[StateFiles, ...], paths: tuple[str, ...], listed: set[str]
) -> tuple[str, ...]:
    """The untracked files that would be datasets (under `paths`), not compared."""
    found = {
        path
        for listing in listings
        for path in listing.untracked
        if path not in listed
        and (not paths or selected(paths, path))
        and would_be_dataset(path, repo.settings)
    }
    return tuple(sorted(found))


def _same(repo: DiffSource, old: Item, new: Item) -> bool:
    a, b = repo.store.address(old), repo.store.address(new)
    if a is None or b is None:
        return False
    if a == b:
        return True
    # DVC 2 and DVC 3 spell the same md5 differently; equal digits mean equal content
    return a.startswith("md5") and b.startswith("md5") and _digits(a) == _digits(b)


def _digits(address: str) -> str:
    """The hash of an address without its kind, for equal-content rename pairing."""
    kind, _, digits = address.partition(":")
    return digits if kind.startswith("md5") else address


def _pair_renames(repo: DiffSource, base: State, head: State, pairs: list[_Pair]) -> list[_Pair]:
    deleted = {p.base.path: p for p in pairs if p.status == "deleted" and p.base}
    added = {p.head.path: p for p in pairs if p.status == "added" and p.head}
    if not deleted or not added:
        return pairs
    renamed: list[tuple[str, str]] = []
    git_deleted = [path for path, pair in deleted.items() if _item(pair).storage == "git"]
    git_added = [path for path, pair in added.items() if _item(pair).storage == "git"]
    if git_deleted and git_added:
        specs = [f":(literal){p}" for p in (*git_deleted, *git_added)]
        if len(specs) > _RENAME_PATHSPEC_LIMIT:
            specs = []
        for change in repo.changed_paths(base, head, specs):
            if change.status == "R" and change.old_path in deleted and change.path in added:
                renamed.append((change.old_path, change.path))
    taken = {old for old, _ in renamed} | {new for _, new in renamed}
    by_address: dict[str, list[str]] = {}
    for path, pair in deleted.items():
        assert pair.base is not None
        address = repo.store.address(pair.base)
        if path not in taken and address is not None:
            by_address.setdefault(_digits(address), []).append(path)
    for path, pair in added.items():
        assert pair.head is not None
        address = repo.store.address(pair.head)
        if path in taken or address is None:
            continue
        candidates = by_address.get(_digits(address))
        if candidates:
            renamed.append((candidates.pop(0), path))
    if not renamed:
        return pairs
    gone = {old for old, _ in renamed} | {new for _, new in renamed}
    kept = [pair for pair in pairs if _item(pair).path not in gone]
    for old, new in renamed:
        kept.append(_Pair(deleted[old].base, added[new].head, "renamed"))
    return sorted(kept, key=lambda pair: _item(pair).path)


def _item(pair: _Pair) -> Item:
    item = pair.head or pair.base
    assert item is not None
    return item
