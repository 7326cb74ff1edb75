"""The changed samples a report lists, in one order, with their origins and (some) content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from datatenet.diff import ChangeSet
from datatenet.samples import Origin, Sample

SampleChangeKind = Literal["added", "removed", "modified", "metadata_changed"]
KINDS: tuple[SampleChangeKind, ...] = get_args(SampleChangeKind)


@dataclass(frozen=True)
class SampleChange:
    """One sample that changed, as a report lists it."""

    kind: SampleChangeKind
    sample_id: str
    base: Origin | None
    head: Origin | None
    base_id: str | None = None
    base_sample: Sample | None = None
    head_sample: Sample | None = None


def sample_changes(changeset: ChangeSet, show: int = 0) -> dict[str, list[SampleChange]]:
    """Every change by kind; the first `show` of each kind carry their samples."""
    base, head = changeset.base, changeset.head
    pairs: dict[str, list[tuple[int | None, int | None]]] = {
        "added": [(None, i) for i in changeset.added],
        "removed": [(i, None) for i in changeset.removed],
        "modified": list(changeset.modified),
        "metadata_changed": list(changeset.metadata_changed),
    }
    wanted_base = sorted({b for kind in KINDS for b, _ in pairs[kind][:show] if b is not None})
    wanted_head = sorted({h for kind in KINDS for _, h in pairs[kind][:show] if h is not None})
    base_samples = dict(zip(wanted_base, base.samples(wanted_base), strict=False))
    head_samples = dict(zip(wanted_head, head.samples(wanted_head), strict=False))

    def change(kind: SampleChangeKind, b: int | None, h: int | None) -> SampleChange:
        base_entry = base.entries[b] if b is not None else None
        head_entry = head.entries[h] if h is not None else None
        shown = head_entry or base_entry
        assert shown is not None
        return SampleChange(
            kind,
            shown.sample_id,
            base.origin(base_entry.position) if base_entry else None,
            head.origin(head_entry.position) if head_entry else None,
            base_entry.sample_id if base_entry else None,
            base_samples.get(b) if b is not None else None,
            head_samples.get(h) if h is not None else None,
        )

    out: dict[str, list[SampleChange]] = {
        kind: [change(kind, b, h) for b, h in pairs[kind]] for kind in KINDS
    }
    return out
