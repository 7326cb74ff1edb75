"""The lexical pair analysis (exact, near, conflicts) of a 200-sample change to a 20,000-sample
dataset, warm: the hook's budget is 1 s.

The dataset is bench/dup_e2e_bench.py's (real Alpaca en/zh, ShareGPT zh and GSM8K prompts and
answers, each with a real context sentence), written as two JSONL versions: the base, and the
head with 200 new samples appended, 20 of them planted (near copies, minimal contradictions,
restyles) so that the judging has work to do. The versions are loaded and diffed once; then the
analysis runs cold (MinHash cache empty) and warm (the existing samples' signatures cached), and
the warm run is timed several times (median printed).

Usage: python bench/judgement_speed.py [--existing 20000] [--new 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

from datatenet.analysis.base import AnalysisConfig  # noqa: E402
from datatenet.analysis.corpus import corpus_of_change  # noqa: E402
from datatenet.analysis.registry import analyse  # noqa: E402
from datatenet.diff import diff_versions  # noqa: E402
from datatenet.formats.load import LoadOptions, load_file  # noqa: E402
from dup_e2e_bench import samples  # noqa: E402

LEXICAL = frozenset({"exact", "near", "conflicts"})


def planted(rows: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    """Copies of existing rows: a word changed, the last number changed, a short restyle."""
    out = []
    for number, row in enumerate(rows[:count]):
        kind = number % 3
        if kind == 0:
            out.append({**row, "output": row["output"].replace(" the ", " a ", 1) + " Indeed."})
        elif kind == 1:
            out.append({**row, "output": row["output"] + " The answer is 12345."})
        else:
            out.append({**row, "output": row["output"][:40]})
    return out


def forget() -> None:
    """Empty the in-process memos of the pair analysis (tokens, numbers, decisive content)."""
    from datatenet.analysis import decisive, wording

    decisive.decision.cache_clear()
    wording.number_value.cache_clear()
    wording._tokens.cache_clear()


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = samples(args.existing + args.new, seed=3)
    base_rows = rows[: args.existing]
    plants = planted(base_rows[::997], min(20, args.new))
    new_rows = rows[args.existing : args.existing + args.new - len(plants)] + plants
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        base = load_file(write(directory / "base.jsonl", base_rows), LoadOptions())
        head = load_file(write(directory / "head.jsonl", base_rows + new_rows), LoadOptions())
        corpus = corpus_of_change(diff_versions(base, head))
        config = AnalysisConfig(LEXICAL, cache_dir=directory / "cache")
        start = time.perf_counter()
        cold = analyse(corpus, config)
        cold_s = time.perf_counter() - start
        times = []
        for _ in range(args.repeat):
            forget()  # as a fresh process (a hook) would: only the disk cache is warm
            start = time.perf_counter()
            warm = analyse(corpus, config)
            times.append(time.perf_counter() - start)
    same = [f.to_json() for f in warm.findings] == [f.to_json() for f in cold.findings]
    kinds: dict[str, int] = {}
    for finding in warm.findings:
        kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
    print(f"{len(corpus.new)} new samples against {len(corpus.existing)} existing")
    print(f"findings: {kinds}" + ("" if same else " (warm and cold runs differ!)"))
    print(
        f"lexical pair analysis: cold {cold_s:.2f} s, warm median {statistics.median(times):.3f} s"
    )
    print(f"(warm runs: {', '.join(f'{t:.3f}' for t in times)}; target <= 1 s)")


if __name__ == "__main__":
    main()
