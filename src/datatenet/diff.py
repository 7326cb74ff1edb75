"""Version x Version -> ChangeSet, with multiset semantics.

A sample present twice counts twice: unchanged = sum over ids of min(base count, head count).
The rest pair up as *modified* when they share a prompt id (or the user's key), else they are
added or removed. Same id with different metadata is a *metadata change*, counted inside
`unchanged` because training sees no difference. Reordering is not a change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from datatenet.version import Entries, Version


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


def _index(entries: Entries) -> tuple[dict[str, int], dict[str, list[int]]]:
    """id -> index of its copy, built at C speed; and, only for ids with several copies,
    id -> the indices of all of them."""
    ids = entries.sample_ids
    last = dict(zip(ids, range(len(ids)), strict=True))
    copies: dict[str, list[int]] = {}
    if len(last) != len(ids):
        counts = Counter(ids)
        for index, sample_id in enumerate(ids):
            if counts[sample_id] > 1:
                copies.setdefault(sample_id, []).append(index)
    return last, copies


def _all_copies(sample_id: str, last: dict[str, int], copies: dict[str, list[int]]) -> list[int]:
    several = copies.get(sample_id)
    if several is not None:
        return several
    index = last.get(sample_id)
    return [] if index is None else [index]


def diff_versions(base: Version, head: Version) -> ChangeSet:
    base_entries, head_entries = base.entries, head.entries
    base_meta, head_meta = base_entries.meta_ids, head_entries.meta_ids
    base_last, base_copies = _index(base_entries)
    head_last, head_copies = _index(head_entries)
    unchanged = 0
    base_only: list[int] = []
    head_only: list[int] = []
    metadata: list[tuple[int, int]] = []
    multiplicity: list[Multiplicity] = []

    # Samples with one copy on each side: the common case, kept cheap.
    for sample_id, in_head in head_last.items():
        if sample_id in head_copies or sample_id in base_copies:
            continue
        in_base = base_last.get(sample_id)
        if in_base is None:
            head_only.append(in_head)
            continue
        unchanged += 1
        if base_meta[in_base] != head_meta[in_head]:
            metadata.append((in_base, in_head))
    for sample_id, in_base in base_last.items():
        if sample_id not in head_last and sample_id not in base_copies:
            base_only.append(in_base)
    # Samples with several copies on either side.
    for sample_id in sorted(head_copies.keys() | base_copies.keys()):
        all_base = _all_copies(sample_id, base_last, base_copies)
        all_head = _all_copies(sample_id, head_last, head_copies)
        unchanged += min(len(all_base), len(all_head))
        _pair_copies(all_base, all_head, base_meta, head_meta, metadata, base_only, head_only)
        if len(all_base) != len(all_head):
            multiplicity.append(
                Multiplicity(
                    sample_id,
                    len(all_base),
                    len(all_head),
                    all_head[0] if all_head else None,
                    all_base[0] if all_base else None,
                )
            )

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
    base_meta: Sequence[str],
    head_meta: Sequence[str],
    metadata: list[tuple[int, int]],
    base_only: list[int],
    head_only: list[int],
) -> None:
    """Copies of one sample: pair equal metadata first, then metadata edits, the rest is left."""
    head_by_meta: dict[str, list[int]] = {}
    for index in in_head:
        head_by_meta.setdefault(head_meta[index], []).append(index)
    base_unpaired: list[int] = []
    for index in in_base:
        candidates = head_by_meta.get(base_meta[index])
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
    base_entries: Entries,
    head_entries: Entries,
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair leftovers that answer the same prompt (or carry the same key) as edits."""
    # With a --key, samples keep their identity by key; otherwise by what they answer.
    base_keys: Sequence[str | None] = base_entries.keys or base_entries.prompt_ids
    head_keys: Sequence[str | None] = head_entries.keys or head_entries.prompt_ids

    waiting: dict[str | None, list[int]] = {}
    for index in sorted(base_only):
        waiting.setdefault(base_keys[index], []).append(index)
    modified: list[tuple[int, int]] = []
    added: list[int] = []
    for index in sorted(head_only):
        candidates = waiting.get(head_keys[index])
        if candidates:
            modified.append((candidates.pop(0), index))
        else:
            added.append(index)
    removed = sorted(index for group in waiting.values() for index in group)
    return modified, added, removed
