"""Linked work trees that hold one commit and its data, for a command that runs something on a
revision (bisect's probes), made where the caller says and removed with whatever was left in
them.

The commit is checked out with `git worktree add --detach` (hooks off), its DVC data from the
user's cache through DVC's own checkout, read only (`sources/dvc.py: checkout`). A watched
dataset the checkout could not supply (Git LFS content not smudged, a DVC object only on the
remote) is then written from the version store, which knows every place its bytes may be. The
user's work tree, index, HEAD, branch and stash are never touched, and once a checkout is
removed `git worktree list` is as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet.repo.tree import Failure, Item, Problem
from datatenet.sources import dvc, lfs, worktrees

if TYPE_CHECKING:
    from datatenet.repo.repository import Repo
    from datatenet.repo.revisions import State

_LFS_POINTER_MAX = 1024


@dataclass(frozen=True)
class Checkout:
    path: Path  # the linked work tree
    commit: str
    datasets: tuple[str, ...]  # the watched datasets in it (repository-relative)
    missing: tuple[str, ...]  # watched datasets whose content could not be had, and why


def add(repo: Repo, path: Path, state: State, datasets: Mapping[str, Item]) -> Checkout:
    """A new linked work tree at `path` holding the commit of `state` with its data. Removed
    again if anything fails before it is complete."""
    assert state.commit is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        worktrees.worktree_add(repo.root, path, state.commit)
        if any(item.storage == "dvc" for item in datasets.values()):
            dvc.checkout(path, repo.store.dvc_cache(), worktrees.REPOSITORY_VARIABLES)
        missing = tuple(_fill(repo, path, state, item) for item in datasets.values())
    except BaseException:
        remove(repo, path)
        raise
    present = tuple(item.path for item in datasets.values())
    return Checkout(path, state.commit, present, tuple(m for m in missing if m))


def _fill(repo: Repo, worktree: Path, state: State, item: Item) -> str:
    """Write a dataset the checkout did not supply; "" when it is there, else why it is not."""
    target = worktree / item.path
    if _present(target, item):
        return ""
    content = repo.store.content(state, item)
    if not isinstance(content, bytes):
        return explain(content)
    target.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return ""


def explain(problem: Problem) -> str:
    """Why a dataset cannot be had, and what to do, on one line."""
    if isinstance(problem, Failure):
        return f"{problem.path}: {problem.message}"
    fetch = f"; fetch it: `{problem.fetch}`" if problem.fetch else ""
    return f"{problem.path}: {problem.reason}{fetch}"


def _present(target: Path, item: Item) -> bool:
    """Is the dataset's content in the work tree (not absent, nor only a Git LFS pointer)?"""
    try:
        with target.open("rb") as handle:
            start = handle.read(_LFS_POINTER_MAX + 1)
    except OSError:
        return False
    return item.storage != "git" or lfs.parse_lfs_pointer(start) is None


def remove(repo: Repo, path: Path) -> None:
    """Remove a linked work tree made by `add`, whatever is in it."""
    worktrees.worktree_remove(repo.root, path)


def listing(repo: Repo) -> str:
    """`git worktree list --porcelain`."""
    return worktrees.worktree_list(repo.root)


def environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of a command run in a checkout: this process's, without the variables
    that would point its git at another repository, index or work tree, plus `extra`."""
    return {**worktrees.isolated_env(), **extra}
