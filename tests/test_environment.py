"""The suite runs isolated from the machine it runs on (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import XDG_DIRECTORIES


def test_home_xdg_and_git_configuration_are_the_suites_own(isolated_environment: Path) -> None:
    assert Path.home() == isolated_environment
    for name in XDG_DIRECTORIES:
        assert Path(os.environ[name]).is_relative_to(isolated_environment)
    outside = [n for n in os.environ if n.startswith("GIT_")]
    assert sorted(outside) == ["GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM"]
    listed = subprocess.run(
        ["git", "config", "--global", "--list"], capture_output=True, text=True, check=False
    )
    assert listed.stdout == ""  # nothing configured globally: user.name, hooksPath, aliases
