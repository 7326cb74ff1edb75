"""Finding: one observation about the data, with the evidence a reviewer needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "exact-duplicate",
    "near-duplicate",
    "semantic-duplicate",
    "contradiction",
)
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class SampleRef:
    """A sample a finding points at: where it is and what it says, briefly."""

    origin: str  # "data/train.jsonl:12" or "data/train.parquet row 3"
    sample_id: str
    prompt: str  # an excerpt of the prompt (untrusted text: renderers escape it)
    response: str  # an excerpt of the answer


@dataclass(frozen=True)
class Finding:
    kind: str  # one of KINDS
    tier: str  # how it was found: "exact", "near", "semantic", "prompt-id", "preference", ...
    severity: str  # one of SEVERITIES
    score: float  # the decisive similarity (1.0 for exact), in [0, 1]
    sample: SampleRef  # the new sample (in a scan: the later one)
    matched: SampleRef  # the existing sample it matched (in a scan: the earlier one)
    explanation: str  # one line: what was found and why it matters
    scores: Mapping[str, float] = field(default_factory=dict)  # e.g. prompt/answer cosines
    copies: int | None = None  # how many times the sample now occurs, where that is the point

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "tier": self.tier,
            "severity": self.severity,
            "score": round(self.score, 4),
            "sample": _ref(self.sample),
            "matched": _ref(self.matched),
            "explanation": self.explanation,
        }
        if self.scores:
            out["scores"] = {k: round(v, 4) for k, v in self.scores.items()}
        if self.copies is not None:
            out["copies"] = self.copies
        return out


def finding_from_json(data: Mapping[str, Any]) -> Finding:
    """The inverse of Finding.to_json (scores rounded as stored)."""
    return Finding(
        data["kind"],
        data["tier"],
        data["severity"],
        float(data["score"]),
        _ref_from_json(data["sample"]),
        _ref_from_json(data["matched"]),
        data["explanation"],
        dict(data.get("scores", {})),
        data.get("copies"),
    )


def _ref_from_json(data: Mapping[str, str]) -> SampleRef:
    return SampleRef(data["origin"], data["id"], data["prompt"], data["response"])


def _ref(ref: SampleRef) -> dict[str, str]:
    return {
        "origin": ref.origin,
        "id": ref.sample_id,
        "prompt": ref.prompt,
        "response": ref.response,
    }


def excerpt(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
