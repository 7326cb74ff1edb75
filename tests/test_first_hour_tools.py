"""The first hour with the tools around datatenet: progress on a real terminal (and none off
one, or when quiet), hooks installed both ways through the real pre-commit framework, and the
git-like options of `log`; `cache info` outside a repository."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.repos import Repo, alpaca
from tests.test_hooks import pre_commit

TRAIN = "data/train.jsonl"
STATEMENT = "When a question is numbered, answer with the same number."
VENV_BIN = str(Path(sys.executable).parent)


def commit(repo: Repo, subject: str, statement: str | None = STATEMENT, **env: str) -> str:
    message = subject if statement is None else f"{subject}\n\nReinforces: {statement}"
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message, env=env)
    return repo.git("rev-parse", "HEAD").strip()


# -- 8. progress on a terminal -----------------------------------------------------------------


def on_terminal(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[bytes], str]:
    """`datatenet ARGS` with stderr on a real pseudo-terminal (stdout piped): the result and
    what the terminal received."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    with subprocess.Popen(
        [sys.executable, "-m", "datatenet", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, **(env or {})},
    ) as process:
        os.close(follower)
        received = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the process ended
                break
            if not chunk:
                break
            received += chunk
        stdout = process.stdout.read() if process.stdout else b""
        code = process.wait()
    os.close(leader)
    done = subprocess.CompletedProcess(process.args, code, stdout, b"")
    return done, received.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def long_history(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """30 data commits of a growing dataset: reading them cold takes seconds."""
    repo = Repo(tmp_path_factory.mktemp("progress") / "repo")
    for step in range(1, 31):
        repo.write(TRAIN, alpaca(step * 100))
        commit(repo, f"Step {step}")
    return repo


def test_log_and_blame_show_progress_on_a_terminal(long_history: Repo) -> None:
    for args in (("log", "--checks", "none"), ("blame", TRAIN, "--summary")):
        assert run_cli("cache", "clear", cwd=long_history.path).returncode == 0
        done, terminal = on_terminal(*args, cwd=long_history.path)
        assert done.returncode == 0, terminal
        assert "datatenet: reading history" in terminal and " commits" in terminal, terminal
        assert b"Step 30" in done.stdout or b"3000 samples" in done.stdout  # stdout untouched
        assert "reading history" not in done.stdout.decode()


def test_no_progress_when_quiet_or_off_a_terminal(long_history: Repo) -> None:
    for extra, env in ((("--quiet",), {}), ((), {"DATATENET_QUIET": "1"})):
        assert run_cli("cache", "clear", cwd=long_history.path).returncode == 0
        done, terminal = on_terminal(
            *extra, "log", "--checks", "none", cwd=long_history.path, env=env
        )
        assert done.returncode == 0 and b"Step 30" in done.stdout
        assert terminal == "", terminal
    assert run_cli("cache", "clear", cwd=long_history.path).returncode == 0
    piped = run_cli("log", "--checks", "none", cwd=long_history.path)
    assert piped.returncode == 0 and piped.stderr == ""


def test_a_delayed_status_shows_only_for_a_long_step() -> None:
    import io
    import time

    from datatenet.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = Progress(stream=stream)
    with progress.status("parsing a small file", delay=0.3):
        pass
    assert stream.getvalue() == ""
    with progress.status("parsing a large file", delay=0.05):
        time.sleep(0.3)
    assert stream.getvalue().startswith("datatenet: parsing a large file…")
    assert stream.getvalue().endswith(" s\n")


# -- 10. hooks both ways -----------------------------------------------------------------------


def attempt(repo: Repo, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_EDITOR": "true", **env},
    )


def test_moving_from_plain_hooks_to_pre_commit(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write(TRAIN, alpaca(5))
    commit(repo, "Five")
    hooks = repo.path / ".git" / "hooks"
    assert run_cli("install", cwd=repo.path).returncode == 0
    foreign = hooks / "post-commit"
    foreign.write_text("#!/bin/sh\necho mine\n")

    said = run_cli("install", "--pre-commit", cwd=repo.path)
    assert said.returncode == 0, said.stderr
    assert "warning: datatenet's plain hooks are installed too" in said.stdout
    assert "every check twice" in said.stdout and "`datatenet uninstall`" in said.stdout
    assert "the entries run the `datatenet` on PATH" in said.stdout
    home = tmp_path / "pc"
    migrating = pre_commit(repo, "install", home=home)
    assert "migration mode" in migrating.stdout, migrating.stdout
    env = {"PATH": VENV_BIN + os.pathsep + os.environ["PATH"], "PRE_COMMIT_HOME": str(home)}
    commit(repo, "Use pre-commit", None, **env)

    repo.write(TRAIN, alpaca(7))
    repo.git("add", TRAIN)
    twice = attempt(repo, "commit", "-m", "More", env=env)
    assert twice.returncode != 0
    assert (twice.stdout + twice.stderr).count("commit refused:") == 2  # legacy hook + pre-commit

    removed = run_cli("uninstall", cwd=repo.path)
    assert removed.returncode == 0, removed.stderr
    assert f"removed {hooks / 'commit-msg.legacy'}" in removed.stdout
    assert f"left alone: {hooks / 'commit-msg'} (not datatenet's)" in removed.stdout
    assert not list(hooks.glob("*.legacy")) and foreign.read_text() == "#!/bin/sh\necho mine\n"
    assert "no datatenet hook" in run_cli("uninstall", cwd=repo.path).stdout
    quiet = run_cli("install", "--pre-commit", cwd=repo.path)
    assert "warning" not in quiet.stdout

    once = attempt(repo, "commit", "-m", "More", env=env)
    assert once.returncode != 0
    assert (once.stdout + once.stderr).count("commit refused:") == 1
    accepted = attempt(repo, "commit", "-m", f"More\n\nReinforces: {STATEMENT}", env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    # the documented trade-off of `language: system`: datatenet must be on PATH
    repo.write(TRAIN, alpaca(9))
    repo.git("add", TRAIN)
    bare_path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != VENV_BIN)
    bare = attempt(repo, "commit", "-m", "x", env={**env, "PATH": bare_path})
    assert bare.returncode != 0
    assert "Executable `datatenet` not found" in bare.stdout + bare.stderr


# -- 11. git-like conveniences -----------------------------------------------------------------


def test_log_limits_filters_and_one_line(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    dated = []
    for step, (author, date) in enumerate(
        [
            ("Ada", "2024-01-10T10:00:00"),
            ("Grace", "2024-03-10T10:00:00"),
            ("Ada", "2024-05-10T10:00:00"),
        ],
        start=1,
    ):
        repo.write(TRAIN, alpaca(step * 2))
        repo.write("README.md", f"step {step}\n")
        env = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
        dated.append(commit(repo, f"Step {step}", **env))
    repo.write("README.md", "code only\n")
    commit(repo, "Docs", None)  # not a data commit: -n counts data commits

    def subjects(*args: str) -> list[str]:
        document = json.loads(run_cli("log", "--json", *args, cwd=repo.path).stdout)
        return [c["subject"] for c in document["commits"]]

    assert subjects() == ["Step 3", "Step 2", "Step 1"]
    assert subjects("-n", "2") == ["Step 3", "Step 2"]
    assert subjects("--max-count", "1") == ["Step 3"]
    assert subjects("--since", "2024-02-01") == ["Step 3", "Step 2"]
    assert subjects("--author", "Ada") == ["Step 3", "Step 1"]
    oneline = run_cli("log", "--oneline", "-n", "2", cwd=repo.path)
    assert oneline.returncode == 0, oneline.stderr
    assert oneline.stdout.splitlines() == [
        f"{dated[2][:10]} +2 -0 ~0       Step 3  (reinforces: {STATEMENT})",
        f"{dated[1][:10]} +2 -0 ~0       Step 2  (reinforces: {STATEMENT})",
    ]


def test_cache_info_outside_a_repository_shows_the_cache_scan_fills(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text(alpaca(30))
    scanned = run_cli("scan", data, "--checks", "exact,near", cwd=tmp_path)
    assert scanned.returncode == 0, scanned.stderr
    info = run_cli("cache", "info", cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    user_cache = Path(os.environ["XDG_CACHE_HOME"]) / "datatenet"
    assert info.stdout.startswith(f"{user_cache} (the user's cache")
    signatures = next(line for line in info.stdout.splitlines() if "MinHash" in line)
    assert not signatures.strip().startswith("MinHash signatures: 0 files"), info.stdout


def wordy(count: int, seed: int) -> str:
    """Alpaca JSONL of questions and answers of a few dozen words: seconds of embedding."""
    import random

    chosen = random.Random(seed)
    words = [
        "note",
        "sync",
        "export",
        "folder",
        "share",
        "trash",
        "tag",
        "search",
        "phone",
        "laptop",
        "page",
        "list",
    ]
    lines = []
    for _ in range(count):
        prompt = " ".join(chosen.choices(words, k=20)) + "?"
        answer = " ".join(chosen.choices(words, k=60)) + "."
        lines.append(json.dumps({"instruction": prompt, "output": answer}))
    return "\n".join(lines) + "\n"


def test_the_first_semantic_run_shows_the_model_loading_and_an_embedding_bar(
    tmp_path: Path,
) -> None:
    """Item 8: the real model, a cold cache, stderr on a real terminal."""
    data = tmp_path / "train.jsonl"
    data.write_text(wordy(300, seed=1), encoding="utf-8")
    cold = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    done, shown = on_terminal("scan", str(data), "--checks", "semantic", cwd=tmp_path, env=cold)
    assert done.returncode == 0, shown
    assert "datatenet: loading" in shown  # a line while the model loads
    assert "datatenet: embedding" in shown and "texts/s" in shown  # a bar with its rate
    assert done.stdout  # the findings still go to stdout
    other = tmp_path / "other.jsonl"  # texts the cache has not seen: the same work, quiet
    other.write_text(wordy(300, seed=2), encoding="utf-8")
    done, shown = on_terminal(
        "--quiet", "scan", str(other), "--checks", "semantic", cwd=tmp_path, env=cold
    )
    assert done.returncode == 0 and shown == ""
