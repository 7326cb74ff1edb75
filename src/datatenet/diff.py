"""Version x Version -> ChangeSet, with multiset semantics.

A sample present twice counts twice: unchanged = sum over ids of min(base count, head count).
The rest pair up as *modified* when they share a prompt id (or the user's key), else they are
added or removed. Same id with different metadata is a *metadata change*, counted inside
`unchanged` because training sees no difference. Reordering is not a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from datatenet.version import Entry, Version


@dataclass(frozen=True)
class Multiplicity:
    """A sample whose number of copies changed, e.g. now 3x instead of 1x."""

    sample_id: str
    base_count: int
    head_count: int
    head_index: int | None  # first occurrence in head, None when it is gone
    base_index: int | None


@dataclass(frozen=True)
class Summary:
    base_samples: int
    head_samples: int
    unchanged: int
    added: int
    removed: int
    modified: int
    metadata_changed: int
    invalid_base: int
    invalid_head: int
    multiplicity_changed: int


@dataclass(frozen=True)
class ChangeSet:
    base: Version
    head: Version
    unchanged: int
    added: tuple[int, ...]  # head entry indices
    removed: tuple[int, ...]  # base entry indices
    modified: tuple[tuple[int, int], ...]  # (base index, head index)
    metadata_changed: tuple[tuple[int, int], ...]  # (base index, head index), within unchanged
    multiplicity: tuple[Multiplicity, ...]

    @property
    def summary(self) -> Summary:
        return Summary(
            base_samples=len(self.base.entries),
            head_samples=len(self.head.entries),
            unchanged=self.unchanged,
            added=len(self.added),
            removed=len(self.removed),
            modified=len(self.modified),
            metadata_changed=len(self.metadata_changed),
            invalid_base=len(self.base.invalid),
            invalid_head=len(self.head.invalid),
            multiplicity_changed=len(self.multiplicity),
        )

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.modified or self.metadata_changed)


def _by_id(entries: Sequence[Entry]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        group = groups.get(entry.sample_id)
        if group is None:
            groups[entry.sample_id] = [index]
        else:
            group.append(index)
    return groups


def diff_versions(base: Version, head: Version) -> ChangeSet:
    base_entries, head_entries = base.entries, head.entries
    base_groups, head_groups = _by_id(base_entries), _by_id(head_entries)
    unchanged = 0
    base_only: list[int] = []
    head_only: list[int] = []
    metadata: list[tuple[int, int]] = []
    multiplicity: list[Multiplicity] = []

    for sample_id, in_head in head_groups.items():
        in_base = base_groups.get(sample_id)
        if in_base is None:
            head_only.extend(in_head)
            if len(in_head) > 1:
                multiplicity.append(Multiplicity(sample_id, 0, len(in_head), in_head[0], None))
            continue
        if len(in_base) == 1 and len(in_head) == 1:  # the common case, kept cheap
            unchanged += 1
            if base_entries[in_base[0]].meta_id != head_entries[in_head[0]].meta_id:
                metadata.append((in_base[0], in_head[0]))
            continue
        unchanged += min(len(in_base), len(in_head))
        _pair_copies(in_base, in_head, base_entries, head_entries, metadata, base_only, head_only)
        if len(in_base) != len(in_head):
            multiplicity.append(
                Multiplicity(sample_id, len(in_base), len(in_head), in_head[0], in_base[0])
            )
    for sample_id, in_base in base_groups.items():
        if sample_id not in head_groups:
            base_only.extend(in_base)
            if len(in_base) > 1:
                multiplicity.append(Multiplicity(sample_id, len(in_base), 0, None, in_base[0]))

    modified, added, removed = _pair_edits(base_only, head_only, base_entries, head_entries)
    return ChangeSet(
        base,
        head,
        unchanged,
        tuple(added),
        tuple(removed),
        tuple(modified),
        tuple(sorted(metadata, key=lambda pair: pair[1])),
        tuple(sorted(multiplicity, key=_multiplicity_order)),
    )


def _multiplicity_order(item: Multiplicity) -> tuple[int, int]:
    return (0, item.head_index) if item.head_index is not None else (1, item.base_index or 0)


def _pair_copies(
    in_base: list[int],
    in_head: list[int],
    base_entries: Sequence[Entry],
    head_entries: Sequence[Entry],
    metadata: list[tuple[int, int]],
    base_only: list[int],
    head_only: list[int],
) -> None:
    """Copies of one sample: pair equal metadata first, then metadata edits, the rest is left."""
    head_by_meta: dict[str, list[int]] = {}
    for index in in_head:
        head_by_meta.setdefault(head_entries[index].meta_id, []).append(index)
    base_unpaired: list[int] = []
    for index in in_base:
        candidates = head_by_meta.get(base_entries[index].meta_id)
        if candidates:
            candidates.pop(0)
        else:
            base_unpaired.append(index)
    head_unpaired = sorted(index for group in head_by_meta.values() for index in group)
    pairs = min(len(base_unpaired), len(head_unpaired))
    metadata.extend(zip(base_unpaired[:pairs], head_unpaired[:pairs], strict=True))
    base_only.extend(base_unpaired[pairs:])
    head_only.extend(head_unpaired[pairs:])


def _pair_edits(
    base_only: list[int],
    head_only: list[int],
    base_entries: Sequence[Entry],
    head_entries: Sequence[Entry],
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair leftovers that answer the same prompt (or carry the same key) as edits."""
    use_key = bool(head_only) and head_entries[head_only[0]].key is not None

    def pairing_key(entry: Entry) -> str | None:
        return entry.key if use_key else entry.prompt_id

    waiting: dict[str | None, list[int]] = {}
    for index in sorted(base_only):
        waiting.setdefault(pairing_key(base_entries[index]), []).append(index)
    modified: list[tuple[int, int]] = []
    added: list[int] = []
    for index in sorted(head_only):
        candidates = waiting.get(pairing_key(head_entries[index]))
        if candidates:
            modified.append((candidates.pop(0), index))
        else:
            added.append(index)
    removed = sorted(index for group in waiting.values() for index in group)
    return modified, added, removed
