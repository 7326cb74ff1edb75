"""The cost of the report: 1,000 samples added to a 100,000-sample dataset.

Two versions of a support dataset are written to bench/_work/report/ (the base: 100,000
distinct samples made from the demo's questions and answers; the head: the base plus 1,000
samples, of which 100 copy existing ones exactly or nearly). Measured, in this process:
  - the diff and its analysis (exact, near, conflicts), for reference;
  - the report on top of them: the report document, the view model, the HTML, the Markdown,
    the metrics and the JSON document, each timed;
  - the size of the HTML, here and for a change whose 1,000 samples are all copies.
Targets: the report adds at most 2 s to the analysis; the HTML stays under 5 MB.

Usage: python bench/report_bench.py [--existing 100000] [--new 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson

from datatenet.analysis.base import AnalysisConfig
from datatenet.analysis.registry import parse_checks
from datatenet.analysis.run import analyse_change
from datatenet.demo.corpus import build
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_files
from datatenet.gates import DEFAULT_GATES, parse_gates
from datatenet.report.document import report_document
from datatenet.report.html import render_html
from datatenet.report.json_report import diff_document
from datatenet.report.markdown import render_markdown
from datatenet.report.metrics import metrics_json
from datatenet.report.view import build_view
from datatenet.results.diff import DatasetResult, DiffResult

WORK = Path(__file__).resolve().parent / "_work" / "report"
T = TypeVar("T")


def timed(label: str, work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - start
    print(f"  {label:<28} {elapsed:7.2f} s")
    return result, elapsed


def samples(count: int, start: int, rng: random.Random) -> list[dict[str, Any]]:
    """Distinct samples: the demo's pairs, each made unique by a ticket and a detail."""
    pool = [r for rows in build().values() for r in rows if r["messages"][2]["content"]]
    out = []
    for i in range(start, start + count):
        record = json.loads(json.dumps(rng.choice(pool)))
        record["messages"][1]["content"] += f" (ticket {i}, account {rng.randrange(10**9)})"
        record["messages"][2]["content"] += f"\n\nReference: case {i}-{rng.randrange(10**6)}."
        out.append(record)
    return out


def write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))


def run(base_path: Path, head_path: Path, label: str) -> None:
    print(label)
    (old, new), _ = timed(
        "load both versions", lambda: load_files([base_path, head_path], LoadOptions())
    )
    changeset, _ = timed("diff", lambda: diff_versions(old, new))
    config = AnalysisConfig(parse_checks("exact,near,conflicts"))
    analysis, analysed = timed("analysis", lambda: analyse_change(changeset, config))
    steps: list[float] = []
    result = DiffResult((DatasetResult(changeset, analysis),))
    diff, t = timed("JSON document", lambda: diff_document(result))
    steps.append(t)
    document, t = timed(
        "report document + gates", lambda: report_document(diff, gates=parse_gates(DEFAULT_GATES))
    )
    steps.append(t)
    view, t = timed("view model", lambda: build_view(document))
    steps.append(t)
    page, t = timed("HTML", lambda: render_html(view))
    steps.append(t)
    _, t = timed("Markdown", lambda: render_markdown(view))
    steps.append(t)
    _, t = timed("metrics", lambda: metrics_json(view))
    steps.append(t)
    _, t = timed("JSON file", lambda: orjson.dumps(document))
    steps.append(t)
    print(f"  findings {view.finding_total:,}; HTML {len(page.encode()) / 1e6:.2f} MB")
    print(f"  report adds {sum(steps):.2f} s to the analysis ({analysed:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1_000)
    args = parser.parse_args()
    rng = random.Random(7)
    WORK.mkdir(parents=True, exist_ok=True)
    base = samples(args.existing, 0, rng)
    copies = [dict(r) for r in rng.sample(base, args.new // 10)]
    for record in copies[: len(copies) // 2]:
        record["messages"] = [dict(m) for m in record["messages"]]
        record["messages"][2]["content"] = record["messages"][2]["content"].replace(".", "!", 1)
    added = samples(args.new - len(copies), args.existing, rng) + copies
    write(WORK / "base.jsonl", base)
    write(WORK / "head.jsonl", base + added)
    write(WORK / "head_copies.jsonl", base + rng.sample(base, args.new))
    run(WORK / "base.jsonl", WORK / "head.jsonl", f"{args.new:,} added to {args.existing:,}")
    run(WORK / "base.jsonl", WORK / "head_copies.jsonl", f"{args.new:,} copies added")


if __name__ == "__main__":
    main()
