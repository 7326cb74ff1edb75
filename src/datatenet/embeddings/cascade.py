"""The cascade's fast stage: static embeddings propose candidate pairs, so that the confirming
model embeds only the texts of samples in a candidate pair.

The pair checks compare every new sample with every other one, but only pairs whose prompts
(and answers) are close can get a verdict that rests on the model. The static model (static.py:
thousands of texts a second, no model stack) finds the pairs that *might* reach the checks'
thresholds: its cosines, on vectors centred on the corpus mean, are compared with thresholds
lowered by `FLOOR_MARGIN` so that it misses none the model would find (measured on the labelled
pairs of bench/judgement/ by bench/cascade_calibration.py). What the model then finds among the
candidates is the model's own verdict: the static cosines only choose what it looks at.

Which pairs need looking at, and what the model embeds, is the analysis' business
(analysis/pair_model.py); here are the pieces that know only vectors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from datatenet.embeddings.search import joint_pairs_above

Vectors = npt.NDArray[np.float32]
Indices = npt.NDArray[np.intp]
# How far below a model threshold the centred static cosine of a pair may fall and the pair still
# be proposed. Measured by bench/cascade_calibration.py on the labelled pairs of
# bench/judgement/ (all-MiniLM-L6-v2 and its 256-d distillation): the smallest margin at which
# the cascade's semantic-duplicate and contradiction recall equal the model's alone, plus room.
FLOOR_MARGIN = 0.37
LOWEST_FLOOR = 0.3
PER_SAMPLE = 16  # candidates kept per sample (its closest by the fast stage), in each rule
# Below this many distinct samples the model embeds everything: it takes seconds, and the
# corpus mean the static vectors are centred on is no estimate of anything.
MIN_SAMPLES = 50
# Samples with the very same answer are proposed to each other whatever their static cosines,
# when at most this many share it (a stock answer, "Yes." or a refusal, shared by hundreds,
# would propose pairs by the ten thousand): a question asked again with another context
# around it keeps its answer, and the static vector of the longer prompt may follow the
# context while the model's follows the question (bench/fast_embed_bench.py --equivalence).
EQUAL_ANSWER_GROUP = 16


def fast_floor(threshold: float, margin: float | None = None) -> float:
    """The static cosine that proposes a pair for a model threshold `threshold`."""
    return max(LOWEST_FLOOR, threshold - (FLOOR_MARGIN if margin is None else margin))


def centered(vectors: Vectors) -> Vectors:
    """The vectors less their mean, at unit length. Static vectors of any two texts share a
    large common part (the frequent tokens): without it, cosines spread out and rank pairs much
    more as the model does (bench/cascade_calibration.py)."""
    out: Vectors = vectors - vectors.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def candidate_pairs(
    views: Sequence[Vectors],
    queries: Indices,
    rules: Sequence[tuple[Sequence[int], float]],
    per_query: int | None = PER_SAMPLE,
) -> npt.NDArray[np.intp]:
    """Rows (a, b), a > b, each pair once, proposed by any rule: a rule `(view indices,
    floor)` proposes a pair whose cosines reach `floor` in every view it names. Every pair has
    a row of `queries` in it; each query keeps its `per_query` best pairs of each rule."""
    rows_everywhere = np.arange(len(views[0]), dtype=np.intp)
    found = [np.zeros((0, 2), dtype=np.intp)]
    for names, floor in rules:
        rows, cols, _ = joint_pairs_above(
            [views[v][queries] for v in names],
            [views[v] for v in names],
            floor,
            query_keys=queries,
            base_keys=rows_everywhere,  # never a row with itself
            per_query=per_query,
        )
        one, two = queries[rows], cols
        found.append(np.stack([np.maximum(one, two), np.minimum(one, two)], axis=1))
    pairs: npt.NDArray[np.intp] = np.unique(np.concatenate(found), axis=0)
    return pairs


def equal_text_pairs(
    texts: Sequence[str], queries: Indices, largest: int = EQUAL_ANSWER_GROUP
) -> list[tuple[int, int]]:
    """Pairs (a, b), a > b, of rows with the same non-empty text, in groups of at most
    `largest` rows, each with a row of `queries` in it."""
    groups: dict[str, list[int]] = {}
    for row, text in enumerate(texts):
        if text.strip():
            groups.setdefault(text, []).append(row)
    asked = set(queries.tolist())
    return [
        (a, b)
        for rows in groups.values()
        if 1 < len(rows) <= largest
        for i, a in enumerate(rows)
        for b in rows[:i]
        if a in asked or b in asked
    ]
