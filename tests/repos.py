"""Real git (and DVC) repositories built in tmp_path for the source and repo-diff tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import git as gitpython

from datatenet.repo.repository import Repo as Repository

if TYPE_CHECKING:
    from datatenet.config import Settings
    from datatenet.formats.load import LoadOptions
    from datatenet.repo.diff import RepoDiff

DVC = [sys.executable, "-m", "dvc"]


def repo_diff(
    path: Path,
    base: str,
    head: str,
    paths: Sequence[str] = (),
    *,
    settings: Settings | None = None,
    options: LoadOptions | None = None,
    use_cache: bool = True,
    remote: bool = True,
    include_untracked: bool = False,
) -> RepoDiff:
    """A repository diff as one command makes it: the repository opened, diffed, closed."""
    with Repository.open(path, settings=settings, use_cache=use_cache, remote=remote) as repo:
        return repo.diff(base, head, paths, options=options, include_untracked=include_untracked)


def alpaca(count: int, start: int = 0, edit: str = "", edited: tuple[int, ...] = ()) -> str:
    """JSONL of alpaca samples q{i} -> a{i}; the samples in `edited` get `edit` appended."""
    lines = []
    for i in range(start, start + count):
        output = f"answer {i}" + (edit if i in edited else "")
        lines.append(json.dumps({"instruction": f"question {i}", "output": output}))
    return "\n".join(lines) + "\n"


class Repo:
    """A git repository driven through the git CLI, with GitPython for inspection."""

    def __init__(self, path: Path, *, init: bool = True) -> None:
        self.path = path
        if init:
            path.mkdir(parents=True, exist_ok=True)
            gitpython.Repo.init(path, initial_branch="main")
            self.git("config", "user.name", "Test User")
            self.git("config", "user.email", "test@example.com")
            self.git("config", "commit.gpgsign", "false")

    @property
    def repo(self) -> gitpython.Repo:
        return gitpython.Repo(self.path)

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            ["git", *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **(env or {})},
        )
        if result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def dvc(self, *args: str) -> str:
        result = subprocess.run(
            [*DVC, *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "DVC_NO_ANALYTICS": "1"},
        )
        if result.returncode != 0:
            raise AssertionError(f"dvc {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def commit(self, message: str, *paths: str) -> str:
        if paths:
            self.git("add", "--", *paths)
        else:
            self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.repo.head.commit.hexsha

    def copy(self, destination: Path) -> Repo:
        shutil.copytree(self.path, destination, ignore=shutil.ignore_patterns("tmp"))
        return Repo(destination, init=False)
