"""Report documents for the renderer tests, made by the real diff and analyses of real files.

The base is the demo's support dataset; the head adds exact and near copies, contradictions,
noise, answers in another style, questions on unrelated topics, two samples of the eval set and
a sample whose text is hostile markup. The analyses are the real ones, lexical (no model):
duplicates, conflicts, style drift, expression stability, coverage, focus, noise and eval
contamination. `with_measures` adds a measure of a shape no renderer knows: the report must show
whatever measures exist.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from datatenet.analysis.base import AnalysisConfig
from datatenet.analysis.corpus import items
from datatenet.analysis.measures import Measure
from datatenet.analysis.registry import parse_checks
from datatenet.analysis.run import analyse_change
from datatenet.demo.corpus import DATA_DIR
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_file, load_files
from datatenet.gates import DEFAULT_GATES, parse_gates
from datatenet.report.document import report_document
from datatenet.report.json_report import diff_document
from datatenet.results.diff import DatasetResult, DiffResult

HOSTILE_PROMPT = (
    '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> '
    "[click me](javascript:window.__pwned=3) cc @octocat see #123 https://evil.example/x"
)
HOSTILE_ANSWER = '<a href="javascript:window.__pwned=4">open</a> <b>bold</b> & done'
CHECKS = "exact,near,conflicts,style,stability,coverage,focus,boundaries,noise,contamination"
STATEMENT = "Answer the questions users actually send."
# What the repository layer hands the analyses (repo/analyses.py): the statement of the change
# and the registered behaviours with their markers.
OPTIONS = {
    "reinforces": (STATEMENT,),
    "behaviours": {
        "numbered-steps": {"statement": "Answer with numbered steps.", "marker": "(?m)^1\\. "},
        "refunds": {"statement": "Explain the refund policy.", "marker": "(?i)refund"},
    },
}


def records(name: str) -> list[dict[str, Any]]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def chat(prompt: str, answer: str) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": answer},
        ]
    }


def write_pair(directory: Path, extra: int = 0) -> tuple[Path, Path]:
    """base.jsonl and head.jsonl: head = base + every later batch of the demo, a hostile pair
    and `extra` exact copies (to make long lists)."""
    base = records("support.jsonl")
    added = [*records("duplicates.jsonl"), *records("logs.jsonl")]
    added += [chat(HOSTILE_PROMPT, HOSTILE_ANSWER), chat(HOSTILE_PROMPT, HOSTILE_ANSWER)]
    added += [*records("friendly.jsonl"), *records("misc.jsonl")]
    added += [dict(base[i % len(base)], copy=i) for i in range(extra)]
    paths = directory / "base.jsonl", directory / "head.jsonl"
    for path, rows in zip(paths, (base, base + added), strict=True):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return paths


def diff_of(base: Path, head: Path, checks: str = CHECKS) -> dict[str, Any]:
    old, new = load_files([base, head], LoadOptions())
    changeset = diff_versions(old, new)
    held_out = load_file(DATA_DIR / "eval.jsonl", LoadOptions())
    evals = items(held_out, range(len(held_out.entries)))
    config = AnalysisConfig(parse_checks(checks), options=OPTIONS)
    analysis = analyse_change(changeset, config, evals)
    return diff_document(DiffResult((DatasetResult(changeset, analysis),)))


def with_measures(diff: Mapping[str, Any]) -> dict[str, Any]:
    """The diff with a measure of a shape no renderer knows."""
    novel = Measure(
        "novel_measure",
        7,
        ("head.jsonl:3: why",),
        "a measure no section knows",
        {"rows": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}], "ratio": 0.5},
    )
    document = json.loads(json.dumps(diff))
    document["datasets"][0]["measures"].append(novel.to_json())
    return document


def report_of(diff: Mapping[str, Any]) -> dict[str, Any]:
    return report_document(
        diff,
        gates=parse_gates(DEFAULT_GATES),
        statement={"statement": STATEMENT, "accepted": True},
    )
