"""Per descriptor: did it change between two sets of texts, and by how much?

Numbers get the two-sample Kolmogorov–Smirnov test, whose statistic D (the largest gap between
the two cumulative distributions, 0 to 1) is also the effect size. Categories get the
chi-square test of the contingency table, with Cramér's V (0 to 1) as the effect size; a
category with many values (the opening word) keeps its most frequent `MAX_LEVELS` values and
pools the rest. Testing some 25 descriptors at once, a few would pass p < 0.05 by chance, so the
p-values are adjusted by Benjamini–Hochberg (false discovery rate) and a descriptor is
*significant* only with an adjusted q below `alpha` and an effect of at least `min_effect`: with
thousands of samples a tiny, meaningless shift is "significant" too. Below `min_samples` texts
on either side nothing is tested. The defaults are measured in bench/drift_calibration.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from datatenet.analysis.drift import ALPHA, MIN_EFFECT, MIN_SAMPLES
from datatenet.analysis.style import CATEGORICAL, NUMBERS, Descriptors

MAX_LEVELS = 8
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


@dataclass(frozen=True)
class DescriptorShift:
    name: str
    kind: str  # "number" or "category"
    test: str  # "ks" or "chi2"
    effect: float  # KS D, or Cramér's V
    p_value: float
    q_value: float  # Benjamini–Hochberg adjusted
    significant: bool
    base: dict[str, Any]  # numbers: mean, median, share_nonzero; categories: shares
    head: dict[str, Any]
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "test": self.test,
            "effect": round(self.effect, 4),
            "p_value": float(f"{self.p_value:.3g}"),
            "q_value": float(f"{self.q_value:.3g}"),
            "significant": self.significant,
            "base": self.base,
            "head": self.head,
            "explanation": self.explanation,
        }


def compare_descriptors(
    base: Descriptors,
    head: Descriptors,
    *,
    min_samples: int = MIN_SAMPLES,
    alpha: float = ALPHA,
    min_effect: float = MIN_EFFECT,
) -> list[DescriptorShift]:
    """Every descriptor's shift from `base` to `head`, most significant first; [] when either
    side has fewer than `min_samples` texts."""
    if min(len(base), len(head)) < min_samples:
        return []
    from scipy.stats import false_discovery_control

    raw: list[tuple[str, str, str, float, float, dict[str, Any], dict[str, Any]]] = []
    for name, values in base.numbers.items():
        if name not in head.numbers:
            continue
        raw.append(_numeric(name, values, head.numbers[name]))
    for name, labels in base.categories.items():
        if name in head.categories:
            found = _categorical(name, labels, head.categories[name])
            if found is not None:
                raw.append(found)
    if not raw:
        return []
    p_values = np.array([entry[4] for entry in raw])
    q_values = false_discovery_control(np.nan_to_num(p_values, nan=1.0))
    shifts = []
    for (name, kind, test, effect, p, base_summary, head_summary), q in zip(
        raw, q_values, strict=True
    ):
        significant = bool(q < alpha and effect >= min_effect)
        shifts.append(
            DescriptorShift(
                name,
                kind,
                test,
                effect,
                float(p),
                float(q),
                significant,
                base_summary,
                head_summary,
                _explain(name, kind, effect, base_summary, head_summary),
            )
        )
    shifts.sort(key=lambda s: (not s.significant, -s.effect))
    return shifts


def _numeric(
    name: str, base: np.ndarray, head: np.ndarray
) -> tuple[str, str, str, float, float, dict[str, Any], dict[str, Any]]:
    from scipy.stats import ks_2samp

    if np.array_equal(np.unique(base), np.unique(head)) and len(np.unique(base)) == 1:
        effect, p = 0.0, 1.0  # one and the same constant on both sides
    else:
        result = ks_2samp(base, head, method="asymp")
        effect, p = float(result.statistic), float(result.pvalue)
    return name, "number", "ks", effect, p, _summary(base), _summary(head)


def _summary(values: np.ndarray) -> dict[str, Any]:
    """Mean, median, share of texts where the count is not zero, and the 10th, 25th, 50th,
    75th and 90th percentiles (what a report draws a before/after box plot from)."""
    if not len(values):
        return {"mean": 0.0, "median": 0.0, "share_nonzero": 0.0, "quantiles": []}
    quantiles = np.quantile(values, QUANTILES)
    return {
        "mean": round(float(values.mean()), 3),
        "median": round(float(np.median(values)), 3),
        "share_nonzero": round(float(np.count_nonzero(values) / len(values)), 4),
        "quantiles": [round(float(q), 3) for q in quantiles],
    }


def _categorical(
    name: str, base: list[str], head: list[str]
) -> tuple[str, str, str, float, float, dict[str, Any], dict[str, Any]] | None:
    from scipy.stats import chi2_contingency

    counts = Counter(base) + Counter(head)
    levels = [label for label, _ in counts.most_common(MAX_LEVELS)]
    pooled = len(counts) > len(levels)
    kept = set(levels)

    def tally(labels: list[str]) -> list[int]:
        per = Counter(label if label in kept else "(other)" for label in labels)
        return [per[label] for label in levels] + ([per["(other)"]] if pooled else [])

    table = np.array([tally(base), tally(head)])
    table = table[:, table.sum(axis=0) > 0]
    names = levels + (["(other)"] if pooled else [])
    if table.shape[1] < 2:
        effect, p = 0.0, 1.0
    else:
        chi2, p, _, _ = chi2_contingency(table, correction=False)
        effect = float(np.sqrt(chi2 / (table.sum() * (min(table.shape) - 1))))
    return (
        name,
        "category",
        "chi2",
        effect,
        float(p),
        _shares(names, tally(base), len(base)),
        _shares(names, tally(head), len(head)),
    )


def _shares(names: list[str], counts: list[int], total: int) -> dict[str, Any]:
    return {"shares": {n: round(c / total, 4) for n, c in zip(names, counts, strict=False) if c}}


def _explain(
    name: str, kind: str, effect: float, base: dict[str, Any], head: dict[str, Any]
) -> str:
    label = NUMBERS.get(name) or CATEGORICAL.get(name) or name
    if kind == "number":
        b, h = base["median"], head["median"]
        if b != h:
            ratio = f" (x{h / b:.2f})" if b else ""
            return f"{label}: median {_fmt(b)} -> {_fmt(h)}{ratio}, KS D {effect:.2f}"
        return (
            f"{label}: mean {_fmt(base['mean'])} -> {_fmt(head['mean'])}, present in "
            f"{base['share_nonzero']:.0%} -> {head['share_nonzero']:.0%}, KS D {effect:.2f}"
        )
    b_shares, h_shares = base["shares"], head["shares"]
    moved = max(
        set(b_shares) | set(h_shares),
        key=lambda k: abs(h_shares.get(k, 0) - b_shares.get(k, 0)),
    )
    return (
        f"{label}: {moved!r} {b_shares.get(moved, 0):.0%} -> {h_shares.get(moved, 0):.0%}, "
        f"Cramér's V {effect:.2f}"
    )


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3g}"
