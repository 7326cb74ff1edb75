"""`datatenet diff` inside real repositories, as a user runs it (subprocesses, real git)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli as run_datatenet
from tests.repos import Repo, alpaca

TRAIN = "data/train.jsonl"
LEXICAL = ("--checks", "exact,near,conflicts")  # these tests are about the diff: no model


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    if args and args[0] == "diff":
        args = (*args, *LEXICAL)
    return run_datatenet(*args, cwd=cwd)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write(TRAIN, alpaca(20))
    repo.write("README.md", "a project\n")
    repo.commit("first data")
    repo.write(TRAIN, alpaca(22, edited=(3,), edit=" (edited)"))
    repo.commit("two more samples, one edited")
    return repo


def test_two_revisions(repo: Repo) -> None:
    result = run_cli("diff", "HEAD~1", "HEAD", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    assert f"{TRAIN}  (modified)" in result.stdout
    assert "unchanged 19  added 2  removed 0  modified 1" in result.stdout


def test_range_and_json_document(repo: Repo) -> None:
    result = run_cli("diff", "HEAD~1..HEAD", "--json", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["summary"]["added"] == 2
    assert document["summary"]["modified"] == 1
    (dataset,) = document["datasets"]
    assert (dataset["path"], dataset["status"], dataset["storage"]) == (TRAIN, "modified", "git")
    assert document["base"]["spec"] == "HEAD~1"
    assert document["head"]["kind"] == "revision"
    assert dataset["modified"][0]["head"] == f"{TRAIN}:4"


def test_default_is_head_against_the_working_tree_and_staged_wins(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(23))  # staged: one more sample, the edit undone
    repo.git("add", TRAIN)
    repo.write(TRAIN, alpaca(30))  # then the working tree changes again
    worktree = run_cli("diff", cwd=repo.path)
    assert "unchanged 21  added 8  removed 0  modified 1" in worktree.stdout, worktree.stdout
    staged = run_cli("diff", "--staged", cwd=repo.path)
    assert "unchanged 21  added 1  removed 0  modified 1" in staged.stdout, staged.stdout
    between = run_cli("diff", "--worktree", cwd=repo.path)
    assert "unchanged 23  added 7  removed 0  modified 0" in between.stdout, between.stdout


def test_second_run_parses_nothing(repo: Repo) -> None:
    first = run_cli("diff", "HEAD~1", "HEAD", "--verbose", cwd=repo.path)
    assert "versions parsed: 2, served by the id cache: 0" in first.stdout
    second = run_cli("diff", "HEAD~1", "HEAD", "--verbose", cwd=repo.path)
    assert "versions parsed: 0, served by the id cache: 2" in second.stdout
    assert second.stdout.split("versions parsed")[0] == first.stdout.split("versions parsed")[0]
    info = run_cli("cache", "info", cwd=repo.path)
    assert "sample ids: 2 files" in info.stdout
    cleared = run_cli("cache", "clear", cwd=repo.path)
    assert "removed sample ids: 2 files" in cleared.stdout
    third = run_cli("diff", "HEAD~1", "HEAD", "--verbose", cwd=repo.path)
    assert "versions parsed: 2" in third.stdout


def test_show_examples_from_git_blobs(repo: Repo) -> None:
    result = run_cli("diff", "HEAD~1", "HEAD", "--show", "1", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    assert "answer: answer 3{+ (edited)+}" in result.stdout  # as `git diff --word-diff`


def test_path_restriction_and_unknown_path(repo: Repo) -> None:
    repo.write("data/other.jsonl", alpaca(2))
    repo.commit("another dataset")
    only_train = run_cli("diff", "HEAD~2", "HEAD", TRAIN, cwd=repo.path)
    assert "data/other.jsonl" not in only_train.stdout
    assert TRAIN in only_train.stdout
    unknown = run_cli("diff", "HEAD~2", "HEAD", "data/nope.jsonl", cwd=repo.path)
    assert unknown.returncode == 2
    assert "data/nope.jsonl: neither a revision nor a path" in unknown.stderr


def test_unknown_revision_is_a_clear_error(repo: Repo) -> None:
    result = run_cli("diff", "HAED", cwd=repo.path)
    assert result.returncode == 2
    assert "unknown revision 'HAED'" in result.stderr
    assert "Traceback" not in result.stderr


def test_merge_base_mode(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(TRAIN, alpaca(25, edited=(3,), edit=" (edited)"))
    repo.commit("three more on the branch")
    repo.git("checkout", "-q", "main")
    repo.write(TRAIN, alpaca(22))  # main moves on: the edit is undone there
    repo.commit("undo on main")
    repo.git("checkout", "-q", "feature")
    pr = run_cli("diff", "main...feature", cwd=repo.path)
    assert "unchanged 22  added 3  removed 0  modified 0" in pr.stdout, pr.stdout
    flag = run_cli("diff", "--merge-base", "main", "feature", cwd=repo.path)
    assert "unchanged 22  added 3  removed 0  modified 0" in flag.stdout, flag.stdout
    plain = run_cli("diff", "main", "feature", cwd=repo.path)
    assert "unchanged 21  added 3  removed 0  modified 1" in plain.stdout, plain.stdout


def test_broken_file_at_a_revision_exits_2_with_its_line(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(2) + "{broken\n")
    repo.commit("broken line")
    result = run_cli("diff", "HEAD~1", "HEAD", cwd=repo.path)
    assert result.returncode == 2
    assert f"{TRAIN}:3: not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_writes_a_starter_config(repo: Repo) -> None:
    result = run_cli("init", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    text = (repo.path / ".datatenet.toml").read_text()
    assert 'datasets = ["data/*.jsonl"]' in text
    again = run_cli("init", cwd=repo.path)
    assert again.returncode == 2
    assert "--force" in again.stderr


def test_no_change_says_so(repo: Repo) -> None:
    result = run_cli("diff", cwd=repo.path)
    assert result.returncode == 0
    assert "no sample-level change" in result.stdout


def test_two_files_inside_a_repository_are_compared_directly(repo: Repo, tmp_path: Path) -> None:
    old = tmp_path / "old.jsonl"
    old.write_text(alpaca(3))
    result = run_cli("diff", old, TRAIN, cwd=repo.path)
    assert result.returncode == 0, result.stderr
    assert "unchanged 3  added 19" in result.stdout


def test_log_counts_the_findings_of_each_commit(repo: Repo) -> None:
    samples = alpaca(22, edited=(3,), edit=" (edited)").splitlines(True)
    repo.write(TRAIN, "".join(samples) + samples[7])  # a copy of an existing sample
    repo.commit("a copy")
    result = run_datatenet("log", "--json", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    commits = json.loads(result.stdout)["commits"]
    assert [c["subject"] for c in commits][:2] == ["a copy", "two more samples, one edited"]
    assert [c["findings"] for c in commits][:2] == [1, 0]
    quiet = run_datatenet("log", "--json", "--checks", "none", cwd=repo.path)
    assert json.loads(quiet.stdout)["commits"][0]["findings"] == 0


def test_the_findings_of_commits_are_analysed_once(repo: Repo) -> None:
    samples = alpaca(22, edited=(3,), edit=" (edited)").splitlines(True)
    repo.write(TRAIN, "".join(samples) + samples[7])
    repo.commit("a copy")
    first = json.loads(run_datatenet("log", "--json", cwd=repo.path).stdout)["commits"]
    stored = sorted((repo.path / ".git" / "datatenet" / "findings").glob("*.json"))
    assert len(stored) == 3  # one per data commit
    second = json.loads(run_datatenet("log", "--json", cwd=repo.path).stdout)["commits"]
    assert [c["findings"] for c in second] == [c["findings"] for c in first] == [1, 0, 0]
    for path in stored:
        path.write_bytes(b"{not json")  # damaged: analysed again, never trusted
    third = json.loads(run_datatenet("log", "--json", cwd=repo.path).stdout)["commits"]
    assert [c["findings"] for c in third] == [1, 0, 0]
