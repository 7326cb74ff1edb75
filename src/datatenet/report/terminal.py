"""Plain-text rendering for the terminal. Sample text is untrusted: control characters are
shown escaped, never sent to the terminal."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from datatenet.diff import ChangeSet
from datatenet.report.examples import KINDS, Change, changes
from datatenet.samples import Sample

if TYPE_CHECKING:
    from datatenet.repo_diff import DatasetChange, RepoDiff

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
EXCERPT = 100

_TITLES = {
    "added": "added",
    "removed": "removed",
    "modified": "modified",
    "metadata_changed": "metadata changed",
}


def inert(text: str, limit: int = EXCERPT) -> str:
    """One line of untrusted text, safe to print: control characters escaped, newlines shown."""
    text = text.replace("\r\n", "\n").replace("\n", "⏎ ")
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_summary(changeset: ChangeSet, title: str | None = None) -> str:
    s = changeset.summary
    base, head = changeset.base, changeset.head
    lines = [
        inert(title, 300) if title else f"{inert(base.label, 200)} -> {inert(head.label, 200)}",
        f"  schema: {_schemas(changeset)}; base {s.base_samples} samples, "
        f"head {s.head_samples} samples",
        f"  unchanged {s.unchanged}  added {s.added}  removed {s.removed}  "
        f"modified {s.modified}  metadata changed {s.metadata_changed}",
    ]
    if changeset.multiplicity:
        count = len(changeset.multiplicity)
        lines.append(f"  copies changed for {count} sample{'s' if count != 1 else ''}")
    for side, version in (("base", base), ("head", head)):
        if version.invalid:
            lines.append(f"  invalid records skipped in {side}: {len(version.invalid)}")
            lines.extend(
                f"    {version.origin(item.position)}: {inert(item.reason)}"
                for item in version.invalid[:10]
            )
            if len(version.invalid) > 10:
                lines.append(f"    … and {len(version.invalid) - 10} more (see --json)")
    if changeset.is_empty and not changeset.multiplicity:
        lines.append("  no sample-level change")
    return "\n".join(lines)


def _schemas(changeset: ChangeSet) -> str:
    base, head = changeset.base.schema, changeset.head.schema
    return base if base == head else f"{base} -> {head}"


def render_examples(changeset: ChangeSet, show: int) -> str:
    lines: list[str] = []
    by_kind = changes(changeset, show)
    for kind in KINDS:
        listed = by_kind[kind][:show]
        if not listed:
            continue
        lines.append(f"\n{_TITLES[kind]} ({len(by_kind[kind])}), first {len(listed)}:")
        for change in listed:
            lines.extend(_render_change(change))
    for item in changeset.multiplicity[:show]:
        where = (
            changeset.head.origin(changeset.head.entries[item.head_index].position)
            if item.head_index is not None
            else changeset.base.origin(changeset.base.entries[item.base_index or 0].position)
        )
        lines.append(f"  copies {item.base_count} -> {item.head_count}: {where}")
    return "\n".join(lines)


def _render_change(change: Change) -> list[str]:
    where = " -> ".join(str(o) for o in (change.base, change.head) if o is not None)
    lines = [f"  {change.kind.replace('_', ' ')}  {inert(where, 200)}"]
    if change.kind == "modified" and change.base_sample and change.head_sample:
        lines.append(f"    prompt: {inert(_question(change.head_sample))}")
        lines.append(f"    - {inert(change.base_sample.response_text)}")
        lines.append(f"    + {inert(change.head_sample.response_text)}")
    elif change.kind == "metadata_changed" and change.base_sample and change.head_sample:
        lines.append(f"    - meta {inert(_meta(change.base_sample))}")
        lines.append(f"    + meta {inert(_meta(change.head_sample))}")
    else:
        sample = change.head_sample or change.base_sample
        if sample is not None:
            lines.append(f"    prompt: {inert(_question(sample))}")
            lines.append(f"    answer: {inert(sample.response_text)}")
    return lines


def _question(sample: Sample) -> str:
    """The turn a reader recognises a sample by: the last prompt turn, not the system prompt."""
    turns = sample.prompt_messages
    return turns[-1].content if turns else sample.prompt_text


def _meta(sample: Sample) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in sorted(sample.meta.items())) or "(none)"


def render_repo_diff(result: RepoDiff, show: int = 0, *, verbose: bool = False) -> str:
    """Every changed dataset of a repository diff, then renames, unavailable datasets, and
    (verbose) what the id cache saved."""
    lines = [f"{inert(result.base.label, 200)} -> {inert(result.head.label, 200)}"]
    for change in result.changes:
        lines.append("")
        lines.append(render_summary(change.changeset, _dataset_title(change)))
        examples = render_examples(change.changeset, show) if show else ""
        if examples:
            lines.append(examples)
    edited = {(change.old_path, change.path) for change in result.changes}
    for old, new in result.renames:
        if (old, new) not in edited:
            lines.append(f"\nrenamed, samples unchanged: {inert(old, 200)} -> {inert(new, 200)}")
    for item in result.unavailable:
        lines.append(f"\nunavailable ({item.side}): {inert(item.path, 200)}: {item.reason}")
        if item.fetch:
            lines.append(f"  fetch it with: {item.fetch}")
    if not result.changes and not result.unavailable and not result.failures:
        lines.append(
            f"no sample-level change in the watched datasets ({result.unchanged} compared)"
        )
    if verbose:
        lines.append(f"\nversions parsed: {result.parsed}, served by the id cache: {result.cached}")
    return "\n".join(lines)


def _dataset_title(change: DatasetChange) -> str:
    where = f"{change.old_path} -> {change.path}" if change.old_path else change.path
    storage = "" if change.storage == "git" else f", {change.storage}"
    return f"{where}  ({change.status}{storage})"
