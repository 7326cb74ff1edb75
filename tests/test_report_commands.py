"""`datatenet report` and `datatenet check --report` as a user runs them: real repositories,
real git, the real command line in a subprocess, real hooks through real `git commit`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.repos import Repo, alpaca

TRAIN = "data/train.jsonl"
LEXICAL = "exact,near,conflicts,style,noise"  # no model: these tests are about the command
STATED = "Answer numbered questions with the numbered answer."


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write(TRAIN, alpaca(40))
    repo.commit(f"first data\n\nReinforces: {STATED}")
    repo.write(TRAIN, alpaca(40) + alpaca(3) + alpaca(6, start=40, edited=(2,), edit=" x"))
    repo.commit("copies and six more\n\nReinforces: more data")
    return repo


def report(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("report", "--checks", LEXICAL, *args, cwd=cwd)


def test_every_output_of_one_commit(repo: Repo, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = report(
        "HEAD~1",
        "HEAD",
        "--html",
        out / "r.html",
        "--md",
        out / "r.md",
        "--json",
        out / "r.json",
        "--metrics",
        out / "m.json",
        cwd=repo.path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("wrote ") == 4
    document = json.loads((out / "r.json").read_text("utf-8"))
    assert document["base"]["spec"] == "HEAD~1" and document["head"]["spec"] == "HEAD"
    statement = document["statement"]
    assert statement["statement"] == "more data" and statement["accepted"] is False
    assert "generic" in statement["reason"] or "vague" in statement["reason"]
    assert document["checks"] == sorted(LEXICAL.split(",")) and document["vectors"] == "lexical"
    kinds = {f["kind"] for d in document["datasets"] for f in d["findings"]}
    assert "exact-duplicate" in kinds
    assert document["gates"]["ok"] is False  # the default gates: 3 copies of 9 new samples
    metrics = json.loads((out / "m.json").read_text("utf-8"))
    assert metrics["added"] == 9 and metrics["exact_duplicates"] == 3
    assert metrics["gates_failed"] >= 1
    markdown = (out / "r.md").read_text("utf-8")
    assert "datatenet: failed" in markdown and "more in" not in markdown
    page = (out / "r.html").read_text("utf-8")
    assert "more data" in page and "Content-Security-Policy" in page


def test_states_as_diff_takes_them(repo: Repo, tmp_path: Path) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(TRAIN, alpaca(40) + alpaca(3) + alpaca(8, start=40, edited=(2,), edit=" x"))
    repo.commit(f"two more\n\nReinforces: {STATED}")
    repo.git("checkout", "-q", "HEAD~2")
    repo.git("branch", "-q", "-f", "main")
    repo.git("checkout", "-q", "feature")
    result = report("main", "--merge-base", "--json", "-", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["head"]["kind"] == "worktree"
    assert document["summary"]["added"] == 11  # both commits of the branch
    assert document["statement"] is None  # the work tree states nothing yet

    staged = report("--staged", "--worktree", "--md", "-", cwd=repo.path)
    assert staged.returncode == 2 and "cannot be combined" in staged.stderr
    nothing = report("HEAD~1", cwd=repo.path)
    assert nothing.returncode == 2 and "name at least one output" in nothing.stderr


def test_two_files_outside_a_repository(tmp_path: Path) -> None:
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    old.write_text(alpaca(20), "utf-8")
    new.write_text(alpaca(20) + alpaca(2), "utf-8")
    result = report(old, new, "--md", "-", "--html", tmp_path / "r.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "datatenet: not gated" in result.stdout
    assert "wrote" in result.stderr and (tmp_path / "r.html").stat().st_size > 10_000


def test_history_of_a_range(repo: Repo, tmp_path: Path) -> None:
    result = report("--history", "HEAD~1..HEAD", TRAIN, "--json", "-", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [c["added"] for c in document["commits"]] == [9]
    assert document["commits"][0]["composition"] == {STATED: 40, "more data": 9}
    assert document["commits"][0]["findings"]["exact-duplicate"] == 3
    metrics = report("--history", "--metrics", tmp_path / "m.json", cwd=repo.path)
    assert metrics.returncode == 2 and "--metrics measures a change" in metrics.stderr


def test_the_pre_commit_hook_leaves_a_report(repo: Repo, tmp_path: Path) -> None:
    assert run_cli("install", cwd=repo.path).returncode == 0
    repo.write(TRAIN, repo.path.joinpath(TRAIN).read_text("utf-8") + alpaca(2, start=90))
    repo.git("add", TRAIN)
    directory = tmp_path / "left"
    result = subprocess.run(
        ["git", "commit", "-q", "-m", f"two more\n\nReinforces: {STATED}"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DATATENET_REPORT_DIR": str(directory)},
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in directory.iterdir()) == [
        "metrics.json",
        "report.html",
        "report.json",
        "report.md",
    ]
    document = json.loads((directory / "report.json").read_text("utf-8"))
    assert document["head"]["kind"] == "index" and document["summary"]["added"] == 2
    assert document["gates"]["ok"] is True
    assert {"style", "coverage", "noise"} <= set(document["checks"])  # every check ran
    assert "semantic" not in document["checks"]  # as the hook runs without --semantic
