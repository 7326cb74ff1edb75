"""Noise in new samples: what raw logs bring and training should never see.

Each problem is one finding pointing at its sample, explaining itself in one line:
- `empty`: an empty or whitespace-only answer, prompt or rejected answer (one finding per
  sample, naming every empty part; the duplicate checks never pair empty texts);
- `truncated`: an answer cut off mid-sentence (`truncation`);
- `placeholder`: an unresolved template placeholder ({{name}}, [Your Name], 【姓名】...);
- `echo`: an answer that repeats its prompt;
- `length`: an answer of extreme length (over LONG_CHARS characters and LONG_FACTOR times the
  median answer of the dataset), or with no word at all;
- `mojibake`: text decoded with the wrong encoding ("cafÃ©", "â€™", "锟斤拷") or holding the
  replacement character U+FFFD; ftfy's detector (a well-kept library for exactly this) plus the
  classic GBK artefacts it does not know;
- `hostile`: insults or shouting in an answer (the `hostile` phrases of `style_phrases`, or
  five words in capitals in a row). Runs of exclamation marks are no sign: GSM8K's answers all
  end on "!!!".

The rules are measured in bench/noise_calibration.py (planted problems for recall, real
answers of ../shared/data for false alarms).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from datatenet.analysis.base import Analysis, Inputs
from datatenet.analysis.findings import Finding
from datatenet.analysis.measures import Measure
from datatenet.analysis.style_phrases import DEFAULT_PHRASES, PhraseLists
from datatenet.analysis.truncation import truncation

LONG_CHARS = 20_000
LONG_FACTOR = 20
_GBK_ARTEFACTS = re.compile("锟斤拷|烫烫烫|屯屯屯|\ufffd")
_SHOUTING = re.compile(r"(?:\b[A-Z]{2,}\b[\s,.!?]+){4}\b[A-Z]{2,}\b")


@dataclass(frozen=True)
class NoiseHit:
    index: int  # the sample, in the order given
    problem: str  # empty, truncated, placeholder, echo, length, mojibake, hostile
    explanation: str  # one line


def find_noise(
    prompts: Sequence[str],
    answers: Sequence[str],
    *,
    rejected: Sequence[str | None] | None = None,
    systems: Sequence[str] | None = None,
    reference_lengths: Sequence[int] | None = None,
    phrases: PhraseLists = DEFAULT_PHRASES,
) -> list[NoiseHit]:
    """The problems of every sample i (`prompts[i]`, `answers[i]`, and for preference data
    `rejected[i]`). `reference_lengths`: answer lengths of the dataset, for the extreme-length
    rule (the answers themselves when not given)."""
    import numpy as np

    from datatenet.analysis.normalize import normalize_many
    from datatenet.analysis.style import describe, placeholders_in

    hits: list[NoiseHit] = []
    descriptors = describe(answers, phrases=phrases)
    lengths = reference_lengths if reference_lengths is not None else [len(a) for a in answers]
    median = float(np.median(lengths)) if len(lengths) else 0.0
    long_limit = max(LONG_CHARS, LONG_FACTOR * median)
    echoes = [
        bool(a) and a == p
        for p, a in zip(normalize_many(list(prompts)), normalize_many(list(answers)), strict=True)
    ]
    for i, (prompt, answer) in enumerate(zip(prompts, answers, strict=True)):
        other = rejected[i] if rejected is not None else None
        system = systems[i] if systems is not None else ""
        empty = _empty_parts(prompt, answer, other, system)
        if empty:
            hits.append(NoiseHit(i, "empty", f"empty {' and '.join(empty)}: it teaches nothing"))
        if not answer.strip():
            continue
        cut = truncation(answer)
        if cut:
            hits.append(NoiseHit(i, "truncated", f"the answer looks cut off: {cut}"))
        found = placeholders_in(answer) + placeholders_in(prompt)
        if found:
            shown = ", ".join(dict.fromkeys(found[:3]))
            hits.append(
                NoiseHit(
                    i,
                    "placeholder",
                    f"unresolved template placeholder {shown}: "
                    "the model would learn to write it literally",
                )
            )
        if echoes[i]:
            hits.append(NoiseHit(i, "echo", "the answer repeats the prompt: it teaches parroting"))
        if len(answer) > long_limit:
            hits.append(
                NoiseHit(
                    i,
                    "length",
                    f"the answer has {len(answer):,} characters, "
                    f"{len(answer) / max(median, 1):.0f}x the median answer",
                )
            )
        elif descriptors.numbers["words"][i] == 0:
            hits.append(NoiseHit(i, "length", f"the answer has no word: {answer.strip()[:20]!r}"))
        garbled = _mojibake(answer) or _mojibake(prompt)
        if garbled:
            hits.append(
                NoiseHit(
                    i, "mojibake", f"garbled text {garbled!r}: decoded with the wrong encoding"
                )
            )
        hostile = _hostility(answer, descriptors.numbers["hostile"][i], phrases)
        if hostile:
            hits.append(NoiseHit(i, "hostile", f"hostile or emotional answer: {hostile}"))
    return hits


def _empty_parts(prompt: str, answer: str, rejected: str | None, system: str) -> list[str]:
    parts = []
    if not prompt.strip() and not system.strip():
        parts.append("prompt")
    if not answer.strip():
        parts.append("answer")
    if rejected is not None and not rejected.strip():
        parts.append("rejected answer")
    return parts


def _mojibake(text: str) -> str:
    """The garbled stretch of `text`, or ""."""
    if text.isascii():
        return ""
    artefact = _GBK_ARTEFACTS.search(text)
    if artefact:
        return text[max(0, artefact.start() - 10) : artefact.end() + 10]
    from ftfy.badness import badness

    if badness(text) == 0:
        return ""
    for word in text.split():
        if badness(word):
            return word[:40]
    return text[:40]


def _hostility(answer: str, hostile_phrases: float, phrases: PhraseLists) -> str:
    if hostile_phrases:
        lowered = answer.lower()
        words = [p for p in phrases.hostile if p in lowered]
        return f"{int(hostile_phrases)} hostile phrase(s) ({', '.join(words[:3])})"
    shouting = _SHOUTING.search(answer)
    if shouting:
        return f"shouting {shouting.group()[:40]!r}"
    return ""


@dataclass(frozen=True)
class NoiseCheck:
    """`noise`: every problem of every new sample, one finding each."""

    checks: frozenset[str] = frozenset({"noise"})

    def analyse(self, inputs: Inputs) -> Analysis:
        from datatenet.analysis import shared

        new = shared.side(inputs, "new")
        if not new:
            return Analysis()
        existing = shared.side(inputs, "existing")
        reference = [len(item.response) for item in existing] if existing else None
        hits = find_noise(
            [item.prompt for item in new],
            [item.response for item in new],
            rejected=[item.rejected for item in new],
            systems=[item.system for item in new],
            reference_lengths=reference,
            phrases=shared.phrases(inputs),
        )
        findings = tuple(
            Finding("noise", hit.problem, "warning", 1.0, (new[hit.index].ref(),), hit.explanation)
            for hit in hits
        )
        noisy = len({hit.index for hit in hits})
        by_problem: dict[str, int] = {}
        for hit in hits:
            by_problem[hit.problem] = by_problem.get(hit.problem, 0) + 1
        summary = ", ".join(f"{count} {problem}" for problem, count in by_problem.items())
        measure = Measure(
            "noise_share",
            noisy / len(new),
            tuple(f"{new[h.index].origin}: {h.explanation}" for h in hits),
            f"{noisy} of {len(new)} new samples have a problem" + (f" ({summary})" if hits else ""),
            {"problems": by_problem, "samples": noisy},
            combine="max",
        )
        return Analysis(findings, (measure,))
