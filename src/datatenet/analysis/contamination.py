"""Eval contamination: training samples that copy held-out evaluation samples.

Every new training sample is compared with every eval sample by the duplicate tiers of
`analysis/duplicates.py` (exact, near) and `analysis/semantic.py` (semantic), twice:
- whole samples (prompt and answer), which finds a copied pair with its reference answer;
- prompts alone, which finds a copied question answered anew, and the common eval set that
  has questions only (the prompt stands in as the answer, so the tiers' rules for empty answers
  do not apply).
Every copy is one finding with both origins, the training sample first, kind `contamination`,
severity error. A training sample copying several eval samples names the closest.

"Narrow world": how well a classifier tells eval prompts from training prompts
(`separability`): an AUC near 0.5 means the eval set was drawn from the same narrow world as
the training data, so it measures recall of that world rather than generalisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet.analysis.base import Analysis, Inputs
from datatenet.analysis.corpus import Corpus, Item
from datatenet.analysis.findings import Finding, SampleRef
from datatenet.analysis.measures import Measure

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from datatenet.embeddings.base import Embedder

    Vectors = npt.NDArray[np.float32]

_TIER_ORDER = {"exact": 0, "near": 1, "semantic": 2}


@dataclass(frozen=True)
class EvalVectors:
    """Prompt and answer vectors of the training samples and of the eval samples."""

    train_prompts: Vectors
    train_answers: Vectors
    eval_prompts: Vectors
    eval_answers: Vectors


def eval_copies(
    training: Sequence[Item],
    evals: Sequence[Item],
    *,
    near_threshold: float,
    semantic_threshold: float,
    vectors: EvalVectors | None = None,
    embedder: Embedder | None = None,
    cache_dir: Path | None = None,
) -> list[Finding]:
    """One contamination finding per training sample that copies an eval sample."""
    from datatenet.analysis import duplicates

    if not training or not evals:
        return []
    eval_keys = {(item.origin, item.sample_id) for item in evals}
    prompt_only_eval = [_prompt_only(item) for item in evals]
    prompt_only_train = [_prompt_only(item) for item in training]
    found: list[tuple[Finding, str]] = []
    for train, against, view in (
        (tuple(training), tuple(evals), "sample"),
        (tuple(prompt_only_train), tuple(prompt_only_eval), "prompt"),
    ):
        corpus = Corpus(train, against)
        # The signature cache is keyed by sample id: the prompt-only stand-ins keep their
        # sample's id, so caching them would hand the full samples their prompts' signatures.
        cached = cache_dir if view == "sample" else None
        lexical = duplicates.duplicates(corpus, near_threshold, cache_dir=cached)
        found += [(finding, view) for finding in lexical]
        if vectors is not None and embedder is not None:
            found += [
                (finding, view)
                for finding in _semantic(corpus, embedder, semantic_threshold, vectors, view)
            ]
    refs = {(item.origin, item.sample_id): item.ref() for item in (*training, *evals)}
    best: dict[str, Finding] = {}
    for finding, view in found:
        matched = finding.matched
        if matched is None or (matched.origin, matched.sample_id) not in eval_keys:
            continue  # a copy among the training samples: the duplicate checks report it
        candidate = _contamination(finding, view, refs)
        known = best.get(finding.sample.origin + finding.sample.sample_id)
        if known is None or _rank(candidate) < _rank(known):
            best[finding.sample.origin + finding.sample.sample_id] = candidate
    return sorted(best.values(), key=lambda f: (f.sample.origin, -f.score))


def _prompt_only(item: Item) -> Item:
    return replace(item, response=item.prompt, rejected=None, label=None)


def _semantic(
    corpus: Corpus, embedder: Embedder, threshold: float, vectors: EvalVectors, view: str
) -> list[Finding]:
    from datatenet.analysis.semantic import CorpusVectors, semantic_duplicates

    if view == "sample":
        views = CorpusVectors(
            vectors.train_prompts, vectors.train_answers, vectors.eval_prompts, vectors.eval_answers
        )
    else:  # the prompt stands in for the answer, as in the texts
        views = CorpusVectors(
            vectors.train_prompts, vectors.train_prompts, vectors.eval_prompts, vectors.eval_prompts
        )
    return semantic_duplicates(corpus, embedder, threshold, views)


def _rank(finding: Finding) -> tuple[int, int, float]:
    tier, _, view = finding.tier.partition("/")
    return _TIER_ORDER.get(tier, 3), 0 if view == "sample" else 1, -finding.score


def _contamination(finding: Finding, view: str, refs: dict[tuple[str, str], SampleRef]) -> Finding:
    """The duplicate finding as a contamination, pointing at the samples as they are (not at
    their prompt-only stand-ins)."""
    matched = finding.matched
    assert matched is not None  # eval_copies keeps pair findings only
    sample = refs[(finding.sample.origin, finding.sample.sample_id)]
    copied = refs[(matched.origin, matched.sample_id)]
    what = "a copy" if finding.tier == "exact" else f"a {finding.tier} copy"
    of = "of the prompt of" if view == "prompt" else "of"
    score = f" ({_score_text(finding)})" if finding.tier != "exact" else ""
    return Finding.pair(
        "contamination",
        f"{finding.tier}/{view}",
        "error",
        finding.score,
        sample,
        copied,
        f"{what} {of} eval sample {copied.origin}{score}: the evaluation would measure "
        "memory, not skill",
        dict(finding.scores),
    )


def _score_text(finding: Finding) -> str:
    if finding.scores:
        return ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in finding.scores.items())
    return f"similarity {finding.score:.2f}"


def narrow_world_auc(
    eval_prompts: Sequence[str], training_prompts: Sequence[str], seed: int = 0
) -> float | None:
    """Cross-validated AUC of telling eval prompts from training prompts (None: too few)."""
    from datatenet.analysis.separability import separability

    found = separability(training_prompts, eval_prompts, seed=seed)
    return None if found is None else found.auc


@dataclass(frozen=True)
class ContaminationCheck:
    """`contamination`: the new training samples against the corpus's eval samples."""

    checks: frozenset[str] = frozenset({"contamination"})

    def analyse(self, inputs: Inputs) -> Analysis:
        from datatenet.analysis import shared

        corpus = inputs.corpus
        if not corpus.eval or not corpus.new:
            return Analysis()
        thresholds = inputs.config.thresholds
        vectors = None
        model = inputs.vectors()
        embedder = inputs.embedder()
        if model is not None:
            eval_prompts = shared.embed(inputs, [item.prompt for item in corpus.eval])
            eval_answers = shared.embed(inputs, [item.response for item in corpus.eval])
            if eval_prompts is not None and eval_answers is not None:
                vectors = EvalVectors(
                    model.new_prompts, model.new_answers, eval_prompts, eval_answers
                )
        findings = eval_copies(
            corpus.new,
            corpus.eval,
            near_threshold=thresholds.near_duplicate,
            semantic_threshold=thresholds.semantic_duplicate,
            vectors=vectors,
            embedder=embedder,
            cache_dir=inputs.minhash_dir(),
        )
        training = [item.prompt for item in (*corpus.existing, *corpus.new)]
        auc = narrow_world_auc([item.prompt for item in corpus.eval], training, shared.seed(inputs))
        measures = []
        if auc is not None:
            measures.append(
                Measure(
                    "narrow_world_auc",
                    auc,
                    (),
                    f"eval prompts tell apart from training prompts with AUC {auc:.2f} (0.5: "
                    "drawn from the same narrow world, so the eval measures recall of it)",
                    {"eval_samples": len(corpus.eval), "training_samples": len(training)},
                    combine="min",
                )
            )
        return Analysis(tuple(findings), tuple(measures))
