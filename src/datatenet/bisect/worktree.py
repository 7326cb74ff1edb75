"""A revision's data on disk for CMD: a temporary git worktree, or an export directory.

The worktree is made with `git worktree add --detach` under the git directory and holds the
whole revision (code too: CMD may need it). DVC-tracked data is checked out into it from the
user's DVC cache through DVC's own API (`Repo.checkout`) with an in-memory configuration: the
cache is the user's, read only (files are copied, or reflinked, never hard- or symlinked, so
nothing CMD does in the worktree can reach the cache), and DVC's own state database goes into
the worktree, not into the machine-wide site cache. Nothing of the user's working tree, index,
HEAD, branch or stash is touched; removing the worktree leaves `git worktree list` as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from datatenet.bisect import gitops
from datatenet.bisect.datasets import DataFile, DataReader, DataState
from datatenet.bisect.runner import deferred_interrupts
from datatenet.errors import DatatenetError
from datatenet.sources import git

EXPORT_MARK = ".datatenet-export"
_LFS_POINTER_MAX = 1024


@dataclass(frozen=True)
class Materialised:
    path: Path  # the worktree, or the export directory
    commit: str
    datasets: tuple[Path, ...]  # the watched dataset files in it
    missing: tuple[str, ...]  # watched datasets whose content could not be had, with a hint


def create(root: Path, place: Path, state: DataState, reader: DataReader) -> Materialised:
    """A new worktree at the state's commit, with its DVC data checked out."""
    place.mkdir(parents=True, exist_ok=True)
    path = place / f"{state.commit[:10]}-{uuid.uuid4().hex[:6]}"
    with deferred_interrupts():
        try:
            gitops.worktree_add(root, path, state.commit)
        except BaseException:
            _remove(root, path)
            raise
    try:
        if any(f.storage == "dvc" for f in state.files):
            _checkout_dvc(path, reader.dvc_cache)
    except BaseException:
        remove(root, path)
        raise
    missing = tuple(f"{f.path} ({reader.fetch_hint(f)})" for f in state.files if _absent(path, f))
    return Materialised(path, state.commit, tuple(path / f.path for f in state.files), missing)


def _absent(worktree: Path, file: DataFile) -> bool:
    """Is the dataset file missing from the worktree, or only a Git LFS pointer to it?"""
    try:
        with (worktree / file.path).open("rb") as handle:
            start = handle.read(_LFS_POINTER_MAX + 1)
    except OSError:
        return True
    return file.storage == "git" and git.parse_lfs_pointer(start) is not None


def remove(root: Path, path: Path) -> None:
    """Remove a worktree made by `create`, whatever CMD left in it; never half-way."""
    with deferred_interrupts():
        _remove(root, path)


def _remove(root: Path, path: Path) -> None:
    admin = gitops.worktree_admin_dir(path)
    if not gitops.worktree_remove(root, path):
        # git no longer knows it, or its files are gone: remove what is left of both
        shutil.rmtree(path, ignore_errors=True)
        if admin is not None and admin.parent.name == "worktrees":
            shutil.rmtree(admin, ignore_errors=True)
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def temporary(
    root: Path, place: Path, state: DataState, reader: DataReader
) -> Iterator[Materialised]:
    """A worktree for the length of one probe, removed however the probe ends."""
    made = create(root, place, state, reader)
    try:
        yield made
    finally:
        remove(root, made.path)


def _checkout_dvc(worktree: Path, cache: Path) -> None:
    """`dvc checkout` in the worktree from the user's cache, without writing to the cache or
    to any configuration file; outputs whose objects are missing are left out."""
    if not (worktree / ".dvc").is_dir():
        return
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    config = {
        "cache": {"dir": str(cache), "type": "reflink,copy"},
        "core": {"site_cache_dir": str(worktree / ".dvc" / "tmp" / "site"), "analytics": False},
    }
    with _without_repository_variables(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # DVC's own, not the user's concern
        try:
            with Repo(str(worktree), config=config) as repo:
                repo.checkout(allow_missing=True, force=True)
        except DvcException:
            pass  # what could not be checked out is reported as missing by the caller


@contextlib.contextmanager
def _without_repository_variables() -> Iterator[None]:
    """DVC runs in this process: hide the variables that would point its git at the user's
    repository instead of the worktree."""
    saved = {k: os.environ.pop(k) for k in gitops.REPOSITORY_VARIABLES if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def write_files(worktree: Path, contents: Mapping[str, bytes | None]) -> None:
    """Replace dataset files of a worktree (None deletes one). A file is unlinked first: even
    a link into a cache would then never be written through."""
    for relative, data in contents.items():
        target = worktree / relative
        target.unlink(missing_ok=True)
        if data is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def export(state: DataState, reader: DataReader, directory: Path) -> Materialised:
    """Write the watched dataset files of a revision under `directory` (their repository
    paths kept). The directory must be new, empty, or an earlier export (then it is emptied)."""
    _prepare_export(directory)
    # marked first: an export cut short can still be replaced by the next one
    (directory / EXPORT_MARK).write_text(state.commit + "\n", encoding="utf-8")
    written: list[Path] = []
    missing: list[str] = []
    for file in state.files:
        data = reader.read(file, state.commit)
        if data is None:
            missing.append(f"{file.path} ({reader.fetch_hint(file)})")
            continue
        target = directory / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return Materialised(directory, state.commit, tuple(written), tuple(missing))


def _prepare_export(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise DatatenetError(f"--export: {directory} is a file", "name a directory")
    if directory.is_dir() and any(directory.iterdir()):
        if not (directory / EXPORT_MARK).is_file():
            raise DatatenetError(
                f"--export: {directory} is not empty",
                "name a new or empty directory (an earlier export there is replaced)",
            )
        for child in directory.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    directory.mkdir(parents=True, exist_ok=True)
