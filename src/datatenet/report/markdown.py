"""The Markdown report: what a pull-request comment (or `$GITHUB_STEP_SUMMARY`) shows.

The verdict, the numbers that matter and the most severe findings, under GitHub's limit of
65,536 characters for a comment: findings are added while they fit, and the rest is counted
("N more in the HTML report"). Sample text is untrusted: `inert_markdown` keeps it from making
HTML, links, @mentions or #issue references.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from datatenet.report.history_view import HistoryView
from datatenet.report.view import FindingView, ReportView, rank
from datatenet.report.word_edits import Segment

LIMIT = 65_536  # GitHub's maximum comment body, in characters
MARKER = "<!-- datatenet-report -->"  # finds the comment again to update it (examples/)
MAX_DATASETS = 20
TEXT_LIMIT = 200
ICONS = {"passed": "✅", "failed": "❌", "warnings": "⚠️", "not gated": "ℹ️"}
HEADLINE = (
    "duplicates",
    "added_duplicate_share",
    "contradictions",
    "eval_contamination",
    "style_drift_auc",
    "expression_divergence",
    "coverage_shift",
    "new_topics",
    "focus_entropy",
    "statement_fit",
    "behaviour_shown",
    "narrow_world_auc",
    "noise_share",
    "invalid_records",
)
ZWSP = "\u200b"  # breaks what GitHub would turn into a mention, a reference or a link
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#!|~$])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_AUTOLINK = re.compile(r"(?i)(\bwww)(\.)|(:)(//)|(\bGH)(-\d)")


def inert_markdown(text: str, limit: int = TEXT_LIMIT) -> str:
    """Untrusted text as one line of Markdown that renders as exactly that text: HTML
    characters as entities, Markdown punctuation and control characters escaped, and a
    zero-width space after `@` and `#` and inside `://`, `www.`, `GH-`, so GitHub makes no
    mention, reference or link of it."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)
    text = _AUTOLINK.sub(lambda m: ZWSP.join(g for g in m.groups() if g is not None), text)
    text = _PUNCTUATION.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("@", "@" + ZWSP).replace("\\#", "\\#" + ZWSP)


def render_markdown(view: ReportView, html_name: str | None = None, limit: int = LIMIT) -> str:
    """The comment, shorter than `limit` characters whatever the number of findings."""
    report = f"the HTML report ({inert_markdown(html_name)})" if html_name else "the HTML report"
    head = _header(view)
    findings = [f for s in view.sections for f in s.findings]
    findings.sort(key=lambda f: rank({"severity": f.severity, "kind": f.kind, "score": f.score}))
    parts = [head]
    if view.finding_total:
        parts.append(f"\n### Findings ({view.finding_total:,}), most severe first\n")
    used = sum(len(p) for p in parts)
    shown = 0
    for finding in findings:
        entry = _finding(finding)
        rest = view.finding_total - shown - 1
        tail = _tail(rest, report) if rest else ""
        if used + len(entry) + len(tail) + len(_tail(view.finding_total, report)) >= limit:
            break
        parts.append(entry)
        used += len(entry)
        shown += 1
    if shown < view.finding_total:
        parts.append(_tail(view.finding_total - shown, report))
    elif view.finding_total:
        parts.append(f"\nEvery finding is listed; {report} shows the pairs side by side.\n")
    return "".join(parts)


def _tail(count: int, report: str) -> str:
    return f"\n_{count:,} more in {report}_\n"


def _header(view: ReportView) -> str:
    lines = [
        MARKER,
        f"## {ICONS.get(view.verdict, '')} datatenet: {view.verdict}",
        "",
        f"{inert_markdown(view.base_label)} → {inert_markdown(view.head_label)}",
        "",
        inert_markdown(view.verdict_reason, 600),
        "",
    ]
    statement = view.statement
    if statement and statement.get("statement"):
        behaviour = statement.get("behaviour")
        tag = f"\\[{inert_markdown(behaviour)}\\] " if behaviour else ""
        lines += [f"**Reinforces:** {tag}{inert_markdown(statement['statement'], 300)}", ""]
    totals = view.totals
    lines += [
        "| dataset | base | head | added | removed | modified | findings |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for dataset in view.datasets[:MAX_DATASETS]:
        c = dataset.counts
        lines.append(
            f"| {inert_markdown(dataset.path, 120)} | {c['base']:,} | {c['head']:,} | "
            f"{c['added']:,} | {c['removed']:,} | {c['modified']:,} | {c['findings']:,} |"
        )
    if len(view.datasets) > MAX_DATASETS:
        lines.append(f"| … {len(view.datasets) - MAX_DATASETS:,} more datasets | | | | | | |")
    if len(view.datasets) > 1:
        lines.append(
            f"| **all** | {totals.get('base_samples', 0):,} | {totals.get('head_samples', 0):,} | "
            f"{totals.get('added', 0):,} | {totals.get('removed', 0):,} | "
            f"{totals.get('modified', 0):,} | {view.finding_total:,} |"
        )
    failing = [g for g in view.gates if g.measured and not g.passed]
    if view.gates:
        lines += ["", "| gate | value | bound | result |", "|---|--:|---|---|"]
        for gate in view.gates:
            result = "not measured" if not gate.measured else "passed"
            if gate in failing:
                result = "**FAILED**" if gate.level == "error" else "warning"
            lines.append(f"| `{gate.metric}` | {gate.value} | {gate.bound} | {result} |")
    measures = _headline(view)
    if measures:
        lines += ["", "**Measures:** " + " · ".join(measures)]
    if view.vectors == "lexical":
        lines += ["", "_Lexical checks: no embedding model in this run._"]
    for note in view.notes:
        lines += ["", f"> {inert_markdown(note, 300)}"]
    return "\n".join(lines) + "\n"


def _headline(view: ReportView) -> list[str]:
    by_name = {m.name: m for m in view.headline}
    return [f"`{name}` {by_name[name].display}" for name in HEADLINE if name in by_name]


def _finding(finding: FindingView) -> str:
    where = inert_markdown(finding.sample.origin, 120)
    if finding.matched is not None:
        where += f" ~ {inert_markdown(finding.matched.origin, 120)}"
    lines = [
        f"- **{finding.severity}** {finding.kind} ({finding.tier}, {finding.score:.2f}): {where}",
        f"  {inert_markdown(finding.explanation, 300)}",
    ]
    if finding.decisive:
        lines.append(f"  decisive: {inert_markdown(finding.decisive)}")
    lines.append(f"  prompt: {inert_markdown(_text(finding.sample.prompt), 160)}")
    return "\n".join(lines) + "\n"


def _text(segments: Sequence[Segment]) -> str:
    return "".join(segment.text for segment in segments)


def render_history_markdown(view: HistoryView, limit: int = LIMIT) -> str:
    """The history as Markdown: the composition now, then one table row per data commit,
    newest first, while they fit under `limit`."""
    lines = [f"## datatenet history: {inert_markdown(view.title)}", ""]
    if view.behaviours:
        total = sum(samples for _, samples in view.behaviours) or 1
        lines += ["| behaviour | samples | share |", "|---|--:|--:|"]
        for behaviour, samples in view.behaviours[:MAX_DATASETS]:
            lines.append(f"| {inert_markdown(behaviour)} | {samples:,} | {samples / total:.1%} |")
        lines.append("")
    scores = "".join(f" {name} |" for name in view.score_names)
    lines += [
        f"| commit | date | behaviour | added | removed | modified | findings |{scores}",
        "|---|---|---|--:|--:|--:|--:|" + "--:|" * len(view.score_names),
    ]
    text = "\n".join(lines) + "\n"
    for shown, row in enumerate(view.rows):
        values = "".join(f" {value} |" for value in row.scores)
        line = (
            f"| `{row.commit}` | {row.date} | {inert_markdown(row.behaviour, 120)} | "
            f"{row.counts[0]:,} | {row.counts[1]:,} | {row.counts[2]:,} | {row.findings:,} |"
            f"{values}\n"
        )
        if len(text) + len(line) + 200 >= limit:
            return text + f"\n_{len(view.rows) - shown:,} more commits in the HTML report_\n"
        text += line
    return text
