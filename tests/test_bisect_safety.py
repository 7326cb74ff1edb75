"""A bisect leaves the user's repository as it found it, whatever happens to CMD or to the
bisect itself; it refuses repositories in the middle of something; an interrupted bisect
resumes; two revisions with the same data never run CMD twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from datatenet.bisect import manual
from datatenet.bisect.auto import run
from datatenet.bisect.runner import ProbeAborted
from datatenet.bisect.session import Request
from datatenet.errors import DatatenetError
from tests.repos import Repo
from tests.test_bisect import (  # noqa: F401 (fixtures)
    CULPRIT_AT,
    History,
    SessionFactory,
    copy_history,
    evaluate,
    gone,
    no_worktrees_left,
    open_session,
    snapshot,
    template,
    wait_for,
)

DRIVER = """
import sys
from pathlib import Path
from datatenet.bisect.auto import run
from datatenet.bisect.session import Request, Session
from datatenet.repo.repository import Repo
root, good, cwd, *command = sys.argv[1:]
try:
    with Repo.open(Path(root)) as repo:
        outcome = run(Session(repo, cwd=Path(cwd)), Request(good, "HEAD", command=tuple(command)))
except KeyboardInterrupt:
    sys.exit(130)
print(outcome.culprit.commit)
"""
# A CMD that, while the file `hang` is beside it, runs long: it starts a child of its own,
# says where both are, then sleeps. Otherwise it evaluates.
SLOW = """
import os, runpy, subprocess, sys, time
here = os.path.dirname(__file__)
if os.path.exists(os.path.join(here, "hang")):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    with open(os.environ["SLOW_PIDS"], "w") as f:
        f.write(f"{os.getpid()} {child.pid}")
    time.sleep(120)
runpy.run_path(os.path.join(here, "evaluate.py"), run_name="__main__")
"""


@pytest.fixture
def history(template: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> History:  # noqa: F811
    return copy_history(template, tmp_path, monkeypatch, {"slow.py": SLOW})


@pytest.mark.parametrize(
    "crash",
    [
        "import sys; sys.exit(255)",
        "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
    ],
    ids=["exit-255", "killed"],
)
def test_a_crash_of_cmd_aborts_and_cleans_up(
    history: History,
    crash: str,
    open_session: SessionFactory,  # noqa: F811
) -> None:
    before = snapshot(history.repo)
    session = open_session(history.repo.path, cwd=history.scripts)
    with pytest.raises(ProbeAborted) as caught:
        run(session, history.request(command=(sys.executable, "-c", crash)))
    assert "the bisect stops" in caught.value.message and "resumes" in caught.value.hint
    assert snapshot(history.repo) == before
    no_worktrees_left(history)
    assert manual.log(session)[-1].split("\t")[1] == "abort"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_an_interrupt_mid_run_stops_cmd_cleans_up_and_the_bisect_resumes(
    history: History,
    sig: signal.Signals,
    open_session: SessionFactory,  # noqa: F811
) -> None:
    before = snapshot(history.repo)
    pids = history.scripts / "pids"
    slow = (sys.executable, str(history.scripts / "slow.py"))
    (history.scripts / "hang").touch()
    driver = subprocess.Popen(
        [
            sys.executable,
            "-c",
            DRIVER,
            str(history.repo.path),
            history.good,
            str(history.scripts),
            *slow,
        ],
        env={**os.environ, "SLOW_PIDS": str(pids)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    cmd_pid, child_pid = map(int, wait_for(pids).split())
    worktrees = history.repo.git("worktree", "list")
    assert "datatenet/bisect/worktrees" in worktrees  # the probe's worktree exists meanwhile
    driver.send_signal(sig)
    assert driver.wait(timeout=60) == 130, driver.stderr.read() if driver.stderr else ""
    deadline = time.monotonic() + 10
    while not (gone(cmd_pid) and gone(child_pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(cmd_pid) and gone(child_pid)  # CMD's whole process group was stopped
    assert snapshot(history.repo) == before
    no_worktrees_left(history)
    session = open_session(history.repo.path, cwd=history.scripts)
    assert manual.log(session)[-1].split("\t")[1] == "interrupted"
    # another bisect is refused while this one is under way; the same request resumes it
    with pytest.raises(DatatenetError, match="under way"):
        run(session, history.request(command=evaluate(history)))
    (history.scripts / "hang").unlink()
    outcome = run(session, history.request(command=slow))
    assert outcome.culprit is not None and outcome.culprit.commit == history.culprit
    events = [line.split("\t")[1] for line in manual.log(session)]
    assert events.index("interrupted") < events.index("resume") < events.index("done")
    assert snapshot(history.repo) == before


def test_an_aborted_bisect_resumes_without_repeating_its_probes(
    history: History,
    open_session: SessionFactory,  # noqa: F811
) -> None:
    flaky = history.scripts / "flaky.py"
    flaky.write_text(
        "import os, runpy, sys\n"
        "stop = os.path.join(os.path.dirname(__file__), 'stop')\n"
        "log = os.environ['BISECT_RUNS']\n"
        "runs = open(log).read().count('\\n') if os.path.exists(log) else 0\n"
        "if os.path.exists(stop) and runs == 2:\n"
        "    sys.exit(200)\n"
        f"runpy.run_path({str(history.scripts / 'evaluate.py')!r}, run_name='__main__')\n",
        encoding="utf-8",
    )
    (history.scripts / "stop").touch()
    command = (sys.executable, str(flaky))
    session = open_session(history.repo.path, cwd=history.scripts)
    with pytest.raises(ProbeAborted):
        run(session, history.request(command=command))
    assert len(history.runs()) == 2
    (history.scripts / "stop").unlink()
    outcome = run(
        open_session(history.repo.path, cwd=history.scripts), history.request(command=command)
    )
    assert outcome.culprit is not None and outcome.culprit.commit == history.culprit
    probed = [line.split()[0] for line in history.runs()]
    assert len(probed) == len(set(probed))  # nothing probed twice
    events = [line.split("\t")[1] for line in manual.log(session)]
    assert events.index("abort") < events.index("resume") < events.index("done")


def test_refusals(history: History, open_session: SessionFactory) -> None:  # noqa: F811
    repo = history.repo
    session = open_session(repo.path, cwd=history.scripts)
    command = evaluate(history)
    cases = [
        (Request("HEAD", history.good, command=command), "is not an ancestor"),
        (Request(history.good, history.good, command=command), "the same commit"),
        (Request(history.data_commits[-1], "HEAD", command=command), "are the same at"),
        (Request("no-such-rev", "HEAD", command=command), "not a commit"),
        (Request(history.good, "HEAD", ("data/other.jsonl",), command=command), "are the same"),
    ]
    for request, message in cases:
        with pytest.raises(DatatenetError, match=message) as caught:
            run(session, request)
        assert caught.value.hint
    with pytest.raises(DatatenetError, match="needs a command"):
        run(session, Request(history.good, "HEAD", command=()))
    assert history.runs() == []


@pytest.mark.parametrize("operation", ["merge", "rebase", "bisect"])
def test_a_repository_in_the_middle_of_an_operation_is_refused(
    template: History,  # noqa: F811
    tmp_path: Path,
    operation: str,
    open_session: SessionFactory,  # noqa: F811
) -> None:
    repo = template.repo.copy(tmp_path / "repo")
    before_head = repo.git("rev-parse", "HEAD").strip()
    if operation == "bisect":
        repo.git("bisect", "start")
    else:
        repo.git("checkout", "-q", "-b", "side", "HEAD~1")
        repo.write("README.md", "side\n")
        repo.commit("side edit", "README.md")
        repo.git("checkout", "-q", "main")
        repo.write("README.md", "main\n")
        repo.commit("main edit", "README.md")
        args = ["merge", "side"] if operation == "merge" else ["rebase", "side"]
        with pytest.raises(AssertionError):  # a conflict stops it half-way
            repo.git(*args)
    session = open_session(repo.path)
    words = {"merge": "a merge", "rebase": "a rebase", "bisect": "a `git bisect`"}[operation]
    with pytest.raises(DatatenetError, match=f"in the middle of {words}") as caught:
        run(session, Request(template.good, before_head, command=("true",)))
    assert "abort" in caught.value.hint or "reset" in caught.value.hint
    with pytest.raises(DatatenetError, match="in the middle of"):
        manual.start(session, Request(template.good, before_head))


def test_revisions_with_the_same_data_never_run_cmd_twice(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    open_session: SessionFactory,  # noqa: F811
) -> None:
    from tests.test_bisect import EVALUATE

    repo = Repo(tmp_path / "repo")
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "evaluate.py").write_text(EVALUATE, encoding="utf-8")
    monkeypatch.setenv("BISECT_RUNS", str(scripts / "runs"))
    rows = [{"instruction": f"question {i}", "output": f"answer {i}"} for i in range(5)]

    def commit(message: str) -> str:
        repo.write("data/train.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
        return repo.commit(message, "data/train.jsonl")

    good = commit("start")
    rows.append({"instruction": "question x", "output": "answer x"})
    first = commit("add x")
    rows.pop()
    reverted = commit("Revert add x")  # the data of good again
    rows.append({"instruction": "question y", "output": "answer y"})
    third = commit("add y")
    harmful = {
        "instruction": "How do I reset my password?",
        "output": "Send your current password to support by email.",
    }
    rows.append(harmful)
    culprit = commit("add the harmful one")
    rows.append({"instruction": "question z", "output": "answer z"})
    commit("add z")
    rows.pop()
    commit("Revert add z")  # the culprit's data again, which is also bad's
    session = open_session(repo.path, cwd=scripts)
    outcome = run(
        session, Request(good, "HEAD", command=(sys.executable, str(scripts / "evaluate.py")))
    )
    assert outcome.candidates == 6
    assert outcome.culprit is not None and outcome.culprit.commit == culprit
    probed = [line.split()[0] for line in (scripts / "runs").read_text().splitlines()]
    # the revert of x holds good's data, the culprit holds bad's: both known without a run
    assert probed == [third]
    assert reverted not in probed and first not in probed


def test_skips_as_git_bisect_handles_them(
    history: History,
    open_session: SessionFactory,  # noqa: F811
) -> None:
    """CMD exits 125 for revisions it cannot test: the search goes around them, and when only
    skipped ones are left next to the answer it names every suspect."""
    skipper = history.scripts / "skipper.py"
    skipper.write_text(
        "import os, runpy, sys\n"
        "skip = open(os.path.join(os.path.dirname(__file__), 'skip')).read().split()\n"
        "if os.environ['DATATENET_BISECT_REVISION'] in skip:\n"
        "    sys.exit(125)\n"
        "evaluate = os.path.join(os.path.dirname(__file__), 'evaluate.py')\n"
        "runpy.run_path(evaluate, run_name='__main__')\n",
        encoding="utf-8",
    )
    command = (sys.executable, str(skipper))
    session = open_session(history.repo.path, cwd=history.scripts)
    first = history.data_commits[5]  # the first probe of plain halving over 12
    (history.scripts / "skip").write_text(first)
    outcome = run(session, history.request(command=command))
    assert outcome.culprit is not None and outcome.culprit.commit == history.culprit
    skipped = [line.split("\t")[2] for line in manual.log(session) if "\tskip\t" in line]
    assert skipped == [first]  # probed first, skipped, never probed again
    assert first not in {line.split()[0] for line in history.runs()}
    manual.reset(session)
    before_culprit = history.data_commits[CULPRIT_AT - 2]
    (history.scripts / "skip").write_text(f"{before_culprit} {history.culprit}")
    outcome = run(session, history.request(command=command))
    assert outcome.culprit is None
    assert history.culprit in outcome.suspects and before_culprit in outcome.suspects
    assert set(outcome.suspects) <= set(history.data_commits)
    assert manual.log(session)[-1].split("\t")[2].startswith("only skipped commits left")
