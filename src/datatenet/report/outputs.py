"""The files of a report, rendered from what `report`, `report --history` and `demo` return:
HTML, Markdown, JSON and metrics, each from one document (docs/report.md), so every format
shows the same numbers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datatenet.results.report import ChangeReport, HistoryReport, Statement

CHANGE_FORMATS = ("html", "md", "json", "metrics")
HISTORY_FORMATS = ("html", "md", "json")


def change_document(report: ChangeReport) -> dict[str, Any]:
    """The report document of a change: the `--json` document of its diff, the measures of
    the whole change, the verdict, the statement, and which checks ran."""
    from datatenet.report.document import report_document
    from datatenet.report.json_report import diff_document

    document = report_document(
        diff_document(report.diff),
        gates=report.verdict,
        statement=None if report.statement is None else statement_json(report.statement),
        title=report.title,
    )
    document["checks"] = list(report.checks)
    document["vectors"] = "model" if report.semantic else "lexical"
    return document


def statement_json(statement: Statement) -> dict[str, Any]:
    return {
        "statement": statement.statement,
        "behaviour": statement.behaviour,
        "accepted": statement.accepted,
        "reason": statement.reason,
        "commits": list(statement.commits),
    }


def render_change(
    report: ChangeReport, formats: Iterable[str], html_name: str | None = None
) -> dict[str, bytes]:
    """The files asked for (`formats` of CHANGE_FORMATS); `html_name` is how the Markdown
    names the HTML report it points to."""
    import orjson

    from datatenet.report.view import build_view

    document = change_document(report)
    view = build_view(document)
    out: dict[str, bytes] = {}
    for name in formats:
        if name == "html":
            from datatenet.report.html import render_html

            out[name] = render_html(view).encode()
        elif name == "md":
            from datatenet.report.markdown import render_markdown

            out[name] = render_markdown(view, html_name).encode()
        elif name == "json":
            out[name] = orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
        elif name == "metrics":
            from datatenet.report.metrics import metrics_json

            out[name] = metrics_json(view)
    return out


def render_history(
    report: HistoryReport, formats: Iterable[str], title: str | None = None
) -> dict[str, bytes]:
    """The files of a history report asked for (`formats` of HISTORY_FORMATS)."""
    import orjson

    from datatenet.report.history_view import build_history_view, history_document

    document = history_document(report)
    view = build_history_view(document, title)
    out: dict[str, bytes] = {}
    for name in formats:
        if name == "html":
            from datatenet.report.html import render_history_html

            out[name] = render_history_html(view).encode()
        elif name == "md":
            from datatenet.report.markdown import render_history_markdown

            out[name] = render_history_markdown(view).encode()
        elif name == "json":
            out[name] = orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
    return out
