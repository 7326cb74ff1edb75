"""The analyzer that compares samples pair by pair: the duplicate tiers and the conflict check,
one verdict per pair (analysis/pair_verdicts.py, imported when the analyzer runs, so that a
command that analyses nothing loads no numpy)."""

from __future__ import annotations

from dataclasses import dataclass

from datatenet.analysis.base import Analysis, Inputs


@dataclass(frozen=True)
class PairVerdicts:
    """The duplicate tiers and the conflict check (analysis/pair_verdicts.py)."""

    checks: frozenset[str] = frozenset({"exact", "near", "semantic", "conflicts"})

    def analyse(self, inputs: Inputs) -> Analysis:
        from datatenet.analysis.pair_verdicts import pair_findings

        vectors = inputs.vectors()
        model = inputs.config.model if vectors is not None else None
        findings = pair_findings(
            inputs.corpus,
            inputs.config.checks,
            inputs.config.thresholds,
            vectors,
            model,
            inputs.minhash_dir(),
        )
        return Analysis(tuple(findings))
