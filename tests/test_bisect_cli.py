"""`datatenet bisect` through the real command line, on the real 12-commit history of
`tests/test_bisect.py`: the automatic bisect (exit codes, plain halving, --within-commit,
--metric, --weighted, --dry-run, --json), the bisect driven by hand, and the user's repository
left as it was after a success, a crash of CMD and a Ctrl-C."""

# ruff: noqa: F811 (the fixtures `template` and `history` are imported, then named by tests)

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.test_bisect import (  # noqa: F401 (fixtures)
    CULPRIT_AT,
    HARMFUL,
    TOPICS,
    TRAIN,
    UNSAFE,
    History,
    bound,
    direct_findings,
    evaluate,
    gone,
    history,
    no_worktrees_left,
    planted,
    snapshot,
    template,
    wait_for,
)

# CMD as a user writes it: a relative program in their directory that reads the dataset by its
# relative path (it runs in the probe's worktree) and counts its runs.
RELATIVE_EVAL = f"""#!{sys.executable}
import os, sys
UNSAFE = {UNSAFE!r}
with open(os.environ["BISECT_RUNS"], "a") as runs:
    runs.write(os.environ["DATATENET_BISECT_REVISION"] + " " + os.getcwd() + "\\n")
text = open("{TRAIN}", encoding="utf-8").read()
sys.exit(1 if any(phrase in text for phrase in UNSAFE) else 0)
"""
# A CMD that starts a child of its own, says where both are, and sleeps: to be interrupted.
HANG = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
with open(os.environ["SLOW_PIDS"], "w") as f:
    f.write(f"{os.getpid()} {child.pid}")
time.sleep(120)
"""


def bisect(history: History, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_cli("bisect", *args, cwd=history.repo.path)


def document(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def test_run_names_the_culprit_its_statement_change_and_findings(history: History) -> None:
    before = snapshot(history.repo)
    result = bisect(
        history, "run", "--good", history.good, "--bad", "HEAD", "--", *evaluate(history)
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # not a terminal: no progress, no echo of CMD
    text = result.stdout
    assert f"first bad commit: {history.culprit}" in text
    assert f"reinforces: {TOPICS[CULPRIT_AT - 1][2]}" in text
    assert "change: +7 -0 ~1 samples" in text
    findings = direct_findings(history, history.culprit)
    assert f"findings: {len(findings)} (" in text
    for finding in findings:  # each with its kind and its origins
        sample, matched = finding["sample"], finding["matched"]
        assert isinstance(sample, dict)
        where = str(sample["origin"])
        where += f" ~ {matched['origin']}" if isinstance(matched, dict) else ""
        assert f"{finding['kind']} ({finding['tier']}" in text and where in text
    runs = history.runs()
    assert f"probes: {len(runs)} of 12 candidates" in text
    assert len(runs) <= bound(12) + 1
    assert snapshot(history.repo) == before
    no_worktrees_left(history)
    # the last line is the command that writes the culprit's report for a reviewer: it works
    report = text.rstrip().splitlines()[-1]
    assert report.startswith("report: datatenet report ") and history.culprit[:12] in report
    written = run_cli(*report.removeprefix("report: datatenet ").split(), cwd=history.repo.path)
    assert written.returncode == 0, written.stderr
    page = (history.repo.path / report.split("--html ")[1]).read_text(encoding="utf-8")
    assert "<html" in page and TOPICS[CULPRIT_AT - 1][2] in page  # the culprit's statement


def test_run_within_commit_as_json_returns_exactly_the_planted_samples(history: History) -> None:
    before = snapshot(history.repo)
    found = document(
        bisect(
            history,
            "run",
            "--good",
            history.good,
            "--bad",
            "HEAD",
            "--within-commit",
            "--json",
            *evaluate(history),  # no `--`: CMD starts at the first argument that is not ours
        )
    )
    assert found["culprit"]["commit"] == history.culprit
    assert found["culprit"]["statement"] == TOPICS[CULPRIT_AT - 1][2]
    assert found["culprit"]["findings"] == direct_findings(history, history.culprit)
    assert found["runs"] <= bound(12) + 1 and found["candidates"] == 12
    within = found["within_commit"]
    assert within["reproduced"] and within["units"] == 8
    samples = [s for group in within["groups"] for s in group]
    assert sorted(s["origin"] for s in samples) == planted(history)
    assert {s["prompt"] for s in samples} == {q for q, _ in HARMFUL}
    assert len(history.runs()) == found["runs"] + within["runs"]
    assert snapshot(history.repo) == before


def test_cmd_runs_in_the_probes_worktree_from_the_users_directory(history: History) -> None:
    """A relative program of the user's directory, reading the dataset by its relative path,
    reads each probe's data: it runs in the probe's worktree, in the same subdirectory."""
    tools = history.repo.path / "tools"
    tools.mkdir()
    script = tools / "eval.py"
    script.write_text(RELATIVE_EVAL.replace(TRAIN, f"../{TRAIN}"), encoding="utf-8")
    script.chmod(0o755)
    result = run_cli(
        "bisect", "run", "--good", history.good, "--bad", "HEAD", "--", "./eval.py", cwd=tools
    )
    assert result.returncode == 0, result.stderr
    assert f"first bad commit: {history.culprit}" in result.stdout
    worktrees = history.repo.path / ".git" / "datatenet" / "bisect" / "worktrees"
    for line in history.runs():
        revision, directory = line.split(" ", 1)
        assert Path(directory).parent.parent == worktrees and Path(directory).name == "tools"
        assert Path(directory).parent.name.startswith(revision[:10])


def test_metric_mode_with_a_noisy_score(history: History) -> None:
    command = (sys.executable, str(history.scripts / "metric.py"))
    args = ["--metric", r"eval accuracy: ([0-9.]+)", "--threshold", "0.86", "--higher-is-better"]
    found = document(
        bisect(
            history, "run", "--good", history.good, "--bad", "HEAD", *args, "--json", "--", *command
        )
    )
    assert found["culprit"]["commit"] == history.culprit
    assert len(history.runs()) == found["runs"] <= bound(12) + 1
    log = bisect(history, "log").stdout
    assert "score 0.8" in log and ">= 0.86" in log and "< 0.86" in log


def test_weighted_needs_fewer_probes_than_halving(history: History) -> None:
    common = ["run", "--good", history.good, "--bad", "HEAD", "--json"]
    listed = document(bisect(history, *common, "--weighted", "--dry-run"))
    shares = [c["share"] for c in listed["candidates"]]
    assert shares.index(max(shares)) == CULPRIT_AT - 1  # its contradictions raise its prior
    assert listed["expected"]["weighted"] < listed["expected"]["halving"]
    assert history.runs() == []  # a dry run runs nothing
    plain = document(bisect(history, *common, "--", *evaluate(history)))
    plain_runs = len(history.runs())
    (history.scripts / "runs").unlink()
    weighted = document(bisect(history, *common, "--weighted", "--", *evaluate(history)))
    weighted_runs = len(history.runs())
    assert plain["culprit"]["commit"] == weighted["culprit"]["commit"] == history.culprit
    assert weighted_runs == weighted["runs"] < plain_runs == plain["runs"]
    assert weighted_runs <= bound(12) + 2
    assert weighted["expected"]["worst_case"] == bound(12) + 1


def test_dry_run_lists_candidates_with_statements_and_sizes(history: History) -> None:
    result = bisect(history, "run", "--good", history.good, "--bad", "HEAD", "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("12 candidates between good")
    for commit, (_, _, statement) in zip(history.data_commits, TOPICS, strict=True):
        assert any(line.split()[1:2] == [commit[:10]] for line in lines)
        assert f"reinforces: {statement}" in result.stdout
    assert "+7 -0 ~1" in result.stdout and result.stdout.count("+4 -0 ~0") == 11
    assert not (history.repo.path / ".git" / "datatenet" / "bisect" / "state.json").exists()


def test_manual_mode_finds_the_same_culprit(history: History, tmp_path: Path) -> None:
    before = snapshot(history.repo)
    started = document(bisect(history, "start", "--good", history.good, "--bad", "HEAD", "--json"))
    assert started["candidates"] == 12 and not started["done"]
    verdicts = 0
    for step in range(20):
        export = ["--export", str(tmp_path / "data")] if step % 2 else []
        handed = document(bisect(history, "next", *export, "--json"))
        assert not handed["done"] and handed["exported"] == bool(export)
        listed = history.repo.git("worktree", "list")
        assert (handed["place"] in listed) != bool(export)  # a worktree, or an export
        text = "".join(Path(p).read_text(encoding="utf-8") for p in handed["datasets"])
        verdict = "bad" if any(phrase in text for phrase in UNSAFE) else "good"
        marked = document(bisect(history, verdict, "--json"))
        verdicts += 1
        assert handed["place"] not in history.repo.git("worktree", "list")
        if marked["done"]:
            break
    assert marked["culprit"]["commit"] == history.culprit
    assert marked["runs"] == verdicts <= bound(12) + 1
    again = bisect(history, "next")  # asked again: the answer again
    assert again.returncode == 0 and f"first bad commit: {history.culprit}" in again.stdout
    steps = document(bisect(history, "log", "--json"))["steps"]
    assert steps[0]["event"] == "start" and steps[-1]["event"] == "done"
    assert sum("by hand" in s["details"] for s in steps) == verdicts
    assert bisect(history, "reset").returncode == 0
    assert snapshot(history.repo) == before
    missing = bisect(history, "log")
    assert missing.returncode == 2 and "no bisect here" in missing.stderr


def _elsewhere(history: History, tmp_path: Path) -> str:
    """A commit off the bisected history whose data no candidate holds."""
    index = {"GIT_INDEX_FILE": str(tmp_path / "index")}
    other = tmp_path / "other.jsonl"
    other.write_text('{"instruction": "q", "output": "a"}\n', encoding="utf-8")
    repo = history.repo
    repo.git("read-tree", "HEAD", env=index)
    blob = repo.git("hash-object", "-w", str(other)).strip()
    repo.git("update-index", "--cacheinfo", f"100644,{blob},{TRAIN}", env=index)
    tree = repo.git("write-tree", env=index).strip()
    return repo.git("commit-tree", tree, "-p", "HEAD", "-m", "elsewhere").strip()


def test_manual_mode_refusals(history: History, tmp_path: Path) -> None:
    nothing = bisect(history, "good")
    assert nothing.returncode == 2 and "no bisect is under way" in nothing.stderr
    assert bisect(history, "start", "--good", history.good, "--bad", "HEAD").returncode == 0
    unmarked = bisect(history, "bad")
    assert unmarked.returncode == 2 and "no probe is handed out" in unmarked.stderr
    again = bisect(history, "start", "--good", history.good, "--bad", "HEAD")
    assert again.returncode == 2 and "under way" in again.stderr
    assert "bisect next" in again.stderr and "bisect reset" in again.stderr
    outside = bisect(history, "good", _elsewhere(history, tmp_path))
    assert outside.returncode == 2 and "not that of any commit between" in outside.stderr
    assert "Traceback" not in nothing.stderr + unmarked.stderr + again.stderr + outside.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--good", "HEAD", "--bad", "HEAD~3"], "is not an ancestor"),
        (["--good", "no-such-rev", "--bad", "HEAD"], "not a commit here"),
        (["--good", "HEAD~1", "--bad", "HEAD", "--metric", "acc: (.*)"], "go together"),
        (["--good", "HEAD~1", "--bad", "HEAD", "--dataset", "data/none.jsonl"], "are the same"),
    ],
    ids=["not-an-ancestor", "unknown", "metric-without-threshold", "same-data"],
)
def test_usage_errors_exit_2_with_a_hint(history: History, args: list[str], message: str) -> None:
    result = bisect(history, "run", *args, "--", *evaluate(history))
    assert result.returncode == 2
    assert message in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr and history.runs() == []


def test_a_crash_of_cmd_exits_2_and_leaves_everything_as_it_was(history: History) -> None:
    before = snapshot(history.repo)
    crash = (sys.executable, "-c", "import sys; sys.exit(255)")
    result = bisect(history, "run", "--good", history.good, "--bad", "HEAD", "--", *crash)
    assert result.returncode == 2
    assert "exited with 255" in result.stderr and "resumes" in result.stderr
    assert snapshot(history.repo) == before
    no_worktrees_left(history)


def test_ctrl_c_mid_run_stops_cmd_cleans_up_and_the_same_command_resumes(
    history: History,
) -> None:
    """Ctrl-C at a terminal signals the whole foreground process group: datatenet stops CMD's
    own group, removes the worktree, keeps the state, and exits 130."""
    before = snapshot(history.repo)
    pids = history.scripts / "pids"
    (history.scripts / "hang.py").write_text(HANG, encoding="utf-8")
    hang = [sys.executable, str(history.scripts / "hang.py")]
    args = ["bisect", "run", "--good", history.good, "--bad", "HEAD", "--", *hang]
    process = subprocess.Popen(
        [sys.executable, "-m", "datatenet", *args],
        cwd=history.repo.path,
        env={**os.environ, "SLOW_PIDS": str(pids)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a process group of its own, as a terminal's foreground job
    )
    cmd_pid, child_pid = map(int, wait_for(pids).split())
    assert "datatenet/bisect/worktrees" in history.repo.git("worktree", "list")
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"the same command resumes it" in stderr
    deadline = time.monotonic() + 10
    while not (gone(cmd_pid) and gone(child_pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(cmd_pid) and gone(child_pid)  # CMD's whole process group was stopped
    assert snapshot(history.repo) == before
    no_worktrees_left(history)
    steps = document(bisect(history, "log", "--json"))["steps"]
    assert steps[-1]["event"] == "interrupted"
    other = bisect(
        history, "run", "--good", history.good, "--bad", "HEAD", "--", *evaluate(history)
    )
    assert other.returncode == 2 and "under way" in other.stderr  # not silently replaced
    (history.scripts / "hang.py").write_bytes((history.scripts / "evaluate.py").read_bytes())
    done = document(
        bisect(history, "run", "--good", history.good, "--bad", "HEAD", "--json", "--", *hang)
    )
    assert done["culprit"]["commit"] == history.culprit
    events = [s["event"] for s in document(bisect(history, "log", "--json"))["steps"]]
    assert events.index("interrupted") < events.index("resume") < events.index("done")
    assert snapshot(history.repo) == before
    no_worktrees_left(history)
