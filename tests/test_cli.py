"""The command line as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    assert "exact-duplicate (exact, 1.00): " in result.stdout
    assert "support_v2.jsonl:9 ~ " in result.stdout  # the new copy, and the sample it matched
    assert "the signal is counted twice" in result.stdout


def test_example_diff_json_document() -> None:
    result = run_cli(
        "diff",
        ROOT / "examples/support_v1.jsonl",
        ROOT / "examples/support_v2.jsonl",
        "--json",
        "--checks",
        "exact,near,conflicts",
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
    assert summary["findings"] == 1
    (finding,) = dataset["findings"]
    assert (finding["kind"], finding["tier"], finding["copies"]) == ("exact-duplicate", "exact", 2)
    assert finding["sample"]["origin"].endswith("support_v2.jsonl:9")
    assert finding["matched"]["origin"].endswith("support_v2.jsonl:2")
    assert finding["matched"]["prompt"] == "How do I export my notes to PDF?"


def test_scan_reports_duplicates_and_conflicts_in_one_file(tmp_path: Path) -> None:
    rows = [
        json.loads(line) for line in (ROOT / "examples/support_v1.jsonl").read_text().splitlines()
    ]
    copy = dict(rows[2], id="copy")
    contradiction = dict(rows[3], id="other", output="You cannot reset it: create a new account.")
    path = tmp_path / "support.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*rows, copy, contradiction]))
    result = run_cli("scan", path, "--checks", "exact,near,conflicts", "--json")
    assert result.returncode == 0, result.stderr
    findings = {f["kind"]: f for f in json.loads(result.stdout)["findings"]}
    assert set(findings) == {"exact-duplicate", "contradiction"}
    assert findings["exact-duplicate"]["sample"]["origin"].endswith("support.jsonl:9")
    assert findings["exact-duplicate"]["matched"]["origin"].endswith("support.jsonl:3")
    assert findings["contradiction"]["sample"]["origin"].endswith("support.jsonl:10")
    assert findings["contradiction"]["matched"]["origin"].endswith("support.jsonl:4")
    text = run_cli("scan", path, "--checks", "exact")
    assert "findings: 1 (1 error)" in text.stdout


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


def test_scan_reports_the_14_exact_duplicates_of_alpaca_en_demo(shared_data: Path) -> None:
    demo = shared_data / "llama_factory" / "alpaca_en_demo.json"
    result = run_cli("scan", demo, "--checks", "exact", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["dataset"]["samples"] == 999
    findings = document["findings"]
    assert len(findings) == 14
    assert {f["kind"] for f in findings} == {"exact-duplicate"}
    for finding in findings:  # each names the later copy and the earlier one, with lines
        later, earlier = finding["sample"]["origin"], finding["matched"]["origin"]
        assert int(later.rsplit(":", 1)[1]) > int(earlier.rsplit(":", 1)[1])
