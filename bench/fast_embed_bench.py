"""The cold semantic run: today's path, the confirming model alone, and the cascade.

The dataset is the one of bench/dup_e2e_bench.py (real prompts and answers from ../shared/data,
each prompt given a context line from another sample): `--samples` of it, in one JSONL file.
Every measurement is a fresh process timed end to end (interpreter, imports, model load), with
an empty vector cache, running the analyses as `datatenet scan --checks semantic` does
(analysis/registry.py) with the models under the user cache (XDG_CACHE_HOME in bench/_work):

1. one-time costs: exporting the model to ONNX and distilling the static model (into a fresh
   directory; later runs find them under the user's cache);
2. today's path: `datatenet scan --checks semantic` (sentence-transformers, every text) on the
   first `--slice` samples, extrapolated to `--samples` in proportion to the distinct texts
   (the search is a small part), said so in the output;
3. the confirming model alone (every text: `semantic_mode = "exact"`), on the same slice,
   extrapolated the same way: in float32 (ONNX Runtime, `model_precision = "fp32"`) and at the
   default precision (bfloat16 through OpenVINO where the CPU computes it natively);
4. the cascade on the whole dataset (`semantic_mode = "cascade"`, analysis/pair_model.py):
   static stage, candidate search, the model on the texts of the pairs left open only;
5. with `--equivalence N`: every check on the first N samples, through the model alone and
   through the cascade; the findings the cascade misses (or adds), which should be none;
6. a change of `--new` unseen samples against the whole dataset, its texts cached by step 4:
   the cold path of a commit hook, model load included (target 10 s).

The dataset's context lines carry the sample's number ("Context (17): ..."), so that no two
prompts are equal; then any two prompts give other numbers, which makes them never the same
question, and the cascade settles every pair without the model. `--unnumbered` leaves the
numbers out: the same question comes back with another context and the same answer, which
the model must read (4,000 findings at 20,000 samples).

Usage: python bench/fast_embed_bench.py [--samples 20000] [--slice 2000] [--new 200]
       [--before-src ../main/src] [--models ~/.cache/datatenet/models] [--skip-today]
       [--unnumbered] [--equivalence N]
The machine is shared: figures are provisional; rerun in a quiet period.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work" / "fast_embed"
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

RUN = """
import json, sys, time
start = time.perf_counter()
from pathlib import Path
from datatenet.analysis.base import AnalysisConfig
from datatenet.analysis.corpus import Corpus, corpus_of_version
from datatenet.analysis.registry import analyse
from datatenet.formats.load import LoadOptions, load_file
mode, data, old, cache, precision = sys.argv[1:6]
new = corpus_of_version(load_file(Path(data), LoadOptions())).new
existing = corpus_of_version(load_file(Path(old), LoadOptions())).new if old != "-" else ()
config = AnalysisConfig(
    frozenset({"semantic"}),
    cache_dir=Path(cache),
    semantic_mode=mode,
    model_precision=precision,
    quiet=True,
)
analysis = analyse(Corpus(new, existing), config)
heavy = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
print(json.dumps({
    "seconds": time.perf_counter() - start, "findings": len(analysis.findings),
    "runtime": list(analysis.runtime), "notes": list(analysis.notes), "heavy": heavy,
}))
"""

EQUIVALENCE = """
import json, sys
from pathlib import Path
from datatenet.analysis.base import CHECKS, AnalysisConfig
from datatenet.analysis.corpus import Corpus, corpus_of_version
from datatenet.analysis.registry import analyse
from datatenet.formats.load import LoadOptions, load_file
data, cache = Path(sys.argv[1]), Path(sys.argv[2])
new = corpus_of_version(load_file(data, LoadOptions())).new
found = {}
for mode in ("exact", "cascade"):  # the cascade finds the model alone's vectors in the cache
    config = AnalysisConfig(frozenset(CHECKS), cache_dir=cache, semantic_mode=mode, quiet=True)
    findings = analyse(Corpus(new, ()), config).findings
    found[mode] = {json.dumps(f.to_json(), sort_keys=True) for f in findings}
missed = [json.loads(f) for f in found["exact"] - found["cascade"]]
print(json.dumps({
    "exact": len(found["exact"]), "cascade": len(found["cascade"]),
    "missed": len(missed), "extra": len(found["cascade"] - found["exact"]),
    "missed_kinds": sorted(f["kind"] for f in missed),
}))
"""

ONE_TIME = """
import sys, time
from pathlib import Path
from datatenet.progress import QUIET
from datatenet.embeddings.runtime import ModelEmbedder
from datatenet.embeddings.static import StaticEmbedder
kind, models = sys.argv[1], Path(sys.argv[2])
start = time.perf_counter()
if kind == "export":
    model = ModelEmbedder(artifacts=models, runtime="onnx", progress=QUIET)
    model.embed(["export"])
    assert model.note == "", model.note
else:
    StaticEmbedder(artifacts=models, progress=QUIET).load()
print(time.perf_counter() - start)
"""


def write_dataset(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def distinct_texts(rows: list[dict[str, Any]]) -> int:
    return len({text for row in rows for text in (row["instruction"], row["output"])})


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return seconds, done.stdout


def harness(
    mode: str,
    data: Path,
    old: Path | None,
    env: dict[str, str],
    cache: Path | None = None,
    precision: str = "auto",
) -> dict[str, Any]:
    """One cold run of the analyses in a fresh process; `cache`: the vector cache to use (a
    new, empty one when None); `precision`: the config's `model_precision`."""
    cache = cache or Path(tempfile.mkdtemp(prefix="vectors-", dir=WORK))
    command = [sys.executable, "-c", RUN, mode, str(data), str(old or "-"), str(cache), precision]
    seconds, out = timed(command, env, WORK)
    report: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    report["wall"] = seconds
    report["cache"] = cache
    return report


def ran(report: dict[str, Any]) -> str:
    return "; ".join(report["runtime"]) + f"; model stack imported: {report['heavy'] or 'none'}"


def main() -> None:
    from dup_e2e_bench import samples

    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--slice", type=int, default=2_000)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--skip-today", action="store_true", help="skip step 2 (slow)")
    parser.add_argument(
        "--equivalence",
        type=int,
        metavar="N",
        help="also compare the findings of the cascade and the model alone on the first N"
        " samples, every check on (the model alone embeds every text: slow)",
    )
    parser.add_argument(
        "--unnumbered",
        action="store_true",
        help="context lines without the sample's number: otherwise any two prompts give other"
        " numbers, so no two are ever the same question and the cascade settles every pair"
        " without the model",
    )
    parser.add_argument(
        "--models", type=Path, help="an export and distillation made before: skip step 1"
    )
    parser.add_argument(
        "--before-src",
        type=Path,
        default=ROOT / "src",
        help="the source tree of today's path (e.g. ../main/src before this change is merged)",
    )
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    env = dict(os.environ, HF_HUB_OFFLINE="1", XDG_CACHE_HOME=str(WORK / "xdg"))
    env["PYTHONPATH"] = str(ROOT / "src")
    rows = samples(args.samples + args.new, seed=1)
    if args.unnumbered:
        for row in rows:
            row["instruction"] = re.sub(r"\nContext \(\d+\): ", "\nContext: ", row["instruction"])
    data, part, change = WORK / "train.jsonl", WORK / "slice.jsonl", WORK / "new.jsonl"
    write_dataset(data, rows[: args.samples])
    write_dataset(part, rows[: args.slice])
    write_dataset(
        change, [dict(r, instruction=f"{r['instruction']} (v2)") for r in rows[args.samples :]]
    )
    # the work grows with the distinct texts (the dataset repeats answers), not the samples
    scale = distinct_texts(rows[: args.samples]) / distinct_texts(rows[: args.slice])
    numbered = "unnumbered" if args.unnumbered else "numbered"
    print(
        f"dataset: {args.samples:,} samples ({2 * args.samples:,} texts) from ../shared/data,"
        f" {numbered} context lines"
    )
    models = WORK / "xdg" / "datatenet" / "models"
    if args.models:
        models.parent.mkdir(parents=True)
        models.symlink_to(args.models.expanduser().resolve())
    for kind in () if args.models else ("export", "distill"):
        seconds, _ = timed([sys.executable, "-c", ONE_TIME, kind, str(models)], env, WORK)
        print(f"one-time {kind}: {seconds:.1f} s (fresh process, imports included)")
    if not args.skip_today:
        # outside any git repository: inside one, `scan` would use its (warm) vector cache
        outside = Path(tempfile.mkdtemp(prefix="fast-embed-"))
        shutil.copy(part, outside / part.name)
        before = dict(env, PYTHONPATH=str(args.before_src.resolve()))
        seconds, _ = timed(
            [sys.executable, "-m", "datatenet", "scan", part.name, "--checks", "semantic"],
            before,
            outside,
        )
        shutil.rmtree(outside)
        print(
            f"today's path (sentence-transformers, every text), {args.slice:,} samples: "
            f"{seconds:.1f} s; extrapolated to {args.samples:,}: {seconds * scale:.0f} s"
        )
    for precision in ("fp32", "auto"):
        alone = harness("exact", part, None, env, precision=precision)
        print(
            f"model alone ({precision}), {args.slice:,} samples: {alone['wall']:.1f} s; "
            f"extrapolated to {args.samples:,}: {alone['wall'] * scale:.0f} s\n  {ran(alone)}"
        )
    full = harness("cascade", data, None, env)
    print(
        f"cascade, {args.samples:,} samples: {full['wall']:.1f} s; {full['findings']} findings"
        f"\n  {ran(full)}"
    )
    if args.equivalence:
        part = WORK / "equivalence.jsonl"
        write_dataset(part, rows[: args.equivalence])
        cache = Path(tempfile.mkdtemp(prefix="vectors-", dir=WORK))
        _, out = timed([sys.executable, "-c", EQUIVALENCE, str(part), str(cache)], env, WORK)
        same = json.loads(out.strip().splitlines()[-1])
        print(
            f"equivalence, {args.equivalence:,} samples, every check: the model alone "
            f"{same['exact']} findings, the cascade {same['cascade']}; missed by the cascade "
            f"{same['missed']} {same['missed_kinds']}, found by it only {same['extra']}"
        )
    # the change: new samples against the dataset, whose texts the cascade run cached
    change_run = harness("cascade", change, data, env, full["cache"])
    print(
        f"change of {args.new} new samples against {args.samples:,} cached: "
        f"{change_run['wall']:.1f} s end to end (target 10 s); {change_run['findings']} findings"
        f"\n  {ran(change_run)}"
    )


if __name__ == "__main__":
    main()
