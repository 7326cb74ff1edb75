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
        from datatenet.embeddings.base import EmbeddingsUnavailable

        model = inputs.pair_model()
        config = inputs.config
        try:
            findings = pair_findings(
                inputs.corpus,
                config.checks,
                config.thresholds,
                minhash_dir=inputs.minhash_dir(),
                pair_model=model,
            )
        except EmbeddingsUnavailable as exc:  # the model failed on the texts it was given
            inputs.skip(exc.reason)
            model = None
            findings = pair_findings(
                inputs.corpus, config.checks, config.thresholds, minhash_dir=inputs.minhash_dir()
            )
        summary = model.summary() if model is not None else ""
        return Analysis(tuple(findings), runtime=(summary,) if summary else ())
