"""The thresholds of the duplicate and conflict checks, from `[thresholds]` in the config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from datatenet.errors import DatatenetError


@dataclass(frozen=True)
class Thresholds:
    near_duplicate: float = 0.8  # Jaccard of shingle sets
    # Cosine, prompt and answer both. Not the 0.95 first planned: with all-MiniLM-L6-v2, 0.95
    # caught 3 of 15 written paraphrases; 0.87 catches 11 and flags none of the 985 distinct
    # samples of a general dataset (bench/semantic_calibration.py).
    semantic_duplicate: float = 0.87
    conflict_prompt: float = 0.95  # cosine of prompts for "the same question"
    conflict_answer: float = 0.7  # answers below this cosine diverge
    conflict_answer_lexical: float = 0.3  # without embeddings: Jaccard of answer shingles

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
