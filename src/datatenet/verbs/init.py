"""`init`: a commented starter `.datatenet.toml` for what the repository tracks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from datatenet.config import CONFIG_FILE, Settings, load_settings
from datatenet.config_starter import starter_config
from datatenet.errors import DatatenetError
from datatenet.results.install import Initialized

if TYPE_CHECKING:
    from datatenet.repo.repository import Repo


def init(repo: Repo, *, force: bool = False) -> Initialized:
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
    return Initialized(target, load_settings(repo.root).datasets)
