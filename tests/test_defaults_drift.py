"""Published defaults of the drift analyses (README, "Style drift, coverage, focus,
contamination and noise"), pinned near either side.

Style drift is flagged from AUC 0.7 (`auc_flag`, with a descriptor that moved significantly): real
GSM8K answers against the same answers with some of them restyled (tests/drift_data.py).

Expression stability: similar prompts answered "in different styles (a list vs prose, lengths
over 3x apart)": prompts at cosine 0.8 are similar, the answers of a pair diverge when their
lengths are more than 3x apart (analysis/stability.py adds LENGTH_FLOOR characters to both, so
"OK" against "Okay." is no gap).

The answers are prose cut from one written paragraph to the lengths each case needs; the prompt
vectors are designed (each pair its own direction, the second prompt leaning towards the first
by the case's cosine), so that each default is met at a known distance without the model.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from datatenet.analysis.drift import style_drift
from datatenet.analysis.stability import LENGTH_FLOOR, expression_stability
from tests.drift_data import verbose_list
from tests.rewordings import GSM8K

AUC_FLAG = 0.7

MIN_COSINE = 0.8
LENGTH_RATIO = 3.0
# Written for this test: plain prose (one layout), cut to the lengths needed.
PROSE = (
    "Start by reading the problem twice and writing down every quantity it gives, then decide"
    " which of them change over time and which stay fixed, set up the relationship between them"
    " in words before using any symbols, and only then work out the result carefully while"
    " checking each intermediate value against the story that the question tells you about."
)
SHORTER = 60  # characters of the shorter answer of every pair
# (prompt cosine, length ratio with the floor) of each pair, and whether it counts / diverges
CASES = [
    (0.805, 3.05, True, True),
    (0.795, 3.05, False, False),  # prompts not similar enough: not a pair
    (0.9, 3.0, True, False),  # exactly 3x: not over it
    (0.9, 2.95, True, False),
]


def _answer(ratio: float) -> str:
    length = round(ratio * (SHORTER + LENGTH_FLOOR)) - LENGTH_FLOOR
    assert length <= len(PROSE)
    return PROSE[:length]


def test_similar_prompts_from_cosine_0_8_and_lengths_over_3x_apart_diverge() -> None:
    basis = np.eye(2 * len(CASES), dtype=np.float32)
    vectors, answers = [], []
    for number, (cosine, ratio, _, _) in enumerate(CASES):
        first, own = basis[2 * number], basis[2 * number + 1]
        vectors += [first, cosine * first + np.sqrt(1 - cosine**2) * own]
        answers += [PROSE[:SHORTER], _answer(ratio)]
    found = expression_stability(np.array(vectors, dtype=np.float32), answers)

    assert (found.min_cosine, found.pairs) == (MIN_COSINE, sum(c[2] for c in CASES))
    diverging = [n for n, case in enumerate(CASES) if case[3]]
    assert found.divergent == len(diverging)
    assert [(p.first, p.second) for p in found.worst] == [(2 * n, 2 * n + 1) for n in diverging]
    for pair in found.worst:
        cosine, ratio, _, _ = CASES[pair.first // 2]
        assert pair.cosine == pytest.approx(cosine, abs=1e-6)
        assert pair.length_ratio == pytest.approx(ratio, abs=1e-9)
        assert pair.reasons == (f"lengths {pair.length_ratio:.1f}x apart",)


@pytest.mark.parametrize(
    ("restyled", "lowest", "highest", "flagged"),
    [
        pytest.param(15, AUC_FLAG, AUC_FLAG + 0.02, True, id="flagged"),
        pytest.param(14, AUC_FLAG - 0.05, AUC_FLAG, False, id="not-flagged"),
    ],
)
def test_style_drift_is_flagged_from_auc_0_7(
    restyled: int, lowest: float, highest: float, flagged: bool
) -> None:
    """The 30 real answers against themselves with the first 15 restyled (verbose, list-heavy):
    AUC 0.71, flagged; with 14 restyled: AUC 0.66, not flagged, though descriptors moved
    significantly in both (the AUC alone decides)."""
    rows = [json.loads(line) for line in GSM8K.read_text("utf-8").splitlines()]
    answers = [row["messages"][-1]["content"] for row in rows]
    head = [verbose_list(a) if n < restyled else a for n, a in enumerate(answers)]
    drift = style_drift(answers, head)
    assert drift.auc is not None and lowest <= drift.auc < highest
    assert drift.significant
    assert drift.flagged is flagged
