"""The DVC stage of examples/dvc.yaml, word for word, in a real DVC repository: `dvc repro`
runs the pipeline and datatenet's report of its output, and `dvc metrics diff` shows what a
data change did."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.repos import Repo, alpaca

PREPARE = """\
import sys
from pathlib import Path

raw, out = Path(sys.argv[1]), Path(sys.argv[2])
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text("".join(p.read_text() for p in sorted(raw.glob("*.jsonl"))))
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    # the stage runs `python` and `datatenet` from PATH: this environment's
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    repo = Repo(tmp_path / "repo")
    repo.dvc("init", "-q")
    repo.write("dvc.yaml", (ROOT / "examples" / "dvc.yaml").read_text("utf-8"))
    repo.write("prepare.py", PREPARE)
    repo.write("raw/a.jsonl", alpaca(30))
    repo.write(".datatenet.toml", 'datasets = ["data/*.jsonl"]\n')
    repo.commit("the pipeline and its raw data")
    return repo


def test_repro_reports_the_change_and_metrics_diff_shows_it(repo: Repo) -> None:
    repo.dvc("repro", "-q")
    first = json.loads((repo.path / "reports" / "data-metrics.json").read_text("utf-8"))
    assert first["head_samples"] == 30 and first["added"] == 30  # nothing at HEAD yet
    assert (repo.path / "reports" / "data.html").stat().st_size > 10_000
    repo.commit("the first output")

    repo.write("raw/b.jsonl", alpaca(10, start=30) + alpaca(4))  # 10 new, 4 copies
    repo.dvc("repro", "-q")
    second = json.loads((repo.path / "reports" / "data-metrics.json").read_text("utf-8"))
    assert second["base_samples"] == 30 and second["head_samples"] == 44
    assert second["added"] == 14 and second["exact_duplicates"] == 4

    shown = repo.dvc("metrics", "diff", "--md")
    rows = {line.split("|")[2].strip(): line for line in shown.splitlines() if "|" in line}
    assert "reports/data-metrics.json" in shown
    for name, before, after in (("added", 30, 14), ("head_samples", 30, 44)):
        assert name in rows, shown
        assert f"| {before} " in rows[name] and f"| {after} " in rows[name], rows[name]
    assert "exact_duplicates" in rows
