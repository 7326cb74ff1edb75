"""Coverage shift: which topics a change makes more or less common, and what is new territory.

Topics are fitted on the base version (existing + removed samples; `topics.fit_topics`), the
head (existing + new samples) is assigned to them. New samples far from the base, or crowded
among other new samples (`topics`), are *new territory* when there are more of them than chance
allows: a random sample of the same data is far 5% of the time and crowded with the probability
of 8 heads in 10 draws at the new samples' share of the pool, so a binomial test at that rate
(p < 0.001, at least MIN_NEW_TOPIC samples) decides; those samples are then clustered into new
topics.
A topic of the base that keeps no sample in the head has *vanished*. One number sums it up: the
Jensen–Shannon distance between the base's and the head's topic shares (0: the same mix, 1:
nothing in common).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from datatenet.analysis.base import Analysis, Inputs
from datatenet.analysis.corpus import Item
from datatenet.analysis.findings import Finding
from datatenet.analysis.measures import Measure

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from datatenet.analysis.topics import Vectors

MIN_NEW_TOPIC = 5
NEW_TERRITORY_P = 0.001
MIN_BASE = 20  # below this many base samples there are no topics to compare with

Side = str  # "existing", "removed" or "new"


@dataclass(frozen=True)
class TopicShare:
    topic: int
    keywords: tuple[str, ...]
    base_count: int
    head_count: int
    base_share: float
    head_share: float
    examples: tuple[tuple[Side, int], ...]  # (side, index into that side)
    new: bool = False

    @property
    def vanished(self) -> bool:
        return self.base_count > 0 and self.head_count == 0

    @property
    def change(self) -> float:
        return self.head_share - self.base_share

    def label(self) -> str:
        words = ", ".join(self.keywords[:4]) or "no keywords"
        return f"{'new topic' if self.new else 'topic'} {self.topic} ({words})"

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "keywords": list(self.keywords),
            "base_count": self.base_count,
            "head_count": self.head_count,
            "base_share": round(self.base_share, 4),
            "head_share": round(self.head_share, 4),
            "change": round(self.change, 4),
            "new": self.new,
            "vanished": self.vanished,
        }


@dataclass(frozen=True)
class Coverage:
    topics: tuple[TopicShare, ...]
    distance: float  # Jensen–Shannon distance of the topic shares, base 2
    far_new: int  # new samples far from the base or crowded among new ones
    new_samples: int
    new_territory: bool
    far_cosine: float
    new_labels: npt.NDArray[np.intp] = field(repr=False)  # topic of each new sample
    base_labels: npt.NDArray[np.intp] = field(repr=False)  # topic of each base sample

    @property
    def new_topics(self) -> tuple[TopicShare, ...]:
        return tuple(topic for topic in self.topics if topic.new)

    @property
    def vanished_topics(self) -> tuple[TopicShare, ...]:
        return tuple(topic for topic in self.topics if topic.vanished)

    def explanation(self) -> str:
        moved = sorted(self.topics, key=lambda t: -abs(t.change))[:1]
        parts = [f"topic mix moved by Jensen–Shannon distance {self.distance:.3f}"]
        if self.new_topics:
            labels = "; ".join(t.label() for t in self.new_topics[:2])
            parts.append(f"{len(self.new_topics)} new topic(s): {labels}")
        if self.vanished_topics:
            parts.append(f"{len(self.vanished_topics)} topic(s) vanished")
        if moved and not self.new_topics:
            t = moved[0]
            parts.append(f"most changed: {t.label()} {t.base_share:.0%} -> {t.head_share:.0%}")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "distance": round(self.distance, 4),
            "far_new": self.far_new,
            "new_samples": self.new_samples,
            "new_territory": self.new_territory,
            "far_cosine": round(self.far_cosine, 4),
            "topics": [topic.to_json() for topic in self.topics],
        }


def coverage_shift(
    existing: Vectors,
    removed: Vectors,
    new: Vectors,
    prompts: Mapping[Side, Sequence[str]],
    *,
    seed: int = 0,
) -> Coverage | None:
    """The topics of base (existing + removed) and head (existing + new), from prompt vectors;
    `prompts[side]` are the texts for keywords. None when the base has fewer than MIN_BASE
    samples."""
    import numpy as np
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import binomtest

    from datatenet.analysis import topics as tp

    base = np.vstack([existing, removed]) if len(removed) else existing
    if len(base) < MIN_BASE:
        return None
    model = tp.fit_topics(base, seed=seed)
    k = model.k
    new_labels = model.assign(new)
    far = tp.nearest_base_cosine(new, base) < model.far_cosine
    crowded = tp.new_neighbours(base, new) >= tp.CROWDED
    far |= crowded
    far_count = int(far.sum())
    territory = bool(
        len(new)
        and far_count >= MIN_NEW_TOPIC
        and binomtest(
            far_count, len(new), _chance(len(base), len(new)), alternative="greater"
        ).pvalue
        < NEW_TERRITORY_P
    )
    extra = 0
    if territory:
        far_index = np.flatnonzero(far)
        # as many new topics as the base's topics of that size would make
        groups = tp.cluster(new[far_index], round(far_count * k / len(base)), seed)
        groups = _merge_small(groups)
        extra = int(groups.max()) + 1
        new_labels = new_labels.copy()
        new_labels[far_index] = k + groups
    total = k + extra
    n_existing = len(existing)
    base_counts = np.bincount(model.base_labels, minlength=total)
    head_counts = np.bincount(model.base_labels[:n_existing], minlength=total)
    head_counts += np.bincount(new_labels, minlength=total)
    base_share = base_counts / max(1, base_counts.sum())
    head_share = head_counts / max(1, head_counts.sum())
    distance = float(jensenshannon(base_share, head_share, base=2))
    documents = [*prompts["existing"], *prompts["removed"], *prompts["new"]]
    labels = np.concatenate([model.base_labels, new_labels])
    words = tp.keywords(documents, labels.tolist(), total)
    every = np.vstack([base, new]) if len(new) else base
    centroids = tp.centroids_of(every, labels, total)
    examples = tp.central_examples(every, labels, centroids)
    sides = _Sides(n_existing, len(removed))
    shares = tuple(
        TopicShare(
            topic,
            tuple(words[topic]),
            int(base_counts[topic]),
            int(head_counts[topic]),
            float(base_share[topic]),
            float(head_share[topic]),
            tuple(sides.of(i) for i in examples[topic]),
            new=topic >= k,
        )
        for topic in range(total)
    )
    return Coverage(
        shares,
        distance if np.isfinite(distance) else 0.0,
        far_count,
        len(new),
        territory,
        model.far_cosine,
        new_labels,
        model.base_labels,
    )


def _chance(base: int, new: int) -> float:
    """How often a new sample drawn like the base would be far or crowded."""
    from scipy.stats import binom

    from datatenet.analysis.topics import CROWD_NEIGHBOURS, CROWDED, FAR_QUANTILE

    pool = base + new
    m = min(CROWD_NEIGHBOURS, pool - 1)
    if m < 1:
        return 1.0
    new_share = (new - 1) / (pool - 1)
    crowded = float(binom.sf(round(CROWDED * m / CROWD_NEIGHBOURS) - 1, m, new_share))
    return min(1.0, FAR_QUANTILE + crowded)


@dataclass(frozen=True)
class _Sides:
    existing: int
    removed: int

    def of(self, index: int) -> tuple[Side, int]:
        if index < self.existing:
            return "existing", index
        if index < self.existing + self.removed:
            return "removed", index - self.existing
        return "new", index - self.existing - self.removed


def _merge_small(groups: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """Groups smaller than MIN_NEW_TOPIC join the largest group; labels renumbered 0..g-1."""
    import numpy as np

    counts = np.bincount(groups)
    largest = int(np.argmax(counts))
    merged = np.where(counts[groups] < MIN_NEW_TOPIC, largest, groups)
    _, renumbered = np.unique(merged, return_inverse=True)
    out: npt.NDArray[np.intp] = renumbered.astype(np.intp)
    return out


@dataclass(frozen=True)
class CoverageCheck:
    """`coverage`: the topic mix of the base version against the head's."""

    checks: frozenset[str] = frozenset({"coverage"})

    def analyse(self, inputs: Inputs) -> Analysis:
        from datatenet.analysis import shared

        base = len(shared.side(inputs, "existing")) + len(shared.side(inputs, "removed"))
        if not shared.side(inputs, "new") or not base:
            return Analysis()  # a scan, or a new dataset: no base to compare with
        found = shared.coverage(inputs)
        notes = shared.vectors_note(inputs)
        if found is None:
            return Analysis(
                notes=(*notes, f"coverage not measured: fewer than {MIN_BASE} base samples")
            )
        items = {name: shared.side(inputs, name) for name in shared.SIDES}

        def refs(topic: TopicShare) -> list[Item]:
            return [items[side][index] for side, index in topic.examples]

        details = found.to_json()
        details["vectors"] = shared.prompt_vectors(inputs).kind
        for entry, topic in zip(details["topics"], found.topics, strict=True):
            entry["examples"] = [shared.ref_json(item) for item in refs(topic)]
        findings: list[Finding] = []
        for topic in found.new_topics:
            count = topic.head_count
            findings.append(
                Finding(
                    "coverage-shift",
                    "topics",
                    "info",
                    topic.head_share,
                    tuple(item.ref() for item in refs(topic)),
                    f"new territory: {count} new samples about "
                    f"{', '.join(topic.keywords[:4]) or 'one subject'} where the base has "
                    "none like them",
                    details={"topic": str(topic.topic), "keywords": ", ".join(topic.keywords)},
                )
            )
        for topic in found.vanished_topics:
            if topic.base_count >= MIN_NEW_TOPIC and refs(topic):
                findings.append(
                    Finding(
                        "coverage-shift",
                        "topics",
                        "info",
                        topic.base_share,
                        tuple(item.ref() for item in refs(topic)),
                        f"topic vanished: all {topic.base_count} samples about "
                        f"{', '.join(topic.keywords[:4])} are gone",
                        details={"topic": str(topic.topic)},
                    )
                )
        evidence = tuple(f.explanation for f in findings)
        measures = (
            Measure(
                "coverage_shift", found.distance, evidence, found.explanation(), details, "max"
            ),
            Measure(
                "new_topics",
                float(len(found.new_topics)),
                evidence[: len(found.new_topics)],
                f"{len(found.new_topics)} new topic(s)",
                combine="max",
            ),
        )
        return Analysis(tuple(findings), measures, notes)
