"""The repository is opened once per command: the git processes a command starts, counted with
GIT_TRACE, and the settings file, read once, on a repository with one dataset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli, run_cli_audited
from tests.repos import Repo, alpaca

TRAIN = "data/train.jsonl"
STATEMENT = "When asked a numbered question, answer with the numbered answer."
MAX_GIT_PROCESSES = 7


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write(".datatenet.toml", 'datasets = ["data/*.jsonl"]\n')
    repo.write(TRAIN, alpaca(20))
    repo.commit(f"Twenty questions\n\nReinforces: {STATEMENT}")
    return repo


def git_processes(repo: Repo, *args: str, tmp_path: Path) -> list[str]:
    """The git command lines `datatenet ARGS` starts, caches cleared first (the worst case)."""
    assert run_cli("cache", "clear", cwd=repo.path).returncode == 0
    trace = tmp_path / f"trace-{args[0]}"
    done = subprocess.run(
        [sys.executable, "-m", "datatenet", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_TRACE": str(trace)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = trace.read_text().splitlines()
    assert not [line for line in lines if "trace: exec:" in line]  # every git is a built-in
    return [line.split("trace: built-in: ", 1)[1] for line in lines if "trace: built-in:" in line]


def test_each_command_starts_few_git_processes_and_no_query_twice(
    repo: Repo, tmp_path: Path
) -> None:
    repo.write(TRAIN, alpaca(22, edited=(3,), edit=" (edited)"))
    diff = git_processes(repo, "diff", "HEAD", tmp_path=tmp_path)
    repo.git("add", TRAIN)
    check = git_processes(repo, "check", tmp_path=tmp_path)
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(f"Two more\n\nReinforces: {STATEMENT}\n")
    check_msg = git_processes(repo, "check-msg", str(message), tmp_path=tmp_path)
    for started in (diff, check, check_msg):
        assert len(started) <= MAX_GIT_PROCESSES, started
        assert len(set(started)) == len(started), started  # each query once
    # what each needs: where the repository is (and HEAD), the two states, their blobs
    assert [line.split()[1] for line in diff] == ["rev-parse", "ls-tree", "ls-files", "cat-file"]
    assert [line.split()[1] for line in check_msg][-2:] == ["config", "interpret-trailers"]


def test_nothing_relevant_staged_costs_two_git_processes(repo: Repo, tmp_path: Path) -> None:
    repo.write("app.py", "print('hello')\n")
    repo.git("add", "app.py")
    started = git_processes(repo, "check", tmp_path=tmp_path)
    assert [line.split()[1] for line in started] == ["rev-parse", "diff"]


def settings_reads(repo: Repo, *args: str) -> int:
    done, touched = run_cli_audited(*args, cwd=repo.path, record=repo.path.parent / "touched")
    assert done.returncode == 0, done.stdout + done.stderr
    return sum(1 for path in touched if path.endswith(".datatenet.toml"))


def test_the_settings_file_is_read_once_per_command(repo: Repo, tmp_path: Path) -> None:
    repo.write(TRAIN, alpaca(21))
    repo.commit(f"One more\n\nReinforces: {STATEMENT}")
    repo.write(TRAIN, alpaca(23))
    lexical = ("--checks", "exact,near,conflicts")
    assert settings_reads(repo, "diff", "HEAD", *lexical) == 1
    assert settings_reads(repo, "diff", "HEAD~1", "HEAD", *lexical) == 1
    assert settings_reads(repo, "log") == 1
    assert settings_reads(repo, "blame", TRAIN) == 1
    assert settings_reads(repo, "check-range", "HEAD~1..HEAD") == 1
    repo.git("add", TRAIN)
    assert settings_reads(repo, "check") == 1
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(f"Two more\n\nReinforces: {STATEMENT}\n")
    assert settings_reads(repo, "check-msg", str(message)) == 1
    message.write_text("\n# Please enter the commit message for your changes.\n")
    assert settings_reads(repo, "prepare-msg", str(message)) == 1
    assert "Reinforces: " in message.read_text()  # the probe ran the real command
