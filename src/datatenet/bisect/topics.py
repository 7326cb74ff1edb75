"""The first partition of a culprit's new samples for delta debugging: by dataset, then by
topic. A good partition only saves probes; any partition finds the same samples.

A topic is the value of a metadata field that names one (`topic`, `category`, `behaviour`, …)
when the samples carry such a field, and otherwise the word the sample's prompt shares with
the most other new samples (among words that at least two and at most half of them use): a
cheap, explainable grouping that needs no model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from datatenet.samples import Sample

TOPIC_FIELDS = (
    "topic",
    "category",
    "behaviour",
    "behavior",
    "task",
    "skill",
    "domain",
    "intent",
    "type",
    "source",
    "tags",
    "tag",
)
OTHER = "(other)"
_MIN_WORD = 4  # shorter words of spaced scripts are mostly function words
_STOPWORDS = frozenset(
    {
        "what",
        "when",
        "where",
        "which",
        "with",
        "that",
        "this",
        "have",
        "your",
        "from",
        "about",
        "does",
        "would",
        "could",
        "should",
        "there",
        "their",
        "they",
        "them",
        "then",
        "than",
        "into",
        "some",
        "more",
        "most",
        "very",
        "just",
        "also",
        "only",
        "will",
        "been",
        "were",
        "here",
        "please",
        "tell",
        "give",
        "make",
        "need",
        "want",
        "know",
        # pairs of characters that ask rather than name a topic (Chinese)
        "如何",
        "怎么",
        "什么",
        "哪里",
        "可以",
        "我的",
        "为什",
        "么办",
    }
)


@dataclass(frozen=True)
class Unit:
    """One new sample of the culprit: where it is and what it says."""

    dataset: str
    head_index: int  # entry index in the culprit's version
    base_index: int | None  # entry index of the sample it replaces (a modified sample)
    sample: Sample | None  # None when the content could not be re-read


@dataclass(frozen=True)
class Partition:
    groups: tuple[tuple[int, ...], ...]  # unit numbers
    labels: tuple[str, ...]
    basis: str  # how the groups were made, for the log


def partition(units: Sequence[Unit]) -> Partition:
    """Groups of unit numbers: one per dataset and topic, largest first."""
    by_dataset: dict[str, list[int]] = {}
    for number, unit in enumerate(units):
        by_dataset.setdefault(unit.dataset, []).append(number)
    grouped: dict[tuple[str, str], list[int]] = {}
    bases: set[str] = set()
    for dataset, numbers in by_dataset.items():
        labels, basis = _topics([units[n].sample for n in numbers])
        bases.add(basis)
        for number, label in zip(numbers, labels, strict=True):
            grouped.setdefault((dataset, label), []).append(number)
    several = len(by_dataset) > 1
    ordered = sorted(grouped.items(), key=lambda item: (-len(item[1]), item[0]))
    return Partition(
        tuple(tuple(numbers) for _, numbers in ordered),
        tuple(f"{d}: {t}" if several else t for (d, t), _ in ordered),
        ", ".join(sorted(bases)),
    )


def _topics(samples: Sequence[Sample | None]) -> tuple[list[str], str]:
    field = _topic_field(samples)
    if field is not None:
        return [_field_value(s, field) for s in samples], f"metadata field {field!r}"
    words = [_words(s) for s in samples]
    frequency = Counter(word for found in words for word in found)
    most = max(2, len(samples) // 2)
    labels = []
    for found in words:
        shared = [w for w in found if 2 <= frequency[w] <= most]
        labels.append(max(shared, key=lambda w: (frequency[w], w)) if shared else OTHER)
    if len(set(labels)) < 2:
        return [OTHER] * len(samples), "halves (no topics told apart)"
    return labels, "shared prompt words"


def _topic_field(samples: Sequence[Sample | None]) -> str | None:
    """The first topic field that most samples carry, with a few distinct values."""
    for field in TOPIC_FIELDS:
        values = [_field_value(s, field) for s in samples if s is not None and field in s.meta]
        if len(values) * 2 < len(samples):
            continue
        distinct = len(set(values))
        if 2 <= distinct <= max(2, len(samples) // 2):
            return field
    return None


def _field_value(sample: Sample | None, field: str) -> str:
    if sample is None or field not in sample.meta:
        return OTHER
    value = sample.meta[field]
    if isinstance(value, list):
        value = ",".join(sorted(map(str, value)))
    return str(value) or OTHER


def _words(sample: Sample | None) -> set[str]:
    from datatenet.analysis.normalize import normalize, tokens

    if sample is None:
        return set()
    found = tokens(normalize(sample.prompt_text))
    if found and sum(len(t) == 1 for t in found) * 2 > len(found):
        # a script written without spaces: single characters say little, pairs say more
        return {a + b for a, b in pairwise(found)} - _STOPWORDS
    return {t for t in found if len(t) >= _MIN_WORD and t not in _STOPWORDS}
