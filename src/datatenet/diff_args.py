"""What `datatenet diff ARGS...` asks for: two files, or two states of a repository and paths.

`datatenet diff [BASE [HEAD]] [PATH...]` reads like `git diff`: leading arguments that name
revisions (or a `BASE..HEAD` / `BASE...HEAD` range) are the states, the rest are paths. Two
existing files that are not revisions are compared directly, as `git diff --no-index` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet.errors import DatatenetError
from datatenet.repo.revisions import INDEX, WORKTREE, parse_range

if TYPE_CHECKING:
    from datatenet.repo.repository import Repo


@dataclass(frozen=True)
class FileDiff:
    old: Path
    new: Path


@dataclass(frozen=True)
class RepoDiffRequest:
    base: str  # a revision, INDEX or WORKTREE
    head: str
    paths: tuple[str, ...]  # repository-relative


def interpret(
    args: tuple[str, ...],
    repo: Repo | None,
    *,
    staged: bool = False,
    worktree: bool = False,
    merge_base: bool = False,
    no_index: bool = False,
    cwd: Path | None = None,
) -> FileDiff | RepoDiffRequest:
    """The arguments of `datatenet diff`, read inside `repo` (None: not in a repository)."""
    cwd = cwd or Path.cwd()
    if staged and worktree:
        raise DatatenetError(
            "--staged and --worktree cannot be combined",
            "--staged compares HEAD with the index, --worktree the index with the working tree",
        )
    if no_index:
        return _files(args)
    if repo is None:
        if len(args) == 2 and not (staged or worktree or merge_base):
            return _files(args)
        from datatenet.repo.repository import not_a_repository

        raise not_a_repository(
            cwd, "run it inside a repository, or compare two files: `datatenet diff OLD NEW`"
        )
    revisions, paths = _split(repo, args, cwd)
    if len(args) == 2 and not revisions and any((cwd / a).is_file() for a in args):
        return _files(args)  # two files, as `git diff --no-index` compares them
    for path in paths:
        _check_path(repo, path, cwd)
    base, head, is_range_merge_base = _states(revisions, staged=staged, worktree=worktree)
    if merge_base or is_range_merge_base:
        if base in (INDEX, WORKTREE):
            raise DatatenetError("--merge-base needs a revision to compare with", "e.g. main")
        other = head if head not in (INDEX, WORKTREE) else "HEAD"
        base = repo.revisions.merge_base(base, other)
    repo_paths = tuple(repo.relative(Path(p), cwd) for p in paths)
    return RepoDiffRequest(base, head, repo_paths)


def _files(args: tuple[str, ...]) -> FileDiff:
    if len(args) != 2:
        raise DatatenetError(
            f"comparing files takes two paths, OLD and NEW; got {len(args)}",
            "datatenet diff OLD NEW, or inside a repository datatenet diff [BASE [HEAD]] [PATH...]",
        )
    return FileDiff(Path(args[0]), Path(args[1]))


def _split(repo: Repo, args: tuple[str, ...], cwd: Path) -> tuple[list[str], list[str]]:
    """Leading revisions (a range counts as two), then paths."""
    revisions: list[str] = []
    # the first two arguments are looked up together (those not already known as paths)
    repo.revisions.lookup(*[a for a in args[:2] if not a.startswith("-") and ".." not in a])
    for index, arg in enumerate(args):
        if len(revisions) < 2 and not _is_range(revisions):
            exists = (cwd / arg).exists()  # `../data/x.jsonl` is a path, not a range
            if not revisions and not exists and parse_range(arg) is not None:
                revisions.append(arg)
                continue
            if repo.revisions.is_revision(arg):
                revisions.append(arg)
                continue
        if not (cwd / arg).exists() and "/" not in arg and "." not in arg:
            # Neither a path nor a revision: let git say why (a shallow clone, a typo).
            repo.revisions.resolve(arg)
        return revisions, list(args[index:])
    return revisions, []


def _check_path(repo: Repo, path: str, cwd: Path) -> None:
    """A path must be in the working tree or in the history (a deleted dataset), as in git."""
    if (cwd / path).exists() or repo.known_path(repo.relative(Path(path), cwd)):
        return
    raise DatatenetError(
        f"{path}: neither a revision nor a path in the working tree or the history",
        "check the spelling; paths are relative to the current directory",
    )


def _is_range(revisions: list[str]) -> bool:
    return len(revisions) == 1 and parse_range(revisions[0]) is not None


def _states(revisions: list[str], *, staged: bool, worktree: bool) -> tuple[str, str, bool]:
    """(base, head, whether a BASE...HEAD range asked for the merge base)."""
    if worktree:
        if revisions:
            raise DatatenetError(
                "--worktree compares the index with the working tree and takes no revision",
                "to compare a revision with the working tree: datatenet diff REV",
            )
        return INDEX, WORKTREE, False
    if revisions and parse_range(revisions[0]) is not None:
        parsed = parse_range(revisions[0])
        assert parsed is not None
        base, head, use_merge_base = parsed
        if staged:
            raise DatatenetError("--staged takes at most one revision, not a range", "")
        return base, head, use_merge_base
    if staged:
        if len(revisions) > 1:
            raise DatatenetError("--staged takes at most one revision", "e.g. --staged HEAD~1")
        return (revisions[0] if revisions else "HEAD"), INDEX, False
    if len(revisions) == 2:
        return revisions[0], revisions[1], False
    return (revisions[0] if revisions else "HEAD"), WORKTREE, False
