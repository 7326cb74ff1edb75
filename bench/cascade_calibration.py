"""Calibrate the cascade's fast-stage floor: the pair analysis through the cascade against the
model alone, on the labelled pairs of bench/judgement/. Prints figures, asserts nothing.

Every pair goes into one corpus (tests/labelled_pairs.py: the existing samples on one side, the
new ones on the other, `--background N` real samples of ../shared/data among the existing ones),
which the pair analysis (analysis/pair_verdicts.py) runs through with the model alone
(`semantic_mode = "exact"`) and through the cascade at each floor margin
(embeddings/cascade.py: FLOOR_MARGIN, how far below a model threshold the centred static cosine
may fall). For each: semantic-duplicate and contradiction recall and precision on the labelled
pairs, the candidate pairs the fast stage proposed, the share of the distinct texts the model
embedded, and the labelled pairs whose verdict differs from the model alone's.

Run: .venv/bin/python bench/cascade_calibration.py [--excerpt] [--background N]
         [--margins 0.2,0.3,0.37]
The model's and the fast stage's vectors are cached in bench/_work/cascade/ (the first run
embeds every text once); the models themselves come from the user's cache (exported and
distilled on first use).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]

from tests.labelled_pairs import Labelled, labelled_corpus, recall_precision, verdicts  # noqa: E402

from datatenet.analysis.base import CHECKS  # noqa: E402
from datatenet.analysis.corpus import Corpus, Item, corpus_of_version  # noqa: E402
from datatenet.analysis.findings import Finding  # noqa: E402
from datatenet.analysis.pair_model import (  # noqa: E402
    PairModel,
    RowVectors,
    duplicate_floor,
)
from datatenet.analysis.pair_verdicts import pair_findings  # noqa: E402
from datatenet.analysis.thresholds import Thresholds  # noqa: E402
from datatenet.embeddings import cascade  # noqa: E402
from datatenet.embeddings.cache import CachedEmbedder  # noqa: E402
from datatenet.embeddings.runtime import ModelEmbedder  # noqa: E402
from datatenet.embeddings.st import DEFAULT_MODEL  # noqa: E402
from datatenet.embeddings.static import StaticEmbedder  # noqa: E402
from datatenet.formats.load import LoadOptions, load_file  # noqa: E402
from datatenet.progress import Progress  # noqa: E402

WORK = ROOT / "bench" / "_work" / "cascade"
EXCERPT = ROOT / "tests" / "data" / "judgement_excerpt.jsonl"
SHARED = ROOT.parent / "shared" / "data"
BACKGROUND = (
    "llama_factory/alpaca_en_demo.json",
    "msft_foundry_samples/text_gsm8k/chat_train.jsonl",
    "llama_factory/dpo_en_demo.json",
    "llama_factory/alpaca_zh_demo.json",
)
MARGINS = "0.15,0.2,0.25,0.3,0.35,0.37,0.4"
VERDICTS = ("semantic-duplicate", "contradiction")


def labelled_records(excerpt: bool) -> list[dict[str, object]]:
    if excerpt:
        return [json.loads(line) for line in EXCERPT.read_text("utf-8").splitlines() if line]
    from judgement_set import SET_DIR, load_pairs

    pairs, skipped = load_pairs(sorted(SET_DIR.glob("*.jsonl")), SHARED)
    if skipped:
        print(f"{skipped} pairs skipped: they quote ../shared/data, which is absent")
    return [dataclasses.asdict(pair) for pair in pairs]


def background(count: int) -> list[Item]:
    """`count` real samples drawn from the background files (a fixed seed)."""
    if not count:
        return []
    every = [
        item
        for name in BACKGROUND
        for item in corpus_of_version(load_file(SHARED / name, LoadOptions())).new
    ]
    return random.Random(14).sample(every, min(count, len(every)))


def run(corpus: Corpus, model: PairModel) -> tuple[list[Finding], float]:
    start = time.perf_counter()
    found = pair_findings(corpus, frozenset(CHECKS), Thresholds(), pair_model=model)
    return found, time.perf_counter() - start


def scores(got: list[set[str]], labelled: list[Labelled]) -> str:
    cells = []
    for verdict in VERDICTS:
        recall, precision, given = recall_precision(got, labelled, verdict)
        cells.append(f"{recall:.2f}/{precision:.2f} ({given})")
    return "  ".join(f"{c:>16}" for c in cells)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--excerpt", action="store_true", help="tests/data's excerpt only")
    parser.add_argument("--background", type=int, default=0, metavar="N")
    parser.add_argument("--margins", default=MARGINS)
    parser.add_argument("--per-sample", type=int, default=cascade.PER_SAMPLE)
    args = parser.parse_args()
    records = labelled_records(args.excerpt)
    with tempfile.TemporaryDirectory() as scratch:
        corpus, labelled = labelled_corpus(records, Path(scratch), background(args.background))
    progress = Progress()
    model = CachedEmbedder(ModelEmbedder(progress=progress), WORK / "embeddings")
    fast = CachedEmbedder(StaticEmbedder(progress=progress), WORK / "embeddings")
    thresholds = Thresholds()
    expected = {v: sum(p.expect == v for p in labelled) for v in VERDICTS}
    print(
        f"{len(labelled)} labelled pairs ({expected['semantic-duplicate']} semantic duplicates, "
        f"{expected['contradiction']} contradictions) and {args.background} background samples"
        f": {len(corpus.new)} new, {len(corpus.existing)} existing samples"
    )
    print(f"model {model.name}; fast stage {fast.name}")
    exact_model = PairModel(DEFAULT_MODEL, RowVectors(corpus, model))
    exact, seconds = run(corpus, exact_model)
    exact_verdicts = verdicts(exact, labelled)
    head = f"{'':<22}{'dup floor':>10}{'conflict':>9}{'candidates':>11}{'texts':>8}"
    print(f"\n{head}  {'semantic dup R/P':>16}  {'contradiction R/P':>16}  differ")
    texts = exact_model.stats["texts"]
    print(
        f"{'model alone':<22}{duplicate_floor(thresholds):>10.2f}{thresholds.conflict_prompt:>9.2f}"
        f"{'-':>11}{'100%':>8}  {scores(exact_verdicts, labelled)}  ({seconds:.1f} s)"
    )
    for margin in (float(m) for m in args.margins.split(",")):
        through = PairModel(
            DEFAULT_MODEL,
            RowVectors(corpus, model),
            fast,
            min_samples=0,
            margin=margin,
            per_sample=args.per_sample,
        )
        found, seconds = run(corpus, through)
        got = verdicts(found, labelled)
        differ = [p for p, a, b in zip(labelled, got, exact_verdicts, strict=True) if a != b]
        all_same = [f.to_json() for f in found] == [f.to_json() for f in exact]
        floors = (
            cascade.fast_floor(duplicate_floor(thresholds), margin),
            cascade.fast_floor(thresholds.conflict_prompt, margin),
        )
        share = through.stats["confirmed"] / texts
        print(
            f"{'cascade, margin ' + f'{margin:.2f}':<22}{floors[0]:>10.2f}{floors[1]:>9.2f}"
            f"{through.stats.get('candidates', 0):>11}{share:>8.0%}  {scores(got, labelled)}  "
            f"{len(differ)}{'' if all_same else ' (findings differ)'} ({seconds:.1f} s)"
            + "".join(f"\n    {p.kind} {p.expect}: {p.new.prompt[:60]!r}" for p in differ[:4])
        )


if __name__ == "__main__":
    main()
