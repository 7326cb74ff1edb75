"""Semantic tier benchmarks: search, cache, embedding throughput. Prints figures, asserts nothing.

(a) all pairs above 0.95 among n = 5,000 real texts: the code fine-tuning guides recommend
    (sentence-transformers `util.cos_sim` over all texts, then a Python double loop over
    `scores[i][j] > threshold`) against `search.pairs_above`, on the same embeddings; the pairs
    found are compared;
(b) 1,000 new against 100,000 existing vectors (random, normalized, 384-d): `best_matches` and
    `top_k` against the matrix-multiply floor, 1,000 x 100,000 x 384 x 2 flops at the best rate
    numpy's matmul reaches in this run;
(c) cached lookups through `CachedEmbedder`, vectors/s;
(d) uncached embedding throughput of the backend against a bare `model.encode` on the same 300
    real texts.

The real texts are prompts and answers of the English demo files in ../shared/data; their
embeddings are cached in bench/_work/embeddings (the first run embeds them: a few minutes).

Run: .venv/bin/python bench/semantic_bench.py [--only a,b,c,d] [--guide-rows N]
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

import numpy as np
import numpy.typing as npt

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from datatenet.analysis.corpus import corpus_of_version  # noqa: E402
from datatenet.embeddings.cache import FILENAME, CachedEmbedder  # noqa: E402
from datatenet.embeddings.search import best_matches, pairs_above, top_k  # noqa: E402
from datatenet.embeddings.st import SentenceTransformerEmbedder  # noqa: E402
from datatenet.formats.load import LoadOptions, load_file  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
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


def best_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def real_texts(limit: int) -> list[str]:
    seen: dict[str, None] = {}
    for name in ENGLISH:
        for item in corpus_of_version(load_file(DATA / name, LoadOptions())).new:
            seen.setdefault(item.prompt)
            seen.setdefault(item.response)
    return [text for text in seen if text.strip()][:limit]


def bench_guide(rows: int | None) -> None:
    n, threshold = 5000, 0.95
    texts = real_texts(n)
    embedder = CachedEmbedder(SentenceTransformerEmbedder(), WORK / "embeddings")
    start = time.perf_counter()
    vectors = embedder.embed(texts)
    print(
        f"(a) {len(texts)} real texts embedded in {time.perf_counter() - start:.2f} s "
        f"({embedder.hits} cached, {embedder.misses} embedded)"
    )
    import torch
    from sentence_transformers import util

    tensor = torch.from_numpy(vectors)

    def guide() -> list[tuple[int, int]]:
        scores = util.cos_sim(tensor, tensor)
        found = []
        for i in range(len(scores) if rows is None else rows):
            for j in range(i + 1, len(scores)):
                if scores[i][j] > threshold:
                    found.append((i, j))
        return found

    start = time.perf_counter()
    guide_pairs = guide()
    guide_time = time.perf_counter() - start
    if rows is not None:  # a double loop over the first rows only: extrapolate by pairs visited
        visited = sum(n - 1 - i for i in range(rows))
        guide_time *= (n * (n - 1) / 2) / visited

    def ours() -> list[tuple[int, int]]:
        later, earlier, _ = pairs_above(vectors, None, threshold)
        keep = later > earlier  # pairs_above gives (i, j) with j < i
        return sorted(zip(earlier[keep].tolist(), later[keep].tolist(), strict=True))

    our_pairs = ours()
    our_time = best_of(5, ours)
    # the same rule (> threshold, not >=) on the same vectors
    our_pairs = [(i, j) for i, j in our_pairs if float(vectors[i] @ vectors[j]) > threshold]
    compared = our_pairs if rows is None else [(i, j) for i, j in our_pairs if i < rows]
    print(
        f"    guide (util.cos_sim + double loop{'' if rows is None else f', {rows} rows'}): "
        f"{guide_time:.2f} s{' (extrapolated)' if rows is not None else ''}, "
        f"{len(guide_pairs)} pairs"
    )
    print(f"    pairs_above: {our_time * 1000:.1f} ms, {len(our_pairs)} pairs")
    print(
        f"    same pairs: {sorted(guide_pairs) == compared}; speed-up {guide_time / our_time:,.0f}x"
    )


def bench_search(rounds: int) -> None:
    rng = np.random.default_rng(0)
    new = rng.standard_normal((1000, 384), dtype=np.float32)
    existing = rng.standard_normal((100_000, 384), dtype=np.float32)
    new /= np.linalg.norm(new, axis=1, keepdims=True)
    existing /= np.linalg.norm(existing, axis=1, keepdims=True)
    new2, existing2 = np.ascontiguousarray(new[::-1]), np.ascontiguousarray(existing[::-1])
    flops = 2 * 1000 * 100_000 * 384
    blocked_out = np.empty((1000, 8192), dtype=np.float32)

    def blocked() -> None:
        for c0 in range(0, 100_000, 8192):
            part = existing[c0 : c0 + 8192]
            np.matmul(new, part.T, out=blocked_out[:, : len(part)])

    cases: list[tuple[str, Callable[[], object], int]] = [
        ("matmul in one product", lambda: new @ existing.T, 0),
        ("matmul in column blocks", blocked, 0),
        ("best_matches, 1 view, threshold 0.9", lambda: best_matches([new], [existing], 0.9), 1),
        ("top_k k=1", lambda: top_k(new, existing, 1), 1),
        ("top_k k=10", lambda: top_k(new, existing, 10), 1),
        (
            "best_matches, 2 views (the 2nd only scored for rows the 1st lets through)",
            lambda: best_matches([new, new2], [existing, existing2], 0.9),
            1,
        ),
    ]
    # The CPU's speed drifts (shared virtual cores): interleave the cases, keep each one's best.
    times = {label: float("inf") for label, _, _ in cases}
    for _ in range(rounds):
        for label, action, _ in cases:
            times[label] = min(times[label], best_of(1, action))
    floor = min(times["matmul in one product"], times["matmul in column blocks"])
    print(
        f"(b) 1,000 new x 100,000 existing x 384 dimensions; matmul floor {floor:.3f} s "
        f"({flops / floor / 1e9:.0f} GFLOP/s, the best of one product and column blocks)"
    )
    for label, _, views in cases:
        ratio = "" if not views else f" = {times[label] / (views * floor):.2f}x the floor"
        print(f"    {label}: {times[label]:.3f} s{ratio}")


class Table:
    """A stand-in embedder that looks vectors up by the number in the text."""

    name = "bench-table|dim=384"

    def __init__(self, vectors: npt.NDArray[np.float32]) -> None:
        self.vectors = vectors

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self.vectors[[int(t.split(":", 1)[0].split()[1]) for t in texts]]


def bench_cache() -> None:
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
            took = best_of(3, functools.partial(warm_lookup, table, directory, texts))
            size = (directory / FILENAME).stat().st_size
        finally:
            shutil.rmtree(directory)
        print(
            f"(c) {count:,} vectors: stored in {stored:.2f} s ({count / stored:,.0f}/s), "
            f"cached lookup {took:.3f} s = {count / took:,.0f} vectors/s "
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

    def bare() -> None:
        model.encode(texts, batch_size=backend.batch_size, normalize_embeddings=True)

    def ours() -> None:
        backend.embed(texts)

    def cached() -> None:
        directory = Path(tempfile.mkdtemp(prefix="dtn-cold-"))
        try:
            with CachedEmbedder(backend, directory) as embedder:
                embedder.embed(texts)
        finally:
            shutil.rmtree(directory)

    bare_times, our_times, cached_times = [], [], []
    for _ in range(rounds):  # interleaved, so that a busy machine slows all alike
        bare_times.append(best_of(1, bare))
        our_times.append(best_of(1, ours))
        cached_times.append(best_of(1, cached))
    b, o, c = min(bare_times), min(our_times), min(cached_times)
    chars = sum(map(len, texts))
    print(
        f"(d) {len(texts)} real texts ({chars / len(texts):.0f} characters on average), "
        f"max_seq_length {backend.max_seq_length}:"
    )
    print(f"    bare model.encode: {b:.2f} s ({len(texts) / b:.0f} texts/s)")
    print(f"    backend.embed: {o:.2f} s ({len(texts) / o:.0f} texts/s) = {b / o:.2f}x bare")
    print(f"    through a cold cache: {c:.2f} s = {b / c:.2f}x bare")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="a,b,c,d")
    parser.add_argument("--guide-rows", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds of (b), (d)")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs")
    if "b" in parts:
        bench_search(args.rounds)
    if "c" in parts:
        bench_cache()
    if "d" in parts:
        bench_embedding(max(3, args.rounds // 2))
    if "a" in parts:
        bench_guide(args.guide_rows)


if __name__ == "__main__":
    main()
