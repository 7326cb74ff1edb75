"""Expression stability: similar prompts should be answered in the same style.

The seed principle "same situation, same answer style", measured: every sample's nearest
prompt (by prompt vectors) at cosine `min_cosine` or more makes a pair of similar situations,
and a pair *diverges* when one answer is a list and the other prose, or when one answer is more
than `length_ratio` times as long as the other. The measure is the share of divergent pairs;
the worst pairs are the examples. A dataset taught in two styles scores worse than the same
dataset in one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datatenet.analysis.base import Analysis, Inputs
from datatenet.analysis.corpus import Item
from datatenet.analysis.findings import Finding
from datatenet.analysis.measures import Measure

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MIN_COSINE = 0.8
LENGTH_RATIO = 3.0
LENGTH_FLOOR = 20  # characters added to both lengths, so "OK" vs "Okay." is no 3x gap
MIN_PAIRS = 10
SHAPES = frozenset({"list", "prose"})


@dataclass(frozen=True)
class Pair:
    first: int
    second: int
    cosine: float
    length_ratio: float
    layouts: tuple[str, str]
    reasons: tuple[str, ...]  # "list vs prose", "lengths 4.2x apart"

    @property
    def divergent(self) -> bool:
        return bool(self.reasons)

    def severity(self) -> tuple[int, float]:
        return len(self.reasons), self.length_ratio


@dataclass(frozen=True)
class Stability:
    pairs: int
    divergent: int
    worst: tuple[Pair, ...]
    min_cosine: float

    @property
    def share(self) -> float | None:
        return self.divergent / self.pairs if self.pairs else None

    def to_json(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "divergent": self.divergent,
            "share": None if self.share is None else round(self.share, 4),
            "min_cosine": self.min_cosine,
        }


def similar_pairs(
    vectors: npt.NDArray[np.float32],
    min_cosine: float = MIN_COSINE,
    queries: Sequence[int] | None = None,
) -> list[tuple[int, int, float]]:
    """(i, j, cosine) with i < j for every sample (of `queries`, all by default) whose nearest
    other prompt reaches `min_cosine`, each pair once. With `queries`, only their rows are
    searched (a change's new samples against the whole version: linear, not quadratic)."""
    import numpy as np

    from datatenet.embeddings.search import top_k

    if len(vectors) < 2:
        return []
    rows = np.arange(len(vectors)) if queries is None else np.asarray(queries, dtype=np.intp)
    if queries is None:
        nearest, cosines = top_k(vectors, None, 1)
    else:
        found, scores = top_k(vectors[rows], vectors, 2)
        itself = found[:, 0] == rows  # each query's best match is itself, unless a copy ties
        nearest = np.where(itself, found[:, 1], found[:, 0])[:, None]
        cosines = np.where(itself, scores[:, 1], scores[:, 0])[:, None]
    seen: set[tuple[int, int]] = set()
    out = []
    for position in np.flatnonzero(cosines[:, 0] >= min_cosine):
        i, j = int(rows[position]), int(nearest[position, 0])
        key = (min(i, j), max(i, j))
        if j >= 0 and key not in seen:
            seen.add(key)
            out.append((key[0], key[1], float(cosines[position, 0])))
    return out


def compare_pair(
    first: int,
    second: int,
    cosine: float,
    layouts: Mapping[int, str],
    lengths: Mapping[int, float],
    length_ratio: float = LENGTH_RATIO,
) -> Pair:
    shorter, longer = sorted((float(lengths[first]), float(lengths[second])))
    ratio = (longer + LENGTH_FLOOR) / (shorter + LENGTH_FLOOR)
    shapes = (layouts[first], layouts[second])
    reasons = []
    if set(shapes) == SHAPES:
        reasons.append("list vs prose")
    if ratio > length_ratio:
        reasons.append(f"lengths {ratio:.1f}x apart")
    return Pair(first, second, cosine, ratio, shapes, tuple(reasons))


def expression_stability(
    vectors: npt.NDArray[np.float32],
    answers: Sequence[str],
    *,
    min_cosine: float = MIN_COSINE,
    length_ratio: float = LENGTH_RATIO,
    worst: int = 10,
    queries: Sequence[int] | None = None,
) -> Stability:
    """The pairs of similar prompts among `vectors` (row i: sample i, answered `answers[i]`)
    and how many of them diverge in style. With `queries`, only the pairs of those samples with
    their nearest prompt count (e.g. the new samples of a change). Only the answers of a pair
    are described."""
    from datatenet.analysis.style import describe

    found = similar_pairs(vectors, min_cosine, queries)
    involved = sorted({index for i, j, _ in found for index in (i, j)})
    described = describe([answers[i] for i in involved])
    layouts = dict(zip(involved, described.categories["layout"], strict=True))
    lengths = dict(zip(involved, described.numbers["chars"].tolist(), strict=True))
    pairs = [compare_pair(i, j, c, layouts, lengths, length_ratio) for i, j, c in found]
    divergent = [pair for pair in pairs if pair.divergent]
    divergent.sort(key=lambda pair: pair.severity(), reverse=True)
    return Stability(len(pairs), len(divergent), tuple(divergent[:worst]), min_cosine)


@dataclass(frozen=True)
class ExpressionStabilityCheck:
    """`stability`: in a change, each new sample against its most similar prompt in the head
    version; in a scan, every sample against its most similar one."""

    checks: frozenset[str] = frozenset({"stability"})

    def analyse(self, inputs: Inputs) -> Analysis:
        import numpy as np

        from datatenet.analysis import shared

        new, existing = shared.side(inputs, "new"), shared.side(inputs, "existing")
        head = (*existing, *new)
        if len(head) < 2:
            return Analysis()
        vectors = shared.prompt_vectors(inputs)
        every = np.vstack([vectors.existing, vectors.new]) if existing else vectors.new
        options = shared.table(inputs, "stability")
        queries = None if not existing else range(len(existing), len(head))
        found = expression_stability(
            every,
            [item.response for item in head],
            min_cosine=float(options.get("min_cosine", MIN_COSINE)),
            length_ratio=float(options.get("length_ratio", LENGTH_RATIO)),
            queries=queries,
        )
        notes = shared.vectors_note(inputs)
        if found.pairs < MIN_PAIRS:
            return Analysis(
                notes=(
                    *notes,
                    f"expression stability not measured: {found.pairs} pair(s) of similar "
                    f"prompts (cosine >= {found.min_cosine}), at least {MIN_PAIRS} needed",
                )
            )
        findings = tuple(_finding(pair, head, len(existing)) for pair in found.worst)
        details = {
            **found.to_json(),
            "vectors": vectors.kind,
            "worst": [
                {
                    "first": shared.ref_json(head[pair.first]),
                    "second": shared.ref_json(head[pair.second]),
                    "cosine": round(pair.cosine, 4),
                    "reasons": list(pair.reasons),
                }
                for pair in found.worst
            ],
        }
        share = found.share or 0.0
        explanation = (
            f"{found.divergent} of {found.pairs} pairs of similar prompts are answered in "
            f"different styles ({share:.0%}): list vs prose, or lengths over "
            f"{options.get('length_ratio', LENGTH_RATIO)}x apart"
        )
        evidence = tuple(
            f"{head[p.first].origin} ~ {head[p.second].origin}: {', '.join(p.reasons)}"
            for p in found.worst
        )
        measure = Measure("expression_divergence", share, evidence, explanation, details, "max")
        return Analysis(findings, (measure,), notes)


def _finding(pair: Pair, head: Sequence[Item], first_new: int) -> Finding:
    # the sample the finding is about comes first: the new one of the pair
    about, other = (
        (pair.second, pair.first) if pair.second >= first_new else (pair.first, pair.second)
    )
    partner = head[other]
    return Finding.pair(
        "expression-instability",
        "style",
        "info",
        pair.cosine,
        head[about].ref(),
        partner.ref(),
        f"a prompt like that of {partner.origin or partner.sample_id[:12]} (cosine "
        f"{pair.cosine:.2f}) answered in another style: {', '.join(pair.reasons)}",
        {"prompt_cosine": pair.cosine, "length_ratio": pair.length_ratio},
    )
