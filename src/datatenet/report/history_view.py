"""The history report: one row per data commit (stated behaviour, counts, findings, scores) and
the dataset's composition by behaviour over time, built from the `log --json` document
(report/history.py) and what the caller measured per commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datatenet.report import charts
from datatenet.report.charts import Chart
from datatenet.report.details import cell

UNSTATED = "(no statement)"


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
    scores: tuple[str, ...]  # in the order of HistoryView.score_names


@dataclass(frozen=True)
class HistoryView:
    title: str
    rows: tuple[HistoryRow, ...]  # newest first, as `git log`
    score_names: tuple[str, ...]
    chart: Chart | None
    behaviours: tuple[tuple[str, int], ...]  # the composition now: behaviour, samples


def build_history_view(
    log: Mapping[str, Any],
    *,
    title: str,
    composition: Sequence[Mapping[str, int]] | None = None,
    measures: Sequence[Mapping[str, float]] | None = None,
) -> HistoryView:
    """`composition` and `measures` are per commit, in the order of `log["commits"]`: the
    samples of the dataset by behaviour after the commit, and its drift and coverage scores."""
    commits = list(log["commits"])
    scores = list(measures or [{} for _ in commits])
    names = tuple(dict.fromkeys(name for measured in scores for name in measured))
    rows = tuple(
        HistoryRow(
            commit=c["commit"][:10],
            date=(c["date"] or "")[:10],
            author=c["author"],
            subject=c["subject"],
            behaviour=c["behaviour"] or c["statement"] or UNSTATED,
            statement=c["statement"] or "",
            counts=(c["added"], c["removed"], c["modified"]),
            findings=c["findings"],
            scores=tuple(cell(measured.get(name)) for name in names),
        )
        for c, measured in zip(commits, scores, strict=True)
    )
    chart = None
    behaviours: tuple[tuple[str, int], ...] = ()
    if composition:
        columns = [(row.commit[:7], parts) for row, parts in zip(rows, composition, strict=True)][
            ::-1
        ]
        keys = list(dict.fromkeys(key for _, parts in columns for key in parts))
        chart = charts.stacked_columns("samples by behaviour, oldest commit first", columns, keys)
        latest = composition[0]
        behaviours = tuple(sorted(latest.items(), key=lambda item: -item[1]))
    return HistoryView(title, rows, names, chart, behaviours)
