"""The same bisect with the dataset tracked by DVC (real `dvc init`, `dvc add`, a local
cache configured to hard-link): each probe's data is checked out into the temporary worktree
from the user's cache, which is only read."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from datatenet.bisect import manual
from datatenet.bisect.auto import run
from datatenet.results.bisect import Handout
from datatenet.sources import dvc
from tests.test_bisect import (  # noqa: F401 (a fixture)
    HARMFUL,
    TRAIN,
    UNSAFE,
    History,
    SessionFactory,
    build_history,
    copy_history,
    evaluate,
    open_session,
    snapshot,
    user_state,
)

# CMD refuses (exit 201: the bisect aborts and the test fails) a dataset that is a link:
# anything CMD wrote there would then reach the DVC cache.
NOT_A_LINK = """
import os, runpy, sys
for path in os.environ["DATATENET_BISECT_DATASETS"].split(os.pathsep):
    if os.path.islink(path) or os.stat(path).st_nlink != 1:
        sys.exit(201)
runpy.run_path(os.path.join(os.path.dirname(__file__), "evaluate.py"), run_name="__main__")
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> History:
    history = build_history(tmp_path_factory.mktemp("bisect-dvc") / "repo", dvc=True)
    history.repo.dvc("config", "--local", "cache.type", "hardlink")
    return history


@pytest.fixture
def history(template: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> History:
    return copy_history(
        template, tmp_path, monkeypatch, {"guarded.py": NOT_A_LINK}, relink_dvc=True
    )


def cache_snapshot(repo_path: Path) -> dict[str, tuple[bytes, int, int, int]]:
    cache = dvc.cache_dir(repo_path)
    return {
        path.relative_to(cache).as_posix(): (
            path.read_bytes(),
            path.stat().st_mode,
            path.stat().st_mtime_ns,
            path.stat().st_nlink,
        )
        for path in sorted(cache.rglob("*"))
        if path.is_file()
    }


def guarded(history: History) -> tuple[str, ...]:
    return (sys.executable, str(history.scripts / "guarded.py"))


def test_dvc_history_is_what_the_test_expects(history: History) -> None:
    assert (history.repo.path / f"{TRAIN}.dvc").is_file()
    assert TRAIN not in history.repo.git("ls-files").splitlines()
    assert (history.repo.path / TRAIN).stat().st_nlink == 2  # the workspace file is a hard link


def test_dvc_run_and_within_commit(history: History, open_session: SessionFactory) -> None:  # noqa: F811
    before, cache_before = snapshot(history.repo), cache_snapshot(history.repo.path)
    session = open_session(history.repo.path, cwd=history.scripts)
    outcome = run(session, history.request(command=guarded(history), within_commit=True))
    assert outcome.culprit is not None and outcome.culprit.commit == history.culprit
    assert outcome.candidates == 12
    assert outcome.runs <= math.ceil(math.log2(12)) + 1
    within = outcome.within
    assert within is not None and within.reproduced
    assert sorted(s.origin for s in within.samples) == sorted(
        f"{TRAIN}:{line}" for line in history.harmful_lines
    )
    assert {s.prompt for s in within.samples} == {q for q, _ in HARMFUL}
    assert snapshot(history.repo) == before
    assert cache_snapshot(history.repo.path) == cache_before  # read, never written
    assert not any(history.repo.path.joinpath(".git", "datatenet", "bisect", "worktrees").iterdir())


def test_dvc_manual_mode_with_export(
    history: History,
    tmp_path: Path,
    open_session: SessionFactory,  # noqa: F811
) -> None:
    cache_before = cache_snapshot(history.repo.path)
    session = open_session(history.repo.path)
    manual.start(session, history.request())
    export = tmp_path / "probe-data"
    for _ in range(10):
        handed = manual.next_probe(session, export)
        assert isinstance(handed, Handout) and handed.place == export
        assert handed.datasets == (export / TRAIN,) and not handed.missing
        text = (export / TRAIN).read_text(encoding="utf-8")
        progress = manual.mark(session, "bad" if any(p in text for p in UNSAFE) else "good")
        if progress.outcome is not None:
            break
    assert progress.outcome is not None and progress.outcome.culprit is not None
    assert progress.outcome.culprit.commit == history.culprit
    assert cache_snapshot(history.repo.path) == cache_before
    manual.reset(session)


def test_a_probe_whose_data_is_not_in_the_cache_is_skipped(
    history: History,
    open_session: SessionFactory,  # noqa: F811
) -> None:
    session = open_session(history.repo.path, cwd=history.scripts)
    # the data of the first probe (plain halving over 12 starts at the 6th candidate)
    pointer = history.repo.git("show", f"{history.data_commits[5]}:{TRAIN}.dvc")
    (out,) = dvc.parse_pointer(pointer.encode(), f"{TRAIN}.dvc")
    assert out.md5 is not None
    cached = dvc.object_path(dvc.cache_dir(history.repo.path), out.md5)
    assert cached is not None
    cached.chmod(0o644)
    cached.unlink()
    outcome = run(session, history.request(command=evaluate(history)))
    assert outcome.culprit is not None and outcome.culprit.commit == history.culprit
    probed = [line.split()[0] for line in history.runs()]
    assert history.data_commits[5] not in probed  # CMD never saw incomplete data
    skipped = [line for line in manual.log(session) if line.split("\t")[1] == "skip"]
    assert len(skipped) == 1 and history.data_commits[5] in skipped[0]
    assert "dvc fetch --all-commits data/train.jsonl.dvc" in skipped[0]  # that commit's object
    assert (history.repo.path / TRAIN).exists()  # the workspace data is still there


def test_dvc_through_the_command_line(history: History) -> None:
    """`datatenet bisect run --within-commit --json` on the DVC-tracked history: the culprit and
    exactly the planted samples, the cache read and never written, the repository as it was."""
    from tests.conftest import run_cli

    before, cache_before = snapshot(history.repo), cache_snapshot(history.repo.path)
    args = ["bisect", "run", "--good", history.good, "--bad", "HEAD", "--within-commit", "--json"]
    result = run_cli(*args, "--", *guarded(history), cwd=history.repo.path)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["culprit"]["commit"] == history.culprit
    assert found["runs"] <= math.ceil(math.log2(12)) + 1
    samples = [s for group in found["within_commit"]["groups"] for s in group]
    assert sorted(s["origin"] for s in samples) == sorted(
        f"{TRAIN}:{line}" for line in history.harmful_lines
    )
    assert snapshot(history.repo) == before
    assert cache_snapshot(history.repo.path) == cache_before
