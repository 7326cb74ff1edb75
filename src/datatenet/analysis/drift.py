"""Style drift: are the new answers written like the old ones?

Two views of the same question:
- per descriptor (`descriptor_tests`): which descriptors moved, by how much, and is it more
  than chance;
- one headline score, the cross-validated AUC of a classifier telling new answers from old
  (`separability`): 0.5 is the same style, 1.0 a style of its own. It reads the text (character
  n-grams) and the descriptors, so it also reacts to new content; `descriptor_auc`, from the
  descriptors alone, is the part that is style only.

The drift is *flagged* when the AUC reaches `AUC_FLAG` and at least one descriptor shift is
significant (bench/drift_calibration.py measures both on random splits and on rewritten
batches). Characteristic words (`words.characteristic_words`) and the most typical answers of
each side show a reviewer what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from datatenet.analysis.base import Analysis, Inputs
from datatenet.analysis.corpus import Item
from datatenet.analysis.findings import Finding
from datatenet.analysis.measures import Measure
from datatenet.analysis.style_phrases import DEFAULT_PHRASES, PhraseLists

if TYPE_CHECKING:
    from datatenet.analysis.descriptor_tests import DescriptorShift
    from datatenet.analysis.style import Descriptors

MIN_SAMPLES = 20  # per side; see analysis/descriptor_tests.py for the tests' own defaults
ALPHA = 0.01
MIN_EFFECT = 0.1

AUC_FLAG = 0.7
EXAMPLES = 3


@dataclass(frozen=True)
class DriftSettings:
    min_samples: int = MIN_SAMPLES
    alpha: float = ALPHA
    min_effect: float = MIN_EFFECT
    auc_flag: float = AUC_FLAG
    seed: int = 0
    phrases: PhraseLists = DEFAULT_PHRASES


@dataclass(frozen=True)
class StyleDrift:
    base_size: int
    head_size: int
    auc: float | None  # text and descriptors; None: too few samples to tell
    descriptor_auc: float | None  # descriptors alone
    shifts: tuple[DescriptorShift, ...]
    words_base: tuple[tuple[str, float], ...]  # (word, z) most characteristic of each side
    words_head: tuple[tuple[str, float], ...]
    examples_base: tuple[int, ...]  # indices into the base texts
    examples_head: tuple[int, ...]  # indices into the head texts
    flagged: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def significant(self) -> tuple[DescriptorShift, ...]:
        return tuple(shift for shift in self.shifts if shift.significant)

    def explanation(self) -> str:
        """One line: the score and what moved most."""
        if self.auc is None:
            return "style drift not measured: " + "; ".join(self.notes)
        moved = ", ".join(shift.explanation for shift in self.significant[:2])
        verdict = "a different style" if self.flagged else "no clear style change"
        detail = f"; {moved}" if moved else ""
        return (
            f"new answers tell apart from the old ones with AUC {self.auc:.2f} "
            f"(0.5: same style): {verdict}{detail}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "base_samples": self.base_size,
            "head_samples": self.head_size,
            "auc": _round(self.auc),
            "descriptor_auc": _round(self.descriptor_auc),
            "flagged": self.flagged,
            "descriptors": [shift.to_json() for shift in self.shifts],
            "words": {
                "base": [{"word": w, "z": z} for w, z in self.words_base],
                "head": [{"word": w, "z": z} for w, z in self.words_head],
            },
            "notes": list(self.notes),
        }


def style_drift(
    base_texts: Sequence[str],
    head_texts: Sequence[str],
    *,
    base_descriptors: Descriptors | None = None,
    head_descriptors: Descriptors | None = None,
    settings: DriftSettings = DriftSettings(),
) -> StyleDrift:
    """Compare the style of `head_texts` (e.g. the added answers) with `base_texts` (the
    answers already there). Descriptors are computed unless given."""
    from datatenet.analysis.descriptor_tests import compare_descriptors
    from datatenet.analysis.separability import MIN_PER_SIDE, separability
    from datatenet.analysis.style import describe
    from datatenet.analysis.words import characteristic_words

    base = base_descriptors or describe(base_texts, phrases=settings.phrases)
    head = head_descriptors or describe(head_texts, phrases=settings.phrases)
    notes: list[str] = []
    shifts = compare_descriptors(
        base,
        head,
        min_samples=settings.min_samples,
        alpha=settings.alpha,
        min_effect=settings.min_effect,
    )
    if min(len(base_texts), len(head_texts)) < settings.min_samples:
        notes.append(
            f"descriptors not tested: {min(len(base_texts), len(head_texts))} samples on one "
            f"side, at least {settings.min_samples} needed"
        )
    features_base, features_head = base.matrix(), head.matrix()
    full = separability(base_texts, head_texts, features_base, features_head, seed=settings.seed)
    alone = separability(
        base_texts, head_texts, features_base, features_head, use_text=False, seed=settings.seed
    )
    if full is None:
        notes.append(f"no classifier: fewer than {MIN_PER_SIDE} samples on one side")
    examples_base: tuple[int, ...] = ()
    examples_head: tuple[int, ...] = ()
    if full is not None:
        typical_base, typical_head = full.examples(EXAMPLES)
        examples_base, examples_head = tuple(typical_base), tuple(typical_head)
    sample = _sample_texts(base_texts, settings.seed), _sample_texts(head_texts, settings.seed)
    words_head, words_base = characteristic_words(sample[1], sample[0])
    auc = None if full is None else full.auc
    flagged = auc is not None and auc >= settings.auc_flag and any(s.significant for s in shifts)
    return StyleDrift(
        len(base_texts),
        len(head_texts),
        auc,
        None if alone is None else alone.auc,
        tuple(shifts),
        tuple(words_base),
        tuple(words_head),
        examples_base,
        examples_head,
        flagged,
        tuple(notes),
    )


def _sample_texts(texts: Sequence[str], seed: int, limit: int = 2000) -> list[str]:
    import numpy as np

    if len(texts) <= limit:
        return list(texts)
    picked = np.sort(np.random.default_rng(seed).choice(len(texts), limit, replace=False))
    return [texts[i] for i in picked]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class StyleDriftCheck:
    """`style`: the new answers against the base version's (existing and removed), and the
    descriptors of the base version against the head's."""

    checks: frozenset[str] = frozenset({"style"})

    def analyse(self, inputs: Inputs) -> Analysis:
        from datatenet.analysis import shared
        from datatenet.analysis.style import describe

        if not inputs.corpus.new or not (inputs.corpus.existing or inputs.corpus.removed):
            return Analysis()
        options = shared.table(inputs, "style")
        settings = DriftSettings(
            **{k: v for k, v in options.items() if k in _SETTINGS},
            seed=shared.seed(inputs),
            phrases=shared.phrases(inputs),
        )
        sides = _described_sides(inputs, settings.seed)
        new, removed, existing = sides["new"], sides["removed"], sides["existing"]
        base = (*existing, *removed)

        def described(items: Sequence[Item], field: str) -> Descriptors:
            return describe([getattr(item, field) for item in items], phrases=settings.phrases)

        answers = {name: described(items, "response") for name, items in sides.items()}
        base_answers = _concat(answers["existing"], answers["removed"])
        drift = style_drift(
            [item.response for item in base],
            [item.response for item in new],
            base_descriptors=base_answers,
            head_descriptors=answers["new"],
            settings=settings,
        )
        if drift.auc is None:
            return Analysis(notes=tuple(f"style drift: {note}" for note in drift.notes))
        # the versions at one sampling rate, so the sampled existing samples keep their weight
        rate = len(existing) / max(1, len(inputs.corpus.existing))
        at_rate = {n: _at_rate(answers[n], rate, settings.seed) for n in ("removed", "new")}
        shifts = {
            "version_shifts": _significant(
                _concat(answers["existing"], at_rate["removed"]),
                _concat(answers["existing"], at_rate["new"]),
                settings,
            ),
            "prompt_shifts": _significant(
                described(base, "prompt"), described(new, "prompt"), settings
            ),
            "system_shifts": _significant(
                described(base, "system"), described(new, "system"), settings
            ),
        }
        typical_new = [new[i] for i in drift.examples_head]
        typical_old = [base[i] for i in drift.examples_base]
        details = {
            **drift.to_json(),
            "examples": {
                "head": [shared.ref_json(item) for item in typical_new],
                "base": [shared.ref_json(item) for item in typical_old],
            },
            **shifts,
        }
        evidence = tuple(shared.evidence_line(i, "a typical new answer") for i in typical_new)
        measures = (
            Measure("style_drift_auc", drift.auc, evidence, drift.explanation(), details, "max"),
            Measure(
                "style_drift_descriptors",
                float(len(drift.significant)),
                tuple(shift.explanation for shift in drift.significant),
                f"{len(drift.significant)} answer descriptor(s) changed significantly",
                combine="max",
            ),
        )
        findings: tuple[Finding, ...] = ()
        if drift.flagged:
            refs = tuple(item.ref() for item in (*typical_new, *typical_old))
            findings = (
                Finding(
                    "style-drift",
                    "classifier",
                    "warning",
                    drift.auc,
                    refs,
                    drift.explanation(),
                    {"auc": drift.auc, "descriptor_auc": drift.descriptor_auc or 0.0},
                    details={"descriptors": ", ".join(s.name for s in drift.significant)},
                ),
            )
        return Analysis(findings, measures, drift.notes)


_SETTINGS = frozenset({"min_samples", "alpha", "min_effect", "auc_flag"})
MAX_DESCRIBED = 5000  # per side: the tests and the classifier need no more


def _described_sides(inputs: Inputs, seed: int) -> dict[str, tuple[Item, ...]]:
    """The samples whose descriptors are compared: the existing ones sampled (seeded) down to
    MAX_DESCRIBED, the removed and new ones up to that many each."""
    import numpy as np

    from datatenet.analysis import shared

    rng = np.random.default_rng(seed)
    out = {}
    for name in ("existing", "removed", "new"):
        items = shared.side(inputs, name)
        if len(items) > MAX_DESCRIBED:
            picked = np.sort(rng.choice(len(items), MAX_DESCRIBED, replace=False))
            items = tuple(items[i] for i in picked)
        out[name] = items
    return out


def _at_rate(descriptors: Descriptors, rate: float, seed: int) -> Descriptors:
    import numpy as np

    if rate >= 1 or not len(descriptors):
        return descriptors
    keep = max(1, round(len(descriptors) * rate))
    picked = np.sort(np.random.default_rng(seed).choice(len(descriptors), keep, replace=False))
    return descriptors.take(picked)


def _concat(first: Descriptors, second: Descriptors) -> Descriptors:
    from datatenet.analysis.style import Descriptors

    return Descriptors.concat([first, second])


def _significant(base: Descriptors, head: Descriptors, settings: DriftSettings) -> list[Any]:
    from datatenet.analysis.descriptor_tests import compare_descriptors

    shifts = compare_descriptors(
        base,
        head,
        min_samples=settings.min_samples,
        alpha=settings.alpha,
        min_effect=settings.min_effect,
    )
    return [shift.to_json() for shift in shifts if shift.significant]
