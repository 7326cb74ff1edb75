"""Labelled pairs (bench/judgement/, tests/data/judgement_excerpt.jsonl) as one corpus, and the
recall and precision of a verdict on them: how the cascade is measured against the model alone
(tests/test_embeddings_fast.py, bench/cascade_calibration.py).

Each pair's existing sample and new sample are read by datatenet's own loader (a base file with
the existing sample, a head file appending the new one, the change between them), then all
pairs go into one corpus: every existing sample on one side, every new sample on the other.
The corpus is what the fast stage centres its vectors on and searches, as in a real dataset;
bench/judgement.py, which analyses each pair on its own, never reaches the fast stage.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datatenet.analysis.corpus import Corpus, Item, corpus_of_change
from datatenet.analysis.findings import Finding
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_file

Record = dict[str, Any]


@dataclass(frozen=True)
class Labelled:
    new: Item
    existing: Item
    expect: str  # "semantic-duplicate", "contradiction", ..., "none"
    kind: str
    lang: str
    data: str


def write(path: Path, records: Iterable[Record]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def labelled_corpus(
    pairs: Sequence[Record], directory: Path, background: Sequence[Item] = ()
) -> tuple[Corpus, list[Labelled]]:
    """One corpus of every pair (records with `existing`, `new`, `expect`, `kind`, `lang`,
    `data`), `background` samples among the existing ones. Pairs whose new sample is no change
    (the loader reads it as the same sample) are left out."""
    labelled = []
    for number, pair in enumerate(pairs):
        base = write(directory / f"{number}-base.jsonl", [pair["existing"]])
        head = write(directory / f"{number}-head.jsonl", [pair["existing"], pair["new"]])
        change = corpus_of_change(
            diff_versions(load_file(base, LoadOptions()), load_file(head, LoadOptions()))
        )
        if len(change.new) == 1 and len(change.existing) == 1:
            labelled.append(
                Labelled(
                    change.new[0],
                    change.existing[0],
                    pair["expect"],
                    pair["kind"],
                    pair["lang"],
                    pair["data"],
                )
            )
    existing = (*background, *(pair.existing for pair in labelled))
    return Corpus(tuple(pair.new for pair in labelled), existing), labelled


def verdicts(findings: Iterable[Finding], labelled: Sequence[Labelled]) -> list[set[str]]:
    """The kinds of the flagged findings (warnings and errors) each labelled pair got: a
    finding on its new sample naming its existing sample (or a copy of it)."""
    by_pair: dict[tuple[str, str], set[str]] = {}
    for finding in findings:
        if finding.matched is not None and finding.severity != "info":
            key = (finding.sample.origin, finding.matched.sample_id)
            by_pair.setdefault(key, set()).add(finding.kind)
    return [by_pair.get((p.new.origin, p.existing.sample_id), set()) for p in labelled]


def recall_precision(
    got: Sequence[set[str]], labelled: Sequence[Labelled], verdict: str
) -> tuple[float, float, int]:
    """Recall of `verdict` among the pairs that expect it, its precision among the labelled
    pairs given it, and how many pairs were given it."""
    expected = [p.expect == verdict for p in labelled]
    given = [verdict in g for g in got]
    right = sum(e and g for e, g in zip(expected, given, strict=True))
    recall = right / sum(expected) if any(expected) else 1.0
    precision = right / sum(given) if any(given) else 1.0
    return recall, precision, sum(given)
