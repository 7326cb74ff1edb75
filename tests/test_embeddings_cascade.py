"""The cascade, the joint pair search and the progress output, with fast stand-in embedders.

The real models (the ONNX export, the distilled static model) are exercised in
test_embeddings_fast.py; here deterministic bag-of-words embedders stand in for the fast stage
and the confirming model, so that the logic is tested in milliseconds.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from datatenet.analysis.corpus import Corpus
from datatenet.analysis.semantic import CorpusVectors, semantic_duplicates
from datatenet.embeddings.base import EmbeddingsUnavailable
from datatenet.embeddings.cache import CachedEmbedder
from datatenet.embeddings.cascade import cascade_vectors, fast_floor
from datatenet.embeddings.search import joint_pairs_above
from datatenet.progress import Progress
from tests.test_embeddings import BagOfWords, sample, unit


class Unavailable(BagOfWords):
    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        raise EmbeddingsUnavailable("model2vec is not installed")


def brute_pairs(
    q: list[npt.NDArray[np.float32]],
    b: list[npt.NDArray[np.float32]] | None,
    t: float,
    per_query: int | None,
) -> set[tuple[int, int]]:
    base = q if b is None else b
    s = np.minimum.reduce([qv @ bv.T for qv, bv in zip(q, base, strict=True)])
    if b is None:
        i = np.arange(len(q[0]))
        s[i[None, :] >= i[:, None]] = -np.inf
    found = set()
    for row in range(len(s)):
        cols = [c for c in np.argsort(-s[row], kind="stable") if s[row, c] >= np.float32(t)]
        found.update((row, int(c)) for c in cols[:per_query])
    return found


@pytest.mark.parametrize("per_query", [None, 1, 3])
@pytest.mark.parametrize("nb", [0, 70])
def test_joint_pairs_above_equal_brute_force(
    per_query: int | None, nb: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datatenet.embeddings.search as search

    monkeypatch.setattr(search, "QUERY_BLOCK", 16)
    monkeypatch.setattr(search, "BASE_BLOCK", 32)
    rng = np.random.default_rng(nb + (per_query or 0))
    q = [unit(rng, 60, 8), unit(rng, 60, 8)]
    b = [unit(rng, nb, 8), unit(rng, nb, 8)] if nb else None
    rows, cols, scores = joint_pairs_above(q, b, 0.3, per_query=per_query)
    assert len(rows) > 10
    assert set(zip(rows.tolist(), cols.tolist(), strict=True)) == brute_pairs(q, b, 0.3, per_query)
    base = q if b is None else b
    expected = np.minimum(
        np.einsum("ij,ij->i", q[0][rows], base[0][cols]),
        np.einsum("ij,ij->i", q[1][rows], base[1][cols]),
    )
    np.testing.assert_allclose(scores, expected, atol=1e-5)
    assert (np.lexsort((cols, rows)) == np.arange(len(rows))).all()  # ordered by row, column


def planted() -> Corpus:
    """Distinct existing samples, and new ones: a reworded copy of existing 1 (its words
    reordered, which the bag of words cannot tell apart), two new samples rewording each other,
    an unrelated one and an identical copy of existing 2 (the same id: the exact tier's)."""
    existing = tuple(
        sample(i, f"ask{i} about{i} topic{i} now", f"reply{i} with{i} detail{i}") for i in range(30)
    )
    new = (
        sample(100, "topic1 about1 ask1 now", "detail1 reply1 with1"),
        sample(101, "how do I reset my password", "open the settings page"),
        sample(102, "my password how do I reset", "the settings page open"),
        sample(103, "something else entirely", "with an unrelated reply"),
        sample(104, "ask2 about2 topic2 now", "reply2 with2 detail2", "id2"),
    )
    return Corpus(new, existing)


def run_cascade(corpus: Corpus, confirm: CachedEmbedder, fast: object, mode: str = "cascade"):  # type: ignore[no-untyped-def]
    return cascade_vectors(
        [i.prompt for i in corpus.new],
        [i.response for i in corpus.new],
        [i.prompt for i in corpus.existing],
        [i.response for i in corpus.existing],
        confirm,
        fast,  # type: ignore[arg-type]
        duplicate_threshold=0.9,
        new_keys=[i.sample_id for i in corpus.new],
        existing_keys=[i.sample_id for i in corpus.existing],
        mode=mode,
    )


def as_corpus_vectors(result) -> CorpusVectors:  # type: ignore[no-untyped-def]
    return CorpusVectors(
        result.new_prompts, result.new_answers, result.existing_prompts, result.existing_answers
    )


def test_cascade_confirms_only_candidates_and_finds_what_the_model_finds() -> None:
    corpus = planted()
    exact_model = BagOfWords(dimension=256, tag="-confirm")
    exact = run_cascade(corpus, CachedEmbedder(exact_model, None), None)
    assert exact.mode == "exact" and exact.candidates is None
    assert len(exact_model.embedded) == exact.texts == exact.texts_confirmed
    model = BagOfWords(dimension=256, tag="-confirm")
    result = run_cascade(corpus, CachedEmbedder(model, None), CachedEmbedder(BagOfWords(), None))
    assert result.mode == "cascade" and result.candidates is not None
    # new 0 rewords existing 1, new 2 rewords new 1; sample 104 has the id of existing 2: no pair
    pairs = set(
        zip(
            result.candidates.new.tolist(),
            result.candidates.other.tolist(),
            result.candidates.other_is_new.tolist(),
            strict=True,
        )
    )
    assert {(0, 1, False), (2, 1, True)} <= pairs
    assert (4, 2, False) not in pairs
    assert result.confirmed_new.tolist() == [True, True, True, False, False]
    assert result.confirmed_existing.tolist() == [i == 1 for i in range(30)]
    assert len(model.embedded) == result.texts_confirmed < exact.texts
    unconfirmed = ~result.confirmed_new
    assert not result.new_prompts[unconfirmed].any() and not result.new_answers[unconfirmed].any()
    confirmed = result.confirmed_new
    np.testing.assert_array_equal(result.new_prompts[confirmed], exact.new_prompts[confirmed])

    def found(vectors: CorpusVectors) -> list[tuple[str, str]]:
        findings = semantic_duplicates(corpus, CachedEmbedder(model, None), 0.9, vectors)
        return [(f.sample.origin, f.matched.origin) for f in findings]

    assert found(as_corpus_vectors(result)) == found(as_corpus_vectors(exact))
    assert found(as_corpus_vectors(result)) == [
        ("data.jsonl:100", "data.jsonl:1"),
        ("data.jsonl:102", "data.jsonl:101"),
    ]


def test_exact_mode_and_an_unavailable_fast_stage_embed_everything() -> None:
    corpus = planted()
    model = BagOfWords(dimension=256)
    result = run_cascade(corpus, CachedEmbedder(model, None), BagOfWords(), mode="exact")
    assert result.mode == "exact" and result.confirmed_new.all()
    assert result.confirmed_existing.all() and result.note == ""
    fallback = run_cascade(corpus, CachedEmbedder(BagOfWords(dimension=256), None), Unavailable())
    assert fallback.mode == "exact" and fallback.confirmed_existing.all()
    assert "model2vec is not installed" in fallback.note
    np.testing.assert_array_equal(fallback.existing_answers, result.existing_answers)
    with pytest.raises(ValueError, match="semantic mode"):
        run_cascade(corpus, CachedEmbedder(model, None), None, mode="fast")


def test_no_candidates_means_no_model_work() -> None:
    corpus = Corpus((sample(1, "alpha beta", "gamma delta"),), (sample(2, "one two", "three"),))
    model = BagOfWords()
    result = run_cascade(corpus, CachedEmbedder(model, None), BagOfWords(dimension=32))
    assert model.embedded == [] and result.texts_confirmed == 0
    assert result.new_prompts.shape[0] == 1 and not result.new_prompts.any()
    assert (
        semantic_duplicates(corpus, CachedEmbedder(model, None), 0.9, as_corpus_vectors(result))
        == []
    )


def test_fast_floor_is_below_the_threshold() -> None:
    for threshold in (0.8, 0.87, 0.95):
        assert 0.3 <= fast_floor(threshold) < threshold


# -- progress --------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_and_never_when_quiet() -> None:
    terminal = Terminal()
    progress = Progress(stream=terminal)
    assert progress.enabled
    with progress.status("loading a model"):
        pass
    assert terminal.getvalue().startswith("datatenet: loading a model…")
    assert terminal.getvalue().endswith(" s\n")
    for silent in (Progress(stream=io.StringIO()), Progress(quiet=True, stream=Terminal())):
        assert not silent.enabled
        with silent.status("loading"), silent.bar(100, "embedding"):
            silent.advance(100)
        assert silent.stream.getvalue() == ""  # type: ignore[attr-defined]


def test_progress_bar_counts_the_texts_the_cache_misses(monkeypatch: pytest.MonkeyPatch) -> None:
    import datatenet.progress as progress_module

    monkeypatch.setattr(progress_module, "BAR_DELAY_S", 0)
    terminal = Terminal()
    progress = Progress(stream=terminal)
    inner = BagOfWords()
    inner.progress = progress  # type: ignore[attr-defined]
    embedder = CachedEmbedder(inner, None)
    texts = [f"text {i}" for i in range(50)]
    with progress.bar(len(texts), "embedding"):
        progress.advance(20)
        with progress.bar(999, "nested"):  # joins the open bar
            progress.advance(30)
        assert (progress._bar.n, progress._bar.total) == (50, 50)
    shown = terminal.getvalue()
    assert "datatenet: embedding" in shown and "/50" in shown and "nested" not in shown
    assert embedder.progress is progress  # the cache opens the bar its model advances
    embedder.embed(texts)
    assert progress._bar is None


def test_conflicts_on_cascade_vectors_equal_the_model_alone() -> None:
    """Answers are confirmed only where prompts are close: a conflict (same question, another
    answer) is still found, and no pair is compared against a missing answer."""
    from datatenet.analysis.conflicts import find_conflicts
    from datatenet.analysis.thresholds import Thresholds

    base = planted()
    new = (
        *base.new,
        sample(105, "ask3 about3 topic3 now", "a different reply entirely"),  # conflicts with 3
        sample(106, "ask4 about4 now topic4", "reply4 with4 detail4"),  # rewords 4
    )
    corpus = Corpus(new, base.existing)
    thresholds = Thresholds(semantic_duplicate=0.9, conflict_prompt=0.95)
    model = BagOfWords(dimension=256, tag="-confirm")

    def conflicts(fast: object) -> list[tuple[str, str]]:
        result = cascade_vectors(
            [i.prompt for i in corpus.new],
            [i.response for i in corpus.new],
            [i.prompt for i in corpus.existing],
            [i.response for i in corpus.existing],
            CachedEmbedder(model, None),
            fast,  # type: ignore[arg-type]
            duplicate_threshold=0.9,
            prompt_threshold=0.95,
        )
        found = find_conflicts(corpus, thresholds, as_corpus_vectors(result))
        return [(f.sample.origin, f.matched.origin) for f in found]

    exact = conflicts(None)
    assert ("data.jsonl:105", "data.jsonl:3") in exact
    model.embedded.clear()
    assert conflicts(CachedEmbedder(BagOfWords(), None)) == exact
    assert "a different reply entirely" in model.embedded
    assert "reply10 with10 detail10" not in model.embedded  # answers of distinct samples: never
