"""One verdict for a pair of samples, from all the evidence gathered on it.

The order (the first that holds is the verdict; a pair never gets two):

1. an exact copy (decided by the exact tier before a pair gets here);
2. the same question answered with an incompatible answer: a contradiction, whatever the
   surface similarity ("#### 21" against "#### 24" is one word apart);
3. a near copy: nearly the same text, the answer nearly the same too;
4. the same question (or the same in other words) with a compatible answer in other words: a
   semantic duplicate; the same question answered in another style with the same result (a
   short answer against a worked solution) is a restyle, not a finding;
5. nothing.

"The same question": the same prompt id; with a model,
prompts and last user turns both at `conflict_prompt` cosine or above, unless the questions give
other numbers or name other entities (analysis/decisive.py: compare_questions). "Incompatible":
the answers' decisive content differs (compare_answers: "final answer 21 vs 24", "yes vs no");
when neither commits to anything comparable and the prompts are the same, the answers are
compared by similarity (cosine below `conflict_answer`, or word overlap below
`conflict_answer_lexical` without a model): two similar but distinct questions answered
differently are no evidence of a contradiction. The same decisive content is never one.
Cosines count only where the model reads the texts' language and neither text is empty; where
it does not, prompts and answers sharing enough character pairs make at most a possible
duplicate (analysis/character_pairs.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from datatenet.analysis.corpus import Item
from datatenet.analysis.decisive import Comparison, compare_answers, compare_questions
from datatenet.analysis.findings import FindingKind, Severity
from datatenet.analysis.normalize import normalize, shingles, tokens
from datatenet.analysis.thresholds import Thresholds

WHY = "the model is taught two behaviours for one situation"


@dataclass(frozen=True)
class Evidence:
    """What is known of a pair (new sample, other sample)."""

    same_prompt: bool = False  # the same prompt id
    jaccard: float | None = None  # whole texts' shingles, when the near tier verified it
    prompt_cosine: float | None = None  # None: no model, or not a text it reads
    question_cosine: float | None = None  # of the last user turns
    answer_cosine: float | None = None  # of the (chosen) answers
    # Dice of character pairs, where the model does not read a side (analysis/character_pairs.py)
    prompt_characters: float | None = None
    question_characters: float | None = None
    answer_characters: float | None = None

    @classmethod
    def of(cls, known: Mapping[str, float]) -> Evidence:
        """From what the tiers and the model gathered on a pair (analysis/pair_verdicts.py)."""
        return cls(
            bool(known.get("same_prompt")),
            known.get("jaccard"),
            known.get("prompt_cosine"),
            known.get("question_cosine"),
            known.get("answer_cosine"),
            known.get("prompt_characters"),
            known.get("question_characters"),
            known.get("answer_characters"),
        )


@dataclass(frozen=True)
class Verdict:
    kind: FindingKind
    tier: str
    severity: Severity
    score: float
    explanation: str  # what was found, "{where}" standing for the other sample
    scores: dict[str, float] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)


def judge(new: Item, other: Item, evidence: Evidence, thresholds: Thresholds) -> Verdict | None:
    """The verdict on a new sample against another (exact copies are decided before)."""
    return _judge(new, other, evidence, thresholds, *_compared(new, other))


# The model's cosines a verdict can rest on, at the values that take every branch of `judge`:
# each is compared with thresholds only, and "same question" (prompt and question cosines high),
# a diverging answer (answer cosine low) and the semantic score (their minimum) are the branches.
_PROBES = ((1.0, 1.0, 1.0), (0.0, 0.0, 0.0), (1.0, 1.0, 0.0), (0.0, 0.0, 1.0))


def settled_without_model(
    new: Item, other: Item, evidence: Evidence, thresholds: Thresholds
) -> bool:
    """Whether the verdict on a pair is the same whatever the model's cosines, and without
    them: then the model need not embed its texts (analysis/pair_model.py). `evidence` is the
    lexical evidence; a cosine is probed where the model would give one (neither text empty)."""
    compared = _compared(new, other)
    prompts = bool(new.prompt.strip() and other.prompt.strip())
    answers = bool(new.response.strip() and other.response.strip())
    verdict = _judge(new, other, evidence, thresholds, *compared)
    for prompt, question, answer in _PROBES:
        probed = replace(
            evidence,
            prompt_cosine=prompt if prompts else None,
            question_cosine=question if prompts else None,
            answer_cosine=answer if answers else None,
        )
        if _judge(new, other, probed, thresholds, *compared) != verdict:
            return False
    return True


def _compared(new: Item, other: Item) -> tuple[Comparison, Comparison]:
    answers = compare_answers(other.response, new.response)
    questions = compare_questions(other.last_turn, new.last_turn, (other.response, new.response))
    return answers, questions


def _judge(
    new: Item,
    other: Item,
    evidence: Evidence,
    thresholds: Thresholds,
    answers: Comparison,
    questions: Comparison,
) -> Verdict | None:
    kinds = _data_kind(new), _data_kind(other)
    same, how = _same_question(evidence, questions, thresholds)
    if same and kinds[0] == kinds[1] == "sft":
        conflict = _answer_conflict(new, other, answers, evidence, thresholds, how)
        if conflict is not None:
            return conflict
    if same and kinds[0] == kinds[1] == "preference":
        conflict = _preference_conflict(new, other, how)
        if conflict is not None:
            return conflict
    near = _near_copy(new, other, evidence, answers, questions, thresholds)
    if near is not None:
        return near
    labels = (new.label, other.label)
    return _semantic(evidence, answers, questions, kinds[0] == kinds[1], labels, thresholds)


def _data_kind(item: Item) -> str:
    if item.rejected is not None:
        return "preference"
    return "labelled" if item.label is not None else "sft"


def _same_question(
    evidence: Evidence, questions: Comparison, thresholds: Thresholds
) -> tuple[bool, str]:
    if evidence.same_prompt:
        return True, "prompt-id"
    cosines = (evidence.prompt_cosine, evidence.question_cosine)
    if any(c is None or c < thresholds.conflict_prompt for c in cosines):
        return False, ""
    return not questions.different, "semantic"


def _answer_conflict(
    new: Item,
    other: Item,
    answers: Comparison,
    evidence: Evidence,
    thresholds: Thresholds,
    how: str,
) -> Verdict | None:
    same_how = "the same prompt" if how == "prompt-id" else "a nearly identical prompt"
    scores = _prompt_scores(evidence)
    if answers.different:
        return Verdict(
            "contradiction",
            how,
            "error",
            1.0,
            f"{same_how} as {{where}}, answered otherwise: {answers.reason} — {WHY}",
            scores,
            {"decisive": answers.reason},
        )
    if answers.same or not new.response.strip() or not other.response.strip():
        return None  # a restyle with the same result, or no answer to compare
    if how != "prompt-id":
        return None  # a question in other words: only decisive content is evidence enough
    if evidence.answer_cosine is not None:
        similarity, limit, measure = (
            evidence.answer_cosine,
            thresholds.conflict_answer,
            "cosine",
        )
    else:
        similarity, limit, measure = (
            word_overlap(other.response, new.response),
            thresholds.conflict_answer_lexical,
            "word overlap",
        )
    if similarity >= limit:
        return None
    return Verdict(
        "contradiction",
        how,
        "error",
        scores.get("prompt_similarity", 1.0),
        f"{same_how} as {{where}}, answered differently (answer {measure} {similarity:.2f})"
        f" — {WHY}",
        {**scores, "answer_similarity": similarity},
    )


def _prompt_scores(evidence: Evidence) -> dict[str, float]:
    if evidence.same_prompt:
        return {"prompt_similarity": 1.0}
    cosines = [c for c in (evidence.prompt_cosine, evidence.question_cosine) if c is not None]
    return {"prompt_similarity": min(cosines)} if cosines else {}


def _preference_conflict(new: Item, other: Item, how: str) -> Verdict | None:
    """The answer one pair prefers, the other rejects, in other words: the preferred answers
    commit to different things, and the one preferred here is the one rejected there (or the
    reverse). The literal cases are analysis/conflicts.py's."""
    assert new.rejected is not None and other.rejected is not None
    preferred = compare_answers(other.response, new.response)
    if not preferred.different:
        return None
    crossed = (
        compare_answers(other.rejected, new.response),
        compare_answers(other.response, new.rejected),
    )
    if not any(c.same for c in crossed):
        return None
    return Verdict(
        "contradiction",
        "preference" if how == "prompt-id" else how,
        "error",
        1.0,
        f"for the same prompt, {{where}} rejects in other words the answer this sample prefers"
        f" ({preferred.reason}) — {WHY}",
        {},
        {"decisive": preferred.reason},
    )


def _near_copy(
    new: Item,
    other: Item,
    evidence: Evidence,
    answers: Comparison,
    questions: Comparison,
    thresholds: Thresholds,
) -> Verdict | None:
    if evidence.jaccard is None or evidence.jaccard < thresholds.near_duplicate:
        return None
    if answers.different or (questions.different and not answers.same):
        return None  # another result, or another question: not a copy
    if new.response.strip() or other.response.strip():
        kept = answer_jaccard(other.response, new.response)
        if kept < thresholds.near_answer:
            return None  # the same context, another answer (a conversation continued)
    return Verdict(
        "near-duplicate",
        "near",
        "warning",
        evidence.jaccard,
        "near copy",
        {"jaccard": evidence.jaccard},
    )


def _semantic(
    evidence: Evidence,
    answers: Comparison,
    questions: Comparison,
    same_data_kind: bool,
    labels: tuple[bool | None, bool | None],
    thresholds: Thresholds,
) -> Verdict | None:
    # Preference pairs: the prompt and the chosen answer (a pair repeating the preferred answer
    # repeats its signal, whatever it is preferred to).
    if not same_data_kind or labels[0] != labels[1]:
        return None  # (KTO: the same answer marked good and bad is no duplicate)
    if answers.different or questions.different:
        return None  # another result or another question: never a duplicate
    details = {"decisive": answers.reason} if answers.same else {}
    cosines = [evidence.prompt_cosine, evidence.question_cosine, evidence.answer_cosine]
    if any(c is None for c in cosines):
        return _in_characters(evidence, details, thresholds)
    score = min(c for c in cosines if c is not None)
    limit = thresholds.semantic_same_result if answers.same else thresholds.semantic_duplicate
    scores = {
        "prompt_cosine": evidence.prompt_cosine or 0.0,
        "answer_cosine": evidence.answer_cosine or 0.0,
    }
    if evidence.same_prompt and answers.same and score < thresholds.semantic_duplicate:
        return None  # the same question answered in another style: a restyle
    if score >= limit:
        return Verdict("semantic-duplicate", "semantic", "warning", score, "", scores, details)
    if score >= thresholds.possible_duplicate:
        return Verdict("possible-duplicate", "semantic", "info", score, "", scores, details)
    return None


def _in_characters(
    evidence: Evidence, details: dict[str, str], thresholds: Thresholds
) -> Verdict | None:
    """Where the model does not read the texts: a possible duplicate when prompts, last turns
    and answers share enough of their character pairs (analysis/character_pairs.py) and the
    answers commit to nothing different (checked before)."""
    shares = (evidence.prompt_characters, evidence.question_characters, evidence.answer_characters)
    if shares[0] is None or shares[1] is None or shares[2] is None:
        return None
    prompt, answer = min(shares[0], shares[1]), shares[2]
    if prompt < thresholds.paraphrase_prompt_characters:
        return None
    if answer < thresholds.paraphrase_answer_characters:
        return None
    scores = {"prompt_characters": prompt, "answer_characters": answer}
    score = min(scores.values())
    return Verdict("possible-duplicate", "characters", "info", score, "", scores, details)


def word_overlap(first: str, second: str) -> float:
    """Jaccard of the word sets (characters, in scripts written without spaces)."""
    a, b = set(tokens(normalize(first))), set(tokens(normalize(second)))
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def answer_jaccard(first: str, second: str) -> float:
    """Jaccard of the shingles of two answers, as the near tier counts them."""
    a, b = set(shingles(normalize(first))), set(shingles(normalize(second)))
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
