"""Plain-text rendering for the terminal. Sample text is untrusted: control characters are
shown escaped, never sent to the terminal."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from datatenet.analysis.findings import SEVERITIES, Finding, SampleRef
from datatenet.diff import ChangeSet
from datatenet.report.examples import KINDS, SampleChange, sample_changes
from datatenet.report.word_edits import git_word_diff
from datatenet.samples import Sample

if TYPE_CHECKING:
    from pathlib import Path

    from datatenet.analysis.base import Analysis
    from datatenet.idcache import CacheStats
    from datatenet.repo.diff import ChangedDataset, RepoDiff
    from datatenet.results.diff import DatasetResult, DiffResult, ScanResult

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
EXCERPT = 100
WORD_DIFF_LIMIT = 2000  # a word diff keeps only context around its changes: rarely this long

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
    by_kind = sample_changes(changeset, show)
    for kind in KINDS:
        listed = by_kind[kind][:show]
        if not listed:
            continue
        lines.append(f"\n{_TITLES[kind]} ({len(by_kind[kind])}), first {len(listed)}:")
        for change in listed:
            lines.extend(_render_change(change))
    copies = changeset.multiplicity[:show]
    if copies:
        count = len(changeset.multiplicity)
        lines.append(f"\ncopies changed ({count}), first {len(copies)}:")
    for item in copies:
        where = (
            changeset.head.origin(changeset.head.entries[item.head_index].position)
            if item.head_index is not None
            else changeset.base.origin(changeset.base.entries[item.base_index or 0].position)
        )
        lines.append(f"  copies {item.base_count} -> {item.head_count}: {where}")
    return "\n".join(lines)


def _render_change(change: SampleChange) -> list[str]:
    where = " -> ".join(str(o) for o in (change.base, change.head) if o is not None)
    lines = [f"  {change.kind.replace('_', ' ')}  {inert(where, 200)}"]
    if change.kind == "modified" and change.base_sample and change.head_sample:
        # as `git diff --word-diff`: what changed, with a few words around it
        old, new = change.base_sample, change.head_sample
        question = _question(new)
        if _question(old) != question:
            question = git_word_diff(_question(old), question)
        lines.append(f"    prompt: {inert(question, WORD_DIFF_LIMIT)}")
        answer = git_word_diff(old.response_text, new.response_text)
        lines.append(f"    answer: {inert(answer, WORD_DIFF_LIMIT)}")
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


def render_diff(result: DiffResult, show: int = 0, *, verbose: bool = False) -> str:
    """Two files: the change, its analysis and examples. A repository: every changed dataset
    likewise, then renames, unavailable datasets, untracked files left out, and (verbose) what
    the id cache saved and how the models ran."""
    if result.repository is None:
        (dataset,) = result.datasets
        text = "\n".join(_dataset_lines(dataset, show, None, result.checked))
    else:
        text = _render_repo_diff(result, result.repository, show, verbose)
    ran = dict.fromkeys(line for d in result.datasets for line in d.analysis.runtime)
    return text + "".join(f"\n{inert(line, 300)}" for line in ran if verbose)


def _dataset_lines(
    dataset: DatasetResult, show: int, title: str | None, checked: bool
) -> list[str]:
    lines = [render_summary(dataset.changeset, title)]
    findings = render_analysis(dataset.analysis)
    if findings:
        lines.append(findings)
    changeset = dataset.changeset
    if checked and not dataset.analysis.findings and (changeset.added or changeset.modified):
        lines.append("  no findings")
    if show:
        lines.append(render_examples(dataset.changeset, show))
    return lines


def _render_repo_diff(result: DiffResult, diff: RepoDiff, show: int, verbose: bool) -> str:
    lines = [f"{inert(diff.base.label, 200)} -> {inert(diff.head.label, 200)}"]
    for dataset in result.datasets:
        assert dataset.change is not None
        lines.append("")
        shown = _dataset_lines(dataset, show, _dataset_title(dataset.change), result.checked)
        lines.extend(line for line in shown if line)
    edited = {(change.old_path, change.path) for change in diff.changes}
    for old, new in diff.renames:
        if (old, new) not in edited:
            lines.append(f"\nrenamed, samples unchanged: {inert(old, 200)} -> {inert(new, 200)}")
    for item in diff.unavailable:
        lines.append(f"\nunavailable ({item.side}): {inert(item.path, 200)}: {item.reason}")
        if item.fetch:
            lines.append(f"  fetch it with: {item.fetch}")
    if diff.is_empty:
        lines.append(f"no sample-level change in the watched datasets ({diff.unchanged} compared)")
    if diff.untracked:
        count = len(diff.untracked)
        them = "them" if count != 1 else "it"
        lines.append(
            f"untracked, not compared: {count} file{'s' if count != 1 else ''} "
            f"(`git add` {them} to include {them})"
        )
    lines.extend(f"note: {inert(note, 300)}" for note in result.notes)
    if verbose:
        lines.append(f"\nversions parsed: {diff.parsed}, served by the id cache: {diff.cached}")
    return "\n".join(lines)


def _dataset_title(change: ChangedDataset) -> str:
    where = f"{change.old_path} -> {change.path}" if change.old_path else change.path
    storage = "" if change.storage == "git" else f", {change.storage}"
    return f"{where}  ({change.status}{storage})"


def render_findings(findings: Sequence[Finding], notes: Sequence[str] = (), limit: int = 20) -> str:
    """Findings, most severe first: both samples with their origins, the score, the tier and
    the one-line explanation. `limit` caps the list; --json has every finding."""
    lines: list[str] = []
    if findings:
        counts: Counter[str] = Counter(finding.severity for finding in findings)
        parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in SEVERITIES if counts[s]]
        lines.append(f"  findings: {len(findings)} ({', '.join(parts)})")
    order = {severity: rank for rank, severity in enumerate(SEVERITIES)}
    ranked = sorted(findings, key=lambda f: (order.get(f.severity, 9), f.kind, f.sample.origin))
    for finding in ranked[:limit]:
        where = inert(finding.sample.origin, 120)
        if finding.matched is not None:
            where += f" ~ {inert(finding.matched.origin, 120)}"
        lines.append(
            f"  {finding.severity:<7} {finding.kind} ({finding.tier}, {finding.score:.2f}): {where}"
        )
        lines.append(f"          {inert(finding.explanation, 240)}")
        lines.extend(_asked(finding.sample))
    if len(ranked) > limit:
        lines.append(f"  … and {len(ranked) - limit} more findings (see --json)")
    lines.extend(f"  note: {inert(note, 300)}" for note in notes)
    return "\n".join(lines)


def _asked(sample: SampleRef) -> list[str]:
    """What a sample asks: the beginning of its prompt and, for a conversation, the last user
    turn, each marked as such."""
    if sample.last_turn is None:
        return [f"          prompt: {inert(sample.prompt)}"]
    return [
        f"          conversation start: {inert(sample.prompt)}",
        f"          last user turn: {inert(sample.last_turn)}",
    ]


def render_scan(result: ScanResult) -> str:
    version, analysis = result.version, result.analysis
    lines = [
        f"{inert(version.label, 200)}",
        f"  schema: {version.schema}; {len(version.entries)} samples",
    ]
    if version.invalid:
        lines.append(f"  invalid records skipped: {len(version.invalid)}")
    findings = render_analysis(analysis)
    lines.append(findings if findings else "  no findings")
    return "\n".join(lines)


def render_analysis(analysis: Analysis) -> str:
    """The measures of an analysis, then its findings and notes."""
    lines = [
        f"  {measure.name}: {_value(measure.value)}"
        + (f"  ({inert(measure.explanation, 200)})" if measure.explanation else "")
        for measure in analysis.measures
    ]
    findings = render_findings(analysis.findings, analysis.notes)
    return "\n".join([*lines, findings] if findings else lines)


def _value(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3g}"


def render_cache(
    root: Path, caches: Sequence[tuple[str, CacheStats]], *, cleared: bool, user: bool = False
) -> str:
    """`cache info` (where the caches are, what they hold) or `cache clear` (what was removed);
    `user`: the user's cache, which runs outside a repository fill."""
    if cleared:
        return "\n".join(
            f"removed {what}: {stats.files} files ({stats.bytes / 1e6:.1f} MB)"
            for what, stats in caches
        )
    where = " (the user's cache: used outside a repository, e.g. by scan)" if user else ""
    lines = [f"{root}{where}"]
    lines.extend(
        f"  {what}: {stats.files} files, {stats.bytes / 1e6:.1f} MB" for what, stats in caches
    )
    return "\n".join(lines)
