"""Calibrate the semantic-duplicate threshold on real data with the real model.

Two measurements, printed as tables (nothing is asserted):

- false alarms: in llama_factory/alpaca_en_demo.json (exact copies removed), how many distinct
  samples have a nearest other sample with prompt cosine and answer cosine both >= t;
- recall: the hand-written paraphrases in tests/data/paraphrases_alpaca_en.jsonl (each rewords a
  sample of that file, prompt and answer): how many pairs reach t on both sides;
- and the two together: the paraphrases planted in the dataset, scanned by the semantic tier,
  with the precision and recall of its findings.

Run: .venv/bin/python bench/semantic_calibration.py [--max-seq-length N]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from datatenet.analysis.corpus import Corpus, corpus_of_version  # noqa: E402
from datatenet.analysis.semantic import corpus_vectors, semantic_duplicates  # noqa: E402
from datatenet.embeddings.cache import CachedEmbedder  # noqa: E402
from datatenet.embeddings.search import best_matches  # noqa: E402
from datatenet.embeddings.st import SentenceTransformerEmbedder  # noqa: E402
from datatenet.formats.load import LoadOptions, load_file  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "llama_factory" / "alpaca_en_demo.json"
PARAPHRASES = ROOT / "tests" / "data" / "paraphrases_alpaca_en.jsonl"
WORK = ROOT / "bench" / "_work"
GRID = (0.80, 0.82, 0.84, 0.85, 0.86, 0.87, 0.88, 0.90, 0.92, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-seq-length", type=int, default=256)
    args = parser.parse_args()
    embedder = CachedEmbedder(
        SentenceTransformerEmbedder(max_seq_length=args.max_seq_length), WORK / "embeddings"
    )
    base = corpus_of_version(load_file(DATA, LoadOptions())).new
    first = {item.sample_id: item for item in reversed(base)}  # the first of each copy
    distinct = tuple(item for item in base if first[item.sample_id] is item)
    paraphrases = corpus_of_version(load_file(PARAPHRASES, LoadOptions())).new
    import orjson

    sources = [orjson.loads(line)["of"] for line in PARAPHRASES.read_bytes().splitlines()]
    print(f"model {embedder.name}")
    print(f"{len(base)} samples, {len(distinct)} distinct; {len(paraphrases)} paraphrase pairs")

    vectors = corpus_vectors(Corpus(distinct), embedder)
    nn = best_matches(
        [vectors.new_prompts, vectors.new_answers], None, -1.0, earlier_only=False
    ).score
    pairs = corpus_vectors(Corpus(paraphrases, tuple(base[i] for i in sources)), embedder)
    prompt_cos = np.einsum("ij,ij->i", pairs.new_prompts, pairs.existing_prompts)
    answer_cos = np.einsum("ij,ij->i", pairs.new_answers, pairs.existing_answers)
    both = np.minimum(prompt_cos, answer_cos)

    print("\nparaphrase pairs (prompt, answer, min):")
    for k in range(len(paraphrases)):
        print(
            f"  {prompt_cos[k]:.3f} {answer_cos[k]:.3f} {both[k]:.3f}  "
            f"{base[sources[k]].prompt[:60]!r}"
        )
    for name, values in (("prompt", prompt_cos), ("answer", answer_cos), ("both", both)):
        print(
            f"  {name:6}: min {values.min():.3f} median {np.median(values):.3f} "
            f"max {values.max():.3f}"
        )
    top = np.argsort(-nn)[:5]
    print("\nclosest distinct samples (min of prompt and answer cosine to the nearest other):")
    for i in top:
        print(f"  {nn[i]:.3f}  {distinct[i].prompt[:70]!r}")
    print(f"  median nearest-neighbour score {np.median(nn):.3f}")

    planted = Corpus(distinct + paraphrases)
    planted_vectors = corpus_vectors(planted, embedder)
    expected = {
        (item.sample_id, base[src].sample_id)
        for item, src in zip(paraphrases, sources, strict=True)
    }
    print(
        f"\nthreshold | distinct samples flagged (of {len(distinct)}) | paraphrases caught "
        f"(of {len(paraphrases)}) | scan of the planted set: findings, precision, recall"
    )
    for t in GRID:
        findings = semantic_duplicates(planted, embedder, t, planted_vectors)
        hits = sum(
            (f.sample.sample_id, f.matched.sample_id) in expected
            or (f.matched.sample_id, f.sample.sample_id) in expected
            for f in findings
        )
        precision = hits / len(findings) if findings else 1.0
        print(
            f"  {t:.2f}    | {int((nn >= t).sum()):4d} | {int((both >= t).sum()):3d} | "
            f"{len(findings):3d} findings, precision {precision:.2f}, "
            f"recall {hits / len(paraphrases):.2f}"
        )


if __name__ == "__main__":
    main()
