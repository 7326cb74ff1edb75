"""The `--json` document of a diff. Its schema is documented in docs/json.md; bump
JSON_SCHEMA_VERSION on any incompatible change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from datatenet.diff import ChangeSet
from datatenet.report.examples import KINDS, Change, changes
from datatenet.version import Version

if TYPE_CHECKING:
    from datatenet.analysis.base import Analysis
    from datatenet.repo_diff import RepoDiff, State

JSON_SCHEMA_VERSION = 1


def diff_document(
    changesets: list[ChangeSet], show: int = 0, analyses: Sequence[Analysis] = ()
) -> dict[str, Any]:
    datasets = [_dataset(changeset, show) for changeset in changesets]
    totals: dict[str, int] = {}
    for changeset in changesets:
        for name, value in asdict(changeset.summary).items():
            totals[name] = totals.get(name, 0) + value
    totals["findings"] = 0
    for dataset, analysis in zip(datasets, analyses, strict=False):
        dataset["findings"] = [finding.to_json() for finding in analysis.findings]
        dataset["measures"] = [measure.to_json() for measure in analysis.measures]
        dataset["notes"] = list(analysis.notes)
        dataset["summary"]["findings"] = len(analysis.findings)
        totals["findings"] += len(analysis.findings)
    return {"version": JSON_SCHEMA_VERSION, "summary": totals, "datasets": datasets}


def scan_document(version: Version, analysis: Analysis) -> dict[str, Any]:
    return {
        "version": JSON_SCHEMA_VERSION,
        "dataset": _version(version),
        "findings": [finding.to_json() for finding in analysis.findings],
        "measures": [measure.to_json() for measure in analysis.measures],
        "notes": list(analysis.notes),
    }


def _dataset(changeset: ChangeSet, show: int) -> dict[str, Any]:
    by_kind = changes(changeset, show)
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


def _change(change: Change) -> dict[str, Any]:
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


def repo_diff_document(
    result: RepoDiff, show: int = 0, analyses: Sequence[Analysis] = ()
) -> dict[str, Any]:
    """The [F1] document plus the states compared, and per dataset its path and status."""
    document = diff_document(result.changesets, show, analyses)
    for dataset, change in zip(document["datasets"], result.changes, strict=True):
        dataset.update(
            path=change.path,
            old_path=change.old_path,
            status=change.status,
            storage=change.storage,
        )
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
    )
    return document


def _state(state: State) -> dict[str, Any]:
    return {"spec": state.spec, "kind": state.kind, "commit": state.commit, "label": state.label}
