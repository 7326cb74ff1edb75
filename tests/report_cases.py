"""Report documents for the renderer tests, made by the real diff and analyses of real files.

The base is the demo's support dataset; the head adds exact and near copies, contradictions and
a sample whose text is hostile markup. `with_measures` adds measures shaped as the style,
coverage, focus and contamination analyses report them (docs/report.md): those analyses arrive
separately, and the renderers must show whatever measures exist.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from datatenet.analysis.base import AnalysisConfig
from datatenet.analysis.measures import Measure
from datatenet.analysis.registry import parse_checks
from datatenet.analysis.run import analyse_change
from datatenet.demo.corpus import DATA_DIR
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_files
from datatenet.gates import DEFAULT_GATES, parse_gates
from datatenet.report.document import report_document
from datatenet.report.json_report import diff_document
from datatenet.results.diff import DatasetResult, DiffResult

HOSTILE_PROMPT = (
    '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> '
    "[click me](javascript:window.__pwned=3) cc @octocat see #123 https://evil.example/x"
)
HOSTILE_ANSWER = '<a href="javascript:window.__pwned=4">open</a> <b>bold</b> & done'


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
    """base.jsonl and head.jsonl: head = base + copies, contradictions, a hostile pair and
    `extra` exact copies (to make long lists)."""
    base = records("support.jsonl")
    added = [*records("duplicates.jsonl"), *records("logs.jsonl")]
    added += [chat(HOSTILE_PROMPT, HOSTILE_ANSWER), chat(HOSTILE_PROMPT, HOSTILE_ANSWER)]
    added += [dict(base[i % len(base)], copy=i) for i in range(extra)]
    paths = directory / "base.jsonl", directory / "head.jsonl"
    for path, rows in zip(paths, (base, base + added), strict=True):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return paths


def diff_of(base: Path, head: Path) -> dict[str, Any]:
    old, new = load_files([base, head], LoadOptions())
    changeset = diff_versions(old, new)
    config = AnalysisConfig(parse_checks("exact,near,conflicts"))
    return diff_document(DiffResult((DatasetResult(changeset, analyse_change(changeset, config)),)))


def with_measures(diff: Mapping[str, Any]) -> dict[str, Any]:
    """The diff with measures as the analyses still to come shape them."""
    extra = [
        Measure(
            "style_drift_auc",
            0.93,
            ("head.jsonl:190: restyled with headings and emoji",),
            "a classifier tells the new answers from the old ones (0.5: the same style)",
            {
                "distributions": [
                    {
                        "name": "answer words",
                        "base": [52, 60, 48, 75, 66, 58],
                        "head": [120, 140, 98, 160],
                        "effect": 1.4,
                        "p": 0.001,
                    },
                    {
                        "name": "emoji per answer",
                        "edges": [0, 1, 2, 3, 4],
                        "base": [40, 0, 0, 0],
                        "head": [2, 5, 9, 14],
                        "effect": 2.1,
                        "p": 0.0001,
                    },
                ],
                "characteristic": {
                    "base": [["steps", 0.8], ["open", 0.6]],
                    "head": [["great", 0.9], ["🎉", 0.7], [HOSTILE_PROMPT, 0.1]],
                },
                "examples": {
                    "base": [{"origin": "base.jsonl:1", "text": "You can export…"}],
                    "head": [{"origin": "head.jsonl:200", "text": HOSTILE_PROMPT}],
                },
            },
            "max",
        ),
        Measure(
            "coverage_shift",
            0.31,
            (),
            "Jensen-Shannon distance between the topic shares before and after",
            {
                "topics": [
                    {
                        "label": "export",
                        "keywords": ["pdf", "export"],
                        "base": 0.12,
                        "head": 0.10,
                        "examples": ["how do I export a note as a PDF"],
                    },
                    {
                        "label": "cooking",
                        "keywords": ["recipe", "buttermilk"],
                        "base": 0.0,
                        "head": 0.08,
                        "examples": ["What's a good substitute for buttermilk?"],
                    },
                ]
            },
            "max",
        ),
        Measure(
            "focus_entropy",
            0.82,
            (),
            "how evenly the new samples spread over the topics",
            {"by_topic": {"export": 3, "cooking": 2, "travel": 2}},
            "max",
        ),
        Measure("eval_contamination", 0, (), "eval samples copied into training"),
        Measure(
            "novel_measure",
            7,
            ("head.jsonl:3: why",),
            "a measure no section knows",
            {"rows": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}], "ratio": 0.5},
        ),
    ]
    document = json.loads(json.dumps(diff))
    document["datasets"][0]["measures"] += [m.to_json() for m in extra]
    return document


def report_of(diff: Mapping[str, Any]) -> dict[str, Any]:
    return report_document(
        diff,
        gates=parse_gates(DEFAULT_GATES),
        statement={"statement": "Answer the questions users actually send.", "accepted": True},
    )
