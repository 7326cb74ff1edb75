"""The analyzer that compares samples pair by pair: the duplicate tiers and the conflict check,
one verdict per pair (analysis/pair_verdicts.py)."""

from __future__ import annotations

from datatenet.analysis.pair_verdicts import PairVerdicts

__all__ = ["PairVerdicts"]
