"""`init`: a commented starter `.datatenet.toml` for what the repository tracks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from datatenet.config import CONFIG_FILE, Settings, starter_config
from datatenet.errors import DatatenetError

if TYPE_CHECKING:
    from datatenet.repo.repository import Repo


def init(repo: Repo, *, force: bool = False) -> Path:
    """Write the starter configuration (never over an existing one unless `force`)."""
    target = repo.root / CONFIG_FILE
    if target.exists() and not force:
        raise DatatenetError(
            f"{target} exists already", "edit it, or pass --force to write a fresh one"
        )
    tracked = list(repo.files(repo.state("INDEX")).files)
    defaults = Settings()
    pointers = [path for path in tracked if path.endswith(".dvc")]
    data_files = [path for path in tracked if defaults.is_dataset(path)]
    target.write_text(starter_config(data_files, pointers), encoding="utf-8")
    return target
