"""Files git does not track are not datasets (src/datatenet/repo/tree.py): in the work tree they
are counted, not compared, unless a `datasets` entry names them or --include-untracked asks
for them; ignored files are never looked at. Real repositories, the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli, run_cli_audited
from tests.repos import Repo, alpaca

TRAIN = "data/train.jsonl"
LEXICAL = ("--checks", "exact,near,conflicts")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """One committed dataset, edited in the work tree; no configuration."""
    repo = Repo(tmp_path / "repo")
    repo.write(TRAIN, alpaca(20))
    repo.commit("twenty")
    repo.write(TRAIN, alpaca(22))
    return repo


def test_untracked_dataset_like_files_are_listed_not_diffed(repo: Repo) -> None:
    repo.write("more.jsonl", alpaca(460, start=1000))
    repo.write("notes/extra.csv", "instruction,output\nq,a\n")
    repo.write("notes/todo.txt", "not a dataset either way\n")
    for states in ((), ("--worktree",), ("HEAD",)):
        result = run_cli("diff", *states, *LEXICAL, cwd=repo.path)
        assert result.returncode == 0, result.stderr
        assert f"{TRAIN}  (modified)" in result.stdout and "added 2" in result.stdout
        assert "more.jsonl" not in result.stdout and "added 460" not in result.stdout
        assert "untracked, not compared: 2 files (`git add` them to include them)" in (
            result.stdout
        )
    document = json.loads(run_cli("diff", "--json", *LEXICAL, cwd=repo.path).stdout)
    assert [dataset["path"] for dataset in document["datasets"]] == [TRAIN]
    assert document["untracked"] == ["more.jsonl", "notes/extra.csv"]
    committed = json.loads(run_cli("diff", "HEAD", "HEAD", "--json", cwd=repo.path).stdout)
    assert committed["untracked"] == []  # two revisions: nothing is untracked


def test_its_own_json_output_does_not_trip_the_next_diff(repo: Repo) -> None:
    first = run_cli("diff", "--json", *LEXICAL, cwd=repo.path)
    assert first.returncode == 0, first.stderr
    (repo.path / "out.json").write_text(first.stdout)  # `datatenet diff --json > out.json`
    second = run_cli("diff", *LEXICAL, cwd=repo.path)
    assert second.returncode == 0, second.stderr
    assert "untracked, not compared: 1 file (`git add` it to include it)" in second.stdout
    assert "out.json" not in second.stdout + second.stderr


def test_include_untracked_compares_them_as_added(repo: Repo) -> None:
    repo.write("more.jsonl", alpaca(3, start=1000))
    result = run_cli("diff", "--include-untracked", *LEXICAL, cwd=repo.path)
    assert result.returncode == 0, result.stderr
    assert "more.jsonl  (added)" in result.stdout
    assert "unchanged 0  added 3  removed 0" in result.stdout
    assert "untracked, not compared" not in result.stdout


def test_a_datasets_entry_naming_an_untracked_file_includes_it(repo: Repo) -> None:
    repo.write(".datatenet.toml", 'datasets = ["data/*.jsonl", "extra/new.jsonl"]\n')
    repo.commit("configure", ".datatenet.toml")
    repo.write("extra/new.jsonl", alpaca(2, start=500))  # named by its path: watched
    repo.write("data/other.jsonl", alpaca(4, start=700))  # matched by a glob only: not yet
    result = run_cli("diff", *LEXICAL, cwd=repo.path)
    assert result.returncode == 0, result.stderr
    assert "extra/new.jsonl  (added)" in result.stdout
    assert "data/other.jsonl" not in result.stdout
    assert "untracked, not compared: 1 file" in result.stdout


def test_ignored_files_are_never_looked_at(repo: Repo) -> None:
    repo.write(".gitignore", "ignored/\n*.log.jsonl\n")
    repo.commit("ignore", ".gitignore")
    repo.write("ignored/broken.jsonl", "{not json\n")
    repo.write("ignored/deeper/more.jsonl", alpaca(2))
    repo.write("run.log.jsonl", "{not json either\n")
    record = repo.path.parent / "touched"
    for extra in ((), ("--include-untracked",)):
        result, touched = run_cli_audited("diff", *extra, *LEXICAL, cwd=repo.path, record=record)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "untracked" not in result.stdout
        assert TRAIN in result.stdout  # the command ran, and read the tracked dataset:
        paths = [repo.path / path for path in touched]  # relative ones are to the repository
        ignored = [repo.path / "ignored", repo.path / "run.log.jsonl"]
        assert [p for p in paths if any(p.is_relative_to(i) for i in ignored)] == []
        assert repo.path / TRAIN in paths


def test_a_file_merely_present_never_fails_a_command(repo: Repo) -> None:
    repo.write("broken.jsonl", "{not json\n")
    repo.write("other/dataset_info.json", "{not json\n")  # binds schemas only when tracked
    diff = run_cli("diff", *LEXICAL, cwd=repo.path)
    assert diff.returncode == 0, diff.stderr
    assert "untracked, not compared: 1 file" in diff.stdout  # dataset_info.json is no dataset
    repo.git("add", TRAIN)
    check = run_cli("check", cwd=repo.path)  # the index: what is staged, only
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"{TRAIN} (modified): +2 added" in check.stdout
    assert "broken" not in check.stdout + check.stderr
    included = run_cli("diff", "--include-untracked", *LEXICAL, cwd=repo.path)
    assert included.returncode == 2  # asked for, a broken file is an error like any dataset
    assert "broken.jsonl:1" in included.stderr
