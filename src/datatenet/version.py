"""Version: all samples of one dataset at one state, reduced to what a diff needs.

The entries are stored as columns (one list per field): a version of 200,000 samples is five
lists rather than 200,000 objects, which is what makes loading, caching and sending a version
between processes cheap. `Entries` still reads as a sequence of `Entry` rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, overload

from datatenet.samples import Origin, Sample


class Entry(NamedTuple):
    sample_id: str
    prompt_id: str
    meta_id: str
    key: str | None
    position: int  # line where the record starts, or row number (see Version.position_kind)


@dataclass(frozen=True, eq=False)
class Entries(Sequence[Entry]):
    """The entries of a version, column by column."""

    sample_ids: list[str] = field(default_factory=list)
    prompt_ids: list[str] = field(default_factory=list)
    meta_ids: list[str] = field(default_factory=list)
    positions: Sequence[int] = field(default_factory=list)
    keys: list[str | None] | None = None  # None: no --key, every key is None

    def __post_init__(self) -> None:
        size = len(self.sample_ids)
        columns = (self.prompt_ids, self.meta_ids, self.positions, self.keys)
        if any(column is not None and len(column) != size for column in columns):
            raise ValueError("the columns of Entries differ in length")

    def __len__(self) -> int:
        return len(self.sample_ids)

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | Sequence[Entry]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        key = None if self.keys is None else self.keys[index]
        return Entry(
            self.sample_ids[index],
            self.prompt_ids[index],
            self.meta_ids[index],
            key,
            self.positions[index],
        )

    def __iter__(self) -> Iterator[Entry]:
        keys = self.keys if self.keys is not None else [None] * len(self)
        return map(Entry, self.sample_ids, self.prompt_ids, self.meta_ids, keys, self.positions)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Entries):
            return list(self) == list(other)
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class InvalidRecord:
    position: int
    reason: str


@dataclass(frozen=True)
class Unmapped:
    """A field a mapping (`--map`, `[mappings]`) names that no record of the version has.
    Nothing here names the file: the id cache keeps it by content (`formats/mistakes.py`
    words the error for a file)."""

    field: str
    fields: tuple[str, ...]  # the fields the records have (those read to detect the schema)
    nested: str | None = None  # the dotted path where a record holds the field, if it does


@dataclass(frozen=True)
class Version:
    label: str  # the file as the user named it
    file_format: str
    schema: str
    position_kind: str  # "line" or "row"
    entries: Entries = field(default_factory=Entries)
    invalid: tuple[InvalidRecord, ...] = ()
    # Re-reads the samples at the given entry indices; only reports showing content call it.
    load_samples: Callable[[list[int]], list[Sample]] | None = None
    # Mapped fields no record has (kept by the id cache with the entries).
    unmapped: tuple[Unmapped, ...] = ()

    def origin(self, position: int) -> Origin:
        return Origin.at(self.label, self.position_kind, position)

    def samples(self, indices: list[int]) -> list[Sample]:
        if self.load_samples is None or not indices:
            return []
        return self.load_samples(indices)
