"""The watched datasets of a revision: which files, their content addresses, their bytes.

A revision's data is named by one key, a hash of the content addresses of its watched datasets
(git blob ids, DVC md5s) and of the `dataset_info.json` beside them: two revisions with the same
key hold the same data, so a probe's verdict holds for both and CMD never runs twice on the
same data. Everything is read through the repository's version store (`repo/store.py`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from datatenet.repo.checkouts import explain
from datatenet.repo.tree import Item, selected, touches, touches_data

if TYPE_CHECKING:
    from datatenet.config import Settings
    from datatenet.repo.repository import Repo
    from datatenet.repo.revisions import State


@dataclass(frozen=True)
class DataState:
    """The watched data of one revision."""

    state: State
    files: tuple[Item, ...]
    parts: tuple[tuple[str, str], ...]  # (path, address): everything the key covers
    problems: tuple[str, ...] = ()  # watched datasets that cannot even be listed, and why

    @property
    def commit(self) -> str:
        assert self.state.commit is not None
        return self.state.commit

    @property
    def key(self) -> str:
        digest = hashlib.blake2b(digest_size=16)
        for path, address in self.parts:
            digest.update(f"{path}\0{address}\n".encode())
        return digest.hexdigest()

    def file(self, path: str) -> Item | None:
        return next((f for f in self.files if f.path == path), None)


def may_change(paths: Sequence[str], settings: Settings, selection: Sequence[str]) -> bool:
    """Could a commit that changed these paths change the selected datasets? (No file read.)"""
    if not selection:
        return touches_data(paths, settings)
    return touches(paths, set()) or any(
        settings.is_dataset(path) and selected(selection, path) for path in paths
    )


class DataReader:
    """Lists and reads the watched datasets (those of `selection`, when given) of revisions."""

    def __init__(self, repo: Repo, selection: Sequence[str] = ()) -> None:
        self.repo = repo
        self.selection = tuple(s.strip("/") for s in selection)
        self._states: dict[str, DataState] = {}

    @property
    def settings(self) -> Settings:
        return self.repo.settings

    def state(self, commit: str) -> DataState:
        """The watched datasets of a commit (a full commit id)."""
        known = self._states.get(commit)
        if known is None:
            known = self._states[commit] = self._list(commit)
        return known

    def _list(self, commit: str) -> DataState:
        state = self.repo.revisions.commit(commit)
        items = self.repo.store.datasets(state, self.selection)
        blobs = self.repo.files(state).files
        parts: set[tuple[str, str]] = set()
        for item in items.values():
            if item.address is not None:
                parts.add((item.path, item.address))
            else:  # its content cannot be named: the bytes that declare it still name the state
                parts.add((item.path, f"unreadable:{blobs.get(item.path)}"))
            if item.info is not None:  # a dataset_info.json decides how columns are read
                oid, path = item.info
                parts.add((path, f"git:{oid}"))
        files = tuple(sorted((i for i in items.values() if i.problem is None), key=_path))
        problems = tuple(explain(i.problem) for i in items.values() if i.problem is not None)
        return DataState(state, files, tuple(sorted(parts)), problems)

    def read(self, data: DataState, file: Item) -> bytes | str:
        """The bytes of a dataset file, or why they cannot be had here (and what to do)."""
        content = self.repo.store.content(data.state, file)
        return content if isinstance(content, bytes) else explain(content)


def _path(item: Item) -> str:
    return item.path
