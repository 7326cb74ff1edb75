"""What the set-up verbs return: `install` the hooks it wrote, or the `.pre-commit-config.yaml`
it edited; `uninstall` what it removed; `init` the configuration it wrote."""

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
    # datatenet's plain hooks found beside the pre-commit entry: every check would run twice
    plain_hooks: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Uninstalled:
    """What `uninstall` removed: datatenet's plain hooks; the other hooks it left alone."""

    directory: Path  # the hooks directory (core.hooksPath honoured)
    removed: tuple[Path, ...]
    kept: tuple[Path, ...]  # hooks of the same stages that are not datatenet's


@dataclass(frozen=True)
class Initialized:
    """What `init` wrote: the configuration, and the dataset globs it names (none: git
    tracks no dataset yet, and the file says so)."""

    path: Path
    datasets: tuple[str, ...]
