"""Calibrate the cascade's fast-stage threshold: recall and precision of semantic duplicates
with the cascade against the confirming model alone, on labelled pairs.

Each pair is an existing sample and a new one with the verdict a reviewer wants. All pairs go
into one corpus (existing samples on one side, new ones on the other) and run through
`cascade_vectors` as the semantic tier would: the model flags a pair when its prompt cosine and
its answer cosine both reach the threshold; the cascade flags it when, besides, the fast stage
proposed it. For each floor margin (cascade.FLOOR_MARGIN: how far below the model's threshold
the centred static cosine may fall) the table gives recall (flagged among the pairs expected to
be semantic duplicates) and precision (expected semantic, near or exact duplicates among the
flagged), by language and data type, and the share of texts the model had to embed.

Pair sets:
- `--pairs FILE ...`: the judgement set (bench/judgement/*.jsonl, read with the
  bench/judgement_set.py beside that folder);
- otherwise the sets that exist today: the hand-written paraphrases of
  tests/data/paraphrases_alpaca_en.jsonl; rewordings planted in real English and Chinese SFT
  samples of ../shared/data (a request phrased another way, the answer introduced or closed
  another way: the same meaning); and hard negatives, each planted sample's nearest other
  sample of its file by the fast stage (expected: none).

Run: .venv/bin/python bench/cascade_calibration.py [--pairs ../judge/bench/judgement/*.jsonl]
Model vectors are cached in bench/_work/embeddings (the first run embeds a few thousand texts).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import datatenet.embeddings.cascade as cascade  # noqa: E402
from datatenet.analysis.corpus import corpus_of_version  # noqa: E402
from datatenet.embeddings.cache import CachedEmbedder  # noqa: E402
from datatenet.embeddings.runtime import ModelEmbedder  # noqa: E402
from datatenet.embeddings.static import StaticEmbedder  # noqa: E402
from datatenet.formats.load import LoadOptions, load_file  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
PARAPHRASES = ROOT / "tests" / "data" / "paraphrases_alpaca_en.jsonl"
WORK = ROOT / "bench" / "_work"
MARGINS = (0.2, 0.25, 0.3, 0.35, 0.37, 0.4, 0.45)
POSITIVE = "semantic-duplicate"
DUPLICATES = frozenset({"semantic-duplicate", "near-duplicate", "exact-duplicate"})
PLANTED = 120  # rewordings planted per language
EN_ASK = ("Could you {}?", "Please {}", "I need help with this: {}", "{} Thanks in advance!")
EN_ANSWER = ("Sure. {}", "{}\n\nI hope this helps.", "Here is my answer: {}")
ZH_ASK = ("请问：{}", "你能帮我{}吗？", "{}谢谢！")
ZH_ANSWER = ("好的。{}", "{}\n\n希望对你有帮助。", "回答如下：{}")


@dataclass(frozen=True)
class Pair:
    existing: tuple[str, str]
    new: tuple[str, str]
    expect: str
    lang: str
    data: str


def sample_of(record: dict[str, Any], scratch: Path) -> tuple[str, str] | None:
    """(prompt, answer) of one record, read by the project's own loaders."""
    path = scratch / "record.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    items = corpus_of_version(load_file(path, LoadOptions())).new
    return (items[0].prompt, items[0].response) if items else None


def judgement_pairs(files: list[Path]) -> list[Pair]:
    sys.path.insert(0, str(files[0].resolve().parent.parent))
    from judgement_set import load_pairs  # bench/judgement_set.py beside the pairs' folder

    raw, skipped = load_pairs(files, SHARED)
    if skipped:
        print(f"{skipped} pairs skipped: they quote ../shared/data, which is absent")
    pairs = []
    with tempfile.TemporaryDirectory() as scratch:
        for pair in raw:
            existing, new = (
                sample_of(pair.existing, Path(scratch)),
                sample_of(pair.new, Path(scratch)),
            )
            if existing is not None and new is not None:
                pairs.append(Pair(existing, new, pair.expect, pair.lang, pair.data))
    return pairs


def alpaca(name: str) -> list[tuple[str, str]]:
    rows = json.loads((SHARED / "llama_factory" / name).read_text("utf-8"))
    return [(f"{r['instruction']}\n{r['input']}".strip(), r["output"]) for r in rows]


def todays_pairs(fast: CachedEmbedder) -> list[Pair]:
    base = alpaca("alpaca_en_demo.json")
    pairs = []
    for line in PARAPHRASES.read_text("utf-8").splitlines():
        row = json.loads(line)
        new = (f"{row['instruction']}\n{row['input']}".strip(), row["output"])
        pairs.append(Pair(base[row["of"]], new, POSITIVE, "en", "sft"))
    rng = random.Random(14)
    for name, lang, asks, answers in (
        ("alpaca_en_demo.json", "en", EN_ASK, EN_ANSWER),
        ("alpaca_zh_demo.json", "zh", ZH_ASK, ZH_ANSWER),
    ):
        samples = list(dict.fromkeys(alpaca(name)))
        chosen = rng.sample(range(len(samples)), PLANTED)
        for i in chosen:
            prompt, answer = samples[i]
            ask = rng.choice(asks).format(
                prompt[0].lower() + prompt[1:] if lang == "en" else prompt
            )
            reply = rng.choice(answers).format(answer)
            pairs.append(Pair(samples[i], (ask, reply), POSITIVE, lang, "sft"))
        vectors = fast.embed([t for s in samples for t in s])
        prompts, replies = vectors[0::2], vectors[1::2]
        scores = np.minimum(prompts @ prompts.T, replies @ replies.T)
        np.fill_diagonal(scores, -np.inf)
        for i in chosen:  # the closest other sample: a hard negative
            pairs.append(Pair(samples[i], samples[int(scores[i].argmax())], "none", lang, "sft"))
    return pairs


def measure(pairs: list[Pair], model: CachedEmbedder, fast: CachedEmbedder, t: float) -> None:
    existing = list(dict.fromkeys(p.existing for p in pairs))
    where = {sample: k for k, sample in enumerate(existing)}
    args = (
        [p.new[0] for p in pairs],
        [p.new[1] for p in pairs],
        [s[0] for s in existing],
        [s[1] for s in existing],
    )
    exact = cascade.cascade_vectors(*args, model, None, duplicate_threshold=t, mode="exact")
    old = [where[p.existing] for p in pairs]
    new_index = np.arange(len(pairs))
    prompt = np.einsum("ij,ij->i", exact.new_prompts, exact.existing_prompts[old])
    answer = np.einsum("ij,ij->i", exact.new_answers, exact.existing_answers[old])
    by_model = np.minimum(prompt, answer) >= np.float32(t)
    expect = np.array([p.expect for p in pairs])
    groups = {"all": np.ones(len(pairs), dtype=bool)}
    for key in sorted({(p.lang, p.data) for p in pairs}):
        groups["/".join(key)] = np.array([(p.lang, p.data) == key for p in pairs])
    print(f"\n{len(pairs)} pairs, {int((expect == POSITIVE).sum())} expected semantic duplicates")
    print(
        f"model alone at {t}: " + "; ".join(_scores(by_model, expect, g) for g in groups.values())
    )
    print("groups: " + ", ".join(groups))
    print("margin  floor  texts embedded   recall/precision by group (cascade)   lost pairs")
    for margin in MARGINS:
        cascade.FLOOR_MARGIN = margin
        result = cascade.cascade_vectors(*args, model, fast, duplicate_threshold=t)
        assert result.candidates is not None
        kept = set(
            zip(
                result.candidates.new[~result.candidates.other_is_new].tolist(),
                result.candidates.other[~result.candidates.other_is_new].tolist(),
                strict=True,
            )
        )
        proposed = np.array([(int(i), old[i]) in kept for i in new_index])
        flagged = by_model & proposed
        lost = [p for p, gone in zip(pairs, by_model & ~proposed, strict=True) if gone]
        share = result.texts_confirmed / result.texts
        scores = " | ".join(_scores(flagged, expect, g) for g in groups.values())
        print(
            f"{margin:.2f}   {cascade.fast_floor(t):.2f}   {share:6.0%}   {scores}   "
            f"{len(lost)}: " + "; ".join(f"{p.expect} {p.new[0][:40]!r}" for p in lost[:3])
        )


def _scores(flagged: np.ndarray, expect: np.ndarray, group: np.ndarray) -> str:
    positives = (expect == POSITIVE) & group
    hits = flagged & group
    recall = (hits & positives).sum() / max(positives.sum(), 1)
    good = np.isin(expect, list(DUPLICATES))
    precision = (hits & good).sum() / hits.sum() if hits.any() else 1.0
    return f"{recall:.2f}/{precision:.2f}"


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=Path, nargs="*", help="judgement set JSONL files")
    parser.add_argument("--threshold", type=float, default=0.87)
    args = parser.parse_args(list(argv) if argv is not None else None)
    cache = WORK / "embeddings"
    model = CachedEmbedder(ModelEmbedder(), cache)
    fast = CachedEmbedder(StaticEmbedder(), cache)
    pairs = judgement_pairs(args.pairs) if args.pairs else todays_pairs(fast)
    print(f"model {model.name}; fast stage {fast.name}")
    measure(pairs, model, fast, args.threshold)


if __name__ == "__main__":
    main()
