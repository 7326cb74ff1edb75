"""The command line as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, run_cli

HEAVY_MODULES = ("pandas", "numpy", "torch", "dvc", "sentence_transformers", "pyarrow")


def test_help_imports_no_heavy_module() -> None:
    probe = (
        "import sys\n"
        "from datatenet.cli import main\n"
        "sys.argv = ['datatenet', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = [m for m in {HEAVY_MODULES!r} if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "Usage: datatenet" in result.stdout
    assert "HEAVY []" in result.stdout


def test_python_dash_m_runs_the_cli() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert "datatenet" in result.stdout


def test_example_diff_summary() -> None:
    result = run_cli(
        "diff",
        ROOT / "examples/support_v1.jsonl",
        ROOT / "examples/support_v2.jsonl",
        "--show",
        "5",
    )
    assert result.returncode == 0, result.stderr
    assert "unchanged 6  added 2  removed 1  modified 1  metadata changed 1" in result.stdout
    assert "support_v1.jsonl:6" in result.stdout  # the removed sample, with its line
    assert "copies 1 -> 2" in result.stdout


def test_example_diff_json_document() -> None:
    result = run_cli(
        "diff", ROOT / "examples/support_v1.jsonl", ROOT / "examples/support_v2.jsonl", "--json"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["version"] == 1
    summary = document["summary"]
    for field in (
        "base_samples",
        "head_samples",
        "unchanged",
        "added",
        "removed",
        "modified",
        "metadata_changed",
        "invalid_base",
        "invalid_head",
    ):
        assert field in summary
    assert summary["base_samples"] == 8
    assert summary["head_samples"] == 9
    dataset = document["datasets"][0]
    assert dataset["removed"][0]["base"].endswith("support_v1.jsonl:6")
    assert len(dataset["added"]) == summary["added"] == 2
    assert dataset["modified"][0]["base"].endswith(":2")


def test_missing_file_is_a_clear_error() -> None:
    result = run_cli("diff", "nope.jsonl", ROOT / "examples/support_v1.jsonl")
    assert result.returncode == 2
    assert "nope.jsonl: no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_map_is_a_usage_error() -> None:
    result = run_cli(
        "diff",
        ROOT / "examples/support_v1.jsonl",
        ROOT / "examples/support_v2.jsonl",
        "--map",
        "answer-is-output",
    )
    assert result.returncode == 2
    assert "canonical=field" in result.stderr
