"""The report document: the `--json` document of a diff (report/json_report.py) plus what a
reviewer decides on: the measures of the whole change, the gate verdict and the stated behaviour.

It is the one input of the HTML, Markdown and metrics renderers (through report/view.py), so
they depend on the documented JSON (docs/json.md, docs/report.md), not on how a verb is shaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from datatenet.analysis.findings import finding_from_json
from datatenet.analysis.measures import Measure, combine_measures, measure_from_json
from datatenet.gates import Gate, GateVerdict, evaluate, finding_measures


def report_document(
    diff: Mapping[str, Any],
    *,
    gates: Sequence[Gate] | GateVerdict | None = None,
    statement: Mapping[str, Any] | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """`diff` (a diff or repository-diff document) with `measures` (every measure of the change,
    datasets combined, as the gates see them), `gates` (a verdict, or the gates to evaluate
    over those measures) and `statement` ({"behaviour", "statement", "accepted", "reason"})."""
    measures = change_measures(diff)
    if isinstance(gates, GateVerdict):
        verdict: GateVerdict | None = gates
    elif gates is not None:
        verdict = evaluate(gates, measures, _errors(diff))
    else:
        verdict = None
    return {
        **diff,
        "title": title,
        "measures": [measure.to_json() for measure in measures.values()],
        "gates": None if verdict is None else gates_json(verdict),
        "statement": dict(statement) if statement is not None else None,
    }


def change_measures(diff: Mapping[str, Any]) -> dict[str, Measure]:
    """What gates.diff_measures and gates.analysis_measures measure, read from the document."""
    datasets = diff.get("datasets", [])
    totals = diff.get("summary", {})
    added_at = [_first(d, "added", "head") for d in datasets]
    removed_at = [_first(d, "removed", "base") for d in datasets]
    modified_at = [_first(d, "modified", "head") for d in datasets]
    added = [line for line in added_at if line]
    removed = [line for line in removed_at if line]
    modified = [line for line in modified_at if line]
    base_samples = totals.get("base_samples", 0)
    invalid = [
        f"{item['origin']}: {item['reason']}" for d in datasets for item in d["head"]["invalid"]
    ]
    failures = diff.get("failures", [])
    unavailable = diff.get("unavailable", [])
    measures = [
        Measure("added", totals.get("added", 0), tuple(added)),
        Measure("removed", totals.get("removed", 0), tuple(removed)),
        Measure("modified", totals.get("modified", 0), tuple(modified)),
        Measure(
            "new_samples",
            totals.get("added", 0) + totals.get("modified", 0),
            tuple(added + modified),
        ),
        Measure(
            "removed_share",
            totals.get("removed", 0) / base_samples if base_samples else 0.0,
            tuple(removed),
        ),
        Measure("invalid_records", len(invalid), tuple(invalid)),
        Measure("unreadable_datasets", len(failures), tuple(f["message"] for f in failures)),
        Measure(
            "unavailable_datasets",
            len(unavailable),
            tuple(f"{u['path']} ({u['side']}): {u['reason']}" for u in unavailable),
        ),
    ]
    own = combine_measures(
        measure_from_json(item) for d in datasets for item in d.get("measures", [])
    )
    findings = [finding_from_json(item) for d in datasets for item in d.get("findings", [])]
    new_samples = totals.get("added", 0) + totals.get("modified", 0)
    return {m.name: m for m in measures} | own | finding_measures(findings, new_samples)


def gates_json(verdict: GateVerdict) -> dict[str, Any]:
    return {
        "ok": verdict.ok,
        "errors": list(verdict.errors),
        "results": [
            {
                "metric": r.gate.metric,
                "level": r.gate.level,
                "max": r.gate.max,
                "min": r.gate.min,
                "value": r.value,
                "passed": r.passed,
                "measured": r.measured,
                "reason": r.reason,
                "evidence": list(r.evidence),
            }
            for r in verdict.results
        ],
    }


def _first(dataset: Mapping[str, Any], kind: str, side: str) -> str:
    listed = dataset.get(kind) or []
    if not listed:
        return ""
    return f"{listed[0][side]}: first of {len(listed)} {kind}"


def _errors(diff: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(f["message"] for f in diff.get("failures", []))
