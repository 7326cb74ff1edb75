"""The git command lines that write a repository: `datatenet demo` builds one and commits to it
as a person would, hooks included. Everything else of git is read-only (sources/git.py). They
run without the variables that point git at another repository (`isolated_env`): the demo's
repository is its own, even when the demo is started from inside a hook."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from datatenet.sources.git import _run, run
from datatenet.sources.worktrees import isolated_env


@dataclass(frozen=True)
class CommitOutcome:
    """What `git commit` did: whether it recorded the commit, and what it and its hooks said."""

    committed: bool
    output: str


def init(path: Path, branch: str = "main") -> None:
    """A new repository at `path` (made if missing), on `branch`."""
    path.mkdir(parents=True, exist_ok=True)
    run(path, "init", "--quiet", f"--initial-branch={branch}", ".", env=isolated_env())


def set_config(root: Path, name: str, value: str) -> None:
    """`git config NAME VALUE` in the repository's own config file."""
    run(root, "config", "--local", name, value, env=isolated_env())


def stage(root: Path, paths: Iterable[str]) -> None:
    run(root, "add", "--", *paths, env=isolated_env())


def commit(root: Path, message: str) -> CommitOutcome:
    """`git commit` of what is staged, with the message given and the hooks run, as a person
    would commit; a refusal (a hook exiting non-zero) is an outcome, not an error."""
    message_bytes = message.encode("utf-8")
    result = _run(root, ("commit", "--quiet", "--file=-"), message_bytes, isolated_env())
    said = os.fsdecode(result.stdout + result.stderr).strip()
    return CommitOutcome(result.returncode == 0, said)
