"""The changed samples a report lists, in one order, with their origins and (some) content."""

from __future__ import annotations

from dataclasses import dataclass

from datatenet.diff import ChangeSet
from datatenet.samples import Origin, Sample

KINDS = ("added", "removed", "modified", "metadata_changed")


@dataclass(frozen=True)
class Change:
    kind: str
    sample_id: str
    base: Origin | None
    head: Origin | None
    base_id: str | None = None
    base_sample: Sample | None = None
    head_sample: Sample | None = None


def changes(changeset: ChangeSet, show: int = 0) -> dict[str, list[Change]]:
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
    out: dict[str, list[Change]] = {}
    for kind in KINDS:
        out[kind] = [
            Change(
                kind,
                head.entries[h].sample_id if h is not None else base.entries[b].sample_id,  # type: ignore[index]
                base.origin(base.entries[b].position) if b is not None else None,
                head.origin(head.entries[h].position) if h is not None else None,
                base.entries[b].sample_id if b is not None else None,
                base_samples.get(b) if b is not None else None,
                head_samples.get(h) if h is not None else None,
            )
            for b, h in pairs[kind]
        ]
    return out
