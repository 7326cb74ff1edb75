"""Corpus: the samples an analysis looks at, as text, split into new and existing.

For a change, *new* are the added and modified samples of the head version and *existing* the
head's samples that the change left alone (a modified sample is not compared with the version
it replaces). *removed* are the base's samples the change removed or replaced, read only when
an analysis asks (drift compares the base, existing + removed, with the head, existing + new).
For a scan, every sample is new and compared with the others. *eval* holds held-out evaluation
samples a change must not copy, when the caller supplies them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from datatenet.analysis.findings import SampleRef, excerpt
from datatenet.diff import ChangeSet
from datatenet.samples import Sample
from datatenet.version import Version


@dataclass(frozen=True)
class Item:
    """One sample as the analyses see it."""

    sample_id: str
    prompt_id: str
    origin: str
    prompt: str  # the prompt text: system prompt and every turn before the final answer
    response: str  # the final answer (the chosen one, for preference data)
    rejected: str | None = None  # the rejected answer, for preference data
    label: bool | None = None  # KTO / unpaired preference: is the answer desirable
    system: str = ""  # kept apart from `prompt` (see `item`), but part of a sample's identity
    question: str | None = None  # the last user turn; None: the whole prompt is the question

    @property
    def text(self) -> str:
        return f"{self.prompt}\n{self.response}"

    @property
    def last_turn(self) -> str:
        """What is asked last: two conversations sharing a context but asking another last
        question do not ask the same."""
        return self.prompt if self.question is None else self.question

    def ref(self) -> SampleRef:
        """The sample as a finding shows it: the beginning of its prompt (the instruction) and,
        for a conversation, its last user turn, which the beginning does not show."""
        last_turn = None if self.question is None else excerpt(self.question)
        return SampleRef(
            self.origin, self.sample_id, excerpt(self.prompt), excerpt(self.response), last_turn
        )


@dataclass(frozen=True)
class Corpus:
    new: tuple[Item, ...]
    existing: tuple[Item, ...] = ()  # empty for a scan: new samples are compared among themselves
    eval: tuple[Item, ...] = ()
    load_removed: Callable[[], tuple[Item, ...]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def is_scan(self) -> bool:
        return not self.existing

    @cached_property
    def removed(self) -> tuple[Item, ...]:
        """The base's samples that the change removed or replaced (parsed on first use)."""
        return self.load_removed() if self.load_removed is not None else ()

    @property
    def everyone(self) -> tuple[Item, ...]:
        """The head's samples: existing, then new."""
        return (*self.existing, *self.new)


def item(sample: Sample) -> Item:
    rejected = None
    if sample.rejected is not None:
        rejected = "\n".join(m.content or (m.tool_calls or "") for m in sample.rejected)
    # The turns only: a system prompt shared by the whole dataset would make every prompt look
    # alike to the similarity checks. (The prompt id still covers it.)
    turns = "\n".join(m.content or (m.tool_calls or "") for m in sample.prompt_messages)
    asked = [m.content for m in sample.prompt_messages if m.role == "user"]
    return Item(
        sample.id,
        sample.prompt_id,
        str(sample.origin) if sample.origin else "",
        turns or sample.system,
        sample.response_text,
        rejected,
        sample.label,
        sample.system,
        asked[-1] if len(sample.prompt_messages) > 1 and asked else None,
    )


def items(version: Version, indices: Sequence[int]) -> tuple[Item, ...]:
    return tuple(item(sample) for sample in version.samples(list(indices)))


def corpus_of_change(changeset: ChangeSet, eval_items: tuple[Item, ...] = ()) -> Corpus:
    head, base = changeset.head, changeset.base
    new_indices = sorted({*changeset.added, *(h for _, h in changeset.modified)})
    changed = set(new_indices)
    existing_indices = [i for i in range(len(head.entries)) if i not in changed]
    removed_indices = sorted({*changeset.removed, *(b for b, _ in changeset.modified)})

    def load_removed() -> tuple[Item, ...]:
        return items(base, removed_indices)

    if not new_indices:
        return Corpus((), eval=eval_items, load_removed=load_removed)
    loaded = items(head, new_indices + existing_indices)
    return Corpus(
        loaded[: len(new_indices)],
        loaded[len(new_indices) :],
        eval_items,
        load_removed,
    )


def corpus_of_version(version: Version) -> Corpus:
    return Corpus(items(version, range(len(version.entries))))
