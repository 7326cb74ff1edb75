"""The watched datasets of a revision: which files, their content addresses, their bytes.

A revision's data is named by one key, a hash of the content addresses of its watched
datasets (git blob ids, DVC md5s): two revisions with the same key hold the same data, so a
probe's verdict holds for both and CMD never runs twice on the same data. Only git objects, DVC
pointers and the local DVC cache are read (a remote is asked only for an object the cache lacks);
nothing is ever written to the cache.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from datatenet.config import Settings, glob_match
from datatenet.errors import DatatenetError
from datatenet.sources import dvc, git

DATASET_INFO = "dataset_info.json"


@dataclass(frozen=True)
class DataFile:
    """One watched dataset file at one revision."""

    path: str  # repository-relative POSIX path
    storage: str  # "git" or "dvc"
    address: str  # "git:<blob id>" or "md5:<md5>"
    oid: str | None = None  # the git blob
    out: dvc.DvcOut | None = None  # the DVC output it is (or is a shard of)
    md5: str | None = None


@dataclass(frozen=True)
class DataState:
    """The watched data of one revision."""

    commit: str
    files: tuple[DataFile, ...]
    parts: tuple[tuple[str, str], ...]  # (path, address): everything the key covers

    @property
    def key(self) -> str:
        digest = hashlib.blake2b(digest_size=16)
        for path, address in self.parts:
            digest.update(f"{path}\0{address}\n".encode())
        return digest.hexdigest()

    def file(self, path: str) -> DataFile | None:
        return next((f for f in self.files if f.path == path), None)


def selected(selection: Sequence[str], *candidates: str) -> bool:
    """Does a user-given path (a file, a directory, a glob or a `.dvc` pointer) name one of the
    candidates? An empty selection names everything."""
    if not selection:
        return True
    for given in selection:
        given = given.strip("/")
        if dvc.is_pointer(given):
            given = given[: -len(dvc.POINTER_SUFFIX)]
        for candidate in candidates:
            if not given or candidate == given or candidate.startswith(given + "/"):
                return True
            if any(c in given for c in "*?[") and glob_match(given, candidate):
                return True
    return False


class DataReader:
    """Lists and reads the watched datasets of revisions, through one `git cat-file` process."""

    def __init__(self, root: Path, settings: Settings, selection: Sequence[str] = ()) -> None:
        self.root = root
        self.settings = settings
        self.selection = tuple(selection)
        self._blobs = git.BlobReader(root)
        self._dvc_cache: Path | None = None
        self._states: dict[str, DataState] = {}

    def close(self) -> None:
        self._blobs.close()

    def __enter__(self) -> DataReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def dvc_cache(self) -> Path:
        if self._dvc_cache is None:
            self._dvc_cache = dvc.cache_dir(self.root)
        return self._dvc_cache

    def state(self, commit: str) -> DataState:
        """The watched datasets of a commit (a full commit id)."""
        known = self._states.get(commit)
        if known is None:
            known = self._states[commit] = self._list(commit)
        return known

    def _list(self, commit: str) -> DataState:
        tree = git.list_revision(self.root, commit)
        files: list[DataFile] = []
        parts: list[tuple[str, str]] = []
        for path, oid in sorted(tree.items()):
            if dvc.is_pointer(path) or dvc.is_lock(path):
                found, unopened = self._outs(path, oid)
                files += found
                parts += unopened
            elif (
                posixpath.basename(path) != DATASET_INFO
                and self.settings.is_dataset(path)
                and selected(self.selection, path)
            ):
                files.append(DataFile(path, "git", "git:" + oid, oid=oid))
        parts += [(f.path, f.address) for f in files]
        # a dataset_info.json beside a dataset decides how its columns are read
        folders = {posixpath.dirname(f.path) for f in files}
        for path, oid in tree.items():
            if posixpath.basename(path) == DATASET_INFO and posixpath.dirname(path) in folders:
                parts.append((path, "git:" + oid))
        return DataState(commit, tuple(sorted(files, key=lambda f: f.path)), tuple(sorted(parts)))

    def _outs(self, pointer: str, oid: str) -> tuple[list[DataFile], list[tuple[str, str]]]:
        data = self._blobs.read(oid)
        if data is None:
            return [], [(pointer, "git:" + oid)]
        parse = dvc.parse_pointer if dvc.is_pointer(pointer) else dvc.parse_lock
        try:
            outs = parse(data, pointer)
        except DatatenetError:
            return [], [(pointer, "git:" + oid)]  # unreadable: its bytes still name the state
        files: list[DataFile] = []
        unopened: list[tuple[str, str]] = []
        for out in outs:
            if out.path.startswith(("/", "../")) or "://" in out.path or out.md5 is None:
                continue
            if not out.is_dir:
                if self.settings.is_dataset(out.path, (pointer,)) and selected(
                    self.selection, out.path, pointer
                ):
                    files.append(DataFile(out.path, "dvc", "md5:" + out.md5, out=out, md5=out.md5))
                continue
            if not (
                selected(self.selection, out.path, pointer)
                or any(s.strip("/").startswith(out.path + "/") for s in self.selection)
            ):
                continue
            manifest = dvc.read_object(self.dvc_cache, out.md5, is_dir=True, legacy=out.legacy)
            if manifest is None:
                unopened.append((out.path, f"md5-dir:{out.md5}"))
                continue
            for entry in dvc.parse_manifest(manifest, out.path):
                path = posixpath.join(out.path, entry.relpath)
                containers = (pointer, out.path)
                if self.settings.is_dataset(path, containers) and selected(
                    self.selection, path, *containers
                ):
                    files.append(DataFile(path, "dvc", "md5:" + entry.md5, out=out, md5=entry.md5))
        return files, unopened

    def read(self, file: DataFile, commit: str | None = None) -> bytes | None:
        """The bytes of a dataset file; None when they cannot be had here (a DVC object neither
        in the local cache nor on a remote, Git LFS content not fetched)."""
        if file.storage == "git":
            assert file.oid is not None
            data = self._blobs.read(file.oid)
            pointer = git.parse_lfs_pointer(data) if data is not None else None
            if pointer is None:
                return data
            stored = git.lfs_object(git.common_dir(self.root), pointer)
            return stored.read_bytes() if stored is not None else None
        assert file.out is not None and file.md5 is not None
        data = dvc.read_object(self.dvc_cache, file.md5, legacy=file.out.legacy)
        if data is None:
            data = dvc.read_remote(self.root, file.path, commit, file.md5, legacy=file.out.legacy)
        return data

    def fetch_hint(self, file: DataFile) -> str:
        if file.out is not None:
            return f"fetch it into the DVC cache first: `{file.out.fetch_command}`"
        return f"fetch it first: `{git.lfs_fetch_command(file.path)}`"
