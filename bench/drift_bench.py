"""Drift benchmarks. Prints figures, asserts nothing.

(a) style descriptors: `style.describe` over 20,000 real answers (the Alpaca English and
    Chinese demo answers, ten times over), samples/s and MB/s; target >= 20,000 samples/s;
(b) a 1,000-sample change to a 20,000-sample dataset with embeddings cached: the descriptors of
    both sides, `drift.style_drift`, `coverage.coverage_shift` and `focus.focus`, as the
    analyzers run them; target <= 10 s. The vectors stand for cached embeddings: the real
    model's vectors of the 2,000 distinct Alpaca prompts (embedded once into
    bench/_work/embeddings: the first run takes minutes), each repeated ten times with a little
    noise (sigma 0.02, renormalised), so the dataset has the cluster structure of real data;
(c) the same change through the analyzers (`registry.analyse`) without a model: topics and
    similar prompts on lexical vectors (TF-IDF of character n-grams and SVD) computed in the run.

Run: .venv/bin/python bench/drift_bench.py [--only a,b,c] [--dataset N] [--change N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from datatenet.analysis.base import AnalysisConfig  # noqa: E402
from datatenet.analysis.corpus import Corpus, Item, corpus_of_version  # noqa: E402
from datatenet.analysis.coverage import coverage_shift  # noqa: E402
from datatenet.analysis.drift import style_drift  # noqa: E402
from datatenet.analysis.focus import focus  # noqa: E402
from datatenet.analysis.registry import analyse, parse_checks  # noqa: E402
from datatenet.analysis.style import describe  # noqa: E402
from datatenet.formats.load import LoadOptions, load_file  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
WORK = ROOT / "bench" / "_work"
FILES = ("llama_factory/alpaca_en_demo.json", "llama_factory/alpaca_zh_demo.json")


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def real_items() -> list[Item]:
    out: list[Item] = []
    for name in FILES:
        out += corpus_of_version(load_file(DATA / name, LoadOptions())).new
    return out


def scaled(items: list[Item], size: int) -> list[Item]:
    """`size` items cycling through the real ones (ids made distinct)."""
    from dataclasses import replace

    return [
        replace(items[i % len(items)], sample_id=f"s{i}", prompt_id=f"p{i}", origin=f"d:{i + 1}")
        for i in range(size)
    ]


def bench_descriptors(items: list[Item], size: int) -> None:
    texts = [item.response for item in scaled(items, size)]
    describe(texts[:100])  # builds the character table once
    runs = []
    for _ in range(3):
        cpu = time.process_time()
        wall, _ = timed(lambda: describe(texts))
        runs.append((wall, time.process_time() - cpu))
    best, cpu_seconds = min(runs)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    print(
        f"(a) descriptors: {size:,} answers ({megabytes:.1f} MB) in {best:.2f} s: "
        f"{size / best:,.0f} samples/s, {megabytes / best:.1f} MB/s; CPU time {cpu_seconds:.2f} s "
        f"({size / cpu_seconds:,.0f} samples per CPU second) (target >= 20,000 samples/s)"
    )


def model_vectors(items: list[Item]) -> np.ndarray:
    from datatenet.embeddings.cache import CachedEmbedder
    from datatenet.embeddings.st import SentenceTransformerEmbedder

    with CachedEmbedder(SentenceTransformerEmbedder(), WORK / "embeddings") as embedder:
        return np.asarray(embedder.embed([item.prompt for item in items]))


def bench_change(items: list[Item], dataset: int, change: int) -> None:
    base_vectors = model_vectors(items)
    rng = np.random.default_rng(0)
    total = dataset + change
    order = rng.permutation(total)
    vectors = base_vectors[order % len(items)] + rng.normal(0, 0.02, (total, base_vectors.shape[1]))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    every = [items[i % len(items)] for i in order]
    old, new = every[:dataset], every[dataset:]
    old_vectors, new_vectors = vectors[:dataset], vectors[dataset:]
    empty = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    steps: dict[str, float] = {}

    def run() -> None:
        t, (d_old, d_new) = timed(
            lambda: (describe([i.response for i in old]), describe([i.response for i in new]))
        )
        steps["descriptors"] = t
        t, _ = timed(
            lambda: style_drift(
                [i.response for i in old],
                [i.response for i in new],
                base_descriptors=d_old,
                head_descriptors=d_new,
            )
        )
        steps["style drift"] = t
        prompts = {
            "existing": [i.prompt for i in old],
            "removed": [],
            "new": [i.prompt for i in new],
        }
        t, found = timed(lambda: coverage_shift(old_vectors, empty, new_vectors, prompts))
        steps["coverage"] = t
        assert found is not None
        t, _ = timed(lambda: focus(found.new_labels, found.base_labels, len(found.topics)))
        steps["focus"] = t

    cpu = time.process_time()
    total_time, _ = timed(run)
    cpu_seconds = time.process_time() - cpu
    parts = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in steps.items())
    print(
        f"(b) {change:,} new against {dataset:,} samples, vectors cached: {total_time:.2f} s, "
        f"CPU time {cpu_seconds:.2f} s ({parts}; target <= 10 s)"
    )


def bench_lexical(items: list[Item], dataset: int, change: int) -> None:
    every = scaled(items, dataset + change)
    order = np.random.default_rng(0).permutation(len(every))  # the change: a random batch
    every = [every[i] for i in order]
    corpus = Corpus(tuple(every[dataset:]), tuple(every[:dataset]))
    config = AnalysisConfig(parse_checks("style,coverage,focus"))
    seconds, result = timed(lambda: analyse(corpus, config))
    names = ", ".join(f"{m.name}={m.value:.3f}" for m in result.measures)  # type: ignore[attr-defined]
    print(f"(c) the analyzers without a model (lexical vectors): {seconds:.2f} s ({names})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="a,b,c")
    parser.add_argument("--dataset", type=int, default=20_000)
    parser.add_argument("--change", type=int, default=1_000)
    args = parser.parse_args()
    only = set(args.only.split(","))
    items = real_items()
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if "a" in only:
        bench_descriptors(items, 20_000)
    if "b" in only:
        bench_change(items, args.dataset, args.change)
    if "c" in only:
        bench_lexical(items, args.dataset, args.change)


if __name__ == "__main__":
    main()
