"""Policy: findings + metrics + the `[gates]` table of the config -> a verdict.

A gate bounds one metric:

```toml
[gates]
added_duplicate_share = { max = 0.05, level = "error" }   # fail the commit above 5%
contradictions        = { max = 0,    level = "error" }
removed_share         = { max = 0.2,  level = "warn" }    # only print
```

`level` is "error" (the default: the hook fails, naming the reason and the evidence's
location) or "warn" (printed, never fails). A bare number is a `max` at level error.

Metrics come from two places. The diff measures what every change has (`added`, `removed`,
`modified`, `new_samples`, `removed_share`, `invalid_records`, `unreadable_datasets`,
`unavailable_datasets`). Findings, from whatever analyses ran, are counted by kind
(`exact_duplicates`, `near_duplicates`, `semantic_duplicates`, `duplicates`, `contradictions`,
and `<kind>_findings` for any other kind) and as `added_duplicate_share`, the share of new
samples that duplicate one already there. A gate over a metric nobody measured in this run is
reported as not measured: it neither passes nor fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from datatenet.analysis.measures import Measure, combine_measures
from datatenet.errors import DatatenetError

if TYPE_CHECKING:
    from datatenet.analysis.base import Analysis
    from datatenet.analysis.findings import Finding
    from datatenet.repo.diff import RepoDiff

Level = Literal["error", "warn"]
LEVELS: tuple[str, ...] = get_args(Level)
DIFF_METRICS = (
    "added",
    "removed",
    "modified",
    "new_samples",
    "removed_share",
    "invalid_records",
    "unreadable_datasets",
    "unavailable_datasets",
)
DUPLICATE_KINDS = ("exact-duplicate", "near-duplicate", "semantic-duplicate")
FINDING_METRICS = {
    "exact-duplicate": "exact_duplicates",
    "near-duplicate": "near_duplicates",
    "semantic-duplicate": "semantic_duplicates",
    "contradiction": "contradictions",
    "contamination": "eval_contamination",
    "noise": "noise",
}
# Measures of the analyzers (analysis/drift.py, stability.py, coverage.py, focus.py,
# boundaries.py, contamination.py, noise.py; documented in docs/json.md).
ANALYSIS_METRICS = (
    "style_drift_auc",
    "style_drift_descriptors",
    "expression_divergence",
    "coverage_shift",
    "new_topics",
    "focus_entropy",
    "focus_top_share",
    "statement_fit",
    "behaviour_shown",
    "counter_examples",
    "narrow_world_auc",
    "noise_share",
)
KNOWN_METRICS = (
    *DIFF_METRICS,
    *FINDING_METRICS.values(),
    "duplicates",
    "added_duplicate_share",
    *ANALYSIS_METRICS,
)


@dataclass(frozen=True)
class Gate:
    metric: str
    level: Level
    max: float | None = None
    min: float | None = None

    @property
    def bound(self) -> str:
        parts = []
        if self.max is not None:
            parts.append(f"max {_number(self.max)}")
        if self.min is not None:
            parts.append(f"min {_number(self.min)}")
        return ", ".join(parts)


@dataclass(frozen=True)
class GateResult:
    gate: Gate
    value: float | None  # None: not measured in this run
    passed: bool
    reason: str  # one line
    evidence: tuple[str, ...] = ()

    @property
    def measured(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class GateVerdict:
    results: tuple[GateResult, ...] = ()
    errors: tuple[str, ...] = field(default=())  # problems that fail whatever the gates say

    @property
    def failed(self) -> tuple[GateResult, ...]:
        return tuple(r for r in self.results if not r.passed and r.gate.level == "error")

    @property
    def warnings(self) -> tuple[GateResult, ...]:
        return tuple(r for r in self.results if not r.passed and r.gate.level == "warn")

    @property
    def unmeasured(self) -> tuple[GateResult, ...]:
        return tuple(r for r in self.results if not r.measured)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors


# The gates of a repository whose config has no [gates] table.
DEFAULT_GATES: Mapping[str, Any] = {
    "added_duplicate_share": {"max": 0.05, "level": "error"},
    "contradictions": {"max": 0, "level": "error"},
    "eval_contamination": {"max": 0, "level": "error"},
}


def parse_gates(table: Mapping[str, Any], where: str = "config") -> tuple[Gate, ...]:
    """The `[gates]` table -> gates; every mistake names the gate and shows the form."""
    gates: list[Gate] = []
    for name, spec in table.items():
        example = f'{name} = {{ max = 0.05, level = "error" }}'
        if isinstance(spec, int | float) and not isinstance(spec, bool):
            gates.append(Gate(name, "error", max=float(spec)))
            continue
        if not isinstance(spec, dict):
            raise DatatenetError(
                f"{where}: gate {name!r} must be a table or a number", f"e.g. {example}"
            )
        unknown = sorted(set(spec) - {"max", "min", "level"})
        if unknown:
            raise DatatenetError(
                f"{where}: gate {name!r} has unknown key{'s' if len(unknown) > 1 else ''} "
                + ", ".join(unknown),
                f"a gate takes max, min and level, e.g. {example}",
            )
        level = spec.get("level", "error")
        level = "warn" if level == "warning" else level
        if level not in LEVELS:
            raise DatatenetError(
                f'{where}: gate {name!r}: level must be "error" or "warn", not {level!r}',
                f"e.g. {example}",
            )
        bounds: dict[str, float | None] = {}
        for key in ("max", "min"):
            value = spec.get(key)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if value is not None and not number:
                raise DatatenetError(
                    f"{where}: gate {name!r}: {key} must be a number, not {value!r}",
                    f"e.g. {example}",
                )
            bounds[key] = None if value is None else float(value)
        if bounds["max"] is None and bounds["min"] is None:
            raise DatatenetError(f"{where}: gate {name!r} sets no max or min", f"e.g. {example}")
        chosen: Level = "warn" if level == "warn" else "error"
        gates.append(Gate(name, chosen, max=bounds["max"], min=bounds["min"]))
    return tuple(gates)


def diff_measures(diff: RepoDiff) -> dict[str, Measure]:
    """What every change has, measured over all its datasets."""
    added = removed = modified = base_samples = invalid = 0
    added_at: list[str] = []
    removed_at: list[str] = []
    modified_at: list[str] = []
    invalid_at: list[str] = []
    for change in diff.changes:
        changeset = change.changeset
        summary = changeset.summary
        added += summary.added
        removed += summary.removed
        modified += summary.modified
        base_samples += summary.base_samples
        invalid += summary.invalid_head
        head, base = changeset.head, changeset.base
        if changeset.added:
            at = head.origin(head.entries[changeset.added[0]].position)
            added_at.append(f"{at}: first of {summary.added} added")
        if changeset.removed:
            at = base.origin(base.entries[changeset.removed[0]].position)
            removed_at.append(f"{at}: first of {summary.removed} removed")
        if changeset.modified:
            at = head.origin(head.entries[changeset.modified[0][1]].position)
            modified_at.append(f"{at}: first of {summary.modified} modified")
        invalid_at.extend(f"{head.origin(i.position)}: {i.reason}" for i in head.invalid)
    measures = [
        Measure("added", added, tuple(added_at)),
        Measure("removed", removed, tuple(removed_at)),
        Measure("modified", modified, tuple(modified_at)),
        Measure("new_samples", added + modified, tuple(added_at + modified_at)),
        Measure(
            "removed_share", removed / base_samples if base_samples else 0.0, tuple(removed_at)
        ),
        Measure("invalid_records", invalid, tuple(invalid_at)),
        Measure(
            "unreadable_datasets",
            len(diff.failures),
            tuple(f.message for f in diff.failures),
        ),
        Measure(
            "unavailable_datasets",
            len(diff.unavailable),
            tuple(f"{u.path} ({u.side}): {u.reason}" for u in diff.unavailable),
        ),
    ]
    return {m.name: m for m in measures}


def analysis_measures(analyses: Sequence[Analysis], new_samples: int) -> dict[str, Measure]:
    """What the analyses of a change measured, over all its datasets: their findings counted
    (`finding_measures`) and their own measures combined."""
    findings = [finding for analysis in analyses for finding in analysis.findings]
    measures = combine_measures(m for analysis in analyses for m in analysis.measures)
    return {**measures, **finding_measures(findings, new_samples)}


def finding_measures(findings: Sequence[Finding], new_samples: int) -> dict[str, Measure]:
    """Counts of findings by kind, and the share of new samples that duplicate existing ones."""
    by_metric: dict[str, list[Finding]] = {name: [] for name in FINDING_METRICS.values()}
    for finding in findings:
        name = FINDING_METRICS.get(finding.kind, finding.kind.replace("-", "_") + "_findings")
        by_metric.setdefault(name, []).append(finding)
    duplicates = [f for f in findings if f.kind in DUPLICATE_KINDS]
    by_metric["duplicates"] = duplicates
    measures = {
        name: Measure(name, len(listed), _evidence(listed)) for name, listed in by_metric.items()
    }
    duplicated = len({f.sample.sample_id for f in duplicates})
    share = duplicated / new_samples if new_samples else 0.0
    measures["added_duplicate_share"] = Measure(
        "added_duplicate_share", share, _evidence(duplicates)
    )
    return measures


def _evidence(findings: Iterable[Finding]) -> tuple[str, ...]:
    return tuple(
        f"{f.sample.origin}: {f.explanation}"
        + (f" (matches {f.matched.origin})" if f.matched is not None else "")
        for f in findings
    )


def evaluate(
    gates: Sequence[Gate], measures: Mapping[str, Measure], errors: Sequence[str] = ()
) -> GateVerdict:
    results: list[GateResult] = []
    for gate in gates:
        measure = measures.get(gate.metric)
        if measure is None:
            known = "" if gate.metric in KNOWN_METRICS else " (unknown metric)"
            results.append(
                GateResult(gate, None, True, f"{gate.metric}: not measured in this run{known}")
            )
            continue
        value = measure.value
        too_high = gate.max is not None and value > gate.max
        too_low = gate.min is not None and value < gate.min
        if too_high:
            reason = f"{gate.metric} = {_number(value)}, above max {_number(gate.max)}"
        elif too_low:
            reason = f"{gate.metric} = {_number(value)}, below min {_number(gate.min)}"
        else:
            reason = f"{gate.metric} = {_number(value)} ({gate.bound})"
        passed = not (too_high or too_low)
        results.append(GateResult(gate, value, passed, reason, () if passed else measure.evidence))
    return GateVerdict(tuple(results), tuple(errors))


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"
