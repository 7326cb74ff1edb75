"""A revision's data on disk for CMD: a temporary linked work tree, or an export directory.

The work tree (`repo/checkouts.py`) is made under the git directory and holds the whole revision
(code too: CMD may need it) with its data; making and removing one is never cut short by a
signal (`runner.deferred_interrupts`). An export holds only the watched dataset files.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet.bisect.datasets import DataReader, DataState
from datatenet.bisect.runner import deferred_interrupts
from datatenet.errors import DatatenetError
from datatenet.repo import checkouts

if TYPE_CHECKING:
    from datatenet.repo.repository import Repo

EXPORT_MARK = ".datatenet-export"


@dataclass(frozen=True)
class Materialised:
    path: Path  # the worktree, or the export directory
    commit: str
    datasets: tuple[Path, ...]  # the watched dataset files in it
    missing: tuple[str, ...]  # watched datasets whose content could not be had, and why


def create(repo: Repo, place: Path, data: DataState) -> Materialised:
    """A new worktree at the state's commit, with its data."""
    path = place / f"{data.commit[:10]}-{uuid.uuid4().hex[:6]}"
    with deferred_interrupts():
        made = checkouts.add(repo, path, data.state, {f.path: f for f in data.files})
    return Materialised(
        path,
        data.commit,
        tuple(path / p for p in made.datasets),
        made.missing + data.problems,
    )


def remove(repo: Repo, path: Path) -> None:
    """Remove a worktree made by `create`, whatever CMD left in it; never half-way."""
    with deferred_interrupts():
        checkouts.remove(repo, path)


@contextlib.contextmanager
def temporary(repo: Repo, place: Path, data: DataState) -> Iterator[Materialised]:
    """A worktree for the length of one probe, removed however the probe ends."""
    made = create(repo, place, data)
    try:
        yield made
    finally:
        remove(repo, made.path)


def write_files(worktree: Path, contents: Mapping[str, bytes | None]) -> None:
    """Replace dataset files of a worktree (None deletes one). A file is unlinked first: even
    a link into a cache would then never be written through."""
    for relative, data in contents.items():
        target = worktree / relative
        target.unlink(missing_ok=True)
        if data is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def export(data: DataState, reader: DataReader, directory: Path) -> Materialised:
    """Write the watched dataset files of a revision under `directory` (their repository
    paths kept). The directory must be new, empty, or an earlier export (then it is emptied)."""
    _prepare_export(directory)
    # marked first: an export cut short can still be replaced by the next one
    (directory / EXPORT_MARK).write_text(data.commit + "\n", encoding="utf-8")
    written: list[Path] = []
    missing: list[str] = list(data.problems)
    for file in data.files:
        content = reader.read(data, file)
        if isinstance(content, str):
            missing.append(content)
            continue
        target = directory / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(target)
    return Materialised(directory, data.commit, tuple(written), tuple(missing))


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
