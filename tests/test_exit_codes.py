"""Exit codes, decided in one place (src/datatenet/exits.py): 0 done, 1 a check refused, 2 a user
error or unreadable input, 3 an unexpected error, told in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from datatenet import __version__
from tests.conftest import run_cli
from tests.repos import Repo, alpaca

# A command with a bug in it, added to the real command line.
BUGGY = """
import sys
from datatenet import cli

@cli.cli.command("explode")
def explode() -> None:
    raise RuntimeError("boom\\nsecond line")

cli.main(sys.argv[1:])
"""


def run_buggy(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BUGGY, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_an_unexpected_error_is_one_line_with_the_version_and_exit_3() -> None:
    result = run_buggy("explode")
    assert result.returncode == 3
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"datatenet {__version__}: unexpected error (RuntimeError: boom)")
    assert "this is a bug: please report it to " in line and "--debug" in line
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_debug_shows_the_traceback() -> None:
    for args, env in ((("--debug", "explode"), None), (("explode",), {"DATATENET_DEBUG": "1"})):
        result = run_buggy(*args, env=env)
        assert result.returncode == 3
        assert "Traceback (most recent call last)" in result.stderr
        assert "in explode" in result.stderr and "RuntimeError: boom" in result.stderr
        assert result.stderr.splitlines()[-1].startswith(f"datatenet {__version__}: unexpected")


def test_done_refused_and_user_errors(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("data/train.jsonl", alpaca(5))
    repo.commit("five")
    assert run_cli("diff", "--checks", "none", cwd=repo.path).returncode == 0
    repo.write("data/train.jsonl", alpaca(7))
    repo.git("add", "-A")
    message = tmp_path / "MSG"
    message.write_text("No statement\n")
    refused = run_cli("check-msg", message, cwd=repo.path)
    assert refused.returncode == 1 and "commit refused" in refused.stderr
    usage = run_cli("diff", "--no-such-option", cwd=repo.path)
    assert usage.returncode == 2 and "No such option" in usage.stderr
    unknown = run_cli("diff", "HAED", cwd=repo.path)
    assert unknown.returncode == 2 and "unknown revision 'HAED'" in unknown.stderr
    outside = run_cli("log", cwd=tmp_path)
    assert outside.returncode == 2 and "not inside a git repository" in outside.stderr
    for result in (refused, usage, unknown, outside):
        assert "Traceback" not in result.stderr
