"""Which datasets a state of the repository has, and which paths could change one.

A state is listed as {dataset path: item}: a file in git (its blob id), a DVC output declared by
a `.dvc` pointer or a `dvc.lock` (its md5), or a DVC-tracked directory, opened into its shards
only where its manifest changed. In the index and the work tree, only what git tracks counts
(and the DVC outputs of the pointers it tracks): an untracked file is a dataset only when a
`datasets` entry names it by path, or when the user asks for untracked files; the others that
would be datasets are counted, so the user can be told. Ignored files are never looked at.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from datatenet.config import Settings, glob_match
from datatenet.errors import DatatenetError, InputError
from datatenet.repo.revisions import State
from datatenet.sources import dvc
from datatenet.sources.git import WorktreeListing

DATASET_INFO = "dataset_info.json"
Side = Literal["base", "head", ""]  # "": not yet known (a problem found while listing)
ItemStorage = Literal["git", "dvc"]


@dataclass(frozen=True)
class Unavailable:
    """A dataset whose content cannot be had here (DVC or LFS content not fetched)."""

    path: str
    side: Side
    reason: str
    fetch: str | None  # the command that would make it available


@dataclass(frozen=True)
class Failure:
    """A dataset that cannot be read as it is (it does not parse, a conflict is unresolved)."""

    path: str
    side: Side
    message: str
    hint: str

    def error(self) -> DatatenetError:
        return InputError(self.message, self.hint)


Problem = Unavailable | Failure


@dataclass
class Item:
    """One dataset (or a not yet opened DVC directory) in one state."""

    path: str
    storage: ItemStorage
    address: str | None = None  # None: on disk, hashed when needed
    oid: str | None = None  # git blob to read
    disk: bool = False  # read from the work tree
    out: dvc.DvcOut | None = None
    md5: str | None = None
    containers: tuple[str, ...] = ()
    info: tuple[str | None, str] | None = None  # dataset_info.json beside it: (oid, path)
    problem: Problem | None = None
    directory: bool = False  # a DVC directory, opened into shards only if it changed


@dataclass(frozen=True)
class StateFiles:
    """The regular files of a state that git tracks -> blob id (None: read it from disk in the
    work tree; unmerged in the index), and the untracked files left out."""

    files: Mapping[str, str | None]
    untracked: tuple[str, ...] = ()  # untracked, not ignored, not included


# -- which paths could change a dataset --------------------------------------------------------


def is_data_path(path: str, settings: Settings) -> bool:
    """Could a change to this path change a watched dataset? Decided from the name alone:
    data files, `.dvc` pointers, `dvc.lock` and LLaMA-Factory `dataset_info.json`."""
    if dvc.is_pointer(path) or dvc.is_lock(path):
        return True
    return posixpath.basename(path) == DATASET_INFO or settings.is_dataset(path)


def touches_data(paths: Iterable[str], settings: Settings) -> bool:
    """Could these changed paths change a watched dataset? (Cheap: no file is read.)"""
    return any(is_data_path(path, settings) for path in paths)


def touches(paths: Iterable[str], names: set[str]) -> bool:
    """Could a commit that changed `paths` change one of the datasets `names`?"""
    for path in paths:
        # a pointer may name any output path: every pointer change is a candidate
        if dvc.is_pointer(path) or dvc.is_lock(path):
            return True
        if posixpath.basename(path) == DATASET_INFO:
            return True
        if any(path == name or path.startswith(name + "/") for name in names):
            return True
    return False


def dataset_path(path: str) -> str:
    """A path as the user named it; a `.dvc` pointer names the output it tracks."""
    path = path.strip("/")
    return path[: -len(dvc.POINTER_SUFFIX)] if dvc.is_pointer(path) else path


def selected(paths: Iterable[str], *candidates: str) -> bool:
    """Does a user-given path (a file, a directory or a glob) name one of the candidates?"""
    for given in paths:
        for candidate in candidates:
            if not given or candidate == given or candidate.startswith(given + "/"):
                return True
            if any(c in given for c in "*?[") and glob_match(given, candidate):
                return True
    return False


def _below(given: str, directory: str) -> bool:
    """Is the user-given path inside `directory` (so part of a DVC-tracked directory)?"""
    return given.startswith(directory + "/")


def would_be_dataset(path: str, settings: Settings) -> bool:
    """Would this untracked file be a dataset, or declare one, once git tracks it?"""
    if dvc.is_pointer(path) or dvc.is_lock(path):
        return True
    return posixpath.basename(path) != DATASET_INFO and settings.is_dataset(path)


def worktree_files(
    root: Path, listing: WorktreeListing, settings: Settings, include_untracked: bool
) -> StateFiles:
    """The files of the work tree: what git tracks (changed files are read from disk), and the
    untracked files only when included or named in `datasets`."""
    files = {p: oid for p, oid in listing.index.items() if p not in listing.deleted}
    for path in listing.changed - listing.deleted:
        files[path] = None
    left_out: list[str] = []
    for path in listing.untracked:
        if include_untracked or settings.names(path):
            files[path] = None
        else:
            left_out.append(path)
    present = {p: oid for p, oid in files.items() if oid is not None or (root / p).is_file()}
    return StateFiles(present, tuple(left_out))


# -- the datasets of a state --------------------------------------------------------------------

ReadFile = Callable[[State, str, "str | None"], "bytes | None"]
ReadManifest = Callable[[dvc.DvcOut], "list[dvc.ManifestEntry] | Problem"]


class Lister:
    """Lists the datasets of a state from its files, reading the pointers that declare DVC
    outputs (`read`) and, where a tracked directory changed, its manifest (`manifest`)."""

    def __init__(
        self, root: Path, settings: Settings, read: ReadFile, manifest: ReadManifest
    ) -> None:
        self.root = root
        self.settings = settings
        self._read = read
        self._manifest = manifest

    def items(
        self,
        state: State,
        files: Mapping[str, str | None],
        paths: Sequence[str] = (),
        *,
        any_file: bool = False,
    ) -> dict[str, Item]:
        """The datasets of `state` (under `paths`, when given). `any_file`: every file under
        `paths` counts, dataset or not (to read one path at a state)."""
        items: dict[str, Item] = {}
        for path, oid in files.items():
            if dvc.is_pointer(path) or dvc.is_lock(path):
                self._add_outs(state, path, oid, paths, items, any_file)
                continue
            name = posixpath.basename(path)
            wanted = any_file or (name != DATASET_INFO and self.settings.is_dataset(path))
            if not wanted or (paths and not selected(paths, path)):
                continue
            item = Item(path, "git", oid=oid, disk=oid is None and state.kind == "worktree")
            if oid is not None:
                item.address = "git:" + oid
            elif not item.disk:
                item.problem = Failure(
                    path,
                    "",
                    f"{path}: unmerged (a merge conflict is not resolved)",
                    f"resolve the conflict, then `git add {path}`",
                )
            info = posixpath.join(posixpath.dirname(path), DATASET_INFO)
            if info in files:
                item.info = (files[info], info)
            items[path] = item
        return items

    def _add_outs(
        self,
        state: State,
        pointer: str,
        oid: str | None,
        paths: Sequence[str],
        items: dict[str, Item],
        any_file: bool,
    ) -> None:
        data = self._read(state, pointer, oid)
        if data is None:
            return
        try:
            parse = dvc.parse_pointer if dvc.is_pointer(pointer) else dvc.parse_lock
            outs = parse(data, pointer)
        except DatatenetError as exc:
            items[pointer] = Item(
                pointer, "dvc", problem=Failure(pointer, "", exc.message, exc.hint)
            )
            return
        for out in outs:
            if out.path.startswith(("/", "../")) or "://" in out.path:
                continue  # an external output, outside the repository
            if paths and not (
                selected(paths, out.path, pointer) or any(_below(p, out.path) for p in paths)
            ):
                continue
            on_disk = self.root / out.path
            if out.is_dir:
                if state.kind == "worktree" and on_disk.is_dir():
                    self._walk(out, paths, items, any_file)
                else:
                    items[out.path] = Item(
                        out.path,
                        "dvc",
                        address=md5_address(out.md5, out.legacy, "dir") if out.md5 else None,
                        out=out,
                        md5=out.md5,
                        containers=(pointer,),
                        directory=True,
                    )
                continue
            if not any_file and not self.settings.is_dataset(out.path, (pointer,)):
                continue
            item = Item(out.path, "dvc", out=out, md5=out.md5, containers=(pointer,))
            if state.kind == "worktree" and on_disk.is_file():
                item.disk = True
            elif out.md5:
                item.address = md5_address(out.md5, out.legacy)
            else:
                item.problem = Unavailable(
                    out.path, "", f"{pointer} records no hash for it", "dvc commit " + pointer
                )
            items[out.path] = item

    def _walk(
        self, out: dvc.DvcOut, paths: Sequence[str], items: dict[str, Item], any_file: bool
    ) -> None:
        top = self.root / out.path
        for directory, subdirs, names in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if d not in (".git", ".dvc"))
            for name in sorted(names):
                relative = Path(directory, name).relative_to(top).as_posix()
                self._add_shard(out, relative, None, paths, items, any_file)

    def _add_shard(
        self,
        out: dvc.DvcOut,
        relpath: str,
        md5: str | None,
        paths: Sequence[str],
        items: dict[str, Item],
        any_file: bool = False,
    ) -> None:
        path = posixpath.join(out.path, relpath)
        containers = (out.pointer, out.path)
        if not any_file and not self.settings.is_dataset(path, containers):
            return
        if paths and not selected(paths, path, *containers):
            return
        item = Item(path, "dvc", out=out, md5=md5, containers=containers, disk=md5 is None)
        if md5 is not None:
            item.address = md5_address(md5, out.legacy)
        items[path] = item

    def open_directories(
        self,
        base_items: dict[str, Item],
        head_items: dict[str, Item],
        paths: Sequence[str],
        any_file: bool = False,
    ) -> int:
        """Replace each DVC directory by its shards, unless it is the same on both sides
        (counted and returned: directories found unchanged)."""
        unchanged = 0
        for path in sorted({p for p, i in (base_items | head_items).items() if i.directory}):
            old, new = base_items.get(path), head_items.get(path)
            if (
                old
                and new
                and old.directory
                and new.directory
                and old.address is not None
                and old.address == new.address
            ):
                del base_items[path], head_items[path]
                unchanged += 1
                continue
            for items in (base_items, head_items):
                item = items.get(path)
                if item is not None and item.directory:
                    self._expand(items.pop(path), paths, items, any_file)
            # a side whose manifest cannot be had hides the other side's shards: they are
            # not deleted, their counterpart is unknown
            for items, other in ((base_items, head_items), (head_items, base_items)):
                if path in items and items[path].problem is not None:
                    for inner in [p for p in other if p.startswith(path + "/")]:
                        del other[inner]
        return unchanged

    def _expand(
        self, item: Item, paths: Sequence[str], items: dict[str, Item], any_file: bool
    ) -> None:
        out = item.out
        assert out is not None
        manifest = self._manifest(out)
        if not isinstance(manifest, list):
            item.problem = manifest
            item.directory = False
            items[out.path] = item
            return
        for entry in manifest:
            self._add_shard(out, entry.relpath, entry.md5, paths, items, any_file)


def md5_address(md5: str, legacy: bool, kind: str = "") -> str:
    return f"md5{'-d2u' if legacy else ''}{'-' + kind if kind else ''}:{md5}"
