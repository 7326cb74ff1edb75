"""Linked work trees (`git worktree add/remove/list`) and what a work tree is in the middle of.

Every command here runs with an environment that drops the variables pointing git at a
repository, an index or a work tree (`GIT_DIR`, `GIT_INDEX_FILE`, …): inside a hook git sets
them, and a linked work tree of ours must neither use nor overwrite the hook's index. The
commands that change the list of work trees run in a process group of their own, so that
Ctrl-C at the terminal never leaves one half made.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from datatenet.sources.git import GitError, run

# What tells git which repository, index, work tree and objects to use.
REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_INDEX_FILE",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_PREFIX",
)
# Operations during which a work tree is in a state a bisect must not start from: the file of
# its git directory that says so, what it is, and how the user ends it.
IN_PROGRESS = (
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
        "end it with `git bisect reset` (datatenet bisects on its own)",
    ),
)


def isolated_env() -> dict[str, str]:
    """This process's environment without the variables that point git at a repository, an
    index or a work tree: what a command about another work tree must run with."""
    return {k: v for k, v in os.environ.items() if k not in REPOSITORY_VARIABLES}


def worktree_add(root: Path, path: Path, commit: str) -> None:
    """Check `commit` out, detached, into a new linked work tree at `path`. Hooks are off: a
    post-checkout hook (DVC's, or the user's) must not run in a work tree made only to be read."""
    run(
        root, "-c", "core.hooksPath=/dev/null", "worktree", "add", "--detach", "--quiet",
        str(path), commit, env=isolated_env(), own_group=True,
    )  # fmt: skip


def worktree_remove(root: Path, path: Path) -> None:
    """Remove a linked work tree made by `worktree_add`, with whatever was left in it (locked
    or not); when git no longer knows it, or its files are half gone, what is left of both
    its files and its entry under `.git/worktrees/` is removed."""
    admin = worktree_admin_dir(path)
    try:
        run(
            root, "worktree", "remove", "--force", "--force", str(path),
            env=isolated_env(), own_group=True,
        )  # fmt: skip
    except GitError:
        if admin is not None and admin.parent.name == "worktrees":
            shutil.rmtree(admin, ignore_errors=True)
    shutil.rmtree(path, ignore_errors=True)


def worktree_admin_dir(path: Path) -> Path | None:
    """The directory under `.git/worktrees/` that describes the linked work tree at `path`."""
    try:
        text = (path / ".git").read_text(encoding="utf-8")
    except OSError:
        return None
    prefix = "gitdir:"
    return Path(text[len(prefix) :].strip()) if text.startswith(prefix) else None


def worktree_list(root: Path) -> str:
    """`git worktree list --porcelain`, as text."""
    return os.fsdecode(run(root, "worktree", "list", "--porcelain", env=isolated_env()))


def operation_in_progress(root: Path) -> tuple[str, str] | None:
    """(what, how to end it) when a merge, rebase, cherry-pick, revert or `git bisect` is under
    way in the work tree at `root`; None when it is at rest. One `git rev-parse`."""
    args = [arg for name, _, _ in IN_PROGRESS for arg in ("--git-path", name)]
    out = run(root, "rev-parse", "--path-format=absolute", *args, env=isolated_env())
    paths = os.fsdecode(out).splitlines()
    for path, (_, what, hint) in zip(paths, IN_PROGRESS, strict=True):
        if Path(path).exists():
            return what, hint
    return None
