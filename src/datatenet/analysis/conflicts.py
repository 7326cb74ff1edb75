"""Conflicting answers: the same situation taught two ways.

- SFT data: the same question answered with an incompatible answer. The answers' decisive
  content decides first (analysis/decisive.py: "final answer 21 vs 24", "yes vs no"); where
  neither commits to anything comparable, answers diverge below `conflict_answer` cosine (or
  `conflict_answer_lexical` word overlap without a model). See analysis/pair_judge.py.
- Preference data: a pair reversed against another sample, or the answer one sample prefers
  rejected by another for the same prompt (here, literally; pair_judge.py also finds it in other
  words, by decisive content).
- Labelled data (KTO): the same prompt and answer marked both desirable and undesirable.
Preference and labelled data legitimately hold several answers per prompt, so the divergent
answer rule applies to SFT samples only.

The verdicts are the pair analysis's (analysis/pair_verdicts.py), which also keeps a
contradiction from being reported as a duplicate; `find_conflicts` runs it for this check alone.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from datatenet.analysis.corpus import Corpus, Item
from datatenet.analysis.findings import Finding
from datatenet.analysis.normalize import normalize
from datatenet.analysis.pair_judge import WHY
from datatenet.analysis.thresholds import Thresholds

if TYPE_CHECKING:
    from datatenet.analysis.semantic import CorpusVectors

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def find_conflicts(
    corpus: Corpus,
    thresholds: Thresholds,
    vectors: CorpusVectors | None = None,
    model: str = DEFAULT_MODEL,
) -> list[Finding]:
    """The contradictions of a corpus (one per new sample at most). With `vectors` (of `model`),
    similar prompts count as the same question and answers compare by cosine."""
    from datatenet.analysis.pair_verdicts import pair_findings

    return pair_findings(corpus, frozenset({"conflicts"}), thresholds, vectors, model)


def _key(text: str) -> str:
    """Texts equal after the exact tier's normalisation share a key."""
    return hashlib.blake2b(normalize(text).encode(), digest_size=12).hexdigest()


Literal = tuple[int, int, str, str]  # (new position, other position, tier, explanation)


def literal_conflicts(corpus: Corpus) -> list[Literal]:
    """Reversed preference pairs and opposite labels, as positions in existing + new."""
    return [*_preference_conflicts(corpus), *_label_conflicts(corpus)]


def _preference_conflicts(corpus: Corpus) -> list[Literal]:
    found: list[Literal] = []
    by_prompt: dict[str, list[int]] = {}
    everyone = corpus.everyone
    for position, item in enumerate(everyone):
        if item.rejected is None:
            continue
        if position >= len(corpus.existing):
            chosen, rejected = _key(item.response), _key(item.rejected)
            for other in by_prompt.get(item.prompt_id, ()):
                before = everyone[other]
                assert before.rejected is not None
                other_chosen, other_rejected = _key(before.response), _key(before.rejected)
                if (chosen, rejected) == (other_rejected, other_chosen):
                    explanation = (
                        f"the same preference pair reversed: {_where(before)} prefers the answer "
                        f"this sample rejects, and rejects the one it prefers — {WHY}"
                    )
                elif chosen == other_rejected or rejected == other_chosen:
                    explanation = (
                        f"for the same prompt, {_where(before)} rejects the answer this sample "
                        f"prefers (or prefers the one it rejects) — {WHY}"
                    )
                else:
                    continue
                found.append((position, other, "preference", explanation))
        by_prompt.setdefault(item.prompt_id, []).append(position)
    return found


def _label_conflicts(corpus: Corpus) -> list[Literal]:
    found: list[Literal] = []
    seen: dict[tuple[str, str], list[int]] = {}
    everyone = corpus.everyone
    for position, item in enumerate(everyone):
        if item.label is None:
            continue
        key = (item.prompt_id, _key(item.response))
        if position >= len(corpus.existing):
            for other in seen.get(key, ()):
                before = everyone[other]
                if before.label is not None and before.label != item.label:
                    verdict = "desirable" if item.label else "undesirable"
                    explanation = (
                        f"the same prompt and answer are labelled {verdict} here and the "
                        f"opposite at {_where(before)} — {WHY}"
                    )
                    found.append((position, other, "label", explanation))
                    break
        seen.setdefault(key, []).append(position)
    return found


def _where(item: Item) -> str:
    return item.origin or f"sample {item.sample_id[:12]}"
