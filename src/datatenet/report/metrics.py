"""`--metrics FILE`: the numbers of a change as one flat JSON object, the form `dvc metrics
show` and `dvc metrics diff` read (and `dvc exp show` tabulates).

Keys are stable names: the counts of the diff, the findings by kind, and every measure of the
change by its gate name (`added_duplicate_share`, `contradictions`, `style_drift_auc`,
`coverage_shift`, `eval_contamination`, …), so a gate and a metric say the same thing.
"""

from __future__ import annotations

from typing import Any

from datatenet.report.view import ReportView

COUNTS = (
    "base_samples",
    "head_samples",
    "unchanged",
    "added",
    "removed",
    "modified",
    "metadata_changed",
    "multiplicity_changed",
    "invalid_base",
    "invalid_head",
)


def metrics(view: ReportView) -> dict[str, float | int]:
    out: dict[str, float | int] = {name: int(view.totals.get(name, 0)) for name in COUNTS}
    out["datasets"] = len(view.datasets)
    out["findings"] = view.finding_total
    for severity, count in view.severity_counts:
        out[f"findings_{severity}"] = count
    for measure in view.headline:
        out[measure.name] = _number(measure.value)
    failed = [g for g in view.gates if g.measured and not g.passed and g.level == "error"]
    out["gates_failed"] = len(failed)
    return out


def metrics_json(view: ReportView) -> bytes:
    import orjson

    return orjson.dumps(metrics(view), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def _number(value: Any) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else round(number, 6)
