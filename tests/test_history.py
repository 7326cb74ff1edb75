"""`datatenet log` and `datatenet blame` agree with a history of 30 data commits that the test
builds and keeps a record of: adds, removals, edits, commits without a statement, a merged
branch and a rename."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

import pytest

from tests.conftest import run_cli
from tests.repos import Repo

BEHAVIOURS = {
    "clarify-first": "When a request is ambiguous, ask one clarifying question before answering.",
    "cite-sources": "Cite the policy section that an answer relies on.",
}
FREE = "Refuse to promise delivery dates that the order system does not show."


@dataclass
class Dataset:
    path: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (question, answer)

    def text(self) -> str:
        return "".join(json.dumps({"instruction": q, "output": a}) + "\n" for q, a in self.rows)


@dataclass
class Expected:
    commit: str
    statement: str | None
    behaviour: str | None
    added: int
    removed: int
    modified: int


@dataclass
class History:
    repo: Repo
    expected: list[Expected]  # oldest first, data commits only (no merge)
    origin: dict[tuple[str, str], str]  # (question, answer) in the final train file -> commit
    final: Dataset
    other_origin: dict[tuple[str, str], str]
    other: Dataset


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    rng = random.Random(7)
    repo = Repo(tmp_path_factory.mktemp("history") / "repo")
    config = "".join(
        f'[behaviours.{ident}]\nstatement = "{statement}"\n'
        for ident, statement in BEHAVIOURS.items()
    )
    repo.write(".datatenet.toml", 'datasets = ["data/*.jsonl"]\n\n' + config)
    repo.commit("Configure datatenet")
    train = Dataset("data/train.jsonl")
    origin: dict[tuple[str, str], str] = {}
    expected: list[Expected] = []
    counter = 0

    def data_commit(dataset: Dataset, index: int, record: dict[tuple[str, str], str]) -> None:
        nonlocal counter
        added = removed = modified = 0
        new_rows: list[tuple[str, str]] = []
        if dataset.rows and index % 3 == 1:  # remove a few
            for row in rng.sample(dataset.rows, k=min(2, len(dataset.rows))):
                dataset.rows.remove(row)
                record.pop(row, None)
                removed += 1
        if dataset.rows and index % 4 == 2:  # edit one answer
            position = rng.randrange(len(dataset.rows))
            question, answer = dataset.rows[position]
            record.pop((question, answer), None)
            dataset.rows[position] = (question, answer + " (revised)")
            new_rows.append(dataset.rows[position])
            modified += 1
        for _ in range(rng.randint(1, 4)):  # always add some
            counter += 1
            row = (f"question {counter}", f"answer {counter}")
            dataset.rows.insert(rng.randrange(len(dataset.rows) + 1), row)
            new_rows.append(row)
            added += 1
        if index < 4:
            statement, behaviour, trailer = None, None, None  # before statements were asked for
        elif index % 3 == 0:
            statement, behaviour, trailer = FREE, None, FREE
        else:
            behaviour = "clarify-first" if index % 2 else "cite-sources"
            statement, trailer = BEHAVIOURS[behaviour], behaviour
        repo.write(dataset.path, dataset.text())
        text = f"Data change {index}" + (f"\n\nReinforces: {trailer}" if trailer else "")
        commit = repo.commit(text, dataset.path)
        for row in new_rows:
            record[row] = commit
        expected.append(Expected(commit, statement, behaviour, added, removed, modified))

    for index in range(24):
        data_commit(train, index, origin)
        if index == 10:
            repo.write("app.py", f"print({index})\n")
            repo.commit("Code only", "app.py")
    # a branch with its own dataset, merged back
    repo.git("checkout", "-q", "-b", "feature")
    other = Dataset("data/other.jsonl")
    other_origin: dict[tuple[str, str], str] = {}
    for index in range(24, 27):
        data_commit(other, index, other_origin)
    repo.git("checkout", "-q", "main")
    data_commit(train, 27, origin)
    repo.git("merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    # a rename, then more commits under the new name
    repo.git("mv", "data/train.jsonl", "data/sft.jsonl")
    repo.git("commit", "-q", "-m", "Rename the training set")
    train.path = "data/sft.jsonl"
    for index in range(28, 30):
        data_commit(train, index, origin)
    return History(repo, expected, origin, train, other_origin, other)


def test_log_lists_every_data_commit_with_its_counts_and_behaviour(history: History) -> None:
    result = run_cli("log", "--json", cwd=history.repo.path)
    assert result.returncode == 0, result.stderr
    commits = json.loads(result.stdout)["commits"]
    assert len(history.expected) == 30
    by_commit = {c["commit"]: c for c in commits}
    for want in history.expected:
        got = by_commit.pop(want.commit)
        assert (got["added"], got["removed"], got["modified"]) == (
            want.added,
            want.removed,
            want.modified,
        ), got
        assert got["behaviour"] == want.behaviour
        assert got["statement"] == want.statement
        assert got["findings"] == 0
    # the rename shows (no sample change), the merge and the code commit do not
    assert [c["subject"] for c in by_commit.values()] == ["Rename the training set"]

    text = run_cli("log", "data/other.jsonl", cwd=history.repo.path)
    assert text.returncode == 0, text.stderr
    assert text.stdout.count("reinforces:") == 3
    assert "Data change 26" in text.stdout and "Data change 23" not in text.stdout


def test_blame_gives_every_sample_the_commit_that_introduced_it(history: History) -> None:
    for dataset, origin in ((history.final, history.origin), (history.other, history.other_origin)):
        result = run_cli("blame", dataset.path, "--json", cwd=history.repo.path)
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        samples = document["samples"]
        assert len(samples) == len(dataset.rows)
        for line, row in zip(samples, dataset.rows, strict=True):
            assert line["origin"] == f"{dataset.path}:{line['position']}"
            assert line["commit"] == origin[row], (row, line)
        assert document["unknown"] == 0
        expected = {e.commit: e for e in history.expected}
        counts: dict[str, int] = {}
        for row in dataset.rows:
            want = expected[origin[row]]
            key = want.behaviour or want.statement or "(no statement)"
            counts[key] = counts.get(key, 0) + 1
        assert {p["behaviour"]: p["samples"] for p in document["composition"]} == counts
        assert document["unstated"] == counts.get("(no statement)", 0)
    final = run_cli("blame", history.final.path, "--json", cwd=history.repo.path)
    assert json.loads(final.stdout)["unstated"] > 0  # the first commits predate statements


def test_blame_text_and_summary(history: History) -> None:
    result = run_cli("blame", "data/sft.jsonl", "--summary", cwd=history.repo.path)
    assert result.returncode == 0, result.stderr
    total = len(history.final.rows)
    assert f"data/sft.jsonl at HEAD: {total} samples by behaviour" in result.stdout
    assert "[clarify-first] When a request is ambiguous" in result.stdout
    assert "samples predate any statement" in result.stdout
    full = run_cli("blame", "data/sft.jsonl", cwd=history.repo.path)
    first = full.stdout.splitlines()[0]
    assert "data/sft.jsonl:1" in first
    missing = run_cli("blame", "data/nope.jsonl", cwd=history.repo.path)
    assert missing.returncode == 2
    assert "data/nope.jsonl: no such path in the working tree or the history" in missing.stderr


def test_second_run_reads_history_from_the_cache(history: History) -> None:
    """The second `log` parses no version: each one the first run parsed (or reused within the
    run) comes from the id cache. Read from the counters of the repository's version store."""
    from datatenet.repo.repository import Repo as Repository
    from datatenet.verbs.history import log

    cleared = run_cli("cache", "clear", cwd=history.repo.path)  # the first run starts cold
    assert cleared.returncode == 0, cleared.stderr
    with Repository.open(history.repo.path) as repo:
        first = log(repo)
        cold = (repo.store.parsed, repo.store.cached)
    with Repository.open(history.repo.path) as repo:
        second = log(repo)
        warm = (repo.store.parsed, repo.store.cached)
    assert first == second
    assert cold[0] > 0
    assert warm == (0, cold[0] + cold[1])
