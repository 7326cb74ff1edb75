"""The `--json` document of a diff. Its schema is documented in docs/json.md; bump
JSON_SCHEMA_VERSION on any incompatible change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from datatenet.diff import ChangeSet
from datatenet.report.examples import KINDS, SampleChange, sample_changes
from datatenet.version import Version

if TYPE_CHECKING:
    from datatenet.repo.diff import RepoDiff
    from datatenet.repo.revisions import State
    from datatenet.results.diff import DatasetResult, DiffResult, ScanResult

JSON_SCHEMA_VERSION = 1


def diff_document(result: DiffResult, show: int = 0) -> dict[str, Any]:
    """The document of a diff (docs/json.md); a repository's adds the states compared and,
    per dataset, its path and status."""
    document = _datasets_document(result.datasets, show)
    if result.repository is not None:
        _add_repository(document, result.repository)
    return document


def _datasets_document(datasets: Sequence[DatasetResult], show: int) -> dict[str, Any]:
    documents: list[dict[str, Any]] = []
    totals: dict[str, int] = {}
    for dataset in datasets:
        for name, value in asdict(dataset.changeset.summary).items():
            totals[name] = totals.get(name, 0) + value
    totals["findings"] = 0
    for dataset in datasets:
        out = _dataset(dataset.changeset, show)
        analysis = dataset.analysis
        out["findings"] = [finding.to_json() for finding in analysis.findings]
        out["measures"] = [measure.to_json() for measure in analysis.measures]
        out["notes"] = list(analysis.notes)
        out["summary"]["findings"] = len(analysis.findings)
        totals["findings"] += len(analysis.findings)
        if dataset.change is not None:
            change = dataset.change
            out.update(
                path=change.path,
                old_path=change.old_path,
                status=change.status,
                storage=change.storage,
            )
        documents.append(out)
    return {"version": JSON_SCHEMA_VERSION, "summary": totals, "datasets": documents}


def scan_document(result: ScanResult) -> dict[str, Any]:
    analysis = result.analysis
    return {
        "version": JSON_SCHEMA_VERSION,
        "dataset": _version(result.version),
        "findings": [finding.to_json() for finding in analysis.findings],
        "measures": [measure.to_json() for measure in analysis.measures],
        "notes": list(analysis.notes),
    }


def _dataset(changeset: ChangeSet, show: int) -> dict[str, Any]:
    by_kind = sample_changes(changeset, show)
    out: dict[str, Any] = {
        "base": _version(changeset.base),
        "head": _version(changeset.head),
        "summary": asdict(changeset.summary),
    }
    for kind in KINDS:
        out[kind] = [_change(change) for change in by_kind[kind]]
    out["multiplicity"] = [
        {
            "id": item.sample_id,
            "base_count": item.base_count,
            "head_count": item.head_count,
            "head": _origin(changeset.head, item.head_index),
            "base": _origin(changeset.base, item.base_index),
        }
        for item in changeset.multiplicity
    ]
    return out


def _version(version: Version) -> dict[str, Any]:
    return {
        "path": version.label,
        "format": version.file_format,
        "schema": version.schema,
        "samples": len(version.entries),
        "invalid": [
            {
                "origin": str(version.origin(item.position)),
                version.position_kind: item.position,
                "reason": item.reason,
            }
            for item in version.invalid
        ],
    }


def _origin(version: Version, index: int | None) -> str | None:
    return None if index is None else str(version.origin(version.entries[index].position))


def _change(change: SampleChange) -> dict[str, Any]:
    out: dict[str, Any] = {"id": change.sample_id}
    if change.base_id is not None and change.base_id != change.sample_id:
        out["base_id"] = change.base_id
    out |= {
        "base": None if change.base is None else str(change.base),
        "head": None if change.head is None else str(change.head),
    }
    if change.base_sample is not None:
        out["base_sample"] = change.base_sample.to_json()
    if change.head_sample is not None:
        out["head_sample"] = change.head_sample.to_json()
    return out


def _add_repository(document: dict[str, Any], result: RepoDiff) -> None:
    document.update(
        base=_state(result.base),
        head=_state(result.head),
        renames=[{"from": old, "to": new} for old, new in result.renames],
        unavailable=[
            {"path": u.path, "side": u.side, "reason": u.reason, "fetch": u.fetch}
            for u in result.unavailable
        ],
        failures=[
            {"path": f.path, "side": f.side, "message": f.message, "hint": f.hint}
            for f in result.failures
        ],
        unchanged_datasets=result.unchanged,
        parsed=result.parsed,
        cached=result.cached,
        untracked=list(result.untracked),
    )


def _state(state: State) -> dict[str, Any]:
    return {"spec": state.spec, "kind": state.kind, "commit": state.commit, "label": state.label}
