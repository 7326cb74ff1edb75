"""Every direction of a gate through `datatenet check` (the pre-commit stage) in real
repositories: `max` and `min` on both sides of their bound, the two levels, and the default
gates of a repository without a `[gates]` table on both sides of theirs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.repos import Repo, alpaca
from tests.rewordings import GSM8K

TRAIN = "data/train.jsonl"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    repo = Repo(tmp_path_factory.mktemp("gates") / "template")
    repo.write(TRAIN, alpaca(20))
    repo.commit("Twenty numbered questions\n\nReinforces: Answer numbered questions in kind.")
    return repo


@pytest.fixture
def repo(template: Repo, tmp_path: Path) -> Repo:
    return template.copy(tmp_path / "repo")


def stage(repo: Repo, text: str, gates: str | None = None) -> subprocess.CompletedProcess[str]:
    """Stage `text` as the dataset (and `gates` as the config's [gates]), run the hook."""
    if gates is not None:
        repo.write(".datatenet.toml", f"[gates]\n{gates}\n")
    repo.write(TRAIN, text)
    repo.git("add", "-A")
    return run_cli("check", cwd=repo.path)


def without(count: int) -> str:
    """The 20 committed samples less the first `count`."""
    return "".join(alpaca(20).splitlines(True)[count:])


def test_a_max_gate_passes_at_its_bound_and_fails_above_it(repo: Repo) -> None:
    gate = "removed_share = { max = 0.25 }"
    at_bound = stage(repo, without(5), gate)  # 5 of 20: 0.25
    assert at_bound.returncode == 0, at_bound.stdout + at_bound.stderr
    assert "FAILED" not in at_bound.stdout + at_bound.stderr
    above = stage(repo, without(6))
    assert above.returncode == 1, above.stdout + above.stderr
    assert "FAILED: removed_share = 0.3, above max 0.25" in above.stderr
    assert f"{TRAIN}:1: first of 6 removed" in above.stderr


@pytest.mark.parametrize("level", ["error", "warn", "warning"])
def test_a_min_gate_fails_below_its_bound_and_passes_at_and_above_it(
    repo: Repo, level: str
) -> None:
    gate = f'new_samples = {{ min = 3, level = "{level}" }}'
    below = stage(repo, alpaca(22), gate)
    if level == "error":
        assert below.returncode == 1, below.stdout + below.stderr
        assert "FAILED: new_samples = 2, below min 3" in below.stderr
        assert "commit refused by the gates above" in below.stderr
    else:  # printed, never refused
        assert below.returncode == 0, below.stdout + below.stderr
        assert "warning: new_samples = 2, below min 3" in below.stdout
        assert "FAILED" not in below.stdout + below.stderr
    assert f"{TRAIN}:21: first of 2 added" in below.stdout + below.stderr
    for count in (23, 25):  # at the bound, and above it
        passed = stage(repo, alpaca(count))
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert "below min" not in passed.stdout + passed.stderr


def test_a_gate_with_both_bounds(repo: Repo) -> None:
    gate = "added = { min = 1, max = 3 }"
    edited_only = stage(repo, alpaca(20, edited=(4,), edit=" (edited)"), gate)
    assert edited_only.returncode == 1
    assert "FAILED: added = 0, below min 1" in edited_only.stderr
    too_many = stage(repo, alpaca(24))
    assert too_many.returncode == 1
    assert "FAILED: added = 4, above max 3" in too_many.stderr
    for count in (21, 23):  # both bounds
        inside = stage(repo, alpaca(count))
        assert inside.returncode == 0, inside.stdout + inside.stderr


def test_default_gates_allow_one_copy_in_twenty_new_samples_not_two(tmp_path: Path) -> None:
    """Without a [gates] table: added_duplicate_share max 0.05 and contradictions max 0, on
    real GSM8K samples (10 committed, 20 added of which some are copies)."""
    lines = GSM8K.read_text(encoding="utf-8").splitlines(True)
    repo = Repo(tmp_path / "repo")
    repo.write(TRAIN, "".join(lines[:10]))
    repo.commit("Ten maths problems\n\nReinforces: Show each step of a calculation.")

    one_copy = stage(repo, "".join(lines[:10] + lines[10:29] + lines[3:4]))
    assert one_copy.returncode == 0, one_copy.stdout + one_copy.stderr
    assert "FAILED" not in one_copy.stdout + one_copy.stderr

    two_copies = stage(repo, "".join(lines[:10] + lines[10:28] + lines[3:5]))
    assert two_copies.returncode == 1, two_copies.stdout + two_copies.stderr
    assert "FAILED: added_duplicate_share = 0.1, above max 0.05" in two_copies.stderr
    assert f"{TRAIN}:29: identical to {TRAIN}:4" in two_copies.stderr
    assert "contradictions" not in two_copies.stderr  # measured, 0, and within max 0

    row = json.loads(lines[3])
    row["messages"][-1]["content"] = "There is not enough information to answer this."
    contradiction = stage(repo, "".join(lines[:29]) + json.dumps(row) + "\n")
    assert contradiction.returncode == 1
    assert "FAILED: contradictions = 1, above max 0" in contradiction.stderr
    assert "added_duplicate_share" not in contradiction.stderr
