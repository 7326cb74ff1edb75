"""The cascade (analysis/pair_model.py), the joint pair search and the progress output, with
fast stand-in embedders.

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

from datatenet.analysis.base import CHECKS
from datatenet.analysis.corpus import Corpus
from datatenet.analysis.pair_model import PairModel, RowVectors
from datatenet.analysis.pair_verdicts import pair_findings
from datatenet.analysis.thresholds import Thresholds
from datatenet.embeddings.base import EmbeddingsUnavailable
from datatenet.embeddings.cache import CachedEmbedder
from datatenet.embeddings.cascade import fast_floor
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
    an unrelated one, an identical copy of existing 2 (the same id: the exact tier's), existing
    3's question reworded with another number in the answer (a contradiction) and a near copy of
    existing 5 that asks with another number (never the same question, whatever the model)."""
    words = " ".join(f"w{k}" for k in range(40))
    existing = [
        sample(i, f"ask{i} about{i} topic{i} now", f"reply{i} with{i} detail{i}") for i in range(30)
    ]
    existing[3] = sample(3, "ask3 about3 topic3 now", "the total is 42 apples")
    existing[5] = sample(5, f"ask5 {words} how many is 12 times 3", "reply5 with5 detail5")
    new = (
        sample(100, "topic1 about1 ask1 now", "detail1 reply1 with1"),
        sample(101, "how do I reset my password", "open the settings page"),
        sample(102, "my password how do I reset", "the settings page open"),
        sample(103, "something else entirely", "with an unrelated reply"),
        sample(104, "ask2 about2 topic2 now", "reply2 with2 detail2", "id2"),
        sample(105, "topic3 ask3 about3 now", "the total is 17 apples"),
        sample(106, f"ask5 {words} how many is 13 times 3", "reply5 with5 detail5"),
    )
    return Corpus(new, tuple(existing))


THRESHOLDS = Thresholds(semantic_duplicate=0.9, conflict_prompt=0.95)


def pair_model(
    corpus: Corpus, confirm: BagOfWords, fast: object | None = None, min_samples: int = 0
) -> PairModel:
    rows = RowVectors(corpus, CachedEmbedder(confirm, None))
    fast_stage = CachedEmbedder(fast, None) if fast is not None else None  # type: ignore[arg-type]
    return PairModel("bag-of-words", rows, fast_stage, min_samples=min_samples)


def findings(corpus: Corpus, model: PairModel) -> list[dict[str, object]]:
    found = pair_findings(corpus, frozenset(CHECKS), THRESHOLDS, pair_model=model)
    return [f.to_json() for f in found]


def test_cascade_finds_what_the_model_alone_finds_and_embeds_less() -> None:
    corpus = planted()
    alone = BagOfWords(dimension=256, tag="-confirm")
    exact_model = pair_model(corpus, alone)
    exact = findings(corpus, exact_model)
    assert exact_model.stats["confirmed"] == exact_model.stats["texts"] == len(set(alone.embedded))
    assert "every text through the model (exact mode)" in exact_model.summary()
    confirm = BagOfWords(dimension=256, tag="-confirm")
    through = pair_model(corpus, confirm, BagOfWords())
    assert findings(corpus, through) == exact
    kinds = {(f["kind"], f["sample"]["origin"], f["matched"]["origin"]) for f in exact}  # type: ignore[index]
    assert {
        ("semantic-duplicate", "data.jsonl:100", "data.jsonl:1"),
        ("semantic-duplicate", "data.jsonl:102", "data.jsonl:101"),
        ("contradiction", "data.jsonl:105", "data.jsonl:3"),
        ("exact-duplicate", "data.jsonl:104", "data.jsonl:2"),
    } <= kinds
    assert through.stats["cascade"] == 1
    assert through.stats["confirmed"] == len(set(confirm.embedded)) < exact_model.stats["texts"]
    assert "pairs: cascade" in through.summary()
    # answers of samples no pair needs are never embedded, nor the texts of the exact copy
    assert "reply10 with10 detail10" not in confirm.embedded
    assert "the total is 17 apples" in confirm.embedded


def test_pairs_the_lexical_tiers_settle_are_not_sent_to_the_model() -> None:
    """The near copy (new 106 of existing 5) asks with another number: no cosine can make it
    the same question, so the cascade does not embed its texts; the model alone does, and
    reports the same (nothing on that pair)."""
    corpus = planted()
    confirm = BagOfWords(dimension=256, tag="-confirm")
    through = pair_model(corpus, confirm, BagOfWords())
    found = findings(corpus, through)
    assert not [f for f in found if f["sample"]["origin"] == "data.jsonl:106"]  # type: ignore[index]
    assert through.stats["settled"] == 1
    assert corpus.new[-1].prompt not in confirm.embedded
    alone = BagOfWords(dimension=256, tag="-confirm")
    assert found == findings(corpus, pair_model(corpus, alone))
    assert corpus.new[-1].prompt in alone.embedded


def test_equal_answers_are_never_sent_to_the_model() -> None:
    """Two samples asking the same in other words with the very same answer: the answers'
    cosine is 1 without the model, which embeds only the prompts; the verdict is the model
    alone's. An answer that differs from its pair's is embedded."""
    corpus = planted()
    shared = "press the reset link in the email we send you"
    new = (
        sample(200, "how do I reset my password quickly", shared),
        sample(201, "my password quickly how do I reset", shared),
        sample(202, "topic3 ask3 about3 now", "the total is 18 apples"),
    )
    corpus = Corpus(new, corpus.existing)
    confirm = BagOfWords(dimension=256, tag="-confirm")
    through = pair_model(corpus, confirm, BagOfWords())
    found = findings(corpus, through)
    alone = BagOfWords(dimension=256, tag="-confirm")
    assert found == findings(corpus, pair_model(corpus, alone))
    pairs = {(f["kind"], f["sample"]["origin"], f["matched"]["origin"]) for f in found}  # type: ignore[index]
    assert ("semantic-duplicate", "data.jsonl:201", "data.jsonl:200") in pairs
    assert ("contradiction", "data.jsonl:202", "data.jsonl:3") in pairs
    assert new[0].prompt in confirm.embedded and new[1].prompt in confirm.embedded
    assert shared not in confirm.embedded and shared in alone.embedded
    assert "the total is 18 apples" in confirm.embedded


def test_candidates_whose_questions_give_other_numbers_are_not_sent_to_the_model() -> None:
    """A new question reworded from an existing one but with other numbers (the fast stage
    proposes the pair, no lexical tier does): never the same question, so the cascade settles
    it without the model; the model alone looks at it and finds nothing either."""
    corpus = planted()
    asked = "apples crates many how hold 14 with 3 each"
    new = (*corpus.new, sample(300, asked, "reply300 with300 detail300"))
    existing = (
        *corpus.existing,
        sample(31, "how many apples hold 15 crates with 3 each", "reply31 with31 detail31"),
    )
    corpus = Corpus(new, existing)
    confirm = BagOfWords(dimension=256, tag="-confirm")
    through = pair_model(corpus, confirm, BagOfWords())
    found = findings(corpus, through)
    alone = BagOfWords(dimension=256, tag="-confirm")
    assert found == findings(corpus, pair_model(corpus, alone))
    assert not [f for f in found if f["sample"]["origin"] == "data.jsonl:300"]  # type: ignore[index]
    assert asked in alone.embedded and asked not in confirm.embedded
    assert through.stats["settled"] >= 2  # this pair, and the near copy of existing 5


class FirstLine(BagOfWords):
    """A confirming stand-in that reads only a prompt's first line (the question), as a model
    may weigh a question over the context after it."""

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return super().embed([text.split("\n", 1)[0] for text in texts])


def test_samples_with_the_same_answer_are_proposed_whatever_their_fast_cosines() -> None:
    """The same question asked again with another long context after it, and the same answer:
    the fast stage (every word) sees two different prompts, the confirming model the same
    question. The pair is proposed because the answers are equal, and found as the model alone
    finds it."""
    corpus = planted()
    context = [" ".join(f"c{k}x{n}" for n in range(30)) for k in range(2)]
    answer = "reply7 with7 detail7 and7 more7"
    new = (sample(400, f"ask7 about7 topic7 now\nContext: {context[0]}", answer),)
    existing = (
        *corpus.existing,
        sample(40, f"ask7 about7 topic7 now\nContext: {context[1]}", answer),
    )
    corpus = Corpus(new, existing)
    alone = findings(corpus, pair_model(corpus, FirstLine(dimension=256, tag="-confirm")))
    assert ("semantic-duplicate", "data.jsonl:40") in {
        (f["kind"], f["matched"]["origin"])  # type: ignore[index]
        for f in alone
    }
    through = pair_model(corpus, FirstLine(dimension=256, tag="-confirm"), BagOfWords())
    assert findings(corpus, through) == alone


def test_the_fast_stage_compares_only_what_an_english_model_reads() -> None:
    corpus = planted()
    new = (*corpus.new, sample(500, "Describe the climate\nContext: 新奥尔良的天气", "It is hot"))
    corpus = Corpus(new, corpus.existing)
    fast = BagOfWords()
    model = pair_model(corpus, BagOfWords(dimension=256), fast)
    model.name = "sentence-transformers/all-MiniLM-L6-v2"
    findings(corpus, model)
    assert "Describe the climate\nContext:  " in fast.embedded
    assert not [text for text in fast.embedded if "天" in text]


def test_exact_mode_an_unavailable_fast_stage_and_a_small_corpus_embed_everything() -> None:
    corpus = planted()
    expected = findings(corpus, pair_model(corpus, BagOfWords(dimension=256)))
    unavailable = pair_model(corpus, BagOfWords(dimension=256), Unavailable())
    assert findings(corpus, unavailable) == expected
    assert "fast stage unavailable: model2vec is not installed" in unavailable.summary()
    assert unavailable.stats["confirmed"] == unavailable.stats["texts"]
    small = pair_model(corpus, BagOfWords(dimension=256), BagOfWords(), min_samples=50)
    assert findings(corpus, small) == expected
    assert "fewer than 50 distinct samples" in small.summary()


def test_no_candidates_means_no_model_work() -> None:
    existing = tuple(sample(i, f"alpha{i} beta{i}", f"gamma{i} delta{i}") for i in range(10))
    corpus = Corpus((sample(99, "one two", "three"),), existing)
    confirm = BagOfWords()
    model = pair_model(corpus, confirm, BagOfWords(dimension=32))
    assert findings(corpus, model) == []
    assert confirm.embedded == [] and model.stats["confirmed"] == 0


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
