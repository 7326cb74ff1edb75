"""The history report: one row per data commit (stated behaviour, counts, findings, drift and
coverage scores) and the composition of the data by behaviour over time.

`history_document` is its JSON (what `report --history --json` writes); the view, and through
it the HTML and Markdown, are built from that document alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datatenet.report import charts
from datatenet.report.charts import Chart
from datatenet.report.details import cell

if TYPE_CHECKING:
    from datatenet.results.report import HistoryReport

JSON_SCHEMA_VERSION = 1
UNSTATED = "(no statement)"


def history_document(report: HistoryReport) -> dict[str, Any]:
    return {
        "version": JSON_SCHEMA_VERSION,
        "spec": report.spec,
        "path": report.path,
        "checks": list(report.checks),
        "notes": list(report.notes),
        "commits": [
            {
                "commit": c.entry.commit,
                "date": c.entry.date,
                "author": c.entry.author,
                "subject": c.entry.subject,
                "behaviour": c.entry.stated.behaviour,
                "statement": c.entry.stated.statement,
                "added": c.entry.added,
                "removed": c.entry.removed,
                "modified": c.entry.modified,
                "datasets": [d.path for d in c.entry.datasets],
                "unreadable": list(c.entry.unreadable),
                "findings": dict(c.findings),
                "measures": dict(c.measures),
                "composition": dict(c.composition),
            }
            for c in report.commits
        ],
    }


@dataclass(frozen=True)
class HistoryRow:
    commit: str
    date: str
    author: str
    subject: str
    behaviour: str  # the registry id, or the statement, or UNSTATED
    statement: str
    counts: tuple[int, int, int]  # added, removed, modified
    findings: int
    findings_by_kind: tuple[tuple[str, int], ...]
    scores: tuple[str, ...]  # in the order of HistoryView.score_names
    samples: int  # in the data after this commit


@dataclass(frozen=True)
class HistoryView:
    title: str
    rows: tuple[HistoryRow, ...]  # newest first, as `git log`
    score_names: tuple[str, ...]
    chart: Chart | None
    behaviours: tuple[tuple[str, int], ...]  # the composition now: behaviour, samples
    checks: tuple[str, ...]
    notes: tuple[str, ...]


def build_history_view(document: Mapping[str, Any], title: str | None = None) -> HistoryView:
    commits = list(document["commits"])  # oldest first
    names = tuple(dict.fromkeys(name for c in commits for name in c.get("measures", {})))
    rows = tuple(
        HistoryRow(
            commit=c["commit"][:10],
            date=(c["date"] or "")[:10],
            author=c["author"],
            subject=c["subject"],
            behaviour=c["behaviour"] or c["statement"] or UNSTATED,
            statement=c["statement"] or "",
            counts=(c["added"], c["removed"], c["modified"]),
            findings=sum(c.get("findings", {}).values()),
            findings_by_kind=tuple(c.get("findings", {}).items()),
            scores=tuple(cell(c.get("measures", {}).get(name)) for name in names),
            samples=sum(c.get("composition", {}).values()),
        )
        for c in reversed(commits)
    )
    columns = [(c["commit"][:7], c.get("composition", {})) for c in commits]
    keys = list(dict.fromkeys(key for _, parts in columns for key in parts))
    chart = charts.stacked_columns("samples by behaviour, oldest commit first", columns, keys)
    latest = commits[-1].get("composition", {}) if commits else {}
    behaviours = tuple(sorted(latest.items(), key=lambda item: (-item[1], item[0])))
    where = document.get("path") or "every watched dataset"
    return HistoryView(
        title=title or f"{where} · {document.get('spec', 'HEAD')}",
        rows=rows,
        score_names=names,
        chart=chart,
        behaviours=behaviours,
        checks=tuple(document.get("checks", ())),
        notes=tuple(document.get("notes", ())),
    )
