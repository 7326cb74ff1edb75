"""The analysis interfaces: findings with evidence, measures, analyses, the registry, corpora."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datatenet.analysis.base import Analysis, AnalysisConfig
from datatenet.analysis.corpus import corpus_of_change
from datatenet.analysis.findings import Finding, SampleRef, finding_from_json
from datatenet.analysis.measures import Measure, combine_measures
from datatenet.analysis.registry import ALL_CHECKS, analyse, parse_checks
from datatenet.analysis.run import analyse_change
from datatenet.diff import diff_versions
from datatenet.errors import DatatenetError
from datatenet.formats.load import LoadOptions, load_file

A = SampleRef("d.jsonl:1", "a", "q", "r")
B = SampleRef("d.jsonl:2", "b", "q", "s")
C = SampleRef("d.jsonl:3", "c", "q", "t")


def test_findings_point_at_one_two_or_several_samples_and_round_trip() -> None:
    single = Finding("noise", "empty", "warning", 1.0, (A,), "the answer is empty")
    pair = Finding.pair("contradiction", "prompt-id", "error", 1.0, A, B, "21 vs 24")
    several = Finding("style-drift", "descriptors", "info", 0.8, (A, B, C), "longer answers")
    assert single.matched is None and pair.matched == B and several.sample == A
    for finding in (single, pair, several):
        stored = json.loads(json.dumps(finding.to_json()))
        assert finding_from_json(stored) == finding
    assert single.to_json()["matched"] is None
    assert [ref["id"] for ref in several.to_json()["evidence"]] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="one sample at least"):
        Finding("noise", "empty", "warning", 1.0, (), "nothing")


def test_measures_of_several_datasets_add_up_or_keep_the_worst() -> None:
    combined = combine_measures(
        [
            Measure("exact_duplicates", 2, ("a:1",)),
            Measure("exact_duplicates", 3, ("b:1",)),
            Measure("style_drift_auc", 0.62, combine="max"),
            Measure("style_drift_auc", 0.91, combine="max"),
            Measure("style_drift_auc", 0.55, combine="max"),
            Measure("focus_entropy", 0.4, combine="min"),
            Measure("focus_entropy", 0.7, combine="min"),
        ]
    )
    assert combined["exact_duplicates"].value == 5
    assert combined["exact_duplicates"].evidence == ("a:1", "b:1")
    assert combined["style_drift_auc"].value == 0.91
    assert combined["focus_entropy"].value == 0.4


def test_analysis_round_trips_through_json() -> None:
    analysis = Analysis(
        (Finding.pair("exact-duplicate", "exact", "error", 1.0, A, B, "same", copies=2),),
        (Measure("style_drift_auc", 0.7, ("d.jsonl:2",), "longer", {"auc": [0.7]}, "max"),),
        ("a note",),
    )
    assert Analysis.from_json(json.loads(json.dumps(analysis.to_json()))) == analysis
    assert analysis.measure("style_drift_auc") is not None
    assert analysis.measure("missing") is None


def test_checks_are_the_registered_analyzers() -> None:
    assert {"exact", "near", "semantic", "conflicts"} <= set(ALL_CHECKS)
    assert parse_checks("duplicates") == {"exact", "near", "semantic"}
    assert parse_checks(None) == set(ALL_CHECKS)
    assert parse_checks("none") == set()
    with pytest.raises(DatatenetError, match="unknown check 'exactly'"):
        parse_checks("exact,exactly")


def _versions(tmp_path: Path, base_rows: list[dict[str, str]], head_rows: list[dict[str, str]]):
    paths = []
    for name, rows in (("base.jsonl", base_rows), ("head.jsonl", head_rows)):
        path = tmp_path / name
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        paths.append(load_file(path, LoadOptions()))
    return paths


def test_a_change_offers_its_base_side_only_when_asked(tmp_path: Path) -> None:
    base_rows = [{"instruction": f"q{i}", "output": f"a{i}"} for i in range(5)]
    head_rows = [*base_rows[:3], {"instruction": "q3", "output": "edited"}]
    head_rows.append({"instruction": "q9", "output": "a9"})
    base, head = _versions(tmp_path, base_rows, head_rows)
    corpus = corpus_of_change(diff_versions(base, head))
    assert [item.response for item in corpus.new] == ["edited", "a9"]
    assert [item.response for item in corpus.existing] == ["a0", "a1", "a2"]
    assert "removed" not in corpus.__dict__  # not parsed until an analysis asks
    assert [item.response for item in corpus.removed] == ["a3", "a4"]  # replaced and removed
    assert [item.origin for item in corpus.removed] == [f"{base.label}:4", f"{base.label}:5"]


def test_only_the_selected_analyzers_run(tmp_path: Path) -> None:
    rows = [{"instruction": "What is 2+2?", "output": "4"}]
    base, head = _versions(
        tmp_path, rows, [*rows, *rows, {"instruction": "What is 2+2?", "output": "five apples"}]
    )
    changeset = diff_versions(base, head)
    everything = analyse_change(changeset, AnalysisConfig(parse_checks("exact,conflicts")))
    kinds = sorted(f.kind for f in everything.findings)
    assert kinds == ["contradiction", "exact-duplicate"]
    only_exact = analyse_change(changeset, AnalysisConfig(parse_checks("exact")))
    assert [f.kind for f in only_exact.findings] == ["exact-duplicate"]
    assert analyse_change(changeset, AnalysisConfig(frozenset())) == Analysis()
    assert analyse(corpus_of_change(diff_versions(base, base)), AnalysisConfig()) == Analysis()
