"""The view model of a report: what the HTML and Markdown renderers show, built from the report
document (report/document.py) and nothing else.

Examples are capped here (a reviewer reads a few hundred pairs, not fifty thousand), counts
never are; the JSON report keeps everything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datatenet.report import charts
from datatenet.report.charts import Chart
from datatenet.report.details import Block, blocks, cell
from datatenet.report.sections import EXAMPLE_KINDS, PAIR_LABELS, SECTIONS, SectionSpec
from datatenet.report.word_edits import Segment, word_diff

MAX_FINDINGS_SHOWN = 300  # finding cards per section
MAX_EVIDENCE = 20  # evidence lines per measure or gate
MAX_INVALID = 200
TEXT_LIMIT = 600
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
# Within a severity, what a reviewer should read first: what the model would learn wrong.
KIND_ORDER = {"contradiction": 0, "contamination": 1, "exact-duplicate": 2, "near-duplicate": 3}


@dataclass(frozen=True)
class SampleView:
    origin: str
    sample_id: str
    prompt: tuple[Segment, ...]
    response: tuple[Segment, ...]


@dataclass(frozen=True)
class FindingView:
    kind: str
    labels: tuple[str, str]  # what the two samples are: new and matched, training and eval, …
    tier: str
    severity: str
    score: float
    explanation: str
    dataset: str
    sample: SampleView
    matched: SampleView | None
    more: tuple[SampleView, ...]  # evidence beyond the first two samples
    scores: tuple[tuple[str, str], ...]
    copies: int | None
    decisive: str
    details: tuple[tuple[str, str], ...]

    @property
    def search_text(self) -> str:
        return " ".join((self.kind, self.tier, self.severity, self.explanation, self.dataset))


@dataclass(frozen=True)
class MeasureView:
    name: str
    value: float
    display: str
    explanation: str
    dataset: str  # "" for the whole change
    evidence: tuple[str, ...]
    evidence_total: int
    combine: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    about: str
    measures: tuple[MeasureView, ...]
    findings: tuple[FindingView, ...]  # capped
    finding_total: int
    counts: tuple[tuple[str, int], ...]  # by kind, uncapped


@dataclass(frozen=True)
class GateRow:
    metric: str
    level: str
    bound: str
    value: str
    passed: bool
    measured: bool
    reason: str
    evidence: tuple[str, ...]
    evidence_total: int


@dataclass(frozen=True)
class DatasetRow:
    path: str
    status: str
    storage: str
    schema: str
    counts: Mapping[str, int]
    chart: Chart | None


@dataclass(frozen=True)
class InvalidRow:
    dataset: str
    side: str
    origin: str
    reason: str


@dataclass(frozen=True)
class ReportView:
    title: str
    base_label: str
    head_label: str
    verdict: str  # "passed", "failed", "warnings", "not gated"
    verdict_reason: str
    gates: tuple[GateRow, ...]
    gate_errors: tuple[str, ...]
    statement: Mapping[str, Any] | None
    datasets: tuple[DatasetRow, ...]
    totals: Mapping[str, int]
    sections: tuple[SectionView, ...]
    measures: tuple[MeasureView, ...]  # every measure, whole change first, then per dataset
    headline: tuple[MeasureView, ...]  # the measures of the whole change
    invalid: tuple[InvalidRow, ...]
    invalid_total: int
    notes: tuple[str, ...]
    problems: tuple[str, ...]  # unreadable and unavailable datasets
    finding_total: int
    finding_counts: tuple[tuple[str, int], ...]  # by kind
    severity_counts: tuple[tuple[str, int], ...]
    checks: tuple[str, ...] = ()  # the checks that ran (empty: not recorded)
    vectors: str = ""  # "model" or "lexical": what topics and similar prompts came from

    def section(self, section_id: str) -> SectionView:
        return next(s for s in self.sections if s.id == section_id)


def build_view(document: Mapping[str, Any], max_findings: int = MAX_FINDINGS_SHOWN) -> ReportView:
    datasets = list(document.get("datasets", []))
    findings = [(dataset_path(d), f) for d in datasets for f in d.get("findings", [])]
    findings.sort(key=lambda item: rank(item[1]))
    # With one dataset its measures are those of the whole change: shown once.
    own = [
        _measure(m, dataset_path(d))
        for d in (datasets if len(datasets) > 1 else [])
        for m in d.get("measures", [])
    ]
    whole = [_measure(m, "") for m in document.get("measures", [])]
    measures = tuple(whole + own)
    sections = tuple(_section(spec, findings, measures, max_findings) for spec in SECTIONS)
    invalid = [
        InvalidRow(dataset_path(d), side, item["origin"], item["reason"])
        for d in datasets
        for side in ("base", "head")
        for item in d[side]["invalid"]
    ]
    verdict, reason, gates, errors = _verdict(document.get("gates"))
    kinds = Counter(f["kind"] for _, f in findings)
    severities = Counter(f["severity"] for _, f in findings)
    base, head = document.get("base"), document.get("head")
    base_label = base["label"] if base else " + ".join(d["base"]["path"] for d in datasets)
    head_label = head["label"] if head else " + ".join(d["head"]["path"] for d in datasets)
    return ReportView(
        title=document.get("title") or f"{base_label} → {head_label}",
        base_label=base_label,
        head_label=head_label,
        verdict=verdict,
        verdict_reason=reason,
        gates=gates,
        gate_errors=errors,
        statement=document.get("statement"),
        datasets=tuple(_dataset(d) for d in datasets),
        totals=dict(document.get("summary", {})),
        sections=sections,
        measures=measures,
        headline=tuple(whole),
        invalid=tuple(invalid[:MAX_INVALID]),
        invalid_total=len(invalid),
        notes=tuple(dict.fromkeys(n for d in datasets for n in d.get("notes", []))),
        problems=_problems(document),
        finding_total=len(findings),
        finding_counts=tuple(kinds.most_common()),
        severity_counts=tuple((s, severities[s]) for s in SEVERITY_ORDER if severities[s]),
        checks=tuple(document.get("checks") or ()),
        vectors=str(document.get("vectors") or ""),
    )


def rank(finding: Mapping[str, Any]) -> tuple[int, int, float]:
    """Most severe first; then contradictions before copies; then the strongest."""
    severity = SEVERITY_ORDER.get(finding["severity"], 9)
    return severity, KIND_ORDER.get(finding["kind"], 9), -float(finding["score"])


def dataset_path(dataset: Mapping[str, Any]) -> str:
    return str(dataset.get("path") or dataset["head"]["path"])


def finding_view(finding: Mapping[str, Any], dataset: str = "") -> FindingView:
    sample, matched = finding["sample"], finding.get("matched")
    refs = finding.get("evidence") or [sample, *([matched] if matched else [])]
    kind = finding["kind"]
    labels = PAIR_LABELS.get(kind, ("new", "matched") if matched else ("sample", ""))
    right: SampleView | None
    if kind in EXAMPLE_KINDS:  # samples that illustrate the finding: no pair to compare
        left, right = _sample(sample), None if matched is None else _sample(matched)
        labels = ("example", "example")
    elif matched is not None:
        prompts = word_diff(_clip(sample["prompt"]), _clip(matched["prompt"]))
        answers = word_diff(_clip(sample["response"]), _clip(matched["response"]))
        left = _sample(sample, prompts[0], answers[0])
        right = _sample(matched, prompts[1], answers[1])
    else:
        left, right = _sample(sample), None
    details = dict(finding.get("details", {}))
    decisive = str(details.pop("decisive", ""))
    return FindingView(
        kind=kind,
        labels=labels,
        tier=finding["tier"],
        severity=finding["severity"],
        score=float(finding["score"]),
        explanation=finding["explanation"],
        dataset=dataset,
        sample=left,
        matched=right,
        more=tuple(_sample(ref) for ref in refs[2:12]),
        scores=tuple((k, cell(v)) for k, v in finding.get("scores", {}).items()),
        copies=finding.get("copies"),
        decisive=decisive,
        details=tuple((k, cell(v)) for k, v in details.items()),
    )


def _sample(
    ref: Mapping[str, str],
    prompt: tuple[Segment, ...] | None = None,
    response: tuple[Segment, ...] | None = None,
) -> SampleView:
    return SampleView(
        ref["origin"],
        ref["id"],
        prompt if prompt is not None else (Segment(_clip(ref["prompt"]), False),),
        response if response is not None else (Segment(_clip(ref["response"]), False),),
    )


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _measure(data: Mapping[str, Any], dataset: str) -> MeasureView:
    evidence = list(data.get("evidence", []))
    return MeasureView(
        name=data["name"],
        value=float(data["value"]),
        display=cell(data["value"]),
        explanation=data.get("explanation", ""),
        dataset=dataset,
        evidence=tuple(evidence[:MAX_EVIDENCE]),
        evidence_total=len(evidence),
        combine=data.get("combine", "sum"),
        blocks=blocks(data.get("details", {})),
    )


def _section(
    spec: SectionSpec,
    findings: Sequence[tuple[str, Mapping[str, Any]]],
    measures: Sequence[MeasureView],
    max_findings: int,
) -> SectionView:
    mine = [(path, f) for path, f in findings if f["kind"] in spec.kinds]
    if spec.id == "noise":  # kinds no section claims are shown with the noise, not lost
        claimed = {kind for s in SECTIONS for kind in s.kinds}
        mine += [(path, f) for path, f in findings if f["kind"] not in claimed]
    counts = Counter(f["kind"] for _, f in mine)
    return SectionView(
        id=spec.id,
        title=spec.title,
        about=spec.about,
        measures=tuple(m for m in measures if m.name.startswith(spec.prefixes)),
        findings=tuple(finding_view(f, path) for path, f in mine[:max_findings]),
        finding_total=len(mine),
        counts=tuple(counts.most_common()),
    )


def _dataset(d: Mapping[str, Any]) -> DatasetRow:
    summary = d["summary"]
    counts = {
        "base": summary["base_samples"],
        "head": summary["head_samples"],
        "unchanged": summary["unchanged"],
        "added": summary["added"],
        "removed": summary["removed"],
        "modified": summary["modified"],
        "metadata changed": summary["metadata_changed"],
        "copies changed": summary["multiplicity_changed"],
        "invalid": summary["invalid_base"] + summary["invalid_head"],
        "findings": summary.get("findings", len(d.get("findings", []))),
    }
    parts = [
        ("unchanged", counts["unchanged"], "unchanged"),
        ("modified", counts["modified"], "modified"),
        ("added", counts["added"], "added"),
        ("removed", counts["removed"], "removed"),
    ]
    schema = d["base"]["schema"]
    if d["head"]["schema"] != schema:
        schema = f"{schema} → {d['head']['schema']}"
    return DatasetRow(
        path=dataset_path(d),
        status=str(d.get("status", "modified")),
        storage=str(d.get("storage", "file")),
        schema=schema,
        counts=counts,
        chart=charts.stacked("samples", parts),
    )


def _verdict(
    gates: Mapping[str, Any] | None,
) -> tuple[str, str, tuple[GateRow, ...], tuple[str, ...]]:
    if gates is None:
        return "not gated", "no gates were evaluated for this report", (), ()
    rows = tuple(_gate(r) for r in gates["results"])
    errors = tuple(gates.get("errors", []))
    failed = [r for r in rows if r.measured and not r.passed and r.level == "error"]
    warned = [r for r in rows if r.measured and not r.passed and r.level != "error"]
    if errors or failed:
        reasons = [*errors, *(r.reason for r in failed)]
        return "failed", "; ".join(reasons), rows, errors
    if warned:
        return "warnings", "; ".join(r.reason for r in warned), rows, errors
    measured = sum(r.measured for r in rows)
    return "passed", f"{measured} of {len(rows)} gates measured, all within bounds", rows, errors


def _gate(result: Mapping[str, Any]) -> GateRow:
    bounds = [f"{key} {cell(result[key])}" for key in ("max", "min") if result.get(key) is not None]
    evidence = list(result.get("evidence", []))
    return GateRow(
        metric=result["metric"],
        level=result["level"],
        bound=", ".join(bounds),
        value=cell(result.get("value")),
        passed=bool(result["passed"]),
        measured=bool(result.get("measured", result.get("value") is not None)),
        reason=result["reason"],
        evidence=tuple(evidence[:MAX_EVIDENCE]),
        evidence_total=len(evidence),
    )


def _problems(document: Mapping[str, Any]) -> tuple[str, ...]:
    out = [
        f"unreadable: {f['path']} ({f['side']}): {f['message']}"
        for f in document.get("failures", [])
    ]
    for item in document.get("unavailable", []):
        fetch = f"; fetch it with: {item['fetch']}" if item.get("fetch") else ""
        out.append(f"unavailable: {item['path']} ({item['side']}): {item['reason']}{fetch}")
    return tuple(out)
