"""Version: all samples of one dataset at one state, reduced to what a diff needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from datatenet.samples import Origin, Sample


class Entry(NamedTuple):
    sample_id: str
    prompt_id: str
    meta_id: str
    key: str | None
    position: int  # line where the record starts, or row number (see Version.position_kind)


@dataclass(frozen=True)
class InvalidRecord:
    position: int
    reason: str


@dataclass(frozen=True)
class Version:
    label: str  # the file as the user named it
    file_format: str
    schema: str
    position_kind: str  # "line" or "row"
    entries: tuple[Entry, ...]
    invalid: tuple[InvalidRecord, ...] = ()
    # Re-reads the samples at the given entry indices; only reports showing content call it.
    load_samples: Callable[[list[int]], list[Sample]] | None = None

    def origin(self, position: int) -> Origin:
        if self.position_kind == "line":
            return Origin(self.label, line=position)
        return Origin(self.label, row=position)

    def samples(self, indices: list[int]) -> list[Sample]:
        if self.load_samples is None or not indices:
            return []
        return self.load_samples(indices)
