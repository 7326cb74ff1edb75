"""Conflicting answers: the same situation taught two ways.

- SFT data: the same prompt (same prompt id, or prompt cosine >= conflict_prompt with
  embeddings) answered by answers that diverge (answer cosine < conflict_answer; without
  embeddings, word-set Jaccard < conflict_answer_lexical).
- Preference data: a pair reversed against another sample, or the answer one sample prefers
  rejected by another for the same prompt.
- Labelled data (KTO): the same prompt and answer marked both desirable and undesirable.
Preference and labelled data legitimately hold several answers per prompt, so the divergent
answer rule applies to SFT samples only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from datatenet.analysis.corpus import Corpus, Item
from datatenet.analysis.findings import Finding
from datatenet.analysis.normalize import normalize, tokens
from datatenet.analysis.thresholds import Thresholds

if TYPE_CHECKING:
    from datatenet.analysis.semantic import CorpusVectors, Vectors

WHY = "the model is taught two behaviours for one situation"


def find_conflicts(
    corpus: Corpus, thresholds: Thresholds, vectors: CorpusVectors | None = None
) -> list[Finding]:
    findings: list[Finding] = []
    reported: set[tuple[str, str]] = set()
    for finding in (
        *_preference_conflicts(corpus),
        *_label_conflicts(corpus),
        *_answer_conflicts(corpus, thresholds, vectors),
    ):
        pair = (finding.sample.origin, finding.matched.origin if finding.matched else "")
        if pair not in reported:  # one finding per pair, the most specific rule first
            reported.add(pair)
            findings.append(finding)
    return findings


def _key(text: str) -> str:
    """Texts equal after the exact tier's normalisation share a key."""
    return hashlib.blake2b(normalize(text).encode(), digest_size=12).hexdigest()


def _preference_conflicts(corpus: Corpus) -> list[Finding]:
    findings: list[Finding] = []
    by_prompt: dict[str, list[Item]] = {}
    for item in corpus.existing:
        if item.rejected is not None:
            by_prompt.setdefault(item.prompt_id, []).append(item)
    for item in corpus.new:
        if item.rejected is None:
            continue
        chosen, rejected = _key(item.response), _key(item.rejected)
        for other in by_prompt.get(item.prompt_id, ()):
            assert other.rejected is not None
            other_chosen, other_rejected = _key(other.response), _key(other.rejected)
            if (chosen, rejected) == (other_rejected, other_chosen):
                explanation = (
                    f"the same preference pair reversed: {other.origin} prefers the answer "
                    f"this sample rejects, and rejects the one it prefers — {WHY}"
                )
            elif chosen == other_rejected or rejected == other_chosen:
                explanation = (
                    f"for the same prompt, {other.origin} rejects the answer this sample "
                    f"prefers (or prefers the one it rejects) — {WHY}"
                )
            else:
                continue
            findings.append(_finding(item, other, "preference", 1.0, explanation, {}))
        by_prompt.setdefault(item.prompt_id, []).append(item)
    return findings


def _label_conflicts(corpus: Corpus) -> list[Finding]:
    findings: list[Finding] = []
    seen: dict[tuple[str, str], list[Item]] = {}
    for item in corpus.existing:
        if item.label is not None:
            seen.setdefault((item.prompt_id, _key(item.response)), []).append(item)
    for item in corpus.new:
        if item.label is None:
            continue
        key = (item.prompt_id, _key(item.response))
        for other in seen.get(key, ()):
            if other.label is not None and other.label != item.label:
                verdict = "desirable" if item.label else "undesirable"
                explanation = (
                    f"the same prompt and answer are labelled {verdict} here and the opposite "
                    f"at {other.origin} — {WHY}"
                )
                findings.append(_finding(item, other, "label", 1.0, explanation, {}))
                break
        seen.setdefault(key, []).append(item)
    return findings


def _answer_conflicts(
    corpus: Corpus, thresholds: Thresholds, vectors: CorpusVectors | None
) -> list[Finding]:
    """SFT items: same prompt (by id, or by cosine with vectors), answers that diverge."""
    findings: list[Finding] = []
    similar_prompts = _similar_prompts(corpus, thresholds, vectors)
    answer_similarity = _answer_similarity(corpus, vectors)
    by_prompt: dict[str, list[int]] = {}
    everyone: Sequence[Item] = (*corpus.existing, *corpus.new)
    offset = len(corpus.existing)
    for position, item in enumerate(corpus.existing):
        if _is_sft(item):
            by_prompt.setdefault(item.prompt_id, []).append(position)
    for index, item in enumerate(corpus.new):
        position = offset + index
        if not _is_sft(item):
            continue
        same = [(other, 1.0, "prompt-id") for other in by_prompt.get(item.prompt_id, ())]
        same += [(other, cosine, "semantic") for other, cosine in similar_prompts(index)]
        best: tuple[float, int, float, str] | None = None
        for other, prompt_score, tier in same:
            if other == position or not _is_sft(everyone[other]):
                continue
            if everyone[other].sample_id == item.sample_id:
                continue  # an exact copy: the duplicate checks report it
            similarity, kind = answer_similarity(position, other)
            limit = (
                thresholds.conflict_answer
                if kind == "cosine"
                else thresholds.conflict_answer_lexical
            )
            if similarity < limit and (best is None or similarity < best[0]):
                best = (similarity, other, prompt_score, tier)
        if best is not None:
            similarity, other, prompt_score, tier = best
            matched = everyone[other]
            measure = "cosine" if vectors is not None else "word overlap"
            same_how = "the same prompt" if tier == "prompt-id" else "a nearly identical prompt"
            explanation = (
                f"{same_how} as {matched.origin}, answered differently (answer {measure} "
                f"{similarity:.2f}) — {WHY}"
            )
            scores = {"prompt_similarity": prompt_score, "answer_similarity": similarity}
            findings.append(_finding(item, matched, tier, prompt_score, explanation, scores))
        by_prompt.setdefault(item.prompt_id, []).append(position)
    return findings


def _is_sft(item: Item) -> bool:
    return item.rejected is None and item.label is None and bool(item.response)


def _similar_prompts(
    corpus: Corpus, thresholds: Thresholds, vectors: CorpusVectors | None
) -> Callable[[int], list[tuple[int, float]]]:
    """new index -> [(position in existing+new, prompt cosine)] at or above the threshold:
    existing prompts, and new prompts before it. One tiled pass (embeddings.search)."""
    if vectors is None:
        return lambda index: []
    from datatenet.embeddings.search import pairs_above

    offset = len(corpus.existing)
    similar: dict[int, list[tuple[int, float]]] = {}
    # (base, where its rows sit among existing+new): existing prompts, then earlier new ones.
    searches: list[tuple[Vectors | None, int]] = [(None, offset)]
    if offset:
        searches.insert(0, (vectors.existing_prompts, 0))
    for base, shift in searches:
        rows, columns, scores = pairs_above(vectors.new_prompts, base, thresholds.conflict_prompt)
        for row, column, score in zip(
            rows.tolist(), columns.tolist(), scores.tolist(), strict=True
        ):
            similar.setdefault(row, []).append((shift + column, score))
    return lambda index: similar.get(index, [])


def _answer_similarity(
    corpus: Corpus, vectors: CorpusVectors | None
) -> Callable[[int, int], tuple[float, str]]:
    everyone: Sequence[Item] = (*corpus.existing, *corpus.new)
    if vectors is not None:
        import numpy as np

        answers = np.vstack([vectors.existing_answers, vectors.new_answers])
        return lambda a, b: (float(answers[a] @ answers[b]), "cosine")

    words: dict[int, set[str]] = {}  # each answer tokenised once, however often compared

    def answer_words(position: int) -> set[str]:
        found = words.get(position)
        if found is None:
            found = words[position] = set(tokens(normalize(everyone[position].response)))
        return found

    def lexical(a: int, b: int) -> tuple[float, str]:
        return _jaccard(answer_words(a), answer_words(b)), "lexical"

    return lexical


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _finding(
    item: Item,
    other: Item,
    tier: str,
    score: float,
    explanation: str,
    scores: dict[str, float],
) -> Finding:
    return Finding.pair(
        "contradiction", tier, "error", score, item.ref(), other.ref(), explanation, scores
    )
