"""Semantic tier benchmarks: search, cache, embedding throughput.

(a) all pairs above 0.95 among n = 5,000 real texts, on the same embeddings, three ways: the
    recipe fine-tuning guides give (sentence-transformers `util.cos_sim`, then a Python double
    loop over `scores[i][j] > threshold`); the strongest ordinary way (`util.cos_sim`, then
    `torch.triu` and `torch.nonzero`, vectorised); and `search.pairs_above`. All three must
    find the same pairs, and some (--guide-rows N runs the loop over the first N rows only and
    extrapolates its time; the pairs are compared over those rows);
(b) `best_matches` (one view, and two: prompt and answer) and `top_k` (k=1, k=10) against the
    matrix-multiply floor (the product they need at the best rate numpy reaches in each round):
    1,000 new against 100,000 existing random unit vectors (nothing reaches the threshold: the
    pure cost of the search), then 1,000 new against the other real samples, prompt and answer
    embedded by the default model (the threshold path and the second view at work, at the
    semantic default). Each result is checked against brute force;
(c) cached lookups through `CachedEmbedder`, vectors/s;
(d) uncached embedding throughput of the backend against a bare `model.encode` on the same 300
    real texts (the vectors must agree).

The real texts are prompts and answers of the English files in ../shared/data; their
embeddings are cached in bench/_work/embeddings (the first run embeds them: a few minutes).
Every time is the median (min-max) of --rounds interleaved runs; a failed cross-check exits 1.

Run: .venv/bin/python bench/semantic_bench.py [--only a,b,c,d] [--rounds 10] [--guide-rows N]
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from datatenet.analysis.corpus import corpus_of_version  # noqa: E402
from datatenet.analysis.thresholds import Thresholds  # noqa: E402
from datatenet.embeddings.cache import FILENAME, CachedEmbedder  # noqa: E402
from datatenet.embeddings.search import Matches, best_matches, pairs_above, top_k  # noqa: E402
from datatenet.embeddings.st import SentenceTransformerEmbedder  # noqa: E402
from datatenet.formats.load import LoadOptions, load_file  # noqa: E402
from spread import Spread, cross_check, interleaved, ratio, timed  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
Vectors = npt.NDArray[np.float32]
WORK = ROOT / "bench" / "_work"
ENGLISH = [
    "llama_factory/alpaca_en_demo.json",
    "msft_foundry_samples/text_gsm8k/chat_train.jsonl",
    "llama_factory/kto_en_demo.json",
    "llama_factory/dpo_en_demo.json",
    "llama_factory/glaive_toolcall_en_demo.json",
    "msft_foundry_samples/orca_dpo_pairs/validation.jsonl",
    "llama_factory/identity.json",
    "msft_foundry_samples/text_gsm8k/chat_validation.jsonl",
    "msft_foundry_samples/tool_calling/stock_toolcall_training.jsonl",
]


def real_texts(limit: int) -> list[str]:
    seen: dict[str, None] = {}
    for name in ENGLISH:
        for item in corpus_of_version(load_file(DATA / name, LoadOptions())).new:
            seen.setdefault(item.prompt)
            seen.setdefault(item.response)
    return [text for text in seen if text.strip()][:limit]


def bench_guide(rows: int | None, rounds: int, loop_rounds: int) -> None:
    """All pairs above 0.95 among 5,000 real texts, three ways, on the same embeddings."""
    n, threshold = 5000, 0.95
    texts = real_texts(n)
    embedder = CachedEmbedder(SentenceTransformerEmbedder(), WORK / "embeddings")
    start = time.perf_counter()
    vectors = embedder.embed(texts)
    print(
        f"(a) {len(texts)} real texts embedded in {time.perf_counter() - start:.2f} s "
        f"({embedder.hits} cached, {embedder.misses} embedded); all pairs above {threshold}"
    )
    import torch
    from sentence_transformers import util

    tensor = torch.from_numpy(vectors)
    visited = len(texts) if rows is None else rows

    def guide() -> list[tuple[int, int]]:
        """The recipe of fine-tuning guides (and of the seed): `util.cos_sim`, then a Python
        double loop indexing the score tensor."""
        scores = util.cos_sim(tensor, tensor)
        found = []
        for i in range(visited):
            for j in range(i + 1, len(scores)):
                if scores[i][j] > threshold:
                    found.append((i, j))
        return found

    def vectorised() -> list[tuple[int, int]]:
        """The strongest ordinary way: `util.cos_sim`, upper triangle, `nonzero`."""
        scores = util.cos_sim(tensor, tensor)
        pairs = torch.nonzero(torch.triu(scores, diagonal=1) > threshold)
        return [(int(i), int(j)) for i, j in pairs.tolist()]

    def ours() -> list[tuple[int, int]]:
        later, earlier, scores = pairs_above(vectors, None, threshold)
        keep = scores > threshold  # the same rule (> threshold, not >=)
        return sorted(zip(earlier[keep].tolist(), later[keep].tolist(), strict=True))

    loop, found = timed(guide, loop_rounds)
    times, results = interleaved({"vectorised": vectorised, "pairs_above": ours}, rounds)
    if rows is not None:  # a double loop over the first rows only: extrapolate by pairs visited
        share = sum(n - 1 - i for i in range(rows)) / (n * (n - 1) / 2)
        loop = Spread(tuple(t / share for t in loop.values))
    label = "" if rows is None else f" (first {rows} rows, extrapolated to all)"
    print(f"    guide recipe, cos_sim + Python double loop{label}: {loop.show()}")
    print(f"    cos_sim + triu + nonzero (vectorised torch): {times['vectorised'].ms()}")
    print(f"    datatenet pairs_above: {times['pairs_above'].ms()}")
    over_loop = ratio(loop, times["pairs_above"]).times()
    print(f"    speed-up of pairs_above over the double loop: {over_loop}")
    print(
        "    speed-up of pairs_above over the vectorised torch: "
        f"{ratio(times['vectorised'], times['pairs_above']).times()}"
    )
    ours_pairs = results["pairs_above"]
    compared = [(i, j) for i, j in ours_pairs if i < visited]
    cross_check(
        sorted(found) == compared and len(compared) > 0,
        f"the double loop finds the same {len(compared)} pairs in the rows it visits",
        sorted(set(found) ^ set(compared)),
    )
    cross_check(
        results["vectorised"] == ours_pairs and len(ours_pairs) > 0,
        f"the vectorised torch finds the same {len(ours_pairs)} pairs",
        sorted(set(results["vectorised"]) ^ set(ours_pairs)),
    )


def agree_best(
    queries: Sequence[Vectors],
    base: Sequence[Vectors],
    threshold: float,
    found: Matches,
    some: bool,
) -> int:
    """Brute force: the best base row by the minimum over the views, at or above the threshold
    (ties to the lowest row). Returns the number of matches; exits when `found` disagrees
    (beyond float rounding: scores within 1e-5 of the threshold or of each other), or when
    there are none and `some` says there must be."""
    joint = np.minimum.reduce([q @ b.T for q, b in zip(queries, base, strict=True)])
    best = joint.argmax(axis=1)
    value = joint[np.arange(len(joint)), best]
    expected = np.where(value >= threshold, best, -1)
    borderline = np.abs(value - threshold) < 1e-5
    same_score = np.abs(joint[np.arange(len(joint)), np.maximum(found.index, 0)] - value) < 1e-5
    agree = (found.index == expected) | borderline | ((found.index >= 0) & same_score)
    matched = int((expected >= 0).sum())
    cross_check(
        bool(agree.all()) and (matched > 0 or not some),
        f"brute force finds the same best matches ({matched} queries matched)",
        [f"query {q}: {found.index[q]} vs {expected[q]}" for q in np.flatnonzero(~agree)],
    )
    return matched


def agree_top_k(queries: Vectors, base: Vectors, k: int, found: tuple[Any, Any]) -> None:
    """Brute force top k scores (by sorting the full score matrix) equal to ours."""
    expected = -np.sort(-(queries @ base.T), axis=1)[:, :k]
    cross_check(
        bool(np.allclose(found[1], expected, atol=1e-5)),
        f"brute force gives the same top-{k} scores for all {len(queries):,} queries",
    )


def bench_search(
    label: str,
    new: list[Vectors],
    existing: list[Vectors],
    threshold: float,
    rounds: int,
    real: bool,
) -> None:
    """`best_matches` (one view, then two) and `top_k` (k=1, k=10) against the floor: the
    matrix multiply of the first view, at the best rate numpy reaches in this round. On
    random vectors nothing reaches the threshold; on real ones matches must be found."""
    one, base = new[0], existing[0]
    nq, nb, dimensions = len(one), len(base), one.shape[1]
    blocked_out = np.empty((nq, 8192), dtype=np.float32)

    def blocked() -> None:
        for c0 in range(0, nb, 8192):
            part = base[c0 : c0 + 8192]
            np.matmul(one, part.T, out=blocked_out[:, : len(part)])

    cases: dict[str, Callable[[], Any]] = {
        "matmul in one product": lambda: one @ base.T,
        "matmul in column blocks": blocked,
        f"best_matches, 1 view, threshold {threshold}": lambda: best_matches(
            [one], [base], threshold
        ),
        "top_k k=1": lambda: top_k(one, base, 1),
        "top_k k=10": lambda: top_k(one, base, 10),
        "best_matches, 2 views (the 2nd scored only where the 1st reaches the threshold)": (
            lambda: best_matches(new, existing, threshold)
        ),
    }
    times, results = interleaved(cases, rounds)
    floors = [min(a, b) for a, b in zip(*(times[m].values for m in list(cases)[:2]), strict=True)]
    floor = Spread(tuple(floors))
    flops = 2 * nq * nb * dimensions
    print(
        f"(b) {label}: {nq:,} new x {nb:,} existing x {dimensions} dimensions; matmul floor "
        f"{floor.show()} ({flops / floor.median / 1e9:.0f} GFLOP/s, the faster of one product "
        "and column blocks in each round)"
    )
    for name in list(cases)[2:]:
        share = ratio(times[name], floor).times()
        print(f"    {name}: {times[name].show(digits=3)} = {share} the floor")
    matched = agree_best([one], [base], threshold, results[list(cases)[2]], real)
    both = agree_best(new, existing, threshold, results[list(cases)[-1]], real)
    agree_top_k(one, base, 10, results["top_k k=10"])
    print(f"    queries matched at {threshold}: {matched:,} in the first view, {both:,} in both")


def random_vectors() -> tuple[list[Vectors], list[Vectors]]:
    rng = np.random.default_rng(0)
    new = rng.standard_normal((1000, 384), dtype=np.float32)
    existing = rng.standard_normal((100_000, 384), dtype=np.float32)
    new /= np.linalg.norm(new, axis=1, keepdims=True)
    existing /= np.linalg.norm(existing, axis=1, keepdims=True)
    return [new, np.ascontiguousarray(new[::-1])], [existing, np.ascontiguousarray(existing[::-1])]


def real_vectors() -> tuple[list[Vectors], list[Vectors]]:
    """The prompts and answers of every English sample of ../shared/data, embedded by the
    default model (cached in bench/_work/embeddings): 1,000 new, the rest existing."""
    items = [
        item
        for name in ENGLISH
        for item in corpus_of_version(load_file(DATA / name, LoadOptions())).new
    ]
    rng = np.random.default_rng(3)
    order = rng.permutation(len(items))
    embedder = CachedEmbedder(SentenceTransformerEmbedder(), WORK / "embeddings")
    prompts = embedder.embed([items[i].prompt for i in order])
    answers = embedder.embed([items[i].response for i in order])
    return [prompts[:1000], answers[:1000]], [prompts[1000:], answers[1000:]]


class Table:
    """A stand-in embedder that looks vectors up by the number in the text."""

    name = "bench-table|dim=384"

    def __init__(self, vectors: npt.NDArray[np.float32]) -> None:
        self.vectors = vectors

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self.vectors[[int(t.split(":", 1)[0].split()[1]) for t in texts]]


def bench_cache(rounds: int) -> None:
    rng = np.random.default_rng(1)
    for count in (20_000, 100_000):
        texts = [f"sample {i}: " + "lorem ipsum dolor sit amet " * 8 for i in range(count)]
        vectors = rng.standard_normal((count, 384), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        table = Table(vectors)
        directory = Path(tempfile.mkdtemp(prefix="dtn-cache-"))
        try:
            start = time.perf_counter()
            with CachedEmbedder(table, directory) as cold:
                cold.embed(texts)
            stored = time.perf_counter() - start
            took, _ = timed(functools.partial(warm_lookup, table, directory, texts), rounds)
            size = (directory / FILENAME).stat().st_size
        finally:
            shutil.rmtree(directory)
        rate = Spread(tuple(count / t for t in took.values))
        print(
            f"(c) {count:,} vectors: stored in {stored:.2f} s ({count / stored:,.0f}/s), "
            f"cached lookup {took.show(digits=3)} = {rate.show('vectors/s', digits=0)} "
            f"(a new CachedEmbedder each time; {size / count:.0f} bytes a vector on disk)"
        )


def warm_lookup(table: Table, directory: Path, texts: list[str]) -> None:
    with CachedEmbedder(table, directory) as embedder:
        embedder.embed(texts)
        assert embedder.misses == 0


def bench_embedding(rounds: int) -> None:
    texts = real_texts(300)
    backend = SentenceTransformerEmbedder()
    model = backend.load()
    model.encode(texts[:8])  # warm up

    def bare() -> Vectors:
        encoded: Vectors = model.encode(
            texts, batch_size=backend.batch_size, normalize_embeddings=True
        )
        return encoded

    def cached() -> Vectors:
        directory = Path(tempfile.mkdtemp(prefix="dtn-cold-"))
        try:
            with CachedEmbedder(backend, directory) as embedder:
                return embedder.embed(texts)
        finally:
            shutil.rmtree(directory)

    times, results = interleaved(
        {"bare": bare, "backend": lambda: backend.embed(texts), "cached": cached}, rounds
    )
    chars = sum(map(len, texts))
    print(
        f"(d) {len(texts)} real texts ({chars / len(texts):.0f} characters on average), "
        f"max_seq_length {backend.max_seq_length}:"
    )
    print(f"    bare model.encode: {times['bare'].show()}")
    for name, label in (("backend", "backend.embed"), ("cached", "through a cold cache")):
        print(
            f"    {label}: {times[name].show()} = {ratio(times['bare'], times[name]).times()} bare"
        )
    # the cache stores float16 (embeddings/cache.py): cosines to the bare vectors stay >= 0.9999
    cosines = np.einsum("ij,ij->i", results["cached"], results["bare"])
    cross_check(
        bool(
            np.allclose(results["backend"], results["bare"], atol=1e-5) and cosines.min() > 0.9999
        ),
        f"the same vectors (through the float16 cache: cosine >= {cosines.min():.5f})",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="a,b,c,d")
    parser.add_argument("--guide-rows", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds")
    parser.add_argument("--loop-rounds", type=int, default=3, help="runs of the double loop")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs; times: median (min-max) of the runs")
    if "b" in parts:
        new, existing = random_vectors()
        bench_search("random unit vectors", new, existing, 0.9, args.rounds, real=False)
        new, existing = real_vectors()
        threshold = Thresholds().semantic_duplicate
        bench_search("real embeddings", new, existing, threshold, args.rounds, real=True)
    if "c" in parts:
        bench_cache(max(3, args.rounds // 2))
    if "d" in parts:
        bench_embedding(max(3, args.rounds // 2))
    if "a" in parts:
        bench_guide(args.guide_rows, args.rounds, args.loop_rounds)


if __name__ == "__main__":
    main()
