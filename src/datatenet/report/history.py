"""Terminal and JSON renderings of `datatenet log` and `datatenet blame`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from datatenet.report.terminal import inert

if TYPE_CHECKING:
    from datatenet.results.history import Blame, BlameLine, DatasetCounts, LogEntry

JSON_SCHEMA_VERSION = 1
STATEMENT_WIDTH = 90


def render_log(entries: Sequence[LogEntry], *, oneline: bool = False) -> str:
    if not entries:
        return "no data commits"
    if oneline:
        return "\n".join(_oneline(entry) for entry in entries)
    lines: list[str] = []
    for entry in entries:
        date = entry.date[:10]
        counts = f"+{entry.added} -{entry.removed} ~{entry.modified}"
        lines.append(f"{entry.commit[:10]}  {date}  {counts:<18} {inert(entry.author, 40)}")
        lines.append(f"    {inert(entry.subject, 120)}")
        lines.append(f"    reinforces: {_stated(entry.stated.behaviour, entry.stated.statement)}")
        if len(entry.datasets) > 1 or any(d.old_path for d in entry.datasets):
            for dataset in entry.datasets:
                where = inert(dataset.path, 120)
                if dataset.old_path:
                    where = f"{inert(dataset.old_path, 120)} -> {where} (renamed)"
                lines.append(
                    f"      {where}: +{dataset.added} -{dataset.removed} ~{dataset.modified}"
                )
        if entry.findings:
            lines.append(f"    findings: {entry.findings}")
        for problem in entry.unreadable:
            lines.append(f"    unreadable: {inert(problem, 200)}")
    return "\n".join(lines)


def _oneline(entry: LogEntry) -> str:
    """`abc1234567 +3 -0 ~1 subject  (reinforces: statement)`, as `git log --oneline`."""
    counts = f"+{entry.added} -{entry.removed} ~{entry.modified}"
    stated = _stated(entry.stated.behaviour, entry.stated.statement)
    unreadable = "  (unreadable data)" if entry.unreadable else ""
    return (
        f"{entry.commit[:10]} {counts:<14} {inert(entry.subject, 72)}  "
        f"(reinforces: {stated}){unreadable}"
    )


def _stated(behaviour: str | None, statement: str | None) -> str:
    if behaviour:
        return f"[{inert(behaviour, 60)}] {inert(statement or '', STATEMENT_WIDTH)}"
    return inert(statement, STATEMENT_WIDTH) if statement else "(no statement)"


def dataset_counts_document(counts: DatasetCounts) -> dict[str, Any]:
    """One dataset's counts in a commit, as `log --json` and `bisect --json` show them."""
    return {
        "path": counts.path,
        "old_path": counts.old_path,
        "status": counts.status,
        "added": counts.added,
        "removed": counts.removed,
        "modified": counts.modified,
        "base_samples": counts.base_samples,
        "head_samples": counts.head_samples,
    }


def log_document(entries: Sequence[LogEntry]) -> dict[str, Any]:
    return {
        "version": JSON_SCHEMA_VERSION,
        "commits": [
            {
                "commit": e.commit,
                "date": e.date,
                "author": e.author,
                "subject": e.subject,
                "behaviour": e.stated.behaviour,
                "statement": e.stated.statement,
                "added": e.added,
                "removed": e.removed,
                "modified": e.modified,
                "findings": e.findings,
                "datasets": [dataset_counts_document(d) for d in e.datasets],
                "unreadable": list(e.unreadable),
            }
            for e in entries
        ],
    }


def render_blame(blame: Blame, *, summary_only: bool = False) -> str:
    lines: list[str] = []
    if not summary_only:
        width = max((len(line.origin) for line in blame.lines), default=0)
        for line in blame.lines:
            lines.append(_blame_line(line, width))
        lines.append("")
    total = len(blame.lines)
    lines.append(
        f"{inert(blame.path, 200)} at {blame.revision}: {total} sample{'s' if total != 1 else ''} "
        "by behaviour"
    )
    for part in blame.composition:
        share = part.samples / total if total else 0.0
        commits = len(part.commits)
        label = part.behaviour
        if part.statement and part.statement != part.behaviour:
            label = f"[{part.behaviour}] {part.statement}"
        lines.append(
            f"  {part.samples:>7}  {share:6.1%}  {inert(label, STATEMENT_WIDTH)}"
            f"  ({commits} commit{'s' if commits != 1 else ''})"
        )
    if blame.predating:
        lines.append(
            f"  {blame.predating} samples predate any statement (their commits are older than "
            "the first that states a behaviour)"
        )
    later = blame.unstated - blame.predating
    if later:
        listed = ", ".join(commit[:10] for commit in blame.unstated_commits[:5])
        more = ", …" if len(blame.unstated_commits) > 5 else ""
        lines.append(
            f"  {later} samples come from commits that state no behaviour although older ones "
            f"do (made with --no-verify, or without the hooks): {listed}{more}"
        )
    if blame.unknown:
        lines.append(f"  {blame.unknown} samples of unknown origin (history not available)")
    for note in blame.notes:
        lines.append(f"  note: {inert(note, 200)}")
    return "\n".join(lines)


def _blame_line(line: BlameLine, width: int) -> str:
    commit = line.commit[:10] if line.commit else "?" * 10
    date = (line.date or "")[:10] or " " * 10
    return (
        f"{commit} {date} {inert(line.origin, 200):<{width}}  "
        f"{_stated(line.stated.behaviour, line.stated.statement) if line.commit else '(unknown)'}"
    )


def blame_document(blame: Blame) -> dict[str, Any]:
    return {
        "version": JSON_SCHEMA_VERSION,
        "path": blame.path,
        "revision": blame.revision,
        "commit": blame.commit,
        "samples": [
            {
                "origin": line.origin,
                "dataset": line.dataset,
                "position": line.position,
                "id": line.sample_id,
                "commit": line.commit,
                "date": line.date,
                "author": line.author,
                "behaviour": line.stated.behaviour,
                "statement": line.stated.statement,
            }
            for line in blame.lines
        ],
        "composition": [
            {
                "behaviour": part.behaviour,
                "statement": part.statement,
                "samples": part.samples,
                "commits": list(part.commits),
            }
            for part in blame.composition
        ],
        "unstated": blame.unstated,
        "predating": blame.predating,
        "unstated_commits": list(blame.unstated_commits),
        "unknown": blame.unknown,
        "notes": list(blame.notes),
    }
