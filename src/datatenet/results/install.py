"""What `install` returns: the hooks it wrote, or the `.pre-commit-config.yaml` it edited."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Installed:
    """What `install` wrote: git hooks, or datatenet's entry in `.pre-commit-config.yaml`."""

    hooks: tuple[tuple[Path, str], ...] = ()  # (hook file, the datatenet command it runs)
    pre_commit_config: Path | None = None  # the file datatenet's entry was added to
    already: bool = False  # `.pre-commit-config.yaml` had datatenet's hooks already
    missing_hook_types: bool = False  # its default_install_hook_types lacks ours
