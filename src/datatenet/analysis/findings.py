"""Finding: one observation about the data, with the samples a reviewer needs to check it.

A finding points at one sample (noise), two (a duplicate, a contradiction: the pair is the
common case) or several (a style drift shown by examples). The first sample of the evidence is
the one the finding is about: in a change, a new sample; in a scan, the later one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

FindingKind = Literal[
    "exact-duplicate",
    "near-duplicate",
    "semantic-duplicate",
    "possible-duplicate",
    "contradiction",
    "noise",
    "contamination",
    "style-drift",
    "expression-instability",
    "coverage-shift",
    "unfocused",
    "boundary",
]
Severity = Literal["error", "warning", "info"]
KINDS: tuple[str, ...] = get_args(FindingKind)
SEVERITIES: tuple[str, ...] = get_args(Severity)


@dataclass(frozen=True)
class SampleRef:
    """A sample a finding points at: where it is and what it says, briefly."""

    origin: str  # "data/train.jsonl:12" or "data/train.parquet row 3"
    sample_id: str
    prompt: str  # the beginning of the prompt (untrusted text: renderers escape it)
    response: str  # an excerpt of the answer
    # a conversation's last user turn, which the beginning of its prompt does not show
    last_turn: str | None = None


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    tier: str  # how it was found: "exact", "near", "semantic", "prompt-id", "preference", ...
    severity: Severity
    score: float  # the decisive similarity or strength (1.0 for exact), in [0, 1]
    evidence: tuple[SampleRef, ...]  # the sample it is about first, then what it matched
    explanation: str  # one line: what was found and why it matters
    scores: Mapping[str, float] = field(default_factory=dict)  # e.g. prompt/answer cosines
    copies: int | None = None  # how many times the sample now occurs, where that is the point
    details: Mapping[str, str] = field(default_factory=dict)  # e.g. {"decisive": "21 vs 24"}

    def __post_init__(self) -> None:
        if not self.evidence:
            raise ValueError("a finding points at one sample at least")

    @classmethod
    def pair(
        cls,
        kind: FindingKind,
        tier: str,
        severity: Severity,
        score: float,
        sample: SampleRef,
        matched: SampleRef,
        explanation: str,
        scores: Mapping[str, float] | None = None,
        copies: int | None = None,
        details: Mapping[str, str] | None = None,
    ) -> Finding:
        """The common case: a new sample and the sample it matched."""
        return cls(
            kind,
            tier,
            severity,
            score,
            (sample, matched),
            explanation,
            scores or {},
            copies,
            details or {},
        )

    @property
    def sample(self) -> SampleRef:
        return self.evidence[0]

    @property
    def matched(self) -> SampleRef | None:
        """The sample a pair finding matched; None for a finding about one sample."""
        return self.evidence[1] if len(self.evidence) > 1 else None

    def to_json(self) -> dict[str, Any]:
        matched = self.matched
        out: dict[str, Any] = {
            "kind": self.kind,
            "tier": self.tier,
            "severity": self.severity,
            "score": round(self.score, 4),
            "sample": ref_json(self.sample),
            "matched": None if matched is None else ref_json(matched),
            "explanation": self.explanation,
        }
        if len(self.evidence) > 2:
            out["evidence"] = [ref_json(ref) for ref in self.evidence]
        if self.scores:
            out["scores"] = {k: round(v, 4) for k, v in self.scores.items()}
        if self.copies is not None:
            out["copies"] = self.copies
        if self.details:
            out["details"] = dict(self.details)
        return out


def finding_from_json(data: Mapping[str, Any]) -> Finding:
    """The inverse of Finding.to_json (scores rounded as stored)."""
    if "evidence" in data:
        evidence = tuple(_ref_from_json(ref) for ref in data["evidence"])
    else:
        refs = [data["sample"], data.get("matched")]
        evidence = tuple(_ref_from_json(ref) for ref in refs if ref is not None)
    return Finding(
        data["kind"],
        data["tier"],
        data["severity"],
        float(data["score"]),
        evidence,
        data["explanation"],
        dict(data.get("scores", {})),
        data.get("copies"),
        dict(data.get("details", {})),
    )


def _ref_from_json(data: Mapping[str, str]) -> SampleRef:
    return SampleRef(
        data["origin"], data["id"], data["prompt"], data["response"], data.get("last_turn")
    )


def ref_json(ref: SampleRef) -> dict[str, str]:
    """A sample as the JSON documents show it (docs/json.md)."""
    out = {
        "origin": ref.origin,
        "id": ref.sample_id,
        "prompt": ref.prompt,
        "response": ref.response,
    }
    if ref.last_turn is not None:
        out["last_turn"] = ref.last_turn
    return out


def excerpt(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
