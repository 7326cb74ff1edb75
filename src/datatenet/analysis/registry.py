"""The analyzers, in the order they run, and how `--checks` selects them.

Adding an analysis takes one module with an analyzer (see `analysis/base.py: Analyzer`) and one
entry in `ANALYZERS`; its check names become valid for `--checks`.
"""

from __future__ import annotations

from collections.abc import Mapping

from datatenet.analysis.base import CHECKS, Analysis, AnalysisConfig, Analyzer, Inputs
from datatenet.analysis.boundaries import BoundariesCheck
from datatenet.analysis.contamination import ContaminationCheck
from datatenet.analysis.corpus import Corpus
from datatenet.analysis.coverage import CoverageCheck
from datatenet.analysis.drift import StyleDriftCheck
from datatenet.analysis.focus import FocusCheck
from datatenet.analysis.noise import NoiseCheck
from datatenet.analysis.pairs import PairVerdicts
from datatenet.analysis.stability import ExpressionStabilityCheck
from datatenet.errors import DatatenetError
from datatenet.progress import STATUS_DELAY_S, shared

ANALYZERS: tuple[Analyzer, ...] = (
    PairVerdicts(),
    ContaminationCheck(),
    NoiseCheck(),
    StyleDriftCheck(),
    ExpressionStabilityCheck(),
    CoverageCheck(),
    FocusCheck(),
    BoundariesCheck(),
)
ALL_CHECKS: tuple[str, ...] = tuple(
    dict.fromkeys((*CHECKS, *(name for a in ANALYZERS for name in sorted(a.checks))))
)
# The check that measures each gate metric of the analyses (gates.py), so that a hook runs the
# analyses its configured gates need and no more.
METRIC_CHECKS: Mapping[str, str] = {
    "exact_duplicates": "exact",
    "near_duplicates": "near",
    "semantic_duplicates": "semantic",
    "contradictions": "conflicts",
    "eval_contamination": "contamination",
    "narrow_world_auc": "contamination",
    "noise": "noise",
    "noise_share": "noise",
    "style_drift_auc": "style",
    "style_drift_descriptors": "style",
    "expression_divergence": "stability",
    "coverage_shift": "coverage",
    "new_topics": "coverage",
    "focus_entropy": "focus",
    "focus_top_share": "focus",
    "statement_fit": "focus",
    "behaviour_shown": "boundaries",
    "counter_examples": "boundaries",
}
GROUPS: Mapping[str, tuple[str, ...]] = {
    "duplicates": ("exact", "near", "semantic"),
    "drift": ("style", "stability", "coverage", "focus", "boundaries"),
    "all": ALL_CHECKS,
    "none": (),
}


def parse_checks(text: str | None) -> frozenset[str]:
    """`--checks exact,near` -> {"exact", "near"}; None -> every check."""
    if text is None:
        return frozenset(ALL_CHECKS)
    chosen: set[str] = set()
    for name in filter(None, (part.strip() for part in text.split(","))):
        if name in GROUPS:
            chosen.update(GROUPS[name])
        elif name in ALL_CHECKS:
            chosen.add(name)
        else:
            raise DatatenetError(
                f"--checks: unknown check {name!r}",
                f"checks: {', '.join(ALL_CHECKS)}; groups: {', '.join(GROUPS)}",
            )
    return frozenset(chosen)


def analyse(corpus: Corpus, config: AnalysisConfig) -> Analysis:
    """Run every selected analyzer on the corpus, sharing what they compute."""
    if not corpus.new or not config.checks:
        return Analysis()
    inputs = Inputs(corpus, config)
    progress = shared()
    results: list[Analysis] = []
    for analyzer in ANALYZERS:
        chosen = analyzer.checks & config.checks
        if chosen:
            checks = ", ".join(sorted(chosen))
            with progress.status(f"{checks} ({len(corpus.new)} new)", delay=STATUS_DELAY_S):
                results.append(analyzer.analyse(inputs))
    return Analysis.combine(
        [*results, Analysis(notes=tuple(inputs.notes), runtime=inputs.runtime())]
    )
