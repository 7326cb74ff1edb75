"""The git command lines bisect needs that `sources/git.py` does not have yet.

Kept apart on purpose: they belong with the other git calls in `sources/git.py` once the
repository layer takes its new shape. Every command here runs with an environment that drops
the variables that point git at a repository (`GIT_DIR`, `GIT_INDEX_FILE`, `GIT_WORK_TREE`, …),
so that a temporary worktree is never confused with the user's, even when datatenet itself runs
inside a hook where git set them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from datatenet.sources.git import GitError

# Variables that make git (or a tool calling git) work on another repository than the one the
# working directory says.
REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_PREFIX",
)
# Operations during which a repository is in a state a bisect must not start from: the file
# (under the worktree's git directory) that says so, and how the user ends it.
_IN_PROGRESS = (
    ("MERGE_HEAD", "a merge", "finish it with `git commit`, or `git merge --abort`"),
    ("rebase-merge", "a rebase", "finish it with `git rebase --continue`, or `git rebase --abort`"),
    (
        "rebase-apply",
        "a rebase or `git am`",
        "finish it, or `git rebase --abort` / `git am --abort`",
    ),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "finish it, or `git cherry-pick --abort`"),
    ("REVERT_HEAD", "a revert", "finish it, or `git revert --abort`"),
    (
        "BISECT_LOG",
        "a `git bisect`",
        "end it with `git bisect reset` (datatenet bisects by itself)",
    ),
)


def clean_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the variables that redirect git."""
    env = {k: v for k, v in os.environ.items() if k not in REPOSITORY_VARIABLES}
    env.update(extra or {})
    return env


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=root,
            env=clean_environment(),
            capture_output=True,
            check=False,
            # its own process group: Ctrl-C at the terminal reaches datatenet, which finishes
            # (or undoes) what git is doing instead of leaving it half done
            process_group=0,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH", "install git") from None
    if check and result.returncode != 0:
        said = os.fsdecode(result.stderr).strip().splitlines()
        raise GitError(
            f"`git {' '.join(args[:3])}` failed: {said[-1] if said else 'no message'}",
            "check that the repository is intact, e.g. with `git status`",
        )
    return result


def git_path(root: Path, name: str) -> Path:
    """`git rev-parse --git-path NAME`: where a file of this worktree's git directory lives."""
    out = _git(root, "rev-parse", "--path-format=absolute", "--git-path", name).stdout
    return Path(os.fsdecode(out.rstrip(b"\n")))


def operation_in_progress(root: Path) -> tuple[str, str] | None:
    """(what, how to end it) when a merge, rebase, cherry-pick, revert or `git bisect` is under
    way in this worktree; None when the repository is at rest."""
    for name, what, hint in _IN_PROGRESS:
        if git_path(root, name).exists():
            return what, hint
    return None


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    result = _git(root, "merge-base", "--is-ancestor", ancestor, descendant, check=False)
    if result.returncode not in (0, 1):
        raise GitError(
            f"cannot tell whether {ancestor[:10]} is an ancestor of {descendant[:10]}",
            "check that both revisions exist here, e.g. with `git log --oneline`",
        )
    return result.returncode == 0


def worktree_add(root: Path, path: Path, commit: str) -> None:
    """A detached worktree at `commit`. Hooks are off for it: a post-checkout hook (DVC's, or
    the user's) must not run in a worktree datatenet only reads."""
    _git(
        root,
        "-c",
        "core.hooksPath=/dev/null",
        "worktree",
        "add",
        "--detach",
        "--quiet",
        str(path),
        commit,
    )


def worktree_remove(root: Path, path: Path) -> bool:
    """Remove a worktree datatenet made, whatever is in it (locked or not). False when git
    does not know it (never made, or already gone)."""
    return (
        _git(root, "worktree", "remove", "--force", "--force", str(path), check=False).returncode
        == 0
    )


def worktree_admin_dir(path: Path) -> Path | None:
    """The directory under `.git/worktrees/` that describes the worktree at `path`."""
    try:
        text = (path / ".git").read_text(encoding="utf-8")
    except OSError:
        return None
    prefix = "gitdir:"
    return Path(text[len(prefix) :].strip()) if text.startswith(prefix) else None


def worktree_list(root: Path) -> str:
    """`git worktree list --porcelain`, as text."""
    return os.fsdecode(_git(root, "worktree", "list", "--porcelain").stdout)
