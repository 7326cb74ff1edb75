from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
XDG_DIRECTORIES = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")


@pytest.fixture(autouse=True, scope="session")
def isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test, and every process it starts, runs with a HOME and XDG directories of its
    own, an empty global git configuration and no system one, and no GIT_* variable from
    outside (a test suite run from a git hook would otherwise inherit its index)."""
    home = tmp_path_factory.mktemp("home")
    pip_cache = os.environ.get("PIP_CACHE_DIR") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip"
    )
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("GIT_")]:
            patch.delenv(name)
        patch.setenv("HOME", str(home))
        for name in XDG_DIRECTORIES:
            patch.setenv(name, str(home / name.lower()))
        (home / ".gitconfig").write_text("")
        patch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("PIP_CACHE_DIR", pip_cache)  # downloads only; changes no behaviour
        patch.delenv("DATATENET_SEMANTIC", raising=False)
        patch.delenv("DATATENET_DEBUG", raising=False)
        yield home


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `datatenet` command in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "datatenet", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def shared_data() -> Path:
    """The real public datasets in ../shared/data; absent from a user's fresh clone."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside this checkout")
    return SHARED_DATA


# Runs the command line with an audit hook that records every path it opens or lists.
_AUDITED = """
import os, sys
touched = []
def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and args[0] is not None:
        if isinstance(args[0], (str, bytes, os.PathLike)):
            touched.append(os.fsdecode(args[0]))
sys.addaudithook(hook)
from datatenet.cli import main
try:
    main(sys.argv[2:])
finally:
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        out.write("\\n".join(touched))
"""


def run_cli_audited(
    *args: str | Path, cwd: Path, record: Path
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """`run_cli`, and every path the command opened or listed (absolute, or as it named it)."""
    result = subprocess.run(
        [sys.executable, "-c", _AUDITED, str(record), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    return result, record.read_text(encoding="utf-8").splitlines()
