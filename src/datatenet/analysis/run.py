"""Entry points: analyse a change (its new samples against those it left alone) or a version.

Checks: `exact`, `near`, `semantic` (duplicate tiers) and `conflicts`; `duplicates` names the
three tiers, `all` everything available (the default), `none` nothing. `semantic` is the one
check that needs the `embeddings` extra and a model; `conflicts` compares prompts and answers
with its vectors when it runs, by word overlap otherwise. Without the extra or the model, the
other checks still run and the analysis carries a note saying why.
"""

from __future__ import annotations

from datatenet.analysis.base import Analysis, AnalysisConfig
from datatenet.analysis.corpus import Item, corpus_of_change, corpus_of_version
from datatenet.analysis.registry import analyse
from datatenet.diff import ChangeSet
from datatenet.version import Version


def analyse_change(
    changeset: ChangeSet, config: AnalysisConfig, eval_items: tuple[Item, ...] = ()
) -> Analysis:
    """The added and modified samples of a change against the samples it left alone."""
    if not config.checks or not (changeset.added or changeset.modified):
        return Analysis()
    return analyse(corpus_of_change(changeset, eval_items), config)


def analyse_version(version: Version, config: AnalysisConfig) -> Analysis:
    """`datatenet scan`: every sample against the others."""
    return analyse(corpus_of_version(version), config)
