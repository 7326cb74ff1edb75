"""The thresholds of the duplicate and conflict checks, from `[thresholds]` in the config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from datatenet.errors import DatatenetError


@dataclass(frozen=True)
class Thresholds:
    """Every number that decides a verdict; the defaults are calibrated on the labelled pairs
    of bench/judgement/ (bench/judgement.py --sweep NAME=…; figures in the README)."""

    near_duplicate: float = 0.8  # Jaccard of shingle sets
    near_answer: float = 0.5  # ... and of the answers: a near copy keeps its answer
    # Cosine, prompt and answer both, when the answers' decisive content cannot be compared.
    semantic_duplicate: float = 0.85
    # ... when both answers commit to the same result (a final number, yes/no, a label)
    semantic_same_result: float = 0.75
    # Below the duplicate thresholds, down to this: a "possible duplicate" (info, never gated).
    possible_duplicate: float = 0.8
    # Where the model does not read the text (analysis/character_pairs.py): Dice of the character
    # pairs of prompts and last turns, and of answers, for a possible duplicate.
    paraphrase_prompt_characters: float = 0.45
    paraphrase_answer_characters: float = 0.35
    # cosine of prompts and of last user turns: "the same question" (for decisive content only)
    conflict_prompt: float = 0.85
    conflict_answer: float = 0.7  # answers below this cosine diverge, when nothing decisive says
    conflict_answer_lexical: float = 0.3  # without embeddings: Jaccard of answer words

    @classmethod
    def from_config(cls, table: Mapping[str, Any], where: str = "[thresholds]") -> Thresholds:
        known = {f.name for f in fields(cls)}
        values: dict[str, float] = {}
        for name, value in table.items():
            if name not in known:
                raise DatatenetError(
                    f"{where}: unknown threshold {name!r}", f"known: {', '.join(sorted(known))}"
                )
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise DatatenetError(
                    f"{where}: {name} must be a number between 0 and 1, not {value!r}",
                    f"e.g. {name} = {getattr(cls, name)}",
                )
            values[name] = float(value)
        return cls(**values)
