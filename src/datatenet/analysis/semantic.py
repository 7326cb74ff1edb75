"""The semantic tier: a new sample that says the same as another one in other words.

A sample is a semantic duplicate of another when both its prompt and its answer are close in
embedding space: cosine at or above the threshold for the prompts *and* for the answers (a
similar question with a different answer is a conflict, not a duplicate; a similar answer to a
different question is just a common answer). Every new sample gets at most one finding: its best
match (by the smaller of the two cosines) among the existing samples, or else among the earlier
new samples, so a group of paraphrases does not chain into a cluster.

Pairs of samples with the same id (identical training content) are left to the exact tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from datatenet.analysis.corpus import Corpus, Item
from datatenet.analysis.findings import Finding
from datatenet.embeddings.base import Embedder
from datatenet.embeddings.language import language_warning
from datatenet.embeddings.search import Matches, best_matches

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class CorpusVectors:
    """The vectors of a corpus: prompts and answers, row i for item i of `new` / `existing`;
    last user turns for everyone (existing then new, as `Corpus.everyone`), or None when every
    prompt is a single turn."""

    new_prompts: Vectors
    new_answers: Vectors
    existing_prompts: Vectors
    existing_answers: Vectors
    questions: Vectors | None = None

    @cached_property
    def prompts(self) -> Vectors:
        """Every prompt vector, existing then new."""
        return _stacked(self.existing_prompts, self.new_prompts)

    @cached_property
    def answers(self) -> Vectors:
        return _stacked(self.existing_answers, self.new_answers)

    @property
    def last_turns(self) -> Vectors:
        return self.prompts if self.questions is None else self.questions


def _stacked(first: Vectors, second: Vectors) -> Vectors:
    if not len(first):
        return second
    return second if not len(second) else np.vstack((first, second))


def corpus_vectors(corpus: Corpus, embedder: Embedder) -> CorpusVectors:
    """Embed the prompts and answers of a corpus (and the last user turns of conversations) in
    one call to the embedder, so that a cached embedder embeds each distinct text once. May
    raise EmbeddingsUnavailable."""
    new, existing = corpus.new, corpus.existing
    everyone = corpus.everyone
    texts = [
        *(item.prompt for item in new),
        *(item.response for item in new),
        *(item.prompt for item in existing),
        *(item.response for item in existing),
    ]
    if not texts:
        empty = np.zeros((0, 0), dtype=np.float32)
        return CorpusVectors(empty, empty, empty, empty)
    conversations = any(item.question is not None for item in everyone)
    if conversations:
        texts += [item.last_turn for item in everyone]
    vectors = embedder.embed(texts)
    a, b = len(new), len(existing)
    return CorpusVectors(
        vectors[:a],
        vectors[a : 2 * a],
        vectors[2 * a : 2 * a + b],
        vectors[2 * a + b : 2 * (a + b)],
        vectors[2 * (a + b) :] if conversations else None,
    )


def semantic_duplicates(
    corpus: Corpus,
    embedder: Embedder,
    threshold: float,
    vectors: CorpusVectors | None = None,
) -> list[Finding]:
    """One finding for every new sample whose prompt and answer both reach `threshold` cosine
    with another sample's. Pass `vectors` (from `corpus_vectors`) to reuse embeddings computed
    for another check. Raises EmbeddingsUnavailable when texts must be embedded and cannot be."""
    if not corpus.new:
        return []
    if vectors is None:
        vectors = corpus_vectors(corpus, embedder)
    new, existing = corpus.new, corpus.existing
    codes: dict[str, int] = {}
    new_keys = np.array([codes.setdefault(i.sample_id, len(codes)) for i in new], dtype=np.int64)
    old_keys = np.array(
        [codes.setdefault(i.sample_id, len(codes)) for i in existing], dtype=np.int64
    )
    queries = [vectors.new_prompts, vectors.new_answers]
    earlier = best_matches(queries, None, threshold, query_keys=new_keys)
    against: Matches | None = None
    if existing:
        against = best_matches(
            queries,
            [vectors.existing_prompts, vectors.existing_answers],
            threshold,
            query_keys=new_keys,
            base_keys=old_keys,
        )
    findings: list[Finding] = []
    for i, sample in enumerate(new):
        if against is not None and against.index[i] >= 0:
            other, match, also_new = existing[int(against.index[i])], against, False
        elif earlier.index[i] >= 0:
            other, match, also_new = new[int(earlier.index[i])], earlier, True
        else:
            continue
        prompt_cosine = _unit(match.views[i, 0])
        answer_cosine = _unit(match.views[i, 1])
        findings.append(
            Finding.pair(
                kind="semantic-duplicate",
                tier="semantic",
                severity="warning",
                score=min(prompt_cosine, answer_cosine),
                sample=sample.ref(),
                matched=other.ref(),
                explanation=_explain(other, prompt_cosine, answer_cosine, also_new, corpus),
                scores={"prompt_cosine": prompt_cosine, "answer_cosine": answer_cosine},
            )
        )
    return findings


def corpus_language_warning(corpus: Corpus, model: str) -> str | None:
    """The note for a mostly-CJK corpus embedded with an English-only model (or None)."""
    return language_warning(
        (text for item in (*corpus.new, *corpus.existing) for text in (item.prompt, item.response)),
        model,
    )


def _unit(value: np.float32 | float) -> float:
    return min(1.0, max(0.0, float(value)))


def _explain(other: Item, prompt: float, answer: float, also_new: bool, corpus: Corpus) -> str:
    where = other.origin or f"sample {other.sample_id[:12]}"
    if also_new and not corpus.is_scan:
        where += " (also added in this change)"
    return (
        f"says the same as {where} in other words (prompt cosine {prompt:.3f}, answer cosine "
        f"{answer:.3f}): a paraphrase repeats the same signal and gives it extra weight in training"
    )
