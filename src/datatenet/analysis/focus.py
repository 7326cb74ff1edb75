"""Focus of a change: do the new samples teach one thing, or a bit of everything?

- Spread: the normalised entropy of the new samples' topics (0: all in one topic, 1: evenly
  over every topic) and the share of the largest topic, set against the dataset's own spread
  and against random batches of the same size drawn from the dataset (`RANDOM_BATCHES` of them,
  seeded). A batch is *focused* when its entropy is below the 5th percentile of the random
  batches', *scattered* when it is not.
- A commit stating one behaviour whose samples are scattered gets a warning: a behaviour taught
  by samples spread like a random draw is hard to tell from "more data" (unless the behaviour is
  a manner meant for every topic, which the reviewer can judge).
- Statement fit: how much closer the `Reinforces:` statement's embedding is to the new samples
  than to random samples of the dataset, as the probability that a random new sample is closer
  to it than a random existing one (an AUC: 0.5 no closer, 1.0 always closer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datatenet.analysis.base import Analysis, Inputs
from datatenet.analysis.corpus import Item
from datatenet.analysis.findings import Finding
from datatenet.analysis.measures import Measure

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from datatenet.analysis.topics import Vectors

RANDOM_BATCHES = 200
MIN_BATCH = 10


@dataclass(frozen=True)
class Focus:
    size: int
    topics: int
    entropy: float  # normalised, of the new samples
    top_topic: int
    top_share: float
    dataset_entropy: float
    random_entropy: float  # the mean over random batches of the same size
    random_low: float  # their 5th percentile
    random_high: float  # their 95th percentile

    @property
    def focused(self) -> bool:
        return self.entropy < self.random_low

    def explanation(self) -> str:
        verdict = "focused" if self.focused else "spread like a random batch"
        return (
            f"the {self.size} new samples spread over topics with entropy {self.entropy:.2f} "
            f"(0: one topic, 1: all evenly; random batches of this size: {self.random_low:.2f}"
            f"-{self.random_high:.2f}); {self.top_share:.0%} in the largest topic: {verdict}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "topics": self.topics,
            "entropy": round(self.entropy, 4),
            "top_topic": self.top_topic,
            "top_share": round(self.top_share, 4),
            "dataset_entropy": round(self.dataset_entropy, 4),
            "random_entropy": round(self.random_entropy, 4),
            "random_low": round(self.random_low, 4),
            "random_high": round(self.random_high, 4),
            "focused": self.focused,
        }


def normalised_entropy(labels: npt.NDArray[np.intp], topics: int) -> float:
    import numpy as np

    if topics < 2 or not len(labels):
        return 0.0
    counts = np.bincount(labels, minlength=topics).astype(np.float64)
    shares = counts[counts > 0] / counts.sum()
    return float(-(shares * np.log(shares)).sum() / np.log(topics))


def focus(
    new_labels: npt.NDArray[np.intp],
    dataset_labels: npt.NDArray[np.intp],
    topics: int,
    *,
    seed: int = 0,
) -> Focus | None:
    """The spread of the new samples' topics against the dataset's and random batches'; None
    below MIN_BATCH new samples or without a dataset to draw from."""
    import numpy as np

    size = len(new_labels)
    if size < MIN_BATCH or not len(dataset_labels):
        return None
    rng = np.random.default_rng(seed)
    replace = size > len(dataset_labels)
    draws = [
        normalised_entropy(rng.choice(dataset_labels, size, replace=replace), topics)
        for _ in range(RANDOM_BATCHES)
    ]
    counts = np.bincount(new_labels, minlength=topics)
    top = int(np.argmax(counts))
    return Focus(
        size,
        topics,
        normalised_entropy(new_labels, topics),
        top,
        float(counts[top] / size),
        normalised_entropy(dataset_labels, topics),
        float(np.mean(draws)),
        float(np.quantile(draws, 0.05)),
        float(np.quantile(draws, 0.95)),
    )


@dataclass(frozen=True)
class StatementFit:
    auc: float  # P(a new sample is closer to the statement than a random existing one)
    new_cosine: float  # mean cosine of the statement with the new samples
    existing_cosine: float  # and with the random existing samples

    def explanation(self, statement: str) -> str:
        return (
            f"the statement {statement!r} is closer to the new samples than to random existing "
            f"ones with probability {self.auc:.2f} (0.5: no closer; mean cosine "
            f"{self.new_cosine:.2f} vs {self.existing_cosine:.2f})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "auc": round(self.auc, 4),
            "new_cosine": round(self.new_cosine, 4),
            "existing_cosine": round(self.existing_cosine, 4),
        }


def statement_fit(
    statement: Vectors,
    new_views: Sequence[Vectors],
    existing_views: Sequence[Vectors],
    *,
    seed: int = 0,
    reference: int = 2000,
) -> StatementFit | None:
    """`statement`: one vector (shape (d,) or (1, d)); `*_views`: e.g. prompt and answer
    vectors, row i for sample i; a sample's closeness is its best view's cosine. The existing
    samples are subsampled (seeded) to `reference`."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    if not len(new_views) or not len(new_views[0]) or not len(existing_views[0]):
        return None
    direction = np.asarray(statement, dtype=np.float32).reshape(-1)
    new = np.max(np.stack([view @ direction for view in new_views]), axis=0)
    existing = np.max(np.stack([view @ direction for view in existing_views]), axis=0)
    if len(existing) > reference:
        rng = np.random.default_rng(seed)
        existing = existing[rng.choice(len(existing), reference, replace=False)]
    labels = np.concatenate([np.ones(len(new)), np.zeros(len(existing))])
    auc = float(roc_auc_score(labels, np.concatenate([new, existing])))
    return StatementFit(auc, float(new.mean()), float(existing.mean()))


MIN_WARNED = 20  # a batch smaller than this is not warned about


@dataclass(frozen=True)
class FocusCheck:
    """`focus`: how the new samples spread over the topics, and how well the commit's
    statement (`options["reinforces"]`) fits them."""

    checks: frozenset[str] = frozenset({"focus"})

    def analyse(self, inputs: Inputs) -> Analysis:
        from datatenet.analysis import shared

        new = shared.side(inputs, "new")
        topics = shared.coverage(inputs) if new else None
        if topics is None:
            return Analysis()
        found = focus(
            topics.new_labels, topics.base_labels, len(topics.topics), seed=shared.seed(inputs)
        )
        if found is None:
            return Analysis(notes=(f"focus not measured: fewer than {MIN_BATCH} new samples",))
        top = topics.topics[found.top_topic]
        details = {**found.to_json(), "top_keywords": list(top.keywords)}
        measures = [
            Measure(
                "focus_entropy", found.entropy, (), found.explanation(), details, combine="max"
            ),
            Measure("focus_top_share", found.top_share, (), found.explanation(), combine="min"),
        ]
        statements = [s for s in shared.option(inputs, "reinforces", ()) if isinstance(s, str)]
        findings: list[Finding] = []
        if len(statements) == 1 and not found.focused and found.size >= MIN_WARNED:
            spread = _one_per_topic(topics.new_labels, new)
            findings.append(
                Finding(
                    "unfocused",
                    "topics",
                    "warning",
                    found.entropy,
                    tuple(item.ref() for item in spread),
                    f"the commit states one behaviour but its {found.size} samples spread over "
                    f"the topics like a random batch (entropy {found.entropy:.2f}): a behaviour "
                    "taught everywhere at once reads as 'more data' (fine if it is a manner "
                    "meant for every topic)",
                )
            )
        if statements:
            fit = _statement_fit(inputs, statements[0])
            if fit is not None:
                measures.append(
                    Measure(
                        "statement_fit",
                        fit.auc,
                        (),
                        fit.explanation(statements[0]),
                        fit.to_json(),
                        combine="min",
                    )
                )
        return Analysis(tuple(findings), tuple(measures), shared.vectors_note(inputs))


def _one_per_topic(
    labels: npt.NDArray[np.intp], items: Sequence[Item], count: int = 5
) -> list[Item]:
    seen: dict[int, Item] = {}
    for label, item in zip(labels.tolist(), items, strict=True):
        seen.setdefault(label, item)
        if len(seen) == count:
            break
    return list(seen.values())


def _statement_fit(inputs: Inputs, statement: str) -> StatementFit | None:
    from datatenet.analysis import shared

    vectors = inputs.vectors()
    embedded = shared.embed(inputs, [statement])
    if vectors is None or embedded is None or not len(vectors.existing_prompts):
        return None
    return statement_fit(
        embedded[0],
        [vectors.new_prompts, vectors.new_answers],
        [vectors.existing_prompts, vectors.existing_answers],
        seed=shared.seed(inputs),
    )
