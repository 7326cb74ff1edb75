"""The sections of the HTML report, and which finding kinds and measures each shows."""

from __future__ import annotations

from dataclasses import dataclass

# Findings whose samples illustrate them (typical new answers, a new topic's samples) rather
# than pair one sample with another: shown side by side without word differences.
EXAMPLE_KINDS = ("style-drift", "coverage-shift", "unfocused", "boundary")
PAIR_LABELS = {
    "contamination": ("training", "eval"),
    "expression-instability": ("new", "similar prompt"),
}


@dataclass(frozen=True)
class SectionSpec:
    id: str
    title: str
    kinds: tuple[str, ...]  # finding kinds shown here
    prefixes: tuple[str, ...]  # measure names shown here (by prefix)
    about: str


SECTIONS = (
    SectionSpec(
        "pairs",
        "Duplicates and contradictions",
        (
            "exact-duplicate",
            "near-duplicate",
            "semantic-duplicate",
            "possible-duplicate",
            "contradiction",
        ),
        (
            "exact_dup",
            "near_dup",
            "semantic_dup",
            "possible_dup",
            "duplicates",
            "added_duplicate",
            "contradiction",
        ),
        "A duplicate silently up-weights its signal; a contradiction teaches two behaviours.",
    ),
    SectionSpec(
        "style",
        "Style drift",
        ("style-drift", "expression-instability"),
        ("style", "expression"),
        "Whether the new answers are written like the existing ones.",
    ),
    SectionSpec(
        "coverage",
        "Coverage",
        ("coverage-shift",),
        ("coverage", "topic", "new_topic"),
        "Which topics the change grows or shrinks.",
    ),
    SectionSpec(
        "focus",
        "Focus",
        ("unfocused",),
        ("focus", "unfocused", "reinforces", "statement"),
        "Whether the new samples teach one behaviour or a bit of everything.",
    ),
    SectionSpec(
        "boundaries",
        "Boundaries",
        ("boundary",),
        ("boundar", "behaviour", "marker", "counter"),
        "Where a behaviour must fire, and where it must not.",
    ),
    SectionSpec(
        "contamination",
        "Eval contamination",
        ("contamination",),
        ("eval", "contamination", "narrow"),
        "Training samples copied from the evaluation sets.",
    ),
    SectionSpec(
        "noise",
        "Noise and invalid records",
        ("noise",),
        ("noise", "invalid", "empty", "truncat", "placeholder"),
        "Empty, truncated or templated answers, and records that could not be read.",
    ),
)
SECTION_IDS = ("verdict", "statement", "counts", *(s.id for s in SECTIONS), "measures", "notes")
