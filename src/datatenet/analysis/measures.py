"""Measure: one named number about a change or a version, with the evidence behind it.

Findings point at samples; measures describe whole distributions (how far the answer style
moved, how the topics shifted, how many duplicates a change brings). Gates bound measures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# How one measure of several datasets becomes the measure of the whole change: counts add up,
# scores take the worst dataset.
Combine = Literal["sum", "max", "min"]


@dataclass(frozen=True)
class Measure:
    name: str  # a gate metric name, e.g. "exact_duplicates", "style_drift_auc"
    value: float
    evidence: tuple[str, ...] = ()  # where to look: "file:line: what" lines
    explanation: str = ""  # one line a reviewer can check
    details: Mapping[str, Any] = field(default_factory=dict)  # JSON-able, for the reports
    combine: Combine = "sum"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "value": _number(self.value)}
        if self.explanation:
            out["explanation"] = self.explanation
        if self.evidence:
            out["evidence"] = list(self.evidence)
        if self.details:
            out["details"] = dict(self.details)
        if self.combine != "sum":
            out["combine"] = self.combine
        return out


def measure_from_json(data: Mapping[str, Any]) -> Measure:
    return Measure(
        data["name"],
        float(data["value"]),
        tuple(data.get("evidence", ())),
        data.get("explanation", ""),
        dict(data.get("details", {})),
        data.get("combine", "sum"),
    )


def combine_measures(measures: Iterable[Measure]) -> dict[str, Measure]:
    """Measures of several datasets, one per name: summed, or the worst one kept."""
    combined: dict[str, Measure] = {}
    for measure in measures:
        known = combined.get(measure.name)
        if known is None:
            combined[measure.name] = measure
        elif measure.combine == "sum":
            combined[measure.name] = Measure(
                measure.name,
                known.value + measure.value,
                known.evidence + measure.evidence,
                known.explanation,
                known.details,
                "sum",
            )
        elif (measure.combine == "max") == (measure.value > known.value):
            combined[measure.name] = measure
    return combined


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 6)
