"""Inside the culprit: its added and modified samples as units for delta debugging, and the
dataset files of a probe (the parent's data plus a subset of them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from datatenet.analysis.findings import excerpt
from datatenet.bisect import ddmin
from datatenet.bisect.datasets import DataReader, DataState
from datatenet.bisect.subset import Side, compose
from datatenet.bisect.topics import Partition, Unit, partition
from datatenet.errors import DatatenetError
from datatenet.results.bisect import FoundSample

if TYPE_CHECKING:
    from datatenet.repo.diff import ChangedDataset, RepoDiff
    from datatenet.samples import Sample


class CulpritSamples:
    """The new samples of one commit, grouped, and the data of any subset of them."""

    def __init__(self, reader: DataReader, culprit: str) -> None:
        repo = reader.repo
        self.reader = reader
        self.culprit = culprit
        parent = repo.revisions.parent(culprit)
        assert parent.commit is not None
        self.parent = parent.commit
        diff = repo.diff(parent, repo.revisions.commit(culprit), reader.selection)
        _refuse_unreadable(diff, culprit)
        self.changes = diff.changes
        self.units = _units(self.changes)
        self.partition: Partition = partition(self.units)
        # With nothing removed, the parent plus every new sample is the culprit's own data:
        # known to reproduce without a probe.
        self.all_is_culprit = all(
            c.status != "deleted" and not c.changeset.removed for c in self.changes
        )

    def step(self, known: Mapping[frozenset[int], ddmin.Outcome]) -> ddmin.NeedTest | ddmin.Minimal:
        seeded = dict(known)
        if self.all_is_culprit:
            seeded.setdefault(frozenset(range(len(self.units))), "fail")
        return ddmin.step(len(self.units), self.partition.groups, seeded)

    def contents(self, subset: frozenset[int]) -> dict[str, bytes | None]:
        """The dataset files of the probe, by repository path (None: the file is absent)."""
        base_state = self.reader.state(self.parent)
        head_state = self.reader.state(self.culprit)
        chosen = [self.units[u] for u in sorted(subset)]
        out: dict[str, bytes | None] = {}
        for change in self.changes:
            base_path = change.old_path or change.path
            base = Side(
                self._bytes(base_state, base_path) if change.status != "added" else None,
                change.changeset.base.entries.positions,
            )
            if change.status == "deleted":
                out[change.path] = base.data
                continue
            head = Side(
                self._bytes(head_state, change.path), change.changeset.head.entries.positions
            )
            mine = [u for u in chosen if u.dataset == change.path]
            drop = {u.base_index for u in mine if u.base_index is not None}
            out[change.path] = compose(change.path, base, head, drop, [u.head_index for u in mine])
        return out

    def _bytes(self, state: DataState, path: str) -> bytes:
        file = state.file(path)
        data = self.reader.read(state, file) if file is not None else "not listed"
        if isinstance(data, str):
            raise DatatenetError(
                f"{path} at {state.commit[:10]}: its content cannot be read here ({data})",
                "make it readable (e.g. `dvc fetch`), then run the bisect again: it resumes",
            )
        return data

    def found(self, group: Sequence[int]) -> tuple[FoundSample, ...]:
        out = []
        for number in group:
            unit = self.units[number]
            change = next(c for c in self.changes if c.path == unit.dataset)
            head = change.changeset.head
            entry = head.entries[unit.head_index]
            sample = unit.sample
            out.append(
                FoundSample(
                    str(head.origin(entry.position)),
                    unit.dataset,
                    "modified" if unit.base_index is not None else "added",
                    entry.sample_id,
                    excerpt(sample.prompt_text) if sample else "",
                    excerpt(sample.response_text) if sample else "",
                )
            )
        return tuple(out)


def _units(changes: Sequence[ChangedDataset]) -> list[Unit]:
    units: list[Unit] = []
    for change in changes:
        changeset = change.changeset
        pairs: list[tuple[int, int | None]] = [(h, None) for h in changeset.added]
        pairs += [(h, b) for b, h in changeset.modified]
        pairs.sort()
        loaded = changeset.head.samples([h for h, _ in pairs]) if pairs else []
        # without their content (not re-readable), samples are still searched, by position
        samples: list[Sample | None] = (
            list(loaded) if len(loaded) == len(pairs) else [None] * len(pairs)
        )
        for (head_index, base_index), sample in zip(pairs, samples, strict=True):
            units.append(Unit(change.path, head_index, base_index, sample))
    return units


def _refuse_unreadable(diff: RepoDiff, culprit: str) -> None:
    problems = [f.message for f in diff.failures] + [
        f"{u.path} ({u.side}): {u.reason}" for u in diff.unavailable
    ]
    if problems:
        raise DatatenetError(
            f"cannot search inside {culprit[:10]}: " + "; ".join(problems),
            "make the data readable (e.g. `dvc fetch`), then run the bisect again: it resumes",
        )
